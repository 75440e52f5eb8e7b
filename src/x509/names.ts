/**
 * Host-name matching for the gateway's name check (appgw-spec §3.2, message M6).
 *
 * Works only on parsed GeneralNames and parsed RDNs, never on string renderings of them: turning
 * structured names into strings is the CVE-2021-44531/44532/44533 class (reliability-catalog §3).
 * The rules follow RFC 9525 and the CA/B Baseline Requirements, which are stricter than Node's
 * tls.checkServerIdentity and than OpenSSL's default X509_check_host flags (catalog §0.7, §5).
 */
import { isIPv4, isIPv6 } from './ip.js';
import { domainToASCII } from 'node:url';
import { InputError } from '../model/errors.js';
import type { CertExtension, GeneralName, ParsedCert } from './types.js';

/**
 * The host a name check is about: a DNS name or an IP address. A DNS name's `value` is what
 * OpenSSL's X509_check_host compares: the name as given with ASCII letters lowercased, a trailing
 * dot kept and U-labels kept (measured with `openssl verify -verify_hostname`: `www.example.com.`
 * does not match DNS:www.example.com, `bücher.example` does not match DNS:xn--bcher-kva.example).
 * `aLabel` is the UTS-46 A-label form of a name with U-labels, only to explain a mismatch.
 */
export type HostRef =
  | { kind: 'dns'; input: string; value: string; aLabel?: string }
  | { kind: 'ip'; input: string; bytes: Uint8Array; value: string /* canonical text */ };

/** Whether a certificate names a host, by which identity, and what it presents. */
export interface NameMatchResult {
  matched: boolean;
  /** Which identity matched: e.g. { source: 'san-dns', value: '*.backend.test' } */
  matchedBy?: { source: 'san-dns' | 'san-ip' | 'cn'; value: string };
  /** What the certificate presents that was considered (escaped for display), e.g. ["DNS:backend.test", "IP:127.0.0.1"]; CN values listed as "CN:..." when used. */
  presented: string[];
  /** True when the certificate has no SAN extension and the CN was used. */
  cnFallback: boolean;
  /** Human reason when not matched. */
  reason?: string;
  /** Lints for presented names (invalid dNSNames, partial wildcards, CN-only certificate, ...). */
  notes: string[];
}

/** The certificate fields the matcher reads. `extensions` is optional and only used to fail closed. */
export type NameSource = Pick<ParsedCert, 'subjectAltName' | 'subject'> & { extensions?: CertExtension[] };

const OID_CN = '2.5.4.3';
const OID_SAN = '2.5.29.17';
const MAX_NOTES = 20;
const MAX_INPUT_CHARS = 1024;

/**
 * Two-label public suffixes under which `*.` is refused. This is a minimal stand-in for the Public
 * Suffix List (we ship no PSL); single-label suffixes (`*.com`, `*.test`) are refused by rule.
 */
const PUBLIC_SUFFIXES_2 = new Set([
  'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'com.au', 'net.au', 'org.au', 'co.jp', 'co.nz', 'com.br',
  'com.cn', 'co.in', 'co.za',
]);

// ---------------------------------------------------------------------------------------------
// Display

