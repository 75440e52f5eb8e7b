// The library's only door. Everything here is public API; the report shape is versioned by
// `schemaVersion`, finding codes are stable (never renamed, only deprecated).
export { verifyChain, type VerifyChainOptions, type CertInput } from './verify.js';
export { probeBackend, type ProbeOptions, type StageResult } from './probe.js';
export { checkGateway } from './gateway/run.js';
export { parseGatewayConfig, loadGatewayConfig, readParameterArgs, type GatewayConfig, type GatewayConfigOptions } from './gateway/config.js';
export { evaluateTemplate, type EvaluateOptions, type TemplateEvaluation, type EvaluatedResource, type SuppliedParameter } from './gateway/arm/template.js';
export { ArmUnknown, type ArmSource } from './gateway/arm/values.js';
export { planGateway } from './gateway/plan.js';
export { checkRevocation } from './revocation/check.js';
export { parseOcspResponse, validateOcspResponse, buildOcspRequest } from './revocation/ocsp.js';
export { parseCrl, checkCrl } from './revocation/crl.js';
export { runDemo, demoCases, type DemoCase, type DemoResult } from './demo.js';
export { GATEWAY_MESSAGES, fillMessage, identifyGatewayMessage, type GatewayMessageId, type GatewayMessage } from './model/messages.js';
export { FINDING_CODES, type Finding, type FindingCode, type Severity, type Stage, type Evidence, type OpenSslError } from './model/findings.js';
export { CATALOG } from './model/catalog.js';
export { InputError } from './model/errors.js';
export type { Report, HealthStatus, CertSummary, ChainReport, PathEntry, TrustReport } from './model/report.js';
export { SCHEMA_VERSION } from './model/report.js';
export { main } from './cli/index.js';
export type { CliIo } from './cli/io.js';
