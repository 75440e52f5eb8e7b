/**
 * Issue 18, item 5: right advice in the edge cases, each through the built CLI (bin/certcheck.js
 * in a child process, so the loopback servers here answer while it runs). Certificates are made
 * with the openssl CLI in a temporary directory (EC P-256, so the 12-certificate chain is quick).
 *  1. A valid 12-certificate chain is Unknown at certcheck's depth limit, and nothing on it is
 *     called extra: the fix is a shorter issuance path, never removing a certificate of the path.
 *  2. A self-signed leaf uploaded as its own trusted root: the fix is a CA of one's own (or a
 *     self-signed CA certificate), not "install the intermediates".
 *  3. export-root on a backend that serves one self-signed certificate: that certificate is the
 *     root (a CA is exported; a non-CA is refused with the reason), never "the root was not sent".
 *  4. rotate with --trusted-root and no root in the new file: says whether that root anchors the
 *     new chain, never "no root today".
 *  5. One position on serving the root, the same words in findings, bundle and rotate.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import tls from 'node:tls';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRoot } from '../../src/bundle.js';
import { ROOT_SERVING } from '../../src/model/catalog.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/certcheck.js');
const dir = mkdtempSync(join(tmpdir(), 'certcheck-advice-'));
const f = (n: string) => join(dir, n);

interface Run { code: number; stdout: string; stderr: string }

/** The built CLI in a child process; asynchronous, so this process's loopback servers can answer. */
function cli(args: string[]): Promise<Run> {
  return new Promise((ok) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
      (e, stdout, stderr) => ok({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr }));
  });
}