const DISPLAY_UNSAFE =
  // C0, DEL, C1, LRM/RLM/ALM, line/paragraph separators, bidi embeddings/overrides and isolates,
  // and lone surrogates (they turn into U+FFFD or break UTF-8 output).
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Escape text from a certificate or the user so it cannot steer a terminal or hide characters. */
export function escapeForDisplay(s: string): string {
  return s.replace(DISPLAY_UNSAFE, (c) =>
    c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function quoteInput(s: string): string {
  const cut = s.length > 80 ? `${s.slice(0, 77)}...` : s;
  return `"${escapeForDisplay(cut)}"`;
}

// ---------------------------------------------------------------------------------------------
// IP addresses

function parseIPv4(s: string): Uint8Array {
  return Uint8Array.from(s.split('.').map(Number));
}

/** Parse text already accepted by net.isIPv6 (no zone index). */
function parseIPv6(s: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = s;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    text = text.slice(0, lastColon + 1) + '0';
    // '0' is a placeholder group that the v4 groups replace below.
  }
  const parts = text.split('::');
  const head = parts[0] ? parts[0].split(':') : [];
  const rest = parts.length > 1 && parts[1] ? parts[1].split(':') : [];
  let groups: number[];
  if (parts.length > 1) {
    const h = head.map((g) => parseInt(g, 16));
    const r = rest.map((g) => parseInt(g, 16));
    if (tail.length) r.splice(r.length - 1, 1, ...tail);
    const fill = 8 - h.length - r.length;
    groups = [...h, ...new Array<number>(fill).fill(0), ...r];
  } else {
    groups = head.map((g) => parseInt(g, 16));
    if (tail.length) groups.splice(groups.length - 1, 1, ...tail);
  }
  groups.forEach((g, i) => { out[i * 2] = g >> 8; out[i * 2 + 1] = g & 0xff; });
  return out;
}

/** RFC 5952 text: lowercase, longest zero run (≥ 2 groups, first on a tie) as `::`, v4-mapped as dotted. */
export function ipToText(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length !== 16) return `<${b.length} octets: ${Buffer.from(b).toString('hex')}>`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Bytes of an IP literal in text (dotted IPv4 or IPv6 without zone), else null. */
function ipFromText(t: string): Uint8Array | null {
  if (isIPv4(t)) return parseIPv4(t);
  if (!t.includes('%') && isIPv6(t)) return parseIPv6(t);
  return null;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isV4Mapped(b: Uint8Array): boolean {
  return b.length === 16 && b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

// ---------------------------------------------------------------------------------------------
// Host reference (what the user typed)

// Underscores too: OpenSSL's host check (X509_check_host) accepts them, and real names carry
// them (_dmarc, SRV-style labels, some internal hosts), so a name with one is checked, not refused.
const LDH_LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;
// WHATWG/inet_aton treat a name whose last label is a number as an IPv4 address ("1.2.3", "0x7f.1").
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/;

// Format, ignorable, separator, private-use, surrogate and unassigned code points.
const INVISIBLE = /^[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Z}\p{Co}\p{Cs}\p{Cn}]$/u;

function hostError(input: string, why: string): InputError {
  return new InputError(`invalid host name ${quoteInput(input)}: ${why}`);
}

/**
 * Parse the probe host the user gave. A DNS name is checked (labels, lengths and IDNA validity are
 * judged on its A-label form) and kept as OpenSSL compares it: ASCII lowercased, any trailing dot
 * and U-labels as given (see HostRef). An IP literal (IPv4 dotted decimal, IPv6 bare or in
 * brackets) becomes bytes.
 */
export function parseHostRef(input: string): HostRef {
  if (input.length === 0) throw new InputError('invalid host name: empty');
  if (input.length > MAX_INPUT_CHARS) {
    throw hostError(input, `${input.length} characters long; a host name has at most 253`);
  }
  if (input.startsWith('[') || input.endsWith(']')) {
    const inner = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : '';
    if (inner.includes('%')) throw hostError(input, 'IPv6 zone indexes are not supported');
    if (!isIPv6(inner)) throw hostError(input, 'brackets must hold an IPv6 address');
    const bytes = parseIPv6(inner);
    return { kind: 'ip', input, bytes, value: ipToText(bytes) };
  }
  if (isIPv4(input)) {
    const bytes = parseIPv4(input);
    return { kind: 'ip', input, bytes, value: ipToText(bytes) };
  }
  if (input.includes(':')) {
    if (input.includes('%')) throw hostError(input, 'IPv6 zone indexes are not supported');
    if (!isIPv6(input)) throw hostError(input, 'not a valid IPv6 address');
    const bytes = parseIPv6(input);
    return { kind: 'ip', input, bytes, value: ipToText(bytes) };
  }

  // Check the ASCII part ourselves first: domainToASCII is a WHATWG host parser and would
  // percent-decode, cut at '/', '?' or '#', and turn numeric names into IPv4 addresses.
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x80) {
      if (cp <= 0x9f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
        throw hostError(input, `character ${escapeForDisplay(ch)} is not allowed in a host name`);
      }
      // The name is now compared and reported as given, so nothing invisible may ride in it
      // (IDNA would silently drop a zero-width space or soft hyphen from the A-label).
      if (INVISIBLE.test(ch)) {
        throw hostError(input, `invisible character U+${cp.toString(16).toUpperCase().padStart(4, '0')} is not allowed in a host name`);
      }
      continue;
    }
    if (/[A-Za-z0-9._-]/.test(ch)) continue;
    const shown = ch === ' ' ? 'space' : ch === '_' ? 'underscore "_"' : cp < 0x20 || cp === 0x7f ? escapeForDisplay(ch) : `"${ch}"`;
    throw hostError(input, `${shown} is not allowed in a host name (letters, digits, "-", "_" and "." only)`);
  }
  let ascii: string;
  const needsIdna = /[^\x00-\x7f]/.test(input) || /(?:^|\.)xn--/i.test(input);
  if (needsIdna) {
    ascii = domainToASCII(input);
    if (ascii === '') throw hostError(input, 'not a valid internationalised domain name (UTS-46)');
  } else {
    ascii = input.replace(/[A-Z]/g, (c) => c.toLowerCase());
  }
  const dotted = ascii.endsWith('.');
  if (dotted) ascii = ascii.slice(0, -1);
  if (ascii.length === 0) throw hostError(input, 'empty');
  const labels = ascii.split('.');
  for (const label of labels) {
    if (label.length === 0) throw hostError(input, 'empty label (two dots in a row, or a leading dot)');
    if (label.length > 63) {
      throw hostError(input, `label "${label.slice(0, 20)}..." is ${label.length} octets long; a label has at most 63`);
    }
    if (!LDH_LABEL.test(label)) {
      if (label.startsWith('-') || label.endsWith('-')) {
        throw hostError(input, `label "${label}" starts or ends with "-"`);
      }
      throw hostError(input, `label "${escapeForDisplay(label)}" is not letters, digits, "-" and "_"`);
    }
  }
  if (ascii.length > 253) {
    throw hostError(input, `${ascii.length} octets long${needsIdna ? ' as A-labels' : ''}; a host name has at most 253`);
  }
  if (NUMERIC_LABEL.test(labels[labels.length - 1]!)) {
    throw hostError(input, 'the last label is a number: neither a host name nor a dotted-decimal IPv4 address');
  }
  // OpenSSL folds ASCII case only and strips nothing: U-labels and a trailing dot stay as given.
  const hasULabel = /[^\x00-\x7f]/.test(input);
  const value = hasULabel ? asciiLower(input) : `${ascii}${dotted ? '.' : ''}`;
  return hasULabel ? { kind: 'dns', input, value, aLabel: ascii } : { kind: 'dns', input, value };
}

