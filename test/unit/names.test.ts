import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import {
  escapeForDisplay, matchHost, parseHostRef, wildcardCovers, type HostRef, type NameSource,
} from '../../src/x509/names.js';
import type { DistinguishedName, GeneralName, NameAttribute } from '../../src/x509/types.js';

// The DER parser is written elsewhere; these factories build the parsed shapes directly.
const OIDS: Record<string, string> = { CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6' };
const attr = (short: string, value: string): NameAttribute => ({ oid: OIDS[short]!, short, value, tag: 12 });
const dn = (...rdns: NameAttribute[][]): DistinguishedName => ({
  der: new Uint8Array([0x30, 0x00]),
  rdns,
  text: rdns.slice().reverse().map((r) => r.map((a) => `${a.short}=${a.value}`).join(' + ')).join(', '),
});
const dns = (value: string): GeneralName => ({ type: 'dns', value });
const ip4 = (text: string): GeneralName => ({ type: 'ip', bytes: Uint8Array.from(text.split('.').map(Number)), value: text });
const ip16 = (bytes: number[], value: string): GeneralName => ({ type: 'ip', bytes: Uint8Array.from(bytes), value });
const uri = (value: string): GeneralName => ({ type: 'uri', value });
const V6_LOOPBACK = [...new Array<number>(15).fill(0), 1];
const V6_MAPPED_10_0_0_5 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 5];

function cert(opts: { san?: GeneralName[]; subject?: NameAttribute[][] }): NameSource {
  return {
    ...(opts.san ? { subjectAltName: opts.san } : {}),
    subject: dn(...(opts.subject ?? [])),
  };
}
const cnSubject = (...cns: string[]) => cns.map((c) => [attr('CN', c)]);
const host = (s: string): HostRef => parseHostRef(s);

