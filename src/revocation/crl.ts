/**
 * CRL checking (RFC 5280 §6.3): validation as OpenSSL's check_crl does for a full CRL: issued under the certificate's issuer name, signed by the
 * issuer's key (cRLSign when keyUsage is present), current at `at`. Delta and indirect CRLs are
 * recognised and refused as authoritative rather than half-applied. Decoding is x509/crl.ts's.
 */
import { escapeText } from '../x509/cert.js';
import type { ParsedCrl } from '../x509/crl.js';
import { certSerialKey, nameKeyOfDer, sameName } from '../x509/pkix.js';
import { verifySignedData } from '../x509/signature.js';
import type { AlgorithmIdentifier, ParsedCert } from '../x509/types.js';
import { DEFAULT_SKEW_SECONDS, iso, said, type Said } from './common.js';

// The library's door re-exports the parser from here.
export { parseCrl, type ParsedCrl } from '../x509/crl.js';

/** A CRL's answer about one certificate: its status, and the outcome said as code, facts and words. */
export interface CrlVerdict extends Said {
  /** invalid: the CRL is not usable for this certificate (never a revocation). */
  status: 'good' | 'revoked' | 'invalid';
  thisUpdate?: string | null;
  nextUpdate?: string | null;
  revocationTime?: string | null;
  reason?: string;
}

function sameAlg(a: AlgorithmIdentifier, b: AlgorithmIdentifier): boolean {
  return a.oid === b.oid && Buffer.compare(Buffer.from(a.params ?? []), Buffer.from(b.params ?? [])) === 0;
}

/** The check time and the clock skew tolerated on thisUpdate/nextUpdate. */
export interface CrlValidateOptions {
  at: Date;
  skewSeconds?: number;
}

/** Does this CRL claim to cover certificates issued by `issuer` (by name)? */
export function crlIsFrom(crl: ParsedCrl, issuer: ParsedCert): boolean {
  return sameName(crl.issuerDer, issuer.subject.der);
}

/** Validate `crl` as the issuer's CRL and look `cert` up in it. */
export function checkCrl(crl: ParsedCrl, cert: ParsedCert, issuer: ParsedCert, o: CrlValidateOptions): CrlVerdict {
  const base = { thisUpdate: iso(crl.thisUpdate.date), nextUpdate: iso(crl.nextUpdate?.date ?? null) };
  const invalid = (s: Said): CrlVerdict => ({ status: 'invalid', ...base, ...s });
  // The CRL's issuer is wire data that reaches the report's text: escaped like every decoded name.
  if (!sameName(crl.issuerDer, cert.issuer.der)) return invalid(said('CRL_WRONG_ISSUER', { crlIssuer: escapeText(nameKeyOfDer(crl.issuerDer)) }));
  if (crl.delta) return invalid(said('CRL_DELTA', {}));
  if (crl.scope) {
    const certIsCa = !!cert.basicConstraints?.ca;
    const ok = (crl.scope === 'only user certificates' && !certIsCa) || (crl.scope === 'only CA certificates' && certIsCa);
    if (!ok) return invalid(said('CRL_SCOPE', { scope: crl.scope }));
  }
  if (!sameAlg(crl.signatureAlgorithm, crl.tbsSignatureAlgorithm)) return invalid(said('CRL_ALG_MISMATCH', {}));
  if (issuer.keyUsage && !issuer.keyUsage.includes('cRLSign')) return invalid(said('CRL_ISSUER_NO_CRLSIGN', { issuer: issuer.subject.text }));
  const sig = verifySignedData(issuer, crl.signatureAlgorithm, crl.tbs, crl.signature);
  if (!sig.ok) return invalid(said('CRL_BAD_SIGNATURE', { signatureDetail: sig.detail }));
  const skew = (o.skewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
  const now = o.at.getTime();
  if (!crl.thisUpdate.date) return invalid(said('TIME_INVALID', { field: 'thisUpdate', time: crl.thisUpdate.error ?? crl.thisUpdate.raw }));
  if (crl.thisUpdate.date.getTime() > now + skew) return invalid(said('CRL_NOT_YET_VALID', { thisUpdate: base.thisUpdate, at: iso(o.at) }));
  if (crl.nextUpdate) {
    if (!crl.nextUpdate.date) return invalid(said('TIME_INVALID', { field: 'nextUpdate', time: crl.nextUpdate.error ?? crl.nextUpdate.raw }));
    if (crl.nextUpdate.date.getTime() < now - skew) return invalid(said('CRL_EXPIRED', { nextUpdate: base.nextUpdate, at: iso(o.at) }));
  }
  let key: string;
  try { key = certSerialKey(cert); } catch (e) { return invalid(said('CRL_BAD_SERIAL', { error: (e as Error).message })); }
  const entry = crl.revoked.get(key);
  if (entry && entry.reason !== 'removeFromCRL') {
    const at = iso(entry.revocationDate.date);
    return { status: 'revoked', ...base, revocationTime: at, ...(entry.reason ? { reason: entry.reason } : {}),
      ...said('CRL_REVOKED', { revocationTime: at, reason: entry.reason ?? null, thisUpdate: base.thisUpdate }) };
  }
  return { status: 'good', ...base, ...said('CRL_GOOD', { thisUpdate: base.thisUpdate, entries: crl.revoked.size }) };
}
