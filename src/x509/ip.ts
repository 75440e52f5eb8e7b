/**
 * IP address syntax checks that accept exactly what node:net's isIPv4 / isIPv6 accept (Node 20,
 * lib/internal/net.js; test/unit/ip.test.ts compares them on generated input), without loading
 * node:net and without Node's IPv6 expression: V8 takes 3-4 ms to compile that one regular
 * expression, a noticeable share of a cold `certcheck verify` (bench row 1).
 */
const V4_SEG = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = new RegExp(`^(?:${V4_SEG}\\.){3}${V4_SEG}$`);
const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /^%[0-9a-zA-Z\-.:]+$/;

/** Dotted-quad IPv4 (no leading zeros), as net.isIPv4. */
export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/**
 * IPv6 text form, as net.isIPv6: eight groups of 1-4 hex digits, or at most seven around one "::";
 * the last two groups may be written as an IPv4 address; a "%zone" suffix is allowed.
 */
export function isIPv6(s: string): boolean {
  const pct = s.indexOf('%');
  if (pct >= 0 && !ZONE.test(s.slice(pct))) return false;
  const address = pct >= 0 ? s.slice(0, pct) : s;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  // The IPv4 form may only end the address: the last group of the part after "::", or of the whole.
  const last = halves.length === 2 ? tail : head;
  let units = 0;
  for (const part of [head, tail]) {
    for (let i = 0; i < part.length; i++) {
      const g = part[i]!;
      if (V6_GROUP.test(g)) units += 1;
      else if (part === last && i === part.length - 1 && isIPv4(g)) units += 2;
      else return false;
    }
  }
  return halves.length === 2 ? units <= 7 : units === 8;
}
