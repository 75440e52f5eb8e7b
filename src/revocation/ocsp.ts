/**
 * OCSP (RFC 6960): building a request for one certificate, and parsing and validating a response
 * the way OpenSSL's OCSP_basic_verify + OCSP_check_validity do: signed by the issuer or by a
 * delegated responder that the issuer certified for OCSP signing, about exactly this certificate,
 * and current. Parsing is our bounded DER walker; nothing here throws for a bad response except
 * `parseOcspResponse` (DerError), which `validateOcspResponse` callers turn into a verdict.
 */
import { DerError, bitString, children, expectTag, readOid, readTlv, value, whole, toHex, type Tlv } from '../x509/der.js';
import { parseCertificate, parseTime } from '../x509/cert.js';
import { checkSignature } from '../x509/signature.js';
import type { AlgorithmIdentifier, ParsedCert, TimeValue } from '../x509/types.js';
import {
  DEFAULT_SKEW_SECONDS, digest, hashNameOf, hashOid, iso, oidBytes, parseAlgId, publicKeyBits, rawSerial, sameName,
  serialKey, tlv, verifySignedData, type HashName,
} from './common.js';

export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
export const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

export const CRL_REASONS: Record<number, string> = {
  0: 'unspecified', 1: 'keyCompromise', 2: 'cACompromise', 3: 'affiliationChanged', 4: 'superseded',
  5: 'cessationOfOperation', 6: 'certificateHold', 8: 'removeFromCRL', 9: 'privilegeWithdrawn', 10: 'aACompromise',
};

const RESPONSE_STATUS: Record<number, string> = {
  0: 'successful', 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized',
};

/** A certificate's status in an OCSP response. */
export type CertStatus = 'good' | 'revoked' | 'unknown';

/** The CertID an OCSP response names a certificate by (RFC 6960 §4.1.1). */
export interface OcspCertId {
  hashOid: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  /** serialKey() of the INTEGER. */
  serial: string;
}

/** One certificate's status in a BasicOCSPResponse (RFC 6960 §4.2.1). */
export interface OcspSingleResponse {
  certId: OcspCertId;
  status: CertStatus;
  revocationTime?: TimeValue;
  reason?: string;
  thisUpdate: TimeValue;
  nextUpdate?: TimeValue;
}

/** A decoded BasicOCSPResponse (RFC 6960 §4.2.1). */
export interface BasicOcspResponse {
  tbs: Uint8Array;
  responderId: { byName: Uint8Array } | { byKey: string };
  producedAt: TimeValue;
  responses: OcspSingleResponse[];
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /** Certificates the responder included (a delegated responder's certificate, typically). */
  certs: ParsedCert[];
  nonce?: string;
}

/** A decoded OCSPResponse: its status and, when successful, the basic response. */
export interface ParsedOcspResponse {
  responseStatus: number;
  responseStatusName: string;
  basic?: BasicOcspResponse;
}

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

/** The CertID of `cert` issued by `issuer`, hashed with `hash` (SHA-1 unless told: what responders expect). */
export function certIdFor(cert: ParsedCert, issuer: ParsedCert, hash: HashName = 'sha1'): OcspCertId {
  return {
    hashOid: hashOid(hash),
    issuerNameHash: digest(hash, issuer.subject.der).toString('hex'),
    issuerKeyHash: digest(hash, publicKeyBits(issuer)).toString('hex'),
    serial: serialKey(readTlv(rawSerial(cert), 0)),
  };
}

/** DER OCSPRequest for one certificate, without a nonce (most CA responders serve cached answers). */
export function buildOcspRequest(cert: ParsedCert, issuer: ParsedCert, hash: HashName = 'sha1'): Uint8Array {
  const algId = tlv(0x30, oidBytes(hashOid(hash)), Buffer.from([0x05, 0x00]));
  const certId = tlv(0x30, algId,
    tlv(0x04, digest(hash, issuer.subject.der)),
    tlv(0x04, digest(hash, publicKeyBits(issuer))),
    rawSerial(cert));
  const request = tlv(0x30, certId);
  const tbsRequest = tlv(0x30, tlv(0x30, request));
  return new Uint8Array(tlv(0x30, tbsRequest));
}

function parseCertId(t: Tlv): OcspCertId {
  const [alg, nameHash, keyHash, serial] = children(expectTag(t, 0x30, 'CertID'));
  if (!alg || !nameHash || !keyHash || !serial) throw new DerError('CertID is incomplete');
  return {
    hashOid: parseAlgId(alg).oid,
    issuerNameHash: toHex(value(expectTag(nameHash, 0x04, 'issuerNameHash'))),
    issuerKeyHash: toHex(value(expectTag(keyHash, 0x04, 'issuerKeyHash'))),
    serial: serialKey(serial),
  };
}

function enumerated(t: Tlv): number {
  const v = value(expectTag(t, 0x0a, 'ENUMERATED'));
  if (v.length !== 1) throw new DerError('ENUMERATED out of range');
  return v[0]!;
}

