// A tiny DER encoder (and a minimal reader for SPKI parsing). Fixtures are built from raw bytes so
// that deliberately broken certificates (impossible time text, wrong tags, trailing bytes) can be
// written: no library certificate generator lets you do that.

/** @param {number} n */
function lengthBytes(n) {
  if (n < 0x80) return Buffer.from([n]);
  const out = [];
  while (n > 0) { out.unshift(n & 0xff); n = Math.floor(n / 256); }
  return Buffer.from([0x80 | out.length, ...out]);
}

/** Any TLV with a one-byte identifier. @param {number} tag @param {Buffer|Uint8Array} content */
export function tlv(tag, content) {
  const c = Buffer.from(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(c.length), c]);
}

/** @param {...(Buffer|Uint8Array)} items */
export const seq = (...items) => tlv(0x30, Buffer.concat(items.map((i) => Buffer.from(i))));
/** A SET, kept in the given order (callers pass DER-sorted members when it matters). */
export const set = (...items) => tlv(0x31, Buffer.concat(items.map((i) => Buffer.from(i))));

/** INTEGER from bigint, number or hex string (hex taken as the unsigned magnitude). */
export function int(v) {
  let big = typeof v === 'string' ? BigInt('0x' + v) : BigInt(v);
  if (big < 0n) throw new Error('negative integers are not needed by the fixtures');
  let hex = big.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** @param {string} dotted */
export function oid(dotted) {
  const parts = dotted.split('.').map((p) => BigInt(p));
  if (parts.length < 2) throw new Error(`bad OID ${dotted}`);
  const arcs = [parts[0] * 40n + parts[1], ...parts.slice(2)];
  const out = [];
  for (let a of arcs) {
    const chunk = [Number(a & 0x7fn)];
    a >>= 7n;
    while (a > 0n) { chunk.unshift(Number(a & 0x7fn) | 0x80); a >>= 7n; }
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

export const octet = (bytes) => tlv(0x04, bytes);
/** BIT STRING; `unused` is the count of padding bits in the last byte. */
export const bitstring = (bytes, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), Buffer.from(bytes)]));
export const utf8 = (s) => tlv(0x0c, Buffer.from(s, 'utf8'));
export const printable = (s) => tlv(0x13, Buffer.from(s, 'latin1'));
export const ia5 = (s) => tlv(0x16, Buffer.from(s, 'latin1'));
/** Raw text, never a Date: fixtures need impossible values such as "230230000000Z". */
export const utctime = (raw) => tlv(0x17, Buffer.from(raw, 'latin1'));
export const generalizedtime = (raw) => tlv(0x18, Buffer.from(raw, 'latin1'));
export const bool = (b) => tlv(0x01, Buffer.from([b ? 0xff : 0x00]));
export const nul = () => Buffer.from([0x05, 0x00]);

/** [n] EXPLICIT: a constructed context tag wrapping complete TLVs. */
export const explicit = (n, ...inner) => tlv(0xa0 | n, Buffer.concat(inner.map((i) => Buffer.from(i))));
/** [n] IMPLICIT primitive (e.g. dNSName [2] IA5String): raw contents under a context tag. */
export const implicit = (n, content) => tlv(0x80 | n, content);
/** [n] IMPLICIT constructed (e.g. permittedSubtrees [0] SEQUENCE OF): contents of a SEQUENCE. */
export const implicitConstructed = (n, ...inner) => tlv(0xa0 | n, Buffer.concat(inner.map((i) => Buffer.from(i))));

/**
 * KeyUsage-style named bit list: bit 0 is the most significant bit of the first byte, trailing
 * zero bits are dropped as DER requires.
 * @param {number[]} bits
 */
export function namedBits(bits) {
  if (bits.length === 0) return bitstring(Buffer.alloc(0), 0);
  const max = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  const unused = 7 - (max & 7);
  return bitstring(bytes, unused);
}

/**
 * Minimal reader: the TLVs directly inside `buf[start, end)`. Used only on our own well-formed
 * output (SPKI, certificates), so it is not hardened.
 * @returns {{tag:number, start:number, valueStart:number, end:number}[]}
 */
export function children(buf, start = 0, end = buf.length) {
  const out = [];
  let p = start;
  while (p < end) {
    const tag = buf[p];
    let len = buf[p + 1];
    let v = p + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[v + i];
      v += n;
    }
    out.push({ tag, start: p, valueStart: v, end: v + len });
    p = v + len;
  }
  return out;
}
