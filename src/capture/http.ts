/**
 * HTTP stage of the live probe: one GET over an already-connected stream (the TLSSocket after the
 * handshake, or the plain TCP socket for Http settings), judged later by pure checks.
 *
 * The response is read by http1.ts, a strict HTTP/1.1 response parser that accepts and refuses
 * what llhttp's strict mode does (fuzzed against it), with its HPE_* codes. node:http's client did this
 * before; its request/response objects cost more CPU than the rest of the probe's HTTP work, and a
 * probe needs none of what they add. Around the parser: an absolute deadline over the whole
 * exchange, a body prefix cap, interim (1xx) responses counted against the header cap, and no
 * redirects, proxies or connection reuse.
 */
import type * as stream from 'node:stream';
import { InputError } from '../model/errors.js';
import { HttpParseError, ResponseParser } from './http1.js';
import { nowMs } from '../clock.js';

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
  // Both end up verbatim in the request head; anything outside visible ASCII would be a
  // header-injection vector or a request the server cannot parse.
  if (typeof opts.path !== 'string' || !/^\/[\x21-\x7e]*$/.test(opts.path)) {
    throw new InputError(`probe path ${JSON.stringify(String(opts.path).slice(0, 80))} must start with "/" and contain only visible ASCII (percent-encode the rest)`);
  }
  if (typeof opts.hostHeader !== 'string' || !/^[\x21-\x7e]+$/.test(opts.hostHeader)) {
    throw new InputError(`probe Host header ${JSON.stringify(String(opts.hostHeader).slice(0, 80))} must be non-empty visible ASCII (use the IDN A-label form)`);
  }
}

function classify(e: unknown): HttpError {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const message = typeof err?.message === 'string' ? err.message : String(e);
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
    const t0 = nowMs();
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    let head: Pick<HttpObservation, 'status' | 'statusText' | 'headers' | 'location'> | undefined;
    const chunks: Buffer[] = [];
    let got = 0;
    let truncated = false;
    /** The prefix is exactly full: one more body byte means truncated, the message's end means not. */
    let full = false;

    const finish = (error?: HttpError): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      parser.stop();
      socket.removeListener('data', onData);
      socket.removeListener('end', onEnd);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      const obs: HttpObservation = {
        ok: head !== undefined,
        ...(head ?? {}),
        bodyPrefix: new Uint8Array(Buffer.concat(chunks, got)),
        bodyTruncated: truncated,
        ...(error ? { error } : {}),
        ms: Math.round((nowMs() - t0) * 10) / 10,
      };
      socket.destroy();
      resolve(obs);
    };

    const parser = new ResponseParser(maxHeader, {
      onHead: (h) => {
        const loc = h.headers.find(([k]) => k.toLowerCase() === 'location');
        head = { status: h.status, statusText: h.statusText, headers: h.headers, ...(loc ? { location: loc[1] } : {}) };
      },
      onBody: (chunk) => {
        if (chunk.length === 0) return;
        if (full) {
          truncated = true;
          finish();
          return;
        }
        const room = maxBody - got;
        // Copied, so that a small kept prefix does not pin the socket's whole read buffer.
        const keep = chunk.length <= room ? chunk : chunk.subarray(0, room);
        chunks.push(Buffer.from(keep));
        got += keep.length;
        if (chunk.length > room) {
          truncated = true;
          finish();
        } else if (got === maxBody) {
          full = true;
        }
      },
      onComplete: () => finish(),
    });

    const onData = (chunk: Buffer): void => {
      if (done) return;
      try {
        parser.feed(chunk);
      } catch (e) {
        finish(e instanceof HttpParseError ? { kind: 'invalid', code: e.code, message: e.message } : classify(e));
        return;
      }
      // Exactly full and the bytes at hand did not end the message: more body is coming.
      if (full && !done) {
        truncated = true;
        finish();
      }
    };
    const onEnd = (): void => {
      if (done) return;
      if (parser.end()) return; // a body read until close is complete (finish ran)
      finish(parser.inHead
        ? { kind: 'closed', message: 'connection closed before a response arrived' }
        : { kind: 'closed', message: 'connection closed before the response was complete' });
    };
    const onError = (e: Error): void => finish(classify(e));
    // Normally 'end' or 'error' came first; this catches any path where the stream only closes.
    const onClose = (): void => onEnd();

    // A stream that already ended would never emit 'end' or 'close' again.
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

    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
    socket.on('close', onClose);
    // Exactly these three headers: no Cookie, Authorization, Accept-Encoding or proxy headers; the
    // request goes over this socket only, so no HTTP(S)_PROXY setting can reroute it.
    socket.write(`GET ${opts.path} HTTP/1.1\r\nHost: ${opts.hostHeader}\r\nUser-Agent: ${PROBE_USER_AGENT}\r\nConnection: close\r\n\r\n`);
  });
}
