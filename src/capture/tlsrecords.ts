/**
 * Pure TLS wire parser for the capture tap (capture.md): records, handshake reassembly, the
 * ClientHello we sent, the server's ServerHello (incl. HelloRetryRequest), Certificate (TLS 1.2 and
 * 1.3 with entry extensions), CertificateStatus, and decryption of the TLS 1.3 handshake flight
 * with the SERVER_HANDSHAKE_TRAFFIC_SECRET from Node's 'keylog' event.
 *
 * Nothing here throws out of `feed`: the parsers run inside stream callbacks, so every problem is
 * recorded as a reason and the parser stops (the TLS connection itself is unaffected).
 */
import { createDecipheriv, createHmac } from 'node:crypto';

export const ContentType = { ChangeCipherSpec: 20, Alert: 21, Handshake: 22, ApplicationData: 23 } as const;

export const HandshakeType = {
  ClientHello: 1,
  ServerHello: 2,
  NewSessionTicket: 4,
  EncryptedExtensions: 8,
  Certificate: 11,
  ServerKeyExchange: 12,
  CertificateRequest: 13,
  ServerHelloDone: 14,
  CertificateVerify: 15,
  Finished: 20,
  CertificateStatus: 22,
  CompressedCertificate: 25,
} as const;

/** SHA-256("HelloRetryRequest"), the ServerHello.random that marks an HRR (RFC 8446 §4.1.3). */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** 2^14 + 2048: the largest record RFC 5246 allows (TLSCiphertext); TLS 1.3 is stricter. */
export const MAX_RECORD_BODY = 16384 + 2048;

