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
import { ClientFlightParser, ServerFlightParser, TLS_VERSION_NAMES } from './tlsrecords.js';
import { classifyTlsFailure, type ObservedError, type TlsFailure, type TlsFailureFacts } from './tls-failure.js';

export { alertFromErrorCode, classifyTlsFailure, type TlsFailure, type TlsFailureFacts, type ObservedError } from './tls-failure.js';
import { nowMs } from '../clock.js';

/** How to run one handshake over a socket the caller already connected. */
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

/** A TLS 1.3 CertificateEntry extension (RFC 8446 §4.4.2), raw. */
export interface CertificateEntryExtension {
  type: number;
  data: Uint8Array;
}

/** What one handshake showed: facts only, judged elsewhere. */
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

/** A handshake's observation, and its socket when it succeeded. */
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

function errCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

const noop = (): void => {};
const HANDSHAKE_SECRET = 'SERVER_HANDSHAKE_TRAFFIC_SECRET ';

/**
 * Run a TLS handshake over `opts.socket` with Node's TLS stack behind a passive tap, and record
 * the certificate list exactly as sent. Never rejects: a failed handshake is an observation with
 * `failure` set (classified by tls-failure.ts), and the socket is then destroyed.
 */
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
    const observedError = (e: unknown): ObservedError | undefined => {
      if (e === undefined) return undefined;
      const o: ObservedError = { message: oneLine(e) };
      const code = errCode(e);
      if (code !== undefined) o.code = code;
      return o;
    };
    const classify = (): TlsFailure => {
      const facts: TlsFailureFacts = { timedOut, rawEnded };
      const t = observedError(tlsError), r = observedError(rawError);
      if (t !== undefined) facts.tlsError = t;
      if (r !== undefined) facts.rawError = r;
      if (server.alert !== undefined) facts.serverAlert = { level: server.alert.level, description: server.alert.description };
      if (server.stopped !== undefined) facts.serverStopped = server.stopped;
      if (server.firstByte !== undefined) facts.firstByte = server.firstByte;
      if (client.alert !== undefined) facts.clientAlert = client.alert.description;
      return classifyTlsFailure(facts);
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
