/**
 * probeBackend against real loopback backends (Node TLS servers built from the committed test PKI):
 * every gateway message from a live exchange, the exact text with placeholders filled, and
 * hostile backends that stall, drip, reset, speak plain HTTP or never end the body.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { CERTS_DIR, closedPort, fixtureKey, fixturePem, startBackend, type BackendSpec, type RunningBackend } from '../../src/fixtures.js';
import { probeBackend, type ProbeOptions } from '../../src/probe.js';
import { GATEWAY_MESSAGES, fillMessage, type GatewayMessageId } from '../../src/model/messages.js';
import type { ProbeReport, Report } from '../../src/model/report.js';

const text = (id: GatewayMessageId, values: Record<string, string | number> = {}) => fillMessage(GATEWAY_MESSAGES[id].text, values);
const sha256 = (name: string) => createHash('sha256').update(readFileSync(`${CERTS_DIR}out/pki/${name}.der`)).digest('hex');
const presentedHashes = (r: Report) => (r.chain?.presented ?? []).map((c) => c.sha256.replace(/:/g, '').toLowerCase());

/** v2 backend setting with host name backend.test and root-a uploaded: the usual healthy setup. */
const v2 = (extra: Partial<ProbeOptions> = {}): Partial<ProbeOptions> => ({ sni: 'backend.test', trustedRoots: [fixturePem('root-a')], ...extra });

async function withBackend(spec: BackendSpec, opts: Partial<ProbeOptions>, target = (p: number) => `127.0.0.1:${p}`): Promise<ProbeReport> {
  const b = await startBackend(spec);
  try {
    return await probeBackend({ timeoutSeconds: 5, ...opts, target: target(b.port) });
  } finally {
    await b.close();
  }
}

function expectMessage(r: Report, status: Report['status'], id: GatewayMessageId, message: string): void {
  expect({ status: r.status, messageId: r.messageId, message: r.message }).toEqual({ status, messageId: id, message });
}

// ---------------------------------------------------------------------------------------------
// Hand-made servers for behaviour the fixtures do not offer. Each tracks its sockets so close()
// leaves nothing behind even when the probe gave up first.

interface Srv { port: number; connections: number; close(): Promise<void> }

