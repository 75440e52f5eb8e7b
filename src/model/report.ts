/**
 * The report: what `verifyChain` and `probeBackend` return and what `--format json` prints. It is
 * a union on `kind` so a caller (and `render/`) can read every part with its type, without casts;
 * `schema/report.schema.json` describes the same shape. The JSON's key order follows the order in
 * which the runners build it (see `assembleReport` in src/verify.ts), not the order here.
 *
 * Types only, plus the health tally a sweep shares with the renderers: this file imports nothing
 * outside `model/`, so every floor may read it.
 */
import type { Evidence, Finding, FindingCode } from './findings.js';
import type { GatewayMessageId } from './messages.js';

/** The gateway's verdict on a backend, in the words of its Backend Health page. */
export type HealthStatus = 'Healthy' | 'Unhealthy' | 'Unknown';

/** How many results came back with each health (a sweep's summary). */
export interface HealthCounts {
  total: number;
  healthy: number;
  unhealthy: number;
  unknown: number;
  /** Results whose certcheck policy failed (--min-days, --profile strict), whatever their health. */
  policyFailed: number;
}

/** Adds one result to the counts; `policyOk` false counts a policy failure beside the health. */
export function tallyHealth(c: HealthCounts, health: HealthStatus, policyOk = true): void {
  c.total++;
  if (health === 'Healthy') c.healthy++; else if (health === 'Unhealthy') c.unhealthy++; else c.unknown++;
  if (!policyOk) c.policyFailed++;
}

/** The counts of a finished list of results. */
export function countHealth(results: Iterable<{ health: HealthStatus; policyOk?: boolean }>): HealthCounts {
  const c: HealthCounts = { total: 0, healthy: 0, unhealthy: 0, unknown: 0, policyFailed: 0 };
  for (const r of results) tallyHealth(c, r.health, r.policyOk ?? true);
  return c;
}

/** One of certcheck's own checks, applied beside the gateway's verdict and never part of it. */
export type PolicyCheck = 'min-days' | 'strict';

/** A policy check that was applied, and its threshold when it has one (`--min-days N`). */
export interface PolicyApplied {
  check: PolicyCheck;
  threshold: number | null;
}

/** One failure of certcheck's policy: which check, the finding behind it, in certcheck's words. */
export interface PolicyFailure {
  check: PolicyCheck;
  /** The finding code (CERT_EXPIRES_SOON for --min-days; the strict validator's finding for strict). */
  code: FindingCode;
  /** The check's threshold (`--min-days N`), null when it has none. */
  threshold: number | null;
  /** Index in the presented chain of the certificate concerned, null when not one certificate. */
  certIndex: number | null;
  /** One line in certcheck's words, e.g. "certificate 0 expires in 9 days (< --min-days 30)". */
  summary: string;
  /** certcheck's explanation (never the gateway's message). */
  explanation: string;
  fix: string | null;
  evidence: Evidence;
}

/**
 * certcheck's own policy, reported beside the gateway's verdict: the thresholds and the strict
 * profile a user asked for. It never changes `status` or `message`; a failure while the gateway
 * would say Healthy is exit status 4.
 */
export interface PolicyReport {
  /** No applied check failed (true when none was applied). */
  ok: boolean;
  /** The checks applied, in the order above. */
  checks: PolicyApplied[];
  failures: PolicyFailure[];
}

/**
 * The version of the report's shape. Fields may be added within a version; a removal or a change
 * of meaning bumps it.
 */
export const SCHEMA_VERSION = 1;

/** One certificate as it was presented (or uploaded), decoded for reading. */
export interface CertSummary {
  /** Position in the list it came from (the presented chain, or the uploaded roots). */
  index: number;
  subject: string;
  issuer: string;
  /** Serial number, hex. */
  serial: string;
  /** ISO 8601 UTC, or the raw encoded text when it is not a real instant. */
  notBefore: string;
  notAfter: string;
  /** Whole days from the check time to notAfter (negative when expired). */
  daysLeft: number | null;
  /** Lowercase hex SHA-256 of the DER. */
  sha256: string;
  selfSigned: boolean;
  ca: boolean;
  /** Key algorithm and size, e.g. "RSA 2048" or "EC P-256". */
  key: string;
  signatureAlgorithm: string;
  /** Subject alternative names as "DNS:…", "IP:…" and so on. */
  subjectAltName: string[];
  /** The certificate as PEM. */
  pem: string;
  /** Set when the certificate did not decode; the other fields are then placeholders. */
  error?: string;
}