// ---------------------------------------------------------------------------------------------
// Presented dNSNames

function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function stripDot(s: string): string {
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** Why a presented dNSName (or CN used as one) can never match, or null when it is usable. */
function dnsNameProblem(raw: string): string | null {
  if (raw.length === 0) return 'empty';
  if (raw.includes('\u0000')) return 'contains NUL';
  if (/[\u0001-\u001f\u007f]/.test(raw)) return 'contains a control character';
  if (/[^\x00-\x7f]/.test(raw)) return 'U-label in dNSName: non-ASCII characters; a dNSName must carry the xn-- A-label';
  if (raw.includes(' ')) return 'contains a space';
  // Underscores are compared like any other character, as OpenSSL's X509_check_host does.
  const bad = /[^A-Za-z0-9._*-]/.exec(raw);
  if (bad) return `character "${bad[0]}" not allowed`;
  const name = stripDot(raw);
  if (name.length === 0) return 'empty';
  if (name.length > 253) return `${name.length} octets long; at most 253`;
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return 'empty label';
    if (label.length > 63) return `label of ${label.length} octets; at most 63`;
  }
  return wildcardProblem(asciiLower(name));
}

/** For a syntactically clean lowercase name: is its wildcard (if any) one we accept? */
function wildcardProblem(name: string): string | null {
  if (!name.includes('*')) return null;
  if (name === '*') return 'a lone * is not allowed';
  const labels = name.split('.');
  const first = labels[0]!;
  if (labels.slice(1).some((l) => l.includes('*'))) return 'wildcard only allowed as the whole left-most label';
  if (first !== '*') return `partial wildcard ${name} not allowed`;
  const base = labels.slice(1).join('.');
  if (labels.length === 2) return `wildcard ${name} covers a whole top-level domain`;
  if (labels.length === 3 && PUBLIC_SUFFIXES_2.has(base)) return `wildcard ${name} covers the public suffix ${base}`;
  return null;
}

