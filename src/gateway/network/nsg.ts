/**
 * Network security group evaluation as Azure documents it ("How network security groups filter
 * network traffic", "Network security groups overview: security rules, default security rules,
 * service tags"): rules in ascending priority, the first rule that matches a flow decides it, and
 * the six default rules (priorities 65000, 65001, 65500 each way) always follow the custom ones.
 *
 * A question here is about a set of flows, not one packet: "can TCP from any address of the
 * gateway subnet, any source port, reach these addresses on these ports?" The answer is Deny as
 * soon as a Deny rule is the first match for any flow of the set, and Allow only when Allow rules
 * cover every flow before any Deny does, which is the "an allow must cover the whole
 * subnet; a deny covering any part of it blocks". Flows are boxes over (source address,
 * destination address, source port, destination port); rules are unions of boxes.
 *
 * What cannot be known (an application security group, an unevaluated expression, a service tag
 * whose addresses are not published in the export) matches "maybe": it turns a verdict it could
 * change into 'unknown', never into Allow or Deny.
 */
import type { NetworkSecurityGroup, NsgRule } from './load.js';
import { ALL, GATEWAY_MANAGER_POINT, cidrSpan, intersects, ipPoint, isDefaultPrefix, normalise, publicSpans, subtract, type Span } from './ipset.js';

/** The address of Azure's virtual public IP (load balancer probes, DNS, DHCP): the AzureLoadBalancer tag. */
export const AZURE_PLATFORM_IP = '168.63.129.16';

/** What the service tags mean where the NSG is applied. */
export interface TagContext {
  /**
   * The VirtualNetwork tag: the VNet's address spaces, the peered VNets' spaces, 168.63.129.16 and
   * the prefixes of the subnet's user-defined routes.
   */
  virtualNetwork: Span[];
  /** Addresses that may or may not be in VirtualNetwork (on-premises or unexported peerings). */
  virtualNetworkMaybe?: Span[];
}

/** A set of TCP flows to judge. */
export interface FlowQuery {
  direction: 'Inbound' | 'Outbound';
  source: Span[];
  destination: Span[];
  /** Destination ports, inclusive. */
  ports: { lo: number; hi: number };
}

export interface NsgDecision {
  verdict: 'allow' | 'deny' | 'unknown';
  nsg: string;
  /** The rule that decided (for unknown: the rule that could not be judged). */
  rule: string | null;
  priority: number | null;
  isDefault: boolean;
  /** For unknown: why. */
  reason: string | null;
}

type Box = [Span, Span, Span, Span];

const PORTS_ALL: Span = { lo: 0n, hi: 65535n };

const def = (name: string, priority: number, direction: 'Inbound' | 'Outbound', access: 'Allow' | 'Deny', src: string, dst: string): NsgRule => ({
  name, priority, direction, access, protocol: '*', sourcePrefixes: [src], destinationPrefixes: [dst],
  sourcePorts: ['*'], destinationPorts: ['*'], usesAsg: false, isDefault: true, unresolved: null,
});