function ossl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}
function key(name: string): void {
  ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
}
function selfSigned(name: string, subj: string, ext: string[]): void {
  key(name);
  ossl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', subj, '-days', '300', '-sha256', ...ext.flatMap((e) => ['-addext', e]), '-out', `${name}.pem`]);
}
function signed(name: string, subj: string, issuer: string, ext: string, serial: number): void {
  key(name);
  ossl(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`]);
  writeFileSync(f(`${name}.ext`), ext);
  ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', String(serial),
    '-days', '300', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
}
const pem = (n: string) => readFileSync(f(`${n}.pem`), 'utf8');
const chain = (file: string, names: string[]) => { writeFileSync(f(file), names.map(pem).join('')); return f(file); };

const CA_ROOT = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const LEAF_EXT = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:backend.test\nauthorityKeyIdentifier=keyid\n';
const SUBJ = (cn: string) => `/O=certcheck advice/CN=${cn}`;
const DN = (cn: string) => `CN=${cn}, O=certcheck advice`;
/** The ten intermediates, top (issued by the root) first. */
const INTS = Array.from({ length: 10 }, (_, i) => `int${String(i + 1).padStart(2, '0')}`);

/** A TLS backend on 127.0.0.1 that sends exactly `certs` and answers 200. */
async function backend(keyName: string, certs: string[]): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const app = http.createServer((_q, r) => { r.writeHead(200, { connection: 'close' }); r.end('ok\n'); });
  const server = tls.createServer({ key: readFileSync(f(`${keyName}.key`)), cert: certs.map(pem).join('') }, (s) => { app.emit('connection', s); });
  server.on('tlsClientError', () => undefined);
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

interface Finding { code: string; severity: string; explanation: string; fix?: string; gatewayMessageId?: string; certIndex?: number; evidence: Record<string, unknown> }
const codes = (fs: Finding[]) => fs.map((x) => x.code);
const STACK = /\n\s+at .+[(:]\d+:\d+\)?/;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) {
    await new Promise<void>((ok, fail) => execFile('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 }, (e, out, err) => (e ? fail(new Error(`${out}${err}`)) : ok())));
  }
  selfSigned('root', SUBJ('Advice Root'), CA_ROOT);
  INTS.forEach((n, i) => signed(n, SUBJ(`Advice ${n}`), i === 0 ? 'root' : INTS[i - 1]!, CA_EXT, 0x100 + i));
  signed('deepleaf', SUBJ('backend.test'), INTS[9]!, LEAF_EXT, 0x200);
  signed('leaf', SUBJ('backend.test'), 'int01', LEAF_EXT, 0x201);
  signed('leaf2', SUBJ('backend.test'), 'int01', LEAF_EXT, 0x202);
  selfSigned('otherroot', SUBJ('Advice Other Root'), CA_ROOT);
  signed('otherint', SUBJ('Advice Other Int'), 'otherroot', CA_EXT, 0x300);
  signed('otherleaf', SUBJ('backend.test'), 'otherint', LEAF_EXT, 0x301);
  selfSigned('unrelated', SUBJ('Advice Unrelated CA'), CA_ROOT);
  selfSigned('ssleaf', SUBJ('backend.test'), ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', 'subjectAltName=DNS:backend.test']);
  selfSigned('ssca', SUBJ('backend.test'), ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature,keyCertSign', 'extendedKeyUsage=serverAuth', 'subjectAltName=DNS:backend.test']);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('1. a valid chain deeper than certcheck\'s limit', () => {
  it('leaf + 10 intermediates + root, all valid and anchored: Unknown, the fix is a shorter issuance path, nothing on the path called extra', async () => {
    // leaf, int10 … int01, root: 12 certificates, each issued by the next.
    const file = chain('deep12.pem', ['deepleaf', ...[...INTS].reverse(), 'root']);
    // The chain is valid: OpenSSL (default depth 100) verifies it.
    writeFileSync(f('deep-untrusted.pem'), [...INTS].reverse().map(pem).join(''));
    expect(execFileSync('openssl', ['verify', '-CAfile', f('root.pem'), '-untrusted', f('deep-untrusted.pem'), f('deepleaf.pem')], { encoding: 'utf8' })).toMatch(/: OK/);

    const j = await cli(['verify', file, '--trusted-root', f('root.pem'), '--host', 'backend.test', '--json']);
    expect(j.code, j.stderr).toBe(3);
    const r = JSON.parse(j.stdout) as { status: string; chain: { presented: unknown[] }; findings: Finding[] };
    expect(r.status).toBe('Unknown');
    expect(r.chain.presented).toHaveLength(12);
    expect(codes(r.findings)).toContain('CHAIN_TOO_LONG');
    expect(codes(r.findings)).not.toContain('CHAIN_EXTRA_CERT');
    const tooLong = r.findings.find((x) => x.code === 'CHAIN_TOO_LONG')!;
    expect(tooLong.fix).toContain('Keep every certificate of this path');
    expect(tooLong.fix).toContain('shorter issuance path');
    for (const x of r.findings) expect(x.fix ?? '', x.code).not.toMatch(/\bremove\b/i);

    const t = await cli(['verify', file, '--trusted-root', f('root.pem'), '--host', 'backend.test']);
    expect(t.code).toBe(3);
    expect(t.stdout).toContain('Fix: Keep every certificate of this path in the chain the backend sends; removing one breaks it.');
    expect(t.stdout).not.toMatch(/Remove certificates|CHAIN_EXTRA_CERT/);
    // The root above the cut is on the chain, not an extra: the text and the JSON say so.
    expect(t.stdout).toMatch(/\[11\] CN=Advice Root[^\n]*\(on the chain, beyond the depth limit\)/);
    expect(t.stdout).not.toContain('(not on the path)');
    expect((r.chain as { beyondDepthLimit?: number[] }).beyondDepthLimit).toEqual([11]);
  });

  it('a certificate that is really not on the path is still called extra', async () => {
    const file = chain('deep12-extra.pem', ['deepleaf', ...[...INTS].reverse(), 'root', 'unrelated']);
    const j = await cli(['verify', file, '--trusted-root', f('root.pem'), '--host', 'backend.test', '--json']);
    const r = JSON.parse(j.stdout) as { findings: Finding[] };
    const extra = r.findings.filter((x) => x.code === 'CHAIN_EXTRA_CERT');
    expect(extra.map((x) => [x.certIndex, x.evidence.subject])).toEqual([[12, DN('Advice Unrelated CA')]]);
  });
});

describe('2. a self-signed leaf uploaded as its own trusted root', () => {
  it('M8 as the docs say, and the fix is a CA of your own, not installing intermediates', async () => {
    const j = await cli(['verify', f('ssleaf.pem'), '--trusted-root', f('ssleaf.pem'), '--host', 'backend.test', '--json']);
    expect(j.code).toBe(1);
    const r = JSON.parse(j.stdout) as { status: string; messageId: string; findings: Finding[] };
    expect(r.status).toBe('Unhealthy');
    expect(r.messageId).toBe('M8');
    const only = r.findings.find((x) => x.code === 'CHAIN_ONLY_LEAF')!;
    expect(only.evidence).toMatchObject({ selfSigned: true, inTrustStore: true });
    expect(only.explanation).toContain('it is self-signed and not a CA. It is itself a trusted root here');
    expect(only.explanation).toContain('even when the certificate itself is uploaded as a trusted root');
    expect(only.explanation).not.toContain('neither sent nor a trusted root');
    expect(only.fix).not.toMatch(/intermediate/i);
    expect(only.fix).toContain('create a root CA certificate with basicConstraints CA:TRUE, sign the server certificate with it');
    expect(only.fix).toContain('upload the root (.CER) to the backend setting\'s trusted root certificates');
    expect(only.fix).toContain('Generate an Azure Application Gateway self-signed certificate with a custom root CA');

    const t = await cli(['verify', f('ssleaf.pem'), '--trusted-root', f('ssleaf.pem'), '--host', 'backend.test']);
    expect(t.stdout).toContain('Fix: Issue the backend\'s certificate from a CA of your own');
    expect(t.stdout).not.toContain('Install the intermediate certificate(s)');
  });

  it('not uploaded: the same fix; a leaf that lacks its intermediate still gets "install the intermediates"', async () => {
    const j = await cli(['verify', f('ssleaf.pem'), '--trusted-root', f('root.pem'), '--host', 'backend.test', '--json']);
    const only = (JSON.parse(j.stdout) as { findings: Finding[] }).findings.find((x) => x.code === 'CHAIN_ONLY_LEAF')!;
    expect(only.evidence).toMatchObject({ selfSigned: true, inTrustStore: false });
    expect(only.fix).toContain('Issue the backend\'s certificate from a CA of your own');
    const leafOnly = await cli(['verify', f('leaf.pem'), '--trusted-root', f('root.pem'), '--host', 'backend.test', '--json']);
    const m8 = (JSON.parse(leafOnly.stdout) as { findings: Finding[] }).findings.find((x) => x.code === 'CHAIN_ONLY_LEAF')!;
    expect(m8.fix).toContain('Install the intermediate certificate(s) from your CA');
  });

  it('the alternative the fix names holds: a self-signed CA certificate uploaded as itself is Healthy', async () => {
    const r = await cli(['verify', f('ssca.pem'), '--trusted-root', f('ssca.pem'), '--host', 'backend.test']);
    expect(r.stdout).toContain('Gateway: Healthy');
    expect(r.code).toBe(0);
  });
});

describe('3. export-root on a backend serving one self-signed certificate', () => {
  it('a self-signed certificate that is not a CA: nothing written, and why (not "the root was not sent")', async () => {
    const b = await backend('ssleaf', ['ssleaf']);
    try {
      const out = f('exported-ssleaf.cer');
      const r = await cli(['export-root', `127.0.0.1:${b.port}`, '--sni', 'backend.test', '--output', out]);
      expect(r.code).toBe(1);
      expect(existsSync(out)).toBe(false);
      expect(r.stderr).toContain(`certcheck export-root: warning: the server's only certificate "${DN('backend.test')}" is self-signed but not a CA, so nothing was written: uploading it as a trusted root will not make the backend healthy, because the gateway treats a self-signed certificate that is not a CA`);
      expect(r.stderr).toContain('Issue the backend\'s certificate from a CA of your own');
      expect(r.stderr).not.toContain('does not send the root');
      const j = await cli(['export-root', `127.0.0.1:${b.port}`, '--sni', 'backend.test', '--json']);
      // stdout carries only the JSON document (issue 18 item 4), which says why nothing was written.
      const o = JSON.parse(j.stdout) as { root: unknown; missingIssuer: unknown; selfSigned: { subject: string; ca: boolean }; pem: unknown };
      expect(o).toMatchObject({ kind: 'export-root', root: null, missingIssuer: null, selfSigned: { subject: DN('backend.test'), ca: false }, pem: null });
      const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
      const schema = (n: string) => JSON.parse(readFileSync(resolve(import.meta.dirname, '..', '..', 'schema', `${n}.schema.json`), 'utf8')) as object;
      ajv.addSchema(schema('report'));
      const validate = ajv.compile(schema('export-root'));
      expect(validate(o) ? [] : validate.errors).toEqual([]);
    } finally { await b.close(); }
  });

  it('a self-signed CA certificate: it is the root, exported as sent', async () => {
    const b = await backend('ssca', ['ssca']);
    try {
      const out = f('exported-ssca.cer');
      const r = await cli(['export-root', `127.0.0.1:${b.port}`, '--sni', 'backend.test', '--output', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`wrote ${out}: ${DN('backend.test')}`);
      expect(r.stdout).toContain('note: the server sends a single self-signed CA certificate: it is its own root, and that certificate is what was exported');
      expect(r.stdout).not.toContain('does not send the root');
      expect(readFileSync(out, 'utf8').replace(/\r/g, '')).toBe(pem('ssca').replace(/\r/g, ''));
    } finally { await b.close(); }
  });

  it('the ordinary case is unchanged: leaf + intermediate sent, the root from --trusted-root', async () => {
    const b = await backend('leaf', ['leaf', 'int01']);
    try {
      const r = await cli(['export-root', `127.0.0.1:${b.port}`, '--sni', 'backend.test', '--trusted-root', f('root.pem')]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('the server does not send the root; it was taken from the --trusted-root file');
    } finally { await b.close(); }
  });
});

