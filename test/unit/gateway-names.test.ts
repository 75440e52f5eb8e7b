import { describe, expect, it } from 'vitest';
import { probeNames } from '../../src/gateway/names.js';
import { setUpProbe } from '../../src/gateway/probe-setup.js';
import { InputError } from '../../src/model/errors.js';

describe('probeNames (appgw-spec §3)', () => {
  it('v2: the probe host is SNI, Host header and the name checked', () => {
    expect(probeNames({ sni: 'app.test' }, '10.0.0.4')).toMatchObject({ host: { kind: 'dns', value: 'app.test' }, sni: 'app.test', hostHeader: 'app.test', hostSource: '--sni (probe or backend-setting host name)' });
  });
  it('v2 without a host name: an FQDN target names itself; an IP target probes 127.0.0.1 with no SNI', () => {
    expect(probeNames({}, 'backend.test')).toMatchObject({ sni: 'backend.test', hostHeader: 'backend.test' });
    const ip = probeNames({}, '10.0.0.4');
    expect(ip.sni).toBeUndefined();
    expect(ip.hostHeader).toBe('127.0.0.1');
    expect(ip.host).toMatchObject({ kind: 'ip', value: '127.0.0.1' });
  });
  it('v2 backend-setting switches: sniName is sent and checked; validateSNI false checks no name', () => {
    expect(probeNames({ sni: 'app.test', sniName: 'tls.test' }, 'x.test')).toMatchObject({ sni: 'tls.test', hostHeader: 'app.test', host: { value: 'tls.test' } });
    expect(probeNames({ sni: 'app.test', validateSNI: false }, 'x.test')).toMatchObject({ host: null, hostSkippedReason: 'validateSNI is false in the backend setting', sni: 'app.test' });
  });
  it('v1: SNI is the pool member\'s FQDN, the probe host only the Host header; an IP member has neither SNI nor a name to check', () => {
    expect(probeNames({ sku: 'v1', sni: 'probe.test' }, 'member.test')).toMatchObject({ host: { kind: 'dns', value: 'member.test' }, sni: 'member.test', hostHeader: 'probe.test', hostSource: 'v1: the backend pool FQDN' });
    expect(probeNames({ sku: 'v1' }, '10.0.0.4')).toMatchObject({ host: null, sni: undefined, hostHeader: '127.0.0.1' });
  });
  it('the SNI is the host name exactly as configured; the name checked is what OpenSSL compares (issue 15)', () => {
    expect(probeNames({ sni: 'WWW.Backend.TEST' }, '10.0.0.4')).toMatchObject({ sni: 'WWW.Backend.TEST', hostHeader: 'WWW.Backend.TEST', host: { value: 'www.backend.test' } });
    expect(probeNames({ sni: 'www.backend.test.' }, '10.0.0.4')).toMatchObject({ sni: 'www.backend.test.', host: { value: 'www.backend.test.' } });
    expect(probeNames({ sni: 'bücher.example' }, '10.0.0.4')).toMatchObject({ sni: 'bücher.example', host: { value: 'bücher.example', aLabel: 'xn--bcher-kva.example' } });
    expect(probeNames({}, 'Backend.TEST.')).toMatchObject({ sni: 'Backend.TEST.', host: { value: 'backend.test.' } });
    expect(probeNames({ sku: 'v1' }, 'Member.TEST.')).toMatchObject({ sni: 'Member.TEST.', host: { value: 'member.test.' } });
  });
  it('noSni sends none but still checks the name', () => {
    expect(probeNames({ noSni: true }, 'backend.test')).toMatchObject({ sni: undefined, host: { value: 'backend.test' } });
  });
});

describe('setUpProbe', () => {
  it('defaults as the gateway: port 443, https, 30 s, path /, 200-399', () => {
    const s = setUpProbe({ target: 'backend.test' });
    expect(s).toMatchObject({ targetHost: 'backend.test', port: 443, sku: 'v2', protocol: 'https', timeoutSeconds: 30, http: { path: '/', status: { text: '200-399' } } });
    expect(s.plan.trust.mode).toBe('wellknown');
    expect(s.http.body).toBeUndefined();
  });
  it('usage errors are InputErrors, before anything is contacted', () => {
    expect(() => setUpProbe({ target: 'backend.test', path: 'health' })).toThrow(InputError);
    expect(() => setUpProbe({ target: 'backend.test', timeoutSeconds: 0 })).toThrow(/--timeout/);
    expect(() => setUpProbe({ target: 'backend.test', status: '99' })).toThrow(InputError);
    expect(() => setUpProbe({ target: 'backend.test', sku: 'v1' })).toThrow(/--auth-cert/);
  });
});
