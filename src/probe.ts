import net from 'node:net';
import type { Duplex } from 'node:stream';
import { nowMs } from './clock.js';
import { resolveHost, connectTcp, type DnsObservation, type TcpObservation } from './capture/net.js';
import { tlsHandshake, type TlsObservation } from './capture/tls.js';
import { httpGet, DEFAULT_MAX_BODY_BYTES, type HttpObservation } from './capture/http.js';
import { parseStatusMatch, statusMatches, validateBodyMatch, bodyContains, DEFAULT_STATUS_MATCH_SPEC } from './capture/match.js';
import { judgeChain, type ChainJudgement } from './checks/chain.js';
import type { Profile } from './checks/path-rules.js';
import { makeFinding } from './model/catalog.js';
import { InputError } from './model/errors.js';
import type { Finding } from './model/findings.js';
import { GATEWAY_MESSAGES, fillMessage } from './model/messages.js';
import type { ProbeReport, StageResult } from './model/report.js';
import { escapeText, parseCertificate } from './x509/cert.js';
import { parseHostRef, type HostRef } from './x509/names.js';
import type { ParsedCert } from './x509/types.js';
import { assembleReport, makePlan, pemToDer, type CertInput } from './verify.js';
import { checkRevocation, validateRevocationInputs, type OfflineInput, type RevocationMode, type RevocationOutcome } from './revocation/check.js';

/** One backend and the probe the gateway would send it (host names, path, match, trust, SKU switches, clock). */
export interface ProbeOptions {
  /** "host:port", "[v6]:port", or a host with `port` set. */
  target: string;
  port?: number;
  protocol?: 'https' | 'http';
  /** v2: the probe host (SNI, Host header and the name checked). v1: Host header only. */
  sni?: string;
  /** Send no SNI even for a host name. */
  noSni?: boolean;
  hostHeader?: string;
  path?: string;
  status?: string | string[];
  body?: string;
  timeoutSeconds?: number;
  sku?: 'v1' | 'v2';
  trustedRoots?: (CertInput | ParsedCert)[];
  /** Replace the well-known store (an organisation's own list of public roots, or tests). */
  wellKnownRoots?: (CertInput | ParsedCert)[];
  authCerts?: (CertInput | ParsedCert)[];
  caStore?: 'mozilla' | 'system';
  profile?: Profile;
  at?: Date;
  resolve?: Map<string, string>;
  warnDays?: number;
  minDays?: number;
  /** v2 backend-setting switches (2025 API). */
  validateChainAndExpiry?: boolean;
  validateSNI?: boolean;
  sniName?: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** Revocation checks (default 'staple': judge a stapled OCSP response, fetch nothing). */
  revocation?: RevocationMode;
  /** Offline CRLs / OCSP responses (DER or PEM) applied to the path. */
  crls?: OfflineInput[];
  ocspResponses?: OfflineInput[];
}

export type { StageResult };

export { splitTarget } from './capture/target.js';
import { splitTarget } from './capture/target.js';

function toParsed(list: (CertInput | ParsedCert)[] | undefined, what: string): ParsedCert[] | undefined {
  if (!list?.length) return undefined;
  return list.flatMap((x) => {
    if (typeof x === 'object' && 'sha256' in x) return [x];
    const ders = typeof x === 'string' ? pemToDer(x) : [x];
    if (!ders.length) throw new InputError(`${what}: no PEM certificate found`);
    return ders.map((d) => { try { return parseCertificate(d); } catch (e) { throw new InputError(`${what}: certificate does not decode (${(e as Error).message})`); } });
  });
}

/** The gateway's choice of probe host, SNI and Host header (appgw-spec §2–§3). */
export function probeNames(o: ProbeOptions, targetHost: string): { host: HostRef | null; hostSkippedReason?: string; sni: string | undefined; hostHeader: string; hostSource: string } {
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
  const sniName = o.sniName ?? (ref.kind === 'dns' ? ref.value : undefined);
  const sni = o.noSni ? undefined : sniName;
  const checked = o.validateSNI === false ? null : o.sniName ? parseHostRef(o.sniName) : ref;
  return {
    host: checked,
    ...(checked ? {} : { hostSkippedReason: 'validateSNI is false in the backend setting' }),
    sni, hostHeader: o.hostHeader ?? name, hostSource,
  };
}