async function listen(server: net.Server, sockets: Set<net.Socket>, counter: { connections: number }): Promise<Srv> {
  server.on('connection', (s: net.Socket) => {
    counter.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', () => resolve()); });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() { return counter.connections; },
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

function rawServer(onSocket: (s: net.Socket) => void): Promise<Srv> {
  const sockets = new Set<net.Socket>();
  return listen(net.createServer(onSocket), sockets, { connections: 0 });
}

/** TLS with exactly `served`; `onSecure` gets the socket once the handshake is done. */
function tlsServer(served: string[], onSecure: (s: tls.TLSSocket) => void): Promise<Srv> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer({ key: fixtureKey(served[0]!), cert: served.map(fixturePem).join('') }, (s) => {
    s.on('error', () => undefined);
    onSecure(s);
  });
  server.on('tlsClientError', () => undefined);
  return listen(server, sockets, { connections: 0 });
}

/** Read the request head, then call `respond`. */
function onRequest(s: tls.TLSSocket, respond: () => void): void {
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString('latin1');
    if (buf.includes('\r\n\r\n')) { s.off('data', onData); respond(); }
  };
  s.on('data', onData);
}

const openTimers: NodeJS.Timeout[] = [];
afterAll(() => { for (const t of openTimers) clearInterval(t); });

// ---------------------------------------------------------------------------------------------

describe('probeBackend: every gateway message from a live loopback backend', () => {
  it('Healthy: Success. Received 200 status code, and the chain exactly as served', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'] }, v2());
    expectMessage(r, 'Healthy', 'OK', 'Success. Received 200 status code');
    expect(r.ok).toBe(true);
    expect(presentedHashes(r)).toEqual([sha256('leaf-a'), sha256('int-a')]);
    expect((r.tls as { sniSent: string | null }).sniSent).toBe('backend.test');
    expect((r.http as { status: number }).status).toBe(200);
  });

  it('chain.presented equals the served list for a three-certificate chain, TLS 1.2 and 1.3', async () => {
    for (const tlsVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      const r = await withBackend({ served: ['leaf-a', 'int-a', 'root-a'], tlsVersion }, v2());
      expect((r.tls as { protocol: string }).protocol).toBe(tlsVersion);
      expect(presentedHashes(r)).toEqual(['leaf-a', 'int-a', 'root-a'].map(sha256));
      expectMessage(r, 'Healthy', 'OK', 'Success. Received 200 status code');
    }
  });

  it('M1: a silent backend ends the probe at the timeout (1 s + 500 ms at most)', async () => {
    const b = await startBackend({ served: [], behaviour: 'silent' });
    try {
      const t0 = performance.now();
      const r = await probeBackend({ ...v2(), target: `127.0.0.1:${b.port}`, timeoutSeconds: 1 });
      const ms = performance.now() - t0;
      expectMessage(r, 'Unhealthy', 'M1', text('M1'));
      expect(r.primary?.code).toBe('PROBE_TIMEOUT');
      expect(ms).toBeGreaterThanOrEqual(950);
      expect(ms).toBeLessThan(1500);
    } finally {
      await b.close();
    }
  });

  it('M2: a name that does not resolve', async () => {
    const r = await probeBackend({ target: 'no-such-host.invalid:443', timeoutSeconds: 5 });
    expectMessage(r, 'Unhealthy', 'M2', text('M2'));
    expect(r.primary?.code).toBe('DNS_FAILED');
  });

  it('M3: nothing listens on the port', async () => {
    const port = await closedPort();
    const r = await probeBackend({ ...v2(), target: `127.0.0.1:${port}`, timeoutSeconds: 5 });
    expectMessage(r, 'Unhealthy', 'M3', text('M3'));
    expect(r.primary?.code).toBe('TCP_REFUSED');
  });

  it('M4: Expected:200-399 Received:404.', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'], status: 404 }, v2({ path: '/health' }));
    expectMessage(r, 'Unhealthy', 'M4', "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:404.");
  });

  it('M5: the body lacks the match string', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'], body: '{"status":"degraded"}' }, v2({ body: '"status":"ok"' }));
    expectMessage(r, 'Unhealthy', 'M5', "Body of the backend's HTTP response did not match the probe setting. Received response body doesn't contain \"status\":\"ok\".");
    // and the same backend with a matching string is Healthy
    const ok = await withBackend({ served: ['leaf-a', 'int-a'], body: '{"status":"degraded"}' }, v2({ body: '"status":"degraded"' }));
    expect(ok.status).toBe('Healthy');
  });

  it('M6: certificate for another name', async () => {
    const r = await withBackend({ served: ['leaf-wrongname', 'int-a'] }, v2());
    expectMessage(r, 'Unhealthy', 'M6', text('M6'));
    expect(r.primary?.code).toBe('NAME_MISMATCH');
  });

  it('M6: v2 default probe host — IP target without a host name probes 127.0.0.1 and sends no SNI', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'] }, { trustedRoots: [fixturePem('root-a')] });
    expectMessage(r, 'Unhealthy', 'M6', text('M6'));
    expect(r.host).toBe('127.0.0.1');
    expect((r.tls as { sniSent: string | null }).sniSent).toBeNull();
    expect((r.probe as { hostHeader: string }).hostHeader).toBe('127.0.0.1');
  });

  it('M7: expired leaf', async () => {
    const r = await withBackend({ served: ['leaf-expired', 'int-a'] }, v2());
    expectMessage(r, 'Unhealthy', 'M7', text('M7'));
    expect(r.primary?.code).toBe('CERT_EXPIRED');
  });

  it('M8: only the leaf is sent', async () => {
    const r = await withBackend({ served: ['leaf-a'] }, v2());
    expectMessage(r, 'Unhealthy', 'M8', text('M8'));
    expect(presentedHashes(r)).toEqual([sha256('leaf-a')]);
  });

  it('M9: only CA certificates are sent', async () => {
    const r = await withBackend({ served: ['int-a', 'root-a'] }, v2());
    expectMessage(r, 'Unhealthy', 'M9', text('M9'));
    expect(presentedHashes(r)).toEqual([sha256('int-a'), sha256('root-a')]);
  });

  it('M10: well-known mode, a private chain with its root sent', async () => {
    const r = await withBackend({ served: ['leaf-b', 'int-b', 'root-b'] }, { sni: 'backend.test' });
    expectMessage(r, 'Unhealthy', 'M10', text('M10'));
    expect(r.trust.mode).toBe('wellknown');
  });

  it('M11: well-known mode, a private chain without its root', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'] }, { sni: 'backend.test' });
    expectMessage(r, 'Unhealthy', 'M11', text('M11'));
  });

  it('M12: root-a uploaded, leaf-b + int-b served', async () => {
    const r = await withBackend({ served: ['leaf-b', 'int-b'] }, v2());
    expectMessage(r, 'Unhealthy', 'M12', text('M12'));
  });

  it('M13: root-a uploaded, leaf-b + int-b + root-b served', async () => {
    const r = await withBackend({ served: ['leaf-b', 'int-b', 'root-b'] }, v2());
    expectMessage(r, 'Unhealthy', 'M13', text('M13'));
  });

  it('M14: the intermediate is sent before the leaf', async () => {
    const r = await withBackend({ served: ['int-a', 'leaf-a'] }, v2());
    expectMessage(r, 'Unhealthy', 'M14', text('M14'));
    expect(presentedHashes(r)).toEqual([sha256('int-a'), sha256('leaf-a')]);
  });

  it('V1a: v1 with an authentication certificate that is not the served leaf', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'] }, { sku: 'v1', authCerts: [fixturePem('leaf-b')] });
    expectMessage(r, 'Unhealthy', 'V1a', text('V1a'));
    expect(r.sku).toBe('v1');
  });

  it('v1 healthy: the pool FQDN is the SNI and the uploaded leaf matches', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'] },
      { sku: 'v1', authCerts: [fixturePem('leaf-a')], resolve: new Map([['backend.test', '127.0.0.1']]) },
      (p) => `backend.test:${p}`);
    expectMessage(r, 'Healthy', 'OK', 'Success. Received 200 status code');
    expect((r.tls as { sniSent: string | null }).sniSent).toBe('backend.test');
    expect((r.target as { address: string }).address).toBe('127.0.0.1');
  });
});

