/**
 * Catalog groups E and F (hostile servers, probe HTTP), plus the live parts of B, C and H, through
 * the CLI in-process (`main`): each case asserts the finding code, the exit status and the time.
 * Bounds: the catalog's deadline, or the deadline plus 2 s of slack for a loaded 2-core box; a
 * hang fails. At the end no socket, server or timer may be left behind.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { fixtureKey, fixturePem } from '../../src/fixtures.js';
import type { ProbeReport, Report } from '../../src/model/report.js';
import { verifyChain } from '../../src/verify.js';
import { certPath } from '../../certs/scenarios.mjs';
import * as g from '../reliability/certgen.js';

const RECORD_HEAD = Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]);
const CHUNK_OVERFLOW = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n';
const M15_NO_CODE = 'none (the TLS handshake failed before certificate verification)';

interface Run { code: number; stdout: string; stderr: string; ms: number; report: ProbeReport }

async function probe(port: number, extra: string[] = [], timeout = 5): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false };
  const t0 = performance.now();
  const code = await main(['probe', `127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', certPath('root-a'),
    '--timeout', String(timeout), '--json', ...extra], io);
  const ms = performance.now() - t0;
  expect(stderr).toBe('');
  return { code, stdout, stderr, ms, report: JSON.parse(stdout) as ProbeReport };
}

// ---- servers; every one is tracked and closed -------------------------------------------------

const closers: (() => Promise<void>)[] = [];
const timers = new Set<NodeJS.Timeout>();

async function track(server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return (server.address() as net.AddressInfo).port;
}

const rawServer = (onSocket: (s: net.Socket) => void) => track(net.createServer((s) => { s.on('error', () => undefined); onSocket(s); }));

function every(ms: number, s: net.Socket, f: () => void): void {
  const t = setInterval(() => { if (s.destroyed) { clearInterval(t); timers.delete(t); } else f(); }, ms);
  timers.add(t);
  s.on('close', () => { clearInterval(t); timers.delete(t); });
}

interface TlsOpts { certs?: string[]; key?: string; tls?: tls.TlsOptions }
/** TLS backend; `respond` gets the socket once the request head has arrived. */
function tlsServer(respond: (s: tls.TLSSocket, head: string) => void, o: TlsOpts = {}): Promise<number> {
  const server = tls.createServer({ key: o.key ?? fixtureKey('leaf-a'), cert: (o.certs ?? [fixturePem('leaf-a'), fixturePem('int-a')]).join(''), ...o.tls }, (s) => {
    s.on('error', () => undefined);
    let head = '';
    const onData = (d: Buffer) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) { s.off('data', onData); respond(s, head); }
    };
    s.on('data', onData);
  });
  return track(server);
}
const reply = (resp: string | Buffer) => (s: tls.TLSSocket) => s.end(typeof resp === 'string' ? Buffer.from(resp, 'latin1') : resp);

let baseline: string[];
beforeAll(() => { baseline = process.getActiveResourcesInfo(); });

function expectVerdict(r: Run, status: Report['status'], messageId: string | null, code?: string): void {
  expect({ status: r.report.status, messageId: r.report.messageId, primary: r.report.primary?.code ?? null })
    .toEqual({ status, messageId, primary: code ?? r.report.primary?.code ?? null });
  expect(r.code).toBe(status === 'Healthy' ? 0 : status === 'Unknown' ? 3 : 1);
}

/** Slowest observed time per hostile case, for the report. */
const timings: Record<string, { ms: number; bound: number }> = {};
const timed = (name: string, r: Run, bound: number) => { timings[name] = { ms: Math.round(r.ms), bound }; expect(r.ms, name).toBeLessThan(bound); };
afterAll(() => { console.log(`hostile timings (ms / bound): ${JSON.stringify(timings)}`); });

