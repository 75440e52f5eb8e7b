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
// in-process driver while the CLI has no `targets`). The static import graph of bin/certcheck.js
// is listed too: how many files ESM has to resolve, read, compile and link before main() runs.
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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

/** Files bin/certcheck.js loads through static imports, and the packages they name. */
function importGraph(entry) {
  const files = new Map();
  const packages = new Set();
  const walk = (f) => {
    if (files.has(f) || files.size > 2000) return;
    const src = readFileSync(f, 'utf8');
    files.set(f, src.length);
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]/g)) {
      if (m[1].startsWith('.')) walk(path.resolve(path.dirname(f), m[1]));
      else if (!m[1].startsWith('node:')) packages.add(m[1]);
    }
  };
  walk(entry);
  return { files: files.size, bytes: [...files.values()].reduce((a, b) => a + b, 0), packages: [...packages] };
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
  if (u.includes('/dist/')) return `certcheck: dist/${u.split('/dist/')[1]}`;
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
    const fn = `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/')}:${cf.lineNumber + 1}` : ''}`;
    fns.set(fn, (fns.get(fn) ?? 0) + dt);
    if (firstCommandUs === null) {
      for (let p = id; p !== undefined; p = parent.get(p)) {
        const cf = byId.get(p).callFrame;
        if (cf.url.includes('/dist/cli/') && /-cmd\.js$/.test(cf.url) && cf.functionName !== '') { firstCommandUs = t - prof.startTime; break; }
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
const g = importGraph(CLI);
const fnKeys = new Set(perRun.flatMap((r) => [...r.fns.keys()]));
const topFns = [...fnKeys].map((k) => [k, median(perRun.map((r) => (r.fns.get(k) ?? 0) / 1000))]).sort((a, b) => b[1] - a[1]).slice(0, 15);
const out = [
  `certcheck ${what}: ${perRun.length} profiled run(s) (medians; profiling itself adds overhead)`,
  `  static import graph of bin/certcheck.js: ${g.files} files, ${Math.round(g.bytes / 1024)} KB; packages: ${g.packages.join(', ') || 'none'}`,
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
