/**
 * Small PKIX pieces that the CRL and OCSP parsers (crl.ts, ocsp.ts) and revocation checking
 * share: AlgorithmIdentifier, a certificate's serial INTEGER and subjectPublicKey bits as bytes,
 * the serial match key, Name comparison as OpenSSL makes it, and DER-or-PEM input. Pure bytes to
 * values; throws DerError on bytes that do not decode.
 */
import { DerError, bitString, children, decodeString, expectTag, readOid, readTlv, signedIntHex, value, whole, type Tlv } from './der.js';
import type { AlgorithmIdentifier, ParsedCert } from './types.js';

/** AlgorithmIdentifier (RFC 5280 §4.1.1.2): the OID and, when present, the parameters' DER. */
export function parseAlgId(t: Tlv): AlgorithmIdentifier {
  expectTag(t, 0x30, 'AlgorithmIdentifier');
  const [o, p] = children(t);
  if (!o) throw new DerError('empty AlgorithmIdentifier');
  return p ? { oid: readOid(o), params: whole(p) } : { oid: readOid(o) };
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

/**
 * The key a serial is matched by across a certificate, a CRL entry and an OCSP CertID: its value
 * as signed hex (signedIntHex), so −128 and +128 differ and a non-minimal encoding of the same
 * value matches.
 */
export function serialKey(intTlv: Tlv): string {
  return signedIntHex(value(expectTag(intTlv, 0x02, 'serialNumber')));
}

/** The match key of a certificate's own serial (serialKey of its serialNumber). */
export function certSerialKey(cert: ParsedCert): string {
  return serialKey(readTlv(rawSerial(cert), 0));
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

/** Are two encoded Names the same, byte for byte or by their canonical forms? */
export function sameName(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0 || nameKeyOfDer(a) === nameKeyOfDer(b);
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
