/**
 * Address arithmetic for the network model: every address lives on one line of 2^128 + 2 points,
 * IPv4 at its IPv4-mapped IPv6 place (::ffff:a.b.c.d) so one CIDR test serves both families, and
 * one point past IPv6 standing for the GatewayManager service tag, whose addresses Microsoft
 * publishes only as a changing download: a rule names the tag, never the addresses.
 */
import { isIPv4, isIPv6 } from '../../x509/ip.js';

/** An inclusive range of points. */
export interface Span { lo: bigint; hi: bigint }

const V4_BASE = 0xffff00000000n;
/** The last IPv6 address. */
export const MAX_IP = (1n << 128n) - 1n;
/** The point that stands for the GatewayManager tag's (public, unlisted) addresses. */
export const GATEWAY_MANAGER_POINT = MAX_IP + 1n;
/** Every point: `*` / Any. */
export const ALL: Span = { lo: 0n, hi: GATEWAY_MANAGER_POINT };

function v4ToBig(s: string): bigint {
  return s.split('.').reduce((n, o) => (n << 8n) + BigInt(Number(o)), 0n);
}

function v6ToBig(s: string): bigint {
  const pct = s.indexOf('%');
  const a = pct >= 0 ? s.slice(0, pct) : s;
  const [head = '', tail] = a.split('::');
  const groups = (part: string): bigint[] => {
    if (part === '') return [];
    const out: bigint[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) { const v = v4ToBig(g); out.push(v >> 16n, v & 0xffffn); } else out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<bigint>(8 - h.length - t.length).fill(0n), ...t];
  return all.reduce((n, g) => (n << 16n) + g, 0n);
}

/** The point of an IP address, or null when `s` is not one. */
export function ipPoint(s: string): bigint | null {
  const a = s.trim();
  if (isIPv4(a)) return V4_BASE + v4ToBig(a);
  if (isIPv6(a)) return v6ToBig(a);
  return null;
}

/** True for a point in the IPv4 part of the line. */
export function isV4Point(p: bigint): boolean {
  return p >= V4_BASE && p <= V4_BASE + 0xffffffffn;
}

/**
 * A CIDR (`10.0.0.0/16`, `2001:db8::/32`) or a single address as a span; null when it is neither.
 * Host bits are ignored, as Azure normalises `10.0.0.5/24` to the network.
 */
export function cidrSpan(s: string): Span | null {
  const t = s.trim();
  const slash = t.indexOf('/');
  const addr = slash < 0 ? t : t.slice(0, slash);
  const p = ipPoint(addr);
  if (p === null) return null;
  const v4 = isIPv4(addr);
  const width = v4 ? 32 : 128;
  let bits = width;
  if (slash >= 0) {
    const b = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(b) || Number(b) > width) return null;
    bits = Number(b);
  }
  const host = (1n << BigInt(width - bits)) - 1n;
  const lo = p & ~host;
  return { lo, hi: lo | host };
}

/** The prefix length of a span made by cidrSpan (IPv4 counted as /0–/32). */
export function prefixLength(s: Span): number {
  const size = s.hi - s.lo + 1n;
  let bits = 0;
  for (let n = size; n > 1n; n >>= 1n) bits++;
  const len = 128 - bits;
  return isV4Point(s.lo) && len >= 96 ? len - 96 : len;
}

/** `0.0.0.0/0` (or `::/0`): the prefixes a rule or route writes for "everything". */
export function isDefaultPrefix(s: string): boolean {
  const t = s.trim();
  return t === '0.0.0.0/0' || t === '::/0';
}

export function intersects(a: Span, b: Span): boolean {
  return a.lo <= b.hi && b.lo <= a.hi;
}

export function contains(outer: Span, inner: Span): boolean {
  return outer.lo <= inner.lo && inner.hi <= outer.hi;
}

/** Sorted, merged copy of a list of spans. */
export function normalise(spans: readonly Span[]): Span[] {
  const s = [...spans].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: Span[] = [];
  for (const x of s) {
    const last = out[out.length - 1];
    if (last && x.lo <= last.hi + 1n) { if (x.hi > last.hi) last.hi = x.hi; } else out.push({ ...x });
  }
  return out;
}

/** `a` minus `b`, both lists of spans. */
export function subtract(a: readonly Span[], b: readonly Span[]): Span[] {
  let cur = normalise(a);
  for (const y of normalise(b)) {
    const next: Span[] = [];
    for (const x of cur) {
      if (!intersects(x, y)) { next.push(x); continue; }
      if (x.lo < y.lo) next.push({ lo: x.lo, hi: y.lo - 1n });
      if (x.hi > y.hi) next.push({ lo: y.hi + 1n, hi: x.hi });
    }
    cur = next;
  }
  return cur;
}

/** Text of a point or span for evidence: an address, a CIDR when it is one, else lo-hi. */
export function pointText(p: bigint): string {
  if (p === GATEWAY_MANAGER_POINT) return 'GatewayManager';
  if (isV4Point(p)) {
    const v = p - V4_BASE;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const g: string[] = [];
  for (let i = 7; i >= 0; i--) g.push(((p >> BigInt(i * 16)) & 0xffffn).toString(16));
  return g.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** IPv4 and IPv6 ranges that are not public (RFC 1918, 6598, 5735, 4193 and friends). */
const NON_PUBLIC = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/3',
  'fc00::/7', 'fe80::/10', 'ff00::/8',
].map((c) => cidrSpan(c)!);

/** Public addresses: IPv4 minus the reserved and private ranges, and IPv6 global unicast (2000::/3). */
export function publicSpans(): Span[] {
  return normalise([...subtract([cidrSpan('0.0.0.0/0')!], NON_PUBLIC), cidrSpan('2000::/3')!]);
}

/** True when the address is in a private or reserved range (RFC 1918, CGNAT, ULA, …). */
export function isPrivatePoint(p: bigint): boolean {
  return NON_PUBLIC.some((s) => p >= s.lo && p <= s.hi);
}
