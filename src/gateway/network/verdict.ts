/**
 * The gateway's network path, judged offline: where the gateway stands (its subnet, the subnet's
 * NSG and route table, the VNet's DNS), what that means for the whole gateway (the Unknown causes
 * of appgw-spec §1.4), and for each backend address whether the probe can get there (the TCP
 * connect error's causes, M3).
 *
 * Findings carry evidence only; the catalog words them. A question the documents cannot answer is
 * a NET_NOT_DETERMINED warning, never a verdict.
 */
import { makeFinding } from '../../model/catalog.js';
import type { Evidence, Finding, FindingCode } from '../../model/findings.js';
import { GATEWAY_MESSAGES } from '../../model/messages.js';
import type { HealthStatus, Report } from '../../model/report.js';
import { GATEWAY_MANAGER_POINT, contains, ipPoint, isPrivatePoint, normalise, type Span } from './ipset.js';
import type { GatewayNetworkFacts, NetworkInterface, NetworkInventory, NetworkSecurityGroup, RouteTable, Subnet, VirtualNetwork } from './load.js';
import { AZURE_PLATFORM_IP, evaluateNsg, pointSpans, prefixMeaning, spansOf, type NsgDecision, type TagContext } from './nsg.js';
import { defaultRoute, effectiveRoutes, judgeRoute, type EffectiveRoute } from './routes.js';

/** The control ports the gateway's infrastructure uses (Application Gateway infrastructure configuration). */
export const CONTROL_PORTS = { v1: { lo: 65503, hi: 65534 }, v2: { lo: 65200, hi: 65535 } } as const;

/** Where a subnet sits: its NSG, route table, VNet and what VirtualNetwork means there. */
export interface SubnetPlace {
  subnet: Subnet;
  vnet: VirtualNetwork | null;
  nsg: NetworkSecurityGroup | null;
  routeTable: RouteTable | null;
  tags: TagContext;
  spans: Span[];
}

/** The gateway's side of the network, built once per gateway. */
export interface NetworkModel {
  sku: 'v1' | 'v2';
  gateway: GatewayNetworkFacts | null;
  place: SubnetPlace | null;
  /** v2 with no public frontend IP: the GatewayManager rule and the Internet default route are not needed. */
  isolated: boolean;
  routes: EffectiveRoute[];
  /** Gateway-wide findings, in the order they matter. */
  findings: Finding[];
  /** The finding that makes every server Unknown (U1), or null. */
  decides: Finding | null;
  /** What could not be read or found, for the report's notes. */
  notes: string[];
  inventory: NetworkInventory;
}

/** One server's network verdict. */
export interface RowNetwork {
  /** This server's network findings, the gateway-wide Unknown cause first when there is one. */
  findings: Finding[];
  /** The health the network decides (Unknown, Unhealthy), or null when the probe decides. */
  health: HealthStatus | null;
  /** The finding behind `health`. */
  primary: Finding | null;
  /** Short text for the network column: "blocked: nsg-be/deny-443 (200)", "ok", "not judged". */
  summary: string;
}

const uniq = (xs: string[]) => [...new Set(xs)];

function findNsg(inv: NetworkInventory, key: string | null, notes: string[], what: string): NetworkSecurityGroup | null {
  if (!key) return null;
  const n = inv.nsgs.find((x) => x.key === key);
  if (!n) notes.push(`${what} has NSG ${key.split('/').pop()}, which is not in the documents given; its rules are not judged`);
  return n ?? null;
}

