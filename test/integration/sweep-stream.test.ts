/**
 * A sweep holds at most `concurrency` targets and results, whatever the number of targets (bench
 * row 5b: flat memory). Checked without timing, through the runner's public surface: the items
 * come from a generator that counts what the runner has pulled, results leave through onResult,
 * and the probe (RunOptions.probe) is a counting stand-in that opens a real loopback connection
 * per target. Weak references to each result and item, checked after a forced GC part-way
 * through, show the runner lets go of every finished one. The CLI tests check the formats that
 * stream (jsonl in completion order, github in input order) and the unchanged exit statuses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { startBackend, type RunningBackend } from '../../src/fixtures.js';
import { exitForCounts, streamProbes, type Probeable, type RunResult } from '../../src/sweep.js';
import type { Report } from '../../src/model/report.js';
import { probeBackend } from '../../src/probe.js';

// A full GC on demand, to see which results are still reachable (the same switch as node --expose-gc).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const tmp = mkdtempSync(join(tmpdir(), 'certcheck-stream-'));
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  rmSync(tmp, { recursive: true, force: true });
});

/** A TCP server on 127.0.0.1 that greets each connection with one byte and counts connections. */
async function greeter(): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.end('.');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
}

/** Connects, waits for the greeting, closes: a real socket per probe at a fraction of a TLS probe's cost. */
function touch(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('data', () => { s.destroy(); resolve(); });
    s.once('error', reject);
  });
}

interface Item extends Probeable { n: number }

describe('streamProbes: memory bounded by the concurrency, not by the number of targets', () => {
  let template: Report;
  let backend: RunningBackend;
  beforeAll(async () => {
    backend = await startBackend({ served: ['leaf-a', 'int-a'] });
    closers.push(() => backend.close());
    // One real probe gives a real report; the counting probe hands out copies of it.
    template = await probeBackend({ target: `127.0.0.1:${backend.port}`, sni: 'backend.test', trustedRoots: [readFileSync('certs/out/pki/root-a.pem', 'utf8')], timeoutSeconds: 5 });
    expect(template.status).toBe('Healthy');
  });

  it('pulls an item only when a slot is free and keeps no finished result or item', async () => {
    const N = 2000, CONCURRENCY = 25;
    const { port, accepted } = await greeter();
    let pulled = 0, delivered = 0, maxHeld = 0, inProbe = 0, maxInProbe = 0;
    // Counts what the GC has reclaimed. (WeakRef.deref would itself keep its target alive until the
    // engine clears its kept objects, which would count here as held by the runner.)
    const reclaimed = { items: 0, results: 0 };
    const registry = new FinalizationRegistry<'item' | 'result'>((kind) => { reclaimed[kind === 'item' ? 'items' : 'results']++; });
    const alive: { at: number; results: number; items: number }[] = [];
    function* targets(): Generator<Item> {
      for (let n = 0; n < N; n++) {
        pulled++;
        maxHeld = Math.max(maxHeld, pulled - delivered);
        const item: Item = { n, options: { target: `127.0.0.1:${port}` } };
        registry.register(item, 'item');
        yield item;
      }
    }
    const checkAt = new Set([500, 1200, N - CONCURRENCY]);
    const counts = await streamProbes(targets(), {
      concurrency: CONCURRENCY,
      probe: async (): Promise<Report> => {
        inProbe++;
        maxInProbe = Math.max(maxInProbe, inProbe);
        try { await touch(port); } finally { inProbe--; }
        if (checkAt.delete(delivered)) {
          // Collect everything unreachable, then let the registry's callbacks run.
          const at = delivered;
          for (let turn = 0; turn < 3; turn++) { gc(); await new Promise((res) => setImmediate(res)); }
          alive.push({ at, results: 2 * delivered - reclaimed.results, items: pulled - reclaimed.items });
        }
        return { ...template, findings: [...template.findings] };
      },
      onResult: (r: RunResult, i: number) => {
        expect(r.health).toBe('Healthy');
        expect(i).toBeLessThan(pulled);
        delivered++;
        registry.register(r, 'result');
        registry.register(r.report!, 'result');
      },
    });
    expect(counts).toEqual({ total: N, healthy: N, unhealthy: 0, unknown: 0, policyFailed: 0 });
    expect(exitForCounts(counts)).toBe(0);
    expect(accepted()).toBe(N);
    // Never more than `concurrency` items between pull and result, and it did run that many at once.
    expect(maxHeld).toBeLessThanOrEqual(CONCURRENCY);
    expect(maxInProbe).toBe(CONCURRENCY);
    // Part-way through, hundreds of results had been delivered. What is still alive is bounded by
    // the concurrency: the items in flight, plus at most one stale reference per worker that a
    // suspended async frame may keep (an engine detail), and no finished result.
    expect(alive.map((a) => a.at)).toEqual([500, 1200, N - CONCURRENCY]);
    for (const a of alive) {
      expect(a.items).toBeLessThanOrEqual(2 * CONCURRENCY + 2);
      expect(a.results).toBeLessThanOrEqual(2 * CONCURRENCY);
    }
  }, 60_000);

  it('an empty iterable probes nothing and exits 3; a short one starts no idle workers', async () => {
    let calls = 0;
    const probe = async (): Promise<Report> => { calls++; return template; };
    const none = await streamProbes<Item>([], { concurrency: 8, probe });
    expect(none).toEqual({ total: 0, healthy: 0, unhealthy: 0, unknown: 0, policyFailed: 0 });
    expect(exitForCounts(none)).toBe(3);
    const seen: number[] = [];
    const two = await streamProbes<Item>([{ n: 0, options: { target: 'a:1' } }, { n: 1, options: { target: 'b:1' }, blocked: 'no' }], { concurrency: 8, probe, onResult: (_r, i) => seen.push(i) });
    expect(two).toEqual({ total: 2, healthy: 1, unhealthy: 0, unknown: 1, policyFailed: 0 });
    expect(exitForCounts(two)).toBe(3);
    expect(seen.sort()).toEqual([0, 1]);
    expect(calls).toBe(1);
  });
});