/** One certificate on the path the gateway's OpenSSL builds. */
export interface PathEntry {
  /** Index in the presented chain, or null for a certificate taken from the trust store. */
  presentedIndex: number | null;
  source: 'presented' | 'trust-store';
  subject: string;
  sha256: string;
}

/** The chain as presented and the path built from it. */
export interface ChainReport {
  /** Every certificate the backend sent (or the files held), in order, duplicates and extras included. */
  presented: CertSummary[];
  /** The path that validated, or the best failing one (leaf first). */
  path: PathEntry[];
  pathValid: boolean;
  /** The path ends at a trust anchor of the store in use. */
  anchored: boolean;
  /** The work path building did (it runs under budgets; see the PATH_BUDGET_EXHAUSTED finding). */
  stats: { signatureChecks: number; buildCalls: number; pathsEvaluated: number };
  /**
   * The leaf's name that matched the report's `host`, written as in `subjectAltName`
   * ("DNS:*.backend.test", "IP:10.0.0.5"), or "CN:..." when a certificate without a SAN matched by
   * its Common Name. Absent when no host was checked or no name matched.
   */
  matchedName?: string;
  /**
   * The presented certificates (indexes) that carry the path on above certcheck's depth limit of
   * 10 (CHAIN_TOO_LONG): not on `path`, which stops at the limit, but part of the chain. Absent
   * unless the path was cut there.
   */
  beyondDepthLimit?: number[];
}

/** Which trust store decided, as the gateway would choose it. */
export interface TrustReport {
  /**
   * `wellknown`: the well-known CA store (Node's bundled Mozilla roots unless replaced);
   * `uploaded`: the backend setting's trusted root certificates; `v1-auth-cert`: v1's
   * authentication certificates; `none`: nothing to trust (plain HTTP).
   */
  mode: 'wellknown' | 'uploaded' | 'v1-auth-cert' | 'none';
  /** The store in words, e.g. "uploaded trusted root certificates (1)". */
  store: string;
  /** How many certificates in the store can end a path. */
  anchors: number;
  /** The uploaded roots, when `mode` is `uploaded`. */
  uploaded?: CertSummary[];
}

// ---- revocation and rotation: their own model files, re-exported as parts of the report --------

export type { RevocationCertResult, RevocationCheck, RevocationMode, RevocationReport, RevocationSource } from './revocation.js';
export type { CertRef, RootRef, RotationInfo, RotationStep, RotationStepCode, RotationStepData, TrustedRootCheck, VerdictRef } from './rotation.js';
import type { RevocationReport } from './revocation.js';
import type { RotationInfo } from './rotation.js';

// ---- probe parts ------------------------------------------------------------------------------

/** The probe stages in the order the gateway runs them. */
export type ProbeStage = 'dns' | 'tcp' | 'tls' | 'certificate' | 'http';

/** One stage of a live probe: whether it passed, how long it took, and a one-line account. */
export interface StageResult { stage: ProbeStage; ok: boolean; ms: number; detail: string }

/** The backend as addressed. */
export interface ProbeTarget {
  /** The host as given (name or IP literal). */
  host: string;
  port: number;
  protocol: 'https' | 'http';
  /** The address connected to (or the first resolved), null when none. */
  address: string | null;
}

/** What the gateway's probe sends, and why that host. */
export interface ProbeRequest {
  /** The name the certificate is checked against, null when not checked. */
  host: string | null;
  /** Where `host` came from, in words (the gateway's precedence, appgw-spec §2). */
  hostSource: string;
  hostHeader: string;
  /** The SNI sent, null when none. */
  sni: string | null;
  path: string;
  /** The status match, as the gateway writes it (e.g. "200-399"). */
  status: string;
  /** The body match, null when none. */
  body: string | null;
  timeoutSeconds: number;
}

