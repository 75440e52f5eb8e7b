/**
 * TLS handshake with an exact capture of the certificate list the server sent (capture.md).
 *
 * Node's own TLS stack does the handshake over a passive tap (a Duplex between tls.connect and our
 * TCP socket). The tap copies the bytes in both directions into the pure parsers of
 * tlsrecords.ts; TLS 1.3's encrypted flight is decrypted with the server handshake secret from the
 * 'keylog' event. getPeerCertificate(true) is never used for the chain: it reorders, drops and
 * appends certificates.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { Duplex } from 'node:stream';
import { ClientFlightParser, ServerFlightParser, TLS_VERSION_NAMES, describeAlert } from './tlsrecords.js';
import { nowMs } from '../clock.js';

export interface TlsHandshakeOptions {
  /** An already-connected TCP socket we own (DNS/TCP done elsewhere). */
  socket: net.Socket;
  /** SNI to send; undefined (or an IP literal, or '') sends none. */
  servername?: string;
  /** Absolute epoch ms; when reached, everything is destroyed and the result is a 'timeout' failure. */
  deadline: number;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /** ALPN protocols to offer; default none. */
  alpn?: string[];
  /** Cap on buffered server handshake bytes, default 128 KiB. */
  maxFlightBytes?: number;
  /** OpenSSL cipher string (TLS 1.2 names and TLS_* 1.3 suites); default Node's. Needed for TLS 1.0/1.1 (SECLEVEL=0). */
  ciphers?: string;
}

export interface TlsFailure {
  kind: 'timeout' | 'reset' | 'closed' | 'alert' | 'plaintext' | 'cert-too-large' | 'protocol' | 'other';
  /** Node error code, e.g. ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE, ECONNRESET. */
  code?: string;
  /** TLS alert number when known (40, 70, 112, ...). */
  alert?: number;
  /** Who sent `alert`: the server (kind 'alert'), or our client rejecting the server (kind 'protocol'). */
  alertFrom?: 'server' | 'client';
  /** One line, human readable. */
  message: string;
}

export interface CertificateEntryExtension {
  type: number;
  data: Uint8Array;
}

export interface TlsObservation {
  ok: boolean;
  protocol?: string;
  cipher?: { name: string; standardName?: string; version?: string };
  /** SNI parsed from our ClientHello on the wire, not from options. */
  sniSent: string | null;
  alpn?: string | false;
  /** DER list exactly as sent; null when not captured. */
  presented: Uint8Array[] | null;
  /** TLS 1.3 CertificateEntry extensions per presented certificate (5 = OCSP, 18 = SCT); absent for TLS 1.2. */
  entryExtensions?: CertificateEntryExtension[][];
  notCapturedReason?: string;
  ocspStapled: boolean;
  ocspResponse?: Uint8Array;
  sessionReused: boolean;
  /** What the tap read from the ServerHello on the wire. */
  wire?: { version?: number; cipherSuite?: number; helloRetryRequest: boolean };
  failure?: TlsFailure;
  timings: { handshakeMs: number };
}

export interface TlsHandshakeResult {
  observation: TlsObservation;
  /** The live socket when the handshake succeeded; the caller owns it (and must destroy it). */
  socket?: tls.TLSSocket;
}

const DEFAULT_MAX_FLIGHT = 128 * 1024;

/**
 * One SecureContext per (min, max, ciphers): passing options per connection rebuilds a context each
 * time, which halves throughput (perf-notes §10.1). `ca: []` gives an empty trust store so OpenSSL
 * neither appends issuers from NODE_EXTRA_CA_CERTS nor spends time on checkServerIdentity;
 * judging trust is not this module's job.
 */
const contexts = new Map<string, tls.SecureContext>();
function sharedContext(min?: tls.SecureVersion, max?: tls.SecureVersion, ciphers?: string): tls.SecureContext {
  const key = `${min ?? ''}|${max ?? ''}|${ciphers ?? ''}`;
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    const o: tls.SecureContextOptions = { ca: [] };
    if (min !== undefined) o.minVersion = min;
    if (max !== undefined) o.maxVersion = max;
    if (ciphers !== undefined) o.ciphers = ciphers;
    ctx = tls.createSecureContext(o);
    contexts.set(key, ctx);
  }
  return ctx;
}

/** The SNI we may send: never an IP literal (RFC 6066 §3; Node would send it and print DEP0123). */
export function sniFor(servername: string | undefined): string | undefined {
  if (servername === undefined || servername === '') return undefined;
  const bare = servername.startsWith('[') && servername.endsWith(']') ? servername.slice(1, -1) : servername;
  if (net.isIP(bare) !== 0) return undefined;
  // An IPv6 literal with a zone id ("fe80::1%eth0") is not accepted by isIP but is still an address.
  if (bare.includes(':')) return undefined;
  return servername;
}