function tlsFinding(obs: TlsObservation, sku: 'v1' | 'v2'): Finding {
  const f = obs.failure!;
  // No X509 error exists for a failed handshake; say so in the catch-all's code slot.
  const errorCode = 'none (the TLS handshake failed before certificate verification)';
  const alertNames: Record<number, string> = { 40: 'handshake_failure', 42: 'bad_certificate', 47: 'illegal_parameter', 48: 'unknown_ca', 70: 'protocol_version', 80: 'internal_error', 112: 'unrecognized_name', 116: 'certificate_required', 120: 'no_application_protocol' };
  switch (f.kind) {
    case 'alert': return makeFinding('TLS_ALERT', { errorCode, alert: f.alert ?? null, alertName: f.alert !== undefined ? alertNames[f.alert] ?? 'alert' : 'unknown', detail: f.message, code: f.code ?? '' }, { sku });
    case 'reset': return makeFinding('TLS_RESET', { errorCode, detail: f.message, code: f.code ?? '' }, { sku });
    case 'closed': return makeFinding('TLS_CLOSED', { errorCode, detail: f.message }, { sku });
    case 'plaintext': return makeFinding('TLS_PLAINTEXT', { errorCode, detail: f.message }, { sku });
    case 'cert-too-large': return makeFinding('TLS_CERT_MESSAGE_TOO_LARGE', { errorCode, detail: f.message }, { sku });
    default: return makeFinding('TLS_FAILED', { errorCode, detail: f.message, code: f.code ?? '' }, { sku });
  }
}

function bodyText(b: Uint8Array, max = 512): string {
  return escapeText(Buffer.from(b.subarray(0, max)).toString('utf8'));
}

