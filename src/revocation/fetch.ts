/**
 * Fetching revocation data named in a certificate (AIA OCSP, CRL distribution points): plain
 * http:// only (RFC 5280/6960 expect it; https would need revocation to check revocation), no
 * redirects, an absolute deadline over DNS + connect + response, and a body cap. Every failure is
 * a result with `error`, never an exception: the URLs are attacker-influenced data.
 */
import * as http from 'node:http';
import { fetchHttp, openFetchSocket, DEFAULT_FETCH_MAX_BYTES } from '../capture/fetch.js';
import { escapeControls } from '../capture/fetch-policy.js';
import { remainingMs } from '../capture/net.js';
import { PROBE_USER_AGENT } from '../capture/http.js';
import { nowMs } from '../clock.js';

/** A fetch's deadline (epoch ms), body cap, host overrides and address policy. */
export interface RevocationFetchOptions {
  deadline: number;
  maxBytes?: number;
  resolve?: Map<string, string>;
  /** Allow internal addresses and any port (`--allow-internal-fetch`); see capture/fetch-policy.ts. */
  allowInternalFetch?: boolean;
}

/** A fetch's outcome: the body, or why there is none. */
export interface RevocationFetchResult {
  ok: boolean;
  method: 'GET' | 'POST';
  status?: number;
  body?: Uint8Array;
  error?: string;
  /** The deadline ran out (as opposed to a refusal or an HTTP error). */
  timedOut?: boolean;
  ms: number;
}

function short(u: string): string {
  return escapeControls(JSON.stringify(u.length > 120 ? `${u.slice(0, 120)}…` : u));
}

const ms = (t0: number) => Math.round((nowMs() - t0) * 10) / 10;

/** GET `url` (a CRL, or an OCSP GET URL). */
export async function fetchGet(url: string, o: RevocationFetchOptions): Promise<RevocationFetchResult> {
  const t0 = nowMs();
  const r = await fetchHttp(url, {
    deadline: o.deadline, maxBytes: o.maxBytes ?? DEFAULT_FETCH_MAX_BYTES, ...(o.resolve ? { resolve: o.resolve } : {}),
    ...(o.allowInternalFetch ? { allowInternalFetch: true } : {}),
  });
  const timedOut = !r.ok && (remainingMs(o.deadline) <= 0 || /deadline|no time left|did not complete within/i.test(r.error ?? ''));
  return { ok: r.ok, method: 'GET', ...(r.status !== undefined ? { status: r.status } : {}), ...(r.body ? { body: r.body } : {}),
    ...(r.error ? { error: r.error } : {}), ...(timedOut ? { timedOut } : {}), ms: ms(t0) };
}

/** RFC 6960 A.1 GET form: the base64 request, URL-encoded, appended as one path segment. */
export function ocspGetUrl(base: string, request: Uint8Array): string {
  const enc = encodeURIComponent(Buffer.from(request).toString('base64'));
  return base.endsWith('/') ? `${base}${enc}` : `${base}/${enc}`;
}

/** POST an OCSP request to `url`. */
export async function ocspPost(url: string, request: Uint8Array, o: RevocationFetchOptions): Promise<RevocationFetchResult> {
  const t0 = nowMs();
  const fail = (error: string, extra: Partial<RevocationFetchResult> = {}): RevocationFetchResult =>
    ({ ok: false, method: 'POST', error, ms: ms(t0), ...(remainingMs(o.deadline) <= 0 ? { timedOut: true } : {}), ...extra });
  const maxBytes = o.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  let path = '/';
  try {
    const u = new URL(url);
    path = `${u.pathname || '/'}${u.search}`;
  } catch { /* openFetchSocket words the refusal */ }
  // http.request would refuse such a path by throwing; checked before any connection is made.
  if (!/^\/[\x21-\x7e]*$/.test(path)) return fail(`not fetched: the URL path is not visible ASCII: ${short(url)}`);
  const conn = await openFetchSocket(url, o);
  if (!conn.socket) return fail(conn.error);
  return postOver(conn.socket, conn.url.host, path, request, o.deadline, maxBytes, t0);
}

function postOver(socket: import('node:net').Socket, host: string, path: string, body: Uint8Array, deadline: number, maxBytes: number, t0: number): Promise<RevocationFetchResult> {
  socket.on('error', () => undefined);
  return new Promise((resolve) => {
    let done = false;
    const chunks: Buffer[] = [];
    let got = 0;
    let status: number | undefined;
    const finish = (r: Omit<RevocationFetchResult, 'method' | 'ms'>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...r, ...(status !== undefined ? { status } : {}), method: 'POST', ms: ms(t0) });
    };
    const left = remainingMs(deadline);
    const timer = setTimeout(() => finish({ ok: false, timedOut: true, error: `no complete response within the deadline (${left} ms)` }), left);
    if (left <= 0) { finish({ ok: false, timedOut: true, error: 'no time left for the request' }); return; }
    let req: http.ClientRequest;
    try {
      req = http.request({
        createConnection: () => socket,
        method: 'POST', path,
        headers: { Host: host, 'User-Agent': PROBE_USER_AGENT, 'Content-Type': 'application/ocsp-request', 'Content-Length': String(body.length), Connection: 'close' },
        insecureHTTPParser: false,
      });
    } catch (e) {
      finish({ ok: false, error: `HTTP: ${escapeControls((e as Error).message)}` });
      return;
    }
    req.on('error', (e) => finish({ ok: false, error: `HTTP: ${escapeControls(e.message)}` }));
    req.on('response', (res) => {
      status = res.statusCode;
      res.on('error', (e) => finish({ ok: false, error: `HTTP: ${escapeControls(e.message)}` }));
      if (!status || status < 200 || status > 299) {
        res.resume();
        finish({ ok: false, error: `HTTP status ${String(status)}` });
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        finish({ ok: false, error: `response body of ${declared} bytes is larger than the ${maxBytes}-byte cap; refused` });
        return;
      }
      res.on('data', (c: Buffer) => {
        got += c.length;
        if (got > maxBytes) { finish({ ok: false, error: `response body larger than ${maxBytes} bytes; refused` }); return; }
        chunks.push(c);
      });
      res.on('end', () => finish(res.complete ? { ok: true, body: new Uint8Array(Buffer.concat(chunks, got)) } : { ok: false, error: 'connection closed before the response was complete' }));
    });
    req.on('close', () => setImmediate(() => finish({ ok: false, error: 'connection closed before a complete response' })));
    req.end(Buffer.from(body));
  });
}
