/**
 * OCSP checking (RFC 6960): validating a decoded response the way OpenSSL's OCSP_basic_verify +
 * OCSP_check_validity do: signed by the issuer or by a delegated responder that the issuer
 * certified for OCSP signing, about exactly this certificate, and current. Decoding and request
 * building are x509/ocsp.ts's; nothing here throws for a bad response.
 */
import { sameName } from '../x509/pkix.js';
import { OID_KP_OCSP_SIGNING, certIdMatches, responderKeyHash, type BasicOcspResponse, type CertStatus, type OcspSingleResponse, type ParsedOcspResponse } from '../x509/ocsp.js';
import { checkSignature, verifySignedData } from '../x509/signature.js';
import type { ParsedCert } from '../x509/types.js';
import { DEFAULT_SKEW_SECONDS, iso, said, type Said } from './common.js';

// The library's door re-exports the parser and request builder from here.
export { buildOcspRequest, parseOcspResponse, type ParsedOcspResponse } from '../x509/ocsp.js';

/** Outcome of validating one response for one certificate: its status, and the outcome said as code, facts and words. */
export interface OcspVerdict extends Said {
  /** invalid: the response cannot be trusted or is not about this certificate (never a revocation). */
  status: CertStatus | 'invalid';
  thisUpdate?: string | null;
  nextUpdate?: string | null;
  revocationTime?: string | null;
  reason?: string;
  signer?: 'issuer' | 'delegated';
  responder?: string;
}

/** Is there a SingleResponse about `cert` (issued by `issuer`) in this response? */
export function ocspResponseIsFor(resp: ParsedOcspResponse, cert: ParsedCert, issuer: ParsedCert): boolean {
  try {
    return !!resp.basic?.responses.some((r) => certIdMatches(r.certId, cert, issuer));
  } catch {
    return false;
  }
}

function responderMatches(rid: BasicOcspResponse['responderId'], c: ParsedCert): boolean {
  if ('byName' in rid) return sameName(rid.byName, c.subject.der);
  try { return responderKeyHash(c) === rid.byKey; } catch { return false; }
}

function withinValidity(c: ParsedCert, at: Date): boolean {
  const nb = c.notBefore.date, na = c.notAfter.date;
  return !!nb && !!na && nb.getTime() <= at.getTime() && at.getTime() <= na.getTime();
}

/** The check time and the clock skew tolerated on thisUpdate/nextUpdate. */
export interface OcspValidateOptions {
  at: Date;
  skewSeconds?: number;
}

/**
 * Validate `resp` for `cert` issued by `issuer`. Every failure is a verdict ('invalid' with the
 * reason); only a valid response yields good / revoked / unknown.
 */
export function validateOcspResponse(resp: ParsedOcspResponse, cert: ParsedCert, issuer: ParsedCert, o: OcspValidateOptions): OcspVerdict {
  if (resp.responseStatus !== 0) return { status: 'invalid', ...said('OCSP_NOT_SUCCESSFUL', { responseStatus: resp.responseStatusName }) };
  const b = resp.basic;
  if (!b) return { status: 'invalid', ...said('OCSP_NO_BASIC', {}) };
  let single: OcspSingleResponse | undefined;
  try {
    single = b.responses.find((r) => certIdMatches(r.certId, cert, issuer));
  } catch (e) {
    return { status: 'invalid', ...said('OCSP_CERTID_ERROR', { error: (e as Error).message }) };
  }
  if (!single) {
    const covered = b.responses.map((r) => r.certId.serial).slice(0, 5);
    return { status: 'invalid', ...said('OCSP_NOT_FOR_CERT', { serial: cert.serialHex, issuer: issuer.subject.text, covered }) };
  }

  // The signer: the issuer itself, or a delegated responder the issuer certified for OCSP signing.
  // `why` keeps the last candidate's failure: it is the one reported when none qualifies.
  let signer: 'issuer' | 'delegated' | undefined;
  let responder: ParsedCert | undefined;
  let why: Said | undefined;
  if (responderMatches(b.responderId, issuer)) {
    const r = verifySignedData(issuer, b.signatureAlgorithm, b.tbs, b.signature);
    if (r.ok) { signer = 'issuer'; responder = issuer; } else why = said('OCSP_ISSUER_SIGNATURE_BAD', { signatureDetail: r.detail });
  }
  if (!signer) {
    for (const c of b.certs) {
      if (!responderMatches(b.responderId, c)) continue;
      const name = c.subject.text;
      const sig = verifySignedData(c, b.signatureAlgorithm, b.tbs, b.signature);
      if (!sig.ok) { why = said('OCSP_RESPONDER_SIGNATURE_BAD', { responder: name, signatureDetail: sig.detail }); continue; }
      if (c.sha256 === issuer.sha256) { signer = 'issuer'; responder = c; break; }
      const issued = sameName(c.issuer.der, issuer.subject.der) ? checkSignature(c, issuer) : undefined;
      if (!issued?.ok) {
        why = said('OCSP_RESPONDER_NOT_CERTIFIED', { responder: name, issuer: issuer.subject.text, signatureDetail: issued && !issued.ok ? issued.detail : null });
        continue;
      }
      if (!c.extKeyUsage?.includes(OID_KP_OCSP_SIGNING)) { why = said('OCSP_RESPONDER_NO_EKU', { responder: name }); continue; }
      if (!withinValidity(c, o.at)) { why = said('OCSP_RESPONDER_NOT_VALID', { responder: name }); continue; }
      signer = 'delegated'; responder = c;
      break;
    }
  }
  if (!signer || !responder) {
    return { status: 'invalid', ...(why ?? said('OCSP_UNKNOWN_SIGNER', { responderKey: 'byName' in b.responderId ? null : b.responderId.byKey })) };
  }

  const skew = (o.skewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
  const now = o.at.getTime();
  const base = { thisUpdate: iso(single.thisUpdate.date), nextUpdate: iso(single.nextUpdate?.date ?? null), signer, responder: responder.subject.text };
  const invalid = (s: Said): OcspVerdict => ({ status: 'invalid', ...base, ...s });
  if (!single.thisUpdate.date) return invalid(said('TIME_INVALID', { field: 'thisUpdate', time: single.thisUpdate.error ?? single.thisUpdate.raw }));
  if (single.thisUpdate.date.getTime() > now + skew) return invalid(said('OCSP_NOT_YET_VALID', { thisUpdate: base.thisUpdate, at: iso(o.at) }));
  if (single.nextUpdate) {
    if (!single.nextUpdate.date) return invalid(said('TIME_INVALID', { field: 'nextUpdate', time: single.nextUpdate.error ?? single.nextUpdate.raw }));
    if (single.nextUpdate.date.getTime() < now - skew) return invalid(said('OCSP_STALE', { nextUpdate: base.nextUpdate, at: iso(o.at) }));
    if (single.nextUpdate.date.getTime() < single.thisUpdate.date.getTime()) return invalid(said('OCSP_NEXT_BEFORE_THIS', {}));
  }
  const who = { signer, responder: base.responder };
  if (single.status === 'revoked') {
    const revocationTime = iso(single.revocationTime?.date ?? null);
    return { status: 'revoked', ...base, revocationTime, ...(single.reason ? { reason: single.reason } : {}),
      ...said('OCSP_REVOKED', { ...who, revocationTime, reason: single.reason ?? null }) };
  }
  return { status: single.status, ...base, ...(single.status === 'good' ? said('OCSP_GOOD', who) : said('OCSP_UNKNOWN', who)) };
}
