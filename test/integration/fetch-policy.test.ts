/**
 * Issue 15, item 3: certificate-named URLs (AIA CA Issuers, OCSP, CRL) reach only public
 * addresses on ports 80 and 8080 unless --allow-internal-fetch / allowInternalFetch is given. A
 * loopback listener counts connections, so "refused" means no connection was made. Loopback only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBundleAia } from '../../src/bundle.js';
import { fetchHttp } from '../../src/capture/fetch.js';
import { checkRevocation } from '../../src/revocation/check.js';
import { ocspPost } from '../../src/revocation/fetch.js';
import { parseCertificate } from '../../src/x509/cert.js';
import { runCli } from '../helpers/ci-cli.js';
import { explicit, makeCa, makeLeaf, oid, seq, tlv } from '../reliability/certgen.js';

const FLAG = /--allow-internal-fetch/;
let server: http.Server;
let port = 0;
let connections = 0;
const sockets = new Set<net.Socket>();
let dir = '';
let root: ReturnType<typeof makeCa>;
let int: ReturnType<typeof makeCa>;

const uri = (s: string) => tlv(0x86, Buffer.from(s, 'latin1'));
const aiaExt = (method: '1' | '2', urls: string[]) => ({ oid: '1.3.6.1.5.5.7.1.1', critical: false, value: seq(...urls.map((u) => seq(oid(`1.3.6.1.5.5.7.48.${method}`), uri(u)))) });
const crlExt = (urls: string[]) => ({ oid: '2.5.29.31', critical: false, value: seq(...urls.map((u) => seq(explicit(0, explicit(0, uri(u)))))) });
const deadline = () => Date.now() + 3000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certcheck-fetch-policy-'));
  root = makeCa([['CN', 'Policy Root']], 'self');
  int = makeCa([['CN', 'Policy Int']], root.signer);
  server = http.createServer((req, res) => {
    if (req.url === '/int.der') { res.end(int.der); return; }
    res.writeHead(404).end();
  });
  server.on('connection', (s) => { connections++; sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => { connections = 0; });

describe('fetchHttp and ocspPost', () => {
  it('a loopback listener is refused without the flag (no connection), fetched with it', async () => {
    const url = `http://127.0.0.1:${port}/int.der`;
    const refused = await fetchHttp(url, { deadline: deadline() });
    expect(refused).toMatchObject({ ok: false, error: expect.stringMatching(FLAG) as string });
    const post = await ocspPost(url, new Uint8Array([0x30, 0]), { deadline: deadline() });
    expect(post).toMatchObject({ ok: false, method: 'POST', error: expect.stringMatching(FLAG) as string });
    expect(connections).toBe(0);
    const allowed = await fetchHttp(url, { deadline: deadline(), allowInternalFetch: true });
    expect(allowed).toMatchObject({ ok: true, status: 200 });
    expect(connections).toBe(1);
  });

  it('internal addresses on the allowed ports are refused by address, before any connection', async () => {
    const cases: [string, RegExp][] = [
      ['http://127.0.0.1/x', /127\.0\.0\.1 is a loopback address/],
      ['http://[::1]:8080/x', /::1 is a loopback address/],
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
      ['http://10.1.2.3:8080/ocsp', /10\.1\.2\.3 is a private address/],
      ['http://0.0.0.0/', /unspecified/],
      ['http://224.0.0.1/', /multicast/],
    ];
    for (const [url, why] of cases) {
      const r = await fetchHttp(url, { deadline: deadline() });
      expect(r.error, url).toMatch(why);
      expect(r.error, url).toMatch(FLAG);
    }
  });

  it('a name that --resolve pins to loopback is refused too; port 8443 is refused', async () => {
    const resolve = new Map([['ca.example.test', '127.0.0.1'], ['pub.example.test', '93.184.216.34']]);
    const pinned = await fetchHttp('http://ca.example.test:8080/int.der', { deadline: deadline(), resolve });
    expect(pinned.error).toMatch(/127\.0\.0\.1 is a loopback address.*--allow-internal-fetch/);
    // A public address on port 8443: refused by port, before DNS and before any connection.
    const p8443 = await fetchHttp('http://pub.example.test:8443/x', { deadline: deadline(), resolve });
    expect(p8443.error).toMatch(/port 8443 is not 80 or 8080.*--allow-internal-fetch/);
    // With the flag, the pinned name reaches the listener.
    const ok = await fetchHttp(`http://ca.example.test:${port}/int.der`, { deadline: deadline(), resolve, allowInternalFetch: true });
    expect(ok).toMatchObject({ ok: true });
    expect(connections).toBe(1);
  });

  it('a URL with control characters is never fetched, flag or not', async () => {
    const r = await fetchHttp(`http://127.0.0.1:${port}/int.der\n::error::x`, { deadline: deadline(), allowInternalFetch: true });
    expect(r.error).toMatch(/control characters/);
    expect(connections).toBe(0);
  });
});

describe('OCSP, CRL and AIA under the policy', () => {
  it('checkRevocation: a refused responder is the usual soft-fail warning naming the flag', async () => {
    const leaf = makeLeaf(int.signer, { extra: [aiaExt('1', [`http://127.0.0.1:${port}/ocsp`]), crlExt([`http://127.0.0.1:${port}/int.crl`])] });
    const path = [parseCertificate(leaf.der), parseCertificate(int.der), parseCertificate(root.der)];
    const out = await checkRevocation({ mode: 'all', path, at: new Date('2030-01-01T00:00:00Z') });
    const checks = out.report.certificates[0]!.checks;
    expect(checks.map((c) => [c.source, c.status])).toEqual([['ocsp', 'unreachable'], ['crl', 'unreachable']]);
    for (const c of checks) expect(c.detail).toMatch(FLAG);
    const unreachable = out.findings.filter((f) => f.code === 'REVOCATION_UNREACHABLE');
    expect(unreachable).toHaveLength(2);
    for (const f of unreachable) expect(f.severity).toBe('warning');
    expect(out.findings.some((f) => f.severity === 'error')).toBe(false);
    expect(connections).toBe(0);
    const allowed = await checkRevocation({ mode: 'all', path, at: new Date('2030-01-01T00:00:00Z'), allowInternalFetch: true });
    expect(connections).toBeGreaterThan(0);
    for (const c of allowed.report.certificates[0]!.checks) expect(c.detail ?? '').not.toMatch(FLAG);
  });

  it('bundle --aia: refused without --allow-internal-fetch (the summary names it), fetched with it', async () => {
    const leaf = makeLeaf(int.signer, { extra: [aiaExt('2', [`http://127.0.0.1:${port}/int.der`])] });
    const file = join(dir, 'leaf.pem');
    writeFileSync(file, leaf.pem);
    const refused = await runCli(['bundle', file, '--aia', '--output', join(dir, 'a.pem')]);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/aia: GET http:\/\/127\.0\.0\.1:\d+\/int\.der .*port \d+ is not 80 or 8080.*--allow-internal-fetch/);
    expect(connections).toBe(0);
    const allowed = await runCli(['bundle', file, '--aia', '--allow-internal-fetch', '--output', join(dir, 'b.pem')]);
    expect(allowed.stdout + allowed.stderr).toMatch(/aia: GET http:\/\/127\.0\.0\.1:\d+\/int\.der .*HTTP 200, \d+ bytes, 1 certificate/);
    expect(connections).toBe(1);
    const lib = await buildBundleAia({ certs: [leaf.der] });
    expect(lib.fetches[0]!.error).toMatch(FLAG);
  });

  it('the decoder escapes AIA and CRL URIs and keeps the raw text for fetching', () => {
    const hostile = 'http://ca.test/\n::add-mask::x\u0085';
    const c = parseCertificate(makeLeaf(int.signer, { extra: [aiaExt('2', [hostile]), crlExt([hostile])] }).der);
    expect(c.aia?.caIssuers).toEqual(['http://ca.test/\\u000a::add-mask::x\\u0085']);
    expect(c.aia?.raw?.caIssuers).toEqual([hostile]);
    expect(c.crlDistributionPoints).toEqual(['http://ca.test/\\u000a::add-mask::x\\u0085']);
    expect(c.crlDistributionPointsRaw).toEqual([hostile]);
  });
});
