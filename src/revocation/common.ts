/**
 * What the OCSP and CRL checks share beyond x509/'s parsers: the clock skew they tolerate and
 * the way they print times.
 */

/** Clock skew tolerated on thisUpdate/nextUpdate, as OpenSSL's OCSP_check_validity default (5 min). */
export const DEFAULT_SKEW_SECONDS = 300;

/** A time as the revocation report prints it: ISO 8601 without milliseconds, or null. */
export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString().replace(/\.000Z$/, 'Z') : null;
}