describe('3. findRoot (the library call behind export-root)', () => {
  const fixture = (n: string) => new Uint8Array(readFileSync(join(ROOT, `certs/out/pki/${n}.der`)));
  it('a lone self-signed CA is its own root, sent; a lone self-signed non-CA is no root, and says so', () => {
    const ca = findRoot({ certs: [fixture('root-a')] });
    expect(ca).toMatchObject({ root: { subject: 'CN=certcheck Test Root A, O=certcheck test' }, sent: true, missingIssuer: null, selfSigned: { ca: true } });
    const leaf = findRoot({ certs: [fixture('leaf-selfsigned')] });
    expect(leaf).toMatchObject({ root: null, sent: false, missingIssuer: null, selfSigned: { subject: 'CN=backend.test, O=certcheck test', ca: false } });
    // Uploaded as its own root it is still no root the gateway accepts.
    expect(findRoot({ certs: [fixture('leaf-selfsigned')], trustedRoots: [fixture('leaf-selfsigned')] })).toMatchObject({ root: null, selfSigned: { ca: false } });
    // An ordinary chain: no selfSigned, the root from the given roots.
    expect(findRoot({ certs: [fixture('leaf-a'), fixture('int-a')], trustedRoots: [fixture('root-a')] })).toMatchObject({ selfSigned: null, sent: false, fromTrustedRoots: true });
  });
});

