/**
 * Shapes beyond az and ARM/REST: `terraform show -json` (a state and a plan, v2 and v1), any key
 * case, bare-string and FQDN-in-ipAddress members, redacted certificate data, values built from the
 * deployment context, and a `.bicep` file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig, parseGatewayConfig } from '../../src/gateway/config.js';
import { planGateway } from '../../src/gateway/plan.js';
import { InputError } from '../../src/model/errors.js';

const FIX = 'test/fixtures/gateway';
const load = (name: string): J => JSON.parse(readFileSync(`${FIX}/${name}.json`, 'utf8')) as J;
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const rows = (c: Awaited<ReturnType<typeof parseGatewayConfig>>) => planGateway(c).plans.map((p) => [p.pool, p.setting, p.address, p.hostHeader, p.sni, p.port, p.path, p.trust.mode, p.status, p.blocked]);

const tmp = mkdtempSync(join(tmpdir(), 'certcheck-gwshapes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('terraform show -json', () => {
  it('a v2 state: the gateway in a child module, names as references, "" and 0 as unset', async () => {
    const c = await parseGatewayConfig(load('terraform/v2-state'), 'tf.json');
    expect(c.shape).toBe('terraform-state');
    expect([c.name, c.sku]).toEqual(['agw-tf-v2', { name: 'WAF_v2', tier: 'WAF_v2', version: 'v2' }]);
    expect(c.notes[0]).toBe('read from module.edge.azurerm_application_gateway.main (terraform show -json of a state)');
    expect(c.pools[0]!.members.map((m) => [m.kind, m.address])).toEqual([['fqdn', 'web.backend.test'], ['ip', '127.0.0.1']]);
    expect(c.trustedRoots[0]!.certificates).toHaveLength(1);
    expect(c.probes[0]).toMatchObject({ host: null, port: null, path: '/healthz', statusCodes: ['200-204'], body: 'ok', timeout: 10 });
    expect(c.settings[0]!.jsonPath).toBe('values.root_module.child_modules[0].resources[0].values.backend_http_settings[0]');
    expect(rows(c)).toEqual([
      ['pool-web', 'bes-web', 'web.backend.test', 'web.backend.test', 'web.backend.test', 9441, '/healthz', 'uploaded', '200-204', null],
      ['pool-web', 'bes-web', '127.0.0.1', '127.0.0.1', null, 9441, '/healthz', 'uploaded', '200-204', null],
      ['pool-web', 'bes-api', 'web.backend.test', 'api.backend.test', 'api.backend.test', 443, '/', 'wellknown', '200-399', null],
      ['pool-web', 'bes-api', '127.0.0.1', 'api.backend.test', 'api.backend.test', 443, '/', 'wellknown', '200-399', null],
    ]);
  });

  it('gives the same plans as the same gateway written in the az shape', async () => {
    const tf = await parseGatewayConfig(load('terraform/v2-state'), 'tf.json');
    const ids = (n: string) => ({ id: `…/${n}` });
    const az = {
      name: 'agw-tf-v2', sku: { name: 'WAF_v2', tier: 'WAF_v2' },
      trustedRootCertificates: [{ name: 'corp-root-a', data: Buffer.from(tf.trustedRoots[0]!.certificates[0]!.der).toString('base64') }],
      probes: [{ name: 'probe-web', protocol: 'Https', path: '/healthz', interval: 30, timeout: 10, unhealthyThreshold: 3, pickHostNameFromBackendHttpSettings: true, minServers: 0, match: { statusCodes: ['200-204'], body: 'ok' } }],
      backendAddressPools: [{ name: 'pool-web', backendAddresses: [{ fqdn: 'web.backend.test' }, { ipAddress: '127.0.0.1' }] }, { name: 'pool-idle', backendAddresses: [{ ipAddress: '127.0.0.2' }] }],
      backendHttpSettingsCollection: [
        { name: 'bes-web', port: 9441, protocol: 'Https', pickHostNameFromBackendAddress: true, probe: ids('probes/probe-web'), requestTimeout: 20, trustedRootCertificates: [ids('trustedRootCertificates/corp-root-a')] },
        { name: 'bes-api', port: 443, protocol: 'Https', hostName: 'api.backend.test', pickHostNameFromBackendAddress: false, requestTimeout: 30 },
      ],
      requestRoutingRules: [{ name: 'rule-web', backendAddressPool: ids('pool-web'), backendHttpSettings: ids('bes-web') }, { name: 'rule-paths', urlPathMap: ids('map') }],
      urlPathMaps: [{ name: 'map', defaultBackendAddressPool: ids('pool-web'), defaultBackendHttpSettings: ids('bes-api'), pathRules: [{ name: 'api', paths: ['/api/*'], backendAddressPool: ids('pool-web'), backendHttpSettings: ids('bes-api') }] }],
    };
    const strip = (c: Awaited<ReturnType<typeof parseGatewayConfig>>) => planGateway(c).plans.map(({ options: _o, poolId: _p, settingId: _s, probe, ...rest }) => ({ ...rest, probe: { ...probe, id: null } }));
    expect(strip(tf)).toEqual(strip(await parseGatewayConfig(az, 'az.json')));
  });

  it('a v1 plan: after_unknown values cost only their rows; authentication certificates by name', async () => {
    const c = await parseGatewayConfig(load('terraform/v1-plan'), 'plan.json');
    expect(c.shape).toBe('terraform-plan');
    expect(c.sku.version).toBe('v1');
    expect(c.settings[0]!.authCerts.map((a) => [a.name, a.certificates.length])).toEqual([['backend-leaf', 1]]);
    expect(rows(c)).toEqual([
      ['pool-a', 'bes-a', 'a.backend.test', '127.0.0.1', 'a.backend.test', 9461, '/', 'v1-auth-cert', '200-399', null],
      ['pool-vm', 'bes-a', '(known after apply)', '127.0.0.1', null, 9461, '/', 'v1-auth-cert', '200-399',
        'not known from this document: the address is unknown (resource_changes[0].change.after.backend_address_pool[1].ip_addresses: known after apply (the plan does not have it yet))'],
    ]);
  });

  it('sensitive certificate data left out of a plan: trusted roots unknown for that setting', async () => {
    const d = load('terraform/v2-state');
    delete d.values.root_module.child_modules[0].resources[0].values.trusted_root_certificate[0].data;
    const c = await parseGatewayConfig(d, 'tf.json');
    expect(planGateway(c).plans[0]!.blocked).toBe('trusted roots unknown: certificate corp-root-a: its data is unknown here (the certificate data is not in the terraform output (sensitive, or known after apply))');
  });

  it('no gateway, or two: one line', async () => {
    const none = { format_version: '1.0', values: { root_module: { resources: [] } } };
    await expect(parseGatewayConfig(none, 'tf.json')).rejects.toThrow('tf.json: $: terraform show -json output with no azurerm_application_gateway resource');
    const d = load('terraform/v2-state');
    const mod = d.values.root_module.child_modules[0];
    mod.resources.push({ ...mod.resources[0], address: 'module.edge.azurerm_application_gateway.second' });
    await expect(parseGatewayConfig(d, 'tf.json')).rejects.toThrow(/with 2 azurerm_application_gateway resources \(module\.edge\.azurerm_application_gateway\.main, module\.edge\.azurerm_application_gateway\.second\)/);
  });
});

describe('tolerant reading, strict meaning', () => {
  /** Every key of the document in UPPER case, or PascalCase: ARM property names are case-insensitive. */
  const recase = (v: unknown, f: (k: string) => string): unknown =>
    Array.isArray(v) ? v.map((x) => recase(x, f)) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [f(k), recase(x, f)])) : v;

  for (const [what, f] of [['PascalCase', (k: string) => k[0]!.toUpperCase() + k.slice(1)], ['UPPER CASE', (k: string) => k.toUpperCase()]] as const) {
    it(`${what} keys give the same plans (ARM and az shapes)`, async () => {
      for (const name of ['v2-arm', 'v2-cli', 'v1-arm']) {
        const a = await parseGatewayConfig(load(name), 'a.json');
        const b = await parseGatewayConfig(recase(load(name), f), 'a.json');
        const norm = (c: typeof a) => planGateway(c, { allPairs: true }).plans.map(({ options: _o, ...p }) => p);
        expect(norm(b)).toEqual(norm(a));
      }
    });
  }

  it('a wrong type is still one error, naming the path as written', async () => {
    const d = recase(load('v2-arm'), (k) => k[0]!.toUpperCase() + k.slice(1)) as J;
    d.Properties.BackendHttpSettingsCollection[0].Properties.Port = 'x';
    await expect(parseGatewayConfig(d, 'a.json')).rejects.toThrow(new InputError('a.json: Properties.BackendHttpSettingsCollection[0].Properties.Port: expected 1-65535, got "x"'));
  });

  it('bare-string members (REST examples) and an FQDN in ipAddress (the web-apps quickstart) are read as the gateway reads them', async () => {
    const d = load('v2-cli');
    d.backendAddressPools[0].backendAddresses = ['10.0.0.4', 'app.backend.test', { ipAddress: 'web.azurewebsites.net' }, { ipAddress: '::1' }];
    const c = await parseGatewayConfig(d, 'a.json');
    expect(c.pools[0]!.members.map((m) => [m.kind, m.address, m.jsonPath])).toEqual([
      ['ip', '10.0.0.4', 'backendAddressPools[0].backendAddresses[0]'],
      ['fqdn', 'app.backend.test', 'backendAddressPools[0].backendAddresses[1]'],
      ['fqdn', 'web.azurewebsites.net', 'backendAddressPools[0].backendAddresses[2].ipAddress'],
      ['ip', '::1', 'backendAddressPools[0].backendAddresses[3].ipAddress'],
    ]);
    d.backendAddressPools[0].backendAddresses = [{ ipAddress: 'not a host' }];
    await expect(parseGatewayConfig(d, 'a.json')).rejects.toThrow('a.json: backendAddressPools[0].backendAddresses[0].ipAddress: not an IP address or a host name: "not a host"');
  });

  it('redacted certificate data: trusted roots unknown for the settings that use it, the others probed', async () => {
    const d = load('v2-cli');
    d.trustedRootCertificates[0].data = '****';
    const c = await parseGatewayConfig(d, 'a.json');
    expect(c.trustedRoots[0]!.unavailable).toBe('its data is redacted ("****") in this document (trustedRootCertificates[0].data), so the trusted roots are unknown');
    const plans = planGateway(c, { allPairs: true }).plans;
    const users = plans.filter((p) => p.trust.certificates.includes('corp-root-a'));
    expect(users.length).toBeGreaterThan(0);
    for (const p of users) expect(p.blocked).toMatch(/^trusted roots unknown: certificate corp-root-a: its data is redacted/);
    expect(plans.some((p) => p.blocked === null)).toBe(true);
  });

  it('a host name built from resourceGroup() is unknown (a placeholder would probe the wrong name); an IP from literals is fine', async () => {
    const tpl = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      variables: { app: "[concat('app-', uniqueString(resourceGroup().id), '.azurewebsites.net')]" },
      resources: [{ type: 'Microsoft.Network/applicationGateways', name: 'gw', properties: {
        sku: { name: 'Standard_v2', tier: 'Standard_v2' },
        backendAddressPools: [{ name: 'p', properties: { backendAddresses: [{ fqdn: "[variables('app')]" }, { ipAddress: "[concat('10.0.0.', string(add(1, 3)))]" }] } }],
        backendHttpSettingsCollection: [{ name: 's', properties: { port: 443, protocol: 'Https', pickHostNameFromBackendAddress: true } }],
      } }],
    };
    const c = await parseGatewayConfig(tpl, 't.json');
    const [a, b] = planGateway(c).plans;
    expect(a!.blocked).toMatch(/\.fqdn: "app-[a-z2-7]{13}\.azurewebsites\.net" is built from resourceGroup\(\), known only at deployment \(evaluated with a placeholder\)\)$/);
    expect([b!.address, b!.blocked]).toEqual(['10.0.0.4', null]);
  });

  it('an SKU that cannot be known: every row planned, none probed', async () => {
    const tpl = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      parameters: { size: { type: 'string' } },
      resources: [{ type: 'Microsoft.Network/applicationGateways', name: 'gw', properties: {
        sku: { name: "[parameters('size')]", tier: "[parameters('size')]" },
        backendAddressPools: [{ name: 'p', properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }, { ipAddress: '10.0.0.5' }] } }],
        backendHttpSettingsCollection: [{ name: 's', properties: { port: 443, protocol: 'Https' } }],
      } }],
    };
    const plans = planGateway(await parseGatewayConfig(tpl, 't.json')).plans;
    expect(plans).toHaveLength(2);
    for (const p of plans) expect(p.blocked).toBe("not known from this document: sku name: resources[0].properties.sku.name: [parameters('size')] is unknown (parameter size has no value and no default: give it with --parameters); sku tier: resources[0].properties.sku.tier: [parameters('size')] is unknown (parameter size has no value and no default: give it with --parameters)");
  });

  it('unknown properties are ignored', async () => {
    const d = load('v2-cli');
    d.someFutureProperty = { x: 1 };
    d.backendHttpSettingsCollection[0].dedicatedBackendConnection = true;
    expect(rows(await parseGatewayConfig(d, 'a.json'))).toEqual(rows(await parseGatewayConfig(load('v2-cli'), 'a.json')));
  });
});

