/** Issue 15, item 3: which addresses and ports a certificate-named URL may reach (pure). */
import { describe, expect, it } from 'vitest';
import {
  ALLOW_INTERNAL_FETCH_FLAG, escapeControls, fetchAddressRefusal, fetchPortRefusal, fetchUrlTextRefusal, internalAddressClass,
} from '../../src/capture/fetch-policy.js';
import { neutralize } from '../../src/render/junit.js';
import { escapeText } from '../../src/x509/cert.js';

describe('internalAddressClass', () => {
  const table: [string, string | undefined][] = [
    ['127.0.0.1', 'loopback'], ['127.255.255.254', 'loopback'], ['::1', 'loopback'], ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'], ['100.127.255.255', 'shared (CGNAT)'],
    ['fc00::1', 'private'], ['fd12:3456::1', 'private'], ['fec0::1', 'private'],
    ['169.254.169.254', 'link-local'], ['169.254.0.1', 'link-local'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf::1', 'link-local'],
    ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'], ['240.0.0.1', 'reserved'], ['not-an-ip', 'reserved'],
    // IPv4 inside IPv6 reaches the IPv4 address.
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:a9fe:a9fe', 'link-local'], ['::ffff:10.1.2.3', 'private'], ['64:ff9b::a9fe:a9fe', 'link-local'],
    // Public unicast.
    ['8.8.8.8', undefined], ['172.32.0.1', undefined], ['172.15.255.255', undefined], ['100.128.0.1', undefined], ['100.63.255.255', undefined],
    ['169.255.0.1', undefined], ['192.169.0.1', undefined], ['11.0.0.1', undefined], ['223.255.255.255', undefined],
    ['2001:db8::1', undefined], ['2606:4700::1111', undefined], ['::ffff:8.8.8.8', undefined], ['fe00::1', undefined],
  ];
  for (const [address, cls] of table) it(`${address} → ${cls ?? 'public'}`, () => expect(internalAddressClass(address)).toBe(cls));
});

describe('refusal texts', () => {
  it('name the flag, the address and its class', () => {
    expect(fetchAddressRefusal('169.254.169.254')).toBe(`not fetched: 169.254.169.254 is a link-local address; certificate-named URLs are fetched from public addresses only unless ${ALLOW_INTERNAL_FETCH_FLAG} is given`);
    expect(fetchAddressRefusal('::1')).toContain('a loopback address');
    expect(fetchAddressRefusal('fd00::1')).toContain('--allow-internal-fetch');
    expect(fetchAddressRefusal('93.184.216.34')).toBeUndefined();
  });
  it('ports 80 and 8080 only', () => {
    expect(fetchPortRefusal(80)).toBeUndefined();
    expect(fetchPortRefusal(8080)).toBeUndefined();
    for (const p of [8443, 443, 22, 6379, 1]) expect(fetchPortRefusal(p)).toMatch(/^not fetched: port \d+ is not 80 or 8080; .*--allow-internal-fetch/);
  });
  it('a URL with controls, spaces, separators, bidi or backslashes is never fetched', () => {
    for (const u of ['http://x/\n::error::x', 'http://x/\r', 'http://x/\t', 'http://x/a b', 'http://x/\u0085', 'http://x/\u2028', 'http://x/\u202e', 'http://x\\@y/', 'http://x/\u0000'])
      expect(fetchUrlTextRefusal(u), JSON.stringify(u)).toMatch(/control characters/);
    expect(fetchUrlTextRefusal('http://crl.example.com/ca.crl?x=1%0A')).toBeUndefined();
    expect(fetchUrlTextRefusal('http://x.test/\u00e9')).toBeUndefined();
  });
});

describe('escaping', () => {
  it('escapeText escapes U+2028, U+2029, U+061C and the bidi controls, as \\uXXXX', () => {
    expect(escapeText('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(escapeText('\u061c\u200e\u200f\u202a\u202e\u2066\u2069')).toBe('\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069');
    expect(escapeText('\n\u0085\\')).toBe('\\u000a\\u0085\\\\');
    expect(escapeText('http://crl.example.com/ca.crl')).toBe('http://crl.example.com/ca.crl');
  });
  it('the JUnit renderer\'s neutralize escapes U+2028/U+2029 and U+061C too', () => {
    expect(neutralize('a\u2028b\u2029c\u061c')).toBe('a\\u2028b\\u2029c\\u061c');
  });
  it('escapeControls leaves backslashes (already-quoted text) alone', () => {
    expect(escapeControls('"a\\"b"\n\u2028')).toBe('"a\\"b"\\u000a\\u2028');
  });
});
