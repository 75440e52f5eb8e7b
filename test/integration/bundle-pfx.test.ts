/**
 * certcheck bundle --format pfx: the PKCS#12 we write must read back through our own decoder and
 * through openssl 3 (certificates in order, the same key), and every missing or wrong input is a
 * usage error (exit 2) that writes nothing and echoes no key material.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CERTS_DIR } from '../../src/fixtures.js';
import { decodeCertificates } from '../../src/x509/decode.js';
import { writePfx } from '../../src/x509/pfx-write.js';
import { allPemCerts } from '../helpers/openssl-pki.js';
import { runCli } from '../helpers/ci-cli.js';

const PKI = `${CERTS_DIR}out/pki`;
const KEYS = `${CERTS_DIR}keys`;
const PASS = 'pfx-Pässwort 1';
const env = { PFX_PASS: PASS };
const der = (name: string) => readFileSync(`${PKI}/${name}.der`);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const spki = (k: KeyObject) => sha(createPublicKey(k).export({ type: 'spki', format: 'der' }));
const leafKey = () => createPrivateKey(readFileSync(`${KEYS}/leaf-a.key.pem`));

let dir: string;
let chainPem: string;
const f = (name: string) => join(dir, name);

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certcheck-pfx-'));
  // leaf-a, its issuer and the root (so the chain is complete); the root is written only with --include-root.
  chainPem = f('in.pem');
  writeFileSync(chainPem, ['leaf-a', 'int-a', 'root-a'].map((n) => readFileSync(`${PKI}/${n}.pem`, 'utf8')).join(''));
  writeFileSync(f('pass.txt'), `${PASS}\n`);
});

afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('certcheck bundle --format pfx', () => {
  test('writes a PKCS#12 that decodes back to the same chain and key, owner-only', async () => {
    const out = f('out.pfx');
    const r = await runCli(['bundle', chainPem, '--format', 'pfx', '--key', `${KEYS}/leaf-a.key.pem`, '--password-env', 'PFX_PASS', '--output', out], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`certcheck bundle: wrote ${out} (PKCS#12 with the private key, 2 certificates, leaf first):`);
    expect(r.stdout).not.toContain('PRIVATE KEY');
    expect(statSync(out).mode & 0o077).toBe(0);

    const bytes = new Uint8Array(readFileSync(out));
    const d = await decodeCertificates(bytes, 'x.pfx', { password: () => PASS });
    expect(d.kind).toBe('pkcs12');
    expect(d.certificates.map(sha)).toEqual([der('leaf-a'), der('int-a')].map(sha));
    expect(d.privateKey).toBeDefined();
    expect(spki(d.privateKey!)).toBe(spki(leafKey()));
    await expect(decodeCertificates(bytes, 'x.pfx', { password: () => 'wrong' })).rejects.toThrow();
  });

  test('openssl pkcs12 reads it: -nokeys gives the certificates, -nocerts -nodes the key; MAC and PBES2 as OpenSSL 3 writes', async () => {
    const out = f('openssl.pfx');
    const r = await runCli(['bundle', chainPem, '--format', 'pfx', '--key', `${KEYS}/leaf-a.key.pem`, '--password-file', f('pass.txt'), '--output', out, '--include-root'], env);
    expect(r.code).toBe(0);
    const certs = openssl(['pkcs12', '-in', out, '-passin', `pass:${PASS}`, '-nokeys']);
    expect(allPemCerts(certs).map(sha)).toEqual([der('leaf-a'), der('int-a'), der('root-a')].map(sha));
    const keyPem = openssl(['pkcs12', '-in', out, '-passin', `pass:${PASS}`, '-nocerts', '-nodes']);
    expect(spki(createPrivateKey(keyPem))).toBe(spki(leafKey()));
    // `-info` reports the algorithms on stderr; openssl exits non-zero on a bad MAC.
    const infoErr = execFileSync('sh', ['-c', 'openssl pkcs12 -in "$1" -passin "pass:$2" -info -noout 2>&1', 'sh', out, PASS], { encoding: 'utf8' });
    expect(infoErr).toContain('MAC: sha256, Iteration 2048');
    expect(infoErr).toContain('PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256');
    expect(infoErr).toContain('Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC');
    expect(() => openssl(['pkcs12', '-in', out, '-passin', 'pass:not-it', '-nokeys'])).toThrow();
  });

  test('writePfx: iterations and friendlyName reach the file; an EC key round-trips', async () => {
    const bytes = await writePfx({ certs: [der('leaf-ec')], key: createPrivateKey(readFileSync(`${KEYS}/leaf-ec.key.pem`)), password: PASS, iterations: 4000, friendlyName: 'orders' });
    const out = f('ec.pfx');
    writeFileSync(out, bytes);
    const info = execFileSync('sh', ['-c', 'openssl pkcs12 -in "$1" -passin "pass:$2" -info -nodes 2>&1', 'sh', out, PASS], { encoding: 'utf8' });
    expect(info).toContain('MAC: sha256, Iteration 4000');
    expect(info).toContain('friendlyName: orders');
    expect(info).toMatch(/localKeyID: [0-9A-F ]+/);
    const d = await decodeCertificates(bytes, 'ec.pfx', { password: () => PASS });
    expect(d.certificates.map(sha)).toEqual([sha(der('leaf-ec'))]);
    expect(spki(d.privateKey!)).toBe(spki(createPrivateKey(readFileSync(`${KEYS}/leaf-ec.key.pem`))));
  });

  test('a key that is not the leaf\'s is exit 2, names the leaf, echoes no key, writes nothing', async () => {
    const out = f('wrong.pfx');
    const r = await runCli(['bundle', chainPem, '--format', 'pfx', '--key', `${KEYS}/leaf-b.key.pem`, '--password-env', 'PFX_PASS', '--output', out], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the private key does not match the leaf certificate');
    expect(r.stderr + r.stdout).not.toMatch(/PRIVATE KEY|MII/);
    expect(r.stderr).not.toContain(PASS);
    expect(existsSync(out)).toBe(false);
  });

  test.each([
    ['no password source', ['--key', `${KEYS}/leaf-a.key.pem`, '--output', 'np.pfx'], {}, /--password-env VAR or --password-file FILE/],
    ['password variable unset', ['--key', `${KEYS}/leaf-a.key.pem`, '--output', 'unset.pfx', '--password-env', 'NOPE'], {}, /NOPE is not set/],
    ['empty password', ['--key', `${KEYS}/leaf-a.key.pem`, '--output', 'empty.pfx', '--password-env', 'PFX_PASS'], { PFX_PASS: '' }, /password is empty/],
    ['no --output', ['--key', `${KEYS}/leaf-a.key.pem`, '--password-env', 'PFX_PASS'], env, /--output FILE is required/],
    ['no --key', ['--output', 'nokey.pfx', '--password-env', 'PFX_PASS'], env, /--key FILE is required/],
  ] as const)('%s → exit 2, nothing written', async (_name, extra, e, msg) => {
    const args = extra.map((a) => (a.endsWith('.pfx') ? f(a) : a));
    const r = await runCli(['bundle', chainPem, '--format', 'pfx', ...args], e);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stdout).toBe('');
    for (const a of args) if (a.endsWith('.pfx')) expect(existsSync(a)).toBe(false);
  });

  test('--format other than pem|pfx, and --key without pfx, are usage errors; pem stays the default', async () => {
    expect((await runCli(['bundle', chainPem, '--format', 'der'])).code).toBe(2);
    expect((await runCli(['bundle', chainPem, '--key', `${KEYS}/leaf-a.key.pem`])).code).toBe(2);
    const r = await runCli(['bundle', chainPem]);
    expect(r.code).toBe(0);
    expect(allPemCerts(r.stdout).map(sha)).toEqual([der('leaf-a'), der('int-a')].map(sha));
  });
});