function parseSingle(t: Tlv): OcspSingleResponse {
  const kids = children(expectTag(t, 0x30, 'SingleResponse'));
  const [idT, statusT, thisT, ...rest] = kids;
  if (!idT || !statusT || !thisT) throw new DerError('SingleResponse is incomplete');
  const out: OcspSingleResponse = { certId: parseCertId(idT), status: 'unknown', thisUpdate: parseTime(expectTag(thisT, 0x18, 'thisUpdate')) };
  if (statusT.tag === 0x80) out.status = 'good';
  else if (statusT.tag === 0x82) out.status = 'unknown';
  else if (statusT.tag === 0xa1) {
    out.status = 'revoked';
    const [timeT, reasonT] = children(statusT);
    if (!timeT) throw new DerError('RevokedInfo without revocationTime');
    out.revocationTime = parseTime(expectTag(timeT, 0x18, 'revocationTime'));
    if (reasonT && reasonT.tag === 0xa0) {
      const code = enumerated(children(reasonT)[0] ?? reasonT);
      out.reason = CRL_REASONS[code] ?? `reason ${code}`;
    }
  } else throw new DerError(`CertStatus with tag 0x${statusT.tag.toString(16)}`);
  for (const r of rest) {
    if (r.tag === 0xa0) {
      const inner = children(r)[0];
      if (!inner) throw new DerError('empty nextUpdate');
      out.nextUpdate = parseTime(expectTag(inner, 0x18, 'nextUpdate'));
    }
  }
  return out;
}

function parseBasic(der: Uint8Array): BasicOcspResponse {
  const [tbsT, algT, sigT, certsT] = children(expectTag(readTlv(der, 0), 0x30, 'BasicOCSPResponse'));
  if (!tbsT || !algT || !sigT) throw new DerError('BasicOCSPResponse is incomplete');
  const kids = children(expectTag(tbsT, 0x30, 'ResponseData'));
  let i = 0;
  if (kids[0]?.tag === 0xa0) i++; // version, v1 only
  const ridT = kids[i++], producedT = kids[i++], responsesT = kids[i++];
  if (!ridT || !producedT || !responsesT) throw new DerError('ResponseData is incomplete');
  let responderId: BasicOcspResponse['responderId'];
  const ridInner = children(ridT)[0];
  if (!ridInner) throw new DerError('empty ResponderID');
  if (ridT.tag === 0xa1) responderId = { byName: whole(expectTag(ridInner, 0x30, 'ResponderID byName')) };
  else if (ridT.tag === 0xa2) responderId = { byKey: toHex(value(expectTag(ridInner, 0x04, 'ResponderID byKey'))) };
  else throw new DerError(`ResponderID with tag 0x${ridT.tag.toString(16)}`);
  const responses = children(expectTag(responsesT, 0x30, 'responses')).map(parseSingle);
  let nonce: string | undefined;
  const extT = kids[i];
  if (extT?.tag === 0xa1) {
    for (const ext of children(children(extT)[0] ?? extT)) {
      const [oidT, ...restExt] = children(ext);
      if (oidT && readOid(oidT) === OID_OCSP_NONCE) {
        const v = restExt[restExt.length - 1];
        if (v) nonce = toHex(value(v));
      }
    }
  }
  const certs: ParsedCert[] = [];
  if (certsT?.tag === 0xa0) {
    const seq = children(certsT)[0];
    // A broken embedded certificate is only a missing responder candidate, not a broken response.
    if (seq) for (const c of children(seq).slice(0, 20)) { try { certs.push(parseCertificate(whole(c))); } catch { /* skipped */ } }
  }
  const out: BasicOcspResponse = {
    tbs: whole(tbsT), responderId, producedAt: parseTime(expectTag(producedT, 0x18, 'producedAt')), responses,
    signatureAlgorithm: parseAlgId(algT), signature: bitString(sigT).bytes, certs,
  };
  if (nonce !== undefined) out.nonce = nonce;
  return out;
}

/** Parse an OCSPResponse (DER). Throws DerError when it does not decode. */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  const top = expectTag(readTlv(der, 0), 0x30, 'OCSPResponse');
  if (top.end !== der.length) throw new DerError(`${der.length - top.end} bytes after the OCSPResponse`);
  const [statusT, bytesT] = children(top);
  if (!statusT) throw new DerError('OCSPResponse without responseStatus');
  const responseStatus = enumerated(statusT);
  const out: ParsedOcspResponse = { responseStatus, responseStatusName: RESPONSE_STATUS[responseStatus] ?? `status ${responseStatus}` };
  if (responseStatus !== 0) return out;
  if (!bytesT || bytesT.tag !== 0xa0) throw new DerError('successful OCSPResponse without responseBytes');
  const [typeT, respT] = children(expectTag(children(bytesT)[0] ?? bytesT, 0x30, 'ResponseBytes'));
  if (!typeT || !respT) throw new DerError('ResponseBytes is incomplete');
  const type = readOid(typeT);
  if (type !== OID_OCSP_BASIC) throw new DerError(`response type ${type} is not id-pkix-ocsp-basic`);
  out.basic = parseBasic(value(expectTag(respT, 0x04, 'response')));
  return out;
}

function certIdMatches(id: OcspCertId, cert: ParsedCert, issuer: ParsedCert): boolean {
  const hash = hashNameOf(id.hashOid);
  if (!hash) return false;
  const want = certIdFor(cert, issuer, hash);
  return want.serial === id.serial && want.issuerNameHash === id.issuerNameHash && want.issuerKeyHash === id.issuerKeyHash;
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
  try { return digest('sha1', publicKeyBits(c)).toString('hex') === rid.byKey; } catch { return false; }
}

function withinValidity(c: ParsedCert, at: Date): boolean {
  const nb = c.notBefore.date, na = c.notAfter.date;
  return !!nb && !!na && nb.getTime() <= at.getTime() && at.getTime() <= na.getTime();
}

/** The clock and the tolerated clock skew for `validateOcspResponse`. */
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