describe('4. rotate with --trusted-root and no root in the new file', () => {
  let b: { port: number; close: () => Promise<void> };
  beforeAll(async () => { b = await backend('leaf', ['leaf', 'int01']); });
  afterAll(async () => { await b.close(); });
  const rotate = (file: string, root: string, json = false) =>
    cli(['rotate', file, '--backend', `127.0.0.1:${b.port}`, '--sni', 'backend.test', '--trusted-root', f(root), ...(json ? ['--json'] : [])]);

  it('leaf + intermediate under the given root: that root anchors the new chain; no bundle advice', async () => {
    const file = chain('new-li.pem', ['leaf2', 'int01']);
    const t = await rotate(file, 'root.pem');
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain(`Trusted root: the given trusted root "${DN('Advice Root')}" anchors the new chain.`);
    expect(t.stdout).toContain('Root: unchanged');
    expect(t.stdout).not.toMatch(/no root today|certcheck bundle/);
    const j = JSON.parse((await rotate(file, 'root.pem', true)).stdout) as { rotation: { trustedRootCheck: unknown; steps: { code: string }[] } };
    expect(j.rotation.trustedRootCheck).toMatchObject({ end: 'anchored', anchor: { subject: DN('Advice Root') }, missingIssuer: null });
    expect(j.rotation.steps.map((s) => s.code)).not.toContain('COMPLETE_CHAIN');
  });

  it('the leaf alone: the given root does not anchor it yet, and the line says where the chain stops', async () => {
    const t = await rotate(f('leaf2.pem'), 'root.pem');
    expect(t.code).toBe(1);
    expect(t.stdout).toContain(`Trusted root: the given trusted root "${DN('Advice Root')}" does not anchor the new chain yet: it stops at "${DN('backend.test')}", whose issuer "${DN('Advice int01')}" is neither in ${f('leaf2.pem')} nor a given trusted root.`);
    expect(t.stdout).toContain('Root: not compared: the new chain stops before its root');
    expect(t.stdout).not.toContain('no root today');
    // The chain really is incomplete: completing it is the right advice here.
    expect(t.stdout).toContain('Complete the chain first');
    const j = JSON.parse((await rotate(f('leaf2.pem'), 'root.pem', true)).stdout) as { rotation: { trustedRootCheck: unknown } };
    expect(j.rotation.trustedRootCheck).toMatchObject({ end: 'issuer-missing', anchor: null, top: { subject: DN('backend.test') }, missingIssuer: DN('Advice int01') });
  });

  it('a chain under another root: the given root does not anchor it, and the upload step names the other root', async () => {
    const file = chain('new-other.pem', ['otherleaf', 'otherint']);
    const t = await rotate(file, 'root.pem');
    expect(t.stdout).toContain(`Trusted root: the given trusted root "${DN('Advice Root')}" does not anchor the new chain yet: it stops at "${DN('Advice Other Int')}", whose issuer "${DN('Advice Other Root')}" is neither in ${file} nor a given trusted root.`);
    expect(t.stdout).toContain(`Upload the root that issued "${DN('Advice Other Int')}", named "${DN('Advice Other Root')}"`);
    expect(t.stdout).not.toContain('no root today');
  });
});

