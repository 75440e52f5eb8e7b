/**
 * RFC 5280 §4.2.1.10 name constraints as OpenSSL 3.0's check_name_constraints applies them to a
 * TLS server's path (crypto/x509/x509_vfy.c, crypto/x509/v3_ncons.c): the same names checked
 * (subject DN, subject emailAddress, every SAN entry, and the leaf's host-like CNs when it has no
 * dNSName SAN), the same matching per name type, the same complexity limit and the same error
 * numbers. The gateway runs OpenSSL, so where the two could differ the gateway's verdict wins; the
 * one deliberate addition (a wildcard that could cover an excluded name) is marked as such.
 */
import { children, parseOid, readTlv, value, DerError } from '../x509/der.js';
import { nameKey } from '../x509/cert.js';
import { wildcardCovers } from '../x509/names.js';
import type { DistinguishedName, GeneralName, NameConstraints, ParsedCert } from '../x509/types.js';
import type { Evidence } from '../model/findings.js';
import type { OpenSslErrorName } from '../model/openssl.js';

/**
 * OpenSSL's NAME_CHECK_MAX: when (subject entries + SAN entries) × (permitted + excluded subtrees)
 * exceeds it for one certificate and one constraining CA, OpenSSL fails with 1 (unspecified).
 */
export const NAME_CHECK_MAX = 1 << 20;

/**
 * certcheck's own bound on the whole path: OpenSSL's limit holds per (certificate, CA) pair, so a
 * ten-deep path could still ask for 45 × 2^20 comparisons. Past this sum the path is refused like
 * OpenSSL refuses one pair (stricter than OpenSSL; certs/DIFFERENCES.md).
 */
export const MAX_NC_COMPARISONS = 1 << 22;

/** One name constraint failure, before it becomes a PathIssue. */
export interface NcIssue {
  /** Position in the path of the certificate whose name failed (0 = leaf). */
  pathIndex: number;
  openssl: OpenSslErrorName;
  evidence: Evidence;
}

type NcError = 'PERMITTED_VIOLATION' | 'EXCLUDED_VIOLATION' | 'UNSUPPORTED_NAME_SYNTAX' | 'UNSUPPORTED_CONSTRAINT_TYPE' | 'SUBTREE_MINMAX';
type NcResult = 'ok' | NcError;

/** A name as nc_match sees it: its GeneralName tag number and the value. */
type NcName =
  | { num: 1 | 2 | 6; text: string; low: string }
  | { num: 7; bytes: Uint8Array; text: string }
  | { num: 4; dn: DistinguishedName; text: string }
  | { num: 0 | 3 | 5 | 8; oid?: string; text: string; utf8?: string };

const SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';
const EMAIL_ADDRESS = '1.2.840.113549.1.9.1';

function otherNameParts(der: Uint8Array): { oid?: string; utf8?: string } {
  try {
    const t = readTlv(der, 0);
    const [o, v] = children(t);
    if (!o || o.tag !== 0x06) return {};
    const oid = parseOid(value(o));
    const inner = v ? children(v)[0] : undefined;
    return inner && inner.tag === 0x0c ? { oid, utf8: Buffer.from(value(inner)).toString('utf8') } : { oid };
  } catch (e) {
    if (e instanceof DerError) return {};
    throw e;
  }
}

function toNcName(g: GeneralName): NcName {
  switch (g.type) {
    case 'dns': return { num: 2, text: g.value, low: fold(g.value) };
    case 'email': return { num: 1, text: g.value, low: fold(g.value) };
    case 'uri': return { num: 6, text: g.value, low: fold(g.value) };
    case 'ip': case 'ipRange': return { num: 7, bytes: g.bytes, text: g.value };
    case 'dirName': return { num: 4, dn: g.value, text: g.value.text || '(empty name)' };
    case 'other': {
      const num = (g.tag & 0x1f) as 0 | 3 | 5 | 8;
      if (num !== 0) return { num, text: `[${num}]` };
      const p = otherNameParts(g.der);
      return { num, ...p, text: `otherName ${p.oid ?? '?'}` };
    }
  }
}

/** ASCII-only case folding, as OpenSSL's ia5ncasecmp. */
const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * nc_dns over case-folded text: an empty base matches all; otherwise labels may be added on the
 * left. Folding happens once per name and subtree, not per comparison: this runs up to 2^22 times.
 */
function ncDns(dns: string, base: string): NcResult {
  if (base === '') return 'ok';
  if (dns.length > base.length) {
    if (base.charCodeAt(0) !== 0x2e && dns.charCodeAt(dns.length - base.length - 1) !== 0x2e) return 'PERMITTED_VIOLATION';
    return dns.endsWith(base) ? 'ok' : 'PERMITTED_VIOLATION';
  }
  return dns === base ? 'ok' : 'PERMITTED_VIOLATION';
}

