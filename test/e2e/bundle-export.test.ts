/**
 * certcheck bundle and certcheck export-root end to end through the CLI, against loopback
 * backends built from the committed test PKI: the fixed chain must make a re-probe Healthy, and
 * the exported root must be the exact certificate, readable by openssl as a .cer.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CERTS_DIR, closedPort, fixtureKey, fixturePem, startBackend, type BackendSpec } from '../../src/fixtures.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';
import type { Report } from '../../src/model/report.js';
import { allPemCerts } from '../helpers/openssl-pki.js';
import { assertValidReport } from '../helpers/report-schema.js';
import { runCli } from '../helpers/ci-cli.js';

const PKI = `${CERTS_DIR}out/pki`;
const der = (name: string) => readFileSync(`${PKI}/${name}.der`);
const hex = (bufs: Buffer[]) => bufs.map((b) => b.toString('hex'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let dir: string;
let cas: string;
const closers: (() => Promise<void>)[] = [];
const f = (name: string) => join(dir, name);

async function backend(spec: BackendSpec): Promise<number> {
  const b = await startBackend(spec);
  closers.push(() => b.close());
  return b.port;
}

/** Serve a PEM file exactly as written, with a key, on 127.0.0.1. */
async function serveFile(certFile: string, keyPem: string): Promise<number> {
  const sockets = new Set<net.Socket>();
  const app = http.createServer((_q, res) => { res.writeHead(200, { connection: 'close' }); res.end('ok\n'); });
  const server = tls.createServer({ key: keyPem, cert: readFileSync(certFile, 'utf8') }, (s) => { app.emit('connection', s); });
  server.on('tlsClientError', () => undefined);
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r, j) => { server.once('error', j); server.listen(0, '127.0.0.1', () => r()); });
  closers.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return (server.address() as net.AddressInfo).port;
}

