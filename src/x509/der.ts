/**
 * A bounded DER reader. We walk certificates ourselves rather than through asn1js so that raw
 * time text, raw name bytes and per-extension failures stay visible (reliability-catalog §0.4, §0.9).
 * Every read is bounds-checked against its parent; nothing here recurses on attacker-chosen depth.
 */

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One DER element as offsets into the buffer it was read from (nothing is copied). */
export interface Tlv {
  /** Full identifier octet (class | constructed | number) for low tag numbers. */
  tag: number;
  cls: number; // 0 universal, 1 application, 2 context, 3 private
  constructed: boolean;
  num: number;
  /** Offset of the identifier octet in `buf`. */
  start: number;
  /** Offset of the contents. */
  valueStart: number;
  /** Offset one past the contents. */
  end: number;
  buf: Uint8Array;
}

/** Read one TLV at `pos`, within `limit`. Throws DerError on a malformed header, high tag numbers, BER lengths, or contents past `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit = buf.length): Tlv {
  if (pos >= limit) throw new DerError('unexpected end of data');
  const tag = buf[pos]!;
  let p = pos + 1;
  let num = tag & 0x1f;
  if (num === 0x1f) {
    // High tag numbers never appear in the structures we read; reject rather than guess.
    throw new DerError('high tag number not supported');
  }
  if (p >= limit) throw new DerError('missing length');
  const first = buf[p++]!;
  let len: number;
  if (first < 0x80) len = first;
  else if (first === 0x80) throw new DerError('indefinite length is not DER');
  else {
    const n = first & 0x7f;
    if (n > 4) throw new DerError('length field too long');
    if (p + n > limit) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) throw new DerError(`length ${len} exceeds the available ${limit - p} bytes`);
  return { tag, cls: tag >> 6, constructed: (tag & 0x20) !== 0, num, start: pos, valueStart: p, end: p + len, buf };
}

/** The contents of a TLV (a view, not a copy). */
export function value(t: Tlv): Uint8Array {
  return t.buf.subarray(t.valueStart, t.end);
}

/** The whole encoding of a TLV, header included (a view, not a copy). */
export function whole(t: Tlv): Uint8Array {
  return t.buf.subarray(t.start, t.end);
}

/** Children of a constructed TLV (one level). */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = t.valueStart;
  while (p < t.end) {
    const c = readTlv(t.buf, p, t.end);
    out.push(c);
    p = c.end;
    if (out.length > 100_000) throw new DerError('too many elements');
  }
  return out;
}

/** `t` when it has tag `tag`; otherwise a DerError naming `what`. */
export function expectTag(t: Tlv, tag: number, what: string): Tlv {
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

/** OBJECT IDENTIFIER contents to dotted text. Throws DerError on an empty, non-minimal, oversized or truncated OID. */
export function parseOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let v = 0;
  let started = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (!started && b === 0x80) throw new DerError('OID with leading 0x80');
    started = (b & 0x80) !== 0;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OID arc too large');
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = v < 40 ? 0 : v < 80 ? 1 : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  if (started) throw new DerError('truncated OID');
  return parts.join('.');
}

/** An OBJECT IDENTIFIER TLV to dotted text. */
export function readOid(t: Tlv): string {
  expectTag(t, 0x06, 'OID');
  return parseOid(value(t));
}

/** Lowercase hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** INTEGER contents as a serial's hex (see signedIntHex). */
export function intHex(t: Tlv): string {
  expectTag(t, 0x02, 'INTEGER');
  const v = value(t);
  if (v.length === 0) throw new DerError('empty INTEGER');
  return signedIntHex(v);
}

/**
 * Two's-complement INTEGER contents as OpenSSL prints a serial: the magnitude in hex, whole
 * octets, leading zero octets dropped, and "-" before a negative value (−5 → "-05", −128 → "-80",
 * +128 → "80"). RFC 5280 §4.1.2.2 asks for positive serials, but negative ones are issued; without
 * the sign −128 and +128 would share one key and a CRL entry for one would revoke the other.
 */
export function signedIntHex(v: Uint8Array): string {
  if (v.length > 0 && (v[0]! & 0x80) !== 0) {
    const m = new Uint8Array(v.length);
    let carry = 1;
    for (let i = v.length - 1; i >= 0; i--) {
      const x = (~v[i]! & 0xff) + carry;
      m[i] = x & 0xff;
      carry = x >> 8;
    }
    return `-${toHex(dropLeadingZeros(m))}`;
  }
  return toHex(dropLeadingZeros(v));
}

function dropLeadingZeros(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  return v.subarray(i);
}

/** A non-negative INTEGER up to 48 bits as a number; DerError otherwise. */
export function smallInt(t: Tlv): number {
  expectTag(t, 0x02, 'INTEGER');
  const v = value(t);
  if (v.length === 0 || v.length > 6) throw new DerError('INTEGER out of range');
  if (v[0]! & 0x80) throw new DerError('negative INTEGER');
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

/** A DER BOOLEAN. */
export function readBool(t: Tlv): boolean {
  expectTag(t, 0x01, 'BOOLEAN');
  const v = value(t);
  if (v.length !== 1) throw new DerError('bad BOOLEAN');
  return v[0] !== 0;
}

/** BIT STRING contents without the unused-bits octet. */
export function bitString(t: Tlv): { bytes: Uint8Array; unused: number } {
  expectTag(t, 0x03, 'BIT STRING');
  const v = value(t);
  if (v.length === 0) throw new DerError('empty BIT STRING');
  const unused = v[0]!;
  if (unused > 7) throw new DerError('bad BIT STRING');
  return { bytes: v.subarray(1), unused };
}

/** Decode a directory string / IA5 etc. to JS text by its tag. */
export function decodeString(t: Tlv): string {
  const v = value(t);
  switch (t.tag) {
    case 0x0c: // UTF8String: invalid UTF-8 makes OpenSSL refuse the certificate, so it is an error here too
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(v);
      } catch {
        throw new DerError('UTF8String is not valid UTF-8');
      }
    case 0x1e: { // BMPString, UTF-16BE
      if (v.length % 2) throw new DerError('BMPString of odd length');
      let s = '';
      for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode((v[i]! << 8) | v[i + 1]!);
      return s;
    }
    case 0x1c: { // UniversalString, UTF-32BE
      if (v.length % 4) throw new DerError('UniversalString length is not a multiple of 4');
      let s = '';
      for (let i = 0; i + 3 < v.length; i += 4) {
        const cp = ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default: // Printable, IA5, Teletex (as latin1), Visible, Numeric
      return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1');
  }
}

/** Byte-for-byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