describe('probeBackend: HTTP judgement', () => {
  it('a 302 is Healthy and the redirect is not followed', async () => {
    const elsewhere = await rawServer((s) => s.destroy());
    const location = `https://127.0.0.1:${elsewhere.port}/elsewhere`;
    let requests = 0;
    const backend = await tlsServer(['leaf-a', 'int-a'], (s) => onRequest(s, () => {
      requests++;
      s.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    }));
    try {
      const r = await probeBackend({ ...v2(), target: `127.0.0.1:${backend.port}`, timeoutSeconds: 5 });
      expectMessage(r, 'Healthy', 'OK', 'Success. Received 302 status code');
      expect((r.http as { location: string }).location).toBe(location);
      expect(r.findings.map((f) => f.code)).toContain('HTTP_REDIRECT_NOT_FOLLOWED');
      expect(requests).toBe(1);
      expect(backend.connections).toBe(1);
      expect(elsewhere.connections).toBe(0);
    } finally {
      await Promise.all([backend.close(), elsewhere.close()]);
    }
  });

  it('protocol http: no TLS stage, the status alone decides', async () => {
    const sockets = new Set<net.Socket>();
    let host = '';
    const plain = http.createServer((req, res) => { host = req.headers.host ?? ''; res.writeHead(503); res.end(); });
    const srv = await listen(plain, sockets, { connections: 0 });
    try {
      const r = await probeBackend({ target: `127.0.0.1:${srv.port}`, protocol: 'http', sni: 'backend.test', timeoutSeconds: 5 });
      expectMessage(r, 'Unhealthy', 'M4', "Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:503.");
      expect(r.tls).toBeNull();
      expect(r.chain).toBeNull();
      expect(host).toBe('backend.test');
    } finally {
      await srv.close();
    }
  });

  it('status list 200,204: 204 is Healthy, 201 is M4 with the list as Expected', async () => {
    const r = await withBackend({ served: ['leaf-a', 'int-a'], status: 204 }, v2({ status: '200,204' }));
    expectMessage(r, 'Healthy', 'OK', 'Success. Received 204 status code');
    const bad = await withBackend({ served: ['leaf-a', 'int-a'], status: 201 }, v2({ status: '200,204' }));
    expectMessage(bad, 'Unhealthy', 'M4', "Status code of the backend's HTTP response did not match the probe setting. Expected:200,204 Received:201.");
  });
});

