/**
 * The capture tap's flight parsers (capture.md): they sit on the two directions of a probe's TLS
 * connection and read the server's first handshake flight (ServerHello, Certificate, the OCSP
 * staple, alerts; in TLS 1.3 by decrypting with the SERVER_HANDSHAKE_TRAFFIC_SECRET from Node's
 * 'keylog' event) and the ClientHello we sent. The wire pieces they drive live beside them:
 * tls-framing.ts (records, reassembly), tls-messages.ts (message bodies), tls13-decrypt.ts
 * (TLS 1.3 keys and record decryption).
 *
 * Nothing here throws out of `feed`: the parsers run inside stream callbacks, so every problem is
 * recorded as a reason and the parser stops (the TLS connection itself is unaffected).
 */
import {
  ContentType, FlightTooLargeError, HandshakeAssembler, NotTlsError, RecordSplitter, TlsParseError, describeAlert,
  type AlertInfo, type HandshakeMessage, type TlsRecord,
} from './tls-framing.js';
import {
  HandshakeType, parseCertificateMessage, parseCertificateStatus, parseClientHello, parseServerHello,
  type CertificateEntry, type ClientHelloInfo, type ServerHelloInfo,
} from './tls-messages.js';
import { DecryptError, decryptTls13Record, tls13TrafficKeys, type Tls13Keys } from './tls13-decrypt.js';

// The tap's importers (capture/tls.ts) print versions and alerts; they keep one import.
export { TLS_VERSION_NAMES, describeAlert, type AlertInfo } from './tls-framing.js';

/** Why the server flight parser stopped reading. */
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