/**
 * Does a presented dNSName (wildcard or not) match a concrete host name under our rules?
 * Case-insensitive for ASCII A–Z only; one trailing dot ignored on either side. A wildcard is
 * accepted only as the entire left-most label, covers exactly one non-empty label, never the
 * apex, never a top-level domain or a listed public suffix. Invalid names never match.
 */
export function wildcardCovers(pattern: string, hostValue: string): boolean {
  if (dnsNameProblem(pattern) !== null) return false;
  const p = asciiLower(stripDot(pattern));
  const h = asciiLower(stripDot(hostValue));
  if (h.length === 0 || !/^[a-z0-9._-]+$/.test(h) || h.split('.').some((l) => l.length === 0)) return false;
  if (!p.startsWith('*.')) return p === h;
  const base = p.slice(2);
  if (!h.endsWith(`.${base}`)) return false;
  const first = h.slice(0, h.length - base.length - 1);
  return first.length > 0 && !first.includes('.');
}

/**
 * Does a presented dNSName (or CN) name the probe host as OpenSSL's X509_check_host does with the
 * gateway's flags? As wildcardCovers, except for the trailing dot, which OpenSSL never strips
 * (measured, OpenSSL 3.0.19): `a.test.` matches only `a.test.` and `a.test` only `a.test`; a
 * host with a trailing dot matches no wildcard; a wildcard with one is compared as literal text.
 * A host with U-labels matches nothing here: a valid dNSName is ASCII.
 */
function hostCovers(pattern: string, host: HostRef & { kind: 'dns' }): boolean {
  const h = host.value;
  const hostDot = h.endsWith('.');
  if (pattern.endsWith('.') !== hostDot) return false;
  if (!hostDot) return wildcardCovers(pattern, h);
  if (dnsNameProblem(pattern) !== null || pattern.includes('*')) return false;
  return wildcardCovers(pattern, h);
}

/** Node-style leniency, only to explain a refusal: partial wildcards and any `*.` suffix. */
function lenientCovers(pattern: string, h: string): boolean {
  const p = asciiLower(stripDot(pattern));
  const dot = p.indexOf('.');
  if (dot < 0) return p === '*' ? !h.includes('.') : false;
  const first = p.slice(0, dot);
  const base = p.slice(dot + 1);
  if (base.includes('*') || !first.includes('*')) return false;
  const hd = h.indexOf('.');
  if (hd < 0 || h.slice(hd + 1) !== base) return false;
  const [pre, ...post] = first.split('*');
  const suf = post.join('*');
  if (post.length !== 1) return false;
  const label = h.slice(0, hd);
  return label.length >= pre!.length + suf.length && label.startsWith(pre!) && label.endsWith(suf);
}

function countWord(n: number): string {
  return ['zero', 'one', 'two', 'three', 'four', 'five'][n] ?? String(n);
}

// ---------------------------------------------------------------------------------------------
// Matching