describe('Bicep', () => {
  it('a missing .bicep file is a missing file, not a hint to compile it', async () => {
    await expect(loadGatewayConfig(join(tmp, 'absent.bicep'))).rejects.toThrow(`${join(tmp, 'absent.bicep')}: no such file`);
  });

  it('a .bicep file without a bicep binary on PATH: how to compile it', async () => {
    const f = join(tmp, 'main.bicep');
    writeFileSync(f, "param location string = resourceGroup().location\nresource agw 'Microsoft.Network/applicationGateways@2023-09-01' = {\n  name: 'agw'\n}\n");
    const path = process.env.PATH;
    process.env.PATH = tmp; // no bicep here
    try {
      await expect(loadGatewayConfig(f)).rejects.toThrow(`${f}: a .bicep file is Bicep source; compile it to an ARM template first: az bicep build --file ${f} (writes ${join(tmp, 'main.json')}), then pass that file (and --parameters as for az deployment group create)`);
    } finally { process.env.PATH = path; }
  });

  it('a .bicep file with a bicep binary on PATH is compiled (bicep build --stdout) and read; a failed build is one line', async () => {
    const bin = mkdtempSync(join(tmp, 'bin-'));
    const tpl = JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', resources: [{ type: 'Microsoft.Network/applicationGateways', name: 'agw-bicep', properties: { sku: { name: 'Standard_v2', tier: 'Standard_v2' }, backendAddressPools: [{ name: 'p', properties: { backendAddresses: [{ ipAddress: '10.0.0.4' }] } }], backendHttpSettingsCollection: [{ name: 's', properties: { port: 80, protocol: 'Http' } }] } }] });
    writeFileSync(join(tmp, 'tpl.json'), tpl);
    // A stand-in compiler: prints the template for good.bicep, fails like bicep does for anything else.
    writeFileSync(join(bin, 'bicep'), `#!/bin/sh\ncase "$2" in *good.bicep) cat '${join(tmp, 'tpl.json')}';; *) echo "main.bicep(3,1) : Error BCP007: This declaration type is not recognized." >&2; exit 1;; esac\n`, { mode: 0o755 });
    writeFileSync(join(tmp, 'good.bicep'), "resource agw 'Microsoft.Network/applicationGateways@2023-09-01' = {}\n");
    writeFileSync(join(tmp, 'bad.bicep'), 'nonsense\n');
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    try {
      const c = await loadGatewayConfig(join(tmp, 'good.bicep'));
      expect([c.name, c.shape, c.pools[0]!.members[0]!.address]).toEqual(['agw-bicep', 'arm-template', '10.0.0.4']);
      await expect(loadGatewayConfig(join(tmp, 'bad.bicep'))).rejects.toThrow(`${join(tmp, 'bad.bicep')}: bicep build failed: main.bicep(3,1) : Error BCP007: This declaration type is not recognized.`);
    } finally { process.env.PATH = path; }
  });

  it('Bicep source under another name gets the same hint, not a JSON parse error', async () => {
    const f = join(tmp, 'gw.txt');
    writeFileSync(f, "targetScope = 'resourceGroup'\nparam x string\n");
    await expect(loadGatewayConfig(f)).rejects.toThrow(/a \.bicep file is Bicep source; compile it to an ARM template first: az bicep build --file /);
  });
});