export const TLS_VERSION_NAMES: Readonly<Record<number, string>> = {
  0x0300: 'SSLv3',
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

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

export class FlightTooLargeError extends TlsParseError {}

// ---------------------------------------------------------------------------------------------
// Message parsers

export interface Extension {
  type: number;
  data: Buffer;
}

function parseExtensions(r: Reader, what: string): Extension[] {
  const out: Extension[] = [];
  if (r.remaining === 0) return out;
  const er = new Reader(r.vec16(), `${what} extensions`);
  while (er.remaining > 0) out.push({ type: er.u16(), data: er.vec16() });
  return out;
}

export interface ClientHelloInfo {
  legacyVersion: number;
  random: Buffer;
  /** host_name from server_name (0), or null when we sent no SNI. */
  sni: string | null;
  alpn: string[] | null;
  /** compress_certificate (27) algorithms offered, or null when not offered. */
  compressCertificate: number[] | null;
  supportedVersions: number[] | null;
  extensionTypes: number[];
  cipherSuites: number[];
}

export function parseClientHello(body: Buffer): ClientHelloInfo {
  const r = new Reader(body, 'ClientHello');
  const legacyVersion = r.u16();
  const random = Buffer.from(r.bytes(32));
  r.vec8(); // legacy_session_id
  const suitesRaw = new Reader(r.vec16(), 'cipher_suites');
  const cipherSuites: number[] = [];
  while (suitesRaw.remaining >= 2) cipherSuites.push(suitesRaw.u16());
  r.vec8(); // compression methods
  const exts = parseExtensions(r, 'ClientHello');
  let sni: string | null = null;
  let alpn: string[] | null = null;
  let compressCertificate: number[] | null = null;
  let supportedVersions: number[] | null = null;
  for (const e of exts) {
    if (e.type === 0 && e.data.length > 0) {
      const sr = new Reader(new Reader(e.data, 'server_name').vec16(), 'server_name list');
      while (sr.remaining > 0) {
        const nameType = sr.u8();
        const name = sr.vec16();
        if (nameType === 0 && sni === null) sni = name.toString('latin1');
      }
    } else if (e.type === 16) {
      alpn = [];
      const ar = new Reader(new Reader(e.data, 'ALPN').vec16(), 'ALPN list');
      while (ar.remaining > 0) alpn.push(ar.vec8().toString('latin1'));
    } else if (e.type === 27) {
      compressCertificate = [];
      const cr = new Reader(new Reader(e.data, 'compress_certificate').vec8(), 'compress_certificate list');
      while (cr.remaining >= 2) compressCertificate.push(cr.u16());
    } else if (e.type === 43) {
      supportedVersions = [];
      const vr = new Reader(new Reader(e.data, 'supported_versions').vec8(), 'supported_versions list');
      while (vr.remaining >= 2) supportedVersions.push(vr.u16());
    }
  }
  return {
    legacyVersion,
    random,
    sni,
    alpn,
    compressCertificate,
    supportedVersions,
    extensionTypes: exts.map((e) => e.type),
    cipherSuites,
  };
}

export interface ServerHelloInfo {
  legacyVersion: number;
  /** Negotiated version: supported_versions (43) when present, else legacy_version. */
  version: number;
  cipherSuite: number;
  helloRetryRequest: boolean;
  extensionTypes: number[];
}

export function parseServerHello(body: Buffer): ServerHelloInfo {
  const r = new Reader(body, 'ServerHello');
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  r.vec8(); // legacy_session_id_echo
  const cipherSuite = r.u16();
  r.u8(); // compression
  const exts = parseExtensions(r, 'ServerHello');
  let version = legacyVersion;
  for (const e of exts) if (e.type === 43 && e.data.length === 2) version = e.data.readUInt16BE(0);
  return {
    legacyVersion,
    version,
    cipherSuite,
    helloRetryRequest: random.equals(HRR_RANDOM),
    extensionTypes: exts.map((e) => e.type),
  };
}

export interface CertificateEntry {
  der: Uint8Array;
  /** TLS 1.3 CertificateEntry extensions (5 = OCSP status, 18 = SCT list); empty for TLS 1.2. */
  extensions: { type: number; data: Uint8Array }[];
}

/** Certificate message body (RFC 5246 §7.4.2 or RFC 8446 §4.4.2). DER bytes are copied. */
export function parseCertificateMessage(body: Buffer, tls13: boolean): CertificateEntry[] {
  const r = new Reader(body, 'Certificate');
  if (tls13) r.vec8(); // certificate_request_context
  const list = new Reader(r.vec24(), 'certificate_list');
  r.end();
  const out: CertificateEntry[] = [];
  while (list.remaining > 0) {
    const der = new Uint8Array(list.vec24());
    const extensions: CertificateEntry['extensions'] = [];
    if (tls13) {
      const er = new Reader(list.vec16(), 'CertificateEntry extensions');
      while (er.remaining > 0) {
        const type = er.u16();
        extensions.push({ type, data: new Uint8Array(er.vec16()) });
      }
    }
    out.push({ der, extensions });
  }
  return out;
}

/** CertificateStatus (TLS 1.2) or the body of a 1.3 entry's status_request (5) extension. */
export function parseCertificateStatus(body: Uint8Array): Uint8Array {
  const r = new Reader(Buffer.from(body.buffer, body.byteOffset, body.byteLength), 'CertificateStatus');
  const statusType = r.u8();
  if (statusType !== 1) throw new TlsParseError(`CertificateStatus type ${statusType} is not ocsp(1)`);
  const der = new Uint8Array(r.vec24());
  r.end();
  return der;
}

// ---------------------------------------------------------------------------------------------
// TLS 1.3 record protection

interface SuiteParams {
  hash: 'sha256' | 'sha384';
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm';
  keyLen: number;
  tagLen: number;
}

const TLS13_SUITES: Readonly<Record<number, SuiteParams>> = {
  0x1301: { hash: 'sha256', cipher: 'aes-128-gcm', keyLen: 16, tagLen: 16 },
  0x1302: { hash: 'sha384', cipher: 'aes-256-gcm', keyLen: 32, tagLen: 16 },
  0x1303: { hash: 'sha256', cipher: 'chacha20-poly1305', keyLen: 32, tagLen: 16 },
  0x1304: { hash: 'sha256', cipher: 'aes-128-ccm', keyLen: 16, tagLen: 16 },
  0x1305: { hash: 'sha256', cipher: 'aes-128-ccm', keyLen: 16, tagLen: 8 },
};

/** RFC 5869 HKDF-Expand only: crypto.hkdfSync always runs Extract first, which TLS 1.3 must not. */
export function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  // T(1) alone covers every TLS 1.3 key and IV: one HMAC and no joining on the hot path.
  let prev = createHmac(hash, prk).update(info).update(Buffer.from([1])).digest();
  if (length <= prev.length) return prev.subarray(0, length);
  const blocks: Buffer[] = [prev];
  let got = prev.length;
  for (let i = 2; got < length; i++) {
    prev = createHmac(hash, prk).update(prev).update(info).update(Buffer.from([i])).digest();
    blocks.push(prev);
    got += prev.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** RFC 8446 §7.1 HKDF-Expand-Label. */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([context.length]),
    context,
  ]);
  return hkdfExpand(hash, secret, info, length);
}

