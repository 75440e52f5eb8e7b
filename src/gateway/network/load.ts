/**
 * Reads the network around a gateway from the az CLI's `show` outputs (flattened, no `properties`
 * wrapper), the ARM/REST shape (`properties: {…}`), ARM templates and `az group export` documents
 * (`resources[]`, child resources nested or top-level), or JSON arrays of any of those.
 *
 * The loader is pure: it takes parsed JSON and never throws for a well-formed document. What it
 * cannot read becomes a warning, and the value it stood for becomes unknown, so a verdict is never
 * drawn from a guess. ARM template expressions (`[parameters('x')]`) are not evaluated here: a
 * caller that has the template evaluator passes it as `evaluate` (issue 16 owns that evaluator).
 */

/** A JSON object as read from a network document. */
export type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An ARM template expression: `[...]`, but not the `[[` escape of a literal bracket. */
export function isExpression(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith('[') && !v.startsWith('[[') && v.endsWith(']');
}

/** One security rule, normalised from either shape. */
export interface NsgRule {
  name: string;
  priority: number;
  access: 'Allow' | 'Deny';
  direction: 'Inbound' | 'Outbound';
  /** `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*`, as Azure spells them. */
  protocol: string;
  sourcePrefixes: string[];
  destinationPrefixes: string[];
  sourcePorts: string[];
  destinationPorts: string[];
  /** The rule names application security groups, whose members are not in the export. */
  usesAsg: boolean;
  /** One of Azure's default rules (built in, not read from the document). */
  isDefault: boolean;
  /** Why the rule's match cannot be known (an unevaluated expression, a bad field); null when it can. */
  unresolved: string | null;
}

/** A network security group and its rules (default rules are added when evaluated). */
export interface NetworkSecurityGroup {
  key: string;
  id: string | null;
  name: string;
  /** The document's rules, without the default ones (the evaluator adds those). */
  rules: NsgRule[];
  source: string;
}

/** A route's next hop type, as Azure names it. */
export type NextHopType = 'Internet' | 'VnetLocal' | 'VNetPeering' | 'VirtualAppliance' | 'VirtualNetworkGateway' | 'None';

/** One user-defined route: a prefix and its next hop. */
export interface UserRoute {
  name: string;
  /** A CIDR, or a service tag (route tables accept some), or an unevaluated expression. */
  addressPrefix: string;
  nextHopType: NextHopType | null;
  nextHopIpAddress: string | null;
}

/** A route table and whether it propagates gateway (BGP) routes. */
export interface RouteTable {
  key: string;
  id: string | null;
  name: string;
  routes: UserRoute[];
  disableBgpRoutePropagation: boolean | null;
  source: string;
}

/** A subnet: its address prefixes and the NSG and route table attached to it. */
export interface Subnet {
  key: string;
  id: string | null;
  name: string;
  /** The VNet's key, when known (from the id or from the VNet that lists it). */
  vnetKey: string | null;
  addressPrefixes: string[];
  nsgKey: string | null;
  routeTableKey: string | null;
  source: string;
}

/** A virtual network: its address spaces, DNS servers, peerings and subnets. */
export interface VirtualNetwork {
  key: string;
  id: string | null;
  name: string;
  addressPrefixes: string[];
  /** dhcpOptions.dnsServers; empty means Azure-provided DNS. */
  dnsServers: string[];
  /** Address spaces of the peered VNets, as the peerings record them. */
  peeredPrefixes: string[];
  source: string;
}

/** One IP configuration of a NIC: its private address and its subnet. */
export interface NicIpConfig { privateIPAddress: string | null; subnetKey: string | null }

/** A network interface: its IP configurations and its NSG. */
export interface NetworkInterface {
  key: string;
  id: string | null;
  name: string;
  ipConfigurations: NicIpConfig[];
  nsgKey: string | null;
  source: string;
}

/** What the network model needs of an application gateway resource. */
export interface GatewayNetworkFacts {
  key: string;
  id: string | null;
  name: string;
  /** gatewayIPConfigurations[].subnet.id, as keys. */
  subnetKeys: string[];
  /** True when a frontend IP configuration has a public IP; null when there are no frontends in the document. */
  publicFrontend: boolean | null;
  source: string;
}

