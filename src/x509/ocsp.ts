/**
 * OCSP (RFC 6960) bytes: building the DER request for one certificate, computing and matching a
 * CertID, and decoding a response with the bounded DER reader. Whether a response is trustworthy
 * and current for a certificate is revocation/ocsp.ts's question; this file only decodes.
 * `parseOcspResponse` throws DerError for bytes that do not decode; nothing else here throws for
 * a well-formed certificate.
 */
import { createHash } from 'node:crypto';
import { parseCertificate, parseTime } from './cert.js';
import { CRL_REASONS } from './crl.js';
import { DerError, bitString, children, expectTag, readOid, readTlv, value, whole, toHex, type Tlv } from './der.js';
import { oidBytes, tlv } from './der-write.js';
import { certSerialKey, parseAlgId, publicKeyBits, rawSerial, serialKey } from './pkix.js';
import type { AlgorithmIdentifier, ParsedCert, TimeValue } from './types.js';

/** id-pkix-ocsp-basic (RFC 6960 §4.2.1). */
export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
/** id-pkix-ocsp-nonce (RFC 6960 §4.4.1). */
export const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
/** id-kp-OCSPSigning (RFC 6960 §4.2.2.2): what a delegated responder's certificate must carry. */
export const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';

const RESPONSE_STATUS: Record<number, string> = {
  0: 'successful', 1: 'malformedRequest', 2: 'internalError', 3: 'tryLater', 5: 'sigRequired', 6: 'unauthorized',
};

const HASH_OID_BY_NAME: Record<string, string> = {
  sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3',
};
const HASH_NAME_BY_OID: Record<string, string> = Object.fromEntries(Object.entries(HASH_OID_BY_NAME).map(([k, v]) => [v, k]));

/** The hashes a CertID may use. */
export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** The OID of a CertID hash. */
export function hashOid(name: HashName): string {
  return HASH_OID_BY_NAME[name]!;
}

/** The CertID hash an OID names, or undefined for one we do not compute. */
export function hashNameOf(oid: string): HashName | undefined {
  return HASH_NAME_BY_OID[oid] as HashName | undefined;
}

function digest(name: HashName, data: Uint8Array): Buffer {
  return createHash(name).update(data).digest();
}

/** SHA-1 of a certificate's subjectPublicKey bits: the byKey form of a ResponderID. */
export function responderKeyHash(cert: ParsedCert): string {
  return digest('sha1', publicKeyBits(cert)).toString('hex');
}

/** A SingleResponse's certStatus. */
export type CertStatus = 'good' | 'revoked' | 'unknown';

/** CertID (RFC 6960 §4.1.1), hashes as hex. */
export interface OcspCertId {
  hashOid: string;
  issuerNameHash: string;
  issuerKeyHash: string;
  /** serialKey() of the INTEGER. */
  serial: string;
}

/** One SingleResponse. */
export interface OcspSingleResponse {
  certId: OcspCertId;
  status: CertStatus;
  revocationTime?: TimeValue;
  reason?: string;
  thisUpdate: TimeValue;
  nextUpdate?: TimeValue;
}

/** A decoded BasicOCSPResponse. */
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
  /** Bytes after the OCSPResponse: ignored, as OpenSSL's d2i_OCSP_RESPONSE ignores them. */
  trailingBytes?: number;
}

/** The CertID of `cert` issued by `issuer`, hashed with `hash` (SHA-1 unless told: what responders expect). */
export function certIdFor(cert: ParsedCert, issuer: ParsedCert, hash: HashName = 'sha1'): OcspCertId {
  return {
    hashOid: hashOid(hash),
    issuerNameHash: digest(hash, issuer.subject.der).toString('hex'),
    issuerKeyHash: digest(hash, publicKeyBits(issuer)).toString('hex'),
    serial: certSerialKey(cert),
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
  const [statusT, bytesT] = children(top);
  if (!statusT) throw new DerError('OCSPResponse without responseStatus');
  const responseStatus = enumerated(statusT);
  const out: ParsedOcspResponse = { responseStatus, responseStatusName: RESPONSE_STATUS[responseStatus] ?? `status ${responseStatus}` };
  // OpenSSL reads the first object and ignores what follows (a file with a newline appended, a
  // padded staple); the response is judged on its own, signed bytes.
  if (top.end !== der.length) out.trailingBytes = der.length - top.end;
  if (responseStatus !== 0) return out;
  if (!bytesT || bytesT.tag !== 0xa0) throw new DerError('successful OCSPResponse without responseBytes');
  const [typeT, respT] = children(expectTag(children(bytesT)[0] ?? bytesT, 0x30, 'ResponseBytes'));
  if (!typeT || !respT) throw new DerError('ResponseBytes is incomplete');
  const type = readOid(typeT);
  if (type !== OID_OCSP_BASIC) throw new DerError(`response type ${type} is not id-pkix-ocsp-basic`);
  out.basic = parseBasic(value(expectTag(respT, 0x04, 'response')));
  return out;
}

/** Is `id` the CertID of `cert` issued by `issuer` (under the hash the CertID names)? */
export function certIdMatches(id: OcspCertId, cert: ParsedCert, issuer: ParsedCert): boolean {
  const hash = hashNameOf(id.hashOid);
  if (!hash) return false;
  const want = certIdFor(cert, issuer, hash);
  return want.serial === id.serial && want.issuerNameHash === id.issuerNameHash && want.issuerKeyHash === id.issuerKeyHash;
}