export interface Tls13Keys {
  suite: number;
  params: SuiteParams;
  key: Buffer;
  iv: Buffer;
}

export function tls13TrafficKeys(suite: number, secret: Buffer): Tls13Keys {
  const params = TLS13_SUITES[suite];
  if (params === undefined) throw new TlsParseError(`unknown TLS 1.3 cipher suite 0x${suite.toString(16)}`);
  const empty = Buffer.alloc(0);
  return {
    suite,
    params,
    key: hkdfExpandLabel(params.hash, secret, 'key', empty, params.keyLen),
    iv: hkdfExpandLabel(params.hash, secret, 'iv', empty, 12),
  };
}

/** Decrypts one TLSCiphertext; returns the inner content type and the content without padding. */
export function decryptTls13Record(keys: Tls13Keys, seq: bigint, header: Buffer, body: Buffer): { type: number; content: Buffer } {
  const { params } = keys;
  if (body.length < params.tagLen + 1) throw new TlsParseError('encrypted record shorter than its tag');
  const nonce = Buffer.from(keys.iv);
  const seqBuf = Buffer.alloc(8);
  seqBuf.writeBigUInt64BE(seq);
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seqBuf[i]!;
  const ct = body.subarray(0, body.length - params.tagLen);
  const tag = body.subarray(body.length - params.tagLen);
  let plain: Buffer;
  try {
    if (params.cipher === 'aes-128-ccm') {
      const d = createDecipheriv('aes-128-ccm', keys.key, nonce, { authTagLength: params.tagLen });
      d.setAuthTag(tag);
      d.setAAD(header, { plaintextLength: ct.length });
      plain = aeadOpen(d, ct);
    } else if (params.cipher === 'chacha20-poly1305') {
      const d = createDecipheriv('chacha20-poly1305', keys.key, nonce, { authTagLength: 16 });
      d.setAAD(header, { plaintextLength: ct.length });
      d.setAuthTag(tag);
      plain = aeadOpen(d, ct);
    } else {
      const d = createDecipheriv(params.cipher, keys.key, nonce, { authTagLength: 16 });
      d.setAAD(header);
      d.setAuthTag(tag);
      plain = aeadOpen(d, ct);
    }
  } catch {
    throw new DecryptError('decrypt failed (record authentication)');
  }
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  if (end === 0) throw new TlsParseError('encrypted record has no content type');
  return { type: plain[end - 1]!, content: plain.subarray(0, end - 1) };
}

export class DecryptError extends TlsParseError {}

/** update + final (which authenticates); AEAD modes return everything from update, so no copy. */
function aeadOpen(d: ReturnType<typeof createDecipheriv>, ct: Buffer): Buffer {
  const out = d.update(ct);
  const rest = d.final();
  return rest.length === 0 ? out : Buffer.concat([out, rest]);
}

// ---------------------------------------------------------------------------------------------
// Stream parsers

export interface AlertInfo {
  level: number;
  description: number;
  /** True when it came inside a TLS 1.3 protected record we decrypted. */
  encrypted: boolean;
}

export type ServerStopReason =
  | 'complete' // ServerHelloDone (1.2) or Finished (1.3) parsed
  | 'certificate' // TLS 1.3 Certificate parsed and `stopAfterCertificate` set: the rest was not decrypted
  | 'ccs' // TLS <= 1.2 ChangeCipherSpec: the rest is encrypted
  | 'alert'
  | 'not-tls'
  | 'too-large'
  | 'decrypt-failed'
  | 'compressed'
  | 'error';

