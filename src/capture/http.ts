/**
 * HTTP stage of the live probe: one GET over an already-connected stream (the TLSSocket after the
 * handshake, or the plain TCP socket for Http settings), judged later by pure checks.
 *
 * Node's own client parser (llhttp, strict mode) is used so that malformed responses are refused
 * exactly as a strict HTTP/1.1 client refuses them, with stable HPE_* codes. Around it we add what
 * Node lacks (reliability-catalog.md §3/§4): an absolute deadline over the whole exchange, a body
 * prefix cap, interim (1xx) responses counted against the header cap, and no redirects, proxies
 * or connection reuse.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import type * as stream from 'node:stream';
import { InputError } from '../model/errors.js';

export interface HttpProbeOptions {
  hostHeader: string;
  path: string;
  /** Absolute deadline, epoch milliseconds (`Date.now()` clock), shared with the earlier stages. */
  deadline: number;
  /** Cap on response header bytes, interim 1xx responses included. Default 16 KiB (Node's default). */
  maxHeaderBytes?: number;
  /** Cap on body bytes kept; reading stops there. Default 64 KiB. */
  maxBodyBytes?: number;
}

export interface HttpObservation {
  /** A parseable response status line + headers arrived (an `error` may still follow, e.g. a stalled body). */
  ok: boolean;
  status?: number;
  statusText?: string;
  /** Raw order, names as sent. */
  headers?: [string, string][];
  /** Location header if any (never followed). */
  location?: string;
  /** At most maxBodyBytes of the (transfer-decoded) body. */
  bodyPrefix: Uint8Array;
  /** We stopped reading before the end of the body. */
  bodyTruncated: boolean;
  /** 'invalid' for HPE_* parser errors and header overflow. */
  error?: { kind: 'timeout' | 'invalid' | 'closed' | 'reset' | 'other'; code?: string; message: string };
  /** Request written → response end (or prefix cap, or the error). */
  ms: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const PROBE_USER_AGENT = 'certcheck (Application Gateway probe emulation)';

type HttpError = NonNullable<HttpObservation['error']>;

function positiveInt(v: number | undefined, dflt: number, what: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new InputError(`${what} must be a positive integer, got ${String(v)}`);
  return v;
}

function checkRequestTarget(opts: HttpProbeOptions): void {
  // Both end up verbatim in the request head; anything outside visible ASCII would be either
  // rejected by Node mid-flight or a header-injection vector.
  if (typeof opts.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(opts.path)) {
    throw new InputError(`probe path ${JSON.stringify(String(opts.path).slice(0, 80))} must start with "/" and contain only visible ASCII (percent-encode the rest)`);
  }
  if (typeof opts.hostHeader !== 'string' || !/^[\x21-\x7e]+$/.test(opts.hostHeader)) {
    throw new InputError(`probe Host header ${JSON.stringify(String(opts.hostHeader).slice(0, 80))} must be non-empty visible ASCII (use the IDN A-label form)`);
  }
}

/** Bytes a response head occupied on the wire, rebuilt from what the parser reports. */
function headBytes(version: string, status: number, reason: string, raw: string[]): number {
  let n = `HTTP/${version} ${status} ${reason}\r\n`.length + 2;
  for (let i = 0; i + 1 < raw.length; i += 2) n += raw[i]!.length + 2 + raw[i + 1]!.length + 2;
  return n;
}

function pairs(raw: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

function classify(e: unknown): HttpError {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (code?.startsWith('HPE_')) return { kind: 'invalid', code, message };
  // Node reports an orderly close with a synthetic ECONNRESET; only a real RST carries a syscall.
  if (message === 'socket hang up') return { kind: 'closed', message: 'connection closed before a response arrived' };
  if (message === 'aborted') return { kind: 'closed', message: 'connection closed before the response was complete' };
  switch (code) {
    case 'ECONNRESET': return { kind: 'reset', code, message };
    case 'EPIPE':
    case 'ERR_STREAM_DESTROYED':
    case 'ERR_STREAM_WRITE_AFTER_END':
    case 'ERR_STREAM_PREMATURE_CLOSE': return { kind: 'closed', code, message };
    default: return { kind: 'other', ...(code ? { code } : {}), message };
  }
}

/**
 * Send the probe's GET over `socket` and observe the response. Resolves exactly once, always with
 * an observation (rejects only with InputError for a malformed path/Host/cap), and always
 * destroys `socket` before resolving.
 */
export function httpGet(socket: stream.Duplex, opts: HttpProbeOptions): Promise<HttpObservation> {
  // A late error on a socket we are done with must never become an unhandled 'error'.
  socket.on('error', () => undefined);
  let maxHeader: number;
  let maxBody: number;
  try {
    checkRequestTarget(opts);
    maxHeader = positiveInt(opts.maxHeaderBytes, DEFAULT_MAX_HEADER_BYTES, 'maxHeaderBytes');
    maxBody = positiveInt(opts.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 'maxBodyBytes');
  } catch (e) {
    socket.destroy();
    return Promise.reject(e);
  }

  return new Promise<HttpObservation>((resolve) => {
    const t0 = performance.now();
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let head: Pick<HttpObservation, 'status' | 'statusText' | 'headers' | 'location'> | undefined;
    let res: http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let got = 0;
    let truncated = false;
    let interimBytes = 0;

    const finish = (error?: HttpError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const obs: HttpObservation = {
        ok: head !== undefined,
        ...(head ?? {}),
        bodyPrefix: new Uint8Array(Buffer.concat(chunks, got)),
        bodyTruncated: truncated,
        ...(error ? { error } : {}),
        ms: Math.round((performance.now() - t0) * 10) / 10,
      };
      res?.removeAllListeners('data');
      socket.destroy();
      resolve(obs);
    };

    // Node's client would wait forever for 'close' events that already fired on such a socket.
    if (socket.destroyed || !socket.writable) {
      finish({ kind: 'closed', message: 'connection was already closed before the request could be sent' });
      return;
    }
    const left = opts.deadline - Date.now();
    if (left <= 0) {
      finish({ kind: 'timeout', message: 'no time left for the HTTP request' });
      return;
    }
    timer = setTimeout(() => {
      finish({
        kind: 'timeout',
        message: head
          ? `response body not complete within the deadline (${left} ms)`
          : `no complete response status line and headers within the deadline (${left} ms)`,
      });
    }, left);

    let req: http.ClientRequest;
    try {
      req = http.request({
        // No `agent` at all: `agent: false` makes Node build a fresh Agent that ignores
        // createConnection and dials host:port itself (localhost:80 here). Without an agent the
        // request goes over exactly this socket, with no pooling and no TLS session cache.
        createConnection: () => socket as unknown as import('node:net').Socket,
        method: 'GET',
        path: opts.path,
        // Exactly these three: no Cookie, Authorization, Accept-Encoding or proxy headers, and with
        // our own socket no HTTP(S)_PROXY setting can reroute the request.
        headers: { Host: opts.hostHeader, 'User-Agent': PROBE_USER_AGENT, Connection: 'close' },
        maxHeaderSize: maxHeader,
        insecureHTTPParser: false,
        joinDuplicateHeaders: false,
      });
    } catch (e) {
      finish(classify(e));
      return;
    }
    // Header pairs are already bounded by maxHeaderSize; Node's default of 2000 would drop the rest silently.
    req.maxHeadersCount = 0;

    const headerOverflow = (what: string): HttpError => ({
      kind: 'invalid',
      code: 'HPE_HEADER_OVERFLOW',
      message: `${what} exceed the ${maxHeader}-byte header limit`,
    });

    req.on('error', (e) => finish(classify(e)));
    req.on('information', (info) => {
      if (done) return;
      interimBytes += headBytes(info.httpVersion, info.statusCode, info.statusMessage, info.rawHeaders);
      if (interimBytes > maxHeader) finish(headerOverflow('interim (1xx) responses'));
    });
    // A 101 is a final answer for a probe; listening here keeps Node from silently dropping it.
    req.on('upgrade', (r: http.IncomingMessage) => {
      head = { status: r.statusCode ?? 0, statusText: r.statusMessage ?? '', headers: pairs(r.rawHeaders) };
      finish();
    });
    req.on('response', (r: http.IncomingMessage) => {
      if (done) {
        r.on('error', () => undefined);
        r.resume();
        return;
      }
      res = r;
      r.on('error', (e) => finish(classify(e)));
      if (interimBytes > 0 && interimBytes + headBytes(r.httpVersion, r.statusCode ?? 0, r.statusMessage ?? '', r.rawHeaders) > maxHeader) {
        finish(headerOverflow('interim (1xx) responses plus the final response headers'));
        return;
      }
      const headers = pairs(r.rawHeaders);
      const loc = headers.find(([k]) => k.toLowerCase() === 'location');
      head = {
        status: r.statusCode ?? 0,
        statusText: r.statusMessage ?? '',
        headers,
        ...(loc ? { location: loc[1] } : {}),
      };
      r.on('data', (chunk: Buffer) => {
        if (done) return;
        const room = maxBody - got;
        if (chunk.length < room) {
          chunks.push(chunk);
          got += chunk.length;
          return;
        }
        chunks.push(chunk.subarray(0, room));
        got += room;
        if (chunk.length > room) {
          truncated = true;
          finish();
          return;
        }
        // Exactly full: let the parser finish the bytes it already has, then see whether the
        // message ended right here or more body was still to come.
        r.pause();
        setImmediate(() => {
          truncated = !r.complete;
          finish();
        });
      });
      r.on('end', () => finish());
    });
    req.on('close', () => {
      // Normally 'end' or 'error' came first; this catches any path where Node only closes.
      setImmediate(() => finish(res?.complete ? undefined : { kind: 'closed', message: 'connection closed before a complete response' }));
    });
    req.end();
  });
}