describe('E: hostile servers', () => {
  it('54, 55: silent after accept, and a record header then 1 byte / 100 ms → M1 at the 2 s deadline (±10%), exit 1', async () => {
    const silent = await rawServer(() => undefined);
    const drip = await rawServer((s) => s.once('data', () => { s.write(RECORD_HEAD); every(100, s, () => s.write(Buffer.from([0x02]))); }));
    const [a, b] = await Promise.all([probe(silent, [], 2), probe(drip, [], 2)]);
    for (const [name, r] of [['54 silent', a], ['55 drip', b]] as const) {
      expectVerdict(r, 'Unhealthy', 'M1', 'PROBE_TIMEOUT');
      expect(r.report.primary?.evidence).toMatchObject({ during: 'TLS handshake', timeoutSeconds: 2 });
      expect(r.ms).toBeGreaterThanOrEqual(1800);
      timed(name, r, 2200 + 800); // ±10% plus scheduling slack on a loaded box
    }
  });

  it('56: RST after the ClientHello → TLS_RESET; FIN → TLS_CLOSED (M15, no X509 code, exit 1)', async () => {
    const rst = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
    const fin = await rawServer((s) => s.once('data', () => s.end()));
    const [a, b] = await Promise.all([probe(rst), probe(fin)]);
    expectVerdict(a, 'Unhealthy', 'M15', 'TLS_RESET');
    expectVerdict(b, 'Unhealthy', 'M15', 'TLS_CLOSED');
    for (const r of [a, b]) {
      expect(r.report.message).toContain(M15_NO_CODE);
      timed(`56 ${r.report.primary?.code}`, r, 1000);
    }
  });

  it('57: plain "HTTP/1.1 400" on the TLS port → TLS_PLAINTEXT, exit 1', async () => {
    const port = await rawServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    const r = await probe(port);
    expectVerdict(r, 'Unhealthy', 'M15', 'TLS_PLAINTEXT');
    timed('57 plaintext', r, 1000);
  });

  it('58: alerts 40 (no shared cipher), 70 (protocol version) and 112 (unrecognized name) → TLS_ALERT with the number', async () => {
    const a40 = await tlsServer(reply(''), { tls: { maxVersion: 'TLSv1.2', ciphers: 'CAMELLIA128-SHA' } });
    const a70 = await tlsServer(reply(''), { tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } });
    // Node closes silently when an SNICallback fails, so the 112 server speaks the alert record
    // itself (fatal unrecognized_name), as openssl s_server -servername_fatal does.
    const a112 = await rawServer((s) => s.once('data', () => s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 112]))));
    const rs = await Promise.all([probe(a40), probe(a70), probe(a112)]);
    const alerts = rs.map((r) => r.report.primary?.evidence.alert);
    expect(rs.map((r) => r.report.primary?.code)).toEqual(['TLS_ALERT', 'TLS_ALERT', 'TLS_ALERT']);
    expect(alerts[0]).toBe(40);
    expect(alerts[1]).toBe(70);
    expect(alerts[2]).toBe(112);
    expect(rs[2]!.report.primary?.evidence.alertName).toBe('unrecognized_name');
    for (const r of rs) {
      expectVerdict(r, 'Unhealthy', 'M15', 'TLS_ALERT');
      timed(`58 alert ${String(r.report.primary?.evidence.alert)}`, r, 1000);
    }
  });

  it('46, 59: a 250 KB certificate message → TLS_CERT_MESSAGE_TOO_LARGE (exit 1), fast', async () => {
    const san = Array.from({ length: 10_000 }, (_, i) => `DNS:h${i}.bulk.backend.test`);
    const leaf = g.makeLeaf(g.fixtureSigner('int-a'), { san, key: g.fromPrivate(g.keyPairRsa(2048)) });
    expect(leaf.der.length).toBeGreaterThan(200_000);
    const port = await tlsServer(reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), { certs: [leaf.pem, fixturePem('int-a')], key: g.privateKeyPem(leaf.keyPair!.privateKey) });
    const r = await probe(port);
    expectVerdict(r, 'Unhealthy', 'M15', 'TLS_CERT_MESSAGE_TOO_LARGE');
    timed('59 cert-too-large', r, 1500);
  });

  it('59: 200 small certificates under 100 KiB → the first 64 considered, CHAIN_TOO_MANY_CERTS, still Healthy', async () => {
    const k = g.keyPair();
    const fillers = Array.from({ length: 198 }, (_, i) => g.makeCa([['CN', `filler ${i}`]], 'self', { keyPair: k }).pem);
    const port = await tlsServer(reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), { certs: [fixturePem('leaf-a'), fixturePem('int-a'), ...fillers] });
    const r = await probe(port);
    expectVerdict(r, 'Healthy', 'OK');
    expect(r.report.message).toBe('Success. Received 200 status code');
    expect(r.report.findings.find((f) => f.code === 'CHAIN_TOO_MANY_CERTS')?.evidence).toMatchObject({ count: 200, limit: 64 });
    timed('59 200 certs', r, 2000);
  });

  it('60: a TLS 1.2 server that renegotiates before answering → the first flight is judged, within the deadline', async () => {
    let renegotiated: boolean | string = false;
    const port = await tlsServer((s) => {
      const ok = s.renegotiate({ rejectUnauthorized: false }, (err) => {
        renegotiated = err ? err.message : true;
        if (!s.destroyed) s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
      if (!ok) { renegotiated = 'refused'; s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); }
    }, { tls: { maxVersion: 'TLSv1.2' } });
    const r = await probe(port, [], 3);
    // Whatever the client does with the HelloRequest, the verdict comes from the first flight
    // and the probe ends within its deadline.
    expect(r.report.chain?.presented.map((c) => c.sha256)).toEqual([g.sha256Hex(g.fixtureDer('leaf-a')), g.sha256Hex(g.fixtureDer('int-a'))]);
    expect(['OK', 'M1']).toContain(r.report.messageId);
    expect(renegotiated).not.toBe(false);
    timed('60 renegotiation', r, 3000 + 2000);
  });

  it('62: the server dies mid-capture (half the flight, then RST) → a TLS finding, no unhandled error', async () => {
    const errors: unknown[] = [];
    const onErr = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onErr);
    try {
      const backend = await tlsServer(reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
      const proxy = await rawServer((client) => {
        const up = net.connect(backend, '127.0.0.1');
        up.on('error', () => undefined);
        let sent = 0;
        client.on('data', (d) => up.write(d));
        up.on('data', (d: Buffer) => {
          const room = 1500 - sent;
          if (room > 0) client.write(d.subarray(0, room));
          sent += d.length;
          if (sent >= 1500) { up.destroy(); client.resetAndDestroy(); }
        });
        client.on('close', () => up.destroy());
      });
      const r = await probe(proxy);
      expectVerdict(r, 'Unhealthy', 'M15');
      expect(['TLS_RESET', 'TLS_CLOSED', 'TLS_FAILED']).toContain(r.report.primary?.code);
      timed('62 killed mid-capture', r, 1500);
      await new Promise((res) => setTimeout(res, 50));
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', onErr);
    }
  });
});

