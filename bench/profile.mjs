#!/usr/bin/env node
// Where a cold certcheck run spends its time: runs one command under `node --cpu-prof` (100 µs
// sampling) several times and sums the samples' self time by kind (ESM compile, module loader,
// file reads, GC, certcheck's own files, node_modules packages, Node internals) — medians over
// the runs. It also reports when certcheck's own command code first appears on the stack, i.e.
// how long module loading held it back.
//
//   node bench/profile.mjs [verify|probe|sweep] [--runs N] [--keep DIR]
//
// `probe` starts one loopback backend (bench/lib/backends.mjs) for the run and stops it after;
// `sweep` starts 500 and profiles `certcheck targets` over 3,000 of them at concurrency 50 (or the
// in-process driver while the CLI has no `targets`). The CLI is one bundle (dist/cli.cjs, loaded by
// bin/certcheck.js with a V8 code cache): samples in it are credited to the source file esbuild
// marks above each module (`// src/x509/cert.ts`), and the header says whether the cache was usable.
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { CLI, PKI, ROOT, median } from './lib/util.mjs';

const args = process.argv.slice(2);
const what = args.find((a) => !a.startsWith('--')) ?? 'verify';
const runsIdx = args.indexOf('--runs');
const runs = Math.max(1, Math.min(20, Number(runsIdx >= 0 ? args[runsIdx + 1] : 5)));
const keepIdx = args.indexOf('--keep');
if (!['verify', 'probe', 'sweep'].includes(what)) { process.stderr.write('usage: node bench/profile.mjs [verify|probe|sweep] [--runs N] [--keep DIR]\n'); process.exit(2); }

const dir = keepIdx >= 0 ? args[keepIdx + 1] : mkdtempSync(`${os.tmpdir()}/certcheck-prof-`);
const chain = `${dir}/chain.pem`;
writeFileSync(chain, readFileSync(`${PKI}leaf-a.pem`, 'utf8') + readFileSync(`${PKI}int-a.pem`, 'utf8'));

let backend = null;
let cmd;
if (what === 'verify') cmd = ['verify', chain, '--trusted-root', `${PKI}root-a.pem`, '--host', 'backend.test'];
else {
  backend = fork(new URL('./lib/backends.mjs', import.meta.url), [what === 'sweep' ? '500' : '1'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ports = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('backend did not start')), 15_000);
    backend.once('message', (m) => { clearTimeout(t); resolve(m.ports); });
  });
  if (what === 'probe') cmd = [`127.0.0.1:${ports[0]}`, '--sni', 'backend.test', '--trusted-root', `${PKI}root-a.pem`];
  else {
    const targets = `${dir}/targets`;
    writeFileSync(targets, Array.from({ length: 3000 }, (_, i) => `127.0.0.1:${ports[i % ports.length]} backend.test\n`).join(''));
    const hasTargets = spawnSync(process.execPath, [CLI, 'targets', '--help'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
    cmd = hasTargets ? ['targets', targets, '--concurrency', '50', '--trusted-root', `${PKI}root-a.pem`, '--format', 'json', '--timeout', '10']
      : { script: `${ROOT}bench/lib/sweep-inproc.mjs`, args: [targets, '50', '50000', `${PKI}root-a.pem`] };
  }
}

const BUNDLE = `${ROOT}dist/cli.cjs`;
const CACHE = `${BUNDLE}.cache`;

/** The bundle's module of each line: esbuild starts each module with a `// path` comment line. */
const bundleLines = readFileSync(BUNDLE, 'utf8').split('\n');
const moduleStarts = [];
bundleLines.forEach((l, i) => { const m = /^\/\/ ((?:src|node_modules|lazy-builtin)[^ ]*)$/.exec(l); if (m) moduleStarts.push([i, m[1]]); });
function bundleModule(line) {
  let lo = 0, hi = moduleStarts.length - 1, found = '(bundle runtime)';
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (moduleStarts[mid][0] <= line) { found = moduleStarts[mid][1]; lo = mid + 1; } else hi = mid - 1; }
  return found;
}

/** Sizes of the bundle and its code cache, and whether this Node accepts the cache (as the bin decides). */
function bundleInfo() {
  let cacheKb = 'none';
  try { cacheKb = `${Math.round(statSync(CACHE).size / 1024)} KB`; } catch { /* no cache */ }
  const r = spawnSync(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(CLI)}).loadCli().cacheUsed))`], { encoding: 'utf8', timeout: 20_000 });
  return `dist/cli.cjs ${Math.round(statSync(BUNDLE).size / 1024)} KB, code cache ${cacheKb} (${r.stdout === 'true' ? 'accepted' : 'NOT used: rebuild, or the first run rewrites it'})`;
}

function kind(frame) {
  const u = frame.url, f = frame.functionName;
  if (!u) {
    if (f === '(garbage collector)') return 'GC';
    if (f === '(idle)') return 'idle (waiting: I/O, timers, network)';
    if (f === '(program)') return 'V8/native outside JS ("program")';
    if (f === 'ModuleWrap' || f === 'compileFunction') return 'ESM compile (V8 parse)';
    if (/^(open|read|close|fstat|stat|lstat|realpath|openFileHandle|readFileUtf8|internalModuleStat)/.test(f)) return 'file system (native)';
    return `native: ${f}`;
  }
  if (u.includes('/node_modules/')) return `node_modules: ${u.split('/node_modules/').pop().split('/').slice(0, u.includes('/node_modules/@') ? 2 : 1).join('/')}`;
  if (u.endsWith('/dist/cli.cjs')) {
    const m = bundleModule(frame.lineNumber);
    return m.startsWith('node_modules/') ? `node_modules: ${m.split('/')[1]}` : `certcheck: ${m}`;
  }
  if (u.includes('/dist/')) return `certcheck: dist/${u.split('/dist/')[1]}`;
  if (u.endsWith('/bin/certcheck.js')) return 'certcheck: bin/certcheck.js (loader)';
  if (u.startsWith('node:internal/modules/esm/utils') && f === 'compileSourceTextModule') return 'ESM compile (V8 parse)';
  if (u.startsWith('node:internal/modules') || u.startsWith('node:internal/deps/cjs-module-lexer')) return 'module loader (Node JS)';
  if (u.startsWith('node:internal/fs') || u === 'node:fs') return 'file system (Node JS)';
  if (u.startsWith('node:internal/bootstrap') || u.startsWith('node:internal/main') || u.startsWith('node:internal/process')) return 'Node bootstrap';
  return `node: ${u.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
}