describe('parseHostRef', () => {
  it('lowercases ASCII and keeps a trailing dot, as OpenSSL compares it', () => {
    expect(parseHostRef('WWW.Example.TEST.')).toEqual({ kind: 'dns', input: 'WWW.Example.TEST.', value: 'www.example.test.' });
    expect(parseHostRef('WWW.Example.TEST')).toEqual({ kind: 'dns', input: 'WWW.Example.TEST', value: 'www.example.test' });
    expect(parseHostRef('localhost').value).toBe('localhost');
  });

  it('refuses invisible characters in a U-label name, since the name is reported as given', () => {
    for (const ch of ['\u200b', '\u00ad', '\u2028', '\u3000', '\u061c', '\ue000']) {
      expect(() => parseHostRef(`b${ch}ücher.example`)).toThrow(/invisible character U\+/);
    }
  });

  it('keeps U-labels as given (ASCII lowercased only) and records the UTS-46 A-label beside them', () => {
    expect(parseHostRef('bücher.example')).toEqual({ kind: 'dns', input: 'bücher.example', value: 'bücher.example', aLabel: 'xn--bcher-kva.example' });
    // OpenSSL folds ASCII letters only: Ü stays Ü.
    expect(parseHostRef('BÜCHER.example.')).toMatchObject({ value: 'bÜcher.example.', aLabel: 'xn--bcher-kva.example' });
    expect(parseHostRef('XN--BCHER-KVA.example')).toEqual({ kind: 'dns', input: 'XN--BCHER-KVA.example', value: 'xn--bcher-kva.example' });
    // Ideographic full stop is a label separator under UTS-46; the name is still compared as given.
    expect(parseHostRef('bücher\u3002example')).toMatchObject({ value: 'bücher\u3002example', aLabel: 'xn--bcher-kva.example' });
  });

  it('parses IPv4 and IPv6, bracketed or not, to bytes and canonical text', () => {
    const v4 = parseHostRef('10.0.0.5');
    expect(v4.kind).toBe('ip');
    if (v4.kind === 'ip') expect(Array.from(v4.bytes)).toEqual([10, 0, 0, 5]);
    const a = parseHostRef('[::1]');
    const b = parseHostRef('0:0:0:0:0:0:0:1');
    expect(a.value).toBe('::1');
    expect(b.value).toBe('::1');
    if (a.kind === 'ip' && b.kind === 'ip') expect(Array.from(a.bytes)).toEqual(Array.from(b.bytes));
    expect(parseHostRef('2001:DB8:0:0:1:0:0:1').value).toBe('2001:db8::1:0:0:1');
    expect(parseHostRef('2001:db8:0:1:1:1:1:1').value).toBe('2001:db8:0:1:1:1:1:1');
    expect(parseHostRef('::ffff:10.0.0.5').value).toBe('::ffff:10.0.0.5');
    expect(parseHostRef('::FFFF:a00:5').value).toBe('::ffff:10.0.0.5');
    const mixed = parseHostRef('64:ff9b::192.0.2.33');
    if (mixed.kind === 'ip') expect(Array.from(mixed.bytes.subarray(12))).toEqual([192, 0, 2, 33]);
    expect(mixed.value).toBe('64:ff9b::c000:221');
  });

  // Catalog 47.
  it('accepts a 63-octet label and a 253-octet name', () => {
    const l63 = 'a'.repeat(63);
    expect(parseHostRef(`${l63}.test`).value).toBe(`${l63}.test`);
    const n253 = [l63, l63, l63, 'a'.repeat(61)].join('.');
    expect(n253.length).toBe(253);
    expect(parseHostRef(n253).value).toBe(n253);
    expect(parseHostRef(`${n253}.`).value).toBe(`${n253}.`);
  });

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['.', /empty/],
    [`${'a'.repeat(64)}.test`, /64 octets.*at most 63/],
    [[...new Array<string>(3).fill('a'.repeat(63)), 'a'.repeat(62)].join('.'), /254 octets.*at most 253/],
    ['a..b', /empty label/],
    ['.a.b', /empty label/],
    ['a.b..', /empty label/],
    ['a b.example', /space/],
    ['*.example.test', /"\*" is not allowed/],
    ['a/b.example', /"\/" is not allowed/],
    ['a%41.example', /"%" is not allowed/],
    ['good\u0000evil.example', /\\u0000 is not allowed/],
    ['evil\u202e.example', /\\u202e is not allowed/],
    ['[10.0.0.5]', /brackets must hold an IPv6/],
    ['[::1', /brackets/],
    ['fe80::1%eth0', /zone/],
    ['1::2::3', /not a valid IPv6/],
    ['10.0.0.5:443', /not a valid IPv6/],
    ['1.2.3', /last label is a number/],
    ['010.0.0.1', /last label is a number/],
    ['0x7f.1', /last label is a number/],
    ['256.1.1.1', /last label is a number/],
    ['-a.example', /starts or ends with "-"/],
    ['xn--a.example', /internationalised/],
    ['b\uFF0Fcher.example', /internationalised/],
    ['x'.repeat(2000), /2000 characters/],
  ];
  it.each(bad)('rejects %j', (input, re) => {
    let err: unknown;
    try { parseHostRef(input); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as InputError).message;
    expect(msg).toMatch(re);
    expect(msg).not.toMatch(/[\n\r\u0000]/);
    expect((err as InputError).exitCode).toBe(2);
  });
});

describe('escapeForDisplay', () => {
  it('escapes controls, NUL, DEL, C1, bidi and backslash; leaves normal text alone', () => {
    expect(escapeForDisplay('good\u0000evil')).toBe('good\\u0000evil');
    expect(escapeForDisplay('a\nb\tc\u001b[31m')).toBe('a\\u000ab\\u0009c\\u001b[31m');
    expect(escapeForDisplay('\u007f\u0085\u009b')).toBe('\\u007f\\u0085\\u009b');
    expect(escapeForDisplay('x\u202ey\u2066z\u2069')).toBe('x\\u202ey\\u2066z\\u2069');
    expect(escapeForDisplay('a\\u0000')).toBe('a\\\\u0000');
    expect(escapeForDisplay('bücher.example ✓')).toBe('bücher.example ✓');
    expect(escapeForDisplay('\ud800x')).toBe('\\ud800x');
  });
});

