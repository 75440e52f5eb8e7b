/**
 * DNS, TCP and HTTP probe stages against loopback servers that misbehave on purpose
 * (reliability-catalog.md groups E and F). Every server is closed by the test that opened it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { promises as dnsPromises } from 'node:dns';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { httpGet, type HttpObservation, type HttpProbeOptions } from '../../src/capture/http.js';
import { bodyContains } from '../../src/gateway/match.js';
import { connectTcp, parkedSocketError, resolveHost } from '../../src/capture/net.js';
import { InputError } from '../../src/model/errors.js';

// ---------- helpers ----------

interface RawServer {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** A TCP server whose per-connection behaviour is the test's; close() tears everything down. */
async function rawServer(onConn: (s: net.Socket) => void, host = '127.0.0.1'): Promise<RawServer> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    state.connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConn(s);
  });
  const state: RawServer = {
    port: 0,
    connections: 0,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        srv.close(() => res());
      }),
  };
  await new Promise<void>((res) => srv.listen(0, host, res));
  state.port = (srv.address() as net.AddressInfo).port;
  return state;
}

/** Reads the request head, then hands it and the socket to `respond`. */
function onRequest(respond: (s: net.Socket, head: string) => void): (s: net.Socket) => void {
  return (s) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buf.length > 65536) s.destroy();
        return;
      }
      s.removeListener('data', onData);
      respond(s, buf.slice(0, end + 4));
    };
    s.on('data', onData);
  };
}

/** Every interval/timer a server starts is registered here and cleared when the socket closes. */
function every(s: net.Socket, ms: number, fn: () => void): void {
  const t = setInterval(() => {
    if (s.destroyed) clearInterval(t);
    else fn();
  }, ms);
  s.on('close', () => clearInterval(t));
}

async function probe(
  port: number,
  timeoutMs: number,
  extra: Partial<HttpProbeOptions> = {},
): Promise<{ obs: HttpObservation; elapsed: number; socket: net.Socket }> {
  const start = Date.now();
  const deadline = start + timeoutMs;
  const { observation, socket } = await connectTcp('127.0.0.1', port, { deadline });
  expect(observation.ok).toBe(true);
  const obs = await httpGet(socket!, { hostHeader: 'backend.example', path: '/', deadline, ...extra });
  return { obs, elapsed: Date.now() - start, socket: socket! };
}

const text = (u: Uint8Array): string => Buffer.from(u).toString('latin1');

async function withServer<T>(onConn: (s: net.Socket) => void, fn: (srv: RawServer) => Promise<T>): Promise<T> {
  const srv = await rawServer(onConn);
  try {
    return await fn(srv);
  } finally {
    await srv.close();
  }
}

const handleTypes = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout', 'Immediate', 'GetAddrInfoReqWrap', 'ConnectWrap'];
function handleCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of process.getActiveResourcesInfo()) if (handleTypes.includes(t)) out[t] = (out[t] ?? 0) + 1;
  return out;
}
let baseline: Record<string, number> = {};
beforeAll(() => {
  baseline = handleCounts();
});

// ---------- DNS ----------

