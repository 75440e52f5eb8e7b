/**
 * Issue 15 items 2 and 6 where a real process is needed: Ctrl-C (SIGINT) or SIGTERM during a sweep
 * with --output removes the temporary file the sweep was streaming into, leaves the old file as it
 * was, and the process still ends by the signal (Ctrl-C: with status 130, issue 18 item 2); `--password-file /dev/stdin` and `-` read a pipe.
 * Runs the BUILT CLI, building it first if needed.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'certcheck-signal-'));
const sockets = new Set<net.Socket>();
let accepted = 0;
// Holds every connection silently: each probe waits for its TCP/TLS deadline.
const server = net.createServer((s) => { accepted++; sockets.add(s); s.on('error', () => undefined); s.on('close', () => sockets.delete(s)); });

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  if (existsSync(join(ROOT, 'dist', 'cli.cjs'))) return;
  await new Promise<void>((ok, fail) => execFile('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 }, (e, out, err) => (e ? fail(new Error(`${out}${err}`)) : ok())));
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const temps = () => readdirSync(dir).filter((n) => n.includes('.certcheck-') && n.endsWith('.tmp'));

describe('a sweep interrupted while writing --output', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: no temporary file is left and the old output stays`, async () => {
      const port = (server.address() as net.AddressInfo).port;
      const list = join(dir, `targets-${signal}.txt`);
      writeFileSync(list, `127.0.0.1:${port}\n127.0.0.1:${port}\n`);
      const out = join(dir, `out-${signal}.jsonl`);
      writeFileSync(out, 'previous run\n');
      const before = accepted;
      const child = spawn(process.execPath, [join(ROOT, 'bin/certcheck.js'), 'targets', list, '--format', 'jsonl', '--output', out, '--timeout', '30'], { cwd: ROOT, stdio: 'ignore', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, sig) => r({ code, signal: sig })));
      const deadline = Date.now() + 10_000;
      // Both probes are in flight and the temporary file exists: the sweep is mid-stream.
      while (!(accepted - before >= 2 && temps().length === 1)) {
        if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error('the sweep never started'); }
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill(signal);
      const end = await ended;
      // Ctrl-C stops the sweep, which reports and exits 130 (issue 18 item 2); SIGTERM still ends it by the signal.
      if (signal === 'SIGINT') expect(end).toEqual({ code: 130, signal: null });
      else expect(end.signal).toBe(signal);
      expect(temps()).toEqual([]);
      expect(readFileSync(out, 'utf8')).toBe('previous run\n');
    }, 20_000);
  }
});

describe('--password-file from a pipe', () => {
  const pfx = join(ROOT, 'certs', 'out', 'formats', 'chain.pfx');
  const bin = join(ROOT, 'bin/certcheck.js');
  const cases: [string, string, string[]][] = [
    ['/dev/stdin, a shell pipe', 'sh', ['-c', 'printf "%s\\n%s\\n" "$1" second | "$0" "$2" verify "$3" --password-file /dev/stdin --format json', process.execPath, 'test-only-pass', bin, pfx]],
    ['-, a shell pipe', 'sh', ['-c', 'printf "%s\\n%s\\n" "$1" second | "$0" "$2" verify "$3" --password-file - --format json', process.execPath, 'test-only-pass', bin, pfx]],
    ['<(...), process substitution', 'bash', ['--norc', '--noprofile', '-c', '"$0" "$2" verify "$3" --password-file <(printf "%s\\r\\n" "$1") --format json', process.execPath, 'test-only-pass', bin, pfx]],
  ];
  for (const [what, shell, args] of cases) {
    it(`${what}: first line only`, () => {
      const r = spawnSync(shell, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
      expect(r.stderr).toBe('');
      expect([0, 1]).toContain(r.status);
      expect((JSON.parse(r.stdout) as { chain: { presented: unknown[] } }).chain.presented).toHaveLength(3);
    });
  }
  it('/dev/stdin when stdin is a socket (Node\'s child_process): read all the same', () => {
    const r = spawnSync(process.execPath, [bin, 'verify', pfx, '--password-file', '/dev/stdin', '--format', 'json'], {
      cwd: ROOT, input: 'test-only-pass\nsecond line\n', encoding: 'utf8', timeout: 15_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.status);
  });
});