// (pattern, host, expected) for wildcardCovers; the same rows are run through matchHost below.
const TABLE: [string, string, boolean][] = [
  ['backend.test', 'backend.test', true],
  ['BACKEND.Test', 'backend.test', true],
  ['backend.test.', 'backend.test', true],
  ['backend.test', 'backend.test.', true],
  ['backend.test', 'other.test', false],
  ['backend.test', 'a.backend.test', false],
  ['*.backend.test', 'a.backend.test', true],
  ['*.backend.test', 'A.BACKEND.TEST', true],
  ['*.Backend.Test', 'x1.backend.test', true],
  ['*.backend.test.', 'api.backend.test', true],
  ['*.backend.test', 'api.backend.test.', true],
  ['*.backend.test', 'a.b.backend.test', false],
  ['*.backend.test', 'backend.test', false],
  ['*.backend.test', '.backend.test', false],
  ['*.backend.test', 'a.backend.test.evil', false],
  ['*.backend.test', 'abackend.test', false],
  ['*.example.test', 'xn--bcher-kva.example.test', true],
  ['*.xn--bcher-kva.example', 'a.xn--bcher-kva.example', true],
  ['xn--*.example', 'xn--bcher-kva.example', false],
  ['f*o.example.test', 'foo.example.test', false],
  ['*o.example.test', 'foo.example.test', false],
  ['a*.example.test', 'ab.example.test', false],
  ['f*.example.test', 'foo.example.test', false],
  ['*', 'localhost', false],
  ['*.', 'localhost', false],
  ['*.test', 'a.test', false],
  ['*.com', 'example.com', false],
  ['*.co.uk', 'a.co.uk', false],
  ['*.org.uk', 'a.org.uk', false],
  ['*.com.au', 'a.com.au', false],
  ['*.co.jp', 'a.co.jp', false],
  ['*.co.za', 'a.co.za', false],
  ['*.example.co.uk', 'www.example.co.uk', true],
  ['*.uk.com', 'a.uk.com', true],
  ['*.*.example.test', 'a.b.example.test', false],
  ['a.*.example.test', 'a.b.example.test', false],
  ['**.example.test', 'a.example.test', false],
  ['*.example.test', '*.example.test', false],
  ['a_b.example', 'a_b.example', true], // underscores are ordinary characters to OpenSSL's host check (issue 14)
  ['good\u0000evil.example', 'good', false],
  ['good\u0000.example', 'good.example', false],
  ['b\u00c3\u00bccher.example', 'bücher.example', false],
  ['bücher.example', 'xn--bcher-kva.example', false],
  ['ex ample.test', 'ex ample.test', false],
  ['backend..test', 'backend..test', false],
  ['', '', false],
  ['\u212aey.test', 'key.test', false], // Kelvin sign: no Unicode case folding
  [`${'a'.repeat(64)}.test`, `${'a'.repeat(64)}.test`, false],
  [`${'a'.repeat(63)}.test`, `${'a'.repeat(63)}.test`, true],
];

describe('wildcardCovers table', () => {
  it('has at least 40 rows', () => expect(TABLE.length).toBeGreaterThanOrEqual(40));
  it.each(TABLE)('%j covers %j → %s', (pattern, h, expected) => {
    expect(wildcardCovers(pattern, h)).toBe(expected);
  });

  // Only rows whose host the CLI would accept can reach matchHost.
  // wildcardCovers ignores one trailing dot (name constraints use it); the host check does not,
  // as OpenSSL's X509_check_host does not (measured, see 'host names as OpenSSL compares them').
  const HOST_CHECK_DIFFERS = new Set(['backend.test.|backend.test', 'backend.test|backend.test.', '*.backend.test.|api.backend.test', '*.backend.test|api.backend.test.']);
  const usable = TABLE.filter(([, h]) => { try { parseHostRef(h); return true; } catch { return false; } })
    .map(([p, h, e]): [string, string, boolean] => [p, h, HOST_CHECK_DIFFERS.has(`${p}|${h}`) ? !e : e]);
  it.each(usable)('matchHost SAN DNS:%j vs %j → %s', (pattern, h, expected) => {
    const r = matchHost(cert({ san: [dns(pattern)] }), host(h));
    expect(r.matched).toBe(expected);
    if (expected) expect(r.matchedBy).toEqual({ source: 'san-dns', value: pattern });
    else expect(r.reason).toBeTruthy();
  });
});

