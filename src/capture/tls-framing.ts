/**
 * TLS record layer for the capture tap: the bounds-checked reader every message parser uses, the
 * chunk queue, the record splitter (RFC 8446 §5.1, RFC 5246 §6.2), handshake message reassembly
 * across records, and the alert and version names. Pure: bytes in, records and messages out.
 *
 * Everything here throws TlsParseError (or a subclass); the flight parsers in tlsrecords.ts catch
 * it and turn it into a stop reason, so nothing escapes into a stream callback.
 */

/** TLS record content types (RFC 8446 §5.1). */
export const ContentType = { ChangeCipherSpec: 20, Alert: 21, Handshake: 22, ApplicationData: 23 } as const;

/** 2^14 + 2048: the largest record RFC 5246 allows (TLSCiphertext); TLS 1.3 is stricter. */
export const MAX_RECORD_BODY = 16384 + 2048;

/** Protocol version numbers as OpenSSL names them. */
export const TLS_VERSION_NAMES: Readonly<Record<number, string>> = {
  0x0300: 'SSLv3',
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

/** TLS alert descriptions (RFC 8446 §6, plus the TLS 1.2 and extension ones). */
export const ALERT_NAMES: Readonly<Record<number, string>> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  21: 'decryption_failed',
  22: 'record_overflow',
  30: 'decompression_failure',
  40: 'handshake_failure',
  41: 'no_certificate',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  44: 'certificate_revoked',
  45: 'certificate_expired',
  46: 'certificate_unknown',
  47: 'illegal_parameter',
  48: 'unknown_ca',
  49: 'access_denied',
  50: 'decode_error',
  51: 'decrypt_error',
  60: 'export_restriction',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  100: 'no_renegotiation',
  109: 'missing_extension',
  110: 'unsupported_extension',
  111: 'certificate_unobtainable',
  112: 'unrecognized_name',
  113: 'bad_certificate_status_response',
  114: 'bad_certificate_hash_value',
  115: 'unknown_psk_identity',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

/** A parse problem inside a message; caught by the stream parsers and turned into a reason. */
export class TlsParseError extends Error {
  override readonly name = 'TlsParseError';
}

/**
 * Bounds-checked big-endian reader over one message body. Every read past the end throws
 * TlsParseError, so truncated or lying length fields can never read neighbouring bytes.
 */
export class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer, private readonly what = 'message') {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (n > this.remaining) throw new TlsParseError(`${this.what} truncated`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  vec8(): Buffer {
    return this.bytes(this.u8());
  }
  vec16(): Buffer {
    return this.bytes(this.u16());
  }
  vec24(): Buffer {
    return this.bytes(this.u24());
  }
  end(): void {
    if (this.remaining !== 0) throw new TlsParseError(`${this.what} has ${this.remaining} trailing bytes`);
  }
}

/** A FIFO of chunks that joins bytes only when a whole unit (record, message) is available. */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private total = 0;
  get length(): number {
    return this.total;
  }
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.total += chunk.length;
  }
  /** The first n bytes as one contiguous view, or null when fewer are queued. Does not consume. */
  peek(n: number): Buffer | null {
    if (n > this.total) return null;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.chunks, this.total);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }
  /** Remove and return the first n bytes (a copy, so later chunks can be dropped). */
  take(n: number): Buffer {
    const view = this.peek(n);
    if (view === null) throw new TlsParseError('queue underflow');
    const out = Buffer.from(view);
    let left = n;
    while (left > 0) {
      const c = this.chunks[0]!;
      if (c.length <= left) {
        this.chunks.shift();
        left -= c.length;
      } else {
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    this.total -= n;
    return out;
  }
  clear(): void {
    this.chunks = [];
    this.total = 0;
  }
}

/** One TLSPlaintext/TLSCiphertext record as it came off the wire. */
export interface TlsRecord {
  type: number;
  version: number;
  /** The 5-byte header: the AAD for TLS 1.3 record protection. */
  header: Buffer;
  body: Buffer;
}

/** Splits a byte stream into records. `next()` returns null until a whole record is queued. */
export class RecordSplitter {
  private q = new ByteQueue();
  private seen = 0;
  push(chunk: Uint8Array): void {
    this.q.push(chunk);
  }
  get buffered(): number {
    return this.q.length;
  }
  /** First byte of the stream, once known (0x14-0x17 for TLS). */
  firstByte: number | undefined;
  next(): TlsRecord | null {
    const h = this.q.peek(5);
    if (h === null) {
      if (this.firstByte === undefined && this.q.length > 0) this.checkFirst(this.q.peek(1)![0]!);
      return null;
    }
    if (this.firstByte === undefined) this.checkFirst(h[0]!);
    const type = h[0]!;
    const version = h.readUInt16BE(1);
    const length = h.readUInt16BE(3);
    if (type < 20 || type > 24) throw new NotTlsError(`record type ${type} is not TLS`);
    if (h[1] !== 0x03) throw new NotTlsError(`record version 0x${version.toString(16).padStart(4, '0')} is not TLS`);
    if (length > MAX_RECORD_BODY) throw new TlsParseError(`record of ${length} bytes exceeds the TLS maximum`);
    if (this.q.length < 5 + length) return null;
    const all = this.q.take(5 + length);
    this.seen++;
    return { type, version, header: all.subarray(0, 5), body: all.subarray(5) };
  }
  private checkFirst(b: number): void {
    this.firstByte = b;
    if (b < 20 || b > 23) throw new NotTlsError(`first byte 0x${b.toString(16).padStart(2, '0')} is not a TLS record`);
  }
}

/** The peer is not speaking TLS (e.g. plain HTTP on a TLS port). */
export class NotTlsError extends TlsParseError {}

/** One reassembled handshake message: its type and body (without the 4-byte header). */
export interface HandshakeMessage {
  type: number;
  body: Buffer;
}

/** Reassembles handshake messages from record payloads (a message may span records, or share one). */
export class HandshakeAssembler {
  private q = new ByteQueue();
  constructor(private readonly maxMessage: number) {}
  push(payload: Uint8Array): void {
    this.q.push(payload);
  }
  get buffered(): number {
    return this.q.length;
  }
  next(): HandshakeMessage | null {
    const h = this.q.peek(4);
    if (h === null) return null;
    const len = (h[1]! << 16) | (h[2]! << 8) | h[3]!;
    if (len > this.maxMessage) throw new FlightTooLargeError(`handshake message of ${len} bytes exceeds the ${this.maxMessage}-byte cap`);
    if (this.q.length < 4 + len) return null;
    const all = this.q.take(4 + len);
    return { type: all[0]!, body: all.subarray(4) };
  }
}

/** A handshake message or flight larger than the tap's cap (a hostile or broken server). */
export class FlightTooLargeError extends TlsParseError {}

/** An alert seen on the wire. */
export interface AlertInfo {
  level: number;
  description: number;
  /** True when it came inside a TLS 1.3 protected record we decrypted. */
  encrypted: boolean;
}

/** An alert number with its name, e.g. "40 (handshake_failure)", as reports print it. */
export function describeAlert(n: number | undefined): string {
  if (n === undefined) return '(unknown)';
  const name = ALERT_NAMES[n];
  return name === undefined ? String(n) : `${n} (${name})`;
}