const perRun = [];
for (let i = 0; i < runs; i++) {
  const pd = `${dir}/run-${i}`;
  const t0 = performance.now();
  const script = Array.isArray(cmd) ? [CLI, ...cmd] : [cmd.script, ...cmd.args];
  // Sweeps run long; a coarser interval keeps the profile small.
  const interval = what === 'sweep' ? '1000' : '100';
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', pd, '--cpu-prof-interval', interval, ...script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) { process.stderr.write(`run ${i}: exit ${r.status}: ${r.stderr}\n`); continue; }
  const prof = JSON.parse(readFileSync(`${pd}/${readdirSync(pd)[0]}`, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sums = new Map();
  const fns = new Map();
  let t = prof.startTime, firstCommandUs = null;
  prof.samples.forEach((id, k) => {
    const dt = prof.timeDeltas[k + 1] ?? 0; // a sample's duration is the gap to the next one
    t += prof.timeDeltas[k];
    const key = kind(byId.get(id).callFrame);
    sums.set(key, (sums.get(key) ?? 0) + dt);
    const cf = byId.get(id).callFrame;
    const where = cf.url.endsWith('/dist/cli.cjs') ? `${bundleModule(cf.lineNumber)} (cli.cjs:${cf.lineNumber + 1})` : cf.url ? `${cf.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/')}:${cf.lineNumber + 1}` : '';
    const fn = `${cf.functionName || '(anonymous)'} ${where}`;
    fns.set(fn, (fns.get(fn) ?? 0) + dt);
    if (firstCommandUs === null) {
      for (let p = id; p !== undefined; p = parent.get(p)) {
        const cf = byId.get(p).callFrame;
        if (cf.url.endsWith('/dist/cli.cjs') && /^src\/cli\/.*-cmd\.ts$/.test(bundleModule(cf.lineNumber)) && cf.functionName !== '') { firstCommandUs = t - prof.startTime; break; }
      }
    }
  });
  perRun.push({ wallMs, profiledMs: (prof.endTime - prof.startTime) / 1000, firstCommandMs: firstCommandUs === null ? null : firstCommandUs / 1000, sums, fns });
}
backend?.disconnect();
if (keepIdx < 0) rmSync(dir, { recursive: true, force: true });
if (!perRun.length) process.exit(1);

const keys = new Set(perRun.flatMap((r) => [...r.sums.keys()]));
const rows = [...keys].map((k) => [k, median(perRun.map((r) => (r.sums.get(k) ?? 0) / 1000))]).sort((a, b) => b[1] - a[1]);
const info = bundleInfo();
const fnKeys = new Set(perRun.flatMap((r) => [...r.fns.keys()]));
const topFns = [...fnKeys].map((k) => [k, median(perRun.map((r) => (r.fns.get(k) ?? 0) / 1000))]).sort((a, b) => b[1] - a[1]).slice(0, 15);
const out = [
  `certcheck ${what}: ${perRun.length} profiled run(s) (medians; profiling itself adds overhead)`,
  `  bin/certcheck.js loads ${info}`,
  `  wall time of the process         ${median(perRun.map((r) => r.wallMs)).toFixed(1)} ms`,
  `  profiled span (after bootstrap)  ${median(perRun.map((r) => r.profiledMs)).toFixed(1)} ms`,
  `  first sample inside a command    ${median(perRun.map((r) => r.firstCommandMs ?? NaN)).toFixed(1)} ms into the profiled span`,
  '',
  '  self time by kind:',
  ...rows.slice(0, 25).map(([k, v]) => `  ${v.toFixed(1).padStart(7)} ms  ${k.slice(0, 100)}`),
];
const other = rows.slice(25).reduce((a, [, v]) => a + v, 0);
out.push(`  ${other.toFixed(1).padStart(7)} ms  (the other ${Math.max(0, rows.length - 25)} kinds)`, '', '  top functions by self time:', ...topFns.map(([k, v]) => `  ${v.toFixed(1).padStart(7)} ms  ${k.slice(0, 100)}`));
process.stdout.write(`${out.join('\n')}\n`);
