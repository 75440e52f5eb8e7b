/**
 * Write a PKCS#12 (.pfx) the way OpenSSL 3's `openssl pkcs12 -export` does by default: the
 * certificates in a PBES2-encrypted SafeContents, the key as a pkcs8ShroudedKeyBag in a plain one,
 * both PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, and an HMAC-SHA256 MAC keyed with the
 * RFC 7292 KDF. Azure Application Gateway and Key Vault accept this; the legacy RC2/3DES forms
 * are not offered because OpenSSL 3 itself cannot read them without the legacy provider.
 *
 * The DER is written here with node:crypto rather than pkijs: pkijs needs a WebCrypto engine set
 * up and re-encodes what it is given, while the structure is small and fixed.
 */
import { createHash, createHmac, createCipheriv, pbkdf2, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { derInt, oidBytes, tlv } from './der-write.js';

/** What writePfx puts in the file, and how it protects it. */
export interface WritePfxOptions {
  /** DER certificates, leaf first; the leaf gets the localKeyId that ties it to the key. */
  certs: Uint8Array[];
  /** The leaf's private key. */
  key: KeyObject;
  password: string;
  /** PBKDF2 and MAC iterations; OpenSSL 3's default (PKCS12_DEFAULT_ITER) is 2048. */
  iterations?: number;
  /** Stored as friendlyName on the leaf and the key (shown by Windows and Key Vault). */
  friendlyName?: string;
}

/** PBKDF2 and MAC iterations when none are given: OpenSSL 3's `pkcs12 -export` default. */
export const PFX_DEFAULT_ITERATIONS = 2048;
/** The same cap the reader applies (der-walk.ts DEFAULT_MAX_ITERATIONS), so what we write we can read. */
const MAX_ITERATIONS = 10_000_000;

const OID = {
  data: '1.2.840.113549.1.7.1', encryptedData: '1.2.840.113549.1.7.6',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2', certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1', localKeyId: '1.2.840.113549.1.9.21',
  friendlyName: '1.2.840.113549.1.9.20',
  pbes2: '1.2.840.113549.1.5.13', pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSHA256: '1.2.840.113549.2.9', aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

// ---- DER helpers (the shared writer in der-write.ts) ----

const seq = (...p: Uint8Array[]): Buffer => tlv(0x30, ...p);
const octets = (b: Uint8Array): Buffer => tlv(0x04, b);
const explicit0 = (...p: Uint8Array[]): Buffer => tlv(0xa0, ...p);
const NULL = Buffer.from([0x05, 0x00]);

/** SET OF: DER wants the elements sorted by their encodings. */
function setOf(...items: Buffer[]): Buffer {
  return tlv(0x31, ...[...items].sort(Buffer.compare));
}

const int = derInt;
const oid = oidBytes;

/** UTF-16BE code units, as OpenSSL's OPENSSL_utf82uni produces (surrogate pairs for astral characters). */
function utf16be(s: string): Buffer {
  const out = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) out.writeUInt16BE(s.charCodeAt(i), i * 2);
  return out;
}

// ---- crypto ----

const pbkdf2Async = promisify(pbkdf2);

/** EncryptionAlgorithmIdentifier and ciphertext for PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC). */
async function pbes2Encrypt(plain: Uint8Array, password: string, iterations: number): Promise<{ alg: Buffer; data: Buffer }> {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  // PBES2 takes the password as its UTF-8 bytes (as OpenSSL does), not the BMP form the MAC uses.
  const key = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const c = createCipheriv('aes-256-cbc', key, iv);
  const data = Buffer.concat([c.update(plain), c.final()]);
  const alg = seq(oid(OID.pbes2), seq(
    seq(oid(OID.pbkdf2), seq(octets(salt), int(iterations), seq(oid(OID.hmacWithSHA256), NULL))),
    seq(oid(OID.aes256Cbc), octets(iv)),
  ));
  return { alg, data };
}

/** RFC 7292 Appendix B.2 with SHA-256 (u = 32, v = 64), ID 3 (MAC key), 32 bytes out. */
function pkcs12MacKey(password: string, salt: Buffer, iterations: number): Buffer {
  const u = 32, v = 64;
  const fill = (x: Buffer): Buffer => {
    const out = Buffer.alloc(v * Math.ceil(x.length / v));
    for (let i = 0; i < out.length; i++) out[i] = x[i % x.length]!;
    return out;
  };
  const pass = Buffer.concat([utf16be(password), Buffer.alloc(2)]);
  const D = Buffer.alloc(v, 3);
  let A = createHash('sha256').update(D).update(Buffer.concat([fill(salt), fill(pass)])).digest();
  for (let r = 1; r < iterations; r++) A = createHash('sha256').update(A).digest();
  // u = 32 bytes is exactly the key length wanted, so one round of B.2 step 6 suffices.
  return A.subarray(0, u);
}

function bag(type: string, value: Buffer, attrs: Buffer[]): Buffer {
  return seq(oid(type), explicit0(value), ...(attrs.length ? [setOf(...attrs)] : []));
}

function attribute(type: string, value: Buffer): Buffer {
  return seq(oid(type), setOf(value));
}

const dataContentInfo = (content: Buffer): Buffer => seq(oid(OID.data), explicit0(octets(content)));

/** The .pfx bytes. Throws (a plain Error) on an empty certificate list, empty password or bad iteration count. */
export async function writePfx(opts: WritePfxOptions): Promise<Uint8Array> {
  const iterations = opts.iterations ?? PFX_DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) throw new Error(`writePfx: iterations must be 1 to ${MAX_ITERATIONS}`);
  if (!opts.certs.length) throw new Error('writePfx: no certificate');
  // OpenSSL reads an empty password two ways (NULL or the BMP terminator alone), and tools disagree.
  if (opts.password === '') throw new Error('writePfx: empty password');
  if (opts.key.type !== 'private') throw new Error('writePfx: not a private key');

  const leafDer = Buffer.from(opts.certs[0]!);
  // OpenSSL's choice: the SHA-1 of the leaf certificate.
  const localKeyId = createHash('sha1').update(leafDer).digest();
  const common = [
    attribute(OID.localKeyId, octets(localKeyId)),
    ...(opts.friendlyName !== undefined ? [attribute(OID.friendlyName, tlv(0x1e, utf16be(opts.friendlyName)))] : []),
  ];

  const certBags = opts.certs.map((der, i) =>
    bag(OID.certBag, seq(oid(OID.x509Certificate), explicit0(octets(der))), i === 0 ? common : []));
  const certEnc = await pbes2Encrypt(seq(...certBags), opts.password, iterations);
  const certsInfo = seq(oid(OID.encryptedData), explicit0(seq(
    int(0),
    seq(oid(OID.data), certEnc.alg, tlv(0x80, certEnc.data)),
  )));

  const pkcs8 = opts.key.export({ format: 'der', type: 'pkcs8' });
  const keyEnc = await pbes2Encrypt(pkcs8, opts.password, iterations);
  pkcs8.fill(0);
  const keyBag = bag(OID.shroudedKeyBag, seq(keyEnc.alg, octets(keyEnc.data)), common);
  const keyInfo = dataContentInfo(seq(keyBag));

  const authSafe = seq(certsInfo, keyInfo);
  const macSalt = randomBytes(16);
  const mac = createHmac('sha256', pkcs12MacKey(opts.password, macSalt, iterations)).update(authSafe).digest();
  const macData = seq(seq(seq(oid(OID.sha256), NULL), octets(mac)), octets(macSalt), int(iterations));
  return new Uint8Array(seq(int(3), dataContentInfo(authSafe), macData));
}
