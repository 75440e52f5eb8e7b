/**
 * Whole gateways in the az CLI's own shapes (test/fixtures/network/v2: `az network
 * application-gateway show`, `nsg show`, `route-table show`, `vnet show`, `nic show`), and an
 * `az group export` template: the gateway-wide Unknown causes and each server's network verdict.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadNetwork, type ExpressionEvaluator } from '../../src/gateway/network/load.js';
import { applyRowNetwork, buildNetworkModel, judgeRowNetwork, type NetworkModel } from '../../src/gateway/network/verdict.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';

const DIR = path.join(import.meta.dirname, '..', 'fixtures', 'network');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function fixtures(): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const f of readdirSync(path.join(DIR, 'v2'))) out[f] = JSON.parse(readFileSync(path.join(DIR, 'v2', f), 'utf8')) as Json;
  return out;
}

function model(edit: (d: Record<string, Json>) => void = () => undefined, sku: 'v1' | 'v2' = 'v2'): NetworkModel {
  const d = fixtures();
  edit(d);
  return buildNetworkModel(loadNetwork(Object.entries(d).map(([source, doc]) => ({ doc, source }))), { sku, gatewayName: 'agw-hub' });
}

const codes = (m: NetworkModel) => m.findings.map((f) => f.code);
const gmRule = (d: Record<string, Json>) => d['nsg-appgw.json']!.securityRules[0] as Json;

describe('the hub fixture as exported by az', () => {
  test('reads every resource, the gateway subnet, its NSG and route table, without warnings', () => {
    const m = model();
    expect(m.inventory.warnings).toEqual([]);
    expect(m.place?.subnet.name).toBe('appgw-subnet');
    expect(m.place?.nsg?.name).toBe('nsg-appgw');
    expect(m.place?.routeTable?.name).toBe('rt-appgw');
    expect(m.place?.vnet?.name).toBe('vnet-hub');
    expect(m.isolated).toBe(false);
    expect(m.findings).toEqual([]);
    expect(m.decides).toBeNull();
  });

  const rows: [string, number, string | null, string[]][] = [
    ['10.20.1.4', 443, null, []],
    ['10.20.1.5', 443, null, []],
    ['10.20.1.4', 8443, null, []],
    ['10.20.1.5', 8443, 'Unhealthy', ['NET_PROBE_BLOCKED']], // the NIC's NSG denies 8443 after the subnet's allows it
    ['10.20.9.7', 443, 'Unhealthy', ['NET_ROUTE_NONE']],
    ['10.30.1.10', 443, null, ['NET_ROUTE_VIA_APPLIANCE']],
    ['172.16.5.5', 443, null, ['NET_ROUTE_UNKNOWN', 'NET_NOT_DETERMINED']],
    ['52.1.2.3', 443, null, []],
  ];
  test.each(rows)('%s port %i: %s %j', (addr, port, health, want) => {
    const r = judgeRowNetwork(model(), addr, port);
    expect(r.health).toBe(health);
    expect(r.findings.map((f) => f.code)).toEqual(want);
  });

  test('NET_PROBE_BLOCKED names the NSG, the rule, its priority and where it applies; the message is M3', () => {
    const r = judgeRowNetwork(model(), '10.20.1.5', 8443);
    const f = r.primary!;
    expect(f).toMatchObject({ code: 'NET_PROBE_BLOCKED', severity: 'error', gatewayMessageId: 'M3', gatewayMessage: GATEWAY_MESSAGES.M3.text });
    expect(f.evidence).toMatchObject({ nsg: 'nsg-web2-nic', rule: 'DenyAppGw8443', priority: 300, where: 'backend NIC nic-web2, inbound' });
    expect(f.explanation).toMatch(/How network security groups filter network traffic/);
  });

  test('subnet before NIC inbound: a subnet deny is the one named', () => {
    const m = model((d) => { d['nsg-backend.json']!.securityRules[0].access = 'Deny'; });
    const r = judgeRowNetwork(m, '10.20.1.5', 8443);
    expect(r.primary?.evidence).toMatchObject({ nsg: 'nsg-backend', rule: 'AllowAppGwToWeb', where: 'backend subnet backend-subnet, inbound' });
  });

  test('the gateway subnet\'s outbound NSG is judged first', () => {
    const m = model((d) => {
      d['nsg-appgw.json']!.securityRules.push({ ...gmRule(d), name: 'NoOutToBackends', direction: 'Outbound', access: 'Deny', priority: 150, sourceAddressPrefix: '*', destinationAddressPrefix: '10.20.1.0/24', destinationPortRange: '*' });
    });
    expect(judgeRowNetwork(m, '10.20.1.4', 443).primary?.evidence).toMatchObject({ nsg: 'nsg-appgw', rule: 'NoOutToBackends', priority: 150, where: 'gateway subnet, outbound' });
  });

  test('an FQDN member is not judged (the VNet\'s DNS decides its address)', () => {
    const r = judgeRowNetwork(model(), 'web.contoso.test', 443);
    expect(r).toMatchObject({ health: null, findings: [] });
    expect(r.summary).toMatch(/FQDN/);
  });
});

describe('gateway-wide causes of Unknown and warnings', () => {
  test('NET_GATEWAY_MANAGER_BLOCKED (v2): a deny of one control port before the allow; every server Unknown with U1', () => {
    const m = model((d) => { d['nsg-appgw.json']!.securityRules.push({ ...gmRule(d), name: 'DenyHigh', access: 'Deny', priority: 90, sourceAddressPrefix: '*', destinationPortRange: '65535' }); });
    // From `*`, the deny also stops AzureLoadBalancer on that control port.
    expect(codes(m)).toEqual(['NET_GATEWAY_MANAGER_BLOCKED', 'NET_AZURE_LB_BLOCKED']);
    const f = m.decides!;
    expect(f).toMatchObject({ severity: 'unknown', gatewayMessageId: 'U1', gatewayMessage: GATEWAY_MESSAGES.U1.text });
    expect(f.evidence).toMatchObject({ nsg: 'nsg-appgw', rule: 'DenyHigh', priority: 90, ports: '65200-65535', sku: 'v2' });
    for (const a of ['10.20.1.4', '10.20.9.7', 'web.contoso.test']) {
      const r = judgeRowNetwork(m, a, 443);
      expect(r.health).toBe('Unknown');
      expect(r.primary?.code).toBe('NET_GATEWAY_MANAGER_BLOCKED');
    }
  });

  test('no GatewayManager rule at all: DenyAllInBound blocks the control ports', () => {
    const m = model((d) => { d['nsg-appgw.json']!.securityRules.shift(); });
    expect(m.decides?.evidence).toMatchObject({ rule: 'DenyAllInBound', priority: 65500, defaultRule: true });
  });

  test('v1: the range is 65503-65534; a deny of 65200-65502 blocks v2 but not v1', () => {
    const edit = (d: Record<string, Json>) => {
      d['nsg-appgw.json']!.securityRules.push({ ...gmRule(d), name: 'DenyLow', access: 'Deny', priority: 90, sourceAddressPrefix: '*', destinationPortRange: '65200-65502' });
      gmRule(d).destinationPortRange = '65200-65535';
    };
    expect(codes(model(edit, 'v2'))).toEqual(['NET_GATEWAY_MANAGER_BLOCKED', 'NET_AZURE_LB_BLOCKED']);
    expect(codes(model(edit, 'v1'))).toEqual([]);
    const v1 = model((d) => { d['nsg-appgw.json']!.securityRules.shift(); }, 'v1');
    expect(v1.decides?.evidence).toMatchObject({ ports: '65503-65534', sku: 'v1' });
  });

  test('NET_DEFAULT_ROUTE_NOT_INTERNET: v2, 0.0.0.0/0 to an appliance', () => {
    const m = model((d) => { d['rt-appgw.json']!.routes.push({ name: 'default-fw', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.20.2.4' }); });
    expect(codes(m)).toEqual(['NET_DEFAULT_ROUTE_NOT_INTERNET']);
    expect(m.decides?.evidence).toMatchObject({ route: 'default-fw', routeTable: 'rt-appgw', nextHop: 'VirtualAppliance' });
    expect(judgeRowNetwork(m, '10.20.1.4', 443).health).toBe('Unknown');
    // A default route to the Internet is fine.
    expect(codes(model((d) => { d['rt-appgw.json']!.routes.push({ name: 'default-inet', addressPrefix: '0.0.0.0/0', nextHopType: 'Internet' }); }))).toEqual([]);
    // v1 has no such requirement in the article.
    expect(codes(model((d) => { d['rt-appgw.json']!.routes.push({ name: 'default-fw', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.20.2.4' }); }, 'v1'))).toEqual([]);
  });

  test('a UDR for 0.0.0.0/0 puts everything in VirtualNetwork, so AllowVnetInBound admits GatewayManager (v1)', () => {
    const m = model((d) => {
      d['nsg-appgw.json']!.securityRules.shift();
      d['rt-appgw.json']!.routes.push({ name: 'default-fw', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.20.2.4' });
    }, 'v1');
    expect(codes(m)).toEqual([]);
  });

  test('network isolation (v2 without a public frontend): neither the GatewayManager rule nor the default route applies', () => {
    const m = model((d) => {
      d['nsg-appgw.json']!.securityRules.shift();
      d['rt-appgw.json']!.routes.push({ name: 'default-fw', addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: '10.20.2.4' });
      d['appgw.json']!.frontendIPConfigurations = [{ name: 'private', privateIPAddress: '10.20.0.10', privateIPAllocationMethod: 'Static', subnet: { id: d['appgw.json']!.gatewayIPConfigurations[0].subnet.id } }];
    });
    expect(m.isolated).toBe(true);
    expect(codes(m)).toEqual([]);
    expect(judgeRowNetwork(m, '10.20.1.4', 443).health).toBeNull();
  });

  test('NET_CUSTOM_DNS: a warning naming the servers; health unchanged', () => {
    const m = model((d) => { d['vnet-hub.json']!.dhcpOptions = { dnsServers: ['10.20.2.53'] }; });
    expect(codes(m)).toEqual(['NET_CUSTOM_DNS']);
    expect(m.findings[0]).toMatchObject({ severity: 'warning', evidence: { vnet: 'vnet-hub', dnsServers: ['10.20.2.53'] } });
    expect(m.decides).toBeNull();
  });

  test('NET_AZURE_LB_BLOCKED and NET_INTERNET_OUTBOUND_BLOCKED: warnings naming the rule', () => {
    const m = model((d) => {
      d['nsg-appgw.json']!.securityRules.push(
        { ...gmRule(d), name: 'DenyLb', access: 'Deny', priority: 120, protocol: '*', sourceAddressPrefix: 'AzureLoadBalancer', destinationPortRange: '*' },
        // Not reported: a deny of SSH from anywhere does not touch what the gateway needs.
        { ...gmRule(d), name: 'DenySsh', access: 'Deny', priority: 125, sourceAddressPrefix: '*', destinationPortRange: '22' },
        { ...gmRule(d), name: 'DenySmtpOut', direction: 'Outbound', access: 'Deny', priority: 126, sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '25' },
        { ...gmRule(d), name: 'DenyInternetOut', direction: 'Outbound', access: 'Deny', priority: 130, protocol: '*', sourceAddressPrefix: '*', destinationAddressPrefix: 'Internet', destinationPortRange: '*' },
      );
    });
    expect(codes(m)).toEqual(['NET_AZURE_LB_BLOCKED', 'NET_INTERNET_OUTBOUND_BLOCKED']);
    expect(m.findings.map((f) => [f.severity, f.evidence.rule])).toEqual([['warning', 'DenyLb'], ['warning', 'DenyInternetOut']]);
    expect(m.decides).toBeNull();
  });

  test('a VPN/ExpressRoute GatewaySubnet with route propagation on: a note about BGP default routes, no verdict', () => {
    const m = model((d) => { d['vnet-hub.json']!.subnets.push({ ...d['vnet-hub.json']!.subnets[2], name: 'GatewaySubnet', id: d['vnet-hub.json']!.subnets[2].id.replace('fw-subnet', 'GatewaySubnet'), addressPrefix: '10.20.255.0/27' }); });
    expect(m.findings).toEqual([]);
    expect(m.notes.join('\n')).toMatch(/default route advertised from on-premises/);
    const off = model((d) => {
      d['vnet-hub.json']!.subnets.push({ ...d['vnet-hub.json']!.subnets[2], name: 'GatewaySubnet', id: d['vnet-hub.json']!.subnets[2].id.replace('fw-subnet', 'GatewaySubnet'), addressPrefix: '10.20.255.0/27' });
      d['rt-appgw.json']!.disableBgpRoutePropagation = true;
    });
    expect(off.notes.join('\n')).not.toMatch(/BGP/);
  });

  test('a backend whose NIC is not in the documents: open, saying the NIC was not judged', () => {
    const m = model((d) => { delete d['nic-web1.json']; });
    expect(judgeRowNetwork(m, '10.20.1.4', 443).summary).toMatch(/NIC is not in the documents/);
  });

  test('the gateway subnet\'s NSG missing from the documents: a note, no verdict', () => {
    const m = model((d) => { delete d['nsg-appgw.json']; });
    expect(m.findings).toEqual([]);
    expect(m.notes.join('\n')).toMatch(/subnet appgw-subnet has NSG nsg-appgw, which is not in the documents given/);
  });

  test('no gateway resource in the documents: NET_NOT_DETERMINED, never a crash', () => {
    const m = model((d) => { delete d['appgw.json']; });
    expect(codes(m)).toEqual(['NET_NOT_DETERMINED']);
    expect(judgeRowNetwork(m, '10.20.1.4', 443)).toMatchObject({ health: null });
  });

  test('the same resources as one JSON array, and in the ARM/REST shape (properties wrappers)', () => {
    const d = fixtures();
    const arm = (o: Json): Json => { const { name, id, type, ...props } = o; return { name, id, type, properties: props }; };
    const docs = [{ doc: Object.values(d).map((o) => (o.type === 'Microsoft.Network/networkSecurityGroups' ? arm(o) : o)), source: 'all.json' }];
    const m = buildNetworkModel(loadNetwork(docs), { sku: 'v2' });
    expect(m.inventory.warnings).toEqual([]);
    expect(judgeRowNetwork(m, '10.20.1.5', 8443).primary?.evidence).toMatchObject({ rule: 'DenyAppGw8443' });
  });

  test('a lone `az network vnet subnet show` is enough for the gateway subnet', () => {
    const d = fixtures();
    const vnet = d['vnet-hub.json']!;
    const subnet = vnet.subnets[0] as Json;
    delete d['vnet-hub.json'];
    const m = buildNetworkModel(loadNetwork([...Object.entries(d).map(([source, doc]) => ({ doc, source })), { doc: subnet, source: 'subnet.json' }]), { sku: 'v2' });
    expect(m.place?.subnet.name).toBe('appgw-subnet');
    expect(m.notes.join('\n')).toMatch(/VNet of subnet appgw-subnet is not in the documents/);
  });
});

describe('az group export (ARM template)', () => {
  const doc = JSON.parse(readFileSync(path.join(DIR, 'export', 'group-export.json'), 'utf8')) as Json;

  test('without an evaluator: warnings and unknown, never a crash or a verdict', () => {
    const m = buildNetworkModel(loadNetwork([{ doc, source: 'group-export.json' }]), { sku: 'v2' });
    expect(m.inventory.warnings.length).toBeGreaterThan(0);
    expect(m.inventory.warnings[0]).toMatch(/group-export\.json: resources\[\d\]\.name: ARM template expression .* is not evaluated/);
    expect(codes(m)).toEqual(['NET_NOT_DETERMINED']);
    expect(m.decides).toBeNull();
  });

  // A stand-in for issue 16's template evaluator: just the functions this export uses.
  const evaluate: ExpressionEvaluator = (expr, template) => {
    const params = (template.parameters ?? {}) as Record<string, { defaultValue?: unknown }>;
    const ev = (e: string): string | undefined => {
      e = e.trim();
      let m = /^'([^']*)'$/.exec(e);
      if (m) return m[1];
      m = /^parameters\('([^']+)'\)$/.exec(e);
      if (m) { const v = params[m[1]!]?.defaultValue; return typeof v === 'string' ? v : undefined; }
      m = /^(resourceId|concat)\((.*)\)$/.exec(e);
      if (!m) return undefined;
      const args: string[] = [];
      let depth = 0, cur = '';
      for (const ch of m[2]!) {
        if (ch === ',' && depth === 0) { args.push(cur); cur = ''; continue; }
        if (ch === '(') depth++;
        if (ch === ')') depth--;
        cur += ch;
      }
      args.push(cur);
      const vals = args.map(ev);
      if (vals.some((v) => v === undefined)) return undefined;
      if (m[1] === 'concat') return vals.join('');
      const [type, ...names] = vals as string[];
      const segs = type!.split('/');
      let p = `/subscriptions/s/resourceGroups/rg/providers/${segs[0]}`;
      segs.slice(1).forEach((s, i) => { p += `/${s}/${names[i]}`; });
      return p;
    };
    return ev(expr.slice(1, -1));
  };

  test('with an evaluator: top-level and nested child resources, the NSG deny, the default route, custom DNS', () => {
    const m = buildNetworkModel(loadNetwork([{ doc, source: 'group-export.json' }], { evaluate }), { sku: 'v2' });
    expect(m.gateway?.name).toBe('agw-exp');
    expect(m.place?.nsg?.rules.map((r) => r.name).sort()).toEqual(['AllowGatewayManager', 'DenyControlHigh']);
    expect(codes(m)).toEqual(['NET_GATEWAY_MANAGER_BLOCKED', 'NET_DEFAULT_ROUTE_NOT_INTERNET', 'NET_CUSTOM_DNS', 'NET_AZURE_LB_BLOCKED']);
    expect(m.decides?.evidence).toMatchObject({ rule: 'DenyControlHigh', priority: 90 });
    // The public IP's id is a parameter without a default: the frontend still counts as public.
    expect(m.isolated).toBe(false);
  });
});

describe('az group export through the template evaluator (issue 16 × 17)', () => {
  test('the gateway command evaluates a template network document: the same verdicts as the stand-in gives', async () => {
    const { loadGatewayNetwork } = await import('../../src/gateway/network/files.js');
    const doc = JSON.parse(readFileSync(path.join(DIR, 'export', 'group-export.json'), 'utf8')) as unknown;
    const m = await loadGatewayNetwork({ doc, label: 'group-export.json', sku: 'v2', id: null, name: null }, []);
    expect(m).not.toBeNull();
    expect(m!.gateway?.name).toBe('agw-exp');
    expect(m!.place?.nsg?.rules.map((r) => r.name).sort()).toEqual(['AllowGatewayManager', 'DenyControlHigh']);
    expect(codes(m!)).toEqual(['NET_GATEWAY_MANAGER_BLOCKED', 'NET_DEFAULT_ROUTE_NOT_INTERNET', 'NET_CUSTOM_DNS', 'NET_AZURE_LB_BLOCKED']);
    expect(m!.decides?.evidence).toMatchObject({ rule: 'DenyControlHigh', priority: 90 });
  });
});

describe('applying the verdict to a probe result', () => {
  const report = { status: 'Healthy', ok: true, message: 'Success. Received 200 status code', messageId: 'OK', primary: null, findings: [] } as unknown as import('../../src/model/report.js').Report;

  test('an NSG deny overrides a Healthy probe: Unhealthy, M3, the finding first', () => {
    const net = judgeRowNetwork(model(), '10.20.1.5', 8443);
    const r = applyRowNetwork({ health: 'Healthy' as const, healthProbeLog: 'Success. Received 200 status code', report }, net);
    expect(r.health).toBe('Unhealthy');
    expect(r.healthProbeLog).toBe(GATEWAY_MESSAGES.M3.text);
    expect(r.report).toMatchObject({ status: 'Unhealthy', ok: false, messageId: 'M3', primary: { code: 'NET_PROBE_BLOCKED' } });
    expect(r.report!.findings[0]!.code).toBe('NET_PROBE_BLOCKED');
  });

  test('a warning joins the findings and leaves health to the probe', () => {
    const net = judgeRowNetwork(model(), '10.30.1.10', 443);
    const r = applyRowNetwork({ health: 'Healthy' as const, healthProbeLog: 'Success. Received 200 status code', report }, net);
    expect(r.health).toBe('Healthy');
    expect(r.report!.status).toBe('Healthy');
    expect(r.report!.findings.map((f) => f.code)).toEqual(['NET_ROUTE_VIA_APPLIANCE']);
  });

  test('no network, no change', () => {
    const r = { health: 'Healthy' as const, healthProbeLog: 'x', report };
    expect(applyRowNetwork(r, undefined)).toBe(r);
  });
});

describe('hostile or odd documents', () => {
  test('wrong types, nulls and junk never throw; they become warnings', () => {
    const junk: unknown[] = [
      null, 42, 'text', [], [[]], {}, { type: 'Microsoft.Network/networkSecurityGroups' },
      { type: 'Microsoft.Network/networkSecurityGroups', name: 'n', securityRules: [null, 1, { priority: 'high', access: 'Maybe' }] },
      { type: 'Microsoft.Network/routeTables', name: 'r', routes: [{ name: 'x', addressPrefix: 5, nextHopType: 'Teleport' }] },
      { type: 'Microsoft.Network/virtualNetworks', name: 'v', addressSpace: { addressPrefixes: ['not-a-cidr', 7] }, subnets: [{ name: 's', addressPrefix: '10.0.0.0/99' }] },
      { type: 'Microsoft.Network/networkInterfaces', name: 'nic', ipConfigurations: [{ privateIPAddress: 'x', subnet: { id: 12 } }] },
      { type: 'Microsoft.Network/applicationGateways', name: 'g', gatewayIPConfigurations: [{ subnet: { id: '/bad/id' } }] },
      { $schema: 'x', resources: [{ type: 'Microsoft.Network/virtualNetworks', name: 'v2', resources: [{ type: 'subnets', name: 's2', properties: { addressPrefix: '10.9.0.0/24' } }] }, null, { type: 5 }] },
    ];
    const inv = loadNetwork(junk.map((doc, i) => ({ doc, source: `j${i}.json` })));
    expect(inv.warnings.length).toBeGreaterThan(0);
    expect(inv.subnets.map((s) => s.key)).toContain('virtualnetworks/v2/subnets/s2');
    const m = buildNetworkModel(inv, { sku: 'v2' });
    for (const a of ['10.0.0.1', '::1', 'x.example', '10.9.0.4']) expect(() => judgeRowNetwork(m, a, 443)).not.toThrow();
  });

  test('`az network nic list` (an array) and a lone `subnet show` find the backend\'s NIC and subnet', () => {
    const d = fixtures();
    const vnet = d['vnet-hub.json']!;
    const docs = [
      { doc: d['appgw.json'], source: 'agw.json' }, { doc: d['nsg-appgw.json'], source: 'a.json' }, { doc: d['nsg-web2-nic.json'], source: 'b.json' },
      { doc: vnet.subnets[0], source: 'gw-subnet.json' }, { doc: vnet.subnets[1], source: 'be-subnet.json' }, { doc: [d['nic-web1.json'], d['nic-web2.json']], source: 'nics.json' },
    ];
    const m = buildNetworkModel(loadNetwork(docs), { sku: 'v2' });
    expect(judgeRowNetwork(m, '10.20.1.5', 8443).primary?.evidence).toMatchObject({ nsg: 'nsg-web2-nic', rule: 'DenyAppGw8443' });
  });
});
