/**
 * Every real gateway configuration in test/fixtures/realworld/ (copied from public repositories,
 * unedited; index.json names each source) is read without error, and every plan row agrees with
 * the gateway's documented rules (appgw-spec §2–§3), checked here by an independent restatement.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import net from 'node:net';
import { loadGatewayConfig, readParameterArgs, type GatewayConfig } from '../../src/gateway/config.js';
import { planGateway, type ProbePlan } from '../../src/gateway/plan.js';

const DIR = 'test/fixtures/realworld';
const index = JSON.parse(readFileSync(`${DIR}/index.json`, 'utf8')) as { configs: { file: string; shape: string }[] };
const gateways = index.configs.filter((c) => !c.file.includes('.parameters.')).map((c) => c.file);

/** The documented rules, restated: probe host, port, path, timeout, SNI and trust mode for a row. */
function expectDocumented(cfg: GatewayConfig, p: ProbePlan): void {
  const s = cfg.settings.find((x) => x.name === p.setting)!;
  const pr = s.probe;
  const v2 = cfg.sku.version === 'v2';
  const settingHost = s.pickHostNameFromBackendAddress ? p.address : s.hostName;
  const host = pr ? (pr.host ?? (pr.pickHostNameFromBackendHttpSettings ? settingHost ?? '127.0.0.1' : '127.0.0.1')) : settingHost ?? '127.0.0.1';
  expect(p.hostHeader, `${p.setting} ${p.address} host`).toBe(host);
  expect(p.port).toBe(v2 && pr?.port ? pr.port : s.port);
  expect(p.path).toBe(pr?.path ?? '/');
  expect(p.configuredTimeoutSeconds).toBe(pr?.timeout ?? 30);
  expect(p.status).toBe((pr?.statusCodes ?? ['200-399']).join(', '));
  const https = (pr?.protocol ?? s.protocol) === 'Https';
  expect(p.protocol).toBe(https ? 'https' : 'http');
  if (!https) {
    expect([p.sni, p.trust.mode]).toEqual([null, 'none']);
  } else if (v2) {
    expect(p.sni).toBe(s.sniName ?? (net.isIP(host) ? null : host));
    expect(p.trust.mode).toBe(s.trustedRoots.length ? 'uploaded' : 'wellknown');
  } else {
    expect(p.sni).toBe(p.memberKind === 'fqdn' ? p.address : null);
    expect(p.trust.mode).toBe('v1-auth-cert');
  }
}

