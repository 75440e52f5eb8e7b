/**
 * Revocation against real responders on loopback: OCSP answered by `openssl ocsp -index` (behind a
 * 127.0.0.1 HTTP front, see below), CRLs from `openssl ca -gencrl` served by a node HTTP server,
 * stapling by `openssl s_server -status_file`, and a silent responder that must cost no more than
 * its deadline. Everything listens on 127.0.0.1 and is closed in afterAll.
 *
 * Why not `openssl ocsp -port`: in OpenSSL 3.0 `-port` takes a bare number and binds [::] (all
 * interfaces); `-port 127.0.0.1:N` is refused. To stay loopback-only, each request is handed to
 * `openssl ocsp -index … -reqin … -respout …`, i.e. the same responder code, one request at a time.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import type { Report } from '../../src/model/report.js';
import { probeBackend } from '../../src/probe.js';
import { checkRevocation, type RevocationReport } from '../../src/revocation/check.js';
import { parseCertificate } from '../../src/x509/cert.js';
import { makeRevPki, type RevCert, type RevPki } from '../helpers/revocation-pki.js';

let pki: RevPki;        // AIA/CDP point at the live responders
let silentPki: RevPki;  // OCSP at the silent server, CRL at a refused port
let ocspServer: http.Server, crlServer: http.Server, silentServer: net.Server;
const silentSockets = new Set<net.Socket>();
const log: { ocsp: string[]; crl: string[] } = { ocsp: [], crl: [] };
let rejectPost = false;
let refusedPort = 0;

function listen(s: net.Server): Promise<number> {
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
}
function close(s: net.Server | undefined): Promise<void> {
  return new Promise((r) => (s ? s.close(() => r()) : r()));
}

beforeAll(async () => {
  const responders: Record<string, () => { index: string; ca: RevCert; signer: RevCert }> = {
    '/root': () => ({ index: pki.index.root, ca: pki.root, signer: pki.root }),
    '/intA': () => ({ index: pki.index.intA, ca: pki.intA, signer: pki.ocspSigner }),
    '/intB': () => ({ index: pki.index.intB, ca: pki.intB, signer: pki.intB }),
  };
  let n = 0;
  ocspServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      const base = Object.keys(responders).find((k) => url === k || url.startsWith(`${k}/`));
      log.ocsp.push(`${req.method} ${base ?? url}`);
      if (!base || (req.method === 'POST' && rejectPost)) { res.writeHead(base ? 405 : 404).end(); return; }
      const body = req.method === 'POST' ? Buffer.concat(chunks) : Buffer.from(decodeURIComponent(url.slice(base.length + 1)), 'base64');
      const r = responders[base]!();
      const id = n++;
      const reqFile = join(pki.dir, `srv-req-${id}.der`), respFile = join(pki.dir, `srv-resp-${id}.der`);
      writeFileSync(reqFile, body);
      execFile('openssl', ['ocsp', '-index', r.index, '-CA', r.ca.pem, '-rsigner', r.signer.pem, '-rkey', r.signer.key,
        '-reqin', reqFile, '-respout', respFile, '-ndays', '1'], { timeout: 10_000 }, (err) => {
        if (err) { res.writeHead(500).end(); return; }
        res.writeHead(200, { 'Content-Type': 'application/ocsp-response' }).end(readFileSync(respFile));
      });
    });
  });
  crlServer = http.createServer((req, res) => {
    log.crl.push(`${req.method} ${req.url}`);
    const file = ({ '/root.crl': pki.crl.root, '/intA.crl': pki.crl.intA, '/intB.crl': pki.crl.intB } as Record<string, string>)[req.url ?? ''];
    if (!file) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': 'application/pkix-crl' }).end(readFileSync(file));
  });
  silentServer = net.createServer((s) => { silentSockets.add(s); s.on('close', () => silentSockets.delete(s)); s.on('error', () => undefined); });
  const [oPort, cPort, sPort] = await Promise.all([listen(ocspServer), listen(crlServer), listen(silentServer)]);
  const tmp = net.createServer();
  refusedPort = await listen(tmp);
  await close(tmp);
  const o = `http://127.0.0.1:${oPort}`, c = `http://127.0.0.1:${cPort}`;
  pki = makeRevPki({ rootOcsp: `${o}/root`, intAOcsp: `${o}/intA`, intBOcsp: `${o}/intB`, rootCrl: `${c}/root.crl`, intACrl: `${c}/intA.crl`, intBCrl: `${c}/intB.crl` });
  const s = `http://127.0.0.1:${sPort}/ocsp`, dead = `http://127.0.0.1:${refusedPort}/x.crl`;
  silentPki = makeRevPki({ rootOcsp: s, intAOcsp: s, intBOcsp: s, rootCrl: dead, intACrl: dead, intBCrl: dead });
}, 90_000);

afterAll(async () => {
  for (const s of silentSockets) s.destroy();
  await Promise.all([close(ocspServer), close(crlServer), close(silentServer)]);
  pki?.cleanup();
  silentPki?.cleanup();
});

/** `openssl s_server -status_file` on 127.0.0.1 serving leaf + chain; stop() waits for the process to exit. */
async function sServer(p: RevPki, leaf: RevCert, chain: RevCert[], statusFile?: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const chainFile = join(p.dir, `chain-${leaf.name}-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(chainFile, chain.map((c) => c.pemText).join(''));
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await (async () => { const t = net.createServer(); const q = await listen(t); await close(t); return q; })();
    const proc: ChildProcess = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', leaf.pem, '-key', leaf.key, '-cert_chain', chainFile,
      ...(statusFile ? ['-status_file', statusFile] : []), '-no-CAfile', '-no-CApath', '-no-CAstore', '-www', '-quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const closed = new Promise<void>((r) => proc.once('close', () => r()));
    let alive = true;
    proc.once('exit', () => { alive = false; });
    const until = Date.now() + 5000;
    while (alive && Date.now() < until) {
      const ok = await new Promise<boolean>((r) => { const s = net.connect(port, '127.0.0.1'); s.once('connect', () => { s.destroy(); r(true); }); s.once('error', () => r(false)); });
      if (ok) return { port, stop: async () => { proc.kill(); await closed; } };
      await new Promise((r) => setTimeout(r, 30));
    }
    proc.kill();
    await closed;
  }
  throw new Error('s_server did not start');
}

type RevReport = Report & { revocation?: RevocationReport };

async function probe(p: RevPki, leaf: RevCert, chain: RevCert[], host: string, o: { statusFile?: string; revocation?: 'off' | 'staple' | 'ocsp' | 'crl' | 'all'; timeoutSeconds?: number } = {}): Promise<{ r: RevReport; ms: number }> {
  const srv = await sServer(p, leaf, chain, o.statusFile);
  try {
    const t0 = Date.now();
    const r = await probeBackend({ target: `127.0.0.1:${srv.port}`, sni: host, trustedRoots: [p.root.pemText], at: new Date(),
      timeoutSeconds: o.timeoutSeconds ?? 20, ...(o.revocation ? { revocation: o.revocation } : {}), allowInternalFetch: true }) as RevReport;
    return { r, ms: Date.now() - t0 };
  } finally {
    await srv.stop();
  }
}

const codes = (r: Report) => r.findings.map((f) => f.code);

describe('stapled OCSP (openssl s_server -status_file)', () => {
  it('a stapled good response: Healthy, staple good', async () => {
    const file = join(pki.dir, 'staple-good.der');
    writeFileSync(file, pki.ocspResponse(pki.leafGood, pki.intA, { signer: pki.ocspSigner }));
    const { r } = await probe(pki, pki.leafGood, [pki.intA], 'good.rev.test', { statusFile: file });
    expect(r.status, JSON.stringify(r.findings)).toBe('Healthy');
    expect(r.revocation?.staple).toBe('good');
    expect(codes(r)).toContain('REVOCATION_GOOD');
  }, 30_000);

  it('a stapled revoked response: Unhealthy, M15 with error code 23', async () => {
    const file = join(pki.dir, 'staple-revoked.der');
    writeFileSync(file, pki.ocspResponse(pki.leafRevoked, pki.intA));
    const { r } = await probe(pki, pki.leafRevoked, [pki.intA], 'revoked.rev.test', { statusFile: file });
    expect(r.status).toBe('Unhealthy');
    expect(r.primary?.code).toBe('CERT_REVOKED');
    expect(r.messageId).toBe('M15');
    expect(r.message).toMatch(/error code 23$/);
    expect(r.revocation?.staple).toBe('revoked');
    // Revocation off: the same backend is Healthy.
    const off = await probe(pki, pki.leafRevoked, [pki.intA], 'revoked.rev.test', { statusFile: file, revocation: 'off' });
    expect(off.r.status).toBe('Healthy');
    expect(off.r.revocation).toBeUndefined();
  }, 30_000);

  it('a staple for another certificate is a warning only', async () => {
    const file = join(pki.dir, 'staple-wrong.der');
    writeFileSync(file, pki.ocspResponse(pki.leafRevoked, pki.intA));
    const { r } = await probe(pki, pki.leafGood, [pki.intA], 'good.rev.test', { statusFile: file });
    expect(r.status).toBe('Healthy');
    expect(codes(r)).toContain('OCSP_STAPLE_INVALID');
  }, 30_000);
});

describe('OCSP and CRL fetched from the certificates\' URLs', () => {
  for (const mode of ['ocsp', 'crl'] as const) {
    it(`${mode}: revoked leaf, revoked intermediate, good chain`, async () => {
      log.ocsp.length = 0; log.crl.length = 0;
      const leaf = await probe(pki, pki.leafRevoked, [pki.intA], 'revoked.rev.test', { revocation: mode });
      expect(leaf.r.status).toBe('Unhealthy');
      expect(leaf.r.primary?.code).toBe('CERT_REVOKED');
      expect(leaf.r.primary?.certIndex).toBe(0);
      expect(leaf.r.primary?.openssl?.code).toBe(23);

      const int = await probe(pki, pki.leafB, [pki.intB], 'b.rev.test', { revocation: mode });
      expect(int.r.status).toBe('Unhealthy');
      expect(int.r.primary?.code).toBe('CERT_REVOKED');
      expect(int.r.primary?.certIndex).toBe(1);
      expect(int.r.revocation?.certificates.map((c) => c.status)).toEqual(['good', 'revoked']);

      const good = await probe(pki, pki.leafGood, [pki.intA], 'good.rev.test', { revocation: mode });
      expect(good.r.status, JSON.stringify(good.r.findings)).toBe('Healthy');
      expect(good.r.revocation?.certificates.map((c) => c.status)).toEqual(['good', 'good']);
      if (mode === 'ocsp') {
        expect(log.ocsp.filter((l) => l.startsWith('POST')).length).toBeGreaterThanOrEqual(6);
        expect(log.crl).toEqual([]);
      } else {
        expect(log.crl.length).toBeGreaterThanOrEqual(6);
        expect(log.ocsp).toEqual([]);
      }
    }, 60_000);
  }

  it('ocsp: falls back to GET when the responder refuses POST', async () => {
    log.ocsp.length = 0;
    rejectPost = true;
    try {
      const out = await checkRevocation({ allowInternalFetch: true, mode: 'ocsp', path: [pki.leafRevoked, pki.intA, pki.root].map((c) => parseCertificate(c.der)), at: new Date() });
      expect(out.report.certificates[0]!.status).toBe('revoked');
      expect(out.report.certificates[0]!.checks.find((c) => c.source === 'ocsp')?.method).toBe('GET');
      expect(log.ocsp).toContain('POST /intA');
      expect(log.ocsp).toContain('GET /intA');
    } finally {
      rejectPost = false;
    }
  }, 30_000);

  it('bodies over the size cap are refused (OCSP POST and CRL GET): unreachable, never parsed', async () => {
    const path = [pki.leafRevoked, pki.intA, pki.root].map((c) => parseCertificate(c.der));
    const out = await checkRevocation({ allowInternalFetch: true, mode: 'all', path, at: new Date(), maxBytes: 64 });
    expect(out.report.certificates.map((c) => c.status)).toEqual(['unchecked', 'unchecked']);
    const leafChecks = out.report.certificates[0]!.checks;
    expect(leafChecks.map((c) => `${c.source} ${c.status}`).sort()).toEqual(['crl unreachable', 'ocsp unreachable']);
    for (const c of leafChecks) expect(c.detail).toMatch(/larger than 64 bytes/);
    expect(out.findings.some((f) => f.severity === 'error')).toBe(false);
  }, 30_000);

  it('all: a definitive staple is not asked again; the CRLs are still fetched', async () => {
    log.ocsp.length = 0; log.crl.length = 0;
    const file = join(pki.dir, 'staple-good-all.der');
    writeFileSync(file, pki.ocspResponse(pki.leafGood, pki.intA));
    const { r } = await probe(pki, pki.leafGood, [pki.intA], 'good.rev.test', { statusFile: file, revocation: 'all' });
    expect(r.status).toBe('Healthy');
    expect(log.ocsp).toEqual(['POST /root']); // the intermediate only
    expect(log.crl.sort()).toEqual(['GET /intA.crl', 'GET /root.crl']);
  }, 30_000);
});

describe('unreachable and silent responders', () => {
  it('a silent OCSP responder and a refused CRL port cost at most the probe deadline and stay warnings', async () => {
    const { r, ms } = await probe(silentPki, silentPki.leafGood, [silentPki.intA], 'good.rev.test', { revocation: 'all', timeoutSeconds: 2 });
    expect(r.status, JSON.stringify(r.findings)).toBe('Healthy');
    expect(codes(r)).toContain('REVOCATION_UNREACHABLE');
    expect(r.findings.filter((f) => f.code === 'REVOCATION_UNREACHABLE').every((f) => f.severity === 'warning')).toBe(true);
    expect(ms).toBeLessThan(2000 + 1500);
    expect(ms).toBeGreaterThanOrEqual(1500); // it did wait for the silent responder, up to the deadline
  }, 30_000);

  it('each fetch has its own deadline (default 5 s) inside a longer probe timeout', async () => {
    const path = [silentPki.leafGood, silentPki.intA, silentPki.root].map((c) => parseCertificate(c.der));
    let t0 = Date.now();
    const short = await checkRevocation({ allowInternalFetch: true, mode: 'ocsp', path, at: new Date(), fetchTimeoutMs: 700, deadline: Date.now() + 30_000 });
    const shortMs = Date.now() - t0;
    expect(shortMs).toBeLessThan(700 + 800);
    expect(shortMs).toBeGreaterThanOrEqual(650);
    expect(short.report.certificates.map((c) => c.status)).toEqual(['unchecked', 'unchecked']);
    expect(short.report.certificates[0]!.checks[0]).toMatchObject({ source: 'ocsp', status: 'unreachable' });
    t0 = Date.now();
    const dflt = await probe(silentPki, silentPki.leafGood, [silentPki.intA], 'good.rev.test', { revocation: 'ocsp', timeoutSeconds: 30 });
    expect(dflt.r.status).toBe('Healthy');
    expect(dflt.ms).toBeGreaterThanOrEqual(4900);
    expect(dflt.ms).toBeLessThan(5000 + 2000);
  }, 30_000);
});

describe('CLI: --crl, --ocsp-response, --revocation', () => {
  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '', stderr = '';
    const io: CliIo = { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false };
    const code = await main(argv, io);
    return { code, stdout, stderr };
  }

  it('verify --crl / --ocsp-response offline', async () => {
    const ocspFile = join(pki.dir, 'cli-resp.der');
    writeFileSync(ocspFile, pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner }));
    const base = ['verify', pki.leafRevoked.pem, pki.intA.pem, '--trusted-root', pki.root.pem, '--host', 'revoked.rev.test', '--json'];
    const a = await run([...base, '--crl', pki.crl.intA]);
    expect(a.code, a.stderr).toBe(1);
    const ra = JSON.parse(a.stdout) as RevReport;
    expect(ra.primary?.code).toBe('CERT_REVOKED');
    expect(ra.revocation?.certificates[0]?.checks[0]).toMatchObject({ source: 'crl-file', url: pki.crl.intA, status: 'revoked' });
    const b = await run([...base, '--ocsp-response', ocspFile, '--sku', 'v1', '--auth-cert', pki.leafRevoked.pem]);
    expect(b.code, b.stderr).toBe(1);
    const rb = JSON.parse(b.stdout) as RevReport;
    expect(rb.primary?.code).toBe('CERT_REVOKED');
    expect(rb.messageId).toBe('V1b');
    const off = await run([...base, '--crl', pki.crl.intA, '--revocation', 'off']);
    expect(off.code).toBe(0);
    const bad = await run([...base, '--crl', pki.leafGood.pem]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a CRL/);
    const badMode = await run([...base, '--revocation', 'sometimes']);
    expect(badMode.code).toBe(2);
  }, 30_000);

  it('probe --revocation crl', async () => {
    const srv = await sServer(pki, pki.leafRevoked, [pki.intA]);
    try {
      const r = await run(['probe', `127.0.0.1:${srv.port}`, '--sni', 'revoked.rev.test', '--trusted-root', pki.root.pem, '--revocation', 'crl', '--allow-internal-fetch', '--json', '--timeout', '20']);
      expect(r.code, r.stderr).toBe(1);
      expect((JSON.parse(r.stdout) as Report).primary?.code).toBe('CERT_REVOKED');
    } finally {
      await srv.stop();
    }
  }, 30_000);
});