async function probeJson(port: number, extra: string[] = []): Promise<{ code: number; report: Report }> {
  const r = await runCli([`127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--timeout', '5', '--format', 'json', ...extra]);
  const report = JSON.parse(r.stdout) as Report;
  assertValidReport(report, `probe ${port}`);
  return { code: r.code, report };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certcheck-bundle-'));
  cas = f('cas');
  mkdirSync(cas);
  // The CA directory an operator might have: the right intermediate, a same-name distractor with
  // another key, other chains' CAs, an expired intermediate, a root, and files that are not certificates.
  for (const n of ['int-a2', 'int-a', 'int-b', 'int-expired', 'root-a', 'root-b']) copyFileSync(`${PKI}/${n}.pem`, join(cas, `${n}.crt`));
  copyFileSync(`${PKI}/int-ec.der`, join(cas, 'int-ec.cer'));
  writeFileSync(join(cas, 'README.txt'), 'these are our CA certificates\n');
  copyFileSync(`${CERTS_DIR}out/formats/chain.pfx`, join(cas, 'locked.pfx'));
  mkdirSync(join(cas, 'subdir'));
});

afterAll(async () => {
  for (const c of closers) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('certcheck bundle', () => {
  test('leaf file + --intermediates: leaf then its issuer, the root only with --include-root', async () => {
    const r = await runCli(['bundle', `${PKI}/leaf-a.pem`, '--intermediates', cas, '--output', f('fullchain.pem')]);
    expect(r.code).toBe(0);
    expect(hex(allPemCerts(readFileSync(f('fullchain.pem'), 'utf8')))).toEqual(hex([der('leaf-a'), der('int-a')]));
    expect(r.stdout).toContain(`certcheck bundle: wrote ${f('fullchain.pem')} (2 certificates, leaf first):`);
    expect(r.stdout).toContain('root "CN=certcheck Test Root A, O=certcheck test" not included; --include-root adds it: the gateway\'s documentation recommends serving the root too');
    expect(r.stdout).toMatch(/warning: skipped .*locked\.pfx: /);
    expect(r.stdout).toMatch(/warning: skipped .*README\.txt: not a certificate/);

    const withRoot = await runCli(['bundle', `${PKI}/leaf-a.pem`, '--intermediates', cas, '--include-root', '--output', f('fullchain-root.pem')]);
    expect(withRoot.code).toBe(0);
    expect(hex(allPemCerts(readFileSync(f('fullchain-root.pem'), 'utf8')))).toEqual(hex([der('leaf-a'), der('int-a'), der('root-a')]));
  });

  test('a chain file in the wrong order comes out in issuer order; without --output the PEM goes to stdout', async () => {
    writeFileSync(f('backwards.pem'), fixturePem('root-a') + fixturePem('int-a') + fixturePem('leaf-a'));
    const r = await runCli(['bundle', f('backwards.pem'), '--include-root']);
    expect(r.code).toBe(0);
    expect(hex(allPemCerts(r.stdout))).toEqual(hex([der('leaf-a'), der('int-a'), der('root-a')]));
    expect(r.stdout.startsWith('-----BEGIN CERTIFICATE-----\n')).toBe(true);
    expect(r.stderr).toContain('(3 certificates, leaf first)');
  });

  test('a missing issuer is reported, exit 1, and the partial chain says so', async () => {
    const r = await runCli(['bundle', `${PKI}/leaf-ec.pem`, '--intermediates', cas, '--output', f('partial.pem'), '--json']);
    // int-ec (a DER .cer) is in the directory, its root is not: whether more is missing is unknown.
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { complete: boolean; chain: { role: string }[]; missingIssuer: string | null };
    expect(j.complete).toBe(false);
    expect(j.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate']);
    expect(j.missingIssuer).toBe('CN=certcheck Test Root EC P-256, O=certcheck test');
    const none = await runCli(['bundle', `${PKI}/leaf-b.pem`, '--output', f('alone.pem')]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('warning: the chain is incomplete: no certificate issued "CN=backend.test, O=certcheck test" (its issuer is "CN=certcheck Test Intermediate B, O=certcheck test")');
    expect(hex(allPemCerts(readFileSync(f('alone.pem'), 'utf8')))).toEqual(hex([der('leaf-b')]));
  });

  test('a leaf-only backend: bundle from the live backend, serve the result, and the re-probe is Healthy', async () => {
    const port = await backend({ served: ['leaf-a'] });
    const before = await probeJson(port);
    expect(before.code).toBe(1);
    expect(before.report.primary?.code).toBe('CHAIN_ONLY_LEAF');
    expect(before.report.message).toBe(GATEWAY_MESSAGES[before.report.messageId!].text);

    const r = await runCli(['bundle', `127.0.0.1:${port}`, '--sni', 'backend.test', '--intermediates', cas, '--output', f('fixed.pem')]);
    expect(r.code).toBe(0);
    expect(hex(allPemCerts(readFileSync(f('fixed.pem'), 'utf8')))).toEqual(hex([der('leaf-a'), der('int-a')]));

    const fixed = await serveFile(f('fixed.pem'), fixtureKey('leaf-a'));
    const after = await probeJson(fixed);
    expect(after.code).toBe(0);
    expect(after.report.status).toBe('Healthy');
    expect(after.report.chain?.presented.map((c) => c.sha256)).toEqual([sha(der('leaf-a')), sha(der('int-a'))]);
  });

  test('input errors: no such leaf file, --intermediates not a directory', async () => {
    const a = await runCli(['bundle', f('nope.pem')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('nope.pem: no such file');
    const b = await runCli(['bundle', `${PKI}/leaf-a.pem`, '--intermediates', `${PKI}/int-a.pem`]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('not a directory');
  });
});

describe('certcheck export-root', () => {
  const fingerprint = (file: string) => execFileSync('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' }).trim().split('=')[1]!.replace(/:/g, '').toLowerCase();

  test('the server sends its root: that root, as a Base-64 .cer openssl reads', async () => {
    const port = await backend({ served: ['leaf-b', 'int-b', 'root-b'] });
    const r = await runCli(['export-root', `127.0.0.1:${port}`, '--sni', 'backend.test', '--output', f('root-b.cer')]);
    expect(r.code).toBe(0);
    const text = readFileSync(f('root-b.cer'), 'utf8');
    expect(text).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
    expect(hex(allPemCerts(text))).toEqual(hex([der('root-b')]));
    expect(fingerprint(f('root-b.cer'))).toBe(sha(der('root-b')));
    expect(r.stdout).toContain(`wrote ${f('root-b.cer')}: CN=certcheck Test Root B, O=certcheck test`);
    expect(r.stdout).toContain('upload this file to the backend setting');
    expect(r.stdout).not.toContain('does not send the root');
  });

  test('the server does not send its root: taken from --trusted-root, with a note', async () => {
    const port = await backend({ served: ['leaf-a', 'int-a'] });
    const r = await runCli(['export-root', `127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--trusted-root', `${PKI}/root-b.pem`, '--output', f('root-a.cer')]);
    expect(r.code).toBe(0);
    expect(fingerprint(f('root-a.cer'))).toBe(sha(der('root-a')));
    expect(r.stdout).toContain('the server does not send the root; it was taken from the --trusted-root file');
  });

  test('the root is neither sent nor in any store given: a warning, exit 1, nothing written', async () => {
    const port = await backend({ served: ['leaf-a', 'int-a'] });
    const r = await runCli(['export-root', `127.0.0.1:${port}`, '--sni', 'backend.test', '--output', f('none.cer')]);
    expect(r.code).toBe(1);
    expect(existsSync(f('none.cer'))).toBe(false);
    expect(r.stderr).toContain('warning: the server does not send the root and it is in no store given: "CN=certcheck Test Intermediate A, O=certcheck test" is issued by "CN=certcheck Test Root A, O=certcheck test"');
  });

  test('from a chain file; without --output the .cer goes to stdout; a well-known root says so', async () => {
    writeFileSync(f('b-chain.pem'), fixturePem('leaf-b') + fixturePem('int-b') + fixturePem('root-b'));
    const r = await runCli(['export-root', f('b-chain.pem')]);
    expect(r.code).toBe(0);
    expect(hex(allPemCerts(r.stdout))).toEqual(hex([der('root-b')]));
    expect(r.stderr).toContain('CN=certcheck Test Root B, O=certcheck test');
    // A public root (the first of Node's bundled store) is found and flagged as already trusted.
    writeFileSync(f('public.pem'), tls.rootCertificates[0]!);
    const p = await runCli(['export-root', f('public.pem'), '--json']);
    expect(p.code).toBe(0);
    // --json: stdout carries only the JSON document, the .cer as its "pem" field.
    expect(p.stderr).toBe('');
    const j = JSON.parse(p.stdout) as { root: { inStore: boolean; sent: boolean }; notes: string[]; pem: string };
    expect(j.root).toMatchObject({ inStore: true, sent: true });
    expect(hex(allPemCerts(j.pem))).toEqual(hex(allPemCerts(tls.rootCertificates[0]!)));
    expect(j.notes.join(' ')).toContain('the gateway trusts it already');
  });
});

describe('a live backend that sends no chain (captureChain)', () => {
  test('bundle and export-root say which stage failed and exit 1, writing nothing', async () => {
    const port = await closedPort();
    for (const cmd of ['bundle', 'export-root']) {
      const r = await runCli([cmd, `127.0.0.1:${port}`, '--timeout', '5']);
      expect(r.code, cmd).toBe(1);
      expect(r.stdout, cmd).toBe('');
      expect(r.stderr, cmd).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}: no certificate chain captured \\(TCP refused ECONNREFUSED: `));
    }
  });
});
