/**
 * The gateway's choice of names for a probe: the probe host, the SNI it sends, the Host header and
 * the name it checks the certificate against (appgw-spec §2–§3). Both the single probe and the
 * gateway planner call this, so a plan never disagrees with a probe.
 */
import net from 'node:net';
import { parseHostRef } from '../x509/names.js';
import type { ProbeNames, ProbeOptions } from '../model/plan.js';

/** The options the name choice reads. */
export type NameOptions = Pick<ProbeOptions, 'sku' | 'sni' | 'noSni' | 'hostHeader' | 'validateSNI' | 'sniName'>;

/**
 * The gateway's choice of probe host, SNI and Host header for a backend at `targetHost`
 * (appgw-spec §3.1 for v1, §3.2 for v2). Throws InputError for a host that is not a name or address.
 */
export function probeNames(o: NameOptions, targetHost: string): ProbeNames {
  const sku = o.sku ?? 'v2';
  const targetIsIp = net.isIP(targetHost) !== 0;
  if (sku === 'v1') {
    // v1: SNI is the pool member's FQDN; the probe host only sets the Host header.
    const sni = targetIsIp || o.noSni ? undefined : targetHost;
    const hostHeader = o.hostHeader ?? o.sni ?? (targetIsIp ? '127.0.0.1' : targetHost);
    return targetIsIp
      ? { host: null, hostSkippedReason: 'v1 with an IP backend: no FQDN to compare the certificate with', sni, hostHeader, hostSource: 'v1: backend address' }
      : { host: parseHostRef(targetHost), sni, hostHeader, hostSource: 'v1: the backend pool FQDN' };
  }
  let name: string;
  let hostSource: string;
  if (o.sni !== undefined) { name = o.sni; hostSource = '--sni (probe or backend-setting host name)'; }
  else if (!targetIsIp) { name = targetHost; hostSource = 'the target FQDN (as "pick host name from backend target")'; }
  else { name = '127.0.0.1'; hostSource = 'default probe host 127.0.0.1 (no host name configured)'; }
  const ref = parseHostRef(name);
  // The gateway sends the name exactly as configured (Node's tls.connect does too, measured: case,
  // a trailing dot and UTF-8 bytes go out unchanged), so the SNI is the input, not the compared form.
  const sniName = o.sniName ?? (ref.kind === 'dns' ? ref.input : undefined);
  const sni = o.noSni ? undefined : sniName;
  const checked = o.validateSNI === false ? null : o.sniName ? parseHostRef(o.sniName) : ref;
  return {
    host: checked,
    ...(checked ? {} : { hostSkippedReason: 'validateSNI is false in the backend setting' }),
    sni, hostHeader: o.hostHeader ?? name, hostSource,
  };
}
