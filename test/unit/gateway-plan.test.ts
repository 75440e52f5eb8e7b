/**
 * The probe plan for each pool member × backend setting, case by case against appgw-spec §2–§3:
 * default vs custom probe, v1 vs v2, every host-selection rule, port override, trust modes,
 * validateSNI / sniName / validateCertChainAndExpiry, and the routing-rule pairing.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig, type GatewayConfig } from '../../src/gateway/config.js';
import { planGateway, type ProbePlan } from '../../src/gateway/plan.js';

const FIX = 'test/fixtures/gateway';
const cfgOf = (name: string) => parseGatewayConfig(JSON.parse(readFileSync(`${FIX}/${name}.json`, 'utf8')), `${name}.json`);

type Row = [setting: string, address: string, expected: Partial<ProbePlan> & { trustMode?: ProbePlan['trust']['mode'] }];

function find(plans: ProbePlan[], setting: string, address: string): ProbePlan {
  const p = plans.find((x) => x.setting === setting && x.address === address);
  if (!p) throw new Error(`no plan for ${setting} × ${address}`);
  return p;
}

function check(plans: ProbePlan[], rows: Row[]): void {
  for (const [setting, address, { trustMode, ...exp }] of rows) {
    const p = find(plans, setting, address);
    const got: Record<string, unknown> = Object.fromEntries(Object.keys(exp).map((k) => [k, p[k as keyof ProbePlan]]));
    if (trustMode) got.trustMode = p.trust.mode;
    expect({ setting, address, ...got }).toEqual({ setting, address, ...exp, ...(trustMode ? { trustMode } : {}) });
  }
}

describe('v2 plans (appgw-spec §2.1, §2.2, §3.2)', () => {
  let cfg: GatewayConfig;
  let plans: ProbePlan[];
  beforeAll(async () => { cfg = await cfgOf('v2-cli'); plans = planGateway(cfg).plans; });

  it('one plan per member × setting when the document has no routing rules', () => {
    expect(plans).toHaveLength(cfg.settings.length * 2);
    expect(planGateway(cfg).notes).toContain('no routing rules in the document: every pool is planned with every backend setting');
  });

  it('the host, SNI and name-check table', () => {
    const H = 'backend.test', IP = '127.0.0.1';
    check(plans, [
      // Default probe, no host name in the setting: 127.0.0.1, so no SNI, and 127.0.0.1 is the name checked.
      ['bes-default', H, { probe: { kind: 'default', name: null, id: null }, host: IP, hostHeader: IP, sni: null, checkedName: IP, port: 9441, path: '/', timeoutSeconds: 30, status: '200-399', body: null, trustMode: 'uploaded', url: 'https://127.0.0.1:9441/' }],
      ['bes-default', IP, { host: IP, hostHeader: IP, sni: null, checkedName: IP }],
      // Default probe with the setting's hostName override.
      ['bes-override', H, { host: H, hostHeader: H, sni: H, checkedName: H }],
      ['bes-override', IP, { host: H, hostHeader: H, sni: H, checkedName: H, url: 'https://backend.test:9442/' }],
      // Custom probe picks from the setting, which picks from the member's address.
      ['bes-pick', H, { probe: { kind: 'custom', name: 'probe-pick', id: cfg.probes[0]!.id }, host: H, sni: H, checkedName: H, path: '/health', body: 'ok' }],
      ['bes-pick', IP, { host: IP, hostHeader: IP, sni: null, checkedName: IP }],
      // Custom probe host beats the setting's hostName.
      ['bes-probehost', H, { host: 'www.backend.test', hostHeader: 'www.backend.test', sni: 'www.backend.test', checkedName: 'www.backend.test', timeoutSeconds: 5, status: '200-299' }],
      ['bes-probehost', IP, { host: 'www.backend.test', sni: 'www.backend.test' }],
      ['bes-status', IP, { host: H, path: '/missing', status: '200-399' }],
      // No trusted roots: well-known CA mode.
      ['bes-wellknown', H, { trustMode: 'wellknown', sni: H }],
      // Http: no TLS at all.
      ['bes-http', H, { protocol: 'http', trustMode: 'none', sni: null, checkedName: null, host: IP, hostHeader: IP, url: 'http://127.0.0.1:9447/' }],
      // v2 probe port override.
      ['bes-port', H, { port: 9449, host: H, timeoutSeconds: 10 }],
      // sniName: sent and validated instead of the probe host; the Host header stays the probe host.
      ['bes-sniname', H, { host: H, hostHeader: H, sni: 'www.backend.test', checkedName: 'www.backend.test', sniName: 'www.backend.test' }],
      // validateSNI false: no name check; validateCertChainAndExpiry false carried.
      ['bes-novalidate', IP, { host: 'wrong.test', sni: 'wrong.test', checkedName: null, validateSNI: false, validateCertChainAndExpiry: false, trustMode: 'wellknown' }],
      ['bes-slow', H, { timeoutSeconds: 1, configuredTimeoutSeconds: 1 }],
    ]);
  });

  it('the probe options are what probeBackend needs to act out the plan', () => {
    const o = find(plans, 'bes-pick', 'backend.test').options;
    expect(o).toMatchObject({ target: 'backend.test', port: 9443, protocol: 'https', sni: 'backend.test', hostHeader: 'backend.test', path: '/health', status: '200-399', body: 'ok', sku: 'v2', timeoutSeconds: 30, validateChainAndExpiry: true, validateSNI: true });
    expect(o.trustedRoots).toHaveLength(1);
    const d = find(plans, 'bes-default', 'backend.test').options;
    // The gateway's default host is 127.0.0.1 even for an FQDN member: the plan must say so, not let probeBackend pick the FQDN.
    expect(d.sni).toBe('127.0.0.1');
    expect(find(plans, 'bes-novalidate', '127.0.0.1').options).toMatchObject({ validateSNI: false, validateChainAndExpiry: false });
    expect(find(plans, 'bes-novalidate', '127.0.0.1').options.trustedRoots).toBeUndefined();
    expect(find(plans, 'bes-sniname', '127.0.0.1').options.sniName).toBe('www.backend.test');
  });

  it('every choice carries its reason', () => {
    const p = find(plans, 'bes-pick', 'backend.test');
    expect(p.why.host).toBe('Host header "backend.test": custom probe probe-pick: pickHostNameFromBackendHttpSettings, so setting bes-pick: pickHostNameFromBackendAddress, so the pool member\'s address "backend.test"');
    expect(find(plans, 'bes-default', 'backend.test').why.sni).toBe('v2: the probe host "127.0.0.1" is an IP address, so no SNI is sent (RFC 6066, appgw-spec §3.2)');
    expect(find(plans, 'bes-port', 'backend.test').why.port).toBe('custom probe probe-port: port 9449 (v2 probe port override)');
    expect(find(plans, 'bes-wellknown', 'backend.test').why.trust).toMatch(/^v2: no trustedRootCertificates, so the well-known CA store/);
    expect(find(plans, 'bes-pick', '127.0.0.1').notes).toEqual(['pickHostNameFromBackendAddress with an IP member: the docs say IP members are not supported with "pick host name from backend target"; the IP is used as the host, so no SNI is sent']);
  });

  it('--timeout-cap lowers long timeouts only, and says so', () => {
    const capped = planGateway(cfg, { timeoutCap: 3 }).plans;
    expect(find(capped, 'bes-default', '127.0.0.1')).toMatchObject({ timeoutSeconds: 3, configuredTimeoutSeconds: 30 });
    expect(find(capped, 'bes-default', '127.0.0.1').why.timeout).toMatch(/capped to 3 s by --timeout-cap/);
    expect(find(capped, 'bes-slow', '127.0.0.1').timeoutSeconds).toBe(1);
  });

  it('--pool and --setting filter, and an unknown name is an input error listing the names', () => {
    const only = planGateway(cfg, { settings: ['BES-HTTP', 'bes-port'] }).plans;
    expect(only.map((p) => `${p.setting} ${p.address}`)).toEqual(['bes-http backend.test', 'bes-http 127.0.0.1', 'bes-port backend.test', 'bes-port 127.0.0.1']);
    expect(() => planGateway(cfg, { pools: ['pool-x'] })).toThrow('--pool pool-x: no such name in v2-cli.json (have: pool-a)');
  });

  it('probe host rules the docs leave open: both host and pick, pick without a host name, neither', async () => {
    const doc = JSON.parse(readFileSync(`${FIX}/v2-cli.json`, 'utf8'));
    doc.probes[0].host = 'probe-host.test'; // probe-pick now has host AND pickHostNameFromBackendHttpSettings
    doc.backendHttpSettingsCollection[3].probe = { id: '…/probes/probe-port' }; // bes-probehost → probe-port, which picks from a setting with hostName
    doc.backendHttpSettingsCollection[4].probe = { id: '…/probes/probe-port' }; // bes-status has no host name
    doc.probes[2].host = null; // probe-status: neither host nor pick
    doc.backendHttpSettingsCollection[0].probe = { id: '…/probes/probe-status' };
    const c = await parseGatewayConfig(doc, 'x.json');
    const ps = planGateway(c).plans;
    expect(find(ps, 'bes-pick', 'backend.test').host).toBe('probe-host.test');
    expect(find(ps, 'bes-pick', 'backend.test').notes[0]).toMatch(/sets both host and pickHostNameFromBackendHttpSettings/);
    expect(find(ps, 'bes-probehost', 'backend.test').host).toBe('ignored.backend.test');
    expect(find(ps, 'bes-status', 'backend.test')).toMatchObject({ host: '127.0.0.1', sni: null });
    expect(find(ps, 'bes-status', 'backend.test').notes[0]).toMatch(/has none \(Azure refuses this on update\); assuming the default probe host 127.0.0.1/);
    expect(find(ps, 'bes-default', 'backend.test').notes[0]).toMatch(/has neither host nor pickHostNameFromBackendHttpSettings/);
  });

  it('a probe protocol that differs from the setting is planned with the probe\'s, noted', async () => {
    const doc = JSON.parse(readFileSync(`${FIX}/v2-cli.json`, 'utf8'));
    doc.probes[1].protocol = 'Http';
    const ps = planGateway(await parseGatewayConfig(doc, 'x.json')).plans;
    const p = find(ps, 'bes-probehost', 'backend.test');
    expect([p.protocol, p.trust.mode, p.sni]).toEqual(['http', 'none', null]);
    expect(p.notes).toContain('probe probe-host uses Http but setting bes-probehost uses Https; the docs require them to match, the probe\'s protocol is used');
  });
});

describe('routing rules decide which pool × setting pairs exist', () => {
  it('v2-arm: rules and path maps pair pools with settings; an unrouted pool is not probed', async () => {
    const cfg = await cfgOf('v2-arm');
    const { plans, notes } = planGateway(cfg);
    expect(plans.map((p) => `${p.pool}/${p.setting}/${p.address}`)).toEqual([
      'pool-api/set-api/api-1.backend.test', 'pool-api/set-api/api-2.backend.test',
      'pool-api/set-b/api-1.backend.test', 'pool-api/set-b/api-2.backend.test',
      'pool-legacy/set-legacy/10.0.0.7',
    ]);
    expect(notes).toContain('pool pool-unused is used by no routing rule, so the gateway does not probe it (use --all-pairs to plan it anyway)');
    check(plans, [
      ['set-api', 'api-2.backend.test', { host: 'api-2.backend.test', sni: 'api-2.backend.test', path: '/status', status: '200-204,301', body: null, timeoutSeconds: 10, routedBy: ['rule rule-api'], trustMode: 'uploaded' }],
      ['set-b', 'api-1.backend.test', { host: 'api.backend.test', sni: 'api.backend.test', path: '/', routedBy: ['path map map-shop, path rule b-api'], trustMode: 'uploaded' }],
      ['set-legacy', '10.0.0.7', { protocol: 'http', host: 'legacy.backend.test', hostHeader: 'legacy.backend.test', port: 8080, sni: null, trustMode: 'none' }],
    ]);
    expect(find(plans, 'set-b', 'api-1.backend.test').trust.certificates).toEqual(['root-b']);
    expect(planGateway(cfg, { allPairs: true }).plans).toHaveLength(3 * (2 + 1 + 1));
  });
});

describe('v1 plans (appgw-spec §3.1)', () => {
  let plans: ProbePlan[];
  beforeAll(async () => { plans = planGateway(await cfgOf('v1-arm')).plans; });

  it('SNI is the member FQDN (none for an IP); the probe host sets only the Host header', () => {
    const H = 'backend.test', IP = '127.0.0.1';
    check(plans, [
      ['v1-default', H, { sku: 'v1', host: IP, hostHeader: IP, sni: H, checkedName: H, trustMode: 'v1-auth-cert', port: 9461, blocked: null }],
      ['v1-default', IP, { hostHeader: IP, sni: null, checkedName: null }],
      ['v1-probe', H, { hostHeader: 'probe.backend.test', sni: H, checkedName: H, timeoutSeconds: 5 }],
      ['v1-probe', IP, { hostHeader: 'probe.backend.test', sni: null, checkedName: null }],
      // v1 ignores the probe port override and the v2-only validation switches.
      ['v1-probe', H, { port: 9462 }],
      ['v1-v2only', H, { hostHeader: H, sni: H, checkedName: H, validateSNI: true, sniName: null }],
    ]);
    expect(find(plans, 'v1-probe', H).notes).toContain("probe probe-v1 sets port 9999, which only v2 honours; v1 probes the setting's port 9462");
    expect(find(plans, 'v1-v2only', H).notes).toContain('setting v1-v2only: validateCertChainAndExpiry/validateSNI/sniName are v2-only and ignored on v1');
    const o = find(plans, 'v1-probe', H).options;
    expect(o.sni).toBeUndefined();
    expect(o.hostHeader).toBe('probe.backend.test');
    expect(o.authCerts).toHaveLength(1);
  });

  it('a v1 Https setting without authentication certificates is not probed (Unknown), with the reason', () => {
    const p = find(plans, 'v1-noauth', 'backend.test');
    expect(p.blocked).toBe('v1 Https setting v1-noauth has no authentication certificates; how v1 judges such a backend (trusted Azure services such as App Service) is undocumented, so it is not probed');
  });
});
