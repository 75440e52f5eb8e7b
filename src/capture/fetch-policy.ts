/**
 * Where certcheck may fetch a URL that a certificate names (AIA CA Issuers, OCSP, CRL
 * distribution points). Such a URL is chosen by whoever issued the certificate, and certcheck
 * often runs inside a VNet or a CI runner: without a policy, a certificate can point it at cloud
 * metadata (169.254.169.254), at loopback services or at any port of the private network (the OCSP
 * request is even a POST). So after DNS resolution only public unicast addresses on ports 80 and
 * 8080 are used, unless the user opts in with {@link ALLOW_INTERNAL_FETCH_FLAG} (internal PKIs
 * publish their CRLs and responders on private addresses).
 *
 * Pure: no I/O, no DNS. The caller checks every resolved address and connects only to an address
 * that passed, so a name cannot be re-resolved to something else between check and connect.
 */
import { isIPv4, isIPv6 } from '../x509/ip.js';

/** The command-line flag that lifts the address and port policy; refusals name it. */
export const ALLOW_INTERNAL_FETCH_FLAG = '--allow-internal-fetch';

/** The ports a certificate-named URL may use without the flag (HTTP's own and its usual alternate). */
export const FETCH_ALLOWED_PORTS: readonly number[] = [80, 8080];

/** Why an address is not public: the class it falls in, and where the range is defined. */
export type InternalAddressClass = 'loopback' | 'private' | 'shared (CGNAT)' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

const V4_RANGES: readonly [number, number, InternalAddressClass, string][] = [
  [0x00000000, 8, 'unspecified', 'RFC 1122 3.2.1.3'],
  [0x7f000000, 8, 'loopback', 'RFC 1122 3.2.1.3'],
  [0x0a000000, 8, 'private', 'RFC 1918'],
  [0xac100000, 12, 'private', 'RFC 1918'],
  [0xc0a80000, 16, 'private', 'RFC 1918'],
  [0x64400000, 10, 'shared (CGNAT)', 'RFC 6598'],
  [0xa9fe0000, 16, 'link-local', 'RFC 3927'],
  [0xe0000000, 4, 'multicast', 'RFC 5771'],
  // 240/4 and the limited broadcast address: never a server.
  [0xf0000000, 4, 'reserved', 'RFC 1112 4'],
];

function v4Number(s: string): number {
  return s.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function v4Class(n: number): InternalAddressClass | undefined {
  for (const [base, bits, cls] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === base) return cls;
  }
  return undefined;
}

/** Eight 16-bit groups of an IPv6 text form already checked by isIPv6 (zone dropped). */
function v6Groups(s: string): number[] {
  const address = s.split('%')[0]!;
  const expand = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) { const n = v4Number(g); out.push(n >>> 16, n & 0xffff); }
      else out.push(parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = expand(head);
  if (tail === undefined) return h;
  const t = expand(tail);
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/**
 * The internal class of an IP address (text form, IPv6 brackets allowed), or undefined when it
 * is a public unicast address. Anything that is not an IP address counts as 'reserved', so the
 * policy fails closed.
 */
export function internalAddressClass(address: string): InternalAddressClass | undefined {
  const a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (isIPv4(a)) return v4Class(v4Number(a));
  if (!isIPv6(a)) return 'reserved';
  const g = v6Groups(a);
  const zeroTo = (k: number) => g.slice(0, k).every((x) => x === 0);
  if (zeroTo(8)) return 'unspecified';
  if (zeroTo(7) && g[7] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible form reach the IPv4 address.
  if (zeroTo(5) && (g[5] === 0xffff || g[5] === 0)) return v4Class(((g[6]! << 16) >>> 0) + g[7]!);
  // NAT64 (RFC 6052 well-known prefix 64:ff9b::/96) reaches the embedded IPv4 address too.
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return v4Class(((g[6]! << 16) >>> 0) + g[7]!);
  if ((g[0]! & 0xfe00) === 0xfc00) return 'private'; // ULA fc00::/7, RFC 4193
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10, RFC 4291
  if ((g[0]! & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local fec0::/10, RFC 3879
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast'; // ff00::/8, RFC 4291
  return undefined;
}

/**
 * Why `address` may not be fetched from under the default policy, or undefined when it may.
 * The text names the flag that lifts the policy.
 */
export function fetchAddressRefusal(address: string): string | undefined {
  const cls = internalAddressClass(address);
  if (cls === undefined) return undefined;
  const art = /^[aeiou]/.test(cls) ? 'an' : 'a';
  return `not fetched: ${address} is ${art} ${cls} address; certificate-named URLs are fetched from public addresses only unless ${ALLOW_INTERNAL_FETCH_FLAG} is given`;
}

/** Why `port` may not be fetched from under the default policy, or undefined when it may. */
export function fetchPortRefusal(port: number): string | undefined {
  if (FETCH_ALLOWED_PORTS.includes(port)) return undefined;
  return `not fetched: port ${port} is not ${FETCH_ALLOWED_PORTS.join(' or ')}; certificate-named URLs use those ports only unless ${ALLOW_INTERNAL_FETCH_FLAG} is given`;
}

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

/**
 * Escape controls, line separators and bidi controls as `\uXXXX` in a message that already
 * quotes its inputs (an error from DNS, TCP or HTTP that may carry a host name or header): unlike
 * escapeText it leaves backslashes alone, so JSON-quoted parts are not escaped twice.
 */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Why a URL's text may never be fetched, flag or not: any control character, line separator,
 * bidi control, space or backslash. WHATWG URL parsing would silently strip or rewrite these
 * (tabs and newlines are removed, a backslash becomes a slash), so the request would go to a URL
 * other than the one the certificate shows. Undefined when the text is clean.
 */
export function fetchUrlTextRefusal(url: string): string | undefined {
  return /[\u0000-\u0020\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\\]/.test(url)
    ? 'not fetched: the URL contains control characters, spaces or backslashes'
    : undefined;
}