/** The subnet's place: its VNet, NSG, route table, and the VirtualNetwork tag there. */
export function placeOf(inv: NetworkInventory, subnet: Subnet, notes: string[]): SubnetPlace {
  const vnet = subnet.vnetKey ? inv.vnets.find((v) => v.key === subnet.vnetKey) ?? null : null;
  const nsg = findNsg(inv, subnet.nsgKey, notes, `subnet ${subnet.name}`);
  let routeTable: RouteTable | null = null;
  if (subnet.routeTableKey) {
    routeTable = inv.routeTables.find((r) => r.key === subnet.routeTableKey) ?? null;
    if (!routeTable) notes.push(`subnet ${subnet.name} has route table ${subnet.routeTableKey.split('/').pop()}, which is not in the documents given; its routes are not judged`);
  }
  if (!vnet) notes.push(`the VNet of subnet ${subnet.name} is not in the documents given: VirtualNetwork is taken as the subnet's own prefixes`);
  const spans = spansOf(subnet.addressPrefixes);
  // Service tags: VirtualNetwork = the VNet's spaces, peered spaces, 168.63.129.16 and the UDR
  // prefixes, all of them: a UDR for 0.0.0.0/0 makes VirtualNetwork everything (and so the
  // default AllowVnet rules allow everything), a known consequence of that definition.
  const udr = (routeTable?.routes ?? []).map((r) => r.addressPrefix);
  const vnetTag = normalise([
    ...spansOf(vnet?.addressPrefixes ?? []), ...spans, ...spansOf(vnet?.peeredPrefixes ?? []),
    ...pointSpans(AZURE_PLATFORM_IP), ...spansOf(udr),
    ...(udr.some((p) => p.trim() === '0.0.0.0/0') ? [{ lo: GATEWAY_MANAGER_POINT, hi: GATEWAY_MANAGER_POINT }] : []),
  ]);
  return { subnet, vnet, nsg, routeTable, tags: { virtualNetwork: vnetTag }, spans };
}

function pickGateway(inv: NetworkInventory, id: string | null, name: string | null): GatewayNetworkFacts | null {
  const low = (s: string | null) => s?.toLowerCase() ?? null;
  const byId = id ? inv.gateways.find((g) => g.id && low(g.id) === low(id)) : undefined;
  if (byId) return byId;
  const byName = name ? inv.gateways.filter((g) => low(g.name) === low(name)) : [];
  if (byName.length === 1) return byName[0]!;
  return inv.gateways.length === 1 ? inv.gateways[0]! : null;
}

function nsgEvidence(d: NsgDecision): Evidence {
  return { nsg: d.nsg, rule: d.rule, priority: d.priority, defaultRule: d.isDefault };
}

function notDetermined(what: string, reason: string): Finding {
  return makeFinding('NET_NOT_DETERMINED', { what, reason });
}

/** What the network model is built from: the SKU and the gateway it is for. */
export interface NetworkModelOptions {
  sku: 'v1' | 'v2';
  /** The gateway's resource id and name, to pick it among several in the documents. */
  gatewayId?: string | null;
  gatewayName?: string | null;
}