/** Run one probe as the gateway does and judge what it saw. Never throws for backend behaviour. */
export async function probeBackend(o: ProbeOptions): Promise<ProbeReport> {
  const { host: targetHost, port } = splitTarget(o.target, o.port);
  const sku = o.sku ?? 'v2';
  const protocol = o.protocol ?? 'https';
  const timeoutSeconds = o.timeoutSeconds ?? 30;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 86400)) throw new InputError('--timeout: seconds from 1 to 86400');
  const path = o.path ?? '/';
  if (!path.startsWith('/')) throw new InputError(`--path must start with "/": ${JSON.stringify(path)}`);
  const match = parseStatusMatch(o.status ?? DEFAULT_STATUS_MATCH_SPEC);
  const body = o.body !== undefined ? validateBodyMatch(o.body) : undefined;
  const at = o.at ?? new Date();
  const names = probeNames(o, targetHost);
  const trustedRoots = toParsed(o.trustedRoots, 'trusted root');
  const wellKnownRoots = toParsed(o.wellKnownRoots, 'well-known root');
  const authCerts = toParsed(o.authCerts, 'authentication certificate');
  validateRevocationInputs(o.revocation, o.crls, o.ocspResponses);
  if (sku === 'v1' && protocol === 'https' && !authCerts) throw new InputError('--sku v1 needs --auth-cert FILE: the v1 gateway trusts only uploaded authentication certificates');
  const { plan, trust, inputFindings } = makePlan({
    sku, profile: o.profile ?? 'gateway', purpose: 'serverAuth', at, host: names.host,
    ...(names.hostSkippedReason ? { hostSkippedReason: names.hostSkippedReason } : {}),
    ...(trustedRoots ? { trustedRoots } : {}), ...(authCerts ? { authCerts } : {}), ...(wellKnownRoots ? { wellKnownRoots } : {}),
    caStore: o.caStore ?? 'mozilla', validateChainAndExpiry: o.validateChainAndExpiry ?? true,
    warnDays: o.warnDays ?? 30, ...(o.minDays !== undefined ? { minDays: o.minDays } : {}),
  });

  const t0 = nowMs();
  const deadline = Date.now() + timeoutSeconds * 1000;
  const stages: StageResult[] = [];
  const findings: Finding[] = [...inputFindings];
  let dns: DnsObservation | undefined, tcp: TcpObservation | undefined, tlsObs: TlsObservation | undefined, http: HttpObservation | undefined;
  let judged: ChainJudgement | undefined;
  const timeout = (during: string) => makeFinding('PROBE_TIMEOUT', { during, timeoutSeconds }, { sku });
  let socket: Duplex | undefined;
  let revocation: Promise<RevocationOutcome> | undefined;

  try {
    dns = await resolveHost(targetHost, { deadline, ...(o.resolve ? { resolve: o.resolve } : {}) });
    stages.push({ stage: 'dns', ok: dns.ok, ms: dns.ms, detail: dns.ok ? dns.addresses.map((a) => a.address).join(', ') : `${dns.error?.code}: ${dns.error?.message}` });
    if (!dns.ok) {
      findings.push(dns.error?.code === 'ETIMEOUT' && Date.now() >= deadline - 5 ? timeout('DNS')
        : makeFinding('DNS_FAILED', { name: targetHost, code: dns.error?.code ?? 'error', detail: dns.error?.message ?? '' }, { sku }));
      return finish();
    }
    // The gateway probes the resolved address; try the next only when one refuses outright.
    for (const a of dns.addresses) {
      const r = await connectTcp(a.address, port, { deadline });
      tcp = r.observation;
      if (r.socket) { socket = r.socket; break; }
      if (tcp.error?.kind === 'timeout') break;
    }
    stages.push({ stage: 'tcp', ok: !!tcp?.ok, ms: tcp?.ms ?? 0, detail: tcp?.ok ? `connected to ${tcp.address}:${port}` : `${tcp?.error?.kind}: ${tcp?.error?.message}` });
    if (!socket || !tcp?.ok) {
      const e = tcp?.error;
      const ev = { address: tcp?.address ?? targetHost, port, code: e?.code ?? '', detail: e?.message ?? '' };
      findings.push(e?.kind === 'timeout' ? timeout('TCP connect') : makeFinding(e?.kind === 'refused' ? 'TCP_REFUSED' : e?.kind === 'unreachable' ? 'TCP_UNREACHABLE' : 'TCP_FAILED', ev, { sku }));
      return finish();
    }
    if (protocol === 'https') {
      const r = await tlsHandshake({ socket: socket as net.Socket, ...(names.sni ? { servername: names.sni } : {}), deadline, ...(o.minVersion ? { minVersion: o.minVersion } : {}) });
      tlsObs = r.observation;
      stages.push({ stage: 'tls', ok: tlsObs.ok, ms: tlsObs.timings.handshakeMs, detail: tlsObs.ok ? `${tlsObs.protocol} ${tlsObs.cipher?.standardName ?? tlsObs.cipher?.name ?? ''}, SNI ${tlsObs.sniSent ?? '(none)'}` : `${tlsObs.failure?.kind}: ${tlsObs.failure?.message}` });
      if (tlsObs.presented) {
        const tc = nowMs();
        judged = judgeChain(tlsObs.presented, plan);
        const certErr = judged.findings.find((f) => f.severity === 'error');
        stages.push({ stage: 'certificate', ok: !certErr, ms: nowMs() - tc, detail: certErr ? `${certErr.code}` : `${tlsObs.presented.length} presented, path ${judged.chain.pathValid ? 'valid' : 'accepted'}` });
        findings.push(...judged.findings);
        // Runs alongside the HTTP stage; finish() waits for it, within the probe's deadline.
        if ((o.revocation ?? 'staple') !== 'off') {
          revocation = checkRevocation({
            mode: o.revocation ?? 'staple', path: judged.pathCerts,
            presentedIndexOf: (c) => judged?.chain.path.find((e) => e.sha256 === c.sha256)?.presentedIndex ?? null,
            staple: tlsObs.ok ? tlsObs.ocspResponse ?? null : undefined,
            ...(o.crls ? { crls: o.crls } : {}), ...(o.ocspResponses ? { ocspResponses: o.ocspResponses } : {}),
            at, sku, deadline, ...(o.resolve ? { resolve: o.resolve } : {}),
          });
          revocation.catch(() => undefined); // awaited in finish(); no unhandled rejection meanwhile
        }
      } else if (tlsObs.ok || tlsObs.failure?.kind !== 'timeout') {
        findings.push(makeFinding('CHAIN_NOT_CAPTURED', { reason: tlsObs.notCapturedReason ?? 'no Certificate message seen' }, { sku }));
      }
      if (!tlsObs.ok || !r.socket) {
        findings.push(tlsObs.failure?.kind === 'timeout' ? timeout('TLS handshake') : tlsFinding(tlsObs, sku));
        socket = undefined;
        return finish();
      }
      socket = r.socket;
    }
    http = await httpGet(socket, { hostHeader: names.hostHeader, path, deadline });
    socket = undefined; // httpGet destroys it
    const st = http.status;
    stages.push({ stage: 'http', ok: http.ok && !http.error, ms: http.ms, detail: st !== undefined ? `GET ${path} → ${st}${http.error ? ` (${http.error.kind})` : ''}` : `${http.error?.kind}: ${http.error?.message}` });
    if (http.error?.kind === 'timeout') findings.push(timeout('HTTP response'));
    else if (!http.ok || st === undefined || http.error?.kind === 'invalid') {
      findings.push(http.error?.kind === 'invalid' ? makeFinding('HTTP_INVALID_RESPONSE', { detail: `${http.error.code ?? ''} ${http.error.message}`.trim() }, { sku })
        : makeFinding('HTTP_FAILED', { detail: http.error?.message ?? 'no response' }, { sku }));
    } else {
      if (!statusMatches(match, st)) {
        findings.push(makeFinding('HTTP_STATUS_MISMATCH', { path, status: st, expected: match.text, HTTPStatusCode0: match.text, HTTPStatusCode1: st }, { sku }));
      } else if (body !== undefined && !bodyContains(http.bodyPrefix, body)) {
        findings.push(makeFinding('HTTP_BODY_MISMATCH', { searched: http.bodyPrefix.length, expectedBody: JSON.stringify(body), string: body, truncated: http.bodyTruncated }, { sku }));
      }
      if (http.location && st >= 300 && st < 400) findings.push(makeFinding('HTTP_REDIRECT_NOT_FOLLOWED', { location: escapeText(http.location), status: st }));
    }
    return finish();
  } finally {
    socket?.destroy();
  }

  async function finish(): Promise<ProbeReport> {
    const rev = revocation ? await revocation : undefined;
    if (rev) findings.push(...rev.findings);
    const st = http?.status;
    return assembleReport({
      kind: 'probe', plan, trust, chain: judged?.chain ?? null, findings,
      successMessage: fillMessage(GATEWAY_MESSAGES.OK.text, { HTTPStatusCode: st ?? 0 }), successMessageId: 'OK',
      extra: {
        target: { host: targetHost, port, protocol, address: tcp?.address ?? dns?.addresses[0]?.address ?? null },
        probe: { host: names.host?.value ?? null, hostSource: names.hostSource, hostHeader: names.hostHeader, sni: names.sni ?? null, path, status: match.text, body: body ?? null, timeoutSeconds },
        tls: tlsObs ? { protocol: tlsObs.protocol ?? null, cipher: tlsObs.cipher?.standardName ?? tlsObs.cipher?.name ?? null, sniSent: tlsObs.sniSent, alpn: tlsObs.alpn ?? false, ocspStapled: tlsObs.ocspStapled, sessionReused: tlsObs.sessionReused, captured: !!tlsObs.presented, notCapturedReason: tlsObs.notCapturedReason ?? null } : null,
        http: http ? { status: http.status ?? null, statusText: http.statusText ?? null, location: http.location ? escapeText(http.location) : null, bodyPrefix: bodyText(http.bodyPrefix), bodyBytesRead: http.bodyPrefix.length, bodyTruncated: http.bodyTruncated, bodyCap: DEFAULT_MAX_BODY_BYTES } : null,
        ...(rev ? { revocation: rev.report } : {}),
        stages,
        timings: { totalMs: Math.round((nowMs() - t0) * 10) / 10, ...Object.fromEntries(stages.map((s) => [s.stage, Math.round(s.ms * 10) / 10])) },
      },
    });
  }
}