function sanDisplay(g: GeneralName): string {
  switch (g.type) {
    case 'dns': return `DNS:${escapeForDisplay(g.value)}`;
    case 'ip': return `IP:${ipToText(g.bytes)}`;
    case 'ipRange': return `IP:${escapeForDisplay(g.value)}`;
    case 'email': return `email:${escapeForDisplay(g.value)}`;
    case 'uri': return `URI:${escapeForDisplay(g.value)}`;
    case 'dirName': return `DirName:${escapeForDisplay(g.value.text)}`;
    case 'other': return `othername:[tag 0x${g.tag.toString(16)}]`;
  }
}

class Notes {
  private readonly seen = new Set<string>();
  private dropped = 0;
  readonly list: string[] = [];
  add(n: string): void {
    if (this.seen.has(n)) return;
    this.seen.add(n);
    if (this.list.length < MAX_NOTES) this.list.push(n);
    else this.dropped++;
  }
  done(): string[] {
    return this.dropped ? [...this.list, `... and ${this.dropped} more notes`] : this.list;
  }
}

function listSome(items: string[], max = 5): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/**
 * Check the certificate's names against the probe host. SAN only when the extension exists; the
 * subject CN only when there is no SAN extension at all, and never for an IP host (OpenSSL's
 * X509_check_ip does not read the CN either).
 */
export function matchHost(cert: NameSource, host: HostRef): NameMatchResult {
  const notes = new Notes();
  const presented: string[] = [];
  const sans = cert.subjectAltName;
  const sanBroken = sans === undefined && (cert.extensions ?? []).some((e) => e.oid === OID_SAN);
  const cns = (cert.subject?.rdns ?? []).flat().filter((a) => a.oid === OID_CN).map((a) => a.value);

  if (sanBroken) {
    // The extension exists but did not decode: falling back to the CN would fail open.
    return {
      matched: false, presented, cnFallback: false, notes: [],
      reason: 'the subjectAltName extension does not decode; the CN is not used in its place',
    };
  }

  const result = (r: Omit<NameMatchResult, 'presented' | 'notes'>): NameMatchResult =>
    ({ ...r, presented, notes: notes.done() });

  if (sans !== undefined) {
    for (const g of sans) {
      presented.push(sanDisplay(g));
      if (g.type === 'dns') {
        const why = dnsNameProblem(g.value);
        if (why) notes.add(`invalid dNSName '${escapeForDisplay(g.value)}' (${why})`);
      } else if (g.type === 'ip' && g.bytes.length !== 4 && g.bytes.length !== 16) {
        notes.add(`malformed iPAddress entry of ${g.bytes.length} octets`);
      }
    }
    return host.kind === 'ip' ? matchIpInSan(sans, cns, host, notes, result) : matchDnsInSan(sans, cns, host, result);
  }

  // No SAN extension at all.
  for (const cn of cns) presented.push(`CN:${escapeForDisplay(cn)}`);
  if (cns.length === 0) {
    return result({
      matched: false, cnFallback: false,
      reason: 'the certificate names no host: it has no subjectAltName extension and no CN in its subject',
    });
  }
  if (host.kind === 'ip') {
    for (const cn of cns) {
      const asIp = ipFromText(cn.trim());
      if (!asIp) continue;
      const same = bytesEqual(asIp, host.bytes);
      const canonical = ipToText(asIp) === cn;
      notes.add(`CN '${escapeForDisplay(cn)}' is an IP address${same ? ' equal to the probe address' : ''}` +
        `${canonical ? '' : ' in non-canonical text'}; a CN is never matched against an IP host`);
    }
    return result({
      matched: false, cnFallback: false,
      reason: `IP addresses are matched against iPAddress SAN entries only; the certificate has no subjectAltName extension (its CN ${listSome(cns.map((c) => `'${escapeForDisplay(c)}'`))} is not used for ${host.value})`,
    });
  }

  notes.add('CN-only certificate: there is no subjectAltName extension, so the subject CN was used (RFC 9525 clients and browsers refuse this)');
  const h = escapeForDisplay(host.value);
  for (const cn of cns) {
    const why = dnsNameProblem(cn);
    if (why) {
      notes.add(`CN '${escapeForDisplay(cn)}' is not a valid host name (${why})`);
      continue;
    }
    if (hostCovers(cn, host)) {
      return result({ matched: true, matchedBy: { source: 'cn', value: cn }, cnFallback: true });
    }
  }
  const near = explainDnsMiss(cns.map((c) => ({ value: c, shown: `CN ${escapeForDisplay(c)}` })), host);
  return result({
    matched: false, cnFallback: true,
    reason: near ?? `${h} does not match the subject CN (${listSome(cns.map((c) => `'${escapeForDisplay(c)}'`))}); the certificate has no subjectAltName extension`,
  });
}

