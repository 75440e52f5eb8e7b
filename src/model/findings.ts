/**
 * What a rule says: a finding is a stable code, its stage and severity, evidence as data, and the
 * wording the catalog (catalog.ts) fills in. Codes are API: never renamed, only deprecated.
 */
import type { GatewayMessageId } from './messages.js';

/** Where in the probe a finding arises; also the rank order the gateway reports in. */
export type Stage = 'input' | 'dns' | 'tcp' | 'tls' | 'certificate' | 'http';
/** The stages in the order the gateway's probe meets them. */
export const STAGE_ORDER: readonly Stage[] = ['input', 'dns', 'tcp', 'tls', 'certificate', 'http'];

/**
 * error: the gateway would mark the backend Unhealthy for this.
 * unknown: we cannot tell what the gateway would say (budget exhausted, not captured): status Unknown.
 * warning: the gateway accepts it, but something is wrong or fragile (strict profile, expiring soon, extras).
 * info: worth knowing.
 */
export type Severity = 'error' | 'unknown' | 'warning' | 'info';

/**
 * Stable finding codes. Codes are API: never rename, only deprecate.
 * Each code's gateway message, explanation and fix live in src/model/catalog.ts.
 */
export const FINDING_CODES = [
  // dns / tcp / timeouts
  'DNS_FAILED', 'TCP_REFUSED', 'TCP_UNREACHABLE', 'TCP_FAILED', 'PROBE_TIMEOUT',
  // tls
  'TLS_ALERT', 'TLS_RESET', 'TLS_CLOSED', 'TLS_PLAINTEXT', 'TLS_CERT_MESSAGE_TOO_LARGE', 'TLS_FAILED',
  'CHAIN_NOT_CAPTURED',
  // chain shape
  'CHAIN_EMPTY', 'CHAIN_NO_LEAF', 'CHAIN_LEAF_NOT_FIRST', 'CHAIN_ONLY_LEAF', 'CHAIN_INCOMPLETE',
  'CHAIN_ROOT_NOT_SENT', 'CHAIN_DUPLICATE', 'CHAIN_EXTRA_CERT', 'CHAIN_OUT_OF_ORDER',
  'CHAIN_TOO_MANY_CERTS', 'CHAIN_PATH_NOT_TAKEN',
  // trust
  'UNTRUSTED_ROOT', 'UNTRUSTED_INTERMEDIATE', 'UPLOADED_ROOT_NOT_ISSUER', 'UPLOADED_ROOT_MISMATCH',
  'UPLOADED_ROOT_NOT_CA', 'UPLOADED_ROOT_NOT_SELF_SIGNED',
  // validity
  'CERT_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_BAD_TIME', 'CERT_NEVER_VALID', 'CERT_EXPIRES_SOON',
  // name
  'NAME_MISMATCH', 'NAME_CN_ONLY', 'NAME_NOT_CHECKED', 'NAME_NOTE',
  // path rules (OpenSSL verify errors, M15)
  'BAD_SIGNATURE', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'KEYUSAGE_NO_CERTSIGN', 'INVALID_PURPOSE',
  'UNHANDLED_CRITICAL_EXTENSION', 'NAME_CONSTRAINTS_VIOLATION', 'WEAK_SIGNATURE', 'WEAK_KEY',
  'UNSUPPORTED_ALGORITHM', 'CHAIN_TOO_LONG', 'MALFORMED_CERT', 'MALFORMED_EXTENSION',
  'PATH_BUDGET_EXHAUSTED', 'STRICT_VIOLATION', 'TRAILING_DATA',
  // v1
  'V1_AUTH_CERT_MISMATCH', 'V1_AUTH_CERT_PUBLIC_KEY_ONLY',
  // http
  'HTTP_STATUS_MISMATCH', 'HTTP_BODY_MISMATCH', 'HTTP_INVALID_RESPONSE', 'HTTP_FAILED', 'HTTP_REDIRECT_NOT_FOLLOWED',
  // revocation (appended)
  'CERT_REVOKED', 'REVOCATION_UNKNOWN', 'REVOCATION_UNREACHABLE', 'OCSP_STAPLE_INVALID', 'REVOCATION_GOOD',
  // network path judged from exported NSGs, routes and VNets (issue 17, appended)
  'NET_GATEWAY_MANAGER_BLOCKED', 'NET_DEFAULT_ROUTE_NOT_INTERNET', 'NET_CUSTOM_DNS', 'NET_PROBE_BLOCKED',
  'NET_ROUTE_NONE', 'NET_ROUTE_VIA_APPLIANCE', 'NET_ROUTE_UNKNOWN', 'NET_INTERNET_OUTBOUND_BLOCKED',
  'NET_AZURE_LB_BLOCKED', 'NET_NOT_DETERMINED',
] as const;
/** A finding's stable code: API, never renamed, only deprecated. */
export type FindingCode = (typeof FINDING_CODES)[number];

/** Evidence is data, never prose: the text renderer words it, JSON carries it as is. */
export type EvidenceValue = string | number | boolean | null | string[] | number[];
/** A finding's evidence: named values (expected vs presented, dates, indexes), never prose. */
export type Evidence = Record<string, EvidenceValue>;

/** The OpenSSL verify error the gateway's own OpenSSL would report for a finding. */
export interface OpenSslError {
  /** X509_V_ERR number as the gateway's OpenSSL (1.1.1 numbering by default) reports it. */
  code: number;
  /** Constant name without the X509_V_ERR_ prefix, e.g. CERT_HAS_EXPIRED. */
  name: string;
  /** X509_verify_cert_error_string text. */
  text: string;
}

/** One thing certcheck found: a stable code, the gateway's message when it is the one shown, our explanation and fix, and evidence. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  stage: Stage;
  /** Gateway message id this finding surfaces as, when it is the one shown. */
  gatewayMessageId?: GatewayMessageId;
  /** The gateway's message with placeholders filled; absent for warnings/info. */
  gatewayMessage?: string;
  /** Our plain-words explanation (from the catalog, evidence filled in). */
  explanation: string;
  /** What to do about it. */
  fix?: string;
  /** Index in the presented chain the finding concerns, when it is about one certificate. */
  certIndex?: number;
  /** SHA-256 of that certificate. */
  certSha256?: string;
  openssl?: OpenSslError;
  evidence: Evidence;
}