async function run(argv: string[]): Promise<{ code: number; out: string; chunks: string[]; err: string }> {
  const chunks: string[] = [];
  let err = '';
  const io = { stdout: (s: string) => { chunks.push(s); }, stderr: (s: string) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false, stderrIsTTY: false };
  const code = await main(argv, io);
  return { code, out: chunks.join(''), chunks, err };
}

/** A TLS backend (leaf-a + int-a) that holds its first `slow` connections for `delayMs` before handing them over. */
async function slowFirst(delayMs: number, slow: number): Promise<{ port: number }> {
  const b = await startBackend({ served: ['leaf-a', 'int-a'] });
  closers.push(() => b.close());
  let seen = 0;
  const open = new Set<net.Socket>();
  const front = net.createServer((s) => {
    const wait = seen++ < slow ? delayMs : 0;
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
    setTimeout(() => {
      const up = net.connect(b.port, '127.0.0.1');
      up.on('error', () => s.destroy());
      up.on('close', () => s.destroy());
      s.on('close', () => up.destroy());
      s.pipe(up).pipe(s);
    }, wait);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => { for (const s of open) s.destroy(); front.close(() => r()); }));
  return { port: (front.address() as net.AddressInfo).port };
}

describe('certcheck targets: the streaming formats', () => {
  it('jsonl comes in completion order with input indexes; github keeps input order; exit statuses as before', async () => {
    const slow = await slowFirst(400, 1);
    const fast = await startBackend({ served: ['leaf-a'] }); // missing intermediate: Unhealthy (M8)
    closers.push(() => fast.close());
    const f = join(tmp, 'order.txt');
    writeFileSync(f, `127.0.0.1:${slow.port} backend.test\n${Array.from({ length: 5 }, () => `127.0.0.1:${fast.port} backend.test`).join('\n')}\n`);
    const base = ['targets', f, '--trusted-root', 'certs/out/pki/root-a.pem', '--timeout', '5', '--concurrency', '4'];

    const jl = await run([...base, '--format', 'jsonl']);
    expect(jl.code).toBe(1);
    const lines = jl.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(7);
    // The slow first target finishes after the fast ones behind it: completion order.
    expect(lines.slice(0, 6).map((l) => l.index)).not.toEqual([0, 1, 2, 3, 4, 5]);
    expect(lines.slice(0, 6).map((l) => l.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(lines.find((l) => l.index === 0)).toMatchObject({ line: 1, health: 'Healthy' });
    expect(lines[6]!.summary).toMatchObject({ total: 6, healthy: 1, unhealthy: 5, unknown: 0, concurrency: 4 });

    const gh = await run([...base, '--format', 'github']);
    expect(gh.code).toBe(1);
    const ann = gh.out.trim().split('\n');
    // Input order: the slow (Healthy) target's notice first, although it finished last.
    expect(ann[0]).toMatch(new RegExp(`^::notice title=certcheck 127\\.0\\.0\\.1%3A${slow.port} \\(SNI backend\\.test\\)%3A Healthy::`));
    expect(ann.filter((l) => l.startsWith('::error')).length).toBe(5);

    const junit = await run([...base, '--format', 'junit']);
    expect(junit.code).toBe(1);
    expect(junit.out).toMatch(/<testsuites name="certcheck sweep" tests="6" failures="5" errors="0"/);
    expect(junit.out.indexOf(`127.0.0.1:${slow.port}`)).toBeLessThan(junit.out.indexOf(`127.0.0.1:${fast.port}`));

    const json = JSON.parse((await run([...base, '--format', 'json'])).out) as { targets: { line: number; health: string }[] };
    expect(json.targets.map((t) => [t.line, t.health])).toEqual([[1, 'Healthy'], ...[2, 3, 4, 5, 6].map((n) => [n, 'Unhealthy'])]);
  }, 30_000);

  it('a bad line far down the file stops the command before anything is probed', async () => {
    const { port, accepted } = await greeter();
    const f = join(tmp, 'late-bad.txt');
    writeFileSync(f, `${Array.from({ length: 300 }, () => `127.0.0.1:${port}`).join('\n')}\nhost:99999\n`);
    const r = await run(['targets', f, '--format', 'jsonl', '--timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`certcheck: ${f}:301: target "host:99999": port must be 1-65535\n`);
    expect(r.out).toBe('');
    expect(accepted()).toBe(0);
  });

  it('an unwritable --output stops every format before the first probe', async () => {
    const { port, accepted } = await greeter();
    const f = join(tmp, 'one.txt');
    writeFileSync(f, `127.0.0.1:${port}\n`);
    const out = join(tmp, 'no-such-dir', 'out');
    for (const format of ['text', 'json', 'jsonl', 'junit', 'github', 'azure']) {
      const r = await run(['targets', f, '--format', format, '--output', out, '--timeout', '2']);
      expect(r.code, format).toBe(2);
      expect(r.err, format).toMatch(/^certcheck: --output: cannot write .*no-such-dir\/out \(ENOENT\)/);
      expect(r.out, format).toBe('');
    }
    expect(accepted()).toBe(0);
  });
});
