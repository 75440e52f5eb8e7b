/**
 * In-memory certificates for the reliability tests: the committed PKI (certs/) cannot hold every
 * hostile shape (an expired root with a cross-sign, 10,000 SANs, a subject full of terminal
 * escapes, RSA-16384 keys), and generating them with openssl per test is slow. This is a small DER
 * writer plus `node:crypto` signing. It is deliberately independent of src/x509: a bug in the code
 * under test must not shape its own inputs.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CERTS_DIR = fileURLToPath(new URL('../../certs/', import.meta.url));

// ---- DER writer -------------------------------------------------------------------------------

function lenBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const b: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) b.unshift(v % 256);
  return Buffer.from([0x80 | b.length, ...b]);
}
export const tlv = (tag: number, ...content: Uint8Array[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lenBytes(body.length), body]);
};
export const seq = (...c: Uint8Array[]): Buffer => tlv(0x30, ...c);
export const set = (...c: Uint8Array[]): Buffer => tlv(0x31, ...c);
export const octet = (b: Uint8Array): Buffer => tlv(0x04, b);
export const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const nul = (): Buffer => Buffer.from([0x05, 0x00]);
export const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
export const explicit = (n: number, ...c: Uint8Array[]): Buffer => tlv(0xa0 | n, ...c);
export const bitstring = (b: Uint8Array, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b);

export function int(v: number | bigint | Uint8Array): Buffer {
  if (v instanceof Uint8Array) {
    const b = Buffer.from(v);
    return tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  }
  let hex = BigInt(v).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let b = Buffer.from(hex, 'hex');
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

export function oid(dotted: string): Buffer {
  const p = dotted.split('.').map((x) => BigInt(x));
  const arcs = [p[0]! * 40n + p[1]!, ...p.slice(2)];
  const out: number[] = [];
  for (let a of arcs) {
    const chunk = [Number(a & 0x7fn)];
    for (a >>= 7n; a > 0n; a >>= 7n) chunk.unshift(Number(a & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** Minimal reader for our own well-formed output and the committed fixtures. */
export function kids(buf: Uint8Array, start = 0, end = buf.length): { tag: number; start: number; vs: number; end: number }[] {
  const out = [];
  for (let p = start; p < end;) {
    const tag = buf[p]!;
    let l = buf[p + 1]!;
    let v = p + 2;
    if (l & 0x80) {
      const n = l & 0x7f;
      l = 0;
      for (let i = 0; i < n; i++) l = l * 256 + buf[v + i]!;
      v += n;
    }
    out.push({ tag, start: p, vs: v, end: v + l });
    p = v + l;
  }
  return out;
}

// ---- names, times, extensions -----------------------------------------------------------------

const ATTR: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6' };

/** [[attr, value], ...] in encoded order; one attribute per RDN. */
export function name(attrs: [string, string][]): Buffer {
  return seq(...attrs.map(([k, v]) => set(seq(oid(ATTR[k] ?? k), utf8(v)))));
}

/** Raw time text ('U:YYMMDDhhmmssZ' / 'G:YYYYMMDDhhmmssZ') or a Date (UTCTime up to 2049). */
export function time(t: string | Date): Buffer {
  if (typeof t === 'string') return tlv(t.startsWith('G:') ? 0x18 : 0x17, Buffer.from(t.slice(2), 'latin1'));
  const iso = t.toISOString().replace(/[-:T]|\.\d+/g, '');
  const y = t.getUTCFullYear();
  return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'latin1')) : tlv(0x18, Buffer.from(iso, 'latin1'));
}

function ipBytes(text: string): Buffer {
  if (!text.includes(':')) return Buffer.from(text.split('.').map(Number));
  const [h, t] = text.split('::');
  const head = h ? h.split(':') : [];
  const tail = t ? t.split(':') : [];
  const groups = t === undefined ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return Buffer.concat(groups.map((g) => { const b = Buffer.alloc(2); b.writeUInt16BE(parseInt(g, 16)); return b; }));
}

/** 'DNS:x', 'IP:a.b.c.d', 'URI:x' → GeneralName (DNS and URI bytes taken as latin1, so NUL etc. survive). */
export function generalName(spec: string): Buffer {
  const i = spec.indexOf(':');
  const [type, v] = [spec.slice(0, i), spec.slice(i + 1)];
  if (type === 'DNS') return tlv(0x82, Buffer.from(v, 'latin1'));
  if (type === 'URI') return tlv(0x86, Buffer.from(v, 'latin1'));
  if (type === 'IP') return tlv(0x87, ipBytes(v));
  throw new Error(`generalName: ${spec}`);
}

const EXT = {
  bc: '2.5.29.19', ku: '2.5.29.15', eku: '2.5.29.37', san: '2.5.29.17', ski: '2.5.29.14', aki: '2.5.29.35', nc: '2.5.29.30',
  aia: '1.3.6.1.5.5.7.1.1',
};
const KU: Record<string, number> = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };
const EKU: Record<string, string> = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' };

function namedBits(bits: number[]): Buffer {
  const max = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return bitstring(bytes, 7 - (max & 7));
}

