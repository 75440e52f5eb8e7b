/**
 * The rank: of all findings, which one the gateway would show, and so the report's status and
 * message. A pure function of the findings.
 */
import type { Finding, FindingCode } from './findings.js';
import { STAGE_ORDER } from './findings.js';
import type { HealthStatus } from './report.js';

/**
 * The gateway shows one message per backend. Its probe runs DNS → TCP → TLS → certificate → HTTP,
 * and within the certificate stage appgw-spec §8 gives the order: shape, completeness, trust,
 * validity, name, then the OpenSSL catch-all. v1 checks the allow-listed leaf first.
 */
const CERT_ORDER: FindingCode[] = [
  'V1_AUTH_CERT_MISMATCH',
  'CHAIN_EMPTY', 'CHAIN_NO_LEAF', 'CHAIN_LEAF_NOT_FIRST', 'CHAIN_ONLY_LEAF', 'CHAIN_INCOMPLETE',
  'UNTRUSTED_ROOT', 'UNTRUSTED_INTERMEDIATE', 'UPLOADED_ROOT_NOT_ISSUER', 'UPLOADED_ROOT_MISMATCH',
  // OpenSSL stops at a malformed extension while building the chain, before dates and names.
  'MALFORMED_CERT', 'MALFORMED_EXTENSION',
  'CERT_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_BAD_TIME', 'CERT_NEVER_VALID',
  'NAME_MISMATCH',
];

function rankKey(f: Finding): [number, number, number] {
  const stage = STAGE_ORDER.indexOf(f.stage);
  const idx = CERT_ORDER.indexOf(f.code);
  return [stage, idx === -1 ? CERT_ORDER.length : idx, f.certIndex ?? 0];
}

function cmp(a: Finding, b: Finding): number {
  const ka = rankKey(a), kb = rankKey(b);
  for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i]! - kb[i]!;
  return 0;
}

/** The verdict of a list of findings: the health, the finding whose message the gateway shows, and all of them, most important first. */
export function rankFindings(findings: Finding[]): { status: HealthStatus; primary: Finding | null; ordered: Finding[] } {
  const sevOrder = { error: 0, unknown: 1, warning: 2, info: 3 } as const;
  const ordered = [...findings].sort((a, b) => sevOrder[a.severity] - sevOrder[b.severity] || cmp(a, b));
  const errors = ordered.filter((f) => f.severity === 'error');
  if (errors.length) return { status: 'Unhealthy', primary: errors[0]!, ordered };
  const unknown = ordered.filter((f) => f.severity === 'unknown');
  if (unknown.length) return { status: 'Unknown', primary: unknown[0]!, ordered };
  return { status: 'Healthy', primary: null, ordered };
}