/** OpenSSL reason strings for received alerts (reason code 1000 + alert) as Node spells them. */
const ALERT_REASONS: Readonly<Record<string, number>> = {
  SSLV3_ALERT_UNEXPECTED_MESSAGE: 10,
  SSLV3_ALERT_BAD_RECORD_MAC: 20,
  TLSV1_ALERT_DECRYPTION_FAILED: 21,
  TLSV1_ALERT_RECORD_OVERFLOW: 22,
  SSLV3_ALERT_DECOMPRESSION_FAILURE: 30,
  SSLV3_ALERT_HANDSHAKE_FAILURE: 40,
  SSLV3_ALERT_NO_CERTIFICATE: 41,
  SSLV3_ALERT_BAD_CERTIFICATE: 42,
  SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 43,
  SSLV3_ALERT_CERTIFICATE_REVOKED: 44,
  SSLV3_ALERT_CERTIFICATE_EXPIRED: 45,
  SSLV3_ALERT_CERTIFICATE_UNKNOWN: 46,
  SSLV3_ALERT_ILLEGAL_PARAMETER: 47,
  TLSV1_ALERT_UNKNOWN_CA: 48,
  TLSV1_ALERT_ACCESS_DENIED: 49,
  TLSV1_ALERT_DECODE_ERROR: 50,
  TLSV1_ALERT_DECRYPT_ERROR: 51,
  TLSV1_ALERT_EXPORT_RESTRICTION: 60,
  TLSV1_ALERT_PROTOCOL_VERSION: 70,
  TLSV1_ALERT_INSUFFICIENT_SECURITY: 71,
  TLSV1_ALERT_INTERNAL_ERROR: 80,
  TLSV1_ALERT_INAPPROPRIATE_FALLBACK: 86,
  TLSV1_ALERT_USER_CANCELLED: 90,
  TLSV1_ALERT_NO_RENEGOTIATION: 100,
  TLSV13_ALERT_MISSING_EXTENSION: 109,
  TLSV1_UNSUPPORTED_EXTENSION: 110,
  TLSV1_CERTIFICATE_UNOBTAINABLE: 111,
  TLSV1_UNRECOGNIZED_NAME: 112,
  TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE: 113,
  TLSV1_BAD_CERTIFICATE_HASH_VALUE: 114,
  TLSV1_ALERT_UNKNOWN_PSK_IDENTITY: 115,
  TLSV13_ALERT_CERTIFICATE_REQUIRED: 116,
  TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 120,
};

/** The alert number a Node error code names, when it is a received-alert code. */
export function alertFromErrorCode(code: string | undefined): number | undefined {
  if (code === undefined || !code.startsWith('ERR_SSL_')) return undefined;
  return ALERT_REASONS[code.slice('ERR_SSL_'.length)];
}

function errCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

const noop = (): void => {};
const HANDSHAKE_SECRET = 'SERVER_HANDSHAKE_TRAFFIC_SECRET ';

