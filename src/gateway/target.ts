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
