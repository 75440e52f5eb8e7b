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
export type { Sku } from './model/plan.js';

// ---- probing one backend as the gateway does -----------------------------------------------------
export { probeBackend, type ProbeOptions } from './probe.js';
export { captureChain, type CaptureChainOptions, type CapturedChain, type CaptureFailure } from './capture-chain.js';

// ---- a whole gateway: its configuration, the plan per server, the sweep --------------------------
export { checkGateway, runProbes, type RunOptions, type RunResult, type RunProgress, type Probeable } from './sweep.js';
export { parseGatewayConfig, loadGatewayConfig, readParameterArgs, type GatewayConfigOptions } from './gateway/config.js';
// ARM template evaluation (issue 16): parameters, variables, the template functions, copy loops, nested deployments.
export { evaluateTemplate, type EvaluateOptions, type TemplateEvaluation, type EvaluatedResource, type SuppliedParameter, type DeploymentContext, type ArmWarning, type Json as TemplateJson } from './gateway/arm/template.js';
export { ArmUnknown, type ArmSource, type ParameterOrigin } from './gateway/arm/values.js';
export type { GatewayConfig, GatewaySku, ConfigShape, BackendPool, PoolMember, BackendSetting, GatewayProbe, GatewayCert, PoolSettingPair } from './gateway/config.js';
export { planGateway, type PlanOptions, type ProbePlan, type PlanWhy } from './gateway/plan.js';
// The gateway's network path judged offline (issue 17): load az/ARM network JSON, build the model, judge a server.
export { loadNetwork, addNetworkDocument, emptyInventory, type NetworkInventory, type LoadNetworkOptions, type ExpressionEvaluator } from './gateway/network/load.js';
export { buildNetworkModel, judgeRowNetwork, networkSummary, type NetworkModel, type RowNetwork, type NetworkSummary } from './gateway/network/verdict.js';
export { loadGatewayNetwork } from './gateway/network/files.js';
export type { GatewayNetworkFacts, Subnet, VirtualNetwork, NetworkSecurityGroup, NsgRule, RouteTable, UserRoute, NextHopType, NetworkInterface, NicIpConfig, Json } from './gateway/network/load.js';
export type { SubnetPlace, NetworkModelOptions } from './gateway/network/verdict.js';
export type { TagContext } from './gateway/network/nsg.js';
export type { Span } from './gateway/network/ipset.js';
export type { EffectiveRoute } from './gateway/network/routes.js';

// ---- rotation and bundles ------------------------------------------------------------------------
export { planRotation, type RotateOptions } from './rotate.js';
export { findRoot, makeBundle, type RootSearch, type FoundRoot, type BundleOptions, type BundleOutcome, type BundleResult, type AiaFetch } from './bundle.js';

// ---- revocation ----------------------------------------------------------------------------------
export { checkRevocation, type RevocationOptions, type RevocationOutcome, type OfflineInput } from './revocation/check.js';
export { parseOcspResponse, validateOcspResponse, buildOcspRequest } from './revocation/ocsp.js';
export type { OcspVerdict, OcspValidateOptions } from './revocation/ocsp.js';
export type { ParsedOcspResponse, BasicOcspResponse, OcspSingleResponse, OcspCertId, CertStatus, HashName } from './x509/ocsp.js';
export { parseCrl, checkCrl, type CrlVerdict, type CrlValidateOptions } from './revocation/crl.js';
export type { ParsedCrl, CrlEntry } from './x509/crl.js';

// ---- certificates (what the revocation calls and the trust options take) --------------------------
export { parseCertificate } from './x509/cert.js';
export type { ParsedCert, DistinguishedName, NameAttribute, GeneralName, TimeValue, CertExtension, PublicKeyInfo, AlgorithmIdentifier, NameConstraints } from './x509/types.js';

// ---- the report ----------------------------------------------------------------------------------
export { SCHEMA_VERSION } from './model/report.js';
export type {
  Report, VerifyReport, ProbeReport, ReportBase, HealthStatus, CertSummary, ChainReport, PathEntry, TrustReport,
  ProbeTarget, ProbeRequest, ProbeStage, StageResult, TlsReport, HttpReport, ProbeTimings,
  RevocationMode, RevocationSource, RevocationCheck, RevocationCertResult, RevocationReport,
  RotationInfo, RotationStep, RotationStepCode, RotationStepData, CertRef, VerdictRef, RootRef, TrustedRootCheck,
  PolicyReport, PolicyApplied, PolicyCheck, PolicyFailure,
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
export { renderAzure } from './render/azure.js';
export { renderHealthTable, type HealthRow } from './render/table.js';
export { renderGatewayHealth, renderGatewayPlan, type GatewayRenderOptions, type GatewaySweepInfo } from './render/health.js';

// ---- the demo: loopback backends for the common reasons a probe fails ----------------------------
export { runDemo, demoCases, type DemoCase, type DemoResult } from './demo.js';
export type { BackendSpec } from './fixtures.js';