/** Everything read from the network documents. */
export interface NetworkInventory {
  nsgs: NetworkSecurityGroup[];
  routeTables: RouteTable[];
  vnets: VirtualNetwork[];
  subnets: Subnet[];
  nics: NetworkInterface[];
  gateways: GatewayNetworkFacts[];
  /** What could not be read, each naming the document and JSON path. */
  warnings: string[];
}

/** Evaluates an ARM template expression in its template; returns undefined when it cannot. */
export type ExpressionEvaluator = (expression: string, template: Json) => unknown;

/** How network documents are read: an evaluator for ARM template expressions, when one is at hand. */
export interface LoadNetworkOptions {
  evaluate?: ExpressionEvaluator;
}

/** An empty inventory, to add documents to. */
export function emptyInventory(): NetworkInventory {
  return { nsgs: [], routeTables: [], vnets: [], subnets: [], nics: [], gateways: [], warnings: [] };
}

const TYPES = {
  nsg: 'microsoft.network/networksecuritygroups',
  rule: 'microsoft.network/networksecuritygroups/securityrules',
  rt: 'microsoft.network/routetables',
  route: 'microsoft.network/routetables/routes',
  vnet: 'microsoft.network/virtualnetworks',
  subnet: 'microsoft.network/virtualnetworks/subnets',
  peering: 'microsoft.network/virtualnetworks/virtualnetworkpeerings',
  nic: 'microsoft.network/networkinterfaces',
  appgw: 'microsoft.network/applicationgateways',
} as const;

/**
 * The key a resource is known by: its resource type and name path, lowercased
 * (`virtualnetworks/vnet1/subnets/appgw`). Resource ids are compared on this tail, not whole: a
 * template builds ids with resourceId() while a `show` output carries the subscription's, and
 * the same names in two resource groups of one export are rare enough to accept.
 */
export function keyOfId(id: string): string | null {
  const m = /\/providers\/Microsoft\.Network\/(.+)$/i.exec(id.trim());
  const tail = m ? m[1]! : null;
  return tail ? tail.replace(/\/+$/, '').toLowerCase() : null;
}

