/**
 * One bounded HTTP GET for a URL taken from a certificate (the AIA CA Issuers URL). The URL is
 * attacker-influenced data, not user input: every failure, malformed URL included, is a result
 * with an `error`, never an exception. Plain http:// only, as RFC 5280 §4.2.2.1 expects for CA
 * Issuers; https would need a chain to fetch a chain, and other schemes (ldap, file) are never
 * touched. Redirects are not followed (httpGet never follows them). Where the URL may lead is
 * fetch-policy.ts's decision: public addresses on ports 80 and 8080 unless the user opts in.
 */
import type { Socket } from 'node:net';
import { isInputError } from '../model/errors.js';
import { escapeControls, fetchAddressRefusal, fetchPortRefusal, fetchUrlTextRefusal } from './fetch-policy.js';
import { httpGet } from './http.js';
import { connectTcp, remainingMs, resolveHost } from './net.js';

/** A certificate-named URL's fetch: deadline, body cap, host pins and the address policy. */
export interface FetchOptions {
  /** Absolute deadline, epoch milliseconds, over DNS, connect and the whole response. */
  deadline: number;
  /** Bodies larger than this are refused (default 1 MiB). */
  maxBytes?: number;
  /** Name → address pins, as --resolve. */
  resolve?: Map<string, string>;
  /**
   * Lift the address and port policy (fetch-policy.ts): allow loopback, private, link-local and
   * other internal addresses and any port, as `--allow-internal-fetch`. Default false.
   */
  allowInternalFetch?: boolean;
}

/** A fetch's outcome: the body, or why there is none (never an exception). */
export interface FetchResult {
  ok: boolean;
  status?: number;
  body?: Uint8Array;
  error?: string;
}

/** The default body cap of a certificate-named fetch. */
export const DEFAULT_FETCH_MAX_BYTES = 1024 * 1024;

function shortUrl(u: string): string {
  return escapeControls(JSON.stringify(u.length > 120 ? `${u.slice(0, 120)}…` : u));
}

/** Outcome of {@link openFetchSocket}: a connected socket, or why there is none. */
export type FetchSocket = { socket: Socket; url: URL; error?: undefined } | { socket?: undefined; error: string };

/**
 * The checks every certificate-named fetch shares, then DNS and TCP: the URL's text (never
 * fetched with control characters), http:// only, no credentials, the port and address policy
 * unless `allowInternalFetch`. Connects only to a resolved address that passed the policy, so a
 * name cannot be re-resolved elsewhere between check and connect. Never throws.
 */
export async function openFetchSocket(url: string, opts: FetchOptions): Promise<FetchSocket> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { error: `not a valid URL: ${shortUrl(url)}` };
  }
  const refusedText = fetchUrlTextRefusal(url);
  if (refusedText) return { error: refusedText };
  if (u.protocol !== 'http:') return { error: `not fetched: only http:// URLs are fetched, not ${escapeControls(u.protocol)}//` };
  if (u.username || u.password) return { error: 'not fetched: the URL carries credentials' };
  const port = u.port ? Number(u.port) : 80;
  const open = opts.allowInternalFetch === true;
  if (!open) {
    const refusedPort = fetchPortRefusal(port);
    if (refusedPort) return { error: refusedPort };
  }
  try {
    const dns = await resolveHost(u.hostname, { deadline: opts.deadline, ...(opts.resolve ? { resolve: opts.resolve } : {}) });
    if (!dns.ok) return { error: `DNS: ${escapeControls(dns.error?.message ?? 'failed')}` };
    const allowed = open ? dns.addresses : dns.addresses.filter((a) => fetchAddressRefusal(a.address) === undefined);
    if (!allowed.length) return { error: fetchAddressRefusal(dns.addresses[0]?.address ?? '') ?? 'not fetched: no address' };
    let lastTcp = '';
    // Bounded by resolveHost's address cap and by the shared deadline.
    for (const a of allowed) {
      if (remainingMs(opts.deadline) <= 0) break;
      const c = await connectTcp(a.address, port, { deadline: opts.deadline });
      if (c.socket) return { socket: c.socket, url: u };
      lastTcp = c.observation.error?.message ?? 'connect failed';
    }
    return { error: `TCP: ${escapeControls(lastTcp || `no time left to connect to ${u.host}`)}` };
  } catch (e) {
    // Malformed host names from the certificate arrive here as InputError.
    if (isInputError(e)) return { error: `not fetched: ${escapeControls(e.message)}` };
    return { error: `fetch failed: ${escapeControls(e instanceof Error ? e.message : String(e))}` };
  }
}

/**
 * One bounded HTTP GET of a certificate-named URL under the fetch policy; every failure,
 * malformed URL and policy refusal included, is a result with an `error`.
 */
export async function fetchHttp(url: string, opts: FetchOptions): Promise<FetchResult> {
  const maxBytes = opts.maxBytes ?? DEFAULT_FETCH_MAX_BYTES;
  const conn = await openFetchSocket(url, opts);
  if (!conn.socket) return { ok: false, error: conn.error };
  const { socket, url: u } = conn;
  try {
    const obs = await httpGet(socket, {
      hostHeader: u.host, path: `${u.pathname}${u.search}`, deadline: opts.deadline, maxBodyBytes: maxBytes,
    });
    const status = obs.status;
    const withStatus = status !== undefined ? { status } : {};
    if (!obs.ok) return { ok: false, ...withStatus, error: `HTTP: ${escapeControls(obs.error?.message ?? 'no response')}` };
    if (status === undefined || status < 200 || status > 299) {
      const loc = obs.location !== undefined ? ` (Location ${shortUrl(obs.location)} not followed)` : '';
      return { ok: false, ...withStatus, error: `HTTP status ${String(status)}${loc}` };
    }
    if (obs.bodyTruncated) return { ok: false, ...withStatus, error: `response body larger than ${maxBytes} bytes; refused` };
    if (obs.error) return { ok: false, ...withStatus, error: `HTTP: ${escapeControls(obs.error.message)}` };
    return { ok: true, ...withStatus, body: obs.bodyPrefix };
  } catch (e) {
    // Malformed paths from the certificate arrive here as InputError.
    socket.destroy();
    if (isInputError(e)) return { ok: false, error: `not fetched: ${escapeControls(e.message)}` };
    return { ok: false, error: `fetch failed: ${escapeControls(e instanceof Error ? e.message : String(e))}` };
  }
}
