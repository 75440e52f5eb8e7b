/**
 * The shipped bin's cold-start machinery (bench rows 1-2): which Node built-ins a command loads,
 * and the V8 code cache beside the CLI bundle, which must only ever make things faster, never
 * break them. Runs the BUILT CLI (bin/certcheck.js → dist/cli.cjs), building it first if needed.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { startBackend, type RunningBackend } from '../../src/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PKI = join(ROOT, 'certs', 'out', 'pki');
const VERIFY_ARGS = ['verify', join(PKI, 'leaf-a.pem'), join(PKI, 'int-a.pem'), '--trusted-root', join(PKI, 'root-a.pem'), '--host', 'backend.test'];

const tmp = mkdtempSync(join(tmpdir(), 'certcheck-cold-'));
const modulesFile = join(tmp, 'modules.json');
// Preloaded with --require: the built-in modules the process loaded, written when it exits.
const recorder = join(tmp, 'record-modules.cjs');
writeFileSync(recorder, `process.on('exit', () => { require('node:fs').writeFileSync(${JSON.stringify(modulesFile)}, JSON.stringify(process.moduleLoadList)); });\n`);

beforeAll(async () => {
  if (existsSync(join(ROOT, 'dist', 'cli.cjs'))) return;
  await new Promise<void>((resolve, reject) => execFile('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 }, (e, out, err) => (e ? reject(new Error(`${out}${err}`)) : resolve())));
}, 120_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run { code: number; stdout: string; stderr: string }

function node(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 20_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } },
      (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr }));
  });
}

/** Runs bin/certcheck.js (or a copy) and returns what it printed and the Node built-ins it loaded. */
async function runRecorded(args: string[], bin = join(ROOT, 'bin', 'certcheck.js')): Promise<Run & { builtins: Set<string> }> {
  rmSync(modulesFile, { force: true });
  const r = await node(['--require', recorder, bin, ...args]);
  const list = JSON.parse(readFileSync(modulesFile, 'utf8')) as string[];
  return { ...r, builtins: new Set(list.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length))) };
}

describe('what a command loads', () => {
  it('verify loads no networking: no tls, net, http, dns, child_process', async () => {
    const r = await runRecorded(VERIFY_ARGS);
    expect(r.stdout).toMatch(/Gateway: Healthy/);
    expect(r.code).toBe(0);
    // The recording works: verify needs node:crypto.
    expect(r.builtins.has('crypto')).toBe(true);
    for (const m of ['tls', '_tls_wrap', 'net', 'http', '_http_client', 'https', 'dns', 'child_process', 'dgram', 'worker_threads', 'perf_hooks']) {
      expect(r.builtins.has(m), `verify loaded node:${m}`).toBe(false);
    }
  });

  it('--version and a command\'s --help load no networking either', async () => {
    for (const args of [['--version'], ['verify', '--help']]) {
      const r = await runRecorded(args);
      expect(r.code).toBe(0);
      for (const m of ['tls', 'net', 'http', 'dns', 'child_process']) expect(r.builtins.has(m), `${args.join(' ')} loaded node:${m}`).toBe(false);
    }
  });

  describe('the live check', () => {
    let backend: RunningBackend;
    beforeAll(async () => { backend = await startBackend({ served: ['leaf-a', 'int-a'] }); });
    afterAll(async () => { await backend.close(); });

    it('loads TLS, but not what only other commands or other targets need', async () => {
      const r = await runRecorded([`127.0.0.1:${backend.port}`, '--sni', 'backend.test', '--trusted-root', join(PKI, 'root-a.pem')]);
      expect(r.stdout).toMatch(/Gateway: Healthy/);
      expect(r.code).toBe(0);
      expect(r.builtins.has('tls')).toBe(true);
      // child_process: commander's executable subcommands; worker_threads: PKCS#12 decryption; https/zlib: nothing here;
      // http: the probe's GET has its own parser; dns: the target is an address; perf_hooks, fs/promises
      // (and the readline it pulls in): each cost a cold run about 1 ms for what process.hrtime and node:fs do.
      for (const m of ['child_process', 'dgram', 'worker_threads', 'https', 'zlib', 'readline', 'http', '_http_client', 'dns', 'perf_hooks', 'fs/promises']) {
        expect(r.builtins.has(m), `the probe loaded node:${m}`).toBe(false);
      }
    });
  });

  it('every lazily registered command carries the name it is registered under (--help builds them all)', async () => {
    let out = '';
    const code = await main(['--help'], { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false });
    expect(code).toBe(0);
    for (const name of ['verify', 'probe', 'demo', 'rotate', 'bundle', 'export-root', 'gateway', 'targets']) expect(out).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });
});

