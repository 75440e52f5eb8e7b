/**
 * BER to DER for the containers real exports write in BER: PKCS#12 from Windows and Java, and
 * PKCS#7 bundles, use indefinite lengths and constructed (chunked) OCTET STRINGs, which OpenSSL
 * and pkijs read. Only those two BER forms are rewritten: an indefinite length becomes a definite
 * one, and a constructed OCTET STRING becomes one primitive OCTET STRING of its chunks' bytes (what
 * the PKCS#12 MAC and the encryption cover, so neither changes). Everything else is copied as it
 * is and still read by the strict DER reader afterwards. Pure and bounded: nesting depth, element
 * count and output size are capped, and any other malformation is a DerError.
 */
import { DerError } from './der.js';

/** Limits of one conversion. */
export interface BerLimits {
  /** Deepest nesting (the DER walker's limit). */
  maxDepth: number;
  /** Most elements in the whole input. */
  maxElements: number;
}

const DEFAULT_LIMITS: BerLimits = { maxDepth: 100, maxElements: 1_000_000 };

/** Does `buf` use an indefinite length anywhere (the BER form a DER reader refuses)? */
export function hasIndefiniteLength(buf: Uint8Array): boolean {
  let found = false;
  try {
    walk(buf, 0, buf.length, 0, { ...DEFAULT_LIMITS }, () => { found = true; });
  } catch { /* not well-formed either way: the DER reader reports it */ }
  return found;
}

/** `buf` (one BER element, then possibly trailing bytes, kept as they are) as DER. */
export function berToDer(buf: Uint8Array, limits: Partial<BerLimits> = {}): Uint8Array {
  const budget = { ...DEFAULT_LIMITS, ...limits };
  const { out, next } = convert(buf, 0, buf.length, 0, budget);
  return next < buf.length ? concat([out, buf.subarray(next)]) : out;
}

interface Header { tag: number; constructed: boolean; valueStart: number; length: number | null }

function header(buf: Uint8Array, pos: number, limit: number): Header {
  if (pos >= limit) throw new DerError('unexpected end of data');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag number not supported');
  let p = pos + 1;
  if (p >= limit) throw new DerError('missing length');
  const first = buf[p++]!;
  if (first === 0x80) {
    if (!(tag & 0x20)) throw new DerError('indefinite length on a primitive element');
    return { tag, constructed: true, valueStart: p, length: null };
  }
  let length = first;
  if (first > 0x80) {
    const n = first & 0x7f;
    if (n > 4) throw new DerError('length field too long');
    if (p + n > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[p++]!;
  }
  if (p + length > limit) throw new DerError(`length ${length} exceeds the available ${limit - p} bytes`);
  return { tag, constructed: (tag & 0x20) !== 0, valueStart: p, length };
}

/** Walks one element for `hasIndefiniteLength`; returns its end. */
function walk(buf: Uint8Array, pos: number, limit: number, depth: number, budget: BerLimits, onIndefinite: () => void): number {
  if (depth > budget.maxDepth) throw new DerError('nested too deeply');
  if (--budget.maxElements < 0) throw new DerError('too many elements');
  const h = header(buf, pos, limit);
  if (!h.constructed) return h.valueStart + h.length!;
  if (h.length === null) onIndefinite();
  const end = h.length === null ? limit : h.valueStart + h.length;
  let p = h.valueStart;
  for (;;) {
    if (h.length === null && p + 1 < limit && buf[p] === 0 && buf[p + 1] === 0) return p + 2;
    if (h.length !== null && p >= end) return end;
    p = walk(buf, p, end, depth + 1, budget, onIndefinite);
  }
}

function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

/** One element as DER, and where it ended in the input. */
function convert(buf: Uint8Array, pos: number, limit: number, depth: number, budget: BerLimits): { out: Uint8Array; next: number; octets?: Uint8Array } {
  if (depth > budget.maxDepth) throw new DerError('nested too deeply');
  if (--budget.maxElements < 0) throw new DerError('too many elements');
  const h = header(buf, pos, limit);
  if (!h.constructed) {
    const end = h.valueStart + h.length!;
    const content = buf.subarray(h.valueStart, end);
    return { out: concat([Uint8Array.of(h.tag), lengthBytes(content.length), content]), next: end, ...(h.tag === 0x04 ? { octets: content } : {}) };
  }
  const end = h.length === null ? limit : h.valueStart + h.length;
  const kids: { out: Uint8Array; octets?: Uint8Array }[] = [];
  let p = h.valueStart;
  for (;;) {
    if (h.length === null) {
      if (p + 1 >= limit) throw new DerError('indefinite length without an end-of-contents');
      if (buf[p] === 0 && buf[p + 1] === 0) { p += 2; break; }
    } else if (p >= end) break;
    const k = convert(buf, p, end, depth + 1, budget);
    kids.push(k);
    p = k.next;
  }
  if (h.tag === 0x24) {
    // A constructed OCTET STRING: its value is its chunks' bytes (X.690 8.7.3).
    if (kids.some((k) => k.octets === undefined)) throw new DerError('constructed OCTET STRING with a part that is not an OCTET STRING');
    const octets = concat(kids.map((k) => k.octets!));
    return { out: concat([Uint8Array.of(0x04), lengthBytes(octets.length), octets]), next: p, octets };
  }
  const body = concat(kids.map((k) => k.out));
  return { out: concat([Uint8Array.of(h.tag), lengthBytes(body.length), body]), next: p };
}