describe('catalog group C', () => {
  it('36: *.example.test for a.b.example.test is not matched, with a one-label reason', () => {
    const r = matchHost(cert({ san: [dns('*.example.test')], subject: cnSubject('*.example.test') }), host('a.b.example.test'));
    expect(r.matched).toBe(false);
    expect(r.reason).toBe('wildcard *.example.test covers exactly one label; a.b.example.test has two');
    expect(r.presented).toEqual(['DNS:*.example.test']);
    expect(r.cnFallback).toBe(false);
  });

  it('37: *.example.test does not cover the apex', () => {
    const r = matchHost(cert({ san: [dns('*.example.test')] }), host('example.test'));
    expect(r.matched).toBe(false);
    expect(r.reason).toMatch(/does not cover the apex example\.test/);
  });

  it('38: partial wildcards are refused (Node would accept them)', () => {
    for (const p of ['f*o.example.test', '*o.example.test', 'fo*.example.test']) {
      const r = matchHost(cert({ san: [dns(p)] }), host('foo.example.test'));
      expect(r.matched, p).toBe(false);
      expect(r.notes, p).toContain(`invalid dNSName '${p}' (partial wildcard ${p} not allowed)`);
      expect(r.reason, p).toMatch(/would match under lenient rules.*partial wildcard/);
    }
  });

  it('39: *.co.uk, *.test and a lone * are refused', () => {
    const r1 = matchHost(cert({ san: [dns('*.co.uk')] }), host('a.co.uk'));
    expect(r1.matched).toBe(false);
    expect(r1.reason).toMatch(/public suffix co\.uk/);
    const r2 = matchHost(cert({ san: [dns('*.test')] }), host('a.test'));
    expect(r2.matched).toBe(false);
    expect(r2.reason).toMatch(/top-level domain/);
    const r3 = matchHost(cert({ san: [dns('*')] }), host('localhost'));
    expect(r3.matched).toBe(false);
    expect(r3.notes.join('\n')).toMatch(/lone \*/);
  });

  it('40: the CN is ignored when a SAN exists; CN-only matches with a note', () => {
    const withSan = matchHost(cert({ san: [dns('other.test')], subject: cnSubject('host.test') }), host('host.test'));
    expect(withSan.matched).toBe(false);
    expect(withSan.cnFallback).toBe(false);
    expect(withSan.presented).toEqual(['DNS:other.test']);
    expect(withSan.reason).toMatch(/CN 'host\.test' would match host\.test, but the CN is ignored/);

    const cnOnly = matchHost(cert({ subject: cnSubject('host.test') }), host('host.test'));
    expect(cnOnly).toMatchObject({ matched: true, cnFallback: true, matchedBy: { source: 'cn', value: 'host.test' } });
    expect(cnOnly.presented).toEqual(['CN:host.test']);
    expect(cnOnly.notes.join('\n')).toMatch(/CN-only certificate/);

    // A SAN holding only IP or URI entries still switches the CN off (Node would fall back).
    for (const san of [[ip4('10.0.0.5')], [uri('https://host.test/')], []]) {
      const r = matchHost(cert({ san, subject: cnSubject('host.test') }), host('host.test'));
      expect(r.matched).toBe(false);
      expect(r.cnFallback).toBe(false);
    }
    // CVE-2021-44531: a URI SAN is not a host identity.
    const u = matchHost(cert({ san: [uri('host.test')] }), host('host.test'));
    expect(u.matched).toBe(false);
    expect(u.reason).toMatch(/no dNSName entries \(it holds URI:host\.test\)/);
  });

  it('40: CN-only wildcard follows the same rules', () => {
    expect(matchHost(cert({ subject: cnSubject('*.backend.test') }), host('a.backend.test')).matched).toBe(true);
    const r = matchHost(cert({ subject: cnSubject('*.backend.test') }), host('a.b.backend.test'));
    expect(r.matched).toBe(false);
    expect(r.cnFallback).toBe(true);
    expect(r.reason).toMatch(/exactly one label; a\.b\.backend\.test has two/);
    const bad = matchHost(cert({ subject: cnSubject('My Backend Server') }), host('backend.test'));
    expect(bad.matched).toBe(false);
    expect(bad.notes.join('\n')).toMatch(/CN 'My Backend Server' is not a valid host name \(contains a space\)/);
  });

  describe('41: IP hosts', () => {
    it('DNS:10.0.0.5 does not match; IP:10.0.0.5 does', () => {
      const r = matchHost(cert({ san: [dns('10.0.0.5')] }), host('10.0.0.5'));
      expect(r.matched).toBe(false);
      expect(r.reason).toMatch(/as DNS:10\.0\.0\.5, but IP addresses are matched against iPAddress SAN entries only/);
      const ok = matchHost(cert({ san: [dns('backend.test'), ip4('10.0.0.5')] }), host('10.0.0.5'));
      expect(ok).toMatchObject({ matched: true, matchedBy: { source: 'san-ip', value: '10.0.0.5' } });
      expect(ok.presented).toEqual(['DNS:backend.test', 'IP:10.0.0.5']);
    });

    it('::1 equals IP:0:0:0:0:0:0:0:1 (compared by bytes)', () => {
      const san = [ip16(V6_LOOPBACK, '0:0:0:0:0:0:0:1')];
      expect(matchHost(cert({ san }), host('::1'))).toMatchObject({ matched: true, matchedBy: { source: 'san-ip', value: '::1' } });
      expect(matchHost(cert({ san }), host('[0:0:0:0:0:0:0:1]')).matched).toBe(true);
      expect(matchHost(cert({ san: [ip4('127.0.0.1')] }), host('::1')).matched).toBe(false);
    });

    it('::ffff:10.0.0.5 is not 10.0.0.5, either way round', () => {
      const r = matchHost(cert({ san: [ip4('10.0.0.5')] }), host('::ffff:10.0.0.5'));
      expect(r.matched).toBe(false);
      expect(r.reason).toMatch(/IPv4-mapped IPv6 address is not equal to the IPv4 address/);
      const r2 = matchHost(cert({ san: [ip16(V6_MAPPED_10_0_0_5, '::ffff:a00:5')] }), host('10.0.0.5'));
      expect(r2.matched).toBe(false);
      expect(r2.presented).toEqual(['IP:::ffff:10.0.0.5']);
    });

    it('never matches an IP host by CN, with or without a SAN', () => {
      const noSan = matchHost(cert({ subject: cnSubject('10.0.0.5') }), host('10.0.0.5'));
      expect(noSan.matched).toBe(false);
      expect(noSan.cnFallback).toBe(false);
      expect(noSan.reason).toMatch(/^IP addresses are matched against iPAddress SAN entries only/);
      expect(noSan.notes.join('\n')).toMatch(/CN '10\.0\.0\.5' is an IP address equal to the probe address;/);
      const nonCanon = matchHost(cert({ subject: cnSubject('010.000.000.005', '0:0::1') }), host('::1'));
      expect(nonCanon.matched).toBe(false);
      expect(nonCanon.notes.join('\n')).toMatch(/CN '0:0::1' is an IP address equal to the probe address in non-canonical text/);
      const withSan = matchHost(cert({ san: [dns('backend.test')], subject: cnSubject('10.0.0.5') }), host('10.0.0.5'));
      expect(withSan.matched).toBe(false);
      expect(withSan.reason).toMatch(/iPAddress SAN entries only; the CN 10\.0\.0\.5 is ignored/);
    });

    it('an IP SAN never matches a DNS host', () => {
      expect(matchHost(cert({ san: [ip4('10.0.0.5')] }), host('backend.test')).matched).toBe(false);
    });
  });

  it('42: host WWW.Example.TEST matches SAN www.example.test; with a trailing dot it does not (OpenSSL)', () => {
    const r = matchHost(cert({ san: [dns('www.example.test')] }), host('WWW.Example.TEST'));
    expect(r).toMatchObject({ matched: true, matchedBy: { source: 'san-dns', value: 'www.example.test' } });
    const dotted = matchHost(cert({ san: [dns('www.example.test')] }), host('WWW.Example.TEST.'));
    expect(dotted.matched).toBe(false);
    expect(dotted.reason).toMatch(/www\.example\.test\. ends with a dot and DNS:www\.example\.test does not.*configure www\.example\.test\)/);
  });

  it('43: bücher.example does not match xn--bcher-kva.example (OpenSSL); a raw U-label dNSName is invalid', () => {
    const miss = matchHost(cert({ san: [dns('xn--bcher-kva.example')] }), host('bücher.example'));
    expect(miss.matched).toBe(false);
    expect(miss.reason).toMatch(/DNS:xn--bcher-kva\.example names the A-label form xn--bcher-kva\.example, but bücher\.example is compared as given.*configured as xn--bcher-kva\.example/);
    expect(matchHost(cert({ san: [dns('xn--bcher-kva.example')] }), host('XN--BCHER-KVA.Example')).matched).toBe(true);
    // The DER walker decodes dNSName bytes as latin1, so raw UTF-8 arrives as mojibake.
    const raw = Buffer.from('bücher.example', 'utf8').toString('latin1');
    const r = matchHost(cert({ san: [dns(raw), dns('bücher.example')] }), host('bücher.example'));
    expect(r.matched).toBe(false);
    expect(r.notes.length).toBe(2);
    for (const n of r.notes) expect(n).toMatch(/U-label in dNSName/);
  });

  it('44: NUL names never match, and are escaped in output; underscores match as OpenSSL does', () => {
    const r = matchHost(cert({ san: [dns('good\u0000evil.example')] }), host('good'));
    expect(r.matched).toBe(false);
    expect(r.presented).toEqual(['DNS:good\\u0000evil.example']);
    expect(r.notes).toEqual(["invalid dNSName 'good\\u0000evil.example' (contains NUL)"]);
    expect(r.reason).toMatch(/DNS:good\\u0000evil\.example is not a valid dNSName \(contains NUL\)/);
    const all = JSON.stringify(r);
    expect(all).not.toContain('\u0000');

    const r2 = matchHost(cert({ san: [dns('good.example\u0000.evil.test')] }), host('good.example'));
    expect(r2.matched).toBe(false);

    // Underscores are ordinary characters to OpenSSL's host check (issue 14): in the name checked
    // and in the names presented.
    const u = matchHost(cert({ san: [dns('a_b.example'), dns('ok.example')] }), host('ok.example'));
    expect(u.matched).toBe(true);
    expect(u.notes).toEqual([]);
    expect(matchHost(cert({ san: [dns('A_B.example')] }), host('a_b.example')).matched).toBe(true);
    expect(matchHost(cert({ san: [dns('*.corp.example')] }), host('a_b.corp.example')).matched).toBe(true);
    expect(matchHost(cert({ san: [dns('ab.example')] }), host('a_b.example')).matched).toBe(false);

    const bidi = matchHost(cert({ san: [dns('evil\u202etset.example')] }), host('backend.test'));
    expect(bidi.presented[0]).toBe('DNS:evil\\u202etset.example');
    expect(JSON.stringify(bidi)).not.toContain('\u202e');
  });

  it('45: multi-valued RDN CN=evil.test+CN=good.test gives two CN values, no splitting', () => {
    const subject = [[attr('CN', 'evil.test'), attr('CN', 'good.test')]];
    const good = matchHost(cert({ subject }), host('good.test'));
    expect(good).toMatchObject({ matched: true, cnFallback: true, matchedBy: { source: 'cn', value: 'good.test' } });
    expect(good.presented).toEqual(['CN:evil.test', 'CN:good.test']);
    expect(matchHost(cert({ subject }), host('evil.test')).matched).toBe(true);
    // The joined string form must not be a name.
    expect(matchHost(cert({ subject }), host('evil.test.good.test')).matched).toBe(false);
    // A single CN whose text contains "+CN=" is one value, not two.
    const one = matchHost(cert({ subject: [[attr('CN', 'evil.test+CN=good.test')]] }), host('good.test'));
    expect(one.matched).toBe(false);
    expect(one.presented).toEqual(['CN:evil.test+CN=good.test']);
  });

  it('45: O="Acme, CN=fake.test" is never a CN', () => {
    const subject = [[attr('C', 'US')], [attr('O', 'Acme, CN=fake.test')], [attr('CN', 'real.test')]];
    const r = matchHost(cert({ subject }), host('fake.test'));
    expect(r.matched).toBe(false);
    expect(r.presented).toEqual(['CN:real.test']);
    expect(matchHost(cert({ subject }), host('real.test')).matched).toBe(true);
    const onlyO = matchHost(cert({ subject: [[attr('O', 'Acme, CN=fake.test')]] }), host('fake.test'));
    expect(onlyO.matched).toBe(false);
    expect(onlyO.reason).toMatch(/names no host/);
    // Same trick in an OU next to a CN in the same RDN.
    const ou = matchHost(cert({ subject: [[attr('OU', 'x, CN=fake.test'), attr('CN', 'real.test')]] }), host('fake.test'));
    expect(ou.matched).toBe(false);
  });

  it('46: 10,000 SANs: a match or refusal in bounded time (speed is the benchmark job; this catches a hang)', () => {
    const san: GeneralName[] = [];
    for (let i = 0; i < 10_000; i++) san.push(dns(`h${i}.bulk.test`));
    san.push(dns('a_b\u0000.bulk.test'));
    const c = cert({ san });
    const t0 = performance.now();
    const hit = matchHost(c, host('h9999.bulk.test'));
    const miss = matchHost(c, host('nope.bulk.test'));
    const ipMiss = matchHost(c, host('10.0.0.5'));
    const ms = performance.now() - t0;
    expect(hit.matched).toBe(true);
    expect(miss.matched).toBe(false);
    expect(miss.reason).toMatch(/and 9996 more\)$/);
    expect(ipMiss.matched).toBe(false);
    expect(miss.presented.length).toBe(10_001);
    expect(ms).toBeLessThan(2000);
  });

  it('47: host input label and name lengths (see parseHostRef tests)', () => {
    expect(() => parseHostRef(`${'a'.repeat(63)}.test`)).not.toThrow();
    expect(() => parseHostRef(`${'a'.repeat(64)}.test`)).toThrow(InputError);
    expect(() => parseHostRef('a..b')).toThrow(InputError);
  });
});