function keyOf(type: string, names: string[]): string {
  // type microsoft.network/virtualnetworks/subnets with names [vnet, subnet] → virtualnetworks/vnet/subnets/subnet
  const parts = type.toLowerCase().replace(/^microsoft\.network\//, '').split('/');
  return parts.map((p, i) => `${p}/${(names[i] ?? '').toLowerCase()}`).join('/');
}

/** Reads one document; `source` names it in warnings. */
class Loader {
  constructor(readonly inv: NetworkInventory, readonly source: string, readonly template: Json | null, readonly o: LoadNetworkOptions) {}

  warn(path: string, msg: string): void {
    this.inv.warnings.push(`${this.source}: ${path}: ${msg}`);
  }

  /** A value with template expressions evaluated when an evaluator is given; undefined when unresolvable. */
  value(v: unknown, path: string): unknown {
    if (!isExpression(v)) return v;
    if (this.template && this.o.evaluate) {
      const r = this.o.evaluate(v, this.template);
      if (r !== undefined && !isExpression(r)) return r;
    }
    this.warn(path, `ARM template expression ${v.length > 80 ? `${v.slice(0, 80)}…` : v} is not evaluated; what depends on it is unknown`);
    return undefined;
  }

  /** A field from the flattened or the `properties` shape. */
  field(obj: Json, key: string, path: string): unknown {
    const props = isObj(obj.properties) ? obj.properties : null;
    if (props && key in props) return this.value(props[key], `${path}.properties.${key}`);
    return this.value(obj[key], `${path}.${key}`);
  }

  str(obj: Json, key: string, path: string): string | null {
    const v = this.field(obj, key, path);
    return typeof v === 'string' ? v : null;
  }

  strs(obj: Json, key: string, path: string): string[] {
    const v = this.field(obj, key, path);
    if (!Array.isArray(v)) return [];
    const out: string[] = [];
    v.forEach((x, i) => {
      const y = this.value(x, `${path}.${key}[${i}]`);
      if (typeof y === 'string') out.push(y);
    });
    return out;
  }

  list(obj: Json, key: string, path: string): { item: Json; path: string }[] {
    const v = this.field(obj, key, path);
    if (!Array.isArray(v)) return [];
    return v.flatMap((x, i) => (isObj(x) ? [{ item: x, path: `${path}.${key}[${i}]` }] : []));
  }

  /** `{ id }` reference to its key; null when absent, with a warning when present but unreadable. */
  ref(obj: Json, key: string, path: string): string | null {
    const r = this.field(obj, key, path);
    if (r === undefined || r === null) return null;
    if (!isObj(r)) return null;
    const id = this.value(r.id, `${path}.${key}.id`);
    if (typeof id !== 'string') return null;
    const k = keyOfId(id);
    if (!k) this.warn(`${path}.${key}.id`, `not a Microsoft.Network resource id: ${id.slice(0, 120)}`);
    return k;
  }

  name(obj: Json, path: string): string | null {
    const n = this.value(obj.name, `${path}.name`);
    return typeof n === 'string' ? n : null;
  }

  id(obj: Json, path: string): string | null {
    const v = this.value(obj.id, `${path}.id`);
    return typeof v === 'string' ? v : null;
  }

  /** The key of a resource: from its id, else from its type and (template) name path. */
  resourceKey(obj: Json, type: string, names: string[], path: string): string {
    const id = this.id(obj, path);
    return (id && keyOfId(id)) || keyOf(type, names);
  }
}

/** Which kind of network resource a plain object is: its `type`, else its shape. */
function kindOf(obj: Json): keyof typeof TYPES | null {
  const t = typeof obj.type === 'string' ? obj.type.toLowerCase() : null;
  if (t) {
    for (const [k, v] of Object.entries(TYPES) as [keyof typeof TYPES, string][]) if (v === t) return k;
    return null;
  }
  const p = isObj(obj.properties) ? { ...obj, ...obj.properties } : obj;
  if ('securityRules' in p || 'defaultSecurityRules' in p) return 'nsg';
  if ('routes' in p && !('addressSpace' in p)) return 'rt';
  if ('addressSpace' in p) return 'vnet';
  if ('gatewayIPConfigurations' in p || 'backendAddressPools' in p) return 'appgw';
  if ('ipConfigurations' in p && ('macAddress' in p || 'enableAcceleratedNetworking' in p || 'nicType' in p || 'virtualMachine' in p)) return 'nic';
  if ('addressPrefix' in p || 'addressPrefixes' in p) return 'subnet';
  if ('ipConfigurations' in p) return 'nic';
  return null;
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return null;
}

const NEXT_HOPS: readonly NextHopType[] = ['Internet', 'VnetLocal', 'VNetPeering', 'VirtualAppliance', 'VirtualNetworkGateway', 'None'];

function nextHop(v: string | null): NextHopType | null {
  if (!v) return null;
  return NEXT_HOPS.find((h) => h.toLowerCase() === v.toLowerCase()) ?? null;
}

function ruleOf(L: Loader, r: Json, path: string, fallbackName: string, fixedName?: string): NsgRule | null {
  const name = fixedName ?? L.name(r, path) ?? fallbackName;
  const warnsBefore = L.inv.warnings.length;
  const priority = num(L.field(r, 'priority', path));
  const access = L.str(r, 'access', path);
  const direction = L.str(r, 'direction', path);
  const protocol = L.str(r, 'protocol', path);
  const plural = (one: string, many: string): string[] => {
    const m = L.strs(r, many, path);
    const s = L.str(r, one, path);
    return [...(s ? [s] : []), ...m];
  };
  const sourcePrefixes = plural('sourceAddressPrefix', 'sourceAddressPrefixes');
  const destinationPrefixes = plural('destinationAddressPrefix', 'destinationAddressPrefixes');
  const sourcePorts = plural('sourcePortRange', 'sourcePortRanges');
  const destinationPorts = plural('destinationPortRange', 'destinationPortRanges');
  const usesAsg = L.list(r, 'sourceApplicationSecurityGroups', path).length > 0 || L.list(r, 'destinationApplicationSecurityGroups', path).length > 0;
  const dirOk = direction && /^(inbound|outbound)$/i.test(direction);
  const accOk = access && /^(allow|deny)$/i.test(access);
  if (priority === null || !dirOk || !accOk) {
    L.warn(path, `security rule ${name} has no readable ${priority === null ? 'priority' : !dirOk ? 'direction' : 'access'}; its place in the order is unknown, so the NSG's verdicts are unknown where it could matter`);
  }
  let unresolved: string | null = null;
  if (L.inv.warnings.length > warnsBefore) unresolved = 'a field is an unevaluated template expression or unreadable';
  if (!protocol) unresolved ??= 'no protocol';
  if (!sourcePrefixes.length && !L.list(r, 'sourceApplicationSecurityGroups', path).length) unresolved ??= 'no source address prefix';
  if (!destinationPrefixes.length && !L.list(r, 'destinationApplicationSecurityGroups', path).length) unresolved ??= 'no destination address prefix';
  if (!destinationPorts.length) unresolved ??= 'no destination port range';
  return {
    name,
    // An unreadable priority sorts first: it may come before anything, so it is considered early.
    priority: priority ?? 0,
    access: accOk && /^deny$/i.test(access!) ? 'Deny' : 'Allow',
    direction: dirOk && /^outbound$/i.test(direction!) ? 'Outbound' : 'Inbound',
    protocol: protocol ?? '*',
    sourcePrefixes, destinationPrefixes, sourcePorts: sourcePorts.length ? sourcePorts : ['*'], destinationPorts,
    usesAsg, isDefault: false,
    unresolved: priority === null || !dirOk || !accOk ? 'priority, direction or access unreadable' : unresolved,
  };
}

function addNsg(L: Loader, obj: Json, path: string, names: string[]): NetworkSecurityGroup {
  const key = L.resourceKey(obj, TYPES.nsg, names, path);
  const name = names[names.length - 1] ?? key;
  let nsg = L.inv.nsgs.find((n) => n.key === key);
  if (!nsg) { nsg = { key, id: L.id(obj, path), name, rules: [], source: L.source }; L.inv.nsgs.push(nsg); }
  for (const { item, path: p } of L.list(obj, 'securityRules', path)) {
    const r = ruleOf(L, item, p, `rule ${nsg.rules.length}`);
    if (r && !nsg.rules.some((x) => x.name === r.name)) nsg.rules.push(r);
  }
  return nsg;
}

function addRouteTable(L: Loader, obj: Json, path: string, names: string[]): RouteTable {
  const key = L.resourceKey(obj, TYPES.rt, names, path);
  let rt = L.inv.routeTables.find((n) => n.key === key);
  if (!rt) {
    const bgp = L.field(obj, 'disableBgpRoutePropagation', path);
    rt = { key, id: L.id(obj, path), name: names[names.length - 1] ?? key, routes: [], disableBgpRoutePropagation: typeof bgp === 'boolean' ? bgp : null, source: L.source };
    L.inv.routeTables.push(rt);
  }
  for (const { item, path: p } of L.list(obj, 'routes', path)) addRoute(L, rt, item, p);
  return rt;
}

function addRoute(L: Loader, rt: RouteTable, item: Json, p: string, name?: string): void {
  const hop = L.str(item, 'nextHopType', p);
  const route: UserRoute = {
    name: name ?? L.name(item, p) ?? `route ${rt.routes.length}`,
    addressPrefix: L.str(item, 'addressPrefix', p) ?? '',
    nextHopType: nextHop(hop),
    nextHopIpAddress: L.str(item, 'nextHopIpAddress', p),
  };
  if (hop && !route.nextHopType) L.warn(`${p}.nextHopType`, `unknown next hop type ${hop}`);
  if (!rt.routes.some((x) => x.name === route.name)) rt.routes.push(route);
}

function addSubnet(L: Loader, obj: Json, path: string, names: string[], vnetKey: string | null): Subnet {
  const key = L.resourceKey(obj, TYPES.subnet, names, path);
  const fromKey = /^virtualnetworks\/([^/]+)\/subnets\//.exec(key);
  const s: Subnet = {
    key, id: L.id(obj, path), name: names[names.length - 1] ?? key,
    vnetKey: vnetKey ?? (fromKey ? `virtualnetworks/${fromKey[1]}` : null),
    addressPrefixes: [...(L.str(obj, 'addressPrefix', path) ? [L.str(obj, 'addressPrefix', path)!] : []), ...L.strs(obj, 'addressPrefixes', path)],
    nsgKey: L.ref(obj, 'networkSecurityGroup', path),
    routeTableKey: L.ref(obj, 'routeTable', path),
    source: L.source,
  };
  const i = L.inv.subnets.findIndex((x) => x.key === key);
  // The later document wins: a `subnet show` given after a `vnet show` is the fresher view.
  if (i >= 0) L.inv.subnets[i] = s; else L.inv.subnets.push(s);
  return s;
}

function addVnet(L: Loader, obj: Json, path: string, names: string[]): VirtualNetwork {
  const key = L.resourceKey(obj, TYPES.vnet, names, path);
  const space = L.field(obj, 'addressSpace', path);
  const dhcp = L.field(obj, 'dhcpOptions', path);
  const v: VirtualNetwork = {
    key, id: L.id(obj, path), name: names[names.length - 1] ?? key,
    addressPrefixes: isObj(space) ? L.strs(space, 'addressPrefixes', `${path}.addressSpace`) : [],
    dnsServers: isObj(dhcp) ? L.strs(dhcp, 'dnsServers', `${path}.dhcpOptions`) : [],
    peeredPrefixes: [],
    source: L.source,
  };
  const i = L.inv.vnets.findIndex((x) => x.key === key);
  if (i >= 0) L.inv.vnets[i] = v; else L.inv.vnets.push(v);
  for (const { item, path: p } of L.list(obj, 'subnets', path)) {
    const n = L.name(item, p);
    addSubnet(L, item, p, [names[0] ?? '', n ?? ''], key);
  }
  for (const { item, path: p } of L.list(obj, 'virtualNetworkPeerings', path)) addPeering(L, v, item, p);
  return v;
}

function addPeering(L: Loader, v: VirtualNetwork, item: Json, p: string): void {
  // A peering records the remote VNet's space in remoteAddressSpace (older API) or
  // remoteVirtualNetworkAddressSpace (newer); either will do.
  for (const k of ['remoteVirtualNetworkAddressSpace', 'remoteAddressSpace']) {
    const sp = L.field(item, k, p);
    if (isObj(sp)) { v.peeredPrefixes.push(...L.strs(sp, 'addressPrefixes', `${p}.${k}`)); return; }
  }
  L.warn(p, 'VNet peering without the remote address space; addresses in the peered VNet are unknown');
}

function addNic(L: Loader, obj: Json, path: string, names: string[]): void {
  const key = L.resourceKey(obj, TYPES.nic, names, path);
  const nic: NetworkInterface = {
    key, id: L.id(obj, path), name: names[names.length - 1] ?? key,
    ipConfigurations: L.list(obj, 'ipConfigurations', path).map(({ item, path: p }) => ({
      privateIPAddress: L.str(item, 'privateIPAddress', p),
      subnetKey: L.ref(item, 'subnet', p),
    })),
    nsgKey: L.ref(obj, 'networkSecurityGroup', path),
    source: L.source,
  };
  const i = L.inv.nics.findIndex((x) => x.key === key);
  if (i >= 0) L.inv.nics[i] = nic; else L.inv.nics.push(nic);
}

function addGateway(L: Loader, obj: Json, path: string, names: string[]): void {
  const key = L.resourceKey(obj, TYPES.appgw, names, path);
  const subnetKeys = L.list(obj, 'gatewayIPConfigurations', path).flatMap(({ item, path: p }) => {
    const k = L.ref(item, 'subnet', p);
    return k ? [k] : [];
  });
  const fronts = L.list(obj, 'frontendIPConfigurations', path);
  const publicFrontend = fronts.length ? fronts.some(({ item, path: p }) => L.field(item, 'publicIPAddress', p) != null) : null;
  const g: GatewayNetworkFacts = { key, id: L.id(obj, path), name: names[names.length - 1] ?? key, subnetKeys, publicFrontend, source: L.source };
  const i = L.inv.gateways.findIndex((x) => x.key === key);
  if (i >= 0) L.inv.gateways[i] = g; else L.inv.gateways.push(g);
}

/** Adds one resource (with its children) whose names path is known. */
function addResource(L: Loader, obj: Json, path: string, names: string[], kindHint?: keyof typeof TYPES): void {
  const kind = kindHint ?? kindOf(obj);
  switch (kind) {
    case 'nsg': addNsg(L, obj, path, names); break;
    case 'rt': addRouteTable(L, obj, path, names); break;
    case 'vnet': addVnet(L, obj, path, names); break;
    case 'subnet': {
      // A lone `subnet show`: its id names the VNet.
      addSubnet(L, obj, path, names.length >= 2 ? names : [vnetFromId(L.id(obj, path)) ?? '', names[0] ?? ''], null);
      break;
    }
    case 'nic': addNic(L, obj, path, names); break;
    case 'appgw': addGateway(L, obj, path, names); break;
    case 'rule': {
      const nsg = L.inv.nsgs.find((n) => n.key === keyOf(TYPES.nsg, names.slice(0, 1))) ?? addNsg(L, {}, path, names.slice(0, 1));
      const r = ruleOf(L, obj, path, 'rule', names[1]);
      if (r && !nsg.rules.some((x) => x.name === r.name)) nsg.rules.push(r);
      break;
    }
    case 'route': {
      const rt = L.inv.routeTables.find((n) => n.key === keyOf(TYPES.rt, names.slice(0, 1))) ?? addRouteTable(L, {}, path, names.slice(0, 1));
      addRoute(L, rt, obj, path, names[1]);
      break;
    }
    case 'peering': {
      const v = L.inv.vnets.find((n) => n.key === keyOf(TYPES.vnet, names.slice(0, 1)));
      if (v) addPeering(L, v, obj, path);
      else L.warn(path, `peering of VNet ${names[0]}, which is not in the documents given`);
      break;
    }
    default: break;
  }
}

function vnetFromId(id: string | null): string | null {
  const m = id ? /\/virtualNetworks\/([^/]+)\/subnets\//i.exec(id) : null;
  return m ? m[1]! : null;
}

/** A template's resources: top-level first, nested children after their parents, children of a type before their parent's siblings need them. */
function templateResources(L: Loader, list: unknown[], path: string, parent: { type: string; names: string[] } | null): void {
  // Parents first, so a top-level child resource (nsg/rule) finds the NSG it belongs to.
  const order = (o: unknown): number => (isObj(o) && typeof o.type === 'string' && o.type.split('/').length > 2 ? 1 : 0);
  const idx = list.map((_, i) => i).sort((a, b) => order(list[a]) - order(list[b]) || a - b);
  for (const i of idx) {
    const r = list[i];
    const p = `${path}[${i}]`;
    if (!isObj(r) || typeof r.type !== 'string') continue;
    const rawName = L.value(r.name, `${p}.name`);
    if (typeof rawName !== 'string') continue;
    const type = parent && !r.type.includes('.') ? `${parent.type}/${r.type}` : r.type;
    const names = parent && !r.type.includes('.') ? [...parent.names, rawName] : rawName.split('/');
    const kind = (Object.entries(TYPES) as [keyof typeof TYPES, string][]).find(([, v]) => v === type.toLowerCase())?.[0];
    if (kind) addResource(L, r, p, names, kind);
    if (Array.isArray(r.resources)) templateResources(L, r.resources, `${p}.resources`, { type, names });
  }
}

/**
 * Adds a parsed document to the inventory: a `show` output, an ARM/REST resource, an ARM template
 * or `az group export` (`resources[]`), or an array of any of those. Unknown objects are skipped
 * with a warning; nothing throws.
 */
export function addNetworkDocument(inv: NetworkInventory, doc: unknown, source: string, o: LoadNetworkOptions = {}): void {
  const visit = (d: unknown, path: string): void => {
    if (Array.isArray(d)) { d.forEach((x, i) => visit(x, `${path}[${i}]`)); return; }
    if (!isObj(d)) { inv.warnings.push(`${source}: ${path || '(root)'}: not a JSON object; skipped`); return; }
    if (Array.isArray(d.resources) && (typeof d.$schema === 'string' || !('type' in d))) {
      templateResources(new Loader(inv, source, d, o), d.resources, path ? `${path}.resources` : 'resources', null);
      return;
    }
    const L = new Loader(inv, source, null, o);
    const kind = kindOf(d);
    if (!kind) {
      inv.warnings.push(`${source}: ${path || '(root)'}: not a network resource this reads (NSG, route table, VNet, subnet, NIC, application gateway); skipped`);
      return;
    }
    const name = L.name(d, path || '(root)') ?? '';
    addResource(L, d, path || '(root)', kind === 'subnet' ? [vnetFromId(L.id(d, path)) ?? '', name] : [name], kind);
  };
  visit(doc, '');
}

/** The inventory of a list of parsed documents. */
export function loadNetwork(docs: { doc: unknown; source: string }[], o: LoadNetworkOptions = {}): NetworkInventory {
  const inv = emptyInventory();
  for (const d of docs) addNetworkDocument(inv, d.doc, d.source, o);
  return inv;
}
