/**
 * tlsHandshake against real peers on loopback: openssl s_server (oracle: s_client -showcerts), a
 * Node TLS server, and hostile TCP servers. Every server is closed in afterAll/finally.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TlsHandshakeOptions, type TlsObservation, tlsHandshake } from '../../src/capture/tls.js';
import { type PkiCert, type TestPki, allPemCerts, makeTestPki } from '../helpers/openssl-pki.js';

let pki: TestPki;
const warnings: Error[] = [];
const onWarning = (w: Error): void => {
  warnings.push(w);
};

beforeAll(() => {
  pki = makeTestPki();
  process.on('warning', onWarning);
}, 60_000);

afterAll(() => {
  process.removeListener('warning', onWarning);
  pki?.cleanup();
});

// ---------------------------------------------------------------------------------------------
// helpers

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface SServer {
  port: number;
  stop(): Promise<void>;
}

/** openssl s_server on a free loopback port; resolves once it prints ACCEPT. */
async function startSServer(args: string[]): Promise<SServer> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc: ChildProcess = spawn(
      'openssl',
      ['s_server', '-no-CAfile', '-no-CApath', '-no-CAstore', '-accept', `127.0.0.1:${port}`, '-www', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const ready = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 10_000);
      proc.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('ACCEPT')) {
          clearTimeout(t);
          resolve(true);
        }
      });
      proc.once('exit', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    // 'close' (not 'exit'): it also waits for the stdio pipes, so no handle outlives stop().
    const closed = new Promise<void>((r) => proc.once('close', () => r()));
    const stop = async (): Promise<void> => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await closed;
    };
    if (ready) return { port, stop };
    await stop();
    if (!/Address already in use|bind/i.test(stderr)) throw new Error(`s_server did not start: ${stderr.trim()}`);
  }
  throw new Error('s_server: no free port after 3 attempts');
}

/** The oracle: what `openssl s_client -showcerts` received. */
function showcerts(port: number, versionFlag: string): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-showcerts', versionFlag],
      { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout) => {
        const certs = allPemCerts(stdout);
        if (certs.length === 0) reject(err ?? new Error('s_client printed no certificates'));
        else resolve(certs);
      },
    );
    child.stdin?.end();
  });
}

async function connectRaw(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  const s = net.connect(port, host);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  return s;
}

interface Captured {
  o: TlsObservation;
  /** getPeerCertificate().raw, read before the socket is destroyed (sanity check of presented[0]). */
  peerLeaf?: Buffer;
  elapsed: number;
}

async function capture(port: number, opts: Partial<TlsHandshakeOptions> = {}, timeoutMs = 5000): Promise<Captured> {
  const socket = await connectRaw(port);
  const t0 = Date.now();
  const { observation: o, socket: s } = await tlsHandshake({ socket, deadline: Date.now() + timeoutMs, ...opts });
  const elapsed = Date.now() - t0;
  let peerLeaf: Buffer | undefined;
  if (s !== undefined) {
    peerLeaf = s.getPeerCertificate().raw;
    s.destroy();
  } else {
    expect(socket.destroyed).toBe(true);
  }
  return peerLeaf === undefined ? { o, elapsed } : { o, peerLeaf, elapsed };
}

const ders = (o: TlsObservation): Buffer[] | null => o.presented?.map((d) => Buffer.from(d)) ?? null;

// ---------------------------------------------------------------------------------------------

interface Scenario {
  id: string;
  /** The certificate the server is configured with (sent first) and the chain file after it. */
  cert: () => PkiCert;
  chain: () => PkiCert[];
  extra?: string[];
}

const SCENARIOS: Scenario[] = [
  { id: 'S1 L', cert: () => pki.leaf, chain: () => [] },
  { id: 'S2 L,I', cert: () => pki.leaf, chain: () => [pki.int] },
  { id: 'S3 L,I,R', cert: () => pki.leaf, chain: () => [pki.int, pki.root] },
  { id: 'S4 I,L,R', cert: () => pki.int, chain: () => [pki.leaf, pki.root] },
  { id: 'S5 L,R,I', cert: () => pki.leaf, chain: () => [pki.root, pki.int] },
  { id: 'S6 L,I,I', cert: () => pki.leaf, chain: () => [pki.int, pki.int] },
  { id: 'S7 L,L,I', cert: () => pki.leaf, chain: () => [pki.leaf, pki.int] },
  { id: 'S8 L,I,U', cert: () => pki.leaf, chain: () => [pki.int, pki.unrelated] },
  { id: 'S9 B,I,R (512-byte records)', cert: () => pki.big, chain: () => [pki.int, pki.root], extra: ['-max_send_frag', '512'] },
];

