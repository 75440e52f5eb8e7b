/**
 * captureChain: the runner that only observes. It walks DNS → TCP → TLS the way the probe does
 * and returns the certificate list the backend sent, byte for byte and in order, with the TLS
 * facts around it — and judges nothing. `bundle`, `export-root` and `rotate` need the chain as
 * sent; before this call they probed and regexed the DER back out of a rendered report.
 */
import type { Socket } from 'node:net';
import { connectTcp, resolveHost, type DnsObservation, type TcpObservation } from './capture/net.js';
import { splitTarget } from './gateway/target.js';
import { tlsHandshake, type TlsObservation } from './capture/tls.js';
import { InputError } from './model/errors.js';
import { parseHostRef } from './x509/names.js';

/** Where to connect and what to send; the same spelling as the probe's options. */
export interface CaptureChainOptions {
  /** "host:port", "[v6]:port", or a host with `port` set (port defaults to 443). */
  target: string;
  port?: number;
  /**
   * The SNI to send. Without it a DNS-name target is sent as SNI and an IP target sends none,
   * as the v2 probe does when no host name is configured. An IP literal is never sent as SNI.
   */
  sni?: string;
  /** Send no SNI even for a host name. */
  noSni?: boolean;
  /** For the whole capture, DNS to the end of the handshake (default 30, at most 86400). */
  timeoutSeconds?: number;
  /** NAME → address overrides, like curl --resolve. */
  resolve?: Map<string, string>;
  /** Lowest TLS version offered (default Node's). */
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
}

/** The stage a capture stopped at, and what Node or the TLS tap said there (wire text, escaped). */
export interface CaptureFailure {
  stage: 'dns' | 'tcp' | 'tls';
  /** 'timeout' when the deadline ran out; otherwise the stage's own kind (refused, alert, reset...). */
  kind: string;
  /** The system or OpenSSL code, when there is one (ENOTFOUND, ECONNREFUSED, ERR_SSL_...). */
  code: string | null;
  message: string;
}

/** What captureChain saw. `certificates` is empty when no Certificate message was read. */
export interface CapturedChain {
  target: { host: string; port: number; address: string | null };
  /** The SNI sent, or null for none. */
  sniSent: string | null;
  /** The certificate_list of the server's Certificate message: DER, in the order sent, duplicates kept. */
  certificates: Uint8Array[];
  /** Why `certificates` is empty although the handshake got that far (e.g. TLS 1.3 encryption the tap could not read). */
  notCapturedReason: string | null;
  /** TLS facts of the handshake, or null when it never started. */
  tls: { ok: boolean; protocol: string | null; cipher: string | null; ocspStapled: boolean; ocspResponse: Uint8Array | null } | null;
  /** Null when the handshake completed; otherwise the stage that failed. A certificate may still have been captured before a failure. */
  failure: CaptureFailure | null;
}

function dnsFailure(d: DnsObservation): CaptureFailure {
  const code = d.error?.code ?? null;
  return { stage: 'dns', kind: code === 'ETIMEOUT' ? 'timeout' : 'failed', code, message: d.error?.message ?? '' };
}

function tcpFailure(t: TcpObservation | undefined): CaptureFailure {
  return { stage: 'tcp', kind: t?.error?.kind ?? 'other', code: t?.error?.code ?? null, message: t?.error?.message ?? 'no address to connect to' };
}

function tlsFacts(o: TlsObservation): NonNullable<CapturedChain['tls']> {
  return {
    ok: o.ok, protocol: o.protocol ?? null, cipher: o.cipher?.standardName ?? o.cipher?.name ?? null,
    ocspStapled: o.ocspStapled, ocspResponse: o.ocspResponse ?? null,
  };
}

/**
 * Capture the certificate chain a backend sends, exactly as sent, without judging it.
 *
 * Resolves the target (honouring `resolve`), connects to the first address that accepts, and
 * runs a TLS handshake through the recording tap; the connection is closed before returning.
 * Backend behaviour (a refused port, an alert, a timeout) is reported in `failure`, never thrown;
 * only a malformed call (bad target, port or timeout) throws an `InputError`.
 */
export async function captureChain(o: CaptureChainOptions): Promise<CapturedChain> {
  const { host, port } = splitTarget(o.target, o.port);
  const timeoutSeconds = o.timeoutSeconds ?? 30;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 86400)) throw new InputError('--timeout: seconds from 1 to 86400');
  // The probe's v2 choice when no host name is configured: the target's name, or no SNI for an IP.
  const ref = parseHostRef(o.sni ?? host);
  const servername = o.noSni || ref.kind !== 'dns' ? undefined : ref.input;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const out: CapturedChain = { target: { host, port, address: null }, sniSent: null, certificates: [], notCapturedReason: null, tls: null, failure: null };

  const dns = await resolveHost(host, { deadline, ...(o.resolve ? { resolve: o.resolve } : {}) });
  if (!dns.ok) return { ...out, failure: dnsFailure(dns) };
  out.target.address = dns.addresses[0]?.address ?? null;
  let tcp: TcpObservation | undefined;
  let socket: Socket | undefined;
  // As the probe does: the next address only when one refuses outright.
  for (const a of dns.addresses) {
    const r = await connectTcp(a.address, port, { deadline });
    tcp = r.observation;
    if (r.socket) { socket = r.socket; break; }
    if (tcp.error?.kind === 'timeout') break;
  }
  if (tcp) out.target.address = tcp.address;
  if (!socket || !tcp?.ok) {
    socket?.destroy();
    return { ...out, failure: tcpFailure(tcp) };
  }
  try {
    const r = await tlsHandshake({ socket, ...(servername ? { servername } : {}), deadline, ...(o.minVersion ? { minVersion: o.minVersion } : {}) });
    r.socket?.destroy();
    const t = r.observation;
    return {
      ...out, sniSent: t.sniSent, certificates: t.presented ? [...t.presented] : [],
      notCapturedReason: t.presented ? null : t.notCapturedReason ?? (t.ok ? 'no Certificate message seen' : null),
      tls: tlsFacts(t),
      failure: t.ok ? null : { stage: 'tls', kind: t.failure?.kind ?? 'other', code: t.failure?.code ?? null, message: t.failure?.message ?? '' },
    };
  } finally {
    socket.destroy();
  }
}
