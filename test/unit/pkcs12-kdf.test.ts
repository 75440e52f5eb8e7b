/**
 * Issue 15 (item 5): PKCS#12 key derivation at a speed that opens real high-iteration files. A
 * password that answers without asking (env, file) is tried first, so a right one costs one
 * derivation, and the RFC 7292 hash loop runs without an allocation per iteration. The files are
 * made by openssl here; what they open to is checked against the PEM they were made from.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeCertificates } from '../../src/x509/decode.js';

const FORMATS = join(import.meta.dirname, '..', '..', 'certs', 'out', 'formats');
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-p12-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function pfx(name: string, pass: string, extra: string[]): Uint8Array {
  const out = join(tmp, name);
  execFileSync('openssl', ['pkcs12', '-export', '-in', join(FORMATS, 'chain.pem'), '-inkey', join(FORMATS, 'leaf.key'), '-passout', `pass:${pass}`, '-out', out, ...extra], { stdio: 'pipe' });
  return new Uint8Array(readFileSync(out));
}
const chainDers = () => [...readFileSync(join(FORMATS, 'chain.pem'), 'utf8').matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64').toString('hex'));

describe('PKCS#12 key derivation', () => {
  test('a 2,500,000-iteration file (SHA-256 MAC, PBES2) opens within the default deadline', { timeout: 60_000 }, async () => {
    const bytes = pfx('big.pfx', 'pw', ['-iter', '2500000']);
    const d = await decodeCertificates(bytes, 'big.pfx', { password: () => 'pw', passwordKnown: true });
    expect(d.kind).toBe('pkcs12');
    expect(d.certificates.map((c) => Buffer.from(c).toString('hex')).sort()).toEqual(chainDers().sort());
  });

  test('the SHA-1 loop (legacy MAC and PBE) agrees with OpenSSL: a -legacy file with 100,000 iterations opens', { timeout: 60_000 }, async () => {
    const bytes = pfx('legacy.pfx', 'pw', ['-legacy', '-iter', '100000']);
    const d = await decodeCertificates(bytes, 'legacy.pfx', { password: () => 'pw', passwordKnown: true });
    expect(d.certificates.map((c) => Buffer.from(c).toString('hex')).sort()).toEqual(chainDers().sort());
  });

  test('a known password is asked for once and tried first; an interactive one only after the empty forms', async () => {
    const bytes = pfx('small.pfx', 'secret', []);
    let asked = 0;
    await decodeCertificates(bytes, 'small.pfx', { password: () => { asked++; return 'secret'; }, passwordKnown: true });
    expect(asked).toBe(1);
    // An empty-password file still opens when a (wrong) password was given, as before.
    const empty = pfx('empty.pfx', '', []);
    const d = await decodeCertificates(empty, 'empty.pfx', { password: () => 'not-it', passwordKnown: true });
    expect(d.certificates.length).toBeGreaterThan(0);
    // Interactive: an empty-password file never prompts.
    let prompted = 0;
    await decodeCertificates(empty, 'empty.pfx', { password: () => { prompted++; return 'x'; } });
    expect(prompted).toBe(0);
  });

  test('a wrong known password is one clear error', async () => {
    const bytes = pfx('small2.pfx', 'secret', []);
    await expect(decodeCertificates(bytes, 'small2.pfx', { password: () => 'wrong', passwordKnown: true })).rejects.toThrow('small2.pfx: wrong password (PKCS#12 MAC check failed)');
  });
});