/**
 * Parses the server -> client byte stream up to the end of the server's first handshake flight.
 * Feed every chunk as it arrives; call `setHandshakeSecret` when the keylog line arrives. After it
 * stops (see `stopped`), further input is ignored, so the caller may keep calling `feed` cheaply.
 */
export class ServerFlightParser {
  readonly maxBytes: number;
  readonly stopAfterCertificate: boolean;
  /** Bytes fed while parsing (bounded by maxBytes). */
  bytesSeen = 0;
  firstByte: number | undefined;
  serverHello: ServerHelloInfo | undefined;
  helloRetryRequest = false;
  /** The negotiated version as a number (0x0303, 0x0304), once a ServerHello was parsed. */
  version: number | undefined;
  certificates: CertificateEntry[] | null = null;
  ocsp: Uint8Array | null = null;
  alert: AlertInfo | undefined;
  stopped: ServerStopReason | undefined;
  /** Human-readable detail for stops other than 'complete'. */
  detail: string | undefined;
  /** Encrypted records seen after the 1.3 ServerHello. */
  encryptedRecords = 0;

  private records = new RecordSplitter();
  private plainHs: HandshakeAssembler;
  private encHs: HandshakeAssembler;
  private pending: TlsRecord[] = [];
  private keys: Tls13Keys | undefined;
  private seq = 0n;
  private tls13 = false;

  /**
   * `stopAfterCertificate`: in TLS 1.3, stop at the Certificate message (its entries carry the
   * OCSP staple) instead of decrypting CertificateVerify and Finished too. A live probe sets it:
   * Node's TLS stack checks those itself, and each decrypted record costs CPU on every probe.
   */
  constructor(opts: { maxBytes?: number; stopAfterCertificate?: boolean } = {}) {
    this.maxBytes = opts.maxBytes ?? 128 * 1024;
    this.stopAfterCertificate = opts.stopAfterCertificate ?? false;
    this.plainHs = new HandshakeAssembler(this.maxBytes);
    this.encHs = new HandshakeAssembler(this.maxBytes);
  }

  get isTls13(): boolean {
    return this.tls13;
  }