/** The gateway-wide model and findings from an inventory. */
export function buildNetworkModel(inv: NetworkInventory, o: NetworkModelOptions): NetworkModel {
  const notes = [...inv.warnings];
  const findings: Finding[] = [];
  const gateway = pickGateway(inv, o.gatewayId ?? null, o.gatewayName ?? null);
  const model: NetworkModel = { sku: o.sku, gateway, place: null, isolated: false, routes: [], findings, decides: null, notes, inventory: inv };
  if (!gateway) {
    findings.push(notDetermined('the gateway', inv.gateways.length ? `${inv.gateways.length} application gateways in the documents and none matches ${o.gatewayName ?? o.gatewayId ?? 'the configuration'}` : 'no application gateway resource (with gatewayIPConfigurations) in the documents, so its subnet is unknown'));
    return model;
  }
  model.isolated = o.sku === 'v2' && gateway.publicFrontend === false;
  const subnetKey = gateway.subnetKeys[0] ?? null;
  const subnet = subnetKey ? inv.subnets.find((s) => s.key === subnetKey) ?? null : null;
  if (!subnet) {
    findings.push(notDetermined('the gateway subnet', subnetKey ? `subnet ${subnetKey} is not in the documents given (export it with az network vnet show or az network vnet subnet show)` : 'the gateway has no gatewayIPConfigurations[].subnet.id'));
    return model;
  }
  const place = placeOf(inv, subnet, notes);
  model.place = place;
  const sub = subnet.name;
  const { routes, skipped } = effectiveRoutes({ vnetPrefixes: place.vnet?.addressPrefixes ?? subnet.addressPrefixes, peeredPrefixes: place.vnet?.peeredPrefixes ?? [], routeTable: place.routeTable });
  model.routes = routes;
  notes.push(...skipped);
  if (!place.spans.length) findings.push(notDetermined('the gateway subnet', `subnet ${sub} has no readable address prefix`));

  const nsg = place.nsg;
  // Unknown cause 1: the control ports (not needed by a network-isolated v2 gateway).
  if (nsg && place.spans.length && !model.isolated) {
    const ports = CONTROL_PORTS[o.sku];
    const d = evaluateNsg(nsg, { direction: 'Inbound', source: [{ lo: GATEWAY_MANAGER_POINT, hi: GATEWAY_MANAGER_POINT }], destination: place.spans, ports }, place.tags);
    const portText = `${ports.lo}-${ports.hi}`;
    if (d.verdict === 'deny') {
      findings.push(makeFinding('NET_GATEWAY_MANAGER_BLOCKED', { ...nsgEvidence(d), subnet: sub, ports: portText, sku: o.sku, decision: `is the first rule that matches and denies` }, { sku: o.sku }));
    } else if (d.verdict === 'unknown') {
      findings.push(notDetermined(`inbound TCP ${portText} from GatewayManager on the gateway subnet`, d.reason ?? 'a rule could not be judged'));
    }
  }
  // Unknown cause 2: a default route to somewhere other than the Internet (v2, not isolated).
  if (o.sku === 'v2' && !model.isolated) {
    const d = defaultRoute(routes);
    if (d && d.source === 'User' && d.nextHopType !== 'Internet') {
      findings.push(makeFinding('NET_DEFAULT_ROUTE_NOT_INTERNET', {
        subnet: sub, route: d.name, routeTable: d.routeTable, prefix: d.addressPrefix, nextHop: d.nextHopType,
        nextHopIp: d.nextHopIpAddress ? ` ${d.nextHopIpAddress}` : '',
      }));
    }
  }
  // A default route learned over BGP (ExpressRoute, VPN) is one of the documented Unknown causes,
  // but no export shows it: say so when the VNet has a gateway subnet and propagation is on.
  if (o.sku === 'v2' && !model.isolated && place.vnet && inv.subnets.some((s) => s.vnetKey === place.vnet!.key && s.name.toLowerCase() === 'gatewaysubnet') && place.routeTable?.disableBgpRoutePropagation !== true) {
    notes.push(`VNet ${place.vnet.name} has a GatewaySubnet (VPN or ExpressRoute) and the gateway subnet takes BGP routes: a default route advertised from on-premises would make every server Unknown, and an export does not show it (check the effective routes, or disable gateway route propagation on the gateway subnet's route table)`);
  }
  if (place.vnet && place.vnet.dnsServers.length) {
    findings.push(makeFinding('NET_CUSTOM_DNS', { vnet: place.vnet.name, dnsServers: place.vnet.dnsServers }));
  }
  if (nsg && place.spans.length) {
    // Judged on the ports the infrastructure is known to use, so that a deny of, say, TCP 22 from
    // anywhere is not reported as blocking the gateway: the control ports for AzureLoadBalancer,
    // 80 and 443 (CRL/OCSP, Azure's control plane) for the Internet.
    const lb = evaluateNsg(nsg, { direction: 'Inbound', source: pointSpans(AZURE_PLATFORM_IP), destination: place.spans, ports: CONTROL_PORTS[o.sku] }, place.tags);
    if (lb.verdict === 'deny') findings.push(makeFinding('NET_AZURE_LB_BLOCKED', { ...nsgEvidence(lb), subnet: sub }));
    if (!model.isolated) {
      const internet = prefixMeaning('Internet', place.tags).sure.filter((s) => s.lo !== GATEWAY_MANAGER_POINT);
      for (const port of [443, 80]) {
        const out = evaluateNsg(nsg, { direction: 'Outbound', source: place.spans, destination: internet, ports: { lo: port, hi: port } }, place.tags);
        if (out.verdict === 'deny') { findings.push(makeFinding('NET_INTERNET_OUTBOUND_BLOCKED', { ...nsgEvidence(out), subnet: sub, port })); break; }
      }
    }
  }
  model.decides = findings.find((f) => f.severity === 'unknown') ?? null;
  model.notes.splice(0, model.notes.length, ...uniq(model.notes));
  return model;
}

function nicFor(inv: NetworkInventory, address: string): { nic: NetworkInterface; subnetKey: string | null } | null {
  const p = ipPoint(address);
  if (p === null) return null;
  for (const nic of inv.nics) {
    for (const c of nic.ipConfigurations) if (c.privateIPAddress && ipPoint(c.privateIPAddress) === p) return { nic, subnetKey: c.subnetKey };
  }
  return null;
}