describe('5. one position on serving the root', () => {
  it('the same words in the finding, bundle (help and summary) and rotate; none says the root is not needed or left out', async () => {
    const outputs: string[] = [];
    const v = await cli(['verify', chain('li.pem', ['leaf', 'int01']), '--trusted-root', f('root.pem'), '--host', 'backend.test', '--json']);
    const notSent = (JSON.parse(v.stdout) as { findings: Finding[] }).findings.find((x) => x.code === 'CHAIN_ROOT_NOT_SENT')!;
    expect(notSent.fix).toBe(`Optional: ${ROOT_SERVING}.`);
    outputs.push(v.stdout);

    const bundleDir = mkdtempSync(join(dir, 'cas-'));
    writeFileSync(join(bundleDir, 'int.pem'), pem('int01'));
    writeFileSync(join(bundleDir, 'root.pem'), pem('root'));
    const bu = await cli(['bundle', f('leaf.pem'), '--intermediates', bundleDir, '--output', f('fullchain.pem')]);
    expect(bu.code, bu.stderr).toBe(0);
    expect(bu.stdout).toContain(`root "${DN('Advice Root')}" not included; --include-root adds it: ${ROOT_SERVING}`);
    outputs.push(bu.stdout);
    const help = await cli(['bundle', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('then the root with --include-root, as the gateway\'s documentation recommends');
    outputs.push(help.stdout);

    const b = await backend('leaf', ['leaf', 'int01']);
    try {
      const r = await cli(['rotate', chain('new-li2.pem', ['leaf2', 'int01']), '--backend', `127.0.0.1:${b.port}`, '--sni', 'backend.test', '--trusted-root', f('root.pem')]);
      expect(r.stdout).toContain(`then the root. ${ROOT_SERVING[0]!.toUpperCase()}${ROOT_SERVING.slice(1)}.`);
      outputs.push(r.stdout);
    } finally { await b.close(); }

    for (const o of outputs) {
      expect(o).not.toMatch(/does not need it|left out|root is not needed/);
      expect(o).not.toMatch(STACK);
    }
    expect(ROOT_SERVING).toContain('recommends serving the root too');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('Serving the root: one position everywhere');
  });
});
