/**
 * The pieces of decoding that the file decoder (decode.ts) and the PKCS#12 reader (pkcs.ts) share:
 * the decode context (name, limits, notes), the iterative depth-limited DER walk, the shallow
 * shape test, and key-to-certificate matching. They live here so that decode.ts and pkcs.ts
 * both import downwards and neither imports the other (pkcs.ts is still loaded lazily).
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { InputError } from '../model/errors.js';
import { bytesEqual, children, parseOid, readTlv, value, whole, type Tlv } from './der.js';

/** Limits and the password callback of one decode (decodeCertificates). */
export interface DecodeOptions {
  /** Called only when a PKCS#12 needs a password. Return the password. */
  password?: () => Promise<string> | string;
  /**
   * True when `password` answers without asking anyone (an environment variable, a file): it is
   * then tried first, before the empty-password forms, so a right password costs one key
   * derivation rather than three (an interactive prompt is still asked only when needed).
   */
  passwordKnown?: boolean;
  maxIterations?: number;   // PKCS#12 KDF cap, default 10_000_000 (reject BEFORE deriving anything)
  maxCertificates?: number; // default 1000
  deadlineMs?: number;      // wall clock budget for PKCS#12 key derivation, default 10_000
}

/** PKCS#12 KDF iteration cap: a count above it is refused before anything is derived. */
export const DEFAULT_MAX_ITERATIONS = 10_000_000;
/** Most certificates one input may hold. */
export const DEFAULT_MAX_CERTIFICATES = 1000;
/** Wall-clock budget for PKCS#12 key derivation (the worker is terminated at it). */
export const DEFAULT_DEADLINE_MS = 10_000;
/** asn1js's default; a real certificate nests about 10 deep. */
export const MAX_DER_DEPTH = 100;

/** A count with thousands separators, as messages print it. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Shared state of one decode: the name used in messages, the limits, and the notes so far. */
export interface DecodeContext {
  name: string;
  notes: string[];
  maxCertificates: number;
  opts: DecodeOptions;
}

/** Record a non-fatal observation once. */
export function addNote(ctx: DecodeContext, note: string): void {
  if (!ctx.notes.includes(note)) ctx.notes.push(note);
}

/** Throw the input error for this decode: one line naming the input. */
export function fail(ctx: DecodeContext, msg: string): never {
  throw new InputError(`${ctx.name}: ${msg}`);
}

// ---------------------------------------------------------------------------------------------
// DER structure: an iterative, depth-limited walk, and shape tests that never recurse.

interface Header { constructed: boolean; tag: number; hdrLen: number; len: number; end: number }

/** Reads one identifier + length, allowing high tag numbers (they can appear deep in a cert). */
function readHeader(buf: Uint8Array, pos: number, limit: number): Header | string {
  if (pos >= limit) return 'unexpected end of data';
  const tag = buf[pos]!;
  let p = pos + 1;
  if ((tag & 0x1f) === 0x1f) {
    let n = 0;
    do {
      if (p >= limit) return 'truncated tag';
      if (++n > 4) return 'tag number too large';
    } while (buf[p++]! & 0x80);
  }
  if (p >= limit) return 'missing length';
  const first = buf[p++]!;
  let len = first;
  if (first === 0x80) return 'indefinite length (BER) is not supported; re-export as DER';
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4) return 'length field too long';
    if (p + n > limit) return 'truncated length';
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  return { constructed: (tag & 0x20) !== 0, tag, hdrLen: p - pos, len, end: p + len };
}

/**
 * Check that `buf[start..]` begins with one well-formed TLV whose constructed descendants all fit
 * their parents, nesting at most MAX_DER_DEPTH deep. Returns the end offset of that TLV.
 * Iterative: a 20,000-deep SEQUENCE costs a loop, not a stack.
 */
export function walkDer(ctx: DecodeContext, buf: Uint8Array, start = 0): number {
  const top = readHeader(buf, start, buf.length);
  if (typeof top === 'string') fail(ctx, `malformed DER: ${top}`);
  if (top.end > buf.length) {
    fail(ctx, `truncated DER (declares ${top.len} bytes, has ${buf.length - start - top.hdrLen})`);
  }
  const ends: number[] = [top.end];
  let pos = start + top.hdrLen;
  if (!top.constructed) return top.end;
  while (ends.length > 0) {
    const limit = ends[ends.length - 1]!;
    if (pos === limit) { ends.pop(); continue; }
    const h = readHeader(buf, pos, limit);
    if (typeof h === 'string') fail(ctx, `malformed DER at offset ${pos}: ${h}`);
    if (h.end > limit) fail(ctx, `malformed DER at offset ${pos}: length ${h.len} exceeds its enclosing structure`);
    if (h.constructed) {
      if (ends.length >= MAX_DER_DEPTH) fail(ctx, `ASN.1 nesting too deep (more than ${MAX_DER_DEPTH} levels)`);
      ends.push(h.end);
      pos += h.hdrLen;
    } else {
      pos = h.end;
    }
  }
  return top.end;
}