/** The TLS handshake as observed. */
export interface TlsReport {
  protocol: string | null;
  cipher: string | null;
  sniSent: string | null;
  /** The ALPN protocol agreed, or false. */
  alpn: string | false;
  ocspStapled: boolean;
  sessionReused: boolean;
  /** The certificate list was captured from the wire. */
  captured: boolean;
  notCapturedReason: string | null;
}

/** The HTTP response as observed. */
export interface HttpReport {
  status: number | null;
  statusText: string | null;
  /** A redirect's Location (never followed), escaped. */
  location: string | null;
  /** The start of the body, escaped, at most 512 characters. */
  bodyPrefix: string;
  bodyBytesRead: number;
  bodyTruncated: boolean;
  /** How many body bytes the probe reads at most. */
  bodyCap: number;
}

/** Milliseconds: the whole probe, and each stage that ran. */
export type ProbeTimings = { totalMs: number } & { [S in ProbeStage]?: number };

// ---- the report -------------------------------------------------------------------------------

/** The parts every report has. */
export interface ReportBase {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'certcheck'; version: string };
  /** The gateway's verdict, and only the gateway's: certcheck's policy is in `policy`. */
  status: HealthStatus;
  /** Everything asked passes: `status === 'Healthy'` and `policy.ok`. */
  ok: boolean;
  /**
   * The one message for `status`: the gateway's text with placeholders filled or its success log
   * when `messageSource` is `gateway`; certcheck's own sentence when the gateway's words are not
   * known (an offline pass, Unknown for a reason of certcheck's), labelled `certcheck`.
   */
  message: string;
  messageId: GatewayMessageId | null;
  /** Whose words `message` is. */
  messageSource: 'gateway' | 'certcheck';
  /** The finding behind `message`, when not Healthy. */
  primary: Finding | null;
  /** certcheck's own policy (thresholds, the strict profile), beside the verdict, never in it. */
  policy: PolicyReport;
  /** Which SKU's rules were applied. */
  sku: 'v1' | 'v2';
  /** `gateway`: what the gateway enforces; `strict`: also certcheck's strict validator, as policy (`policy`). */
  profile: 'gateway' | 'strict';
  /** The check time (ISO 8601 UTC). */
  at: string;
  /** The name the certificate was checked against, null when none. */
  host: string | null;
  trust: TrustReport;
  chain: ChainReport | null;
  /** Every finding, most important first. */
  findings: Finding[];
}

/** A certificate list judged offline (`verifyChain`, `certcheck verify`, `certcheck rotate`). */
export interface VerifyReport extends ReportBase {
  kind: 'verify';
  /** The chain files, in order (CLI and rotation). */
  inputs?: string[];
  /** Notes on reading the files (e.g. "private key ignored"). */
  inputNotes?: string[];
  revocation?: RevocationReport;
  /** `certcheck rotate`'s pre-flight. */
  rotation?: RotationInfo;
}

/** A live probe of a backend (`probeBackend`, `certcheck HOST:PORT`). */
export interface ProbeReport extends ReportBase {
  kind: 'probe';
  target: ProbeTarget;
  probe: ProbeRequest;
  /** Null for plain HTTP or when the probe stopped before TLS. */
  tls: TlsReport | null;
  /** Null when the probe stopped before HTTP. */
  http: HttpReport | null;
  revocation?: RevocationReport;
  stages: StageResult[];
  timings: ProbeTimings;
}

/** Every report; narrow on `kind`. */
export type Report = VerifyReport | ProbeReport;

/** The parts of a verify report beyond `ReportBase`, as a runner supplies them. */
export type VerifyDetails = Omit<VerifyReport, keyof ReportBase | 'kind'>;

/** The parts of a probe report beyond `ReportBase`, as a runner supplies them. */
export type ProbeDetails = Omit<ProbeReport, keyof ReportBase | 'kind'>;
