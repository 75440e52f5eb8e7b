/**
 * Signature checks on node:crypto (OpenSSL underneath): 6–17× faster than the WebCrypto paths of
 * @peculiar/x509 and pkijs (perf-notes §4), and it accepts every algorithm OpenSSL does. A
 * certificate's signature by its issuer, and signed data (CRLs, OCSP responses) by a signer.
 */
import { createPublicKey, verify, constants, type KeyObject } from 'node:crypto';
import { children, readOid, readTlv, smallInt } from './der.js';
import type { AlgorithmIdentifier, ParsedCert } from './types.js';

/** How node:crypto verifies a signature algorithm: its name, digest and PSS parameters. */
export interface SigAlgInfo {
  name: string;
  /** Digest for crypto.verify; null for Ed25519/Ed448. */
  hash: string | null;
  kind: 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa' | 'dsa';
  pss?: { hash: string; saltLength: number };
}

const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512', '2.16.840.1.101.3.4.2.4': 'sha224',
};

const SIG_ALGS: Record<string, SigAlgInfo> = {
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5', kind: 'rsa' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1', kind: 'rsa' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224', kind: 'rsa' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256', kind: 'rsa' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384', kind: 'rsa' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512', kind: 'rsa' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1', kind: 'ecdsa' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224', kind: 'ecdsa' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256', kind: 'ecdsa' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384', kind: 'ecdsa' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512', kind: 'ecdsa' },
  '1.3.101.112': { name: 'Ed25519', hash: null, kind: 'eddsa' },
  '1.3.101.113': { name: 'Ed448', hash: null, kind: 'eddsa' },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', hash: 'sha1', kind: 'dsa' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', hash: 'sha256', kind: 'dsa' },
};

/** The verification parameters of a signature AlgorithmIdentifier, or undefined when it is not supported. */
export function sigAlgInfo(alg: AlgorithmIdentifier): SigAlgInfo | undefined {
  if (alg.oid === '1.2.840.113549.1.1.10') {
    // RSASSA-PSS-params: defaults are SHA-1 and salt 20 (RFC 4055).
    let hash = 'sha1';
    let saltLength = 20;
    try {
      if (alg.params) {
        const seq = readTlv(alg.params, 0);
        for (const f of children(seq)) {
          const inner = children(f)[0];
          if (!inner) continue;
          if (f.tag === 0xa0) hash = HASH_OIDS[readOid(children(inner)[0]!)] ?? 'unknown';
          else if (f.tag === 0xa2) saltLength = smallInt(inner);
        }
      }
    } catch {
      return undefined;
    }
    if (hash === 'unknown') return undefined;
    return { name: `rsassaPss(${hash})`, hash, kind: 'rsa-pss', pss: { hash, saltLength } };
  }
  return SIG_ALGS[alg.oid];
}

const keyCache = new WeakMap<ParsedCert, KeyObject | Error>();
// In a sweep every probe re-parses the same intermediates; createPublicKey (~0.35 ms) is then
// paid once per key instead of once per probe (bench row 3 profile). Bounded: cleared when full.
const keyBySpki = new Map<string, KeyObject | Error>();
const MAX_KEYS = 4096;

/** A certificate's public key as a KeyObject (cached per certificate), or the Error that prevents it. */
export function publicKeyOf(cert: ParsedCert): KeyObject | Error {
  let k = keyCache.get(cert);
  if (!k) {
    const id = Buffer.from(cert.spki).toString('base64');
    k = keyBySpki.get(id);
    if (!k) {
      try {
        k = createPublicKey({ key: Buffer.from(cert.spki), format: 'der', type: 'spki' });
      } catch (e) {
        k = new Error(`public key not usable: ${(e as Error).message.split('\n')[0]}`);
      }
      if (keyBySpki.size >= MAX_KEYS) keyBySpki.clear();
      keyBySpki.set(id, k);
    }
    keyCache.set(cert, k);
  }
  return k;
}

/** A signature check's outcome; a failure says why (`reason`) and in words (`detail`). */
export type SigResult = { ok: true } | { ok: false; reason: 'bad-signature' | 'unsupported' | 'alg-mismatch' | 'key-error'; detail: string };

// The answer for a (certificate, issuer) pair never changes. Keyed by the parsed objects, not by
// hashes, so a hand-made variant of a certificate (tests, fuzzing) is never mistaken for the
// original; with parseCertificateShared the same objects recur across a sweep's probes.
const verified = new WeakMap<ParsedCert, WeakMap<ParsedCert, SigResult>>();

/** Did `issuer`'s key sign `cert`? */
export function checkSignature(cert: ParsedCert, issuer: ParsedCert): SigResult {
  let byIssuer = verified.get(cert);
  let r = byIssuer?.get(issuer);
  if (r === undefined) {
    r = verifySignature(cert, issuer);
    if (byIssuer === undefined) verified.set(cert, (byIssuer = new WeakMap()));
    byIssuer.set(issuer, r);
  }
  return r;
}

function verifySignature(cert: ParsedCert, issuer: ParsedCert): SigResult {
  const a = cert.signatureAlgorithm, b = cert.tbsSignatureAlgorithm;
  if (a.oid !== b.oid || Buffer.compare(Buffer.from(a.params ?? []), Buffer.from(b.params ?? [])) !== 0) {
    return { ok: false, reason: 'alg-mismatch', detail: `signatureAlgorithm ${a.oid} differs from the one inside tbsCertificate ${b.oid}` };
  }
  const info = sigAlgInfo(a);
  if (!info) return { ok: false, reason: 'unsupported', detail: `signature algorithm ${a.oid} is not supported` };
  // A huge RSA key costs seconds per verification; refuse before doing it (catalog budgets).
  if ((issuer.publicKey.bits ?? 0) > 16384 && issuer.publicKey.algorithm.startsWith('rsa')) {
    return { ok: false, reason: 'unsupported', detail: `the issuer's ${issuer.publicKey.bits}-bit RSA key is over the 16384-bit limit certcheck verifies` };
  }
  const key = publicKeyOf(issuer);
  if (key instanceof Error) return { ok: false, reason: 'key-error', detail: key.message };
  try {
    const opts = info.pss
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: info.pss.saltLength }
      : { key };
    const ok = verify(info.hash, cert.tbs, opts, cert.signature);
    return ok ? { ok: true } : { ok: false, reason: 'bad-signature', detail: 'the signature does not verify with the issuer\'s public key' };
  } catch (e) {
    return { ok: false, reason: 'bad-signature', detail: `signature check failed: ${(e as Error).message.split('\n')[0]}` };
  }
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