describe('az bicep build output', () => {
  it('a module (inner-scope nested deployment) with a property for-loop; a runtime reference costs its row only', async () => {
    const c = await parseGatewayConfig(load('bicep-build'), 'main.json');
    expect([c.shape, c.name, c.sku.version]).toEqual(['arm-template', 'agw-prod', 'v2']);
    const plans = planGateway(c).plans;
    expect(plans.map((p) => [p.pool, p.address, p.hostHeader, p.path, p.configuredTimeoutSeconds, p.blocked === null])).toEqual([
      ['pool-fqdn', 'api1.contoso.test', 'api1.contoso.test', '/healthz', 15, true],
      ['pool-fqdn', 'api2.contoso.test', 'api2.contoso.test', '/healthz', 15, true],
      ['pool-app', "[parameters('appHost')]", "[parameters('appHost')]", '/healthz', 15, false],
    ]);
    expect(plans[2]!.blocked).toBe("not known from this document: the address is unknown (resources[1].properties.template.resources[0].properties.backendAddressPools[1].properties.backendAddresses[0].fqdn: [parameters('appHost')] is unknown (defaultHostName is a runtime property of a referenced resource, not in the template))");
    expect(plans[0]!.why.host).toMatch(/\[from parameter backendFqdns \(passed by the nested deployment at resources\[1\]\), variable backends, parameter env \(its default value\)\]$/);
    expect(plans[0]!.why.path).toBe('custom probe probe-health: path "/healthz" [from parameter probePath (its default value)]');
  });

  it('--parameters reach through to the module: env=test picks the other backends', async () => {
    const c = await parseGatewayConfig(load('bicep-build'), 'main.json', { parameters: { env: { value: 'test', origin: 'command line' } } });
    expect(c.name).toBe('agw-test');
    expect(c.pools[0]!.members.map((m) => m.address)).toEqual(['api-test.contoso.test']);
  });
});

