// The library's only door. Everything here is public API; the report shape is versioned by
// `schemaVersion`, finding codes are stable (never renamed, only deprecated).
export { verifyChain, type VerifyChainOptions, type CertInput } from './verify.js';
export { captureChain, type CaptureChainOptions, type CapturedChain, type CaptureFailure } from './capture-chain.js';
export { planRotation, type RotateOptions } from './rotate.js';
export { findRoot, makeBundle, type RootSearch, type FoundRoot, type BundleOptions, type BundleOutcome, type BundleResult, type AiaFetch } from './bundle.js';
export type { RotationInfo, RotationStep, RotationStepCode, RotationStepData, CertRef, VerdictRef, RootRef } from './model/rotation.js';
export { probeBackend, type ProbeOptions, type StageResult } from './probe.js';
export { checkGateway } from './sweep.js';
export { parseGatewayConfig, loadGatewayConfig } from './gateway/config.js';
export { planGateway } from './gateway/plan.js';
// The gateway's network path judged offline (issue 17): load az/ARM network JSON, build the model, judge a server.
export { loadNetwork, addNetworkDocument, emptyInventory, type NetworkInventory, type LoadNetworkOptions, type ExpressionEvaluator } from './gateway/network/load.js';
export { buildNetworkModel, judgeRowNetwork, networkSummary, type NetworkModel, type RowNetwork, type NetworkSummary } from './gateway/network/verdict.js';
export { loadGatewayNetwork } from './gateway/network/files.js';
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
