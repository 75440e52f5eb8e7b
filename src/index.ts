/**
 * certcheck's library: the only door. Everything exported here is public API; everything else is
 * internal and may change. The report's shape is versioned by `schemaVersion` (and described by
 * schema/report.schema.json); finding codes are stable (never renamed, only deprecated).
 *
 * Importing this module starts nothing and registers nothing: the CLI lives in src/cli/ and is
 * not exported. Each call takes an options object and returns a report (or a result built of
 * reports); every option and result type is exported beside it, and so is every type an exported
 * call takes, so a caller can name and build whatever it passes.
 */

// ---- judging a certificate list offline ----------------------------------------------------------
export { verifyChain, type VerifyChainOptions, type CertInput } from './verify.js';
export type { Profile, Purpose } from './checks/path-rules.js';

// ---- probing one backend as the gateway does -----------------------------------------------------
export { probeBackend, type ProbeOptions } from './probe.js';

// ---- a whole gateway: its configuration, the plan per server, the sweep --------------------------
export { checkGateway, runProbes, type RunOptions, type RunResult, type RunProgress, type Probeable } from './gateway/run.js';
export { parseGatewayConfig, loadGatewayConfig } from './gateway/config.js';
export type { GatewayConfig, GatewaySku, ConfigShape, BackendPool, PoolMember, BackendSetting, GatewayProbe, GatewayCert, PoolSettingPair } from './gateway/config.js';
export { planGateway, type PlanOptions, type ProbePlan, type PlanWhy } from './gateway/plan.js';

// ---- rotation, bundles, capture: planRotation, buildBundle, captureChain are added here ----------

// ---- revocation ----------------------------------------------------------------------------------
export { checkRevocation, type RevocationOptions, type RevocationOutcome, type OfflineInput } from './revocation/check.js';
export { parseOcspResponse, validateOcspResponse, buildOcspRequest } from './revocation/ocsp.js';
export type { ParsedOcspResponse, BasicOcspResponse, OcspSingleResponse, OcspCertId, CertStatus, OcspVerdict, OcspValidateOptions } from './revocation/ocsp.js';
export type { HashName } from './revocation/common.js';
export { parseCrl, checkCrl, type ParsedCrl, type CrlEntry, type CrlVerdict, type CrlValidateOptions } from './revocation/crl.js';

// ---- certificates (what the revocation calls and the trust options take) --------------------------
export { parseCertificate } from './x509/cert.js';
export type { ParsedCert, DistinguishedName, NameAttribute, GeneralName, TimeValue, CertExtension, PublicKeyInfo, AlgorithmIdentifier, NameConstraints } from './x509/types.js';

// ---- the report ----------------------------------------------------------------------------------
export { SCHEMA_VERSION } from './model/report.js';
export type {
  Report, VerifyReport, ProbeReport, ReportBase, HealthStatus, CertSummary, ChainReport, PathEntry, TrustReport,
  ProbeTarget, ProbeRequest, ProbeStage, StageResult, TlsReport, HttpReport, ProbeTimings,
  RevocationMode, RevocationSource, RevocationCheck, RevocationCertResult, RevocationReport,
  RotationInfo, RotationStep, CertRef, VerdictRef,
} from './model/report.js';
export { FINDING_CODES, type Finding, type FindingCode, type Severity, type Stage, type Evidence, type EvidenceValue, type OpenSslError } from './model/findings.js';
export { GATEWAY_MESSAGES, fillMessage, identifyGatewayMessage, type GatewayMessageId, type GatewayMessage } from './model/messages.js';
export { CATALOG, type Entry as CatalogEntry } from './model/catalog.js';
export { InputError } from './model/errors.js';

// ---- renderers: the report in words and formats ------------------------------------------------
export { renderReport, OUTPUT_FORMATS, type OutputFormat, type RenderOptions } from './render/format.js';
export { renderText, type TextOptions } from './render/text.js';
export { renderJunit, targetName, type CaseEntry } from './render/junit.js';
export { renderGithub } from './render/github.js';
export { renderHealthTable, type HealthRow } from './render/table.js';
export { renderGatewayHealth, renderGatewayPlan, type GatewayRenderOptions, type GatewaySweepInfo } from './render/health.js';

// ---- the demo: loopback backends for the common reasons a probe fails ----------------------------
export { runDemo, demoCases, type DemoCase, type DemoResult } from './demo.js';
export type { BackendSpec } from './fixtures.js';