const ext = (id: string, critical: boolean, v: Uint8Array): Buffer => seq(oid(id), ...(critical ? [bool(true)] : []), octet(v));

// ---- keys and signing -------------------------------------------------------------------------

export interface Signer {
  /** The issuer's subject Name, DER. */
  name: Buffer;
  key: KeyObject;
  ski: Buffer;
  sig: SigAlg;
}
export type SigAlg = 'sha256' | 'sha1' | 'md5' | 'ecdsa-sha256';

export interface KeyPair { privateKey: KeyObject; spki: Buffer; ski: Buffer }

function skiOf(spki: Buffer): Buffer {
  const [outer] = kids(spki);
  const [, bits] = kids(spki, outer!.vs, outer!.end);
  return crypto.createHash('sha1').update(spki.subarray(bits!.vs + 1, bits!.end)).digest();
}

export function keyPair(kind: 'p256' | 'rsa2048' = 'p256'): KeyPair {
  const { privateKey } = kind === 'p256' ? crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }) : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return fromPrivate(privateKey);
}

export function keyPairRsa(bits: number): KeyObject {
  return crypto.generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
}

export function sha256Hex(d: Uint8Array): string {
  return crypto.createHash('sha256').update(d).digest('hex');
}

export function fromPrivate(privateKey: KeyObject): KeyPair {
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return { privateKey, spki, ski: skiOf(spki) };
}

/** An RSA SubjectPublicKeyInfo with a modulus of `bits` bits that nobody holds the key of. */
export function fakeRsaSpki(bits: number): Buffer {
  const n = crypto.randomBytes(bits / 8);
  n[0]! |= 0x80;
  n[n.length - 1]! |= 1;
  return seq(seq(oid('1.2.840.113549.1.1.1'), nul()), bitstring(seq(int(n), int(65537))));
}

