/**
 * DNS and TCP stages of the live probe. Every stage takes the same absolute `deadline`
 * (epoch milliseconds, the `Date.now()` clock) so that the stages together never exceed the
 * probe timeout, whatever each one costs.
 */
import * as net from 'node:net';
import { InputError } from '../model/errors.js';
import { nowMs } from '../clock.js';

export interface DnsObservation {
  ok: boolean;
  name: string;
  addresses: { address: string; family: 4 | 6 }[];
  error?: { code: string; message: string };
  ms: number;
}

export interface TcpObservation {
  ok: boolean;
  address: string;
  port: number;
  error?: { kind: 'refused' | 'unreachable' | 'timeout' | 'reset' | 'other'; code?: string; message: string };
  ms: number;
}

export const DEFAULT_MAX_ADDRESSES = 16;

/** Milliseconds left until an absolute deadline (never negative). */
export function remainingMs(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

function elapsed(t0: number): number {
  return Math.round((nowMs() - t0) * 10) / 10;
}

function ipFamily(s: string): 4 | 6 | 0 {
  const f = net.isIP(s);
  return f === 4 || f === 6 ? f : 0;
}

/** "[::1]" is how users write IPv6 hosts next to a port; the brackets are not part of the address. */
function unbracket(s: string): string {
  return s.length > 2 && s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s;
}

// getaddrinfo would turn most of these into ENOTFOUND, but a control character or an overlong
// name is a typo or an injection attempt in the user's input, not something the backend did.
function checkHostName(name: string): void {
  if (name === '') throw new InputError('empty host name');
  if (/[\u0000-\u0020\u007f/\\]/u.test(name)) {
    throw new InputError(`host name ${JSON.stringify(name.slice(0, 80))} contains spaces, control characters or slashes`);
  }
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > 253) throw new InputError(`host name is ${bare.length} characters; DNS allows at most 253`);
  for (const label of bare.split('.')) {
    if (label.length === 0) throw new InputError(`host name ${JSON.stringify(name)} has an empty label`);
    if (label.length > 63) {
      throw new InputError(`host name label ${JSON.stringify(label.slice(0, 20) + '…')} is ${label.length} characters; DNS allows at most 63`);
    }
  }
}

