/**
 * CRL checking (RFC 5280 §6.3): validation as OpenSSL's check_crl does for a full CRL: issued under the certificate's issuer name, signed by the
 * issuer's key (cRLSign when keyUsage is present), current at `at`. Delta and indirect CRLs are
 * recognised and refused as authoritative rather than half-applied. Decoding is x509/crl.ts's.
 */
import { readTlv } from '../x509/der.js';
import type { ParsedCrl } from '../x509/crl.js';
import { nameKeyOfDer, rawSerial, sameName, serialKey } from '../x509/pkix.js';
import { verifySignedData } from '../x509/signature.js';
import type { AlgorithmIdentifier, ParsedCert } from '../x509/types.js';
import { DEFAULT_SKEW_SECONDS, iso } from './common.js';

// The library's door re-exports the parser from here.
export { parseCrl, type ParsedCrl } from '../x509/crl.js';

/** A CRL's answer about one certificate. */
export interface CrlVerdict {
  /** invalid: the CRL is not usable for this certificate (never a revocation). */
  status: 'good' | 'revoked' | 'invalid';
  detail: string;
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
  if (!sameName(crl.issuerDer, cert.issuer.der)) {
    return { status: 'invalid', ...base, detail: `the CRL is issued by "${nameKeyOfDer(crl.issuerDer)}", not by the certificate's issuer` };
  }
  if (crl.delta) return { status: 'invalid', ...base, detail: 'a delta CRL is not a complete list; the base CRL is needed' };
  if (crl.scope) {
    const certIsCa = !!cert.basicConstraints?.ca;
    const ok = (crl.scope === 'only user certificates' && !certIsCa) || (crl.scope === 'only CA certificates' && certIsCa);
    if (!ok) return { status: 'invalid', ...base, detail: `the CRL's issuing distribution point limits its scope (${crl.scope})` };
  }
  if (!sameAlg(crl.signatureAlgorithm, crl.tbsSignatureAlgorithm)) {
    return { status: 'invalid', ...base, detail: 'the CRL\'s outer and inner signature algorithms differ' };
  }
  if (issuer.keyUsage && !issuer.keyUsage.includes('cRLSign')) {
    return { status: 'invalid', ...base, detail: `the issuer "${issuer.subject.text}" has a keyUsage without cRLSign` };
  }
  const sig = verifySignedData(issuer, crl.signatureAlgorithm, crl.tbs, crl.signature);
  if (!sig.ok) return { status: 'invalid', ...base, detail: `the CRL signature does not verify: ${sig.detail}` };
  const skew = (o.skewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
  const now = o.at.getTime();
  if (!crl.thisUpdate.date) return { status: 'invalid', ...base, detail: `thisUpdate is not a valid time (${crl.thisUpdate.error ?? crl.thisUpdate.raw})` };
  if (crl.thisUpdate.date.getTime() > now + skew) return { status: 'invalid', ...base, detail: `the CRL is not yet valid: thisUpdate ${base.thisUpdate} is after ${iso(o.at)}` };
  if (crl.nextUpdate) {
    if (!crl.nextUpdate.date) return { status: 'invalid', ...base, detail: `nextUpdate is not a valid time (${crl.nextUpdate.error ?? crl.nextUpdate.raw})` };
    if (crl.nextUpdate.date.getTime() < now - skew) return { status: 'invalid', ...base, detail: `the CRL has expired: nextUpdate ${base.nextUpdate} is before ${iso(o.at)}` };
  }
  let key: string;
  try { key = serialKey(readTlv(rawSerial(cert), 0)); } catch (e) { return { status: 'invalid', ...base, detail: `serial number: ${(e as Error).message}` }; }
  const entry = crl.revoked.get(key);
  if (entry && entry.reason !== 'removeFromCRL') {
    const at = iso(entry.revocationDate.date);
    return { status: 'revoked', ...base, revocationTime: at, ...(entry.reason ? { reason: entry.reason } : {}),
      detail: `listed as revoked on ${at ?? 'an unknown date'}${entry.reason ? ` (${entry.reason})` : ''} in the CRL of ${base.thisUpdate}` };
  }
  return { status: 'good', ...base, detail: `not listed in the issuer's CRL of ${base.thisUpdate} (${crl.revoked.size} entries)` };
}