describe('real gateway configurations: every file plans', () => {
  for (const file of gateways) {
    it(file, async () => {
      const cfg = await loadGatewayConfig(`${DIR}/${file}`);
      const { plans } = planGateway(cfg);
      for (const p of plans) if (!p.blocked?.startsWith('not known from this document')) expectDocumented(cfg, p);
    });
  }

  it('the AGIC configurations: rows per routed pair, dangling "xx"/"yy" defaults skipped with a note', async () => {
    const rows = async (f: string) => planGateway(await loadGatewayConfig(`${DIR}/${f}`)).plans;
    expect((await rows('agic-health_probes_same_labels_different_namespaces.json')).map((p) => [p.address, p.hostHeader, p.path])).toEqual([
      ['1.1.1.1', 'foo.baz', '/'], ['1.1.1.2', 'foo.baz', '/'], ['1.1.1.3', 'foo.baz', '/'],
      ['21.21.21.21', 'foo.baz', '/b'], ['21.21.21.22', 'foo.baz', '/b'], ['21.21.21.23', 'foo.baz', '/b'],
    ]);
    expect(await rows('agic-three_ingresses.json')).toHaveLength(9);
    expect((await rows('agic-two_ingresses_with_and_without_extended_hostname.json')).map((p) => p.hostHeader)).toEqual(['localhost', 'localhost', 'localhost', 'test.com', 'test.com', 'test.com']);
    const cfg = await loadGatewayConfig(`${DIR}/agic-one_ingress_https_backend_without_backend_protocol.json`);
    expect(cfg.notes.some((n) => n.startsWith('path map url-1c526ee8ba68b3db940684e9093980ad (default): properties.urlPathMaps[0].properties.defaultBackendAddressPool.id: no backend pool named "xx"') && n.endsWith('this pair is skipped'))).toBe(true);
    expect(planGateway(cfg).plans.map((p) => [p.address, p.sni, p.trust.mode, p.blocked])).toEqual([
      ['11.21.21.21', 'localhost', 'wellknown', null], ['11.21.21.22', 'localhost', 'wellknown', null], ['11.21.21.23', 'localhost', 'wellknown', null],
    ]);
  });

  it('a trusted root the document does not hold: custom-root mode, rows not probed, trusted roots unknown', async () => {
    const { plans } = planGateway(await loadGatewayConfig(`${DIR}/agic-one_ingress_https_backend.json`));
    expect(plans).toHaveLength(3);
    for (const p of plans) {
      expect(p.trust).toEqual({ mode: 'uploaded', certificates: ['root-certificate'] });
      expect(p.blocked).toMatch(/^trusted roots unknown: certificate root-certificate: it is not in this document \(/);
    }
  });

  it('the AKS + AGIC deployment template: evaluated (guid, substring, nested deployments), an empty pool', async () => {
    const cfg = await loadGatewayConfig(`${DIR}/agic-deploy-azuredeploy.json`);
    expect(cfg.shape).toBe('arm-template');
    expect(cfg.sku).toEqual({ name: 'WAF_v2', tier: 'WAF_v2', version: 'v2' });
    expect(cfg.name).toMatch(/^applicationgateway[0-9a-f]{4}$/);
    expect(cfg.pools.map((p) => [p.name, p.members.length])).toEqual([['bepool', 0]]);
    expect(cfg.routedPairs!.map((p) => [p.pool.name, p.setting.name])).toEqual([['bepool', 'setting']]);
    expect(cfg.notes).toContain('sku name from parameter applicationGatewaySku (its default value); tier from parameter applicationGatewaySku (its default value)');
  });

  it('the probe quickstart without parameters: the row is planned, and says which parameter it needs', async () => {
    const { plans } = planGateway(await loadGatewayConfig(`${DIR}/qs-application-gateway-probe.json`));
    expect(plans).toHaveLength(1);
    expect(plans[0]!.blocked).toContain("[parameters('backend1')] is unknown (parameter backend1 has no value and no default: give it with --parameters)");
    expect(plans[0]!.blocked).toContain("probe Probe1 host: resources[2].properties.probes[0].properties.Host: [parameters('probeHost')] is unknown");
  });

  it('the probe quickstart with its parameters file: v1, the probe host from the file, and where each value came from', async () => {
    const parameters = await readParameterArgs([`${DIR}/qs-application-gateway-probe.parameters.json`]);
    const cfg = await loadGatewayConfig(`${DIR}/qs-application-gateway-probe.json`, { parameters });
    expect(cfg.sku).toEqual({ name: 'Standard_Medium', tier: 'Standard', version: 'v1' });
    const [p] = planGateway(cfg).plans;
    expect(p).toMatchObject({ address: 'backend1', memberKind: 'fqdn', protocol: 'http', port: 80, path: '/', hostHeader: 'probehost.contoso.com', configuredTimeoutSeconds: 20, status: '200-399', blocked: null });
    const file = `parameters file ${DIR}/qs-application-gateway-probe.parameters.json`;
    expect(p!.why.host).toBe(`Host header "probehost.contoso.com": custom probe Probe1: host "probehost.contoso.com" (v1: Host header only) [from parameter probeHost (${file})]`);
    expect(p!.why.timeout).toBe(`custom probe Probe1: timeout 20 s [from parameter probeTimeoutInSeconds (${file})]`);
    expect(p!.why.match).toBe(`custom probe Probe1: match.statusCodes 200-399 [from parameter healthyStatusCodes (${file})]`);
    expect(p!.why.port).toBe('setting appGatewayBackendHttpSettings: port 80');
    expect(p!.notes).toContain(`the address backend1 comes from parameter backend1 (${file})`);
    expectDocumented(cfg, p!);
  });

  it('the web-apps quickstart: App Service host names in IpAddress are FQDNs; name=value parameters match case-insensitively', async () => {
    const parameters = await readParameterArgs(['azureWebapp1=app1.azurewebsites.net', 'AZUREWEBAPP2=app2.azurewebsites.net']);
    const cfg = await loadGatewayConfig(`${DIR}/qs-application-gateway-webapps.json`, { parameters });
    expect(cfg.pools[0]!.members.map((m) => [m.kind, m.address, m.jsonPath])).toEqual([
      ['fqdn', 'app1.azurewebsites.net', 'resources[2].properties.backendAddressPools[0].properties.BackendAddresses[0].IpAddress'],
      ['fqdn', 'app2.azurewebsites.net', 'resources[2].properties.backendAddressPools[0].properties.BackendAddresses[1].IpAddress'],
    ]);
    const { plans } = planGateway(cfg);
    expect(plans.map((p) => [p.hostHeader, p.configuredTimeoutSeconds, p.blocked])).toEqual([['app1.azurewebsites.net', 10, null], ['app2.azurewebsites.net', 10, null]]);
    for (const p of plans) expectDocumented(cfg, p);
    expect(plans[0]!.why.host).toMatch(/\[from parameter azureWebapp1 \(command line\)\]$/);
  });

  it('the parameters file given as the configuration: one line saying what to do', async () => {
    await expect(loadGatewayConfig(`${DIR}/qs-application-gateway-probe.parameters.json`)).rejects.toThrow(
      `${DIR}/qs-application-gateway-probe.parameters.json: $: this is a deployment parameters file, not a gateway: pass the template and this file with --parameters`);
  });
});
