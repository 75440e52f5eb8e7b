/**
 * Effective routes as "Virtual network traffic routing" documents them: system routes for the VNet
 * space (VnetLocal), peerings (VNetPeering) and 0.0.0.0/0 (Internet), plus the route table;
 * longest prefix wins, a user route wins a tie.
 */
import { describe, expect, test } from 'vitest';
import type { RouteTable, UserRoute } from '../../src/gateway/network/load.js';
import { defaultRoute, effectiveRoutes, judgeRoute } from '../../src/gateway/network/routes.js';
import { ipPoint } from '../../src/gateway/network/ipset.js';

const rt = (routes: UserRoute[]): RouteTable => ({ key: 'routetables/rt', id: null, name: 'rt', routes, disableBgpRoutePropagation: null, source: 't' });
const r = (name: string, addressPrefix: string, nextHopType: UserRoute['nextHopType'], nextHopIpAddress: string | null = null): UserRoute => ({ name, addressPrefix, nextHopType, nextHopIpAddress });

function judge(addr: string, routes: UserRoute[] | null) {
  const { routes: eff } = effectiveRoutes({ vnetPrefixes: ['10.20.0.0/16'], peeredPrefixes: ['10.30.0.0/16'], routeTable: routes ? rt(routes) : null });
  return judgeRoute(eff, ipPoint(addr)!);
}

interface Case { name: string; addr: string; routes: UserRoute[] | null; kind: string; hop: string | null; route?: string }

const cases: Case[] = [
  { name: 'VNet address: system VnetLocal', addr: '10.20.1.4', routes: null, kind: 'ok', hop: 'VnetLocal' },
  { name: 'peered VNet: system VNetPeering', addr: '10.30.1.4', routes: null, kind: 'ok', hop: 'VNetPeering' },
  { name: 'public address: system default route to Internet', addr: '52.1.2.3', routes: null, kind: 'ok', hop: 'Internet' },
  { name: 'private address outside every space: unknown, not None', addr: '172.16.5.5', routes: null, kind: 'unknown', hop: 'Internet' },
  { name: 'longest prefix: a /24 None inside the VNet /16 drops', addr: '10.20.9.7', routes: [r('blackhole', '10.20.9.0/24', 'None')], kind: 'none', hop: 'None', route: 'blackhole' },
  { name: 'longest prefix: a /8 user route loses to the VNet /16', addr: '10.20.1.4', routes: [r('wide', '10.0.0.0/8', 'VirtualAppliance', '10.20.2.4')], kind: 'ok', hop: 'VnetLocal' },
  { name: 'tie: a user /16 wins over the peering /16', addr: '10.30.1.4', routes: [r('via-fw', '10.30.0.0/16', 'VirtualAppliance', '10.20.2.4')], kind: 'appliance', hop: 'VirtualAppliance', route: 'via-fw' },
  { name: 'tie: a user /16 wins over the VNet /16', addr: '10.20.1.4', routes: [r('vnet-fw', '10.20.0.0/16', 'VirtualAppliance', '10.20.2.4')], kind: 'appliance', hop: 'VirtualAppliance' },
  { name: 'user default route to an appliance carries public addresses', addr: '52.1.2.3', routes: [r('default-fw', '0.0.0.0/0', 'VirtualAppliance', '10.20.2.4')], kind: 'appliance', hop: 'VirtualAppliance', route: 'default-fw' },
  { name: 'VirtualNetworkGateway next hop is a warning like an appliance', addr: '192.168.1.1', routes: [r('onprem', '192.168.0.0/16', 'VirtualNetworkGateway')], kind: 'appliance', hop: 'VirtualNetworkGateway' },
  { name: 'a user route makes a private range known', addr: '192.168.1.1', routes: [r('onprem-inet', '192.168.0.0/16', 'Internet')], kind: 'ok', hop: 'Internet' },
  { name: 'a host route /32 None', addr: '10.20.1.5', routes: [r('one', '10.20.1.5/32', 'None')], kind: 'none', hop: 'None' },
  { name: 'a VnetLocal user route', addr: '10.40.0.1', routes: [r('local', '10.40.0.0/16', 'VnetLocal')], kind: 'ok', hop: 'VnetLocal' },
];

describe('effective routes of the gateway subnet', () => {
  test.each(cases)('$name', (c) => {
    const o = judge(c.addr, c.routes);
    expect(o.kind).toBe(c.kind);
    expect(o.route?.nextHopType ?? null).toBe(c.hop);
    if (c.route) expect(o.route?.name).toBe(c.route);
  });

  test('a service-tag prefix or an expression is skipped with a reason, not guessed', () => {
    const { routes, skipped } = effectiveRoutes({ vnetPrefixes: ['10.20.0.0/16'], peeredPrefixes: [], routeTable: rt([r('tag', 'AzureCloud', 'Internet'), r('expr', "[parameters('p')]", 'None')]) });
    expect(routes.filter((x) => x.source === 'User')).toEqual([]);
    expect(skipped.join('\n')).toMatch(/route tag in rt: prefix "AzureCloud" is not a CIDR/);
  });

  test('the default route: the user one when there is one, else the system Internet route', () => {
    expect(defaultRoute(effectiveRoutes({ vnetPrefixes: [], peeredPrefixes: [], routeTable: null }).routes)).toMatchObject({ source: 'Default', nextHopType: 'Internet' });
    expect(defaultRoute(effectiveRoutes({ vnetPrefixes: [], peeredPrefixes: [], routeTable: rt([r('d', '0.0.0.0/0', 'VirtualAppliance', '10.0.0.4')]) }).routes)).toMatchObject({ source: 'User', name: 'd' });
  });
});
