/**
 * One bounded HTTP GET for a URL taken from a certificate (the AIA CA Issuers URL). The URL is
 * attacker-influenced data, not user input: every failure, malformed URL included, is a result
 * with an `error`, never an exception. Plain http:// only, as RFC 5280 §4.2.2.1 expects for CA
 * Issuers; https would need a chain to fetch a chain, and other schemes (ldap, file) are never
 * touched. Redirects are not followed (httpGet never follows them).
 */
import { isInputError } from '../model/errors.js';
import { httpGet } from './http.js';
import { connectTcp, remainingMs, resolveHost } from './net.js';

export interface FetchOptions {
  /** Absolute deadline, epoch milliseconds, over DNS, connect and the whole response. */
  deadline: number;
  /** Bodies larger than this are refused (default 1 MiB). */
  maxBytes?: number;
  /** Name → address pins, as --resolve. */
  resolve?: Map<string, string>;
}

export interface FetchResult {
  ok: boolean;
  status?: number;
  body?: Uint8Array;
  error?: string;
}

export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024;

function shortUrl(u: string): string {
  return JSON.stringify(u.length > 120 ? `${u.slice(0, 120)}…` : u);
}

export async function fetchHttp(url: string, opts: FetchOptions): Promise<FetchResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, error: `not a valid URL: ${shortUrl(url)}` };
  }
  if (u.protocol !== 'http:') return { ok: false, error: `not fetched: only http:// URLs are fetched, not ${u.protocol}//` };
  if (u.username || u.password) return { ok: false, error: 'not fetched: the URL carries credentials' };
  const port = u.port ? Number(u.port) : 80;
  try {
    const dns = await resolveHost(u.hostname, { deadline: opts.deadline, ...(opts.resolve ? { resolve: opts.resolve } : {}) });
    if (!dns.ok) return { ok: false, error: `DNS: ${dns.error?.message ?? 'failed'}` };
    let socket;
    let lastTcp = '';
    // Bounded by resolveHost's address cap and by the shared deadline.
    for (const a of dns.addresses) {
      if (remainingMs(opts.deadline) <= 0) break;
      const c = await connectTcp(a.address, port, { deadline: opts.deadline });
      if (c.socket) { socket = c.socket; break; }
      lastTcp = c.observation.error?.message ?? 'connect failed';
    }
    if (!socket) return { ok: false, error: `TCP: ${lastTcp || `no time left to connect to ${u.host}`}` };
    const obs = await httpGet(socket, {
      hostHeader: u.host, path: `${u.pathname}${u.search}`, deadline: opts.deadline, maxBodyBytes: maxBytes,
    });
    const status = obs.status;
    const withStatus = status !== undefined ? { status } : {};
    if (!obs.ok) return { ok: false, ...withStatus, error: `HTTP: ${obs.error?.message ?? 'no response'}` };
    if (status === undefined || status < 200 || status > 299) {
      const loc = obs.location !== undefined ? ` (Location ${shortUrl(obs.location)} not followed)` : '';
      return { ok: false, ...withStatus, error: `HTTP status ${String(status)}${loc}` };
    }
    if (obs.bodyTruncated) return { ok: false, ...withStatus, error: `response body larger than ${maxBytes} bytes; refused` };
    if (obs.error) return { ok: false, ...withStatus, error: `HTTP: ${obs.error.message}` };
    return { ok: true, ...withStatus, body: obs.bodyPrefix };
  } catch (e) {
    // Malformed host names or paths from the certificate arrive here as InputError.
    if (isInputError(e)) return { ok: false, error: `not fetched: ${e.message}` };
    return { ok: false, error: `fetch failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