/**
 * nc_email: a leading '.' matches any host below; a local part, when given, matches exactly (case
 * kept); the host part ignores case. `*Low` are the folded texts.
 */
function ncEmail(eml: string, emlLow: string, base: string, baseLow: string): NcResult {
  const at = eml.lastIndexOf('@');
  if (at < 0) return 'UNSUPPORTED_NAME_SYNTAX';
  const baseAt = base.lastIndexOf('@');
  if (baseAt < 0 && base.startsWith('.')) {
    return eml.length > base.length && emlLow.endsWith(baseLow) ? 'ok' : 'PERMITTED_VIOLATION';
  }
  let baseHost = baseLow;
  if (baseAt >= 0) {
    if (baseAt > 0) {
      if (baseAt !== at) return 'PERMITTED_VIOLATION';
      if (base.includes('\0') || eml.includes('\0')) return 'UNSUPPORTED_NAME_SYNTAX';
      if (base.slice(0, baseAt) !== eml.slice(0, at)) return 'PERMITTED_VIOLATION';
    }
    baseHost = baseLow.slice(baseAt + 1);
  }
  return emlLow.slice(at + 1) === baseHost ? 'ok' : 'PERMITTED_VIOLATION';
}

/** nc_uri over folded text: the host of scheme://host[:port][/...] against the base, a leading '.' matching below. */
function ncUri(uri: string, base: string): NcResult {
  const colon = uri.indexOf(':');
  if (colon < 0 || colon < 3 || uri[colon + 1] !== '/' || uri[colon + 2] !== '/') return 'UNSUPPORTED_NAME_SYNTAX';
  const rest = uri.slice(colon + 3);
  let end = rest.indexOf(':');
  if (end < 0) end = rest.indexOf('/');
  const host = end < 0 ? rest : rest.slice(0, end);
  if (host === '') return 'UNSUPPORTED_NAME_SYNTAX';
  if (base.startsWith('.')) {
    return host.length > base.length && host.endsWith(base) ? 'ok' : 'PERMITTED_VIOLATION';
  }
  return host === base ? 'ok' : 'PERMITTED_VIOLATION';
}

/** nc_ip: address and mask of 4+4 or 16+16 octets; a host of the other family never matches. */
function ncIp(host: Uint8Array, base: Uint8Array): NcResult {
  if (host.length !== 4 && host.length !== 16) return 'UNSUPPORTED_NAME_SYNTAX';
  if (base.length !== 8 && base.length !== 32) return 'UNSUPPORTED_NAME_SYNTAX';
  if (host.length * 2 !== base.length) return 'PERMITTED_VIOLATION';
  for (let k = 0; k < host.length; k++) if ((host[k]! & base[host.length + k]!) !== base[k]) return 'PERMITTED_VIOLATION';
  return 'ok';
}

/** One RDN's canonical key, as nameKey builds them (OpenSSL's x509_name_canon, close enough to compare). */
const rdnKeys = (dn: DistinguishedName): string[] => {
  let keys = rdnKeyMemo.get(dn);
  if (!keys) {
    keys = dn.rdns.map((rdn) => nameKey({ der: new Uint8Array(), rdns: [rdn], text: '' }));
    rdnKeyMemo.set(dn, keys);
  }
  return keys;
};
const rdnKeyMemo = new WeakMap<DistinguishedName, string[]>();

/** nc_dn: the base's RDNs are the first RDNs of the name. */
function ncDn(dn: DistinguishedName, base: DistinguishedName): NcResult {
  if (base.rdns.length > dn.rdns.length) return 'PERMITTED_VIOLATION';
  const a = rdnKeys(dn), b = rdnKeys(base);
  return b.every((k, i) => k === a[i]) ? 'ok' : 'PERMITTED_VIOLATION';
}

function single(n: NcName, base: NcName): NcResult {
  if (n.num === 0 && n.oid === SMTP_UTF8_MAILBOX) {
    // nc_email_eai: the mailbox's host part against an rfc822Name base (no local part compared).
    if (base.num !== 1) return 'UNSUPPORTED_CONSTRAINT_TYPE';
    const v = n.utf8 ?? '';
    const at = v.lastIndexOf('@');
    if (at < 0) return 'UNSUPPORTED_NAME_SYNTAX';
    const b = base.text.includes('@') ? base.text.slice(base.text.lastIndexOf('@') + 1) : base.text;
    return ncDns(fold(v.slice(at + 1)), fold(b));
  }
  if (n.num === 2 && base.num === 2) return ncDns(n.low, base.low);
  if (n.num === 1 && base.num === 1) return ncEmail(n.text, n.low, base.text, base.low);
  if (n.num === 6 && base.num === 6) return ncUri(n.low, base.low);
  if (n.num === 7 && base.num === 7) return ncIp(n.bytes, base.bytes);
  if (n.num === 4 && base.num === 4) return ncDn(n.dn, base.dn);
  return 'UNSUPPORTED_CONSTRAINT_TYPE';
}