function sserverArgs(sc: Scenario, version: '-tls1_1' | '-tls1_2' | '-tls1_3'): string[] {
  const cert = sc.cert();
  const chain = sc.chain();
  const args = ['-cert', cert.pem, '-key', cert.key, version, ...(sc.extra ?? [])];
  if (chain.length > 0) args.push('-cert_chain', pki.chainFile(sc.id.split(' ')[0]!, chain));
  return args;
}

describe('exact chain capture against openssl s_server (oracle: s_client -showcerts)', () => {
  for (const version of ['-tls1_2', '-tls1_3'] as const) {
    for (const sc of SCENARIOS) {
      it(`${sc.id} over ${version}`, async () => {
        const srv = await startSServer(sserverArgs(sc, version));
        try {
          const expected = [sc.cert(), ...sc.chain()].map((c) => c.der);
          const { o, peerLeaf } = await capture(srv.port, { servername: 'backend.test' });
          expect(o.failure).toBeUndefined();
          expect(o.ok).toBe(true);
          expect(o.protocol).toBe(version === '-tls1_2' ? 'TLSv1.2' : 'TLSv1.3');
          expect(o.sessionReused).toBe(false);
          expect(o.notCapturedReason).toBeUndefined();
          expect(ders(o)).toEqual(expected);
          expect(peerLeaf).toEqual(expected[0]);
          expect(ders(o)).toEqual(await showcerts(srv.port, version));
          expect(o.ocspStapled).toBe(false);
          if (version === '-tls1_3') expect(o.entryExtensions?.length).toBe(expected.length);
          else expect(o.entryExtensions).toBeUndefined();
        } finally {
          await srv.stop();
        }
      });
    }
  }

  it('every TLS 1.3 cipher suite, including CCM and CCM_8', async () => {
    const suites = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256'];
    const ids = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305];
    const sc = SCENARIOS[2]!;
    for (const [i, suite] of suites.entries()) {
      const srv = await startSServer([...sserverArgs(sc, '-tls1_3'), '-ciphersuites', suite]);
      try {
        const { o } = await capture(srv.port, { ciphers: `${suites.join(':')}:DEFAULT` });
        expect(o.ok).toBe(true);
        expect(o.cipher?.standardName ?? o.cipher?.name).toBe(suite);
        expect(o.wire?.cipherSuite).toBe(ids[i]);
        expect(ders(o)).toEqual([pki.leaf.der, pki.int.der, pki.root.der]);
      } finally {
        await srv.stop();
      }
    }
  });

  it('HelloRetryRequest (server accepts only P-384)', async () => {
    const srv = await startSServer([...sserverArgs(SCENARIOS[4]!, '-tls1_3'), '-groups', 'P-384']);
    try {
      const { o } = await capture(srv.port);
      expect(o.ok).toBe(true);
      expect(o.wire?.helloRetryRequest).toBe(true);
      expect(ders(o)).toEqual([pki.leaf.der, pki.root.der, pki.int.der]);
    } finally {
      await srv.stop();
    }
  });

  it('TLS 1.1 (with minVersion and SECLEVEL=0): captured, protocol from the wire', async () => {
    const srv = await startSServer([...sserverArgs(SCENARIOS[2]!, '-tls1_1'), '-cipher', 'DEFAULT@SECLEVEL=0']);
    try {
      const refused = await capture(srv.port);
      expect(refused.o.ok).toBe(false);
      expect(refused.o.failure).toMatchObject({ kind: 'alert', alert: 70 });
      const { o } = await capture(srv.port, { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
      expect(o.ok).toBe(true);
      expect(o.protocol).toBe('TLSv1.1');
      expect(ders(o)).toEqual([pki.leaf.der, pki.int.der, pki.root.der]);
    } finally {
      await srv.stop();
    }
  });

  it('a dribbling TCP proxy (server bytes in 1-40-byte writes) changes nothing', async () => {
    const srv = await startSServer(sserverArgs(SCENARIOS[8]!, '-tls1_3'));
    const proxy = net.createServer((c) => {
      const u = net.connect(srv.port, '127.0.0.1');
      c.setNoDelay(true);
      let chain = Promise.resolve();
      let n = 7;
      u.on('data', (d: Buffer) => {
        u.pause();
        chain = chain.then(async () => {
          for (let i = 0; i < d.length; ) {
            n = (n * 1103515245 + 12345) & 0x7fffffff;
            const k = 1 + (n % 40);
            if (c.destroyed) break;
            c.write(d.subarray(i, i + k));
            i += k;
            await new Promise((r) => setImmediate(r));
          }
          u.resume();
        });
      });
      c.on('data', (d) => u.write(d));
      const done = (): void => {
        u.destroy();
        c.destroy();
      };
      c.on('error', done);
      u.on('error', done);
      c.on('close', done);
      u.on('close', done);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const { o } = await capture((proxy.address() as net.AddressInfo).port, {}, 10_000);
      expect(o.ok).toBe(true);
      expect(ders(o)).toEqual([pki.big.der, pki.int.der, pki.root.der]);
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
      await srv.stop();
    }
  });
});

describe('Node tls.createServer as a second peer', () => {
  const pem = (certs: PkiCert[]): string => certs.map((c) => readFileSync(c.pem, 'utf8')).join('');
  for (const [id, list] of [
    ['L,I,R', () => [pki.leaf, pki.int, pki.root]],
    ['L,R,I', () => [pki.leaf, pki.root, pki.int]],
    ['L,I,U', () => [pki.leaf, pki.int, pki.unrelated]],
  ] as const) {
    for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
      it(`${id} over ${maxVersion}`, async () => {
        const certs = list();
        const server = tls.createServer({ key: readFileSync(pki.leaf.key), cert: pem(certs), maxVersion }, (s) => {
          s.on('error', () => {});
          s.end();
        });
        server.on('tlsClientError', () => {});
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        try {
          const { o } = await capture((server.address() as net.AddressInfo).port);
          expect(o.ok).toBe(true);
          expect(o.protocol).toBe(maxVersion);
          expect(ders(o)).toEqual(certs.map((c) => c.der));
        } finally {
          await new Promise<void>((r) => server.close(() => r()));
        }
      });
    }
  }
});

describe('SNI: what reaches the server', () => {
  let server: tls.Server;
  let port: number;
  const received: (string | false | null)[] = [];
  beforeAll(async () => {
    server = tls.createServer({ key: readFileSync(pki.leaf.key), cert: readFileSync(pki.leaf.pem), ALPNProtocols: ['http/1.1'] }, (s) => {
      received.push(s.servername);
      s.on('error', () => {});
      s.end();
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  for (const [servername, expected] of [
    ['backend.test', 'backend.test'],
    ['127.0.0.1', null],
    ['::1', null],
    [undefined, null],
  ] as const) {
    it(`servername ${String(servername)} -> SNI ${String(expected)}`, async () => {
      received.length = 0;
      const { o } = await capture(port, servername === undefined ? {} : { servername });
      expect(o.ok).toBe(true);
      expect(o.sniSent).toBe(expected);
      // Let the server's secureConnection callback run.
      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(received).toEqual([expected ?? false]);
    });
  }

  it('never triggers DEP0123 (IP as servername)', () => {
    expect(warnings.filter((w) => (w as Error & { code?: string }).code === 'DEP0123')).toEqual([]);
  });

  it('ALPN: none by default; negotiated when offered', async () => {
    const a = await capture(port);
    expect(a.o.alpn).toBe(false);
    const b = await capture(port, { alpn: ['h2', 'http/1.1'] });
    expect(b.o.alpn).toBe('http/1.1');
  });
});

describe('OCSP stapling', () => {
  for (const version of ['-tls1_2', '-tls1_3'] as const) {
    it(`stapled response bytes over ${version}; none without -status_file`, async () => {
      const args = sserverArgs(SCENARIOS[2]!, version);
      const withStaple = await startSServer([...args, '-status_file', pki.ocspResponse]);
      try {
        const { o } = await capture(withStaple.port);
        expect(o.ok).toBe(true);
        expect(o.ocspStapled).toBe(true);
        expect(Buffer.from(o.ocspResponse!)).toEqual(readFileSync(pki.ocspResponse));
        if (version === '-tls1_3') expect(o.entryExtensions?.[0]?.map((e) => e.type)).toContain(5);
        expect(ders(o)).toEqual([pki.leaf.der, pki.int.der, pki.root.der]);
      } finally {
        await withStaple.stop();
      }
      const without = await startSServer(args);
      try {
        const { o } = await capture(without.port);
        expect(o.ok).toBe(true);
        expect(o.ocspStapled).toBe(false);
        expect(o.ocspResponse).toBeUndefined();
      } finally {
        await without.stop();
      }
    });
  }
});

describe('hostile and failing servers', () => {
  let baseline: string[];
  const servers: net.Server[] = [];
  const intervals = new Set<NodeJS.Timeout>();

  beforeAll(() => {
    baseline = process.getActiveResourcesInfo();
  });

  async function tcpServer(onConn: (s: net.Socket) => void): Promise<number> {
    const srv = net.createServer((s) => {
      s.on('error', () => {});
      onConn(s);
      // Keep reading so the server notices the client's FIN (a paused socket never sees it).
      s.resume();
    });
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return (srv.address() as net.AddressInfo).port;
  }

  async function nodeTlsServer(opts: tls.TlsOptions): Promise<number> {
    const srv = tls.createServer({ key: readFileSync(pki.leaf.key), cert: readFileSync(pki.leaf.pem), ...opts }, (s) => {
      s.on('error', () => {});
      s.end();
    });
    srv.on('tlsClientError', () => {});
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    return (srv.address() as net.AddressInfo).port;
  }

  it('accepts TCP and never speaks -> timeout at the deadline', async () => {
    const port = await tcpServer(() => {});
    const { o, elapsed } = await capture(port, {}, 500);
    expect(o.ok).toBe(false);
    expect(o.failure?.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(480);
    expect(elapsed).toBeLessThanOrEqual(800);
    expect(o.sniSent).toBeNull();
    expect(o.presented).toBeNull();
    expect(o.notCapturedReason).toMatch(/deadline/);
  });

  it('drips a record header then one byte per 100 ms -> timeout at the deadline', async () => {
    const port = await tcpServer((s) => {
      s.once('data', () => {
        s.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]));
        const iv = setInterval(() => s.write(Buffer.from([0x02])), 100);
        intervals.add(iv);
        s.on('close', () => {
          clearInterval(iv);
          intervals.delete(iv);
        });
      });
    });
    const { o, elapsed } = await capture(port, { servername: 'backend.test' }, 700);
    expect(o.failure?.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(680);
    expect(elapsed).toBeLessThanOrEqual(1000);
    expect(o.sniSent).toBe('backend.test');
  });

  it('resets after the ClientHello -> reset', async () => {
    const port = await tcpServer((s) => s.once('data', () => s.resetAndDestroy()));
    const { o } = await capture(port);
    expect(o.failure?.kind).toBe('reset');
    expect(o.failure?.code).toBe('ECONNRESET');
    expect(o.notCapturedReason).toBe('server sent nothing');
  });

  it('closes after the ClientHello -> closed', async () => {
    const port = await tcpServer((s) => s.once('data', () => s.end()));
    const { o } = await capture(port);
    expect(o.failure?.kind).toBe('closed');
  });

  it('answers plain HTTP -> plaintext', async () => {
    const port = await tcpServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const { o } = await capture(port);
    expect(o.failure?.kind).toBe('plaintext');
    expect(o.failure?.message).toMatch(/HTTP/);
    expect(o.notCapturedReason).toMatch(/did not speak TLS/);
  });

  it('no common cipher (TLS 1.2 and 1.3) -> alert 40', async () => {
    const p12 = await nodeTlsServer({ maxVersion: 'TLSv1.2', ciphers: 'CAMELLIA128-SHA' });
    const a = await capture(p12);
    expect(a.o.failure).toMatchObject({ kind: 'alert', alert: 40, alertFrom: 'server', code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
    expect(a.o.notCapturedReason).toMatch(/alert 40/);
    const p13 = await nodeTlsServer({ minVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_CCM_SHA256' });
    const b = await capture(p13);
    expect(b.o.failure).toMatchObject({ kind: 'alert', alert: 40 });
  });

  it('version mismatch -> alert 70', async () => {
    const port = await nodeTlsServer({ minVersion: 'TLSv1.3' });
    const { o } = await capture(port, { maxVersion: 'TLSv1.2' });
    expect(o.failure).toMatchObject({ kind: 'alert', alert: 70 });
  });

  it('ALPN mismatch -> alert 120 before any certificate', async () => {
    const port = await nodeTlsServer({ ALPNProtocols: ['acme-tls/1'] });
    const { o } = await capture(port, { alpn: ['http/1.1'] });
    expect(o.failure).toMatchObject({ kind: 'alert', alert: 120 });
    expect(o.presented).toBeNull();
  });

  it('s_server demanding a client certificate (TLS 1.2) -> alert 40, chain still captured', async () => {
    const srv = await startSServer([...sserverArgs(SCENARIOS[1]!, '-tls1_2'), '-Verify', '1', '-verify_return_error']);
    try {
      const { o } = await capture(srv.port);
      expect(o.failure?.kind).toBe('alert');
      expect(o.failure?.alert).toBeDefined();
      expect(ders(o)).toEqual([pki.leaf.der, pki.int.der]);
    } finally {
      await srv.stop();
    }
  });

  it('s_server with -servername_fatal and a different SNI -> alert 112', async () => {
    const srv = await startSServer([
      ...sserverArgs(SCENARIOS[1]!, '-tls1_2'),
      '-servername', 'backend.test', '-servername_fatal', '-cert2', pki.leaf.pem, '-key2', pki.leaf.key,
    ]);
    try {
      const { o } = await capture(srv.port, { servername: 'other.test' });
      expect(o.failure).toMatchObject({ kind: 'alert', alert: 112 });
    } finally {
      await srv.stop();
    }
  });

  for (const version of ['-tls1_2', '-tls1_3'] as const) {
    it(`a certificate message over 100 KiB (${version}) -> cert-too-large`, async () => {
      const srv = await startSServer([
        '-cert', pki.big.pem, '-key', pki.big.key, version,
        '-cert_chain', pki.chainFile('huge', Array.from({ length: 10 }, () => pki.big)),
      ]);
      try {
        const { o } = await capture(srv.port);
        expect(o.failure?.kind).toBe('cert-too-large');
        expect(o.presented).toBeNull();
      } finally {
        await srv.stop();
      }
    });
  }

  it('a deadline already passed, and a socket already closed', async () => {
    const port = await tcpServer(() => {});
    const s1 = await connectRaw(port);
    const r1 = await tlsHandshake({ socket: s1, deadline: Date.now() - 1 });
    expect(r1.observation.failure?.kind).toBe('timeout');
    expect(s1.destroyed).toBe(true);
    const s2 = await connectRaw(port);
    s2.destroy();
    const r2 = await tlsHandshake({ socket: s2, deadline: Date.now() + 1000 });
    expect(r2.observation.failure?.kind).toBe('closed');
  });

  it('leaves no handles behind', async () => {
    for (const iv of intervals) clearInterval(iv);
    await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 20));
    const count = (list: string[]): Record<string, number> =>
      list.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
    // No kind of handle may have grown: sockets, servers, pipes, and timers (the runner's own
    // timers come and go, but a deadline timer left running would show here).
    const after = count(process.getActiveResourcesInfo());
    const before = count(baseline);
    const grown = Object.entries(after).filter(([k, n]) => n > (before[k] ?? 0));
    expect(grown).toEqual([]);
  });
});
