/**
 * Seeded byte-level mutations of DER certificates for the differential test against `openssl verify`.
 * The DER walk here is deliberately independent of src/x509/der.ts: a bug in the code under test
 * must not decide where the mutations land.
 */

/** mulberry32: tiny, fast, and the same sequence on every platform for a given seed. */
export function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => {
      if (!xs.length) throw new Error('pick from an empty list');
      return xs[Math.floor(next() * xs.length)]!;
    },
  };
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi], both included. */
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
}

export interface Span {
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the contents. */
  valueStart: number;
  /** One past the contents. */
  end: number;
  tag: number;
}

function readSpan(buf: Uint8Array, pos: number, limit: number): Span {
  if (pos + 2 > limit) throw new Error(`mutate: truncated TLV at ${pos}`);
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new Error(`mutate: high tag number at ${pos}`);
  let p = pos + 1;
  const first = buf[p++]!;
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new Error(`mutate: bad length at ${pos}`);
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) throw new Error(`mutate: length overruns at ${pos}`);
  return { start: pos, valueStart: p, end: p + len, tag };
}

/** The three parts of a Certificate: tbsCertificate, signatureAlgorithm, signatureValue. */
export interface CertLayout {
  whole: Span;
  tbs: Span;
  sigAlg: Span;
  sig: Span;
}

export function certLayout(der: Uint8Array): CertLayout {
  const whole = readSpan(der, 0, der.length);
  const tbs = readSpan(der, whole.valueStart, whole.end);
  const sigAlg = readSpan(der, tbs.end, whole.end);
  const sig = readSpan(der, sigAlg.end, whole.end);
  if (whole.tag !== 0x30 || tbs.tag !== 0x30 || sigAlg.tag !== 0x30 || sig.tag !== 0x03) throw new Error('mutate: not a certificate');
  return { whole, tbs, sigAlg, sig };
}

/**
 * Offsets of every content octet of a primitive TLV inside [start, end): flipping one of them
 * changes a value but leaves every tag and length intact, so the outer DER still parses.
 */
export function contentOffsets(der: Uint8Array, start: number, end: number): number[] {
  const out: number[] = [];
  // Explicit stack, bounded by the input size: certificates nest a handful of levels.
  const stack: [number, number][] = [[start, end]];
  while (stack.length) {
    const [s, e] = stack.pop()!;
    for (let p = s; p < e;) {
      const t = readSpan(der, p, e);
      if (t.tag & 0x20) stack.push([t.valueStart, t.end]);
      else for (let k = t.valueStart; k < t.end; k++) out.push(k);
      p = t.end;
    }
  }
  return out.sort((a, b) => a - b);
}