/** Azure's default security rules, present in every NSG whether or not the export lists them. */
export const DEFAULT_RULES: readonly NsgRule[] = [
  def('AllowVnetInBound', 65000, 'Inbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
  def('AllowAzureLoadBalancerInBound', 65001, 'Inbound', 'Allow', 'AzureLoadBalancer', '*'),
  def('DenyAllInBound', 65500, 'Inbound', 'Deny', '*', '*'),
  def('AllowVnetOutBound', 65000, 'Outbound', 'Allow', 'VirtualNetwork', 'VirtualNetwork'),
  def('AllowInternetOutBound', 65001, 'Outbound', 'Allow', '*', 'Internet'),
  def('DenyAllOutBound', 65500, 'Outbound', 'Deny', '*', '*'),
];

/** The addresses a prefix or tag stands for: `sure` certainly, `maybe` possibly. */
export interface PrefixMeaning { sure: Span[]; maybe: Span[] }

const GM: Span = { lo: GATEWAY_MANAGER_POINT, hi: GATEWAY_MANAGER_POINT };
let publicCache: Span[] | null = null;
const publicAll = (): Span[] => (publicCache ??= publicSpans());

/**
 * One address prefix of a rule. Tags: `*`/Any everything; VirtualNetwork as the context says;
 * AzureLoadBalancer 168.63.129.16; Internet the public space outside VirtualNetwork (which holds
 * GatewayManager's addresses); GatewayManager its own point. Other service tags are sets of
 * Microsoft's public ranges not in the export: maybe any public address, never a private one.
 */
export function prefixMeaning(prefix: string, ctx: TagContext): PrefixMeaning {
  const p = prefix.trim();
  const lower = p.toLowerCase();
  if (p === '*' || lower === 'any') return { sure: [ALL], maybe: [] };
  if (lower === 'virtualnetwork') return { sure: ctx.virtualNetwork, maybe: ctx.virtualNetworkMaybe ?? [] };
  if (lower === 'azureloadbalancer') { const s = cidrSpan(AZURE_PLATFORM_IP)!; return { sure: [s], maybe: [] }; }
  if (lower === 'internet') return { sure: [...subtract(publicAll(), ctx.virtualNetwork), GM], maybe: [] };
  if (lower === 'gatewaymanager') return { sure: [GM], maybe: [] };
  const span = cidrSpan(p);
  if (span) {
    // GatewayManager's addresses are public IPv4 that no export lists: only 0.0.0.0/0 surely holds
    // them; another prefix with public addresses in it may or may not.
    if (isDefaultPrefix(p) && p.startsWith('0')) return { sure: [span, GM], maybe: [] };
    const pub = publicAll().some((s) => intersects(s, span));
    return { sure: [span], maybe: pub ? [GM] : [] };
  }
  // Another service tag (AzureCloud, Storage.WestEurope, …): Microsoft public ranges.
  return { sure: [], maybe: [...publicAll(), GM] };
}

function portSpan(r: string): Span | null {
  const t = r.trim();
  if (t === '*' || t.toLowerCase() === 'any') return PORTS_ALL;
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(t);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] !== undefined ? Number(m[2]) : lo;
  if (lo > 65535 || hi > 65535 || lo > hi) return null;
  return { lo: BigInt(lo), hi: BigInt(hi) };
}

function protocolMatchesTcp(p: string): boolean | null {
  const l = p.trim().toLowerCase();
  if (l === '*' || l === 'any' || l === 'tcp') return true;
  if (['udp', 'icmp', 'esp', 'ah'].includes(l)) return false;
  return null;
}

function boxesIntersect(a: Box, b: Box): boolean {
  return a.every((s, i) => intersects(s, b[i]!));
}

/** `a` minus `b` as disjoint boxes: peel off the parts of `a` outside `b`, one dimension at a time. */
function boxMinus(a: Box, b: Box): Box[] {
  if (!boxesIntersect(a, b)) return [a];
  const out: Box[] = [];
  const cur = [...a] as Box;
  for (let d = 0; d < 4; d++) {
    const s = cur[d]!, t = b[d]!;
    if (s.lo < t.lo) { const piece = [...cur] as Box; piece[d] = { lo: s.lo, hi: t.lo - 1n }; out.push(piece); }
    if (s.hi > t.hi) { const piece = [...cur] as Box; piece[d] = { lo: t.hi + 1n, hi: s.hi }; out.push(piece); }
    cur[d] = { lo: s.lo > t.lo ? s.lo : t.lo, hi: s.hi < t.hi ? s.hi : t.hi };
  }
  return out;
}

function product(src: Span[], dst: Span[], sp: Span[], dp: Span[]): Box[] {
  const out: Box[] = [];
  for (const a of src) for (const b of dst) for (const c of sp) for (const d of dp) out.push([a, b, c, d]);
  return out;
}

/** A bound on the flow boxes kept: a pathological NSG yields unknown, not a long wait. */
const MAX_BOXES = 20_000;

interface RuleRegion { sure: Box[]; maybe: Box[]; why: string | null }

function regionOf(rule: NsgRule, ctx: TagContext): RuleRegion {
  const proto = protocolMatchesTcp(rule.protocol);
  if (proto === false) return { sure: [], maybe: [], why: null };
  const src = rule.sourcePrefixes.map((p) => prefixMeaning(p, ctx));
  const dst = rule.destinationPrefixes.map((p) => prefixMeaning(p, ctx));
  const sps = rule.sourcePorts.map(portSpan);
  const dps = rule.destinationPorts.map(portSpan);
  const everything = product([ALL], [ALL], [PORTS_ALL], [PORTS_ALL]);
  if (rule.unresolved) return { sure: [], maybe: everything, why: `rule ${rule.name}: ${rule.unresolved}` };
  if (proto === null) return { sure: [], maybe: everything, why: `rule ${rule.name}: protocol ${rule.protocol} not understood` };
  if (rule.usesAsg) return { sure: [], maybe: everything, why: `rule ${rule.name} uses application security groups, whose members are not in the export` };
  if (sps.includes(null) || dps.includes(null)) return { sure: [], maybe: everything, why: `rule ${rule.name}: a port range is not understood` };
  const sp = normalise(sps as Span[]);
  const dp = normalise(dps as Span[]);
  const sure = product(normalise(src.flatMap((m) => m.sure)), normalise(dst.flatMap((m) => m.sure)), sp, dp);
  const maybe = product(normalise(src.flatMap((m) => [...m.sure, ...m.maybe])), normalise(dst.flatMap((m) => [...m.sure, ...m.maybe])), sp, dp);
  const hasMaybe = src.some((m) => m.maybe.length) || dst.some((m) => m.maybe.length);
  // Only the flows the rule may match but not surely: the sure part is judged as such.
  let maybeOnly: Box[] = hasMaybe ? maybe : [];
  for (const b of sure) maybeOnly = maybeOnly.flatMap((m) => boxMinus(m, b));
  return { sure, maybe: maybeOnly, why: hasMaybe ? `rule ${rule.name}: ${[...new Set([...rule.sourcePrefixes, ...rule.destinationPrefixes].filter((p) => prefixMeaning(p, ctx).maybe.length))].join(', ')} may or may not hold the addresses in question` : null };
}

