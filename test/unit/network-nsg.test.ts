/**
 * The NSG evaluator against Azure's documented rules ("How network security groups filter network
 * traffic", "Network security groups overview", "Virtual network service tags"), one table row per
 * behaviour. Rules are written in the az CLI's flattened `nsg show` shape unless a row says ARM.
 */
import { describe, expect, test } from 'vitest';
import { loadNetwork, type NetworkSecurityGroup } from '../../src/gateway/network/load.js';
import { evaluateNsg, pointSpans, spansOf, type FlowQuery, type TagContext } from '../../src/gateway/network/nsg.js';
import { GATEWAY_MANAGER_POINT, cidrSpan, ipPoint, prefixLength, subtract } from '../../src/gateway/network/ipset.js';

type Rule = Record<string, unknown>;

let n = 0;
/** A rule in the `az network nsg show` shape; `over` replaces or adds fields. */
function rule(priority: number, access: 'Allow' | 'Deny', over: Rule = {}): Rule {
  return {
    name: `r${priority}-${n++}`, priority, access, direction: 'Inbound', protocol: 'Tcp',
    sourceAddressPrefix: '*', sourceAddressPrefixes: [], sourcePortRange: '*', sourcePortRanges: [],
    destinationAddressPrefix: '*', destinationAddressPrefixes: [], destinationPortRange: '*', destinationPortRanges: [],
    type: 'Microsoft.Network/networkSecurityGroups/securityRules', ...over,
  };
}