  /** Never throws. */
  feed(chunk: Uint8Array): void {
    if (this.stopped !== undefined || chunk.length === 0) return;
    try {
      if (this.firstByte === undefined) this.firstByte = chunk[0];
      this.bytesSeen += chunk.length;
      if (this.bytesSeen > this.maxBytes) {
        throw new FlightTooLargeError(`server handshake flight exceeds the ${this.maxBytes}-byte cap`);
      }
      this.records.push(chunk);
      for (let rec = this.records.next(); rec !== null && this.stopped === undefined; rec = this.records.next()) {
        this.onRecord(rec);
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** Secret bytes for the server handshake traffic keys (TLS 1.3). Never throws. */
  setHandshakeSecret(secret: Buffer): void {
    if (this.keys !== undefined || this.stopped !== undefined) return;
    try {
      if (this.serverHello === undefined || !this.tls13) {
        this.pendingSecret = secret;
        return;
      }
      this.keys = tls13TrafficKeys(this.serverHello.cipherSuite, secret);
      this.drainEncrypted();
    } catch (e) {
      this.fail(e);
    }
  }
  private pendingSecret: Buffer | undefined;

  get hasSecret(): boolean {
    return this.keys !== undefined || this.pendingSecret !== undefined;
  }

  /** True once the flight we care about is fully parsed and the tap can stop looking. */
  get done(): boolean {
    return this.stopped !== undefined;
  }

  /** Why `certificates` is null (undefined when they were captured). */
  notCapturedReason(): string | undefined {
    if (this.certificates !== null) return undefined;
    switch (this.stopped) {
      case 'not-tls':
        return `server did not speak TLS (${this.detail ?? 'not a TLS record'})`;
      case 'alert':
        return `server sent alert ${describeAlert(this.alert?.description)} before its Certificate message`;
      case 'too-large':
        return this.detail ?? 'server handshake flight too large';
      case 'decrypt-failed':
        return 'could not decrypt the TLS 1.3 handshake flight';
      case 'compressed':
        return 'server sent a compressed certificate (RFC 8879), which is not decoded';
      case 'ccs':
      case 'complete':
        return 'server sent no Certificate message (resumed session or PSK)';
      case 'error':
        return `could not parse the server handshake (${this.detail ?? 'parse error'})`;
      default:
        break;
    }
    if (this.firstByte === undefined) return 'server sent nothing';
    if (this.serverHello === undefined) return 'handshake ended before the ServerHello';
    if (this.tls13 && !this.hasSecret) return 'TLS 1.3 handshake secret not available';
    return 'handshake ended before the Certificate message';
  }

  private fail(e: unknown): void {
    if (this.stopped !== undefined) return;
    const msg = e instanceof Error ? e.message : String(e);
    this.detail = msg;
    if (e instanceof NotTlsError) this.stopped = 'not-tls';
    else if (e instanceof FlightTooLargeError) this.stopped = 'too-large';
    else if (e instanceof DecryptError) this.stopped = 'decrypt-failed';
    else this.stopped = 'error';
    this.release();
  }

  private stop(reason: ServerStopReason): void {
    this.stopped = reason;
    this.release();
  }

  /** Drop buffers and key material once parsing ends. */
  private release(): void {
    this.records = new RecordSplitter();
    this.pending = [];
    this.keys = undefined;
    this.pendingSecret = undefined;
  }

  private onRecord(rec: TlsRecord): void {
    switch (rec.type) {
      case ContentType.Alert:
        // An unprotected alert: before the 1.3 ServerHello, or anything before a 1.2 CCS.
        if (rec.body.length >= 2) {
          this.alert = { level: rec.body[0]!, description: rec.body[1]!, encrypted: false };
          // Warnings (e.g. unrecognized_name at level 1) do not end the handshake.
          if (rec.body[0] !== 1 || rec.body[1] === 0) this.stop('alert');
        }
        return;
      case ContentType.ChangeCipherSpec:
        if (this.tls13 || this.helloRetryRequest) return; // middlebox-compatibility CCS
        this.stop('ccs');
        return;
      case ContentType.Handshake:
        if (this.tls13) throw new TlsParseError('unprotected handshake record after the TLS 1.3 ServerHello');
        this.plainHs.push(rec.body);
        for (let m = this.plainHs.next(); m !== null && this.stopped === undefined; m = this.plainHs.next()) {
          this.onPlainMessage(m);
        }
        return;
      case ContentType.ApplicationData:
        if (!this.tls13) throw new TlsParseError('application data before the handshake completed');
        this.encryptedRecords++;
        this.pending.push(rec);
        this.drainEncrypted();
        return;
      default:
        return; // heartbeat (24): ignore
    }
  }

  private onPlainMessage(m: HandshakeMessage): void {
    switch (m.type) {
      case HandshakeType.ServerHello: {
        const sh = parseServerHello(m.body);
        if (sh.helloRetryRequest) {
          // Still TLS 1.3; a second ServerHello follows the client's second ClientHello.
          this.helloRetryRequest = true;
          this.version = sh.version;
          return;
        }
        this.serverHello = sh;
        this.version = sh.version;
        if (sh.version === 0x0304) {
          this.tls13 = true;
          if (this.plainHs.buffered > 0) throw new TlsParseError('handshake data after the TLS 1.3 ServerHello in the same record');
          if (this.pendingSecret !== undefined) {
            const s = this.pendingSecret;
            this.pendingSecret = undefined;
            this.keys = tls13TrafficKeys(sh.cipherSuite, s);
          }
        }
        return;
      }
      case HandshakeType.Certificate:
        this.certificates = parseCertificateMessage(m.body, false);
        return;
      case HandshakeType.CertificateStatus:
        this.ocsp = parseCertificateStatus(m.body);
        return;
      case HandshakeType.CompressedCertificate:
        this.stop('compressed');
        return;
      case HandshakeType.ServerHelloDone:
        this.stop('complete');
        return;
      default:
        return; // ServerKeyExchange, CertificateRequest, HelloRequest
    }
  }

  private drainEncrypted(): void {
    if (this.keys === undefined) return;
    while (this.pending.length > 0 && this.stopped === undefined) {
      const rec = this.pending.shift()!;
      const { type, content } = decryptTls13Record(this.keys, this.seq, rec.header, rec.body);
      this.seq++;
      if (type === ContentType.Alert) {
        if (content.length >= 2) this.alert = { level: content[0]!, description: content[1]!, encrypted: true };
        this.stop('alert');
        return;
      }
      if (type !== ContentType.Handshake) throw new TlsParseError(`inner content type ${type} inside the handshake flight`);
      this.encHs.push(content);
      for (let m = this.encHs.next(); m !== null && this.stopped === undefined; m = this.encHs.next()) {
        this.onEncryptedMessage(m);
      }
    }
  }

  private onEncryptedMessage(m: HandshakeMessage): void {
    switch (m.type) {
      case HandshakeType.Certificate: {
        const entries = parseCertificateMessage(m.body, true);
        this.certificates = entries;
        const status = entries[0]?.extensions.find((e) => e.type === 5);
        if (status !== undefined) this.ocsp = parseCertificateStatus(status.data);
        if (this.stopAfterCertificate) this.stop('certificate');
        return;
      }
      case HandshakeType.CompressedCertificate:
        this.stop('compressed');
        return;
      case HandshakeType.Finished:
        this.stop('complete');
        return;
      default:
        return; // EncryptedExtensions, CertificateRequest, CertificateVerify
    }
  }
}

/**
 * Parses the client -> server stream (what Node's TLS stack wrote): the first ClientHello, a second
 * one after HRR, and any unprotected alert we sent. Bounded; never throws.
 */
export class ClientFlightParser {
  hello: ClientHelloInfo | undefined;
  helloCount = 0;
  alert: AlertInfo | undefined;
  detail: string | undefined;
  stopped = false;
  private afterCcs = false;
  private bytes = 0;
  private records = new RecordSplitter();
  private hs: HandshakeAssembler;
  constructor(private readonly maxBytes = 64 * 1024) {
    this.hs = new HandshakeAssembler(maxBytes);
  }
  feed(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    try {
      this.bytes += chunk.length;
      if (this.bytes > this.maxBytes) throw new TlsParseError('client flight larger than expected');
      this.records.push(chunk);
      for (let rec = this.records.next(); rec !== null && !this.stopped; rec = this.records.next()) {
        if (rec.type === ContentType.Handshake) {
          // After our CCS only a second ClientHello (TLS 1.3 after HRR) is still in the clear; a
          // TLS 1.2 Finished is encrypted, so anything else ends the parse.
          if (this.afterCcs && (this.hs.buffered > 0 || rec.body[0] !== HandshakeType.ClientHello)) {
            this.stop();
            return;
          }
          this.hs.push(rec.body);
          for (let m = this.hs.next(); m !== null; m = this.hs.next()) {
            if (m.type === HandshakeType.ClientHello) {
              const ch = parseClientHello(m.body);
              this.helloCount++;
              if (this.hello === undefined) this.hello = ch;
            }
          }
        } else if (rec.type === ContentType.Alert) {
          if (rec.body.length >= 2) this.alert = { level: rec.body[0]!, description: rec.body[1]!, encrypted: false };
        } else {
          // Protected data: nothing further is readable in the clear.
          if (rec.type !== ContentType.ChangeCipherSpec) this.stop();
          else this.afterCcs = true;
        }
      }
    } catch (e) {
      this.detail = e instanceof Error ? e.message : String(e);
      this.stop();
    }
  }
  private stop(): void {
    this.stopped = true;
    this.records = new RecordSplitter();
  }
}

export function describeAlert(n: number | undefined): string {
  if (n === undefined) return '(unknown)';
  const name = ALERT_NAMES[n];
  return name === undefined ? String(n) : `${n} (${name})`;
}