interface Subtrees { list: NcName[]; bad: Set<number> }
interface Compiled { permitted: Subtrees; excluded: Subtrees; count: number }

function compile(nc: NameConstraints): Compiled {
  return {
    permitted: { list: nc.permitted.map(toNcName), bad: new Set(nc.badMinMax?.permitted) },
    excluded: { list: nc.excluded.map(toNcName), bad: new Set(nc.badMinMax?.excluded) },
    count: nc.permitted.length + nc.excluded.length,
  };
}

const effectiveNum = (n: NcName): number => (n.num === 0 && n.oid === SMTP_UTF8_MAILBOX ? 1 : n.num);
const sameType = (n: NcName, s: NcName): boolean =>
  effectiveNum(n) === s.num && (s.num !== 0 || (n.num === 0 && n.oid === s.oid));

/** nc_match: within a permitted subtree of its type (if any) and in no excluded one. */
function ncMatch(n: NcName, nc: Compiled): { r: NcResult; subtree?: NcName; permitted?: NcName[] } {
  let match = 0;
  const pBad = nc.permitted.bad.size > 0, eBad = nc.excluded.bad.size > 0;
  for (let k = 0; k < nc.permitted.list.length; k++) {
    const s = nc.permitted.list[k]!;
    if (!sameType(n, s)) continue;
    if (pBad && nc.permitted.bad.has(k)) return { r: 'SUBTREE_MINMAX', subtree: s };
    if (match === 2) continue;
    match = 1;
    const r = single(n, s);
    if (r === 'ok') match = 2;
    else if (r !== 'PERMITTED_VIOLATION') return { r, subtree: s };
  }
  if (match === 1) return { r: 'PERMITTED_VIOLATION', permitted: nc.permitted.list.filter((s) => sameType(n, s)) };
  for (let k = 0; k < nc.excluded.list.length; k++) {
    const s = nc.excluded.list[k]!;
    if (!sameType(n, s)) continue;
    if (eBad && nc.excluded.bad.has(k)) return { r: 'SUBTREE_MINMAX', subtree: s };
    const r = single(n, s);
    if (r === 'ok') return { r: 'EXCLUDED_VIOLATION', subtree: s };
    if (r !== 'PERMITTED_VIOLATION') return { r, subtree: s };
  }
  return { r: 'ok' };
}

/**
 * cn2dnsid: a CN counts as a DNS name only when it has two or more labels of letters, digits,
 * '_' and inner '-'; an embedded NUL is a syntax error. Returns null for a CN that is skipped.
 */
function cnAsDns(cn: string): string | null | 'syntax' {
  let s = Buffer.from(cn, 'utf8');
  while (s.length && s[s.length - 1] === 0) s = s.subarray(0, s.length - 1);
  if (s.includes(0)) return 'syntax';
  let isDns = false;
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) continue;
    if (k > 0 && k < s.length - 1) {
      if (c === 0x2d) continue;
      if (c === 0x2e && s[k + 1] !== 0x2e && s[k - 1] !== 0x2d && s[k + 1] !== 0x2d) { isDns = true; continue; }
    }
    isDns = false;
    break;
  }
  return isDns ? s.toString('latin1') : null;
}

function issueFor(c: ParsedCert, i: number, ca: ParsedCert, n: NcName, m: ReturnType<typeof ncMatch>): NcIssue {
  const r = m.r as NcError;
  const base: Evidence = { name: n.text, constrainedBy: ca.subject.text };
  const reason: Evidence =
    r === 'EXCLUDED_VIOLATION' ? { reason: 'excluded', subtree: m.subtree!.text, wildcard: false }
    : r === 'PERMITTED_VIOLATION' ? (n.num === 7 ? { reason: 'not-permitted-ip' } : { reason: 'not-permitted', permitted: (m.permitted ?? []).map((p) => p.text) })
    : r === 'UNSUPPORTED_NAME_SYNTAX' ? { reason: 'unsupported-name-syntax', ...(m.subtree ? { subtree: m.subtree.text } : {}) }
    : r === 'UNSUPPORTED_CONSTRAINT_TYPE' ? { reason: 'unsupported-constraint-type', subtree: m.subtree?.text ?? '' }
    : { reason: 'subtree-minmax', subtree: m.subtree?.text ?? '' };
  return { pathIndex: i, openssl: r, evidence: { ...base, ...reason } };
}