// ---------------------------------------------------------------------------------------------

/** The first 5 bytes of a TLS handshake record: enough to make a client wait for the rest. */
const RECORD_HEAD = Buffer.from([0x16, 0x03, 0x03, 0x10, 0x00]);

describe('probeBackend: hostile backends', () => {
  it('accepts, reads the ClientHello and never speaks: M1 at the deadline', async () => {
    let got = 0;
    const srv = await rawServer((s) => s.on('data', (d) => { got += d.length; }));
    try {
      const t0 = performance.now();
      const r = await probeBackend({ ...v2(), target: `127.0.0.1:${srv.port}`, timeoutSeconds: 1 });
      const ms = performance.now() - t0;
      expectMessage(r, 'Unhealthy', 'M1', text('M1'));
      expect(r.primary?.evidence).toMatchObject({ during: 'TLS handshake' });
      expect(got).toBeGreaterThan(0); // the ClientHello arrived
      expect(ms).toBeGreaterThanOrEqual(950);
      expect(ms).toBeLessThan(1500);
    } finally {
      await srv.close();
    }
  });

  it('drips one byte a second: M1 at the deadline, in the handshake and in the HTTP response', async () => {
    const drip = (s: net.Socket | tls.TLSSocket, bytes: Buffer) => {
      let i = 0;
      const t = setInterval(() => {
        if (s.destroyed || i >= bytes.length) { clearInterval(t); return; }
        s.write(bytes.subarray(i, ++i));
      }, 1000);
      openTimers.push(t);
      s.on('close', () => clearInterval(t));
    };
    const hs = await rawServer((s) => s.once('data', () => drip(s, Buffer.concat([RECORD_HEAD, Buffer.alloc(64)]))));
    const httpDrip = await tlsServer(['leaf-a', 'int-a'], (s) => onRequest(s, () => drip(s, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))));
    try {
      const t0 = performance.now();
      const [a, b] = await Promise.all([
        probeBackend({ ...v2(), target: `127.0.0.1:${hs.port}`, timeoutSeconds: 2 }).then((r) => ({ r, ms: performance.now() - t0 })),
        probeBackend({ ...v2(), target: `127.0.0.1:${httpDrip.port}`, timeoutSeconds: 2 }).then((r) => ({ r, ms: performance.now() - t0 })),
      ]);
      expectMessage(a.r, 'Unhealthy', 'M1', text('M1'));
      expect(a.r.primary?.evidence).toMatchObject({ during: 'TLS handshake' });
      expectMessage(b.r, 'Unhealthy', 'M1', text('M1'));
      expect(b.r.primary?.evidence).toMatchObject({ during: 'HTTP response' });
      for (const x of [a, b]) {
        expect(x.ms).toBeGreaterThanOrEqual(1950);
        expect(x.ms).toBeLessThan(2500);
      }
    } finally {
      await Promise.all([hs.close(), httpDrip.close()]);
    }
  });

  it('resets mid-handshake: TLS_RESET, catch-all M15 with no X509 error code', async () => {
    const srv = await rawServer((s) => s.once('data', () => { s.write(RECORD_HEAD); setTimeout(() => s.resetAndDestroy(), 20); }));
    try {
      const r = await probeBackend({ ...v2(), target: `127.0.0.1:${srv.port}`, timeoutSeconds: 5 });
      expect(r.status).toBe('Unhealthy');
      expect(r.primary?.code).toBe('TLS_RESET');
      expect(r.messageId).toBe('M15');
      expect(r.message).toBe(text('M15', { errorCode: 'none (the TLS handshake failed before certificate verification)' }));
    } finally {
      await srv.close();
    }
  });

  it('plain HTTP on the TLS port: TLS_PLAINTEXT', async () => {
    const sockets = new Set<net.Socket>();
    const plain = http.createServer((_req, res) => { res.writeHead(200); res.end('plain\n'); });
    const srv = await listen(plain, sockets, { connections: 0 });
    try {
      const r = await probeBackend({ ...v2(), target: `127.0.0.1:${srv.port}`, timeoutSeconds: 5 });
      expect(r.status).toBe('Unhealthy');
      expect(r.primary?.code).toBe('TLS_PLAINTEXT');
      expect(r.messageId).toBe('M15');
    } finally {
      await srv.close();
    }
  });

  it('endless body: judged on the status (Healthy 200), body read stops at the cap', async () => {
    let written = 0;
    let closedByPeer = false;
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    const srv = await tlsServer(['leaf-a', 'int-a'], (s) => onRequest(s, () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n');
      s.on('close', () => { closedByPeer = true; });
      // Bounded: never more than 256 MiB even if the client kept reading.
      const pump = () => {
        while (!s.destroyed && written < 256 * 1024 * 1024) {
          written += chunk.length;
          if (!s.write(chunk)) { s.once('drain', pump); return; }
        }
      };
      pump();
    }));
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const r = await probeBackend({ ...v2(), target: `127.0.0.1:${srv.port}`, timeoutSeconds: 10 });
      const ms = performance.now() - t0;
      expectMessage(r, 'Healthy', 'OK', 'Success. Received 200 status code');
      const h = r.http as { bodyBytesRead: number; bodyTruncated: boolean; bodyCap: number };
      expect(h.bodyTruncated).toBe(true);
      expect(h.bodyBytesRead).toBeLessThanOrEqual(h.bodyCap);
      expect(ms).toBeLessThan(3000);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(32 * 1024 * 1024);
      // The probe hung up; the server saw the close well before its own bound.
      for (let i = 0; i < 100 && !closedByPeer; i++) await new Promise((res) => setTimeout(res, 10));
      expect(closedByPeer).toBe(true);
      expect(written).toBeLessThan(256 * 1024 * 1024);
    } finally {
      await srv.close();
    }
  });
});