export function tlsHandshake(opts: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
  return new Promise<TlsHandshakeResult>((resolve) => {
    const start = nowMs();
    const raw = opts.socket;
    const server = new ServerFlightParser({ maxBytes: opts.maxFlightBytes ?? DEFAULT_MAX_FLIGHT, stopAfterCertificate: true });
    const client = new ClientFlightParser();
    let parsing = true;
    let settled = false;
    let timedOut = false;
    let rawEnded = false;
    let rawError: unknown;
    let tlsError: unknown;
    let ocspEvent: Buffer | null | undefined;
    let tlsSock: tls.TLSSocket | undefined;
    let timer: NodeJS.Timeout | undefined;
    let closeCheck: NodeJS.Immediate | undefined;

    const baseObservation = (): TlsObservation => {
      const obs: TlsObservation = {
        ok: false,
        sniSent: client.hello?.sni ?? null,
        presented: null,
        ocspStapled: false,
        sessionReused: false,
        timings: { handshakeMs: nowMs() - start },
      };
      if (server.version !== undefined) obs.protocol = TLS_VERSION_NAMES[server.version] ?? `0x${server.version.toString(16)}`;
      if (server.serverHello !== undefined || server.helloRetryRequest) {
        const wire: NonNullable<TlsObservation['wire']> = { helloRetryRequest: server.helloRetryRequest };
        if (server.version !== undefined) wire.version = server.version;
        if (server.serverHello !== undefined) wire.cipherSuite = server.serverHello.cipherSuite;
        obs.wire = wire;
      }
      if (server.certificates !== null) {
        obs.presented = server.certificates.map((e) => e.der);
        if (server.isTls13) obs.entryExtensions = server.certificates.map((e) => e.extensions);
      } else {
        obs.notCapturedReason = timedOut && server.stopped === undefined
          ? `deadline reached: ${server.notCapturedReason() ?? 'before the Certificate message'}`
          : server.notCapturedReason() ?? 'not captured';
      }
      const ocsp = ocspEvent ?? server.ocsp;
      if (ocsp !== null && ocsp !== undefined) {
        obs.ocspStapled = true;
        obs.ocspResponse = new Uint8Array(ocsp);
      }
      return obs;
    };

    // ---- the tap: pass-through pump between Node's TLS stack and the raw socket
    const tap = new Duplex({
      read() {
        raw.resume();
      },
      write(chunk: Buffer, _enc, cb) {
        if (parsing) client.feed(chunk);
        if (raw.destroyed || !raw.writable) {
          cb(Object.assign(new Error('socket closed'), { code: 'EPIPE' }));
          return;
        }
        raw.write(chunk, cb);
      },
      final(cb) {
        raw.end();
        cb();
      },
      destroy(err, cb) {
        raw.destroy();
        cb(err);
      },
    });
    const onRawData = (chunk: Buffer): void => {
      if (parsing) server.feed(chunk);
      if (!tap.push(chunk)) raw.pause();
    };
    const onRawEnd = (): void => {
      rawEnded = true;
      tap.push(null);
    };
    const onRawErrorPump = (e: Error): void => {
      if (settled) tap.destroy(e);
    };
    const onRawClosePump = (): void => {
      if (settled && !tap.destroyed) tap.destroy();
    };

    // ---- settling
    const classify = (): TlsFailure => {
      if (timedOut) return { kind: 'timeout', message: 'TLS handshake did not complete before the deadline' };
      const tlsCode = errCode(tlsError);
      const rawCode = errCode(rawError);
      const alert = server.alert;
      if (alert !== undefined && (alert.level !== 1 || server.stopped === 'alert')) {
        const f: TlsFailure = { kind: 'alert', alert: alert.description, alertFrom: 'server', message: `server sent TLS alert ${describeAlert(alert.description)}` };
        if (tlsCode !== undefined) f.code = tlsCode;
        return f;
      }
      if (server.stopped === 'not-tls' || tlsCode === 'ERR_SSL_WRONG_VERSION_NUMBER') {
        const b = server.firstByte;
        const looksHttp = b !== undefined && b >= 0x41 && b <= 0x5a;
        const f: TlsFailure = {
          kind: 'plaintext',
          message: looksHttp ? 'server answered in plaintext (looks like HTTP), not TLS' : 'server answered with bytes that are not TLS',
        };
        if (tlsCode !== undefined) f.code = tlsCode;
        return f;
      }
      if (rawCode === 'ECONNRESET' || rawCode === 'EPIPE') {
        return { kind: 'reset', code: rawCode, message: 'connection reset during the TLS handshake' };
      }
      if (tlsCode === 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE' || server.stopped === 'too-large') {
        const f: TlsFailure = { kind: 'cert-too-large', message: 'server certificate message too large (over the client limit of about 100 KiB)' };
        if (tlsCode !== undefined) f.code = tlsCode;
        return f;
      }
      const codeAlert = alertFromErrorCode(tlsCode);
      if (codeAlert !== undefined) {
        return { kind: 'alert', code: tlsCode!, alert: codeAlert, alertFrom: 'server', message: `server sent TLS alert ${describeAlert(codeAlert)}` };
      }
      if (rawEnded) {
        const f: TlsFailure = { kind: 'closed', message: 'server closed the connection during the TLS handshake' };
        if (tlsCode !== undefined) f.code = tlsCode;
        return f;
      }
      if (tlsCode === 'ECONNRESET') return { kind: 'reset', code: tlsCode, message: 'connection reset during the TLS handshake' };
      if (tlsCode !== undefined && tlsCode.startsWith('ERR_SSL_')) {
        const f: TlsFailure = { kind: 'protocol', code: tlsCode, message: `TLS handshake failed: ${oneLine(tlsError)}` };
        if (client.alert !== undefined) {
          f.alert = client.alert.description;
          f.alertFrom = 'client';
        }
        return f;
      }
      if (tlsError === undefined && rawError === undefined) {
        return { kind: 'closed', message: 'connection closed during the TLS handshake' };
      }
      const f: TlsFailure = { kind: 'other', message: `TLS handshake failed: ${oneLine(tlsError ?? rawError)}` };
      const code = tlsCode ?? rawCode;
      if (code !== undefined) f.code = code;
      return f;
    };

    const detach = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (closeCheck !== undefined) clearImmediate(closeCheck);
      raw.removeListener('error', onRawErrorSettle);
      raw.removeListener('close', onRawCloseSettle);
      if (tlsSock !== undefined) {
        tlsSock.removeListener('secureConnect', onSecure);
        tlsSock.removeListener('error', onTlsError);
        tlsSock.removeListener('close', onTlsClose);
        tlsSock.removeListener('keylog', onKeylog);
        tlsSock.removeListener('OCSPResponse', onOcsp);
      }
    };

    const fail = (): void => {
      if (settled) return;
      settled = true;
      detach();
      const observation = baseObservation();
      observation.failure = classify();
      parsing = false;
      // Late errors from a half-torn-down stack must not become uncaught exceptions.
      raw.on('error', noop);
      tap.on('error', noop);
      tlsSock?.on('error', noop);
      tlsSock?.destroy();
      tap.destroy();
      raw.destroy();
      raw.removeListener('data', onRawData);
      raw.removeListener('end', onRawEnd);
      raw.removeListener('error', onRawErrorPump);
      raw.removeListener('close', onRawClosePump);
      resolve({ observation });
    };

    const onSecure = (): void => {
      if (settled || tlsSock === undefined) return;
      settled = true;
      detach();
      const s = tlsSock;
      const observation = baseObservation();
      parsing = false;
      observation.ok = true;
      const proto = s.getProtocol();
      if (proto !== null) observation.protocol = proto;
      const c = s.getCipher();
      observation.cipher = { name: c.name, standardName: c.standardName, version: c.version };
      observation.alpn = s.alpnProtocol ?? false;
      observation.sessionReused = s.isSessionReused();
      // The caller owns the socket now; make sure the TCP socket goes with it.
      s.once('close', () => raw.destroy());
      resolve({ observation, socket: s });
    };
    const onTlsError = (e: Error): void => {
      tlsError ??= e;
      fail();
    };
    const onTlsClose = (): void => {
      fail();
    };
    const onRawErrorSettle = (e: Error): void => {
      rawError ??= e;
      fail();
    };
    const onRawCloseSettle = (): void => {
      // Let the TLS stack read what was already pushed (an alert, say) before judging.
      closeCheck ??= setImmediate(() => setImmediate(fail));
    };
    const onOcsp = (r: Buffer | null): void => {
      ocspEvent = r;
    };
    const onKeylog = (line: Buffer): void => {
      if (!parsing || line.length < HANDSHAKE_SECRET.length) return;
      if (line.toString('latin1', 0, HANDSHAKE_SECRET.length) !== HANDSHAKE_SECRET) return;
      const parts = line.toString('latin1').trim().split(' ');
      const random = parts[1];
      const secretHex = parts[2];
      if (random === undefined || secretHex === undefined) return;
      if (client.hello !== undefined && client.hello.random.toString('hex') !== random.toLowerCase()) return;
      server.setHandshakeSecret(Buffer.from(secretHex, 'hex'));
    };

    if (raw.destroyed || !raw.writable || !raw.readable) {
      settled = true;
      const observation = baseObservation();
      observation.failure = { kind: 'closed', message: 'socket was already closed before the TLS handshake' };
      raw.destroy();
      resolve({ observation });
      return;
    }

    raw.on('data', onRawData);
    raw.on('end', onRawEnd);
    raw.on('error', onRawErrorPump);
    raw.on('close', onRawClosePump);
    raw.on('error', onRawErrorSettle);
    raw.on('close', onRawCloseSettle);

    const remaining = opts.deadline - Date.now();
    timer = setTimeout(() => {
      timedOut = true;
      fail();
    }, Math.max(0, remaining));

    // requestOCSP is honoured by tls.connect (it builds the TLSSocket) but missing from its typings.
    const connectOpts: tls.ConnectionOptions & { requestOCSP: boolean } = {
      socket: tap,
      secureContext: sharedContext(opts.minVersion, opts.maxVersion, opts.ciphers),
      rejectUnauthorized: false,
      requestOCSP: true,
    };
    const sni = sniFor(opts.servername);
    if (sni !== undefined) connectOpts.servername = sni;
    if (opts.alpn !== undefined && opts.alpn.length > 0) connectOpts.ALPNProtocols = opts.alpn;
    try {
      tlsSock = tls.connect(connectOpts);
    } catch (e) {
      tlsError = e;
      fail();
      return;
    }
    tlsSock.on('keylog', onKeylog);
    tlsSock.once('OCSPResponse', onOcsp);
    tlsSock.once('secureConnect', onSecure);
    tlsSock.on('error', onTlsError);
    tlsSock.once('close', onTlsClose);
    if (remaining <= 0) {
      timedOut = true;
      fail();
    }
  });
}

function oneLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/[\r\n]+/g, ' ').replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}