function matchDnsInSan(
  sans: GeneralName[], cns: string[], host: Extract<HostRef, { kind: 'dns' }>,
  result: (r: Omit<NameMatchResult, 'presented' | 'notes'>) => NameMatchResult,
): NameMatchResult {
  const h = escapeForDisplay(host.value);
  const dns: string[] = [];
  for (const g of sans) {
    if (g.type !== 'dns') continue;
    dns.push(g.value);
    if (hostCovers(g.value, host)) {
      return result({ matched: true, matchedBy: { source: 'san-dns', value: g.value }, cnFallback: false });
    }
  }
  if (sans.length === 0) {
    return result({ matched: false, cnFallback: false, reason: 'the subjectAltName extension is present but empty; the CN is not used when a subjectAltName exists' });
  }
  const cnWould = cns.find((c) => hostCovers(c, host));
  if (cnWould !== undefined) {
    return result({
      matched: false, cnFallback: false,
      reason: `the subject CN '${escapeForDisplay(cnWould)}' would match ${h}, but the CN is ignored because the certificate has a subjectAltName extension (RFC 9525)`,
    });
  }
  if (dns.length === 0) {
    return result({
      matched: false, cnFallback: false,
      reason: `the subjectAltName has no dNSName entries (it holds ${listSome(sans.map(sanDisplay))}); the CN is not used when a subjectAltName exists`,
    });
  }
  const near = explainDnsMiss(dns.map((d) => ({ value: d, shown: `DNS:${escapeForDisplay(d)}` })), host);
  return result({
    matched: false, cnFallback: false,
    reason: near ?? `${h} is not among the certificate's dNSNames (${listSome(dns.map((d) => `DNS:${escapeForDisplay(d)}`))})`,
  });
}

/** The most specific explanation of why no name matched, or null for a plain mismatch. */
function explainDnsMiss(names: { value: string; shown: string }[], host: HostRef & { kind: 'dns' }): string | null {
  const shownHost = escapeForDisplay(host.value);
  if (host.aLabel !== undefined) {
    const a = host.aLabel;
    const hit = names.find(({ value }) => wildcardCovers(value, a));
    if (hit) {
      return `${hit.shown} names the A-label form ${a}, but ${shownHost} is compared as given: OpenSSL's host check does not convert U-labels, so the gateway needs the host name configured as ${a}`;
    }
  }
  const hostDot = host.value.endsWith('.');
  if (hostDot || names.some(({ value }) => value.endsWith('.'))) {
    const bare = stripDot(host.value);
    const hit = names.find(({ value }) => value.endsWith('.') !== hostDot && wildcardCovers(value, bare));
    if (hit) {
      return host.value.endsWith('.')
        ? `${shownHost} ends with a dot and ${hit.shown} does not: OpenSSL's host check compares the trailing dot as written (configure ${escapeForDisplay(bare)})`
        : `${hit.shown} ends with a dot and ${shownHost} does not: OpenSSL's host check compares the trailing dot as written`;
    }
  }
  const dottedStar = names.find(({ value }) => value.startsWith('*') && value.endsWith('.') && hostDot && wildcardCovers(value, host.value));
  if (dottedStar) return `${dottedStar.shown} ends with a dot, so OpenSSL's host check reads it as literal text, not as a wildcard`;
  const h = stripDot(host.value);
  const hLabels = h.split('.');
  for (const { value } of names) {
    if (dnsNameProblem(value) !== null) continue;
    const p = asciiLower(stripDot(value));
    if (!p.startsWith('*.')) continue;
    const base = p.slice(2);
    if (h === base) return `wildcard ${p} does not cover the apex ${h}`;
    if (h.endsWith(`.${base}`)) {
      const extra = hLabels.length - base.split('.').length;
      return `wildcard ${p} covers exactly one label; ${h} has ${countWord(extra)}`;
    }
  }
  for (const { value, shown } of names) {
    const why = dnsNameProblem(value);
    if (why === null) continue;
    if (lenientCovers(value, h)) return `${shown} would match under lenient rules, but is refused: ${why} (RFC 9525)`;
  }
  for (const { value, shown } of names) {
    const why = dnsNameProblem(value);
    if (why === null) continue;
    // An invalid entry that would equal the host if its bad part were ignored: the NUL trick.
    const cut = asciiLower(stripDot(value.split('\u0000')[0]!));
    if (cut === h || asciiLower(stripDot(value)).replace(/[^a-z0-9.*-]/g, '') === h.replace(/[^a-z0-9.-]/g, '')) {
      return `${shown} is not a valid dNSName (${why}) and never matches ${h}`;
    }
  }
  return null;
}

