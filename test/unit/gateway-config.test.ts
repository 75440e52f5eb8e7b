/**
 * Gateway configuration import: both export shapes (az CLI flattened, ARM/REST `properties`, an ARM
 * template's resources[] entry), reference resolution, certificate data in Base-64 DER and PEM,
 * routing-rule pairs, and one exact error naming the JSON path for each kind of broken document.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig, parseGatewayConfig } from '../../src/gateway/config.js';
import { InputError } from '../../src/model/errors.js';

const FIX = 'test/fixtures/gateway';
const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(`${FIX}/${name}.json`, 'utf8')) as Record<string, unknown>;
const pkiSha = (name: string): string => (JSON.parse(readFileSync('certs/out/pki/index.json', 'utf8')) as { certificates: Record<string, { sha256: string }> }).certificates[name]!.sha256;
const norm = (h: string) => h.replace(/:/g, '').toLowerCase();

type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function errorOf(doc: unknown): Promise<string> {
  try {
    await parseGatewayConfig(doc, 'agw.json');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

const tmp = mkdtempSync(join(tmpdir(), 'certcheck-gwcfg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('gateway config: the az CLI (flattened) shape', () => {
  it('reads SKU, pools, settings, probes and resolves every reference', async () => {
    const c = await parseGatewayConfig(load('v2-cli'), 'v2-cli.json');
    expect(c.shape).toBe('cli');
    expect(c.name).toBe('agw-v2-cli');
    expect(c.sku).toEqual({ name: 'WAF_v2', tier: 'WAF_v2', version: 'v2' });
    expect(c.pools.map((p) => p.name)).toEqual(['pool-a']);
    expect(c.pools[0]!.members.map((m) => [m.kind, m.address, m.jsonPath])).toEqual([
      ['fqdn', 'backend.test', 'backendAddressPools[0].backendAddresses[0].fqdn'],
      ['ip', '127.0.0.1', 'backendAddressPools[0].backendAddresses[1].ipAddress'],
    ]);
    const pick = c.settings.find((s) => s.name === 'bes-pick')!;
    expect(pick.probe).toBe(c.probes.find((p) => p.name === 'probe-pick'));
    expect(pick.pickHostNameFromBackendAddress).toBe(true);
    expect(pick.trustedRoots.map((t) => t.name)).toEqual(['corp-root-a']);
    expect(c.probes.find((p) => p.name === 'probe-pick')).toMatchObject({ path: '/health', body: 'ok', statusCodes: ['200-399'], pickHostNameFromBackendHttpSettings: true, host: null });
    expect(c.probes.find((p) => p.name === 'probe-port')!.port).toBe(9449);
    const sni = c.settings.find((s) => s.name === 'bes-sniname')!;
    expect([sni.sniName, sni.validateSNI, sni.validateCertChainAndExpiry]).toEqual(['www.backend.test', true, true]);
    expect(c.settings.find((s) => s.name === 'bes-http')!.protocol).toBe('Http');
    expect(c.routedPairs).toBeNull();
  });

  it('decodes trusted root data given as Base-64 DER and as PEM', async () => {
    const c = await parseGatewayConfig(load('v2-cli'), 'v2-cli.json');
    const [a, b] = c.trustedRoots;
    expect(a!.certificates.map((x) => norm(x.sha256))).toEqual([pkiSha('root-a')]);
    expect(b!.certificates.map((x) => norm(x.sha256))).toEqual([pkiSha('root-b')]);
  });

  it('resolves ids shortened with "…" by their last segment, case-insensitively', async () => {
    const doc = load('v2-cli') as J;
    doc.backendHttpSettingsCollection[2].probe = { id: '…/probes/PROBE-PICK' };
    doc.backendHttpSettingsCollection[2].trustedRootCertificates = [{ id: '…/trustedRootCertificates/other-root-b-pem' }];
    const c = await parseGatewayConfig(doc, 'agw.json');
    expect(c.settings[2]!.probe!.name).toBe('probe-pick');
    expect(c.settings[2]!.trustedRoots[0]!.name).toBe('other-root-b-pem');
  });
});

describe('gateway config: the ARM/REST shape', () => {
  it('reads properties, and pairs pools with settings through routing rules and path maps', async () => {
    const c = await parseGatewayConfig(load('v2-arm'), 'v2-arm.json');
    expect(c.shape).toBe('arm');
    expect(c.sku.version).toBe('v2');
    expect(c.trustedRoots.map((t) => norm(t.certificates[0]!.sha256))).toEqual([pkiSha('root-a'), pkiSha('root-b')]);
    expect(c.probes[0]).toMatchObject({ name: 'probe-api', statusCodes: ['200-204', '301'], body: null, timeout: 10, jsonPath: 'properties.probes[0].properties' });
    expect(c.routedPairs!.map((p) => [p.pool.name, p.setting.name, p.via])).toEqual([
      ['pool-api', 'set-api', ['rule rule-api']],
      ['pool-legacy', 'set-legacy', ['path map map-shop (default)']],
      ['pool-api', 'set-b', ['path map map-shop, path rule b-api']],
    ]);
  });

  it('reads a v1 gateway (tier Standard) with its authentication certificate', async () => {
    const c = await parseGatewayConfig(load('v1-arm'), 'v1-arm.json');
    expect(c.sku).toEqual({ name: 'Standard_Medium', tier: 'Standard', version: 'v1' });
    expect(c.authCerts.map((a) => norm(a.certificates[0]!.sha256))).toEqual([pkiSha('leaf-a')]);
    expect(c.settings[0]!.authCerts[0]!.name).toBe('backend-leaf');
  });

  it('tier WAF and the v1 size names are v1; Basic and the _v2 tiers are v2', async () => {
    const sku = async (s: Record<string, string>) => {
      const doc = load('v1-arm') as J;
      doc.properties.sku = s;
      return (await parseGatewayConfig(doc, 'x')).sku.version;
    };
    expect(await sku({ name: 'WAF_Large', tier: 'WAF' })).toBe('v1');
    expect(await sku({ name: 'Standard_Small' })).toBe('v1');
    expect(await sku({ name: 'Basic', tier: 'Basic' })).toBe('v2');
    expect(await sku({ name: 'WAF_v2', tier: 'WAF_v2' })).toBe('v2');
  });

  it('finds the gateway inside an ARM template and resolves resourceId() references', async () => {
    const gw = load('v2-arm') as J;
    const props = gw.properties;
    props.backendHttpSettingsCollection[0].properties.probe = { id: "[resourceId('Microsoft.Network/applicationGateways/probes', 'agw', 'probe-api')]" };
    const tpl = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', resources: [{ type: 'Microsoft.Network/publicIPAddresses', name: 'pip' }, { type: 'Microsoft.Network/applicationGateways', name: 'agw', apiVersion: '2024-05-01', properties: props }] };
    const c = await parseGatewayConfig(tpl, 'tpl.json');
    expect(c.shape).toBe('arm-template');
    expect(c.settings[0]!.probe!.name).toBe('probe-api');
  });

  it('takes the one gateway out of a one-element list', async () => {
    const c = await parseGatewayConfig([load('v2-cli')], 'list.json');
    expect(c.name).toBe('agw-v2-cli');
  });
});

describe('gateway config: a broken document is one InputError naming the JSON path', () => {
  const cases: [string, string, (d: J) => unknown, string][] = [
    ['v2-cli', 'port not a number (az shape)', (d) => { d.backendHttpSettingsCollection[2].port = 'x'; return d; },
      'agw.json: backendHttpSettingsCollection[2].port: expected 1-65535, got "x"'],
    ['v2-arm', 'port out of range (ARM shape)', (d) => { d.properties.backendHttpSettingsCollection[2].properties.port = 70000; return d; },
      'agw.json: properties.backendHttpSettingsCollection[2].properties.port: expected 1-65535, got 70000'],
    ['v2-arm', 'port missing', (d) => { delete d.properties.backendHttpSettingsCollection[1].properties.port; return d; },
      'agw.json: properties.backendHttpSettingsCollection[1].properties.port: missing (expected 1-65535)'],
    ['v2-cli', 'protocol Tcp', (d) => { d.backendHttpSettingsCollection[0].protocol = 'Tcp'; return d; },
      'agw.json: backendHttpSettingsCollection[0].protocol: expected Http or Https, got "Tcp"'],
    ['v2-cli', 'trusted root data not a certificate', (d) => { d.trustedRootCertificates[0].data = 'bm90IGEgY2VydA=='; return d; },
      'agw.json: trustedRootCertificates[0].data: not a certificate (expected PEM, DER, Base-64 DER, PKCS#7 or PKCS#12)'],
    ['v2-cli', 'probe path without a slash', (d) => { d.probes[0].path = 'health'; return d; },
      'agw.json: probes[0].path: must start with "/", got "health"'],
    ['v2-cli', 'status code entry malformed', (d) => { d.probes[1].match.statusCodes = ['200-2xx']; return d; },
      'agw.json: probes[1].match.statusCodes: invalid status code match entry "200-2xx": expected a status code 100-999 or a range like 200-399'],
    ['v2-cli', 'status code not a string', (d) => { d.probes[1].match.statusCodes = [200]; return d; },
      'agw.json: probes[1].match.statusCodes[0]: expected a string like "200-399", got 200'],
    ['v2-cli', 'probe timeout 0', (d) => { d.probes[1].timeout = 0; return d; },
      'agw.json: probes[1].timeout: expected 1-86400, got 0'],
    ['v2-cli', 'pool member with neither fqdn nor ipAddress', (d) => { d.backendAddressPools[0].backendAddresses.push({}); return d; },
      'agw.json: backendAddressPools[0].backendAddresses[2]: expected {"fqdn": ...} or {"ipAddress": ...}'],
    ['v2-cli', 'pool member IP malformed', (d) => { d.backendAddressPools[0].backendAddresses[1].ipAddress = '10.0.0.300'; return d; },
      'agw.json: backendAddressPools[0].backendAddresses[1].ipAddress: not an IP address: "10.0.0.300"'],
    ['v2-cli', 'pool member FQDN with a space', (d) => { d.backendAddressPools[0].backendAddresses[0].fqdn = 'bad host.test'; return d; },
      'agw.json: backendAddressPools[0].backendAddresses[0].fqdn: not a host name: "bad host.test"'],
    ['v2-cli', 'boolean as a number', (d) => { d.backendHttpSettingsCollection[0].pickHostNameFromBackendAddress = 1; return d; },
      'agw.json: backendHttpSettingsCollection[0].pickHostNameFromBackendAddress: expected true or false, got 1'],
    ['v2-cli', 'pools not an array', (d) => { d.backendAddressPools = { name: 'x' }; return d; },
      'agw.json: backendAddressPools: expected an array, got {"name":"x"}'],
    ['v2-cli', 'sub-resource without a name', (d) => { delete d.probes[0].name; return d; },
      'agw.json: probes[0].name: missing'],
    ['v2-cli', 'duplicate setting names', (d) => { d.backendHttpSettingsCollection[1].name = 'BES-DEFAULT'; return d; },
      'agw.json: backendHttpSettingsCollection[1].name: duplicate name "BES-DEFAULT" in backendHttpSettingsCollection'],
    ['v2-cli', 'not a gateway at all', () => ({ name: 'vnet', addressSpace: {} }),
      'agw.json: $: not an Application Gateway: no backendAddressPools or backendHttpSettingsCollection (expected the output of az network application-gateway show, the ARM/REST resource, an ARM template, or terraform show -json)'],
    ['v2-cli', 'a list of two gateways', (d) => [d, d],
      'agw.json: $: the document is a list of 2 items; export one gateway (az network application-gateway show -n NAME -g RG)'],
  ];
  for (const [fixture, what, mutate, message] of cases) {
    it(what, async () => {
      expect(await errorOf(mutate(load(fixture) as J))).toBe(message);
    });
  }

  it('a file that is not JSON names the file', async () => {
    const f = join(tmp, 'agw.json');
    writeFileSync(f, '{ "name": "agw", ');
    await expect(loadGatewayConfig(f)).rejects.toThrow(new RegExp(`^${f.replace(/[.*+?^$()|[\]\\/]/g, '\\$&')}: not JSON \\(`));
    await expect(loadGatewayConfig(join(tmp, 'missing.json'))).rejects.toThrow(/missing\.json: no such file/);
    // A binary file: one short printable-ASCII line, not the raw bytes JSON.parse quotes.
    const bin = join(tmp, 'agw.bin');
    writeFileSync(bin, Buffer.from([0x02, 0xff, 0xfe, 0x3b, 0x80, 0x00, 0x7b, ...Array.from({ length: 300 }, (_, i) => (i * 37) & 0xff)]));
    const err = await loadGatewayConfig(bin).then(() => null, (e: Error) => e.message);
    expect(err).toMatch(/: not JSON \(/);
    expect(err).toMatch(/^[\x20-\x7e]+$/);
    expect(err!.length).toBeLessThan(bin.length + 200);
  });

  it('a UTF-8 BOM (PowerShell Out-File) is accepted', async () => {
    const f = join(tmp, 'bom.json');
    writeFileSync(f, `\uFEFF${readFileSync(`${FIX}/v2-arm.json`, 'utf8')}`);
    expect((await loadGatewayConfig(f)).name).toBe('agw-v2-arm');
  });
});

describe('gateway config: what the document does not give costs only the rows that need it', () => {
  it('a probe reference to nothing: the setting\'s rows are planned, not probed, with the reason', async () => {
    const d = load('v2-cli') as J;
    d.backendHttpSettingsCollection[2].probe = { id: '/subscriptions/x/probes/nope' };
    const c = await parseGatewayConfig(d, 'agw.json');
    const s = c.settings[2]!;
    expect(s.probe).toBeNull();
    expect(s.unknown).toEqual(['probe: backendHttpSettingsCollection[2].probe.id: no probe named "nope" in probes (have: probe-pick, probe-host, probe-status, probe-port, probe-slow)']);
    expect(c.notes).toContain(`setting ${s.name}: backendHttpSettingsCollection[2].probe.id: no probe named "nope" in probes (have: probe-pick, probe-host, probe-status, probe-port, probe-slow); its rows are not probed`);
    expect(c.settings.filter((x) => x.unknown)).toHaveLength(1);
  });

  it('a trusted root reference to nothing: custom-root mode, trusted roots unknown for that setting', async () => {
    const d = load('v2-cli') as J;
    d.backendHttpSettingsCollection[0].trustedRootCertificates = [{ id: '…/trustedRootCertificates/gone' }];
    const c = await parseGatewayConfig(d, 'agw.json');
    const t = c.settings[0]!.trustedRoots;
    expect(t.map((x) => [x.name, x.certificates.length])).toEqual([['gone', 0]]);
    expect(t[0]!.unavailable).toBe('it is not in this document (backendHttpSettingsCollection[0].trustedRootCertificates[0].id: no trusted root certificate named "gone" in trustedRootCertificates (have: corp-root-a, other-root-b-pem))');
  });

  it('a routing rule to a missing pool skips only that pair, with a note', async () => {
    const d = load('v2-arm') as J;
    d.properties.requestRoutingRules[0].properties.backendAddressPool.id = '…/backendAddressPools/ghost';
    const c = await parseGatewayConfig(d, 'agw.json');
    expect(c.routedPairs!.map((p) => [p.pool.name, p.setting.name])).toEqual([['pool-legacy', 'set-legacy'], ['pool-api', 'set-b']]);
    expect(c.notes).toContain('rule rule-api: properties.requestRoutingRules[0].properties.backendAddressPool.id: no backend pool named "ghost" in backendAddressPools (have: pool-api, pool-legacy, pool-unused); this pair is skipped');
  });

  it('an expression in a resource outside its template: computable ones are computed, parameters make the setting unknown', async () => {
    const d = load('v2-arm') as J;
    d.properties.backendHttpSettingsCollection[0].properties.port = "[parameters('port')]";
    d.properties.backendHttpSettingsCollection[1].properties.port = "[add(8000, 443)]";
    const c = await parseGatewayConfig(d, 'agw.json');
    expect(c.settings[0]!.unknown).toEqual(["port: properties.backendHttpSettingsCollection[0].properties.port: [parameters('port')] is unknown (the template declares no parameter port)"]);
    expect(c.settings[1]!.port).toBe(8443);
    expect(c.settings[1]!.unknown).toBeUndefined();
  });
});