describe('resolveHost', () => {
  it('an IP literal resolves to itself without a lookup', async () => {
    const deadline = Date.now() + 2000;
    expect(await resolveHost('127.0.0.1', { deadline })).toMatchObject({ ok: true, addresses: [{ address: '127.0.0.1', family: 4 }] });
    expect(await resolveHost('::1', { deadline })).toMatchObject({ ok: true, addresses: [{ address: '::1', family: 6 }] });
    expect(await resolveHost('[::1]', { deadline })).toMatchObject({ ok: true, name: '[::1]', addresses: [{ address: '::1', family: 6 }] });
    // Even with no time left: a literal needs no resolver.
    expect(await resolveHost('10.1.2.3', { deadline: Date.now() - 1 })).toMatchObject({ ok: true });
  });

  it("'localhost' resolves through the OS resolver to loopback", async () => {
    const r = await resolveHost('localhost', { deadline: Date.now() + 3000 });
    expect(r.ok).toBe(true);
    expect(r.addresses.length).toBeGreaterThan(0);
    for (const a of r.addresses) expect(['127.0.0.1', '::1']).toContain(a.address);
  });

  it('a --resolve mapping wins over the resolver, case-insensitively and ignoring a trailing dot', async () => {
    const resolve = new Map([['Backend.Example', '127.0.0.2'], ['v6.example', '[::1]']]);
    const deadline = Date.now() + 2000;
    expect(await resolveHost('backend.example.', { deadline, resolve })).toMatchObject({
      ok: true, addresses: [{ address: '127.0.0.2', family: 4 }],
    });
    // 'localhost' is not mapped, so it still goes to the resolver.
    expect((await resolveHost('localhost', { deadline, resolve })).ok).toBe(true);
    expect(await resolveHost('v6.example', { deadline, resolve })).toMatchObject({ addresses: [{ address: '::1', family: 6 }] });
    await expect(resolveHost('bad.example', { deadline, resolve: new Map([['bad.example', 'not-an-ip']]) })).rejects.toThrow(InputError);
  });

  it('an .invalid name fails by the deadline, without needing the internet', async () => {
    const t = Date.now();
    const deadline = t + 1500;
    const r = await resolveHost('no-such-host.invalid', { deadline });
    const elapsed = Date.now() - t;
    expect(r.ok).toBe(false);
    expect(r.addresses).toEqual([]);
    expect(['ENOTFOUND', 'EAI_AGAIN', 'ENODATA', 'ETIMEOUT']).toContain(r.error?.code);
    expect(elapsed).toBeLessThanOrEqual(1500 + 300);
  });

  it('no time left means ETIMEOUT without asking the resolver', async () => {
    const r = await resolveHost('localhost', { deadline: Date.now() - 1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'ETIMEOUT' } });
  });

  it('a resolver that never answers is cut off at the deadline', async () => {
    const spy = vi.spyOn(dnsPromises, 'lookup').mockImplementation(() => new Promise(() => undefined));
    try {
      const t = Date.now();
      const r = await resolveHost('hangs.example', { deadline: t + 500 });
      const elapsed = Date.now() - t;
      expect(spy).toHaveBeenCalledTimes(1);
      expect(r).toMatchObject({ ok: false, addresses: [], error: { code: 'ETIMEOUT' } });
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThanOrEqual(500 + 300);
    } finally {
      spy.mockRestore();
    }
  });

  it('a name with 100 addresses is capped to 16, duplicates dropped, order kept', async () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ address: `10.0.${i >> 8}.${i & 255}`, family: 4 }));
    const answer = [{ address: '10.0.0.0', family: 4 }, ...many, { address: '::1', family: 6 }];
    const spy = vi.spyOn(dnsPromises, 'lookup').mockResolvedValue(answer as never);
    try {
      const r = await resolveHost('many.example', { deadline: Date.now() + 1000 });
      expect(r.ok).toBe(true);
      expect(r.addresses).toHaveLength(16);
      expect(r.addresses.map((a) => a.address)).toEqual(many.slice(0, 16).map((a) => a.address));
      expect((spy.mock.calls[0] as unknown[])[1]).toMatchObject({ all: true });
      const r3 = await resolveHost('many.example', { deadline: Date.now() + 1000, maxAddresses: 3 });
      expect(r3.addresses).toHaveLength(3);
    } finally {
      spy.mockRestore();
    }
  });

  it('caps the addresses and rejects malformed names as input errors', async () => {
    const r = await resolveHost('localhost', { deadline: Date.now() + 2000, maxAddresses: 1 });
    expect(r.addresses).toHaveLength(1);
    const deadline = Date.now() + 2000;
    await expect(resolveHost('', { deadline })).rejects.toThrow(InputError);
    await expect(resolveHost('a b.example', { deadline })).rejects.toThrow(InputError);
    await expect(resolveHost('evil.example\r\nX: y', { deadline })).rejects.toThrow(InputError);
    await expect(resolveHost(`${'a'.repeat(64)}.example`, { deadline })).rejects.toThrow(/63/);
    await expect(resolveHost('a..example', { deadline })).rejects.toThrow(InputError);
    // 63 is the maximum label length and must pass validation (the lookup itself then fails).
    const ok63 = await resolveHost(`${'a'.repeat(63)}.invalid`, { deadline });
    expect(ok63.ok).toBe(false);
  });
});