/** OpenSSL's NAME_CONSTRAINTS_check (and NAME_CONSTRAINTS_check_CN for the leaf) for one pair. */
function checkPair(c: ParsedCert, i: number, sans: NcName[], ca: ParsedCert, nc: Compiled): NcIssue | undefined {
  const subjectEntries = c.subject.rdns.reduce((k, rdn) => k + rdn.length, 0);
  if (subjectEntries > 0) {
    const dn: NcName = { num: 4, dn: c.subject, text: c.subject.text };
    const m = ncMatch(dn, nc);
    if (m.r !== 'ok') return issueFor(c, i, ca, dn, m);
    for (const a of c.subject.rdns.flat()) {
      if (a.oid !== EMAIL_ADDRESS) continue;
      const e: NcName = { num: 1, text: a.value, low: fold(a.value) };
      if (a.tag !== 0x16) return issueFor(c, i, ca, e, { r: 'UNSUPPORTED_NAME_SYNTAX' });
      const me = ncMatch(e, nc);
      if (me.r !== 'ok') return issueFor(c, i, ca, e, me);
    }
  }
  for (const n of sans) {
    const m = ncMatch(n, nc);
    if (m.r !== 'ok') return issueFor(c, i, ca, n, m);
  }
  if (i === 0 && !(c.subjectAltName ?? []).some((g) => g.type === 'dns')) {
    for (const a of c.subject.rdns.flat()) {
      if (a.oid !== '2.5.4.3') continue;
      const d = cnAsDns(a.value);
      if (d === 'syntax') return issueFor(c, i, ca, { num: 2, text: a.value, low: '' }, { r: 'UNSUPPORTED_NAME_SYNTAX' });
      if (d === null) continue;
      const n: NcName = { num: 2, text: d, low: fold(d) };
      const m = ncMatch(n, nc);
      if (m.r !== 'ok') return issueFor(c, i, ca, n, m);
    }
  }
  return undefined;
}

/**
 * certcheck's one addition (CVE-2025-61727): a wildcard dNSName that could cover a name in an
 * excluded subtree is refused, where OpenSSL compares the wildcard literally.
 */
function wildcardOverExcluded(c: ParsedCert, i: number, ca: ParsedCert, nc: NameConstraints): NcIssue | undefined {
  const dnsSans = (c.subjectAltName ?? []).filter((g) => g.type === 'dns').map((g) => g.value);
  const names = dnsSans.length || i > 0 ? dnsSans
    : c.subject.rdns.flat().filter((a) => a.oid === '2.5.4.3').map((a) => a.value);
  for (const n of names) {
    if (!n.startsWith('*.')) continue;
    const ex = nc.excluded.find((e) => e.type === 'dns' && (ncDns(fold(e.value.replace(/^\./, '')), fold(n.slice(2))) === 'ok' || wildcardCovers(n, e.value.replace(/^\./, ''))));
    if (ex && ex.type === 'dns') {
      return { pathIndex: i, openssl: 'EXCLUDED_VIOLATION', evidence: { name: n, constrainedBy: ca.subject.text, reason: 'excluded', subtree: ex.value, wildcard: true } };
    }
  }
  return undefined;
}

/**
 * Every name-constraint failure on a path, in the order OpenSSL meets them (top of the path down,
 * each certificate against each constraining CA above it, top down): the first is the error
 * OpenSSL reports. Self-issued intermediates are skipped, as OpenSSL and RFC 5280 §6.1.3 do.
 */
export function nameConstraintIssues(path: ParsedCert[]): NcIssue[] {
  const out: NcIssue[] = [];
  const compiled = path.map((c) => (c.nameConstraints ? compile(c.nameConstraints) : undefined));
  let work = 0;
  for (let i = path.length - 1; i >= 0; i--) {
    const c = path[i]!;
    if (i > 0 && c.selfIssued) continue;
    const nameCount = c.subject.rdns.reduce((k, rdn) => k + rdn.length, 0) + (c.subjectAltName?.length ?? 0);
    let sans: NcName[] | undefined;
    for (let j = path.length - 1; j > i; j--) {
      const nc = compiled[j];
      if (!nc) continue;
      const ca = path[j]!;
      if (nameCount > 0 && nc.count > Math.floor(NAME_CHECK_MAX / nameCount)) {
        out.push({ pathIndex: i, openssl: 'UNSPECIFIED', evidence: { reason: 'budget', comparisons: nameCount * nc.count, budget: NAME_CHECK_MAX } });
        continue;
      }
      work += (nameCount + 1) * nc.count;
      if (work > MAX_NC_COMPARISONS) {
        out.push({ pathIndex: i, openssl: 'UNSPECIFIED', evidence: { reason: 'budget', comparisons: work, budget: MAX_NC_COMPARISONS } });
        return out;
      }
      sans ??= (c.subjectAltName ?? []).map(toNcName);
      const issue = checkPair(c, i, sans, ca, nc) ?? wildcardOverExcluded(c, i, ca, ca.nameConstraints!);
      if (issue) out.push(issue);
    }
  }
  return out;
}