function nsg(rules: Rule[], arm = false): NetworkSecurityGroup {
  const doc = arm
    ? { type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg-t', properties: { securityRules: rules.map((r) => { const { name, type: _t, ...props } = r; return { name, properties: props }; }) } }
    : { type: 'Microsoft.Network/networkSecurityGroups', name: 'nsg-t', id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-t', securityRules: rules };
  const inv = loadNetwork([{ doc, source: 't.json' }]);
  expect(inv.warnings).toEqual([]);
  return inv.nsgs[0]!;
}

const ctx: TagContext = { virtualNetwork: spansOf(['10.20.0.0/16', '10.30.0.0/16', '168.63.129.16', '10.99.0.0/16']) };
const GW = spansOf(['10.20.0.0/24']);
const GM = [{ lo: GATEWAY_MANAGER_POINT, hi: GATEWAY_MANAGER_POINT }];
const v2Control: FlowQuery = { direction: 'Inbound', source: GM, destination: GW, ports: { lo: 65200, hi: 65535 } };
const v1Control: FlowQuery = { ...v2Control, ports: { lo: 65503, hi: 65534 } };
const probeOut = (addr: string, port: number): FlowQuery => ({ direction: 'Outbound', source: GW, destination: pointSpans(addr), ports: { lo: port, hi: port } });
const probeIn = (addr: string, port: number): FlowQuery => ({ direction: 'Inbound', source: GW, destination: pointSpans(addr), ports: { lo: port, hi: port } });
const fromInternet: FlowQuery = { direction: 'Inbound', source: pointSpans('203.0.113.7'), destination: GW, ports: { lo: 443, hi: 443 } };
const fromLb: FlowQuery = { direction: 'Inbound', source: pointSpans('168.63.129.16'), destination: GW, ports: { lo: 0, hi: 65535 } };
const toInternet: FlowQuery = { direction: 'Outbound', source: GW, destination: pointSpans('20.1.2.3'), ports: { lo: 443, hi: 443 } };

interface Case { name: string; rules: Rule[]; q: FlowQuery; verdict: 'allow' | 'deny' | 'unknown'; rule?: string | RegExp; arm?: boolean }

const cases: Case[] = [
  // Default rules, present whether or not the JSON lists them.
  { name: 'no rules: inbound from the VNet is allowed by AllowVnetInBound', rules: [], q: probeIn('10.20.1.4', 443), verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'no rules: inbound from the Internet hits DenyAllInBound', rules: [], q: fromInternet, verdict: 'deny', rule: 'DenyAllInBound' },
  // 168.63.129.16 is in the VirtualNetwork tag too, so AllowVnetInBound (65000) matches first.
  { name: 'no rules: AzureLoadBalancer (168.63.129.16) is allowed by default', rules: [], q: fromLb, verdict: 'allow', rule: 'AllowVnetInBound' },
  { name: 'no rules: GatewayManager is denied (DenyAllInBound)', rules: [], q: v2Control, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'no rules: outbound to the VNet allowed', rules: [], q: probeOut('10.20.1.4', 443), verdict: 'allow', rule: 'AllowVnetOutBound' },
  { name: 'no rules: outbound to the Internet allowed', rules: [], q: toInternet, verdict: 'allow', rule: 'AllowInternetOutBound' },
  { name: 'no rules: outbound to a private address outside VirtualNetwork hits DenyAllOutBound', rules: [], q: probeOut('192.168.7.7', 443), verdict: 'deny', rule: 'DenyAllOutBound' },
  // Priorities: first match wins, whatever the document order.
  { name: 'allow 100 before deny 200', rules: [rule(200, 'Deny', { name: 'deny200' }), rule(100, 'Allow', { name: 'allow100', sourceAddressPrefix: 'GatewayManager', destinationPortRange: '65200-65535' })], q: v2Control, verdict: 'allow', rule: 'allow100' },
  { name: 'deny 100 before allow 200', rules: [rule(200, 'Allow', { name: 'allow200', sourceAddressPrefix: 'GatewayManager' }), rule(100, 'Deny', { name: 'deny100' })], q: v2Control, verdict: 'deny', rule: 'deny100' },
  { name: 'a deny after a covering allow never applies', rules: [rule(100, 'Allow', { sourceAddressPrefix: 'GatewayManager' }), rule(110, 'Deny', { name: 'late' })], q: v2Control, verdict: 'allow' },
  // Protocols.
  { name: 'a Udp deny does not touch TCP', rules: [rule(100, 'Deny', { protocol: 'Udp' }), rule(110, 'Allow', { name: 'tcp-ok', sourceAddressPrefix: 'GatewayManager' })], q: v2Control, verdict: 'allow', rule: 'tcp-ok' },
  { name: 'an Icmp deny does not touch TCP', rules: [rule(100, 'Deny', { protocol: 'Icmp' })], q: probeOut('10.20.1.4', 443), verdict: 'allow' },
  { name: 'a * deny covers TCP', rules: [rule(100, 'Deny', { name: 'any', protocol: '*', direction: 'Outbound' })], q: probeOut('10.20.1.4', 443), verdict: 'deny', rule: 'any' },
  { name: 'an Any (portal spelling) deny covers TCP', rules: [rule(100, 'Deny', { name: 'any2', protocol: 'Any', direction: 'Outbound' })], q: probeOut('10.20.1.4', 443), verdict: 'deny', rule: 'any2' },
  // Ports: singular, plural, ranges; any port of the queried range denied blocks.
  { name: 'one denied port inside the v2 control range blocks', rules: [rule(100, 'Deny', { name: 'p65300', destinationPortRange: '65300' }), rule(110, 'Allow', { sourceAddressPrefix: 'GatewayManager' })], q: v2Control, verdict: 'deny', rule: 'p65300' },
  { name: 'an allow of part of the control range does not cover it', rules: [rule(100, 'Allow', { sourceAddressPrefix: 'GatewayManager', destinationPortRange: '65200-65500' })], q: v2Control, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'plural destinationPortRanges cover the range together', rules: [rule(100, 'Allow', { name: 'two', sourceAddressPrefix: 'GatewayManager', destinationPortRange: undefined, destinationPortRanges: ['65200-65400', '65401-65535'] })], q: v2Control, verdict: 'allow', rule: 'two' },
  { name: 'v1 vs v2: a deny of 65200-65502 blocks v2', rules: [rule(100, 'Deny', { name: 'low', destinationPortRange: '65200-65502' }), rule(110, 'Allow', { sourceAddressPrefix: 'GatewayManager' })], q: v2Control, verdict: 'deny', rule: 'low' },
  { name: 'v1 vs v2: the same deny leaves v1 (65503-65534) open', rules: [rule(100, 'Deny', { name: 'low', destinationPortRange: '65200-65502' }), rule(110, 'Allow', { name: 'gm', sourceAddressPrefix: 'GatewayManager' })], q: v1Control, verdict: 'allow', rule: 'gm' },
  { name: 'a deny on another port does not touch the probe', rules: [rule(100, 'Deny', { direction: 'Outbound', destinationPortRange: '8443' })], q: probeOut('10.20.1.4', 443), verdict: 'allow' },
  { name: 'a deny restricted to some source ports still blocks some probes', rules: [rule(100, 'Deny', { name: 'sport', direction: 'Outbound', sourcePortRange: '1024-2048' })], q: probeOut('10.20.1.4', 443), verdict: 'deny', rule: 'sport' },
  // Addresses: the whole gateway subnet must be allowed; a deny of any part blocks.
  { name: 'a deny of one address of the gateway subnet blocks', rules: [rule(100, 'Deny', { name: 'one', direction: 'Outbound', sourceAddressPrefix: '10.20.0.5' })], q: probeOut('10.20.1.4', 443), verdict: 'deny', rule: 'one' },
  { name: 'an allow of half the gateway subnet does not cover it', rules: [rule(100, 'Allow', { sourceAddressPrefix: '10.20.0.0/25' }), rule(200, 'Deny', { name: 'rest' })], q: probeIn('10.20.1.4', 443), verdict: 'deny', rule: 'rest' },
  { name: 'plural source prefixes cover the subnet together', rules: [rule(100, 'Allow', { name: 'halves', sourceAddressPrefix: undefined, sourceAddressPrefixes: ['10.20.0.0/25', '10.20.0.128/25'] }), rule(200, 'Deny')], q: probeIn('10.20.1.4', 443), verdict: 'allow', rule: 'halves' },
  { name: 'a CIDR with host bits is its network', rules: [rule(100, 'Allow', { name: 'hostbits', sourceAddressPrefix: '10.20.0.77/24' }), rule(200, 'Deny')], q: probeIn('10.20.1.4', 443), verdict: 'allow', rule: 'hostbits' },
  { name: 'plural destination prefixes with single addresses', rules: [rule(100, 'Deny', { name: 'dsts', direction: 'Outbound', destinationAddressPrefix: undefined, destinationAddressPrefixes: ['10.20.1.9', '10.20.1.4'] })], q: probeOut('10.20.1.4', 443), verdict: 'deny', rule: 'dsts' },
  { name: 'a deny of another backend does not touch this one', rules: [rule(100, 'Deny', { direction: 'Outbound', destinationAddressPrefix: '10.20.1.9' })], q: probeOut('10.20.1.4', 443), verdict: 'allow' },
  // Service tags.
  { name: 'Internet as source allows GatewayManager', rules: [rule(100, 'Allow', { name: 'inet', sourceAddressPrefix: 'Internet' })], q: v2Control, verdict: 'allow', rule: 'inet' },
  { name: '* as source allows GatewayManager', rules: [rule(100, 'Allow', { name: 'star' })], q: v2Control, verdict: 'allow', rule: 'star' },
  { name: '0.0.0.0/0 as source allows GatewayManager', rules: [rule(100, 'Allow', { name: 'zero', sourceAddressPrefix: '0.0.0.0/0' })], q: v2Control, verdict: 'allow', rule: 'zero' },
  { name: 'a deny from Internet blocks GatewayManager', rules: [rule(100, 'Deny', { name: 'noinet', sourceAddressPrefix: 'Internet' }), rule(110, 'Allow', { sourceAddressPrefix: 'GatewayManager' })], q: v2Control, verdict: 'deny', rule: 'noinet' },
  { name: 'a VirtualNetwork source does not hold GatewayManager', rules: [rule(100, 'Allow', { sourceAddressPrefix: 'VirtualNetwork' })], q: v2Control, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'destination VirtualNetwork covers the gateway subnet', rules: [rule(100, 'Allow', { name: 'gm-vnet', sourceAddressPrefix: 'GatewayManager', destinationAddressPrefix: 'VirtualNetwork' })], q: v2Control, verdict: 'allow', rule: 'gm-vnet' },
  { name: 'destination the gateway subnet CIDR covers it', rules: [rule(100, 'Allow', { name: 'gm-sub', sourceAddressPrefix: 'GatewayManager', destinationAddressPrefix: '10.20.0.0/24' })], q: v2Control, verdict: 'allow', rule: 'gm-sub' },
  { name: 'destination one address of the subnet does not cover it', rules: [rule(100, 'Allow', { sourceAddressPrefix: 'GatewayManager', destinationAddressPrefix: '10.20.0.4' })], q: v2Control, verdict: 'deny', rule: 'DenyAllInBound' },
  { name: 'VirtualNetwork holds peered VNets', rules: [rule(100, 'Deny', { name: 'vn', direction: 'Outbound', destinationAddressPrefix: 'VirtualNetwork' })], q: probeOut('10.30.4.4', 443), verdict: 'deny', rule: 'vn' },
  { name: 'VirtualNetwork holds UDR prefixes', rules: [], q: probeOut('10.99.1.1', 443), verdict: 'allow', rule: 'AllowVnetOutBound' },
  { name: 'VirtualNetwork holds 168.63.129.16', rules: [rule(100, 'Deny', { name: 'vn-in', sourceAddressPrefix: 'VirtualNetwork', protocol: '*' })], q: fromLb, verdict: 'deny', rule: 'vn-in' },
  { name: 'Internet does not hold VNet addresses', rules: [rule(100, 'Deny', { direction: 'Outbound', destinationAddressPrefix: 'Internet' })], q: probeOut('10.20.1.4', 443), verdict: 'allow', rule: 'AllowVnetOutBound' },
  { name: 'Internet holds public addresses', rules: [rule(100, 'Deny', { name: 'noout', direction: 'Outbound', destinationAddressPrefix: 'Internet' })], q: toInternet, verdict: 'deny', rule: 'noout' },
  { name: 'AzureLoadBalancer deny blocks 168.63.129.16', rules: [rule(100, 'Deny', { name: 'nolb', sourceAddressPrefix: 'AzureLoadBalancer', protocol: '*' })], q: fromLb, verdict: 'deny', rule: 'nolb' },
  { name: 'GatewayManager deny blocks the control ports', rules: [rule(100, 'Deny', { name: 'nogm', sourceAddressPrefix: 'GatewayManager' })], q: v2Control, verdict: 'deny', rule: 'nogm' },
  // What cannot be known is unknown, never a verdict.
  { name: 'a public CIDR allow may or may not hold GatewayManager', rules: [rule(100, 'Allow', { name: 'pub', sourceAddressPrefix: '20.0.0.0/8' })], q: v2Control, verdict: 'unknown', rule: 'pub' },
  { name: 'another service tag (AzureCloud) may hold GatewayManager', rules: [rule(100, 'Deny', { name: 'cloud', sourceAddressPrefix: 'AzureCloud' }), rule(110, 'Allow', { sourceAddressPrefix: 'GatewayManager' })], q: v2Control, verdict: 'unknown', rule: 'cloud' },
  { name: 'another service tag never holds a private address', rules: [rule(100, 'Deny', { direction: 'Outbound', destinationAddressPrefix: 'Storage' })], q: probeOut('10.20.1.4', 443), verdict: 'allow', rule: 'AllowVnetOutBound' },
  { name: 'an application security group rule is unknown', rules: [rule(100, 'Deny', { name: 'asg', direction: 'Outbound', destinationAddressPrefix: undefined, destinationApplicationSecurityGroups: [{ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg-web' }] })], q: probeOut('10.20.1.4', 443), verdict: 'unknown', rule: 'asg' },
  // The ARM / REST shape reads the same.
  { name: 'ARM shape: deny 100 before allow 200', arm: true, rules: [rule(200, 'Allow', { sourceAddressPrefix: 'GatewayManager' }), rule(100, 'Deny', { name: 'arm-deny', destinationPortRange: '65535' })], q: v2Control, verdict: 'deny', rule: 'arm-deny' },
  { name: 'ARM shape: plural prefixes', arm: true, rules: [rule(100, 'Allow', { name: 'arm-allow', sourceAddressPrefix: undefined, sourceAddressPrefixes: ['GatewayManager'], destinationPortRange: undefined, destinationPortRanges: ['65200-65535'] })], q: v2Control, verdict: 'allow', rule: 'arm-allow' },
];

describe('NSG evaluation (first match by priority, default rules, tags, plural fields)', () => {
  test.each(cases)('$name', (c) => {
    const d = evaluateNsg(nsg(c.rules, c.arm), c.q, ctx);
    expect(d.verdict).toBe(c.verdict);
    if (typeof c.rule === 'string') expect(d.rule).toBe(c.rule);
    else if (c.rule) expect(d.rule).toMatch(c.rule);
    if (c.verdict === 'unknown') expect(d.reason).toBeTruthy();
  });

  test('an expression-valued field makes the rule unknown, with a warning, never a crash', () => {
    const inv = loadNetwork([{ doc: { type: 'Microsoft.Network/networkSecurityGroups', name: 'n', securityRules: [rule(100, 'Deny', { name: 'expr', sourceAddressPrefix: "[parameters('src')]" }), rule(110, 'Allow', { sourceAddressPrefix: 'GatewayManager' })] }, source: 'x.json' }]);
    expect(inv.warnings.join('\n')).toMatch(/x\.json: .*sourceAddressPrefix: ARM template expression/);
    expect(evaluateNsg(inv.nsgs[0]!, v2Control, ctx)).toMatchObject({ verdict: 'unknown', rule: 'expr' });
  });

  test('defaultSecurityRules in the show output are not read twice, and custom ones keep their names', () => {
    const inv = loadNetwork([{ doc: { type: 'Microsoft.Network/networkSecurityGroups', name: 'n', securityRules: [rule(100, 'Allow', { name: 'a' })], defaultSecurityRules: [rule(65500, 'Allow', { name: 'DenyAllInBound' })] }, source: 'x.json' }]);
    expect(inv.nsgs[0]!.rules.map((r) => r.name)).toEqual(['a']);
  });
});

describe('address arithmetic', () => {
  test('CIDRs, single addresses, IPv4 within the IPv6 line, prefix lengths', () => {
    expect(cidrSpan('10.0.0.0/8')!.hi - cidrSpan('10.0.0.0/8')!.lo + 1n).toBe(1n << 24n);
    expect(cidrSpan('10.1.2.3')).toEqual({ lo: ipPoint('10.1.2.3'), hi: ipPoint('10.1.2.3') });
    expect(prefixLength(cidrSpan('10.20.0.0/16')!)).toBe(16);
    expect(prefixLength(cidrSpan('0.0.0.0/0')!)).toBe(0);
    expect(prefixLength(cidrSpan('2001:db8::/32')!)).toBe(32);
    expect(cidrSpan('10.0.0.0/33')).toBeNull();
    expect(cidrSpan('GatewayManager')).toBeNull();
    expect(ipPoint('::ffff:10.1.2.3')).toBe(ipPoint('10.1.2.3'));
    expect(subtract(spansOf(['10.0.0.0/24']), spansOf(['10.0.0.0/25']))).toEqual(spansOf(['10.0.0.128/25']));
  });
});