// ---------- TCP ----------

describe('connectTcp', () => {
  it('a closed port is refused', async () => {
    const srv = await rawServer(() => undefined);
    const port = srv.port;
    await srv.close();
    const { observation, socket } = await connectTcp('127.0.0.1', port, { deadline: Date.now() + 2000 });
    expect(socket).toBeUndefined();
    expect(observation).toMatchObject({ ok: false, address: '127.0.0.1', port, error: { kind: 'refused', code: 'ECONNREFUSED' } });
  });

  it('accept-and-silence is a successful TCP connect', async () => {
    await withServer(() => undefined, async (srv) => {
      const { observation, socket } = await connectTcp('127.0.0.1', srv.port, { deadline: Date.now() + 2000 });
      expect(observation.ok).toBe(true);
      expect(observation.error).toBeUndefined();
      expect(socket).toBeInstanceOf(net.Socket);
      expect(socket!.listenerCount('connect')).toBe(0);
      socket!.destroy();
    });
  });

  it('connects over IPv6 loopback too', async () => {
    let srv: RawServer;
    try {
      srv = await rawServer(() => undefined, '::1');
    } catch {
      return; // no IPv6 loopback in this sandbox
    }
    try {
      const { observation, socket } = await connectTcp('::1', srv.port, { deadline: Date.now() + 2000 });
      expect(observation).toMatchObject({ ok: true, address: '::1' });
      socket!.destroy();
    } finally {
      await srv.close();
    }
  });

  it('an error while no stage listens is parked, not thrown', async () => {
    await withServer((s) => setTimeout(() => s.resetAndDestroy(), 20), async (srv) => {
      const { socket } = await connectTcp('127.0.0.1', srv.port, { deadline: Date.now() + 2000 });
      await new Promise<void>((res) => socket!.once('close', () => res()));
      expect((parkedSocketError(socket!) as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    });
  });

  it('no time left is a timeout without connecting; bad input is an InputError', async () => {
    await withServer(() => undefined, async (srv) => {
      const r = await connectTcp('127.0.0.1', srv.port, { deadline: Date.now() - 1 });
      expect(r.observation.error?.kind).toBe('timeout');
      expect(srv.connections).toBe(0);
    });
    await expect(connectTcp('localhost', 80, { deadline: Date.now() + 1000 })).rejects.toThrow(InputError);
    await expect(connectTcp('127.0.0.1', 0, { deadline: Date.now() + 1000 })).rejects.toThrow(InputError);
    await expect(connectTcp('127.0.0.1', 70000, { deadline: Date.now() + 1000 })).rejects.toThrow(InputError);
  });

  const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
  it.skipIf(!hasPython)('a SYN that is never answered times out at the deadline', async () => {
    // A listener with a full accept queue drops further SYNs: connect() then hangs, as it does
    // behind a firewall that silently drops, but without leaving loopback.
    const script = `
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
fill = []
for i in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', port))
    except BlockingIOError: pass
    fill.append(c)
print(port, flush=True)
time.sleep(20)
`;
    const child: ChildProcess = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const port = await new Promise<number>((res, rej) => {
        child.stdout!.once('data', (d: Buffer) => res(Number(d.toString().trim())));
        child.once('error', rej);
      });
      await new Promise((r) => setTimeout(r, 100));
      const t = Date.now();
      const { observation, socket } = await connectTcp('127.0.0.1', port, { deadline: t + 700 });
      const elapsed = Date.now() - t;
      expect(socket).toBeUndefined();
      expect(observation.error?.kind).toBe('timeout');
      expect(elapsed).toBeGreaterThanOrEqual(650);
      expect(elapsed).toBeLessThanOrEqual(700 + 300);
    } finally {
      child.kill('SIGKILL');
      child.stdout?.destroy();
    }
  });
});

// ---------- HTTP ----------

describe('httpGet', () => {
  it('200 with a body', async () => {
    await withServer(onRequest((s) => s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world')), async (srv) => {
      const { obs, socket } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 200, statusText: 'OK', bodyTruncated: false });
      expect(obs.error).toBeUndefined();
      expect(obs.headers).toEqual([['Content-Type', 'text/plain'], ['Content-Length', '11']]);
      expect(text(obs.bodyPrefix)).toBe('hello world');
      expect(obs.location).toBeUndefined();
      expect(obs.ms).toBeGreaterThanOrEqual(0);
      expect(socket.destroyed).toBe(true);
    });
  });

  it('a chunked, close-delimited and empty body', async () => {
    await withServer(onRequest((s) => s.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n')), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 200, bodyTruncated: false });
      expect(text(obs.bodyPrefix)).toBe('hello world');
    });
    await withServer(onRequest((s) => s.end('HTTP/1.0 200 OK\r\n\r\nuntil close')), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs.error).toBeUndefined();
      expect(text(obs.bodyPrefix)).toBe('until close');
    });
    await withServer(onRequest((s) => s.end('HTTP/1.1 204 No Content\r\n\r\n')), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 204, bodyTruncated: false });
      expect(obs.bodyPrefix.length).toBe(0);
    });
  });

  it('404', async () => {
    await withServer(onRequest((s) => s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found')), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 404, statusText: 'Not Found' });
      expect(obs.error).toBeUndefined();
    });
  });

  it('302 to 169.254.169.254 is observed, not followed', async () => {
    await withServer(onRequest((s) => s.end('HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\nContent-Length: 0\r\n\r\n')), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 302, location: 'http://169.254.169.254/' });
      expect(obs.error).toBeUndefined();
    });
  });

  it('a redirect to another live loopback server gets no request there', async () => {
    await withServer(onRequest((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n')), async (target) => {
      const loc = `http://127.0.0.1:${target.port}/elsewhere`;
      await withServer(onRequest((s) => s.end(`HTTP/1.1 301 Moved Permanently\r\nLocation: ${loc}\r\nContent-Length: 0\r\n\r\n`)), async (srv) => {
        const { obs } = await probe(srv.port, 2000);
        expect(obs).toMatchObject({ status: 301, location: loc });
        await new Promise((r) => setTimeout(r, 100));
        expect(target.connections).toBe(0);
      });
    });
  });

  it('status 999 is reported as is', async () => {
    await withServer(onRequest((s) => s.end('HTTP/1.1 999 Weird\r\nContent-Length: 0\r\n\r\n')), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 999, statusText: 'Weird' });
    });
  });

  it('a 101 is observed as the final status', async () => {
    await withServer(onRequest((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n')), async (srv) => {
      const { obs, elapsed } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 101 });
      expect(elapsed).toBeLessThan(1000);
    });
  });

  it('a 64 KiB response header is invalid (header overflow)', async () => {
    await withServer(onRequest((s) => s.end(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\nContent-Length: 0\r\n\r\n`)), async (srv) => {
      const { obs, elapsed } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'HPE_HEADER_OVERFLOW' } });
      expect(obs.status).toBeUndefined();
      expect(elapsed).toBeLessThan(1000);
    });
  });

  it('the header cap is configurable', async () => {
    const resp = `HTTP/1.1 200 OK\r\nX-Mid: ${'a'.repeat(20 * 1024)}\r\nContent-Length: 0\r\n\r\n`;
    await withServer(onRequest((s) => s.end(resp)), async (srv) => {
      expect((await probe(srv.port, 2000)).obs.error?.kind).toBe('invalid');
      expect((await probe(srv.port, 2000, { maxHeaderBytes: 32 * 1024 })).obs).toMatchObject({ ok: true, status: 200 });
    });
  });

  it('headers then silence ends at the deadline with a timeout', async () => {
    await withServer(onRequest((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial')), async (srv) => {
      const { obs, elapsed, socket } = await probe(srv.port, 800);
      expect(obs).toMatchObject({ ok: true, status: 200, error: { kind: 'timeout' } });
      expect(text(obs.bodyPrefix)).toBe('partial');
      expect(elapsed).toBeGreaterThanOrEqual(750);
      expect(elapsed).toBeLessThanOrEqual(800 + 300);
      expect(socket.destroyed).toBe(true);
    });
  });

  it('accept, read the request, never answer → timeout', async () => {
    await withServer(onRequest(() => undefined), async (srv) => {
      const { obs, elapsed } = await probe(srv.port, 600);
      expect(obs).toMatchObject({ ok: false, error: { kind: 'timeout' } });
      expect(elapsed).toBeLessThanOrEqual(600 + 300);
    });
  });

  it('a status line dripped one byte per 100 ms ends at the deadline', async () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    let sent = 0;
    await withServer(onRequest((s) => {
      let i = 0;
      every(s, 100, () => {
        if (i < head.length) {
          s.write(head[i++]!);
          sent++;
        }
      });
    }), async (srv) => {
      const { obs, elapsed } = await probe(srv.port, 1000);
      expect(obs).toMatchObject({ ok: false, error: { kind: 'timeout' } });
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(elapsed).toBeLessThanOrEqual(1000 + 300);
      expect(sent).toBeGreaterThan(3); // the drip really was under way
      expect(sent).toBeLessThan(head.length);
    });
  });

  it('an endless body yields exactly a 64 KiB prefix, marked truncated', async () => {
    let written = 0;
    await withServer(onRequest((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n');
      const block = Buffer.alloc(16 * 1024, 0x61);
      const pump = (): void => {
        while (!s.destroyed && s.write(block)) written += block.length;
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    }), async (srv) => {
      const before = process.memoryUsage().rss;
      const { obs, elapsed } = await probe(srv.port, 3000);
      expect(obs).toMatchObject({ ok: true, status: 200, bodyTruncated: true });
      expect(obs.error).toBeUndefined();
      expect(obs.bodyPrefix.length).toBe(64 * 1024);
      expect(obs.bodyPrefix.every((b) => b === 0x61)).toBe(true);
      expect(elapsed).toBeLessThan(1500);
      expect(written).toBeGreaterThan(64 * 1024);
      expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
    });
  });

  it('a body of exactly 64 KiB is complete, not truncated; the cap is configurable', async () => {
    const body = 'b'.repeat(64 * 1024);
    await withServer(onRequest((s) => s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`)), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs.bodyPrefix.length).toBe(64 * 1024);
      expect(obs.bodyTruncated).toBe(false);
      const small = (await probe(srv.port, 2000, { maxBodyBytes: 100 })).obs;
      expect(small.bodyPrefix.length).toBe(100);
      expect(small.bodyTruncated).toBe(true);
    });
  });

  it('a body match string at byte 70,000 lies outside the prefix', async () => {
    const needle = 'HEALTHY-MARKER';
    const body = Buffer.alloc(80_000, 0x2e);
    body.write(needle, 70_000, 'latin1');
    body.write('early-marker', 1000, 'latin1');
    await withServer(onRequest((s) => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
      s.end(body);
    }), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs.bodyPrefix.length).toBe(65_536);
      expect(obs.bodyTruncated).toBe(true);
      expect(bodyContains(obs.bodyPrefix, needle)).toBe(false);
      expect(bodyContains(obs.bodyPrefix, 'early-marker')).toBe(true);
      expect(bodyContains(obs.bodyPrefix, 'EARLY-MARKER')).toBe(false);
    });
  });

  const malformed: [string, string][] = [
    ['duplicate Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello'],
    ['conflicting Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'],
    ['Content-Length with Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'],
    ['chunk-size overflow', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n'],
    ['NUL in a header', 'HTTP/1.1 200 OK\r\nX-Evil: a\u0000b\r\nContent-Length: 0\r\n\r\n'],
    ['an HTTP/0.9 body', '<html>no status line</html>'],
    ['a bare LF status line', 'HTTP/1.1 200 OK\nContent-Length: 0\n\n'],
  ];
  it.each(malformed)('%s is invalid with an HPE code', async (_name, resp) => {
    await withServer(onRequest((s) => s.end(Buffer.from(resp, 'latin1'))), async (srv) => {
      const { obs, elapsed } = await probe(srv.port, 2000);
      expect(obs.error?.kind).toBe('invalid');
      expect(obs.error?.code).toMatch(/^HPE_/);
      expect(elapsed).toBeLessThan(1000);
    });
  });

  it('5,000 interim 100 Continue responses are counted against the header cap', async () => {
    const interim = 'HTTP/1.1 100 Continue\r\n\r\n'.repeat(5000);
    await withServer(onRequest((s) => s.end(`${interim}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`)), async (srv) => {
      const { obs, elapsed } = await probe(srv.port, 3000);
      expect(obs).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'HPE_HEADER_OVERFLOW' } });
      expect(obs.error?.message).toMatch(/interim/);
      expect(elapsed).toBeLessThan(1000);
      // With a cap large enough for them all, they are skipped and the final response is judged.
      const big = (await probe(srv.port, 3000, { maxHeaderBytes: 256 * 1024 })).obs;
      expect(big).toMatchObject({ ok: true, status: 200 });
      expect(text(big.bodyPrefix)).toBe('ok');
    });
  });

  it('an endless stream of 100 Continue ends at the header cap, not the deadline', async () => {
    await withServer(onRequest((s) => {
      const block = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n'.repeat(100));
      const pump = (): void => {
        while (!s.destroyed && s.write(block));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    }), async (srv) => {
      const { obs, elapsed } = await probe(srv.port, 3000);
      expect(obs).toMatchObject({ ok: false, error: { kind: 'invalid', code: 'HPE_HEADER_OVERFLOW' } });
      expect(elapsed).toBeLessThan(1000);
    });
  });

  it('a few interim responses (100, 103) are skipped', async () => {
    await withServer(onRequest((s) => s.end(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    )), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 200 });
      expect(obs.headers).toEqual([['Content-Length', '2']]);
    });
  });

  it('sends only Host, User-Agent and Connection; ignores HTTP(S)_PROXY', async () => {
    const heads: string[] = [];
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY, http_proxy: process.env.http_proxy };
    await withServer(() => undefined, async (proxy) => {
      process.env.HTTP_PROXY = `http://user:secret@127.0.0.1:${proxy.port}`;
      process.env.HTTPS_PROXY = process.env.HTTP_PROXY;
      process.env.http_proxy = process.env.HTTP_PROXY;
      try {
        await withServer(onRequest((s, head) => {
          heads.push(head);
          s.end('HTTP/1.1 200 OK\r\nSet-Cookie: a=b\r\nContent-Length: 0\r\n\r\n');
        }), async (srv) => {
          const { obs } = await probe(srv.port, 2000, { hostHeader: 'app.contoso.com:8443', path: '/health?probe=1' });
          expect(obs.status).toBe(200);
          // A second request on a new connection must not carry the cookie it was given.
          await probe(srv.port, 2000);
        });
      } finally {
        for (const [k, v] of Object.entries(saved)) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
      expect(proxy.connections).toBe(0);
    });
    expect(heads).toHaveLength(2);
    const lines = heads[0]!.split('\r\n');
    expect(lines[0]).toBe('GET /health?probe=1 HTTP/1.1');
    const names = lines.slice(1).filter(Boolean).map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
    expect(names.sort()).toEqual(['connection', 'host', 'user-agent']);
    expect(heads[0]).toContain('Host: app.contoso.com:8443\r\n');
    expect(heads[0]).toContain('Connection: close\r\n');
    for (const h of heads) expect(h).not.toMatch(/cookie|authorization|accept-encoding|proxy/i);
  });

  it('FIN before any response is closed; RST is reset; a cut body keeps the status', async () => {
    await withServer(onRequest((s) => s.end()), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: false, error: { kind: 'closed' } });
    });
    await withServer(onRequest((s) => s.resetAndDestroy()), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: false, error: { kind: 'reset', code: 'ECONNRESET' } });
    });
    await withServer(onRequest((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b')), async (srv) => {
      const { obs } = await probe(srv.port, 2000);
      expect(obs).toMatchObject({ ok: true, status: 200, error: { kind: 'closed' } });
      expect(text(obs.bodyPrefix)).toBe('only ten b');
    });
  });

  it('a socket the server already closed, or no time left, still resolves once and destroys', async () => {
    await withServer((s) => s.destroy(), async (srv) => {
      const { socket } = await connectTcp('127.0.0.1', srv.port, { deadline: Date.now() + 2000 });
      await new Promise((r) => setTimeout(r, 100));
      const obs = await httpGet(socket!, { hostHeader: 'h', path: '/', deadline: Date.now() + 1000 });
      expect(obs.ok).toBe(false);
      expect(['closed', 'reset']).toContain(obs.error?.kind);
      expect(socket!.destroyed).toBe(true);
    });
    await withServer(onRequest(() => undefined), async (srv) => {
      const { socket } = await connectTcp('127.0.0.1', srv.port, { deadline: Date.now() + 2000 });
      const obs = await httpGet(socket!, { hostHeader: 'h', path: '/', deadline: Date.now() - 1 });
      expect(obs).toMatchObject({ ok: false, error: { kind: 'timeout' } });
      expect(socket!.destroyed).toBe(true);
    });
  });

  it('malformed path, Host or caps are input errors, and the socket is still destroyed', async () => {
    await withServer(() => undefined, async (srv) => {
      const cases: Partial<HttpProbeOptions>[] = [
        { path: 'health' },
        { path: '/a b' },
        { path: '/x\r\nX-Injected: 1' },
        { hostHeader: 'evil\r\nCookie: a=b' },
        { hostHeader: '' },
        { maxBodyBytes: 0 },
        { maxHeaderBytes: 1.5 },
      ];
      for (const c of cases) {
        const { socket } = await connectTcp('127.0.0.1', srv.port, { deadline: Date.now() + 2000 });
        await expect(httpGet(socket!, { hostHeader: 'h', path: '/', deadline: Date.now() + 1000, ...c })).rejects.toThrow(InputError);
        expect(socket!.destroyed).toBe(true);
      }
    });
  });

  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  it.skipIf(!hasOpenssl)('works over a TLSSocket after the handshake', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certcheck-nethttp-'));
    try {
      const r = spawnSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
        '-subj', '/CN=backend.example', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      ], { stdio: 'ignore' });
      expect(r.status).toBe(0);
      const key = readFileSync(join(dir, 'k.pem'));
      const cert = readFileSync(join(dir, 'c.pem'));
      const sockets = new Set<tls.TLSSocket>();
      let head = '';
      const srv = tls.createServer({ key, cert }, (s) => {
        sockets.add(s);
        s.on('error', () => undefined);
        s.once('data', (d: Buffer) => {
          head = d.toString('latin1');
          s.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy');
        });
      });
      await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
      try {
        const port = (srv.address() as net.AddressInfo).port;
        const deadline = Date.now() + 3000;
        const { socket } = await connectTcp('127.0.0.1', port, { deadline });
        const t = tls.connect({ socket: socket!, servername: 'backend.example', rejectUnauthorized: false });
        await new Promise<void>((res, rej) => {
          t.once('secureConnect', () => res());
          t.once('error', rej);
        });
        const obs = await httpGet(t, { hostHeader: 'backend.example', path: '/', deadline });
        expect(obs).toMatchObject({ ok: true, status: 503 });
        expect(text(obs.bodyPrefix)).toBe('busy');
        expect(head.startsWith('GET / HTTP/1.1\r\n')).toBe(true);
        expect(t.destroyed).toBe(true);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((res) => srv.close(() => res()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Last in the file: vitest runs a file's tests in order.
describe('resources', () => {
  it('leaves no sockets, servers or timers behind', async () => {
    await new Promise((r) => setTimeout(r, 50));
    // More handles of a kind than before the file's tests is a leak; fewer is not (a timer the
    // test runner held when the baseline was taken may have fired since).
    const leaked = (n: Record<string, number>) => Object.entries(n).filter(([k, v]) => v > (baseline[k] ?? 0));
    let now = handleCounts();
    // Up to 5 s: on a loaded 2-core CI box a peer's close can take a while to reach us.
    for (let i = 0; i < 100 && leaked(now).length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      now = handleCounts();
    }
    // The timer used by the wait loop itself is gone once awaited.
    expect(Object.fromEntries(leaked(now))).toEqual({});
  });
});

