/**
 * Effective routes of a subnet as Azure documents them ("Virtual network traffic routing"): the
 * system routes (each VNet address space → VnetLocal, each peered VNet's space → VNetPeering,
 * 0.0.0.0/0 → Internet) plus the subnet's route table; the longest matching prefix wins, and on a
 * tie a user route wins over a system route.
 *
 * Two documented system routes are left out on purpose: the private ranges (10/8, 172.16/12,
 * 192.168/16, 100.64/10) → None. They exist only until something (a VPN or ExpressRoute gateway, a
 * peering) routes those ranges, and an export does not show BGP-learned routes, so a private
 * address outside every known space is reported as "route unknown", never as dropped.
 */
import type { NextHopType, RouteTable } from './load.js';
import { cidrSpan, contains, isDefaultPrefix, isPrivatePoint, prefixLength, type Span } from './ipset.js';

/** One effective route of the gateway subnet: a prefix, its next hop, and where it came from. */
export interface EffectiveRoute {
  source: 'Default' | 'User';
  /** The route's name (user routes) or what it stands for (system routes). */
  name: string;
  addressPrefix: string;
  span: Span;
  nextHopType: NextHopType;
  nextHopIpAddress: string | null;
  /** The route table, for user routes. */
  routeTable: string | null;
}

export interface RouteContext {
  vnetPrefixes: readonly string[];
  peeredPrefixes: readonly string[];
  routeTable: RouteTable | null;
}

/** The subnet's routes, system then user; user routes whose prefix is not a CIDR are returned in `skipped`. */
export function effectiveRoutes(ctx: RouteContext): { routes: EffectiveRoute[]; skipped: string[] } {
  const routes: EffectiveRoute[] = [];
  const skipped: string[] = [];
  const sys = (prefix: string, hop: NextHopType, name: string) => {
    const span = cidrSpan(prefix);
    if (span) routes.push({ source: 'Default', name, addressPrefix: prefix, span, nextHopType: hop, nextHopIpAddress: null, routeTable: null });
  };
  for (const p of ctx.vnetPrefixes) sys(p, 'VnetLocal', 'virtual network address space');
  for (const p of ctx.peeredPrefixes) sys(p, 'VNetPeering', 'peered virtual network');
  sys('0.0.0.0/0', 'Internet', 'default route');
  const rt = ctx.routeTable;
  if (rt) {
    for (const r of rt.routes) {
      const span = cidrSpan(r.addressPrefix);
      if (!span || !r.nextHopType) {
        skipped.push(`route ${r.name} in ${rt.name}: ${!span ? `prefix ${JSON.stringify(r.addressPrefix)} is not a CIDR (a service tag or an unevaluated expression)` : 'next hop type unknown'}`);
        continue;
      }
      routes.push({ source: 'User', name: r.name, addressPrefix: r.addressPrefix, span, nextHopType: r.nextHopType, nextHopIpAddress: r.nextHopIpAddress, routeTable: rt.name });
    }
  }
  return { routes, skipped };
}

/** The route that carries traffic to `point`: longest prefix, a user route on a tie. */
export function routeFor(routes: readonly EffectiveRoute[], point: bigint): EffectiveRoute | null {
  let best: EffectiveRoute | null = null;
  let bestLen = -1;
  for (const r of routes) {
    if (!contains(r.span, { lo: point, hi: point })) continue;
    const len = prefixLength(r.span);
    if (len > bestLen || (len === bestLen && r.source === 'User' && best?.source !== 'User')) { best = r; bestLen = len; }
  }
  return best;
}

export type RouteOutcome =
  | { kind: 'ok'; route: EffectiveRoute }
  | { kind: 'none'; route: EffectiveRoute }
  | { kind: 'appliance'; route: EffectiveRoute }
  /** A private address that only the default route (to the Internet) would carry: on-premises or an unlisted peering. */
  | { kind: 'unknown'; route: EffectiveRoute | null };

/** What the gateway subnet's routes do with traffic to `point`. */
export function judgeRoute(routes: readonly EffectiveRoute[], point: bigint): RouteOutcome {
  const r = routeFor(routes, point);
  if (!r) return { kind: 'unknown', route: null };
  if (r.nextHopType === 'None') return { kind: 'none', route: r };
  if (r.nextHopType === 'VirtualAppliance' || r.nextHopType === 'VirtualNetworkGateway') return { kind: 'appliance', route: r };
  if (r.source === 'Default' && isDefaultPrefix(r.addressPrefix) && isPrivatePoint(point)) return { kind: 'unknown', route: r };
  return { kind: 'ok', route: r };
}

/** The route the subnet uses for 0.0.0.0/0 itself (the user's, if any, else the system's). */
export function defaultRoute(routes: readonly EffectiveRoute[]): EffectiveRoute | null {
  const d = routes.filter((r) => r.addressPrefix.trim() === '0.0.0.0/0');
  return d.find((r) => r.source === 'User') ?? d[0] ?? null;
}
