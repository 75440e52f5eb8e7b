/**
 * The revocation section of a report, as data: which sources were asked about which certificate
 * and what each said (a RevocationCode with its evidence, and the catalog's words for them). The
 * checking itself is revocation/'s; these types live in model/ so the report can name them.
 */
import type { RevocationCode } from './catalog.js';
import type { Evidence } from './findings.js';

/** One revocation outcome: the words (from the catalog), its stable code and its facts. */
export interface Said {
  detail: string;
  code: RevocationCode;
  evidence: Evidence;
}

/** Which revocation sources are consulted: none, the staple only, OCSP, CRL, or all. */
export type RevocationMode = 'off' | 'staple' | 'ocsp' | 'crl' | 'all';
/** Every RevocationMode, for option validation. */
export const REVOCATION_MODES: readonly RevocationMode[] = ['off', 'staple', 'ocsp', 'crl', 'all'];

/** Where a revocation answer came from. */
export type RevocationSource = 'staple' | 'ocsp' | 'crl' | 'ocsp-file' | 'crl-file';

/** One source's answer about one certificate; `code` and `evidence` say it as data, `detail` in words. */
export interface RevocationCheck extends Said {
  source: RevocationSource;
  url?: string;
  method?: 'GET' | 'POST';
  /** invalid: an answer that cannot be used; unreachable: no answer; unavailable: no URL to ask. */
  status: 'good' | 'revoked' | 'unknown' | 'invalid' | 'unreachable' | 'unavailable';
  thisUpdate?: string | null;
  nextUpdate?: string | null;
  revocationTime?: string | null;
  reason?: string;
  ms?: number;
}

/** One path certificate's revocation status and every source's answer about it. */
export interface RevocationCertResult {
  pathIndex: number;
  presentedIndex: number | null;
  subject: string;
  serial: string;
  sha256: string;
  /** unchecked: no usable answer from any source. */
  status: 'good' | 'revoked' | 'unknown' | 'unchecked';
  checks: RevocationCheck[];
}

/** The revocation section of a report. */
export interface RevocationReport {
  mode: RevocationMode;
  /** What the backend stapled: absent for offline verification. */
  staple?: 'not-stapled' | 'good' | 'revoked' | 'unknown' | 'invalid';
  certificates: RevocationCertResult[];
  /** Offline inputs that matched no certificate on the path. */
  unmatched: string[];
  ms: number;
}
