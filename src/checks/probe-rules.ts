/**
 * The probe's verdicts around the certificate: DNS, TCP, the TLS handshake and the HTTP answer,
 * each a small pure rule from what capture/ observed and the plan to findings, in the order the
 * gateway reports them (appgw-spec §8: DNS M2, TCP M3, TLS, GET timeout M1, status M4, body M5).
 * The observations' types come from capture/ as types only; this file does no I/O.
 */
import { escapeText } from '../x509/cert.js';
import { makeFinding } from '../model/catalog.js';
import type { Finding } from '../model/findings.js';
import type { HttpExpectation, Sku } from '../model/plan.js';
import type { DnsObservation, TcpObservation } from '../capture/net.js';
import type { TlsObservation } from '../capture/tls.js';
import type { HttpObservation } from '../capture/http.js';
import { bodyContains, statusMatches } from './http.js';

/** What the network rules judge against: the gateway's SKU, the probe timeout and the match. */
export interface ProbeRulePlan {
  sku: Sku;
  timeoutSeconds: number;
  http: HttpExpectation;
}

/** M1: a stage that did not finish within the probe's timeout (appgw-spec §1.1 M1). */
export function probeTimeout(during: string, plan: ProbeRulePlan): Finding {
  return makeFinding('PROBE_TIMEOUT', { during, timeoutSeconds: plan.timeoutSeconds }, { sku: plan.sku });
}

/**
 * M2: the backend's name did not resolve (appgw-spec §1.1 M2). A resolver timeout at the probe's
 * deadline is the probe timing out (M1), not a DNS answer.
 */
export function dnsRule(o: { dns: DnsObservation; name: string; deadlineReached: boolean }, plan: ProbeRulePlan): Finding[] {
  const { dns } = o;
  if (dns.ok) return [];
  if (dns.error?.code === 'ETIMEOUT' && o.deadlineReached) return [probeTimeout('DNS', plan)];
  return [makeFinding('DNS_FAILED', { name: o.name, code: dns.error?.code ?? 'error', detail: dns.error?.message ?? '' }, { sku: plan.sku })];
}

/** M3: no TCP connection to the probe port (appgw-spec §1.1 M3); a connect timeout is M1. */
export function tcpRule(o: { tcp: TcpObservation | undefined; connected: boolean; host: string; port: number }, plan: ProbeRulePlan): Finding[] {
  if (o.connected && o.tcp?.ok) return [];
  const e = o.tcp?.error;
  if (e?.kind === 'timeout') return [probeTimeout('TCP connect', plan)];
  const ev = { address: o.tcp?.address ?? o.host, port: o.port, code: e?.code ?? '', detail: e?.message ?? '' };
  return [makeFinding(e?.kind === 'refused' ? 'TCP_REFUSED' : e?.kind === 'unreachable' ? 'TCP_UNREACHABLE' : 'TCP_FAILED', ev, { sku: plan.sku })];
}

/**
 * The certificate list could not be captured although the handshake got far enough to send it
 * (design.md: "when it cannot be captured, say so and why"); after a timeout M1 says enough.
 */
export function captureRule(tls: TlsObservation, plan: ProbeRulePlan): Finding[] {
  if (tls.presented || (!tls.ok && tls.failure?.kind === 'timeout')) return [];
  return [makeFinding('CHAIN_NOT_CAPTURED', { reason: tls.notCapturedReason ?? 'no Certificate message seen' }, { sku: plan.sku })];
}

// RFC 8446 §6 alert descriptions the gateway's backends are seen to send.
const ALERT_NAMES: Readonly<Record<number, string>> = { 40: 'handshake_failure', 42: 'bad_certificate', 47: 'illegal_parameter', 48: 'unknown_ca', 70: 'protocol_version', 80: 'internal_error', 112: 'unrecognized_name', 116: 'certificate_required', 120: 'no_application_protocol' };

/**
 * A failed TLS handshake: M15 on v2, V1b on v1 (appgw-spec §1.2, §1.3), one code per way it
 * failed; a handshake still running at the deadline is M1.
 */
export function handshakeRule(tls: TlsObservation, plan: ProbeRulePlan): Finding[] {
  const f = tls.failure;
  if (tls.ok || f === undefined) return [];
  if (f.kind === 'timeout') return [probeTimeout('TLS handshake', plan)];
  const sku = plan.sku;
  switch (f.kind) {
    case 'alert': return [makeFinding('TLS_ALERT', { alert: f.alert ?? null, alertName: f.alert !== undefined ? ALERT_NAMES[f.alert] ?? 'alert' : 'unknown', detail: f.message, code: f.code ?? '' }, { sku })];
    case 'reset': return [makeFinding('TLS_RESET', { detail: f.message, code: f.code ?? '' }, { sku })];
    case 'closed': return [makeFinding('TLS_CLOSED', { detail: f.message }, { sku })];
    case 'plaintext': return [makeFinding('TLS_PLAINTEXT', { detail: f.message }, { sku })];
    case 'cert-too-large': return [makeFinding('TLS_CERT_MESSAGE_TOO_LARGE', { detail: f.message }, { sku })];
    default: return [makeFinding('TLS_FAILED', { detail: f.message, code: f.code ?? '' }, { sku })];
  }
}

/**
 * The HTTP answer against the probe's match (appgw-spec §1.1 M1, M4, M5; §2.3): no answer in time
 * is M1, an unusable one is M1, a status outside the match is M4, and only a matching status has
 * its body searched (M5). A redirect is judged by its own status, never followed.
 */
export function httpRule(http: HttpObservation, plan: ProbeRulePlan): Finding[] {
  const { sku } = plan;
  const st = http.status;
  if (http.error?.kind === 'timeout') return [probeTimeout('HTTP response', plan)];
  if (!http.ok || st === undefined || http.error?.kind === 'invalid') {
    return [http.error?.kind === 'invalid' ? makeFinding('HTTP_INVALID_RESPONSE', { detail: `${http.error.code ?? ''} ${http.error.message}`.trim() }, { sku })
      : makeFinding('HTTP_FAILED', { detail: http.error?.message ?? 'no response' }, { sku })];
  }
  const out: Finding[] = [];
  const { path, status: match, body } = plan.http;
  if (!statusMatches(match, st)) {
    out.push(makeFinding('HTTP_STATUS_MISMATCH', { path, status: st, expected: match.text, HTTPStatusCode0: match.text, HTTPStatusCode1: st }, { sku }));
  } else if (body !== undefined && !bodyContains(http.bodyPrefix, body)) {
    out.push(makeFinding('HTTP_BODY_MISMATCH', { searched: http.bodyPrefix.length, string: body, truncated: http.bodyTruncated }, { sku }));
  }
  if (http.location && st >= 300 && st < 400) out.push(makeFinding('HTTP_REDIRECT_NOT_FOLLOWED', { location: escapeText(http.location), status: st }));
  return out;
}
