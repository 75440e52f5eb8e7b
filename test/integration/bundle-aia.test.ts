/**
 * certcheck bundle --aia against a loopback HTTP server that plays the CA's web server: the
 * intermediate as DER, PEM and PKCS#7 (.p7c, made by openssl), the root as DER, and the hostile
 * answers (silence, a 2 MiB body, a redirect). Every request the server sees is logged so the
 * tests can tell "not fetched" from "fetched and refused".
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { buildBundleAia, type AiaFetch } from '../../src/bundle.js';
import { fetchHttp } from '../../src/capture/fetch.js';
import { runCli } from '../helpers/ci-cli.js';
import { allPemCerts } from '../helpers/openssl-pki.js';
import { generalName, makeCa, makeLeaf, oid, seq, type Built } from '../reliability/certgen.js';
import Ajv2020 from 'ajv/dist/2020.js';

// Every --json document these tests print also validates against schema/bundle.schema.json (its aia entries above all).
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
for (const n of ['report', 'bundle']) ajv.addSchema(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schema', `${n}.schema.json`), 'utf8')) as object);

const CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const hex = (bufs: Uint8Array[]) => bufs.map((b) => Buffer.from(b).toString('hex'));

let dir: string;
let server: http.Server;
const sockets = new Set<net.Socket>();
let base: string;
let port: number;
const requests: string[] = [];
const routes = new Map<string, (res: http.ServerResponse) => void>();

let root: ReturnType<typeof makeCa>;
let int: ReturnType<typeof makeCa>;

/** A leaf under `int` whose AIA lists these CA Issuers URLs, written to a PEM file. */
function leafWith(name: string, urls: string[]): { file: string; cert: Built } {
  const value = seq(...urls.map((u) => seq(oid(CA_ISSUERS), generalName(`URI:${u}`))));
  const cert = makeLeaf(int.signer, { extra: [{ oid: '1.3.6.1.5.5.7.1.1', critical: false, value }] });
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, cert.pem);
  return { file, cert };
}

interface BundleJson { complete: boolean; missingIssuer: string | null; chain: { role: string; sha256: string }[]; aia: AiaFetch[]; warnings: string[] }

async function bundle(leafFile: string, extra: string[] = []) {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.pem`);
  const t0 = Date.now();
  // The responders are loopback listeners: an internal PKI, so the flag is needed.
  const r = await runCli(['bundle', leafFile, '--aia', '--allow-internal-fetch', '--output', out, ...extra]);
  const ms = Date.now() - t0;
  const json = extra.includes('--json') ? JSON.parse(r.stdout) as BundleJson : undefined;
  if (json) {
    const valid = ajv.getSchema('urn:certcheck:schema:bundle:1')!;
    expect(valid(json) ? [] : valid.errors).toEqual([]);
  }
  return { ...r, ms, json, written: allPemCerts(readFileSync(out, 'utf8')) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certcheck-aia-'));
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const h = routes.get(req.url ?? '');
    if (h) h(res);
    else { res.writeHead(404, { connection: 'close' }); res.end('not here\n'); }
  });
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r, j) => { server.once('error', j); server.listen(0, '127.0.0.1', () => r()); });
  port = (server.address() as net.AddressInfo).port;
  base = `http://127.0.0.1:${port}`;

  root = makeCa([['CN', 'AIA Test Root']], 'self');
  int = makeCa([['CN', 'AIA Test Intermediate']], root.signer, { aiaCaIssuers: `${base}/root.der` });
  writeFileSync(join(dir, 'int.pem'), int.pem);
  execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'int.pem'), '-outform', 'DER', '-out', join(dir, 'int.p7c')]);
  const p7c = readFileSync(join(dir, 'int.p7c'));

  const send = (type: string, body: Uint8Array | string) => (res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': type, connection: 'close' });
    res.end(body);
  };
  routes.set('/int.der', send('application/pkix-cert', int.der));
  routes.set('/int.pem', send('application/x-pem-file', int.pem));
  routes.set('/int.p7c', send('application/pkcs7-mime', p7c));
  routes.set('/root.der', send('application/pkix-cert', root.der));
  routes.set('/big', send('application/octet-stream', Buffer.concat([int.der, Buffer.alloc(2 * 1024 * 1024 - int.der.length)])));
  routes.set('/redirect', (res) => { res.writeHead(302, { location: `${base}/int.der`, connection: 'close' }); res.end(); });
  routes.set('/silent', () => undefined);
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => { requests.length = 0; });

