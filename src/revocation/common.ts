/**
 * What the OCSP and CRL checks share beyond x509/'s parsers: the clock skew they tolerate and
 * the way they print times, and how an outcome is said: a code and its facts, worded by the catalog.
 */
import { revocationDetail, type RevocationCode, type RevocationFacts } from '../model/catalog.js';
import type { Evidence } from '../model/findings.js';
import type { Said } from '../model/revocation.js';

/** Clock skew tolerated on thisUpdate/nextUpdate, as OpenSSL's OCSP_check_validity default (5 min). */
export const DEFAULT_SKEW_SECONDS = 300;

/** A time as the revocation report prints it: ISO 8601 without milliseconds, or null. */
export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString().replace(/\.000Z$/, 'Z') : null;
}

export type { Said } from '../model/revocation.js';

/** Say an outcome: the code and facts as data, the catalog's words as `detail`. */
export function said<K extends RevocationCode>(code: K, facts: RevocationFacts[K]): Said {
  return { detail: revocationDetail(code, facts), code, evidence: facts as Evidence };
}