function subnetHolding(inv: NetworkInventory, point: bigint): Subnet | null {
  const holds = (s: Subnet) => spansOf(s.addressPrefixes).some((sp) => contains(sp, { lo: point, hi: point }));
  return inv.subnets.find(holds) ?? null;
}

/**
 * One server's verdict: the gateway-wide Unknown cause, the route from the gateway subnet, the
 * gateway subnet's outbound NSG, then the backend subnet's and NIC's inbound NSGs.
 */
export function judgeRowNetwork(model: NetworkModel, address: string, port: number): RowNetwork {
  const findings: Finding[] = [];
  if (model.decides) findings.push(model.decides);
  const point = ipPoint(address);
  const place = model.place;
  const done = (summary: string): RowNetwork => {
    const error = findings.find((f) => f.severity === 'error') ?? null;
    const primary = model.decides ?? error;
    return { findings, health: model.decides ? 'Unknown' : error ? 'Unhealthy' : null, primary, summary: model.decides ? `${model.decides.code}` : summary };
  };
  if (point === null) return done('not judged (FQDN member: resolved by the VNet\'s DNS)');
  if (!place) return done('not judged (gateway subnet unknown)');
  const ev = { address, port };

  const route = judgeRoute(model.routes, point);
  const routeEv = (r: EffectiveRoute): Evidence => ({ ...ev, route: r.source === 'User' ? `${r.name} (route table ${r.routeTable})` : `system route ${r.name}`, prefix: r.addressPrefix, source: r.source, nextHop: r.nextHopType, nextHopIp: r.nextHopIpAddress ? ` ${r.nextHopIpAddress}` : '' });
  if (route.kind === 'none') findings.push(makeFinding('NET_ROUTE_NONE', routeEv(route.route)));
  else if (route.kind === 'appliance') findings.push(makeFinding('NET_ROUTE_VIA_APPLIANCE', routeEv(route.route)));
  else if (route.kind === 'unknown') findings.push(makeFinding('NET_ROUTE_UNKNOWN', { ...ev, private: isPrivatePoint(point) }));

  const ports = { lo: port, hi: port };
  const dst = [{ lo: point, hi: point }];
  // A private address no known route reaches may be on-premises or in an unexported peering, and
  // those prefixes belong to the VirtualNetwork tag: whether a VirtualNetwork rule matches it is unknown.
  const unsure = route.kind === 'unknown' && isPrivatePoint(point) ? dst : [];
  const tagsAt = (t: TagContext): TagContext => (unsure.length ? { ...t, virtualNetworkMaybe: unsure } : t);
  const blocked = (d: NsgDecision, where: string): boolean => {
    if (d.verdict === 'deny') {
      findings.push(makeFinding('NET_PROBE_BLOCKED', { ...nsgEvidence(d), ...ev, where, subnet: place.subnet.name }));
      return true;
    }
    if (d.verdict === 'unknown') findings.push(notDetermined(`TCP to ${address} port ${port} (${where}, NSG ${d.nsg})`, d.reason ?? 'a rule could not be judged'));
    return false;
  };
  let stop = false;
  if (place.nsg && place.spans.length) stop = blocked(evaluateNsg(place.nsg, { direction: 'Outbound', source: place.spans, destination: dst, ports }, tagsAt(place.tags)), 'gateway subnet, outbound');

  const notes: string[] = [];
  const nicHit = nicFor(model.inventory, address);
  const beSubnet = (nicHit?.subnetKey ? model.inventory.subnets.find((s) => s.key === nicHit.subnetKey) : null) ?? subnetHolding(model.inventory, point);
  if (!stop && beSubnet && beSubnet.key !== place.subnet.key && place.spans.length) {
    const bePlace = placeOf(model.inventory, beSubnet, notes);
    if (bePlace.nsg) stop = blocked(evaluateNsg(bePlace.nsg, { direction: 'Inbound', source: place.spans, destination: dst, ports }, tagsAt(bePlace.tags)), `backend subnet ${beSubnet.name}, inbound`);
    const nicNsg = nicHit ? findNsg(model.inventory, nicHit.nic.nsgKey, notes, `NIC ${nicHit.nic.name}`) : null;
    if (!stop && nicNsg) stop = blocked(evaluateNsg(nicNsg, { direction: 'Inbound', source: place.spans, destination: dst, ports }, tagsAt(bePlace.tags)), `backend NIC ${nicHit!.nic.name}, inbound`);
  }
  for (const n of notes) if (!model.notes.includes(n)) model.notes.push(n);
  const bad = findings.find((f) => f.severity === 'error');
  const warn = findings.find((f) => f.severity === 'warning');
  const summary = bad
    ? `${bad.code}${bad.evidence.rule ? `: ${String(bad.evidence.nsg)}/${String(bad.evidence.rule)} (${String(bad.evidence.priority)})` : ''}`
    : warn ? `${warn.code}${warn.evidence.route ? `: ${String(warn.evidence.route)} → ${String(warn.evidence.nextHop)}${String(warn.evidence.nextHopIp ?? '')}` : ''}`
    : `open: the routes and NSGs given let TCP ${port} through${!beSubnet ? ' (the backend is not in the documents: its own NSGs are not judged)' : !nicHit ? ' (the backend\'s NIC is not in the documents: its NSG, if any, is not judged)' : ''}`;
  return done(summary);
}