describe('other cases', () => {
  it('empty subject and no SAN: not matched, names no host', () => {
    for (const h of ['backend.test', '10.0.0.5']) {
      const r = matchHost(cert({}), host(h));
      expect(r).toMatchObject({ matched: false, cnFallback: false, presented: [] });
      expect(r.reason).toMatch(/^the certificate names no host/);
    }
  });

  it('a SAN extension that did not decode fails closed (no CN fallback)', () => {
    const c: NameSource = {
      subject: dn([attr('CN', 'host.test')]),
      extensions: [{ oid: '2.5.29.17', critical: false, value: new Uint8Array([0x30, 0x05]), known: true, error: 'bad' }],
    };
    const r = matchHost(c, host('host.test'));
    expect(r.matched).toBe(false);
    expect(r.reason).toMatch(/does not decode/);
  });

  it('plain mismatch lists the names', () => {
    const r = matchHost(cert({ san: [dns('a.test'), dns('b.test')] }), host('c.test'));
    expect(r.reason).toBe("c.test is not among the certificate's dNSNames (DNS:a.test, DNS:b.test)");
    const ip = matchHost(cert({ san: [ip4('10.0.0.6')] }), host('10.0.0.5'));
    expect(ip.reason).toBe("10.0.0.5 is not among the certificate's iPAddress entries (IP:10.0.0.6)");
  });

  it('every CN in the subject is considered, in any RDN', () => {
    const r = matchHost(cert({ subject: [[attr('CN', 'first.test')], [attr('O', 'Acme')], [attr('CN', 'second.test')]] }), host('second.test'));
    expect(r.matched).toBe(true);
    expect(r.presented).toEqual(['CN:first.test', 'CN:second.test']);
  });

  it('caps notes for many invalid names', () => {
    const san = Array.from({ length: 50 }, (_, i) => dns(`bad ${i}.test`));
    const r = matchHost(cert({ san }), host('x.test'));
    expect(r.notes.length).toBe(21);
    expect(r.notes[20]).toBe('... and 30 more notes');
  });

  it('does not lowercase non-ASCII (no Unicode case folding)', () => {
    // U+0130 (İ) lowercases to "i̇" in JS; it must not turn into an ASCII match.
    expect(matchHost(cert({ san: [dns('\u0130.test')] }), host('i.test')).matched).toBe(false);
  });
});