function normaliseKey(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/**
 * Resolve `name` the way the gateway does (the OS resolver, standing in for the VNet's DNS).
 * An IP literal is its own answer; `resolve` pins names to addresses like curl --resolve.
 * Resolution failures are observations, not exceptions; only malformed input throws InputError.
 */
export async function resolveHost(
  name: string,
  opts: { deadline: number; resolve?: Map<string, string>; maxAddresses?: number },
): Promise<DnsObservation> {
  const t0 = nowMs();
  const literal = unbracket(name);
  const fam = ipFamily(literal);
  if (fam === 0) checkHostName(name);

  // An IP literal may be pinned too (--resolve 10.20.1.4=127.0.0.1): a backend known by its VNet
  // address is then reached through a tunnel, while the plan keeps the VNet address.
  if (opts.resolve && opts.resolve.size > 0) {
    const key = normaliseKey(fam !== 0 ? literal : name);
    for (const [k, v] of opts.resolve) {
      if (normaliseKey(fam !== 0 ? unbracket(k) : k) !== key) continue;
      const addr = unbracket(v.trim());
      const f = ipFamily(addr);
      if (f === 0) throw new InputError(`--resolve address for ${JSON.stringify(k)} is not an IP address: ${JSON.stringify(v)}`);
      return { ok: true, name, addresses: [{ address: addr, family: f }], ms: elapsed(t0) };
    }
  }
  if (fam !== 0) return { ok: true, name, addresses: [{ address: literal, family: fam }], ms: elapsed(t0) };

  const max = Math.max(1, Math.floor(opts.maxAddresses ?? DEFAULT_MAX_ADDRESSES));
  const left = remainingMs(opts.deadline);
  if (left <= 0) {
    return { ok: false, name, addresses: [], error: { code: 'ETIMEOUT', message: 'no time left for DNS resolution' }, ms: elapsed(t0) };
  }

  // getaddrinfo cannot be cancelled: on timeout we stop waiting, and its late answer is dropped.
  // node:dns is loaded here, not at the top: a target given as an address never needs it.
  const lookup = process.getBuiltinModule('node:dns').promises.lookup(name, { all: true, verbatim: true });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((res) => {
    timer = setTimeout(() => res('timeout'), left);
  });
  try {
    const r = await Promise.race([lookup, timeout]);
    if (r === 'timeout') {
      lookup.catch(() => undefined);
      return {
        ok: false, name, addresses: [],
        error: { code: 'ETIMEOUT', message: `DNS resolution of ${name} did not finish within ${left} ms` },
        ms: elapsed(t0),
      };
    }
    const seen = new Set<string>();
    const addresses: { address: string; family: 4 | 6 }[] = [];
    for (const a of r) {
      if (seen.has(a.address) || (a.family !== 4 && a.family !== 6)) continue;
      seen.add(a.address);
      addresses.push({ address: a.address, family: a.family });
      if (addresses.length >= max) break;
    }
    if (addresses.length === 0) {
      return { ok: false, name, addresses, error: { code: 'ENODATA', message: `${name} has no IPv4 or IPv6 address` }, ms: elapsed(t0) };
    }
    return { ok: true, name, addresses, ms: elapsed(t0) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return {
      ok: false, name, addresses: [],
      error: { code: typeof err.code === 'string' ? err.code : 'EUNKNOWN', message: String(err.message ?? err) },
      ms: elapsed(t0),
    };
  } finally {
    clearTimeout(timer);
  }
}

type TcpKind = NonNullable<TcpObservation['error']>['kind'];

function tcpKind(code: string | undefined): TcpKind {
  switch (code) {
    case 'ECONNREFUSED': return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN': return 'unreachable';
    case 'ETIMEDOUT': return 'timeout';
    case 'ECONNRESET':
    case 'ECONNABORTED': return 'reset';
    default: return 'other';
  }
}

/**
 * Errors that hit a connected socket before the next stage attaches its own listeners.
 * A parked listener stays on the socket so such an error can never crash the process
 * (an `'error'` with no listener throws); the next stage can ask for it here.
 */
const parkedErrors = new WeakMap<net.Socket, Error>();

function parkErrors(socket: net.Socket): void {
  socket.on('error', (e: Error) => {
    if (!parkedErrors.has(socket)) parkedErrors.set(socket, e);
  });
}

/** The first error a socket from `connectTcp` had while no stage was listening, if any. */
export function parkedSocketError(socket: net.Socket): Error | undefined {
  return parkedErrors.get(socket);
}

/**
 * Open a TCP connection to an already-resolved address, bounded by the absolute deadline.
 * On success the caller owns `socket` and must destroy it.
 */
export async function connectTcp(
  address: string,
  port: number,
  opts: { deadline: number },
): Promise<{ observation: TcpObservation; socket?: net.Socket }> {
  const host = unbracket(address);
  if (ipFamily(host) === 0) {
    // Connecting by name would let Node resolve (and race families) behind our back.
    throw new InputError(`connectTcp needs an IP address, got ${JSON.stringify(address)}`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`invalid port ${String(port)}: expected 1-65535`);
  }
  const t0 = nowMs();
  const left = remainingMs(opts.deadline);
  if (left <= 0) {
    return { observation: { ok: false, address: host, port, error: { kind: 'timeout', message: 'no time left to connect' }, ms: 0 } };
  }

  return new Promise<{ observation: TcpObservation; socket?: net.Socket }>((resolve) => {
    let settled = false;
    const socket = net.connect({ host, port, noDelay: true });

    const finish = (observation: TcpObservation, keep: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('connect', onConnect);
      socket.removeListener('error', onError);
      if (keep) {
        parkErrors(socket);
        resolve({ observation, socket });
      } else {
        // A listener stays so that a late error from the destroyed socket cannot go unhandled.
        socket.on('error', () => undefined);
        socket.destroy();
        resolve({ observation });
      }
    };

    const onConnect = (): void => {
      socket.setNoDelay(true);
      finish({ ok: true, address: host, port, ms: elapsed(t0) }, true);
    };
    const onError = (e: NodeJS.ErrnoException): void => {
      finish({ ok: false, address: host, port, error: { kind: tcpKind(e.code), code: e.code, message: e.message }, ms: elapsed(t0) }, false);
    };
    const timer = setTimeout(() => {
      finish({
        ok: false, address: host, port,
        error: { kind: 'timeout', message: `TCP connect to ${host}:${port} did not complete within ${left} ms` },
        ms: elapsed(t0),
      }, false);
    }, left);

    socket.once('connect', onConnect);
    socket.on('error', onError);
  });
}
