/**
 * Pieces shared by the OCSP and CRL checks: a tiny DER writer (only OCSP requests are built),
 * signature verification over arbitrary signed data with a certificate's key, and name and key
 * comparisons the way OpenSSL makes them.
 */
import { createHash, verify, constants } from 'node:crypto';
import { DerError, bitString, children, decodeString, expectTag, readOid, readTlv, value, whole, type Tlv } from '../x509/der.js';
import { publicKeyOf, sigAlgInfo, type SigResult } from '../x509/signature.js';
import type { AlgorithmIdentifier, ParsedCert } from '../x509/types.js';

/** Clock skew tolerated on thisUpdate/nextUpdate, as OpenSSL's OCSP_check_validity default (5 min). */
export const DEFAULT_SKEW_SECONDS = 300;

export { derLength, tlv } from '../x509/der-write.js';

const HASH_OID_BY_NAME: Record<string, string> = {
  sha1: '1.3.14.3.2.26', sha256: '2.16.840.1.101.3.4.2.1', sha384: '2.16.840.1.101.3.4.2.2', sha512: '2.16.840.1.101.3.4.2.3',
};
const HASH_NAME_BY_OID: Record<string, string> = Object.fromEntries(Object.entries(HASH_OID_BY_NAME).map(([k, v]) => [v, k]));

/** The digests revocation messages may use. */
export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export function hashOid(name: HashName): string {
  return HASH_OID_BY_NAME[name]!;
}

export function hashNameOf(oid: string): HashName | undefined {
  return HASH_NAME_BY_OID[oid] as HashName | undefined;
}

export { oidBytes } from '../x509/der-write.js';

export function digest(name: HashName, data: Uint8Array): Buffer {
  return createHash(name).update(data).digest();
}

/** The subjectPublicKey BIT STRING contents without the unused-bits octet (what CertID and KeyHash hash). */
export function publicKeyBits(cert: ParsedCert): Uint8Array {
  const [, bits] = children(readTlv(cert.spki, 0));
  if (!bits) throw new DerError('SubjectPublicKeyInfo without a key');
  return bitString(bits).bytes;
}

/** The serialNumber INTEGER of a certificate, tag and length included, byte-exact. */
export function rawSerial(cert: ParsedCert): Uint8Array {
  const kids = children(readTlv(cert.tbs, 0));
  const s = kids[0]?.tag === 0xa0 ? kids[1] : kids[0];
  if (!s) throw new DerError('tbsCertificate without a serial number');
  return whole(expectTag(s, 0x02, 'serialNumber'));
}

/** INTEGER contents as hex with redundant leading zero octets removed (sign kept as encoded). */
export function serialKey(intTlv: Tlv): string {
  let v = value(expectTag(intTlv, 0x02, 'serialNumber'));
  while (v.length > 1 && v[0] === 0 && (v[1]! & 0x80) !== 0) v = v.subarray(1);
  return Buffer.from(v).toString('hex');
}

export function parseAlgId(t: Tlv): AlgorithmIdentifier {
  expectTag(t, 0x30, 'AlgorithmIdentifier');
  const [o, p] = children(t);
  if (!o) throw new DerError('empty AlgorithmIdentifier');
  return p ? { oid: readOid(o), params: whole(p) } : { oid: readOid(o) };
}

/**
 * Canonical form of an encoded Name for comparison (OpenSSL compares canonical encodings: case
 * folded, whitespace runs collapsed). Falls back to the hex bytes when a value does not decode.
 */
export function nameKeyOfDer(der: Uint8Array): string {
  try {
    const seq = expectTag(readTlv(der, 0), 0x30, 'Name');
    return children(seq).map((rdn) => children(rdn).map((atv) => {
      const [o, v] = children(atv);
      if (!o || !v) throw new DerError('bad AttributeTypeAndValue');
      return `${readOid(o)}=${decodeString(v).trim().replace(/\s+/g, ' ').replace(/[A-Z]/g, (c) => c.toLowerCase())}`;
    }).sort().join('+')).join('/');
  } catch {
    return `hex:${Buffer.from(der).toString('hex')}`;
  }
}

export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0 || nameKeyOfDer(a) === nameKeyOfDer(b);
}

/** Did `signer`'s key produce `sig` over `tbs` with algorithm `alg`? (OCSP responses, CRLs.) */
export function verifySignedData(signer: ParsedCert, alg: AlgorithmIdentifier, tbs: Uint8Array, sig: Uint8Array): SigResult {
  const info = sigAlgInfo(alg);
  if (!info) return { ok: false, reason: 'unsupported', detail: `signature algorithm ${alg.oid} is not supported` };
  if ((signer.publicKey.bits ?? 0) > 16384 && signer.publicKey.algorithm.startsWith('rsa')) {
    return { ok: false, reason: 'unsupported', detail: `the signer's ${signer.publicKey.bits}-bit RSA key is over the 16384-bit limit` };
  }
  const key = publicKeyOf(signer);
  if (key instanceof Error) return { ok: false, reason: 'key-error', detail: key.message };
  try {
    const opts = info.pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: info.pss.saltLength } : { key };
    return verify(info.hash, tbs, opts, sig) ? { ok: true } : { ok: false, reason: 'bad-signature', detail: `the signature does not verify with the key of "${signer.subject.text}"` };
  } catch (e) {
    return { ok: false, reason: 'bad-signature', detail: `signature check failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString().replace(/\.000Z$/, 'Z') : null;
}

/** DER from DER or PEM bytes with the given PEM label(s). */
export function derFromInput(input: Uint8Array, labels: string[]): Uint8Array {
  const text = Buffer.from(input.subarray(0, Math.min(input.length, 64))).toString('latin1');
  if (!text.includes('-----BEGIN')) return input;
  const all = Buffer.from(input).toString('latin1');
  for (const l of labels) {
    const m = new RegExp(`-----BEGIN ${l}-----([\\s\\S]*?)-----END ${l}-----`).exec(all);
    if (m) return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  }
  throw new DerError(`PEM input without a ${labels.join(' or ')} block`);
}