/** A P-256 SubjectPublicKeyInfo with the curve spelled out as explicit parameters (RFC 3279 ECParameters). */
export function explicitCurveSpki(): Buffer {
  const named = keyPair('p256').spki;
  const [outer] = kids(named);
  const [, bits] = kids(named, outer!.vs, outer!.end);
  const h = (s: string) => Buffer.from(s, 'hex');
  const p = h('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
  const params = seq(
    int(1),
    seq(oid('1.2.840.10045.1.1'), int(p)),
    seq(octet(h('ffffffff00000001000000000000000000000000fffffffffffffffffffffffc')),
      octet(h('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'))),
    octet(h('046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5')),
    int(h('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551')),
    int(1),
  );
  return seq(seq(oid('1.2.840.10045.2.1'), params), named.subarray(bits!.start, bits!.end));
}

function algId(sig: SigAlg): Buffer {
  switch (sig) {
    case 'sha256': return seq(oid('1.2.840.113549.1.1.11'), nul());
    case 'sha1': return seq(oid('1.2.840.113549.1.1.5'), nul());
    case 'md5': return seq(oid('1.2.840.113549.1.1.4'), nul());
    case 'ecdsa-sha256': return seq(oid('1.2.840.10045.4.3.2'));
  }
}

const sign = (sig: SigAlg, tbs: Buffer, key: KeyObject): Buffer => crypto.sign(sig === 'ecdsa-sha256' ? 'sha256' : sig, tbs, key);

/** A signer from the committed PKI: its key from certs/keys, its subject from certs/out/pki. */
export function fixtureSigner(fixture: string, keyStem = fixture): Signer {
  const der = readFileSync(`${CERTS_DIR}out/pki/${fixture}.der`);
  const [cert] = kids(der);
  const [tbs] = kids(der, cert!.vs, cert!.end);
  const f = kids(der, tbs!.vs, tbs!.end);
  const o = f[0]!.tag === 0xa0 ? 1 : 0;
  const subject = f[o + 4]!;
  const spki = f[o + 5]!;
  const key = crypto.createPrivateKey(readFileSync(`${CERTS_DIR}keys/${keyStem}.key.pem`));
  const isRsa = key.asymmetricKeyType === 'rsa';
  return { name: Buffer.from(der.subarray(subject.start, subject.end)), key, ski: skiOf(Buffer.from(der.subarray(spki.start, spki.end))), sig: isRsa ? 'sha256' : 'ecdsa-sha256' };
}

export interface CertSpec {
  subject: [string, string][] | Buffer;
  /** Issuer; 'self' signs with `key`. */
  issuer: Signer | 'self';
  key: KeyPair | { spki: Buffer; ski?: Buffer; privateKey?: undefined };
  serial?: number | bigint;
  notBefore?: string | Date;
  notAfter?: string | Date;
  /** CA:TRUE with optional pathLen; false: CA:FALSE; undefined: no basicConstraints. */
  ca?: { pathLen?: number } | false;
  ku?: string[];
  eku?: string[];
  san?: string[];
  nc?: { permitted?: string[]; excluded?: string[] };
  aiaCaIssuers?: string;
  extra?: { oid: string; critical: boolean; value: Uint8Array }[];
  sig?: SigAlg;
  /** The authorityKeyIdentifier of an issued certificate: marked critical, or left out. */
  aki?: 'critical' | 'none';
  /** Mark the subjectKeyIdentifier critical. */
  skiCritical?: boolean;
}

export interface Built { der: Buffer; pem: string; signer: Signer }

let serialCounter = 0x7000;

export function makeCert(s: CertSpec): Built {
  const subject = Buffer.isBuffer(s.subject) ? s.subject : name(s.subject);
  const selfSigned = s.issuer === 'self';
  if (selfSigned && !s.key.privateKey) throw new Error('self-signed needs a private key');
  const ski = s.key.ski ?? skiOf(s.key.spki);
  const signer: Signer = s.issuer === 'self'
    ? { name: subject, key: s.key.privateKey!, ski, sig: s.key.privateKey!.asymmetricKeyType === 'rsa' ? 'sha256' : 'ecdsa-sha256' }
    : s.issuer;
  const sig = s.sig ?? signer.sig;
  const exts: Buffer[] = [];
  if (s.ca === false) exts.push(ext(EXT.bc, false, seq()));
  else if (s.ca) exts.push(ext(EXT.bc, true, seq(bool(true), ...(s.ca.pathLen !== undefined ? [int(s.ca.pathLen)] : []))));
  if (s.ku) exts.push(ext(EXT.ku, true, namedBits(s.ku.map((k) => KU[k]!))));
  if (s.eku) exts.push(ext(EXT.eku, false, seq(...s.eku.map((e) => oid(EKU[e] ?? e)))));
  if (s.san) exts.push(ext(EXT.san, false, seq(...s.san.map(generalName))));
  if (s.nc) {
    const sub = (xs: string[]) => xs.map((x) => seq(generalName(x)));
    exts.push(ext(EXT.nc, true, seq(
      ...(s.nc.permitted?.length ? [tlv(0xa0, ...sub(s.nc.permitted))] : []),
      ...(s.nc.excluded?.length ? [tlv(0xa1, ...sub(s.nc.excluded))] : []))));
  }
  if (s.aiaCaIssuers) exts.push(ext(EXT.aia, false, seq(seq(oid('1.3.6.1.5.5.7.48.2'), generalName(`URI:${s.aiaCaIssuers}`)))));
  exts.push(ext(EXT.ski, s.skiCritical === true, octet(ski)));
  if (!selfSigned && s.aki !== 'none') exts.push(ext(EXT.aki, s.aki === 'critical', seq(tlv(0x80, signer.ski))));
  for (const x of s.extra ?? []) exts.push(ext(x.oid, x.critical, x.value));
  const tbs = seq(
    explicit(0, int(2)),
    int(s.serial ?? ++serialCounter),
    algId(sig),
    signer.name,
    seq(time(s.notBefore ?? 'U:250101000000Z'), time(s.notAfter ?? 'U:350101000000Z')),
    subject,
    s.key.spki,
    explicit(3, seq(...exts)),
  );
  const der = seq(tbs, algId(sig), bitstring(sign(sig, tbs, signer.key)));
  return { der, pem: toPem(der), signer: { name: subject, key: s.key.privateKey ?? signer.key, ski, sig: signer.sig } };
}

/** A CA (CA:TRUE, keyCertSign) that can sign further certificates. */
export function makeCa(subject: [string, string][], issuer: Signer | 'self', o: Partial<CertSpec> & { keyPair?: KeyPair } = {}): Built & { signer: Signer; keyPair: KeyPair } {
  const kp = o.keyPair ?? keyPair();
  const b = makeCert({ ca: {}, ku: ['keyCertSign', 'cRLSign'], notBefore: 'U:200101000000Z', notAfter: 'U:450101000000Z', ...o, subject, issuer, key: kp });
  return { ...b, signer: { name: b.signer.name, key: kp.privateKey, ski: kp.ski, sig: kp.privateKey.asymmetricKeyType === 'rsa' ? 'sha256' : 'ecdsa-sha256' }, keyPair: kp };
}

/** A server leaf for backend.test (CA:FALSE, serverAuth) under `issuer`. */
export function makeLeaf(issuer: Signer, o: Partial<CertSpec> = {}): Built & { keyPair: KeyPair | undefined } {
  const kp = o.key && 'privateKey' in o.key && o.key.privateKey ? (o.key as KeyPair) : o.key ? undefined : keyPair();
  const b = makeCert({
    subject: [['O', 'certcheck test'], ['CN', 'backend.test']], ca: false, ku: ['digitalSignature', 'keyEncipherment'], eku: ['serverAuth'],
    san: ['DNS:backend.test'], ...o, issuer, key: o.key ?? kp!,
  });
  return { ...b, keyPair: kp };
}

export function toPem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export function fixtureDer(n: string): Buffer {
  return readFileSync(`${CERTS_DIR}out/pki/${n}.der`);
}
export function fixturePemText(n: string): string {
  return readFileSync(`${CERTS_DIR}out/pki/${n}.pem`, 'utf8');
}
export function privateKeyPem(k: KeyObject): string {
  return k.export({ type: 'pkcs8', format: 'pem' }).toString();
}