describe('probeBackend leaves nothing running', () => {
  const KINDS = ['TCPSocketWrap', 'TCPServerWrap', 'TLSWrap', 'Timeout', 'GetAddrInfoReqWrap', 'TCPConnectWrap'];
  const count = () => {
    const c: Record<string, number> = Object.fromEntries(KINDS.map((k) => [k, 0]));
    for (const k of process.getActiveResourcesInfo()) if (k in c) c[k]!++;
    return c;
  };
  const settle = async () => { for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20)); };

  it('no sockets, servers or timers outlive a batch of probes', async () => {
    await settle();
    const before = count();
    const backends: RunningBackend[] = [];
    try {
      const ok = await startBackend({ served: ['leaf-a', 'int-a'] });
      const silent = await startBackend({ served: [], behaviour: 'silent' });
      const bad = await startBackend({ served: ['leaf-a'] });
      backends.push(ok, silent, bad);
      const reset = await rawServer((s) => s.once('data', () => s.resetAndDestroy()));
      const closed = await closedPort();
      const reports = await Promise.all([
        probeBackend({ ...v2(), target: `127.0.0.1:${ok.port}` }),
        probeBackend({ ...v2(), target: `127.0.0.1:${silent.port}`, timeoutSeconds: 1 }),
        probeBackend({ ...v2(), target: `127.0.0.1:${bad.port}` }),
        probeBackend({ ...v2(), target: `127.0.0.1:${reset.port}` }),
        probeBackend({ ...v2(), target: `127.0.0.1:${closed}` }),
        probeBackend({ target: 'no-such-host.invalid:443' }),
      ]);
      expect(reports.map((r) => r.messageId)).toEqual(['OK', 'M1', 'M8', 'M15', 'M3', 'M2']);
      await reset.close();
    } finally {
      await Promise.all(backends.map((b) => b.close()));
    }
    await settle();
    const after = count();
    // vitest's own handles are in both snapshots; anything the probes left would be extra.
    for (const k of KINDS) expect({ [k]: after[k] }).toEqual({ [k]: before[k] });
  });
});