describe('the code cache', () => {
  // A private copy of the installed layout, so these tests never disturb the tree's own cache.
  const inst = join(tmp, 'install');
  const bin = join(inst, 'bin', 'certcheck.js');
  const cache = join(inst, 'dist', 'cli.cjs.cache');
  const fresh = () => {
    rmSync(inst, { recursive: true, force: true });
    for (const d of ['bin', 'dist']) mkdirSync(join(inst, d), { recursive: true });
    for (const f of ['bin/certcheck.js', 'bin/package.json', 'dist/cli.cjs', 'dist/cli.cjs.cache', 'package.json']) copyFileSync(join(ROOT, f), join(inst, f));
  };
  /** Whether the bin's loader takes the cache as it is now (in a child process, as the bin would). */
  const cacheUsed = async () => (await node(['-e', `process.stdout.write(String(require(${JSON.stringify(bin)}).loadCli().cacheUsed))`])).stdout;
  const verifyWorks = async () => {
    const r = await node([bin, ...VERIFY_ARGS]);
    expect(r.stdout).toMatch(/Gateway: Healthy/);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };
  const header = () => readFileSync(join(inst, 'dist', 'cli.cjs'), 'latin1').match(/^\/\/ certcheck-cli-build: ([0-9a-f]+) /)![1]!;

  it('npm run build writes a cache that this Node accepts, and a run that uses it leaves it alone', async () => {
    fresh();
    expect(await cacheUsed()).toBe('true');
    const before = readFileSync(cache);
    expect(before.subarray(0, 17).toString('latin1')).toBe(`${header()}\n`);
    await verifyWorks();
    expect(readFileSync(cache).equals(before)).toBe(true);
  });

  it('a truncated cache: the CLI still answers correctly, then writes a good one', async () => {
    fresh();
    const full = readFileSync(cache);
    writeFileSync(cache, full.subarray(0, full.length >> 1));
    expect(await cacheUsed()).toBe('false');
    await verifyWorks();
    expect(statSync(cache).size).toBeGreaterThan(full.length >> 1);
    expect(await cacheUsed()).toBe('true');
  });

  it('a cache of garbage, an empty one, or one from another build: still correct, and replaced', async () => {
    for (const bad of [
      Buffer.concat([Buffer.from(`${header()}\n`), Buffer.alloc(4096, 0xa5)]),
      Buffer.alloc(0),
      Buffer.concat([Buffer.from('0123456789abcdef\n'), readFileSync(join(ROOT, 'dist', 'cli.cjs.cache')).subarray(17)]),
    ]) {
      fresh();
      writeFileSync(cache, bad);
      expect(await cacheUsed()).toBe('false');
      await verifyWorks();
      expect(await cacheUsed()).toBe('true');
    }
  });

  it('no cache: the first run writes one; a cache that cannot be written is no error', async () => {
    fresh();
    rmSync(cache);
    await verifyWorks();
    expect(await cacheUsed()).toBe('true');
    // The cache path taken by a directory: reading and the rename both fail, and the run does not care.
    fresh();
    rmSync(cache);
    mkdirSync(cache);
    await verifyWorks();
    expect(statSync(cache).isDirectory()).toBe(true);
    expect(readdirSync(join(inst, 'dist')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the bundle stays ASCII', () => {
  it('dist/cli.cjs is pure ASCII: a non-ASCII character anywhere makes the bin decode it as UTF-8 into a two-byte string, ~10 ms of cold start', () => {
    const head = readFileSync(join(ROOT, 'dist', 'cli.cjs'), 'latin1').slice(0, 80).split('\n')[0]!;
    expect(head).toMatch(/^\/\/ certcheck-cli-build: [0-9a-f]+ ascii$/);
  });
});