/** The parts of a probe result the network verdict changes. */
export interface NetworkJudged {
  health: HealthStatus;
  healthProbeLog: string;
  report: Report | null;
}

/**
 * A probe result with the network's verdict applied: a network Unknown or Unhealthy replaces the
 * probe's health and message (the gateway's path, not ours, decides), and the network findings
 * join the report's either way.
 */
export function applyRowNetwork<T extends NetworkJudged>(r: T, net: RowNetwork | null | undefined): T {
  if (!net || (!net.findings.length && !net.health)) return r;
  const primary = net.health ? net.primary : null;
  const message = primary?.gatewayMessage ?? (primary?.gatewayMessageId ? GATEWAY_MESSAGES[primary.gatewayMessageId].text : null);
  let report = r.report;
  if (report) {
    const findings = [...net.findings, ...report.findings.filter((f) => !net.findings.includes(f))];
    report = primary && message
      ? { ...report, findings, status: net.health!, ok: false, message, messageId: primary.gatewayMessageId ?? null, messageSource: 'gateway' as const, primary }
      : { ...report, findings };
  }
  if (!primary || !message) return { ...r, report };
  return { ...r, health: net.health!, healthProbeLog: message, report };
}

/** Findings codes this module emits (for documentation and tests). */
export const NETWORK_CODES: readonly FindingCode[] = [
  'NET_GATEWAY_MANAGER_BLOCKED', 'NET_DEFAULT_ROUTE_NOT_INTERNET', 'NET_CUSTOM_DNS', 'NET_PROBE_BLOCKED', 'NET_ROUTE_NONE',
  'NET_ROUTE_VIA_APPLIANCE', 'NET_ROUTE_UNKNOWN', 'NET_INTERNET_OUTBOUND_BLOCKED', 'NET_AZURE_LB_BLOCKED', 'NET_NOT_DETERMINED',
];

/** The gateway-wide part of the verdict, as reports show it. */
export interface NetworkSummary {
  gateway: string | null;
  subnet: string | null;
  addressPrefixes: string[];
  vnet: string | null;
  nsg: string | null;
  routeTable: string | null;
  dnsServers: string[];
  /** v2 without a public frontend IP (network isolation). */
  isolated: boolean;
  /** The code that makes every server Unknown, or null. */
  decides: FindingCode | null;
  findings: Finding[];
  notes: string[];
}

/** The model's gateway-wide facts and findings for a report. */
export function networkSummary(m: NetworkModel): NetworkSummary {
  const p = m.place;
  return {
    gateway: m.gateway?.name ?? null, subnet: p?.subnet.name ?? null, addressPrefixes: p?.subnet.addressPrefixes ?? [],
    vnet: p?.vnet?.name ?? null, nsg: p?.nsg?.name ?? null, routeTable: p?.routeTable?.name ?? null,
    dnsServers: p?.vnet?.dnsServers ?? [], isolated: m.isolated, decides: m.decides?.code ?? null,
    findings: m.findings, notes: m.notes,
  };
}

/** True when an inventory holds anything of the network beyond gateway resources. */
export function hasNetwork(inv: NetworkInventory): boolean {
  return inv.nsgs.length + inv.routeTables.length + inv.vnets.length + inv.subnets.length + inv.nics.length > 0;
}