/** What a DER element looks like at a glance: the shapes an input file commonly holds. */
export type DerShape =
  | 'certificate' | 'pkcs7' | 'pkcs12' | 'csr' | 'crl' | 'private key' | 'encrypted private key'
  | 'public key' | 'unknown';

function kids(t: Tlv): Tlv[] {
  try {
    return children(t);
  } catch {
    return [];
  }
}

const isTime = (t: Tlv | undefined): boolean => !!t && (t.tag === 0x17 || t.tag === 0x18);

/** What a single DER TLV (already walked) looks like. Shallow: looks at two or three levels only. */
export function derShape(tlv: Tlv): DerShape {
  if (tlv.tag !== 0x30) return 'unknown';
  const c = kids(tlv);
  if (c.length === 3 && c[0]!.tag === 0x30 && c[1]!.tag === 0x30 && c[2]!.tag === 0x03) {
    const f = kids(c[0]!);
    let i = 0;
    if (f[0]?.tag === 0xa0) i = 1;
    if (f[i]?.tag === 0x02 && f[i + 1]?.tag === 0x30 && f[i + 2]?.tag === 0x30 && f[i + 3]?.tag === 0x30
      && f[i + 4]?.tag === 0x30 && f[i + 5]?.tag === 0x30) return 'certificate';
    if (f[0]?.tag === 0x02 && f[1]?.tag === 0x30 && f[2]?.tag === 0x30 && f[3]?.tag === 0xa0) return 'csr';
    const j = f[0]?.tag === 0x02 ? 1 : 0;
    if (f[j]?.tag === 0x30 && f[j + 1]?.tag === 0x30 && isTime(f[j + 2])) return 'crl';
    return 'unknown';
  }
  if (c[0]?.tag === 0x06 && c.length <= 2) {
    try {
      if (parseOid(value(c[0])).startsWith('1.2.840.113549.1.7.')) return 'pkcs7';
    } catch { /* not an OID we can read */ }
    return 'unknown';
  }
  if (c[0]?.tag === 0x02 && c[1]?.tag === 0x30 && (c.length === 2 || c.length === 3) && kids(c[1]!)[0]?.tag === 0x06
    && value(c[0]).length === 1 && value(c[0])[0] === 3) return 'pkcs12';
  if (c[0]?.tag === 0x02 && c[1]?.tag === 0x30 && c[2]?.tag === 0x04) return 'private key'; // PKCS#8
  if (c[0]?.tag === 0x02 && c[1]?.tag === 0x04) return 'private key'; // SEC1 EC
  if (c.length >= 9 && c.every((x) => x.tag === 0x02)) return 'private key'; // PKCS#1 RSA
  if (c.length === 2 && c[0]!.tag === 0x30 && c[1]!.tag === 0x04) return 'encrypted private key';
  if (c.length === 2 && c[0]!.tag === 0x30 && c[1]!.tag === 0x03) return 'public key';
  return 'unknown';
}

/** The SubjectPublicKeyInfo of a certificate that passed derShape, or undefined. */
export function certSpki(der: Uint8Array): Uint8Array | undefined {
  try {
    const outer = readTlv(der, 0);
    const f = children(children(outer)[0]!);
    const i = f[0]?.tag === 0xa0 ? 1 : 0;
    const spki = f[i + 5];
    return spki ? whole(spki) : undefined;
  } catch {
    return undefined;
  }
}

/** Pick the key that belongs to one of the certificates; returns it and that certificate's index. */
export function matchKey(keys: KeyObject[], certs: Uint8Array[]): { key: KeyObject; certIndex: number } | undefined {
  for (const key of keys) {
    let pub: Uint8Array;
    try {
      pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
    } catch {
      continue;
    }
    for (let i = 0; i < certs.length; i++) {
      const spki = certSpki(certs[i]!);
      if (spki && bytesEqual(spki, pub)) return { key, certIndex: i };
    }
  }
  return undefined;
}
