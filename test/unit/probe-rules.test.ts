import { describe, expect, it } from 'vitest';
import { captureRule, dnsRule, handshakeRule, httpRule, tcpRule, type ProbeRulePlan } from '../../src/checks/probe-rules.js';
import type { HttpObservation } from '../../src/capture/http.js';
import type { TlsObservation } from '../../src/capture/tls.js';

const plan: ProbeRulePlan = { sku: 'v2', timeoutSeconds: 30, http: { path: '/health', status: { ranges: [[200, 399]], text: '200-399' } } };
const codes = (fs: { code: string }[]) => fs.map((f) => f.code);
const tls = (o: Partial<TlsObservation>): TlsObservation => ({ ok: false, sniSent: null, presented: null, ocspStapled: false, sessionReused: false, timings: { handshakeMs: 1 }, ...o });
const http = (o: Partial<HttpObservation>): HttpObservation => ({ ok: true, status: 200, bodyPrefix: new Uint8Array(), bodyTruncated: false, ms: 1, ...o });

describe('dnsRule (M2)', () => {
  it('nothing to say when the name resolved', () => {
    expect(dnsRule({ dns: { ok: true, name: 'a.test', addresses: [{ address: '127.0.0.1', family: 4 }], ms: 1 }, name: 'a.test', deadlineReached: false }, plan)).toEqual([]);
  });
  it('a failed lookup is DNS_FAILED with the resolver\'s code; a timeout at the deadline is M1', () => {
    const dns = { ok: false, name: 'a.test', addresses: [], error: { code: 'ENOTFOUND', message: 'not found' }, ms: 1 };
    const [f] = dnsRule({ dns, name: 'a.test', deadlineReached: false }, plan);
    expect(f).toMatchObject({ code: 'DNS_FAILED', gatewayMessageId: 'M2', evidence: { name: 'a.test', code: 'ENOTFOUND', detail: 'not found' } });
    const slow = { ...dns, error: { code: 'ETIMEOUT', message: 'timed out' } };
    expect(codes(dnsRule({ dns: slow, name: 'a.test', deadlineReached: true }, plan))).toEqual(['PROBE_TIMEOUT']);
    expect(codes(dnsRule({ dns: slow, name: 'a.test', deadlineReached: false }, plan))).toEqual(['DNS_FAILED']);
  });
});

describe('tcpRule (M3)', () => {
  const tcp = (kind: 'refused' | 'unreachable' | 'timeout' | 'reset' | 'other') => ({ ok: false, address: '127.0.0.1', port: 1, error: { kind, code: 'E', message: 'm' }, ms: 1 });
  it('maps each way a connect fails to its code', () => {
    expect(codes(tcpRule({ tcp: tcp('refused'), connected: false, host: 'h', port: 1 }, plan))).toEqual(['TCP_REFUSED']);
    expect(codes(tcpRule({ tcp: tcp('unreachable'), connected: false, host: 'h', port: 1 }, plan))).toEqual(['TCP_UNREACHABLE']);
    expect(codes(tcpRule({ tcp: tcp('reset'), connected: false, host: 'h', port: 1 }, plan))).toEqual(['TCP_FAILED']);
    expect(codes(tcpRule({ tcp: tcp('timeout'), connected: false, host: 'h', port: 1 }, plan))).toEqual(['PROBE_TIMEOUT']);
  });
  it('with no attempt at all, names the host', () => {
    expect(tcpRule({ tcp: undefined, connected: false, host: 'h', port: 8443 }, plan)[0]!.evidence).toEqual({ address: 'h', port: 8443, code: '', detail: '' });
  });
  it('nothing once connected', () => {
    expect(tcpRule({ tcp: { ok: true, address: '127.0.0.1', port: 1, ms: 1 }, connected: true, host: 'h', port: 1 }, plan)).toEqual([]);
  });
});

describe('captureRule and handshakeRule (M15 / V1b)', () => {
  it('an uncaptured chain is said, except after a timeout', () => {
    expect(codes(captureRule(tls({ ok: true, notCapturedReason: 'x' }), plan))).toEqual(['CHAIN_NOT_CAPTURED']);
    expect(captureRule(tls({ failure: { kind: 'timeout', message: 't' } }), plan)).toEqual([]);
    expect(captureRule(tls({ ok: true, presented: [new Uint8Array([1])] }), plan)).toEqual([]);
  });
  it('each failure kind has its code; an alert carries its name', () => {
    const kinds = { alert: 'TLS_ALERT', reset: 'TLS_RESET', closed: 'TLS_CLOSED', plaintext: 'TLS_PLAINTEXT', 'cert-too-large': 'TLS_CERT_MESSAGE_TOO_LARGE', protocol: 'TLS_FAILED', other: 'TLS_FAILED', timeout: 'PROBE_TIMEOUT' } as const;
    for (const [kind, code] of Object.entries(kinds)) {
      expect(codes(handshakeRule(tls({ failure: { kind: kind as keyof typeof kinds, message: 'm' } }), plan))).toEqual([code]);
    }
    const [f] = handshakeRule(tls({ failure: { kind: 'alert', alert: 112, message: 'server sent TLS alert 112 (unrecognized_name)' } }), plan);
    expect(f).toMatchObject({ gatewayMessageId: 'M15', evidence: { alert: 112, alertName: 'unrecognized_name' } });
    expect(handshakeRule(tls({ failure: { kind: 'reset', message: 'm' } }), { ...plan, sku: 'v1' })[0]!.gatewayMessageId).toBe('V1b');
  });
  it('nothing for a handshake that succeeded', () => {
    expect(handshakeRule(tls({ ok: true }), plan)).toEqual([]);
  });
});

describe('httpRule (M1, M4, M5)', () => {
  it('a status inside the match is healthy; outside it is M4 with the gateway\'s Expected/Received', () => {
    expect(httpRule(http({ status: 204 }), plan)).toEqual([]);
    const [f] = httpRule(http({ status: 500 }), plan);
    expect(f).toMatchObject({ code: 'HTTP_STATUS_MISMATCH', gatewayMessageId: 'M4' });
    expect(f!.gatewayMessage).toContain('Expected:200-399 Received:500');
  });
  it('the body is searched only when the status matched', () => {
    const withBody = { ...plan, http: { ...plan.http, body: 'OK' } };
    expect(codes(httpRule(http({ bodyPrefix: Buffer.from('not here') }), withBody))).toEqual(['HTTP_BODY_MISMATCH']);
    expect(httpRule(http({ bodyPrefix: Buffer.from('all OK') }), withBody)).toEqual([]);
    expect(codes(httpRule(http({ status: 503, bodyPrefix: Buffer.from('x') }), withBody))).toEqual(['HTTP_STATUS_MISMATCH']);
  });
  it('timeouts, invalid and missing answers', () => {
    expect(codes(httpRule(http({ error: { kind: 'timeout', message: 't' } }), plan))).toEqual(['PROBE_TIMEOUT']);
    expect(httpRule(http({ error: { kind: 'invalid', code: 'HPE_X', message: 'bad' } }), plan)[0]).toMatchObject({ code: 'HTTP_INVALID_RESPONSE', evidence: { detail: 'HPE_X bad' } });
    expect(codes(httpRule(http({ ok: false, status: undefined as unknown as number, error: { kind: 'closed', message: 'c' } }), plan))).toEqual(['HTTP_FAILED']);
  });
  it('a redirect is judged by its status and noted, never followed', () => {
    expect(codes(httpRule(http({ status: 302, location: '/login' }), plan))).toEqual(['HTTP_REDIRECT_NOT_FOLLOWED']);
  });
});