export interface Mutant {
  der: Uint8Array;
  /** What was done, for the failure message (e.g. "tbs@211^0x5a"). */
  detail: string;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** XOR one byte with a non-zero mask, so the byte always changes. */
export function flipAt(der: Uint8Array, offset: number, rng: Rng, label: string): Mutant {
  const out = Uint8Array.from(der);
  const mask = rng.int(1, 255);
  out[offset] = out[offset]! ^ mask;
  return { der: out, detail: `${label}@${offset}^${hex(mask)}` };
}

/** One byte of the signature value (after the BIT STRING's unused-bits octet). */
export function flipSignature(der: Uint8Array, rng: Rng): Mutant {
  const { sig } = certLayout(der);
  return flipAt(der, rng.int(sig.valueStart + 1, sig.end - 1), rng, 'sig');
}

/** One content octet inside tbsCertificate; tags and lengths untouched. */
export function flipTbsContent(der: Uint8Array, rng: Rng): Mutant {
  const { tbs } = certLayout(der);
  return flipAt(der, rng.pick(contentOffsets(der, tbs.valueStart, tbs.end)), rng, 'tbs');
}

/** Any byte at all, tags and lengths included: the result may not parse. */
export function flipAnywhere(der: Uint8Array, rng: Rng): Mutant {
  return flipAt(der, rng.int(0, der.length - 1), rng, 'any');
}

/** The first n bytes, 1 <= n < length: never a complete certificate. */
export function truncate(der: Uint8Array, rng: Rng): Mutant {
  const n = rng.int(1, der.length - 1);
  return { der: der.slice(0, n), detail: `truncate@${n}/${der.length}` };
}

/** The certificate followed by 1-8 random bytes. */
export function appendGarbage(der: Uint8Array, rng: Rng): Mutant {
  const n = rng.int(1, 8);
  const extra = Array.from({ length: n }, () => rng.int(0, 255));
  return { der: Uint8Array.from([...der, ...extra]), detail: `trailing+${n}` };
}

// ---------- re-signed mutations ----------
// A flipped TBS byte alone only ever tests the signature check. Re-signing the mutated TBS with
// the issuer's real key (the fixture keys are published) makes the change reach the parser and
// the path rules: validity text, names, extension flags, key encodings.

function encodeLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

export function encodeTlv(tag: number, content: Uint8Array): Uint8Array {
  return Uint8Array.from([tag, ...encodeLength(content.length), ...content]);
}

/** tbsCertificate fields by name (v3 layout: [0] version first). */
export function tbsFields(der: Uint8Array): Record<'version' | 'serial' | 'signature' | 'issuer' | 'validity' | 'subject' | 'spki' | 'extensions', Span | undefined> {
  const { tbs } = certLayout(der);
  const spans: Span[] = [];
  for (let p = tbs.valueStart; p < tbs.end;) { const t = readSpan(der, p, tbs.end); spans.push(t); p = t.end; }
  const hasVersion = spans[0]?.tag === 0xa0;
  const at = (i: number) => spans[hasVersion ? i : i - 1];
  return {
    version: hasVersion ? spans[0] : undefined, serial: at(1), signature: at(2), issuer: at(3), validity: at(4),
    subject: at(5), spki: at(6), extensions: spans.find((s) => s.tag === 0xa3),
  };
}

/** Replace tbsCertificate (same signatureAlgorithm) and sign it with `sign`. */
export function resign(der: Uint8Array, newTbs: Uint8Array, sign: (tbs: Uint8Array) => Uint8Array): Uint8Array {
  const { sigAlg } = certLayout(der);
  const sig = sign(newTbs);
  const body = Uint8Array.from([...newTbs, ...der.subarray(sigAlg.start, sigAlg.end), ...encodeTlv(0x03, Uint8Array.from([0, ...sig]))]);
  return encodeTlv(0x30, body);
}

export type TbsRegion = 'serial' | 'issuer' | 'validity' | 'subject' | 'spki' | 'extensions';
export const TBS_REGIONS: readonly TbsRegion[] = ['serial', 'issuer', 'validity', 'subject', 'spki', 'extensions'];

/**
 * Flip one content octet of a chosen tbsCertificate field (a random field when `region` is not
 * given, so the 256-byte modulus does not soak up most flips) and re-sign.
 */
export function flipTbsResigned(der: Uint8Array, rng: Rng, sign: (tbs: Uint8Array) => Uint8Array, region?: TbsRegion): Mutant {
  const fields = tbsFields(der);
  const r = region ?? rng.pick(TBS_REGIONS.filter((k) => fields[k]));
  const span = fields[r];
  if (!span) throw new Error(`mutate: certificate has no ${r}`);
  const { tbs } = certLayout(der);
  const offsets = span.tag & 0x20 ? contentOffsets(der, span.valueStart, span.end)
    : Array.from({ length: span.end - span.valueStart }, (_, k) => span.valueStart + k);
  const m = flipAt(der, rng.pick(offsets), rng, `${r}-resigned`);
  return { der: resign(der, m.der.subarray(tbs.start, tbs.end), sign), detail: m.detail };
}

export function indexOfBytes(hay: Uint8Array, needle: readonly number[], from = 0, to = hay.length): number {
  outer: for (let i = from; i + needle.length <= to; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    return i;
  }
  return -1;
}

/**
 * A hand-made edit of a certificate, re-signed: `edit` changes bytes of a copy in place (keeping
 * every length) and returns a label. Throws when the edit finds nothing to change, so a fixture
 * change cannot silently turn a directed case into a copy of the healthy chain.
 */
export function editResigned(der: Uint8Array, sign: (tbs: Uint8Array) => Uint8Array, edit: (copy: Uint8Array) => string | undefined): Mutant {
  const copy = Uint8Array.from(der);
  const detail = edit(copy);
  if (detail === undefined || Buffer.compare(Buffer.from(copy), Buffer.from(der)) === 0) throw new Error('editResigned: the edit changed nothing');
  const { tbs } = certLayout(der);
  return { der: resign(der, copy.subarray(tbs.start, tbs.end), sign), detail };
}

/** Offset of the extnValue contents of the extension with this OID (DER bytes of the OID), or -1. */
export function extensionValueOffset(der: Uint8Array, oidBytes: readonly number[]): number {
  const ext = tbsFields(der).extensions;
  if (!ext) return -1;
  const at = indexOfBytes(der, [0x06, oidBytes.length, ...oidBytes], ext.valueStart, ext.end);
  if (at < 0) return -1;
  let p = at + 2 + oidBytes.length;
  if (der[p] === 0x01) p += 3; // critical BOOLEAN
  const octet = readSpan(der, p, ext.end);
  return octet.tag === 0x04 ? octet.valueStart : -1;
}