describe('more export shapes', () => {
  it('a raw state file (terraform state pull): the same gateway as terraform show -json of the state', async () => {
    const show = load('terraform/v2-state');
    const res = show.values.root_module.child_modules[0].resources[0];
    const raw = { version: 4, terraform_version: '1.9.5', serial: 12, lineage: 'x', outputs: {}, resources: [
      { module: 'module.edge', mode: 'managed', type: 'azurerm_application_gateway', name: 'main', provider: 'provider["registry.terraform.io/hashicorp/azurerm"]', instances: [{ schema_version: 0, attributes: res.values, sensitive_attributes: [] }] },
    ] };
    const a = await parseGatewayConfig(raw, 'terraform.tfstate');
    const b = await parseGatewayConfig(show, 'show.json');
    expect(a.notes[0]).toBe('read from module.edge.azurerm_application_gateway.main (terraform show -json of a state)');
    expect(rows(a)).toEqual(rows(b));
  });

  it('a REST list response with one gateway in "value"', async () => {
    const c = await parseGatewayConfig({ value: [load('v2-arm')] }, 'list.json');
    expect(c.name).toBe('agw-v2-arm');
    expect(c.pools[0]!.jsonPath).toBe('value[0].properties.backendAddressPools[0].properties');
  });
});

describe('parameters that az deployment would refuse or ignore', () => {
  it('a value outside allowedValues and an undeclared parameter are notes; the plan goes on', async () => {
    const tpl = JSON.parse(readFileSync('test/fixtures/realworld/qs-application-gateway-probe.json', 'utf8')) as J;
    const c = await parseGatewayConfig(tpl, 't.json', { parameters: {
      applicationGatewaySize: { value: 'Standard_Huge', origin: 'command line' },
      backend1: { value: '10.0.0.4', origin: 'command line' },
      nonsense: { value: 1, origin: 'command line' },
    } });
    expect(c.notes).toContain('parameters: parameter nonsense was given but the template declares no such parameter; ignored');
    expect(c.notes).toContain('parameters.applicationGatewaySize: parameter applicationGatewaySize = "Standard_Huge" is not among its allowedValues ("Standard_Small", "Standard_Medium", "Standard_Large"); az deployment would refuse it');
    expect(c.pools[0]!.members[0]!.address).toBe('10.0.0.4');
  });
});

describe("the portal's Export template", () => {
  it('name parameters with defaults, ids built with concat(resourceId()), redacted trusted root: planned, trust unknown', async () => {
    const c = await parseGatewayConfig(load('portal-export'), 'template.json');
    expect([c.name, c.shape, c.sku.version]).toEqual(['agw-prod', 'arm-template', 'v2']);
    expect(c.settings[0]!.probe!.name).toBe('probe-orders');
    const plans = planGateway(c).plans;
    expect(plans.map((p) => [p.address, p.hostHeader, p.sni, p.trust.mode])).toEqual([
      ['orders.corp.example.net', 'orders.corp.example.net', 'orders.corp.example.net', 'uploaded'],
      ['10.20.4.11', 'orders.corp.example.net', 'orders.corp.example.net', 'uploaded'],
    ]);
    for (const p of plans) expect(p.blocked).toBe('trusted roots unknown: certificate corp-root: its data is redacted ("****") in this document (resources[0].properties.trustedRootCertificates[0].properties.data), so the trusted roots are unknown');
  });
});