/** The NSG's rules for one direction in evaluation order: the document's, then the defaults. */
export function orderedRules(nsg: NetworkSecurityGroup, direction: 'Inbound' | 'Outbound'): NsgRule[] {
  const custom = nsg.rules.filter((r) => r.direction === direction && !r.isDefault);
  // Sort is stable: two rules of one priority (Azure refuses that) keep document order.
  custom.sort((a, b) => a.priority - b.priority);
  return [...custom, ...DEFAULT_RULES.filter((r) => r.direction === direction)];
}

/**
 * How `nsg` treats every flow of `q`: 'deny' when a Deny rule is the first match of some flow,
 * 'allow' when Allow rules are the first match of every flow, 'unknown' when a rule that cannot be
 * judged could change that answer.
 */
export function evaluateNsg(nsg: NetworkSecurityGroup, q: FlowQuery, ctx: TagContext): NsgDecision {
  let remaining: Box[] = product(normalise(q.source), normalise(q.destination), [PORTS_ALL], [{ lo: BigInt(q.ports.lo), hi: BigInt(q.ports.hi) }]);
  let maybeAllow: { rule: NsgRule; why: string } | null = null;
  let maybeDeny: { rule: NsgRule; why: string } | null = null;
  const decide = (verdict: NsgDecision['verdict'], rule: NsgRule, reason: string | null = null): NsgDecision =>
    ({ verdict, nsg: nsg.name, rule: rule.name, priority: rule.priority, isDefault: rule.isDefault, reason });
  for (const rule of orderedRules(nsg, q.direction)) {
    const reg = regionOf(rule, ctx);
    const touches = (boxes: Box[]) => remaining.some((r) => boxes.some((b) => boxesIntersect(r, b)));
    if (rule.access === 'Deny') {
      if (touches(reg.sure)) {
        if (maybeAllow) return decide('unknown', maybeAllow.rule, `${maybeAllow.why}; it may allow what ${rule.name} (priority ${rule.priority}) denies`);
        return decide('deny', rule);
      }
      if (!maybeDeny && touches(reg.maybe)) maybeDeny = { rule, why: reg.why ?? `rule ${rule.name} may match` };
      continue;
    }
    if (!maybeAllow && touches(reg.maybe)) maybeAllow = { rule, why: reg.why ?? `rule ${rule.name} may match` };
    if (!reg.sure.length) continue;
    let next: Box[] = remaining;
    for (const b of reg.sure) next = next.flatMap((r) => boxMinus(r, b));
    remaining = next;
    if (remaining.length > MAX_BOXES) return decide('unknown', rule, `too many distinct address and port ranges to follow (over ${MAX_BOXES})`);
    if (!remaining.length) {
      if (maybeDeny) return decide('unknown', maybeDeny.rule, `${maybeDeny.why}; it may deny before ${rule.name} (priority ${rule.priority}) allows`);
      return decide('allow', rule);
    }
  }
  // Unreachable: DenyAll matches every flow left. Kept for the type checker.
  return { verdict: 'unknown', nsg: nsg.name, rule: null, priority: null, isDefault: false, reason: 'no rule matched' };
}

/** The span list of a list of CIDRs or addresses (unreadable ones left out). */
export function spansOf(prefixes: readonly string[]): Span[] {
  return normalise(prefixes.flatMap((p) => { const s = cidrSpan(p); return s ? [s] : []; }));
}

/** One address as a span list. */
export function pointSpans(address: string): Span[] {
  const p = ipPoint(address);
  return p === null ? [] : [{ lo: p, hi: p }];
}
