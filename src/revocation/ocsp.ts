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
import { DEFAULT_SKEW_SECONDS, iso } from './common.js';

// The library's door re-exports the parser and request builder from here.
export { buildOcspRequest, parseOcspResponse, type ParsedOcspResponse } from '../x509/ocsp.js';

/** Outcome of validating one response for one certificate. */
export interface OcspVerdict {
  /** invalid: the response cannot be trusted or is not about this certificate (never a revocation). */
  status: CertStatus | 'invalid';
  detail: string;
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
  if (resp.responseStatus !== 0) return { status: 'invalid', detail: `the responder answered "${resp.responseStatusName}" instead of a status` };
  const b = resp.basic;
  if (!b) return { status: 'invalid', detail: 'the response carries no basic response' };
  let single: OcspSingleResponse | undefined;
  try {
    single = b.responses.find((r) => certIdMatches(r.certId, cert, issuer));
  } catch (e) {
    return { status: 'invalid', detail: `cannot compute the CertID: ${(e as Error).message}` };
  }
  if (!single) {
    const serials = b.responses.map((r) => r.certId.serial).slice(0, 5);
    return { status: 'invalid', detail: `the response is not about this certificate (serial ${cert.serialHex} of "${issuer.subject.text}"; it covers serial(s) ${serials.join(', ') || 'none'})` };
  }

  // The signer: the issuer itself, or a delegated responder the issuer certified for OCSP signing.
  let signer: 'issuer' | 'delegated' | undefined;
  let responder: ParsedCert | undefined;
  let why = '';
  if (responderMatches(b.responderId, issuer)) {
    const r = verifySignedData(issuer, b.signatureAlgorithm, b.tbs, b.signature);
    if (r.ok) { signer = 'issuer'; responder = issuer; } else why = `signed in the issuer's name, but ${r.detail}`;
  }
  if (!signer) {
    for (const c of b.certs) {
      if (!responderMatches(b.responderId, c)) continue;
      const sig = verifySignedData(c, b.signatureAlgorithm, b.tbs, b.signature);
      if (!sig.ok) { why = `responder "${c.subject.text}": ${sig.detail}`; continue; }
      if (c.sha256 === issuer.sha256) { signer = 'issuer'; responder = c; break; }
      const issued = sameName(c.issuer.der, issuer.subject.der) ? checkSignature(c, issuer) : { ok: false as const, detail: 'not issued by the certificate\'s issuer' };
      if (!issued.ok) { why = `responder "${c.subject.text}" is not certified by "${issuer.subject.text}" (${issued.detail})`; continue; }
      if (!c.extKeyUsage?.includes(OID_KP_OCSP_SIGNING)) { why = `responder "${c.subject.text}" lacks the OCSPSigning extended key usage`; continue; }
      if (!withinValidity(c, o.at)) { why = `responder certificate "${c.subject.text}" is outside its validity period`; continue; }
      signer = 'delegated'; responder = c;
      break;
    }
  }
  if (!signer || !responder) {
    const rid = 'byName' in b.responderId ? 'a responder named in the response' : `responder key ${b.responderId.byKey.slice(0, 16)}…`;
    return { status: 'invalid', detail: why || `signed by ${rid}, which is neither the issuer nor a certificate included in the response` };
  }

  const skew = (o.skewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
  const now = o.at.getTime();
  const base = { thisUpdate: iso(single.thisUpdate.date), nextUpdate: iso(single.nextUpdate?.date ?? null), signer, responder: responder.subject.text };
  if (!single.thisUpdate.date) return { status: 'invalid', ...base, detail: `thisUpdate is not a valid time (${single.thisUpdate.error ?? single.thisUpdate.raw})` };
  if (single.thisUpdate.date.getTime() > now + skew) return { status: 'invalid', ...base, detail: `the response is not yet valid: thisUpdate ${base.thisUpdate} is after ${iso(o.at)}` };
  if (single.nextUpdate) {
    if (!single.nextUpdate.date) return { status: 'invalid', ...base, detail: `nextUpdate is not a valid time (${single.nextUpdate.error ?? single.nextUpdate.raw})` };
    if (single.nextUpdate.date.getTime() < now - skew) return { status: 'invalid', ...base, detail: `the response is stale: nextUpdate ${base.nextUpdate} is before ${iso(o.at)}` };
    if (single.nextUpdate.date.getTime() < single.thisUpdate.date.getTime()) return { status: 'invalid', ...base, detail: 'nextUpdate is before thisUpdate' };
  }
  const by = signer === 'issuer' ? 'the issuer' : `delegated responder "${responder.subject.text}"`;
  if (single.status === 'revoked') {
    return { status: 'revoked', ...base, revocationTime: iso(single.revocationTime?.date ?? null), ...(single.reason ? { reason: single.reason } : {}),
      detail: `revoked at ${iso(single.revocationTime?.date ?? null) ?? 'an unknown time'}${single.reason ? ` (${single.reason})` : ''}, says ${by}` };
  }
  return { status: single.status, ...base, detail: single.status === 'good' ? `good, says ${by}` : `the responder (${by}) does not know this certificate` };
}