describe('bundle --aia', () => {
  test.each(['int.der', 'int.p7c', 'int.pem'])('intermediate served as %s: leaf + intermediate written, chain complete', async (path) => {
    const leaf = leafWith(`leaf-${path}`, [`${base}/${path}`]);
    const r = await bundle(leaf.file, ['--json']);
    expect(r.code).toBe(0);
    expect(hex(r.written)).toEqual(hex([leaf.cert.der, int.der]));
    expect(r.json!.complete).toBe(true);
    // The intermediate's own AIA led to the root, which ended the chain and was left out of the file.
    expect(requests).toEqual([`/${path}`, '/root.der']);
    expect(r.json!.aia).toEqual([
      { url: `${base}/${path}`, for: 'CN=backend.test, O=certcheck test', fetched: true, status: 200, bytes: expect.any(Number) as number, certificates: 1, error: null },
      { url: `${base}/root.der`, for: 'CN=AIA Test Intermediate', fetched: true, status: 200, bytes: root.der.length, certificates: 1, error: null },
    ]);
  });

  test('text output reports each fetch', async () => {
    const leaf = leafWith('leaf-text', [`${base}/int.der`]);
    const r = await bundle(leaf.file);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`aia: GET ${base}/int.der (for "CN=backend.test, O=certcheck test"): HTTP 200, ${int.der.length} bytes, 1 certificate`);
    expect(r.stdout).toContain(`aia: GET ${base}/root.der`);
    expect(r.stdout).not.toContain('warning:');
  });

  test('without --aia nothing is fetched and the chain stays incomplete', async () => {
    const leaf = leafWith('leaf-noaia', [`${base}/int.der`]);
    const out = join(dir, 'noaia.pem');
    const r = await runCli(['bundle', leaf.file, '--output', out]);
    expect(r.code).toBe(1);
    expect(requests).toEqual([]);
    expect(r.stdout).toContain('or try --aia');
  });

  test('a silent server: the fetch ends at its 5 s deadline, incomplete, exit 1, bounded', async () => {
    const leaf = leafWith('leaf-silent', [`${base}/silent`]);
    const r = await bundle(leaf.file, ['--json']);
    expect(r.code).toBe(1);
    expect(r.json!.complete).toBe(false);
    expect(hex(r.written)).toEqual(hex([leaf.cert.der]));
    expect(r.json!.aia).toHaveLength(1);
    expect(r.json!.aia[0]!.error).toMatch(/deadline/);
    expect(r.json!.aia[0]!.status).toBeNull();
    expect(r.ms).toBeGreaterThanOrEqual(4500);
    expect(r.ms).toBeLessThan(8000);
  }, 20_000);

  test('a 2 MiB body is refused by the 1 MiB cap', async () => {
    const leaf = leafWith('leaf-big', [`${base}/big`]);
    const r = await bundle(leaf.file, ['--json']);
    expect(r.code).toBe(1);
    expect(r.json!.complete).toBe(false);
    expect(r.json!.aia[0]).toMatchObject({ url: `${base}/big`, fetched: true, status: 200, bytes: null, certificates: 0 });
    expect(r.json!.aia[0]!.error).toMatch(/larger than 1048576 bytes/);
  });

  test('a 302 is reported, not followed', async () => {
    const leaf = leafWith('leaf-redirect', [`${base}/redirect`]);
    const r = await bundle(leaf.file, ['--json']);
    expect(r.code).toBe(1);
    expect(requests).toEqual(['/redirect']);
    expect(r.json!.aia[0]).toMatchObject({ status: 302, certificates: 0 });
    expect(r.json!.aia[0]!.error).toMatch(/302.*not followed/);
  });

  test('https:// and file:// URLs are reported and not fetched; a later http:// URL still completes the chain', async () => {
    writeFileSync(join(dir, 'int.der'), int.der);
    const leaf = leafWith('leaf-schemes', [`https://127.0.0.1:${port}/int.der`, `file://${join(dir, 'int.der')}`, `${base}/int.der`]);
    const r = await bundle(leaf.file, ['--json']);
    expect(r.code).toBe(0);
    expect(requests).toEqual(['/int.der', '/root.der']);
    const [https, file] = r.json!.aia;
    expect(https).toMatchObject({ fetched: false, status: null, certificates: 0, error: expect.stringMatching(/only http:\/\/.*https:/) as string });
    expect(file).toMatchObject({ fetched: false, status: null, certificates: 0, error: expect.stringMatching(/only http:\/\/.*file:/) as string });
    expect(r.json!.aia.slice(2).map((a) => a.url)).toEqual([`${base}/int.der`, `${base}/root.der`]);
  });

  test('only an https:// URL: nothing requested, incomplete', async () => {
    const leaf = leafWith('leaf-https', [`https://127.0.0.1:${port}/int.der`]);
    const r = await bundle(leaf.file);
    expect(r.code).toBe(1);
    expect(requests).toEqual([]);
    expect(r.stdout).toMatch(/aia: skipped https:\/\/127\.0\.0\.1:\d+\/int\.der .*only http:\/\//);
    expect(r.stdout).toContain('warning: the chain is incomplete');
  });

  test('a response that is not a certificate is reported', async () => {
    const leaf = leafWith('leaf-404', [`${base}/nothing`]);
    routes.set('/junk', (res) => { res.writeHead(200, { connection: 'close' }); res.end('<html>hello</html>'); });
    const junk = leafWith('leaf-junk', [`${base}/junk`]);
    const a = await bundle(leaf.file, ['--json']);
    expect(a.json!.aia[0]).toMatchObject({ status: 404, error: 'HTTP status 404' });
    const b = await bundle(junk.file, ['--json']);
    expect(b.code).toBe(1);
    expect(b.json!.aia[0]).toMatchObject({ status: 200, certificates: 0, error: expect.stringMatching(/not a certificate/) as string });
  });
});