describe('F: probe HTTP', () => {
  it('63: a 64 KiB response header → HTTP_INVALID_RESPONSE (header overflow), M1, exit 1', async () => {
    const port = await tlsServer(reply(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nContent-Length: 0\r\n\r\n`));
    const r = await probe(port);
    expectVerdict(r, 'Unhealthy', 'M1', 'HTTP_INVALID_RESPONSE');
    expect(r.report.primary?.explanation).toMatch(/HPE_HEADER_OVERFLOW/);
    timed('63 header overflow', r, 1500);
  });

  it('64: an endless body → Healthy on the status, a 64 KiB prefix, memory bounded (< 50 MB)', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const port = await tlsServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n');
      const pump = () => { while (!s.destroyed && written < 512 * 1024 * 1024) { written += chunk.length; if (!s.write(chunk)) { s.once('drain', pump); return; } } };
      pump();
    });
    const heap = process.memoryUsage();
    const r = await probe(port);
    const after = process.memoryUsage();
    expectVerdict(r, 'Healthy', 'OK');
    expect(r.report.http?.bodyBytesRead).toBe(65_536);
    expect(after.heapUsed + after.external - heap.heapUsed - heap.external).toBeLessThan(50 * 1024 * 1024);
    expect(written).toBeLessThan(512 * 1024 * 1024);
    timed('64 endless body', r, 3000);
  });

  it('65: headers then silence → M1 at the deadline', async () => {
    const port = await tlsServer((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial'));
    const r = await probe(port, [], 2);
    expectVerdict(r, 'Unhealthy', 'M1', 'PROBE_TIMEOUT');
    expect(r.report.primary?.evidence).toMatchObject({ during: 'HTTP response' });
    expect(r.ms).toBeGreaterThanOrEqual(1800);
    timed('65 headers then silence', r, 2200 + 800);
  });

  it.each([
    ['CL+TE', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
    ['duplicate Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
    ['NUL in a header', 'HTTP/1.1 200 OK\r\nX-Evil: a\u0000b\r\nContent-Length: 0\r\n\r\n'],
    ['HTTP/0.9 body', '<html>no status line</html>'],
  ])('66: %s → HTTP_INVALID_RESPONSE with an HPE code, exit 1', async (n, resp) => {
    const port = await tlsServer(reply(resp));
    const r = await probe(port);
    expectVerdict(r, 'Unhealthy', 'M1', 'HTTP_INVALID_RESPONSE');
    expect(r.report.primary?.explanation).toMatch(/HPE_[A-Z_]+/);
    timed(`66 ${n}`, r, 1500);
  });

  it('66: chunk-size overflow after a valid status line ends fast and names the status', async () => {
    const port = await tlsServer(reply(CHUNK_OVERFLOW));
    const r = await probe(port);
    expect(r.report.http?.status).toBe(200);
    timed('66 chunk-size overflow', r, 1500);
  });

  // BUG (catalog 66, or an undocumented deliberate difference): a chunk-size overflow in the body
  // is an HPE_ error from httpGet after the status arrived, and probeBackend drops it: the report
  // is Healthy with no finding at all. Fix: in probeBackend, when http.error.kind === 'invalid'
  // and a status was read, add HTTP_INVALID_RESPONSE (as the catalog says) or at least a warning
  // that the body was malformed; today nothing tells the operator.
  it('66: chunk-size overflow → HTTP_INVALID_RESPONSE', async () => {
    const port = await tlsServer(reply(CHUNK_OVERFLOW));
    const r = await probe(port);
    expect(r.report.findings.map((f) => f.code)).toContain('HTTP_INVALID_RESPONSE');
  });

  it('67: 302 to 169.254.169.254 → not followed, Healthy under 200-399; the Location is escaped', async () => {
    let metadataHits = 0;
    const port = await tlsServer(reply('HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest\x9b2J\r\nContent-Length: 0\r\n\r\n'));
    const other = await track(http.createServer((_q, res) => { metadataHits++; res.end(); }));
    const r = await probe(port);
    expectVerdict(r, 'Healthy', 'OK');
    expect(r.report.message).toBe('Success. Received 302 status code');
    const loc = r.report.http?.location;
    expect(loc).toBe('http://169.254.169.254/latest\\u009b2J');
    const f = r.report.findings.find((x) => x.code === 'HTTP_REDIRECT_NOT_FOLLOWED');
    expect(f?.evidence.location).toBe(loc);
    expect(metadataHits).toBe(0);
    expect(other).toBeGreaterThan(0);
    timed('67 redirect', r, 1500);
  });

  it('68: status 999 → M4 "Expected:200-399 Received:999.", exit 1', async () => {
    const port = await tlsServer(reply('HTTP/1.1 999 Weird\r\nContent-Length: 0\r\n\r\n'));
    const r = await probe(port);
    expectVerdict(r, 'Unhealthy', 'M4', 'HTTP_STATUS_MISMATCH');
    expect(r.report.message).toBe("Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:999.");
    timed('68 status 999', r, 1500);
  });

  it('69: the body match string at byte 70,000 → M5 with "searched 65,536 bytes"; case-sensitive', async () => {
    const body = `${'x'.repeat(70_000)}needle-here${'y'.repeat(1000)}`;
    const port = await tlsServer(reply(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    const early = await tlsServer(reply('HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\nearly needle-here'));
    const [r, upper, ok] = await Promise.all([
      probe(port, ['--body', 'needle-here']), probe(early, ['--body', 'NEEDLE-HERE']), probe(early, ['--body', 'needle-here'])]);
    expectVerdict(r, 'Unhealthy', 'M5', 'HTTP_BODY_MISMATCH');
    expect(r.report.primary?.evidence).toMatchObject({ searched: 65_536, truncated: true });
    expectVerdict(upper, 'Unhealthy', 'M5', 'HTTP_BODY_MISMATCH');
    expectVerdict(ok, 'Healthy', 'OK');
    timed('69 body match', r, 1500);
  });
});

describe('B, C, H live', () => {
  it('19: only the leaf, with an AIA caIssuers URL on loopback → M8, and no fetch is made', async () => {
    let hits = 0;
    const aia = await track(http.createServer((_q, res) => { hits++; res.end(g.fixtureDer('int-a')); }));
    const leaf = g.makeLeaf(g.fixtureSigner('int-a'), { aiaCaIssuers: `http://127.0.0.1:${aia}/int-a.cer` });
    const r = await verifyChain({ leaf: leaf.der, trustedRoots: [g.fixtureDer('root-a')], wellKnownRoots: [g.fixtureDer('root-a')], host: 'backend.test', at: new Date('2030-01-01T00:00:00Z') });
    expect(r.messageId).toBe('M8');
    expect(r.primary?.code).toBe('CHAIN_ONLY_LEAF');
    const port = await tlsServer(reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), { certs: [leaf.pem], key: g.privateKeyPem(leaf.keyPair!.privateKey) });
    const live = await probe(port);
    expectVerdict(live, 'Unhealthy', 'M8', 'CHAIN_ONLY_LEAF');
    expect(hits).toBe(0);
  });

  it('22: [leaf, unrelated, inter, inter] → the report lists all four exactly as sent; Healthy', async () => {
    const names = ['leaf-a', 'int-b', 'int-a', 'int-a'];
    const port = await tlsServer(reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), { certs: names.map(fixturePem) });
    const r = await probe(port);
    expectVerdict(r, 'Healthy', 'OK');
    expect(r.report.chain!.presented.map((c) => [c.index, c.sha256])).toEqual(names.map((n, i) => [i, g.sha256Hex(g.fixtureDer(n))]));
    expect(r.report.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['CHAIN_EXTRA_CERT', 'CHAIN_DUPLICATE']));
  });

  it('76: a backend leaf whose subject carries ESC[2J, BEL, newline and U+202E → escaped in the text report', async () => {
    const leaf = g.makeLeaf(g.fixtureSigner('int-a'), { subject: [['CN', 'evil\u001b[2J\u0007\nx\u202etxt']] });
    const port = await tlsServer(reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), { certs: [leaf.pem, fixturePem('int-a')], key: g.privateKeyPem(leaf.keyPair!.privateKey) });
    let out = '';
    const io: CliIo = { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, env: {}, stdoutIsTTY: true, stdinIsTTY: false };
    const code = await main(['probe', `127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', certPath('root-a'), '--timeout', '5', '-v'], io);
    expect(code).toBe(0);
    // colour is on (a TTY): the only escapes left are our own SGR colour codes
    expect(out.replace(/\u001b\[\d+m/g, '')).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(out).toContain('CN=evil\\u001b[2J\\u0007\\u000ax\\u202etxt');
  });

  it('77, 80: no Cookie, Authorization or proxy use even with HTTP(S)_PROXY set; an IP host triggers no Node warning', async () => {
    let head = '';
    const port = await tlsServer((s, h) => { head = h; s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'); });
    let proxyHits = 0;
    const proxy = await rawServer((s) => { proxyHits++; s.destroy(); });
    const saved = { h: process.env.HTTP_PROXY, s: process.env.HTTPS_PROXY, a: process.env.ALL_PROXY };
    const warnings: Error[] = [];
    const onWarn = (w: Error) => warnings.push(w);
    process.on('warning', onWarn);
    try {
      process.env.HTTP_PROXY = process.env.HTTPS_PROXY = process.env.ALL_PROXY = `http://user:pw@127.0.0.1:${proxy}`;
      let out = '';
      const io: CliIo = { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, env: { ...process.env }, stdoutIsTTY: false, stdinIsTTY: false };
      // IP target, no --sni: v2 default probe host 127.0.0.1; M6 (the leaf names backend.test) is fine here
      const code = await main(['probe', `127.0.0.1:${port}`, '--trusted-root', certPath('root-a'), '--timeout', '5', '--json'], io);
      expect(code).toBe(1);
      expect((JSON.parse(out) as Report).messageId).toBe('M6');
      const code2 = await main(['probe', `127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', certPath('root-a'), '--timeout', '5'], io);
      expect(code2).toBe(0);
    } finally {
      for (const [k, v] of [['HTTP_PROXY', saved.h], ['HTTPS_PROXY', saved.s], ['ALL_PROXY', saved.a]] as const) {
        if (v === undefined) delete process.env[k]; else process.env[k] = v;
      }
      await new Promise((r) => setImmediate(r));
      process.off('warning', onWarn);
    }
    expect(proxyHits).toBe(0);
    const names = head.split('\r\n').slice(1).filter(Boolean).map((l) => l.split(':')[0]!.toLowerCase());
    expect(names.sort()).toEqual(['connection', 'host', 'user-agent']);
    expect(head).not.toMatch(/user:pw|cookie|authorization|proxy-/i);
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });
});

describe('resources', () => {
  it('62: no sockets, servers or timers are left once the servers close', async () => {
    for (const t of timers) clearInterval(t);
    await Promise.all(closers.map((c) => c()));
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 20));
    const count = (list: string[]) => list.reduce<Record<string, number>>((a, k) => ({ ...a, [k]: (a[k] ?? 0) + 1 }), {});
    const before = count(baseline);
    const grown = Object.entries(count(process.getActiveResourcesInfo())).filter(([k, n]) => n > (before[k] ?? 0));
    expect(grown).toEqual([]);
  });
});