function matchIpInSan(
  sans: GeneralName[], cns: string[], host: Extract<HostRef, { kind: 'ip' }>, notes: Notes,
  result: (r: Omit<NameMatchResult, 'presented' | 'notes'>) => NameMatchResult,
): NameMatchResult {
  const ips: Uint8Array[] = [];
  for (const g of sans) {
    if (g.type !== 'ip') continue;
    ips.push(g.bytes);
    if (bytesEqual(g.bytes, host.bytes)) {
      return result({ matched: true, matchedBy: { source: 'san-ip', value: ipToText(g.bytes) }, cnFallback: false });
    }
  }
  const dnsAsIp = sans.find((g) => {
    if (g.type !== 'dns') return false;
    const b = ipFromText(stripDot(g.value));
    return b !== null && bytesEqual(b, host.bytes);
  });
  if (dnsAsIp && dnsAsIp.type === 'dns') {
    notes.add(`dNSName '${escapeForDisplay(dnsAsIp.value)}' holds an IP address; IP addresses belong in iPAddress entries`);
    return result({
      matched: false, cnFallback: false,
      reason: `the certificate lists ${host.value} as DNS:${escapeForDisplay(dnsAsIp.value)}, but IP addresses are matched against iPAddress SAN entries only`,
    });
  }
  const mappedPeer = ips.find((b) =>
    (isV4Mapped(host.bytes) && b.length === 4 && bytesEqual(host.bytes.subarray(12), b)) ||
    (host.bytes.length === 4 && isV4Mapped(b) && bytesEqual(b.subarray(12), host.bytes)));
  if (mappedPeer) {
    return result({
      matched: false, cnFallback: false,
      reason: `${host.value} and IP:${ipToText(mappedPeer)} are different addresses: an IPv4-mapped IPv6 address is not equal to the IPv4 address`,
    });
  }
  if (cns.some((c) => { const b = ipFromText(c.trim()); return b !== null && bytesEqual(b, host.bytes); })) {
    return result({
      matched: false, cnFallback: false,
      reason: `IP addresses are matched against iPAddress SAN entries only; the CN ${host.value} is ignored because the certificate has a subjectAltName extension`,
    });
  }
  if (ips.length === 0) {
    return result({
      matched: false, cnFallback: false,
      reason: `the subjectAltName has no iPAddress entries; IP addresses are matched against iPAddress SAN entries only`,
    });
  }
  return result({
    matched: false, cnFallback: false,
    reason: `${host.value} is not among the certificate's iPAddress entries (${listSome(ips.map((b) => `IP:${ipToText(b)}`))})`,
  });
}
