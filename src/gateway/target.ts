import net from 'node:net';
import { InputError } from '../model/errors.js';

/** "host:port", "[v6]:port" or a bare host (port 443): kept apart from the probe so the CLI can parse targets without loading TLS. */
export function splitTarget(target: string, port?: number): { host: string; port: number } {
  const t = target.trim();
  let host: string, p: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) { host = v6[1]!; p = v6[2]; }
  else if (net.isIPv6(t)) { host = t; }
  else {
    const i = t.lastIndexOf(':');
    if (i >= 0) { host = t.slice(0, i); p = t.slice(i + 1); } else host = t;
  }
  if (!host) throw new InputError(`target "${target}": no host (expected host:port)`);
  const portNum = p !== undefined ? (/^\d{1,5}$/.test(p) ? Number(p) : NaN) : port ?? 443;
  if (!Number.isInteger(portNum) || portNum < 1 || portNum > 65535) throw new InputError(`target "${target}": port must be 1-65535`);
  return { host, port: portNum };
}

/** A target as a user may write it, and what a URL form adds to it. */
export interface TargetArg {
  /** "host:port" (or the input as it was, when it is not a URL). */
  target: string;
  /** The URL's path and query, when it has more than "/". */
  path?: string;
  /** From the URL's scheme. */
  protocol?: 'https' | 'http';
}

/**
 * `https://host[:port]/path` → the target `host:port` (443 by default) and the path;
 * `http://…` → the Http protocol (port 80 by default). Anything else is returned as it is, for
 * splitTarget to read. A URL with credentials, or another scheme, is a usage error.
 */
export function parseTargetArg(arg: string): TargetArg {
  const t = arg.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return { target: t };
  let u: URL;
  try { u = new URL(t); } catch { throw new InputError(`target "${t}": not a valid URL`); }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InputError(`target "${t}": only https:// and http:// URLs are targets`);
  if (u.username || u.password) throw new InputError(`target "${t}": a URL with credentials is not a target`);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  const port = u.port ? Number(u.port) : protocol === 'http' ? 80 : 443;
  const path = `${u.pathname}${u.search}`;
  return { target: `${u.hostname}:${port}`, protocol, ...(path && path !== '/' ? { path } : {}) };
}
