/**
 * Issue 13's guard: the reports certcheck prints for every scenario of certs/scenarios.mjs
 * (`verify --json` and `verify` text over files; a live probe `--json` of a loopback backend that
 * sends the scenario's chain) and for the demo, with what differs run to run (ports, timings)
 * normalised away. test/e2e/golden.test.ts compares them with test/golden/reports.json, written
 * before the refactor; `UPDATE_GOLDEN=1` rewrites that file (only for a deliberate change, said in
 * the commit).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarios, loadServed, loadRoots, servedKeyPath, toPem, type Scenario } from '../../certs/scenarios.mjs';
import { closedPort, startBackend } from '../../src/fixtures.js';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

export interface GoldenEntry { kind: 'verify-json' | 'verify-text' | 'probe-json' | 'demo-json' | 'plan-json' | 'plan-text' | 'targets-json' | 'targets-text'; name: string; exit: number; out: unknown }

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CliIo = { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: { NO_COLOR: '1' }, stdoutIsTTY: false, stdinIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

/** PEM text is long and follows from the bytes: its digest keeps the file small and the check whole. */
const pemDigest = (x: unknown) => (typeof x === 'string' ? `sha256:${createHash('sha256').update(x).digest('hex')}` : x);

/** Timings and ms fields vary run to run; ports too. Everything else must be stable. */
function normalise(v: unknown, ports: number[], clockIsNow = false): unknown {
  let text = JSON.stringify(v);
  // The demo judges at the real time: the clock's traces are not part of what must stay the same.
  if (clockIsNow) text = text.replace(/"at":"[^"]*"/g, '"at":"NOW"').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'NOW').replace(/"daysLeft":-?\d+/g, '"daysLeft":"N"').replace(/\b\d+ days?\b/g, 'N days');
  for (const p of ports) text = text.replaceAll(`"port":${p}`, '"port":"PORT"').replaceAll(`:${p}`, ':PORT').replaceAll(`port ${p}`, 'port PORT');
  return JSON.parse(text, (k, x) => (k === 'ms' || k === 'timings' || k === 'totalMs' || k === 'elapsedMs' ? 'MS' : k === 'pem' ? pemDigest(x) : x));
}

function trustFlags(s: Scenario, files: string[]): string[] {
  const flag = s.trust.mode === 'uploaded' ? '--trusted-root' : '--well-known-root';
  return files.flatMap((f) => [flag, f]);
}

/** A TLS server on 127.0.0.1 sending exactly the scenario's chain, answering HTTP 200 "ok". */
async function serve(s: Scenario): Promise<{ port: number; close: () => Promise<void> } | undefined> {
  const served = loadServed(s).map((c) => toPem(c.der)).join('');
  let server: tls.Server;
  try {
    server = tls.createServer({ key: readFileSync(servedKeyPath(s), 'utf8'), cert: served }, (sock) => {
      sock.on('error', () => undefined);
      sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n'));
    });
  } catch {
    return undefined; // Node's TLS refuses this key/chain as a server: a file-only case
  }
  server.on('tlsClientError', () => undefined);
  const sockets = new Set<net.Socket>();
  server.on('connection', (c: net.Socket) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => { for (const c of sockets) c.destroy(); server.close(() => r()); }),
  };
}

export async function goldenReports(): Promise<GoldenEntry[]> {
  const dir = mkdtempSync(join(tmpdir(), 'certcheck-golden-'));
  const out: GoldenEntry[] = [];
  try {
    for (const s of scenarios) {
      const files = loadServed(s).map((c, i) => { const f = join(dir, `${s.name}-${i}.der`); writeFileSync(f, c.der); return f; });
      const roots = loadRoots(s).map((c, i) => { const f = join(dir, `${s.name}-root-${i}.der`); writeFileSync(f, c.der); return f; });
      const args = ['verify', ...files, '--host', s.host, '--at', s.at, ...trustFlags(s, roots)];
      const j = await cli([...args, '--json']);
      // File paths are per run: name them by their position.
      const rel = (t: string) => t.replaceAll(dir, 'DIR');
      out.push({ kind: 'verify-json', name: s.name, exit: j.code, out: normalise(JSON.parse(rel(j.out || 'null')), []) });
      const t = await cli(args);
      out.push({ kind: 'verify-text', name: s.name, exit: t.code, out: rel(t.out + t.err) });
      if (s.offlineOnly) continue;
      const srv = await serve(s);
      if (!srv) { out.push({ kind: 'probe-json', name: s.name, exit: -1, out: 'not servable by Node TLS' }); continue; }
      try {
        const p = await cli([`127.0.0.1:${srv.port}`, '--sni', s.host, '--at', s.at, '--timeout', '10', ...trustFlags(s, roots), '--json']);
        out.push({ kind: 'probe-json', name: s.name, exit: p.code, out: normalise(JSON.parse(rel(p.out || 'null')), [srv.port]) });
      } finally {
        await srv.close();
      }
    }
    // The gateway planner on the fixture configurations (contacts nothing), text and JSON.
    const GW = join(import.meta.dirname, '..', 'fixtures', 'gateway');
    // The three configurations of before the refactor; later fixtures have their own tests.
    for (const f of ['v1-arm.json', 'v2-arm.json', 'v2-cli.json']) {
      const j = await cli(['gateway', join(GW, f), '--plan', '--format', 'json']);
      out.push({ kind: 'plan-json', name: f, exit: j.code, out: JSON.parse(j.out.replaceAll(GW, 'GW') || 'null') });
      const t = await cli(['gateway', join(GW, f), '--plan']);
      out.push({ kind: 'plan-text', name: f, exit: t.code, out: (t.out + t.err).replaceAll(GW, 'GW') });
    }
    // A small sweep: healthy, leaf only, closed port; JSON and text (ports normalised).
    const a = await startBackend({ served: ['leaf-a', 'int-a'] });
    const b = await startBackend({ served: ['leaf-a'] });
    const closed = await closedPort();
    try {
      const tf = join(dir, 'targets.txt');
      writeFileSync(tf, ['# fleet', `127.0.0.1:${a.port} backend.test`, `backend.test:${a.port}`, `127.0.0.1:${b.port} backend.test`, `127.0.0.1:${closed}`].join('\n'));
      const args = ['targets', tf, '--trusted-root', join(import.meta.dirname, '..', '..', 'certs', 'out', 'pki', 'root-a.pem'), '--resolve', 'backend.test=127.0.0.1', '--timeout', '5', '--at', '2030-06-01T00:00:00Z'];
      const ports = [a.port, b.port, closed];
      const j = await cli([...args, '--format', 'json']);
      out.push({ kind: 'targets-json', name: 'sweep', exit: j.code, out: normalise(JSON.parse(j.out.replaceAll(dir, 'DIR')), ports) });
      const t = await cli(args);
      let text = (t.out + t.err).replaceAll(dir, 'DIR');
      for (const p of ports) text = text.replaceAll(`:${p}`, ':PORT').replaceAll(`port ${p}`, 'port PORT');
      out.push({ kind: 'targets-text', name: 'sweep', exit: t.code, out: text.replace(/\d+(\.\d+)? ?m?s\b/g, 'T') });
    } finally {
      await a.close();
      await b.close();
    }
    const d = await cli(['demo', '--json']);
    const demo = JSON.parse(d.out) as { case: string; report: { target: { port: number } } }[];
    for (const r of demo) out.push({ kind: 'demo-json', name: r.case, exit: d.code, out: normalise(r, [r.report.target.port], true) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