describe('buildBundleAia budgets', () => {
  test('at most 5 requests, however many URLs the certificate lists', async () => {
    const leaf = leafWith('leaf-many', Array.from({ length: 8 }, (_, i) => `${base}/missing-${i}`));
    const { result, fetches } = await buildBundleAia({ certs: [leaf.cert.der] }, { allowInternalFetch: true });
    expect(result.complete).toBe(false);
    expect(requests).toEqual([0, 1, 2, 3, 4].map((i) => `/missing-${i}`));
    expect(fetches).toHaveLength(5);
  });

  test('the overall deadline bounds several silent URLs', async () => {
    const leaf = leafWith('leaf-silent-many', [`${base}/silent`, `${base}/silent?2`, `${base}/silent?3`]);
    routes.set('/silent?2', () => undefined);
    routes.set('/silent?3', () => undefined);
    const t0 = Date.now();
    const { result, fetches } = await buildBundleAia({ certs: [leaf.cert.der] }, { perFetchMs: 400, overallMs: 700, allowInternalFetch: true });
    const ms = Date.now() - t0;
    expect(result.complete).toBe(false);
    // The first request gets its full 400 ms, the second only what is left of the 700.
    expect(fetches.map((f) => f.url)).toEqual([`${base}/silent`, `${base}/silent?2`]);
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(ms).toBeLessThan(1500);
  });
});

describe('fetchHttp', () => {
  test('malformed and unreachable URLs are results, not exceptions', async () => {
    const deadline = Date.now() + 2000;
    const o = { deadline, allowInternalFetch: true };
    expect(await fetchHttp('not a url', o)).toMatchObject({ ok: false, error: expect.stringMatching(/not a valid URL/) as string });
    expect(await fetchHttp('ldap:///CN=x', o)).toMatchObject({ ok: false, error: expect.stringMatching(/ldap:/) as string });
    expect(await fetchHttp('http://bad\u0001host/x', o)).toMatchObject({ ok: false });
    // A closed port on loopback: refused.
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const closed = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    expect(await fetchHttp(`http://127.0.0.1:${closed}/x`, o)).toMatchObject({ ok: false, error: expect.stringMatching(/^TCP:/) as string });
  });

  test('a body exactly at the cap is accepted, one byte more is refused; --resolve pins a name', async () => {
    routes.set('/ten', (res) => { res.writeHead(200, { connection: 'close' }); res.end(Buffer.alloc(10, 1)); });
    const deadline = Date.now() + 2000;
    const resolve = new Map([['ca.example.test', '127.0.0.1']]);
    const ok = await fetchHttp(`http://ca.example.test:${port}/ten`, { deadline, maxBytes: 10, resolve, allowInternalFetch: true });
    expect(ok).toMatchObject({ ok: true, status: 200 });
    expect(ok.body).toHaveLength(10);
    const over = await fetchHttp(`${base}/ten`, { deadline, maxBytes: 9, allowInternalFetch: true });
    expect(over).toMatchObject({ ok: false, status: 200 });
    expect(over.body).toBeUndefined();
  });
});
