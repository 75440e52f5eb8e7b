/**
 * Host names as OpenSSL's host check compares them (issue 15 item 4): trailing dot, letter case and
 * U-labels. The table is what `openssl verify -verify_hostname HOST` said (OpenSSL 3.0.19) for
 * self-signed certificates made with `openssl req -x509 -addext subjectAltName=DNS:NAME`; when an
 * openssl binary is on PATH the rows are measured again here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matchHost, parseHostRef, type NameSource } from '../../src/x509/names.js';

// [dNSName in the certificate, host given to -verify_hostname, openssl verify said OK]
const MEASURED: [string, string, boolean][] = [
  ['www.example.com', 'www.example.com', true],
  ['www.example.com', 'WWW.EXAMPLE.COM', true],
  ['www.example.com', 'www.example.com.', false],
  ['www.example.com', 'Www.Example.Com.', false],
  ['www.example.com.', 'www.example.com', false],
  ['www.example.com.', 'WWW.EXAMPLE.COM', false],
  ['www.example.com.', 'www.example.com.', true],
  ['www.example.com.', 'Www.Example.Com.', true],
  ['WWW.EXAMPLE.COM', 'www.example.com', true],
  ['WWW.EXAMPLE.COM', 'www.example.com.', false],
  ['xn--bcher-kva.example', 'xn--bcher-kva.example', true],
  ['xn--bcher-kva.example', 'XN--BCHER-KVA.EXAMPLE', true],
  ['xn--bcher-kva.example', 'bücher.example', false],
  ['xn--bcher-kva.example', 'BÜCHER.example', false],
  ['*.example.com', 'www.example.com', true],
  ['*.example.com', 'WWW.EXAMPLE.COM', true],
  ['*.example.com', 'www.example.com.', false],
  ['*.example.com.', 'www.example.com', false],
  ['*.example.com.', 'www.example.com.', false],
  ['a_b.example', 'a_b.example', true],
];

const leaf = (dnsName: string): NameSource => ({
  subjectAltName: [{ type: 'dns', value: dnsName }],
  subject: { der: new Uint8Array([0x30, 0x00]), rdns: [], text: '' },
});

describe('host names as OpenSSL compares them (measured with openssl verify -verify_hostname)', () => {
  it.each(MEASURED)('DNS:%s vs host %s → %s', (san, host, ok) => {
    expect(matchHost(leaf(san), parseHostRef(host)).matched).toBe(ok);
  });

  it('a miss caused only by the trailing dot or by U-labels says so', () => {
    expect(matchHost(leaf('www.example.com'), parseHostRef('www.example.com.')).reason)
      .toBe('www.example.com. ends with a dot and DNS:www.example.com does not: OpenSSL\'s host check compares the trailing dot as written (configure www.example.com)');
    expect(matchHost(leaf('www.example.com.'), parseHostRef('www.example.com')).reason)
      .toBe('DNS:www.example.com. ends with a dot and www.example.com does not: OpenSSL\'s host check compares the trailing dot as written');
    expect(matchHost(leaf('*.example.com'), parseHostRef('www.example.com.')).reason).toMatch(/ends with a dot and DNS:\*\.example\.com does not/);
    expect(matchHost(leaf('*.example.com.'), parseHostRef('www.example.com.')).reason)
      .toBe('DNS:*.example.com. ends with a dot, so OpenSSL\'s host check reads it as literal text, not as a wildcard');
    expect(matchHost(leaf('*.shop.example'), parseHostRef('bücher.shop.example')).reason)
      .toMatch(/^DNS:\*\.shop\.example names the A-label form xn--bcher-kva\.shop\.example, but bücher\.shop\.example is compared as given/);
  });

  const openssl = (() => { try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  const dir = mkdtempSync(join(tmpdir(), 'certcheck-host-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const made = new Map<string, string>();
  const certFor = (san: string): string => {
    let file = made.get(san);
    if (file) return file;
    file = join(dir, `c${made.size}.pem`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, `c${made.size}.key`), '-out', file, '-days', '30', '-subj', '/CN=host-check',
      '-addext', `subjectAltName=DNS:${san}`], { stdio: 'ignore' });
    made.set(san, file);
    return file;
  };
  it.runIf(openssl)('openssl verify on this machine agrees with the table', () => {
    for (const [san, host, ok] of MEASURED) {
      const file = certFor(san);
      let said: boolean;
      try { execFileSync('openssl', ['verify', '-CAfile', file, '-verify_hostname', host, file], { stdio: 'ignore' }); said = true; } catch { said = false; }
      expect(said, `openssl verify -verify_hostname ${host} on DNS:${san}`).toBe(ok);
    }
  }, 30_000);
});
