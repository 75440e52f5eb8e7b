/**
 * One backend probe as the gateway sends it: plan (gateway/probe-setup.ts) → observe each stage
 * (capture/: DNS, TCP, the TLS tap, HTTP) → judge each observation (checks/: probe-rules.ts,
 * chain.ts) → one report. A stage that fails ends the probe, as the gateway's does; backend
 * behaviour never throws.
 */
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { nowMs } from './clock.js';
import { resolveHost, connectTcp, type DnsObservation, type TcpObservation } from './capture/net.js';
import { tlsHandshake, type TlsObservation } from './capture/tls.js';
import { httpGet, DEFAULT_MAX_BODY_BYTES, type HttpObservation } from './capture/http.js';
import { judgeChain, type ChainJudgement } from './checks/chain.js';
import { captureRule, dnsRule, handshakeRule, httpRule, tcpRule, type ProbeRulePlan } from './checks/probe-rules.js';
import { setUpProbe } from './gateway/probe-setup.js';
import type { Finding } from './model/findings.js';
import { GATEWAY_MESSAGES, fillMessage } from './model/messages.js';
import type { ProbeOptions } from './model/plan.js';
import type { ProbeReport, StageResult } from './model/report.js';
import { escapeText } from './x509/cert.js';
import { assembleReport } from './verify.js';
import { checkRevocation, type RevocationOutcome } from './revocation/check.js';

export type { ProbeOptions } from './model/plan.js';

export type { StageResult };

export { splitTarget } from './gateway/target.js';

function bodyText(b: Uint8Array, max = 512): string {
  return escapeText(Buffer.from(b.subarray(0, max)).toString('utf8'));
}

/** Milliseconds to 0.1 ms. */
function tenthMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Run one probe as the gateway does and judge what it saw. Never throws for backend behaviour. */
export async function probeBackend(o: ProbeOptions): Promise<ProbeReport> {
  const setup = setUpProbe(o);
  const { targetHost, port, sku, protocol, timeoutSeconds, at, names, plan, trust, inputFindings } = setup;
  const { path, status: match, body } = setup.http;

  const t0 = nowMs();
  const deadline = Date.now() + timeoutSeconds * 1000;
  const stages: StageResult[] = [];
  const findings: Finding[] = [...inputFindings];
  let dns: DnsObservation | undefined, tcp: TcpObservation | undefined, tlsObs: TlsObservation | undefined, http: HttpObservation | undefined;
  let judged: ChainJudgement | undefined;
  const rulePlan: ProbeRulePlan = { sku, timeoutSeconds, http: setup.http };
  let socket: Duplex | undefined;
  let revocation: Promise<RevocationOutcome> | undefined;

  try {
    dns = await resolveHost(targetHost, { deadline, ...(o.resolve ? { resolve: o.resolve } : {}) });
    stages.push({ stage: 'dns', ok: dns.ok, ms: dns.ms, detail: dns.ok ? dns.addresses.map((a) => a.address).join(', ') : `${dns.error?.code}: ${dns.error?.message}` });
    if (!dns.ok) {
      findings.push(...dnsRule({ dns, name: targetHost, deadlineReached: Date.now() >= deadline - 5 }, rulePlan));
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
      findings.push(...tcpRule({ tcp, connected: !!socket, host: targetHost, port }, rulePlan));
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
            ...(o.allowInternalFetch ? { allowInternalFetch: true } : {}),
          });
          revocation.catch(() => undefined); // awaited in finish(); no unhandled rejection meanwhile
        }
      } else findings.push(...captureRule(tlsObs, rulePlan));
      if (!tlsObs.ok || !r.socket) {
        findings.push(...handshakeRule(tlsObs, rulePlan));
        socket = undefined;
        return finish();
      }
      socket = r.socket;
    }
    http = await httpGet(socket, { hostHeader: names.hostHeader, path, deadline });
    socket = undefined; // httpGet destroys it
    const st = http.status;
    stages.push({ stage: 'http', ok: http.ok && !http.error, ms: http.ms, detail: st !== undefined ? `GET ${path} → ${st}${http.error ? ` (${http.error.kind})` : ''}` : `${http.error?.kind}: ${http.error?.message}` });
    findings.push(...httpRule(http, rulePlan));
    return finish();
  } finally {
    socket?.destroy();
  }

  async function finish(): Promise<ProbeReport> {
    const rev = revocation ? await revocation : undefined;
    if (rev) findings.push(...rev.findings);
    const st = http?.status;
    return assembleReport({
      kind: 'probe', plan, trust, chain: judged?.chain ?? null, findings, policy: judged?.policy ?? [],
      successMessage: fillMessage(GATEWAY_MESSAGES.OK.text, { HTTPStatusCode: st ?? 0 }), successMessageId: 'OK',
      extra: {
        target: { host: targetHost, port, protocol, address: tcp?.address ?? dns?.addresses[0]?.address ?? null },
        probe: { host: names.host?.value ?? null, hostSource: names.hostSource, hostHeader: names.hostHeader, sni: names.sni ?? null, path, status: match.text, body: body ?? null, timeoutSeconds },
        tls: tlsObs ? { protocol: tlsObs.protocol ?? null, cipher: tlsObs.cipher?.standardName ?? tlsObs.cipher?.name ?? null, sniSent: tlsObs.sniSent, alpn: tlsObs.alpn ?? false, ocspStapled: tlsObs.ocspStapled, sessionReused: tlsObs.sessionReused, captured: !!tlsObs.presented, notCapturedReason: tlsObs.notCapturedReason ?? null } : null,
        http: http ? { status: http.status ?? null, statusText: http.statusText ?? null, location: http.location ? escapeText(http.location) : null, bodyPrefix: bodyText(http.bodyPrefix), bodyBytesRead: http.bodyPrefix.length, bodyTruncated: http.bodyTruncated, bodyCap: DEFAULT_MAX_BODY_BYTES } : null,
        ...(rev ? { revocation: rev.report } : {}),
        // Rounded once, here: a clock's sub-microsecond digits say nothing (0.1 ms is the precision kept).
        stages: stages.map((s) => ({ ...s, ms: tenthMs(s.ms) })),
        timings: { totalMs: tenthMs(nowMs() - t0), ...Object.fromEntries(stages.map((s) => [s.stage, tenthMs(s.ms)])) },
      },
    });
  }
}
