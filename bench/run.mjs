#!/usr/bin/env node
// `npm run bench`: certcheck beside its baselines, in one sitting, as same-run ratios
// (issue 6, perf-notes §9). Everything runs on 127.0.0.1; every loop has a count and a time cap.
//
//   node bench/run.mjs [--quick] [--only 1,3] [--json] [--driver cli|inproc]
//
// The table goes to stdout (to stderr with --json, which puts the JSON on stdout); the JSON is
// always written to bench/last-run.json. Exit 0 when every row produced a figure (PASS or MISS),
// 1 when a row could not be measured (ERROR), 2 on a usage error.
import { fork, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { CLI, PKI, ROOT, interleaved, judge, median, renderTable, round, spread, toolVersion, vmHwmKb } from './lib/util.mjs';

// ---------------------------------------------------------------------------------------------
// Options

function usage(msg) {
  process.stderr.write(`bench: ${msg}\nusage: node bench/run.mjs [--quick] [--only ROW[,ROW]] [--json] [--driver cli|inproc]\n`);
  process.exit(2);
}
const argv = process.argv.slice(2);
const flags = { quick: false, json: false, only: null, driver: null };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--quick') flags.quick = true;
  else if (a === '--json') flags.json = true;
  else if (a === '--only' || a.startsWith('--only=')) {
    const v = a.includes('=') ? a.slice(7) : argv[++i];
    if (!v || !/^[1-5](,[1-5])*$/.test(v)) usage('--only takes row numbers 1-5, e.g. --only 3 or --only 1,4');
    flags.only = new Set(v.split(',').map(Number));
  } else if (a === '--driver' || a.startsWith('--driver=')) {
    const v = a.includes('=') ? a.slice(9) : argv[++i];
    if (v !== 'cli' && v !== 'inproc') usage('--driver is cli or inproc');
    flags.driver = v;
  } else if (a === '-h' || a === '--help') {
    process.stdout.write(readFileSync(new URL('./README.md', import.meta.url), 'utf8'));
    process.exit(0);
  } else usage(`unknown argument ${a}`);
}
const wants = (row) => !flags.only || flags.only.has(row);

const Q = flags.quick;
const P = {
  coldRuns: Q ? 5 : 20,
  coldWarmup: Q ? 1 : 3,
  coldCapMs: Q ? 20_000 : 60_000,
  backends: 500,
  sweepTargets: Q ? 300 : 3000,
  sweepConcurrency: 50,
  sweepRounds: Q ? 1 : 3,
  sclientConnections: Q ? 20 : 200,
  rowCapMs: Q ? 20_000 : 60_000,
  validateRounds: Q ? 3 : 9,
  validateBatchMs: Q ? 100 : 250,
  memConcurrency: 1000,
  // Both sizes exceed the concurrency, so 5b compares numbers of targets with the same 1,000 in
  // flight (a run smaller than the concurrency would compare concurrencies instead).
  memSmall: Q ? 2000 : 3000,
  memLarge: Q ? 6000 : 30_000,
  // A sweep at c=1000 runs at a few hundred targets/s here: the cap grows with the list so the
  // large run finishes instead of reporting a PARTIAL figure.
  memCapMsPerTarget: 8,
};

const log = (s) => process.stderr.write(`bench: ${s}\n`);

// ---------------------------------------------------------------------------------------------
// Preflight: the benchmark measures the built CLI, so say when the build is older than the source.

const rootPem = `${PKI}root-a.pem`;
for (const f of [CLI, `${ROOT}dist/cli.cjs`, `${ROOT}dist/index.js`, rootPem, `${PKI}leaf-a.pem`, `${PKI}int-a.pem`]) {
  if (!existsSync(f)) { log(`missing ${f}; run \`npm run build\` first`); process.exit(1); }
}
function newestMtime(dir, ext) {
  let newest = 0;
  const walk = (d, depth) => {
    if (depth > 6) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name.endsWith(ext)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(dir, 0);
  return newest;
}
const notes = [];
if (newestMtime(`${ROOT}src`, '.ts') > newestMtime(`${ROOT}dist`, '.js')) {
  notes.push('dist/ is older than src/: the figures are for the last build (`npm run build` to refresh)');
}
if (!existsSync(`${ROOT}dist/cli.cjs.cache`)) notes.push('dist/cli.cjs.cache is missing: cold rows run without the code cache until the first run writes it (`npm run build` makes it)');
const loadStart = os.loadavg();
if (loadStart[0] > 1.0) notes.push(`load average ${loadStart[0].toFixed(2)} at start on ${os.cpus().length} cores: other work shares the CPU, absolute figures are noisy (ratios less so)`);

const tmp = mkdtempSync(`${os.tmpdir()}/certcheck-bench-`);
const chainPem = `${tmp}/chain.pem`;
writeFileSync(chainPem, readFileSync(`${PKI}leaf-a.pem`, 'utf8') + readFileSync(`${PKI}int-a.pem`, 'utf8'));

const node = process.execPath;
const rows = [];
const raw = {};
let errors = 0;

/** Adds a table row. `better`: 'lower' or 'higher' is better for the ratio; goal null = info. */
function addRow(r) {
  const fmtGoal = (g) => (g === null || g === undefined ? '' : `${r.better === 'lower' ? '≤' : '≥'} ${g}${r.ratioUnit ?? ''}`);
  const status = r.error ? 'ERROR' : r.goal === null || r.goal === undefined ? 'info' : judge(r.ratio, r.goal, r.stretch, r.better);
  if (status === 'ERROR') errors++;
  const row = {
    ...r, status,
    ratio: round(r.ratio, 3),
    ratioText: r.ratioText ?? (Number.isFinite(r.ratio) ? `${round(r.ratio, 2)}${r.ratioUnit ?? ''}` : '–'),
    goalText: fmtGoal(r.goal), stretchText: fmtGoal(r.stretch),
  };
  rows.push(row);
  return row;
}

// ---------------------------------------------------------------------------------------------
// The backends: one child process, 500 loopback ports, one TLS context behind them.

let backend = null;
/** Measured children still running: ended (by pid, via their handle) if the benchmark stops early. */
const running = new Set();
async function startBackends(count) {
  const child = fork(new URL('./lib/backends.mjs', import.meta.url), [String(count)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('backend server did not start within 15 s')), 15_000);
    child.once('message', (m) => { clearTimeout(timer); resolve(m.ports); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`backend server exited (${code})`)); });
  });
  const stats = () => new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 2000);
    const on = (m) => { if (m?.type === 'stats') { clearTimeout(timer); child.off('message', on); resolve(m); } };
    child.on('message', on);
    child.send({ cmd: 'stats' });
  });
  return { child, ports, stats };
}
function stopBackends() {
  if (!backend) return;
  try { backend.child.disconnect(); } catch { /* already gone */ }
  if (backend.child.exitCode === null) backend.child.kill('SIGTERM');
  backend = null;
}
process.on('exit', () => { for (const c of running) c.kill('SIGTERM'); stopBackends(); rmSync(tmp, { recursive: true, force: true }); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { log(`${sig}: stopping`); process.exit(130); });

function writeTargets(name, n) {
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`127.0.0.1:${backend.ports[i % backend.ports.length]} backend.test`);
  const f = `${tmp}/${name}`;
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Rows 1 and 2: cold processes.

const NODE0 = { name: 'node -e 0', cmd: node, args: ['-e', '0'] };

function coldRows(id, title, certcheck, openssl, goal, stretch, opensslGoal, extra = []) {
  const cmds = [NODE0, certcheck, openssl, ...extra];
  log(`row ${id}: ${title}: ${P.coldWarmup} warm-up + ${P.coldRuns} interleaved runs of ${cmds.length} commands`);
  const r = interleaved(cmds, { n: P.coldRuns, warmup: P.coldWarmup, capMs: P.coldCapMs });
  raw[`row${id}`] = { spread: Object.fromEntries(Object.entries(r.samples).map(([k, v]) => [k, spread(v)])), failures: r.failures.slice(0, 5), rounds: r.rounds, capped: r.capped };
  const m = Object.fromEntries(Object.entries(r.samples).map(([k, v]) => [k, median(v)]));
  const failed = (name) => r.failures.some((f) => f.name === name);
  const err = (name) => (failed(name) ? `${name} failed: ${JSON.stringify(r.failures.find((f) => f.name === name))}` : undefined);
  const partial = r.capped ? ` (capped after ${r.rounds} rounds)` : '';
  addRow({
    id: `${id}a`, name: `${title} ÷ node -e 0`, better: 'lower', goal, stretch,
    certcheck: m[certcheck.name], baseline: m[NODE0.name], ratio: m[certcheck.name] / m[NODE0.name],
    certcheckText: `${round(m[certcheck.name], 1)} ms`, baselineText: `${round(m[NODE0.name], 1)} ms`,
    error: err(certcheck.name) ?? err(NODE0.name), note: `medians of ${r.rounds} cold runs each${partial}`,
  });
  addRow({
    id: `${id}b`, name: `${title} ÷ ${openssl.label}`, better: 'lower', goal: opensslGoal, stretch: null, ratioUnit: '×',
    certcheck: m[certcheck.name], baseline: m[openssl.name], ratio: m[certcheck.name] / m[openssl.name],
    certcheckText: `${round(m[certcheck.name], 1)} ms`, baselineText: `${round(m[openssl.name], 1)} ms`,
    error: err(openssl.name), note: opensslGoal ? 'goal from perf-notes §9 G1b (report-only there)' : 'no goal set (issue 6 asks for the ratio only)',
  });
  for (const x of extra) {
    addRow({
      id: `${id}i`, name: x.title, better: 'lower', goal: null,
      certcheck: m[x.name], baseline: m[NODE0.name], ratio: m[x.name] / m[NODE0.name],
      certcheckText: `${round(m[x.name], 1)} ms`, baselineText: `${round(m[NODE0.name], 1)} ms`,
      error: err(x.name), note: x.note,
    });
  }
}

function row1() {
  const certcheck = {
    name: 'certcheck verify', cmd: node, args: [CLI, 'verify', chainPem, '--trusted-root', rootPem, '--host', 'backend.test'],
    check: (r) => /Gateway: Healthy/.test(r.stdout),
  };
  const openssl = {
    name: 'openssl verify', label: 'openssl verify', cmd: 'openssl',
    args: ['verify', '-CAfile', rootPem, '-untrusted', `${PKI}int-a.pem`, '-verify_hostname', 'backend.test', `${PKI}leaf-a.pem`],
    check: (r) => /: OK/.test(r.stdout),
  };
  // Where the cold time goes: loading the CLI without running a command, the way bin/certcheck.js
  // does (dist/cli.cjs compiled with its code cache, its top level run). From a script file, as
  // the bin runs, not `node -e`, whose start-up differs.
  const loadOnly = `${tmp}/load-cli.cjs`;
  writeFileSync(loadOnly, `require(${JSON.stringify(CLI)}).loadCli();\n`);
  const imports = {
    name: 'load CLI', title: 'load the CLI only (no command) ÷ node -e 0', cmd: node, args: [loadOnly],
    note: 'what bin/certcheck.js loads before main() runs (bundle + code cache)',
  };
  coldRows(1, 'cold verify', certcheck, openssl, 1.5, 1.25, 22, [imports]);
}

function row2() {
  const port = backend.ports[0];
  const certcheck = {
    name: 'certcheck probe', cmd: node, args: [CLI, `127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', rootPem],
  };
  const sclient = {
    name: 'openssl s_client', label: 'openssl s_client -verify_return_error', cmd: 'openssl',
    args: ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'backend.test', '-verify_return_error', '-CAfile', rootPem],
    check: (r) => /Verify return code: 0 \(ok\)/.test(r.stdout),
  };
  coldRows(2, 'cold live check', certcheck, sclient, 1.6, 1.3, null);
}

// ---------------------------------------------------------------------------------------------
// Rows 3 and 5: sweeps. Every client is a child process; the server counts what it served.

function cliHasTargets() {
  const r = spawnSync(node, [CLI, 'targets', '--help'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  return r.status === 0 && /targets/.test(r.stdout.toString());
}

/**
 * Runs a child to completion or to `capMs`, polling its peak RSS. Resolves with its stdout file
 * path, exit status, wall time, peak RSS (kB) and how many HTTP responses / handshakes the
 * backends served meanwhile.
 */
async function runChild(args, { capMs, stdoutFile, hwmFile }) {
  const before = await backend.stats();
  const out = openSync(stdoutFile, 'w');
  const t0 = performance.now();
  const child = spawn(node, args, {
    cwd: ROOT, stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, ...(hwmFile ? { BENCH_HWM_FILE: hwmFile } : {}), NO_COLOR: '1' },
  });
  closeSync(out);
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr.on('data', (d) => { if (stderr.length < 4000) stderr += d; });
  let polledKb = 0, killed = false;
  const poll = setInterval(() => { polledKb = Math.max(polledKb, vmHwmKb(child.pid) ?? 0); }, 100);
  // SIGTERM first (the CLI may cancel cleanly), SIGKILL if it is still there 10 s later.
  let hard;
  const cap = setTimeout(() => { killed = true; child.kill('SIGTERM'); hard = setTimeout(() => child.kill('SIGKILL'), 10_000); }, capMs);
  const status = await new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig)));
  const wallMs = performance.now() - t0;
  clearInterval(poll);
  clearTimeout(cap);
  clearTimeout(hard);
  const after = await backend.stats();
  let hookKb = 0;
  if (hwmFile && existsSync(hwmFile)) hookKb = Number(readFileSync(hwmFile, 'utf8')) || 0;
  return {
    status, killed, wallMs, stderr, hwmKb: Math.max(polledKb, hookKb) || null,
    served: before && after ? { requests: after.requests - before.requests, handshakes: after.handshakes - before.handshakes, tlsErrors: after.tlsErrors - before.tlsErrors } : null,
    serverHwmKb: after?.hwmKb ?? null,
  };
}

let driver = null;
/** One certcheck sweep over `targetsFile`: through the CLI when it has `targets`, else in-process. */
async function certcheckSweep(targetsFile, concurrency, capMs, tag, format = 'json') {
  const stdoutFile = `${tmp}/sweep-${tag}.out`;
  const hwmFile = `${tmp}/sweep-${tag}.hwm`;
  const args = driver === 'cli'
    ? ['--require', `${ROOT}bench/lib/hwm.cjs`, CLI, 'targets', targetsFile, '--concurrency', String(concurrency), '--trusted-root', rootPem, '--format', format, '--timeout', '10']
    : [`${ROOT}bench/lib/sweep-inproc.mjs`, targetsFile, String(concurrency), String(capMs - 2000), rootPem];
  const r = await runChild(args, { capMs, stdoutFile, hwmFile });
  let summary = null;
  try {
    // json: the summary is near the start; jsonl: it is the last line.
    const all = readFileSync(stdoutFile, 'utf8');
    const text = driver === 'cli' ? (format === 'jsonl' ? all.slice(-65_536) : all.slice(0, 65_536)) : all;
    // The summary holds nested objects (its tally's groups): take the balanced object after the key.
    const at = text.search(/"summary":\s*\{/);
    if (at >= 0) {
      const start = text.indexOf('{', at);
      let depth = 0, end = start;
      for (; end < text.length; end++) {
        const ch = text[end];
        if (ch === '"') { for (end++; end < text.length && text[end] !== '"'; end++) if (text[end] === '\\') end++; }
        else if (ch === '{' || ch === '[') depth++;
        else if ((ch === '}' || ch === ']') && --depth === 0) break;
      }
      summary = JSON.parse(text.slice(start, end + 1));
    }
  } catch { /* no output: killed at the cap */ }
  const total = readFileSync(targetsFile, 'utf8').split('\n').filter(Boolean).length;
  // Killed at the cap: the backends' count of answered probes is the partial figure.
  const done = summary && !r.killed ? (summary.healthy ?? 0) + (summary.unhealthy ?? 0) + (summary.unknown ?? 0) : r.served?.requests ?? 0;
  const elapsedMs = summary?.elapsedMs ?? r.wallMs;
  const healthy = summary?.healthy ?? (r.killed ? r.served?.requests ?? 0 : 0);
  return { ...r, total, done, healthy, elapsedMs, rate: (done / elapsedMs) * 1000, partial: r.killed || done < total, summary };
}

async function rawSweep(targetsFile, concurrency, capMs, tag) {
  const stdoutFile = `${tmp}/raw-${tag}.out`;
  const r = await runChild([`${ROOT}bench/lib/raw-client.mjs`, targetsFile, String(concurrency), String(capMs - 2000)], { capMs, stdoutFile });
  let res = null;
  try { res = JSON.parse(readFileSync(stdoutFile, 'utf8')); } catch { /* killed */ }
  const ok = res?.ok ?? r.served?.handshakes ?? 0;
  const elapsedMs = res?.elapsedMs ?? r.wallMs;
  return { ...r, result: res, ok, elapsedMs, rate: (ok / elapsedMs) * 1000, partial: !res || res.capped || res.failed > 0 };
}

function sclientLoop(targetsFile, n, capMs) {
  const list = `${tmp}/sclient-targets`;
  writeFileSync(list, `${readFileSync(targetsFile, 'utf8').split('\n').filter(Boolean).slice(0, n).join('\n')}\n`);
  // A plain sequential shell loop, as an operator would write it; bounded by the list's length.
  const script = 'ok=0; while read -r hp sni; do openssl s_client -connect "$hp" -servername "$sni" -verify_return_error -CAfile "$1" </dev/null >/dev/null 2>&1 && ok=$((ok+1)); done < "$2"; echo "$ok"';
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', script, 'sclient-loop', rootPem, list], { stdio: ['ignore', 'pipe', 'pipe'], timeout: capMs });
  const wallMs = performance.now() - t0;
  const ok = Number(r.stdout.toString().trim()) || 0;
  return { n, ok, wallMs, rate: (ok / wallMs) * 1000, capped: r.signal !== null };
}

async function row3() {
  const file = writeTargets('targets-sweep', P.sweepTargets);
  const c = P.sweepConcurrency;
  log(`row 3: sweep of ${P.sweepTargets} targets over ${backend.ports.length} backends, c=${c}, ${P.sweepRounds} round(s) of raw + certcheck (${driver === 'cli' ? 'certcheck targets' : 'in-process probeBackend pool'})`);
  const sweeps = [], raws = [];
  for (let i = 0; i < P.sweepRounds; i++) {
    // Alternate which goes first, so neither always runs on a freshly idle machine.
    if (i % 2 === 0) { raws.push(await rawSweep(file, c, P.rowCapMs, `3-${i}`)); sweeps.push(await certcheckSweep(file, c, P.rowCapMs, `3-${i}`)); }
    else { sweeps.push(await certcheckSweep(file, c, P.rowCapMs, `3-${i}`)); raws.push(await rawSweep(file, c, P.rowCapMs, `3-${i}`)); }
  }
  log(`row 3: sequential openssl s_client loop, ${P.sclientConnections} connections`);
  const sc = sclientLoop(file, P.sclientConnections, P.rowCapMs);
  const sweepRate = median(sweeps.map((s) => s.rate));
  const rawRate = median(raws.map((s) => s.rate));
  const unhealthy = sweeps.find((s) => s.healthy < s.done);
  const partial = sweeps.some((s) => s.partial) || raws.some((s) => s.partial);
  raw.row3 = {
    driver, targets: P.sweepTargets, backends: backend.ports.length, concurrency: c,
    sweeps: sweeps.map(({ stderr, summary, ...s }) => ({ ...s, stderr: stderr.slice(0, 300) })),
    raws: raws.map(({ stderr, result, ...s }) => ({ ...s, errors: result?.errors, stderr: stderr.slice(0, 300) })),
    sclient: sc,
  };
  const driverNote = driver === 'cli' ? 'certcheck targets --concurrency 50' : 'CLI has no `targets` yet: in-process probeBackend pool of 50 (bench/lib/sweep-inproc.mjs)';
  addRow({
    id: '3a', name: `sweep ${P.sweepTargets} targets, c=${c} ÷ raw Node handshakes`, better: 'higher', goal: 0.6, stretch: 0.75,
    certcheck: sweepRate, baseline: rawRate, ratio: sweepRate / rawRate,
    certcheckText: `${Math.round(sweepRate)}/s`, baselineText: `${Math.round(rawRate)}/s`,
    error: unhealthy ? `sweep reported ${unhealthy.done - unhealthy.healthy} non-Healthy targets (${unhealthy.stderr.slice(0, 200)}); the rate would be meaningless` : undefined,
    note: `${driverNote}; medians of ${P.sweepRounds} round(s)${partial ? '; PARTIAL: a run hit its cap or failed some connections' : ''}`,
  });
  addRow({
    id: '3b', name: `sweep ÷ sequential openssl s_client loop (${sc.n})`, better: 'higher', goal: 6, stretch: 8, ratioUnit: '×',
    certcheck: sweepRate, baseline: sc.rate, ratio: sweepRate / sc.rate,
    certcheckText: `${Math.round(sweepRate)}/s`, baselineText: `${Math.round(sc.rate)}/s`,
    error: sc.ok < sc.n * 0.95 && !sc.capped ? `only ${sc.ok} of ${sc.n} s_client runs succeeded` : undefined,
    note: `s_client rate from ${sc.ok} connections in ${Math.round(sc.wallMs)} ms${sc.capped ? ' (capped)' : ''}`,
  });
  const hwm = median(sweeps.map((s) => s.hwmKb ?? NaN));
  addRow({ id: '3i', name: `sweep peak RSS at c=${c}`, goal: null, certcheck: hwm / 1024, certcheckText: `${round(hwm / 1024, 1)} MB`, ratio: NaN, note: 'VmHWM of the sweep process' });
}

async function row5() {
  const c = P.memConcurrency;
  const cap = (n) => Math.max(P.rowCapMs, n * P.memCapMsPerTarget);
  log(`row 5: peak RSS at c=${c}: ${P.memSmall} then ${P.memLarge} targets (caps ${cap(P.memSmall) / 1000} s and ${cap(P.memLarge) / 1000} s)`);
  // Row 5 measures the streaming output (--format jsonl): the mode meant for sweeps of any size.
  const memFormat = driver === 'cli' ? 'jsonl' : 'json';
  const small = await certcheckSweep(writeTargets('targets-mem-small', P.memSmall), c, cap(P.memSmall), '5-small', memFormat);
  const large = await certcheckSweep(writeTargets('targets-mem-large', P.memLarge), c, cap(P.memLarge), '5-large', memFormat);
  // The floor beside it: bare Node handshakes (capture mode) with the same 1,000 in flight. Most of
  // a TLS connection's memory is OpenSSL's, so this is what any Node client pays at c=1000.
  const floor = await rawSweep(`${tmp}/targets-mem-small`, c, cap(P.memSmall), '5-raw');
  const floorMb = (floor.result?.hwmKb ?? NaN) / 1024;
  raw.row5 = { driver, concurrency: c, runs: [small, large].map(({ stderr, summary, ...s }) => ({ ...s, stderr: stderr.slice(0, 300) })), rawHwmKb: floor.result?.hwmKb ?? null };
  const peak = Math.max(small.hwmKb ?? 0, large.hwmKb ?? 0) / 1024;
  const growth = (large.hwmKb ?? NaN) / (small.hwmKb ?? NaN);
  const bad = [small, large].find((s) => s.healthy < s.done);
  const partialNote = (s, label) => (s.partial ? `; ${label} PARTIAL: ${s.done} of ${s.total} done in ${Math.round(s.wallMs / 1000)} s` : '');
  addRow({
    id: '5a', name: `sweep peak RSS, c=${c}, ${P.memLarge} targets`, better: 'lower', goal: 150, stretch: null, ratioUnit: ' MB',
    certcheck: peak, ratio: peak, certcheckText: `${round(peak, 1)} MB`, baseline: floorMb, baselineText: Number.isFinite(floorMb) ? `${round(floorMb, 1)} MB` : '',
    error: bad ? `sweep reported ${bad.done - bad.healthy} non-Healthy targets (${bad.stderr.slice(0, 200)})` : (!small.hwmKb || !large.hwmKb ? 'no RSS figure' : undefined),
    note: `max VmHWM of the two runs; rates ${Math.round(small.rate)}/s and ${Math.round(large.rate)}/s; baseline: bare Node handshakes at c=${c} (bench/lib/raw-client.mjs), the floor for any Node client${partialNote(small, 'small')}${partialNote(large, 'large')}`,
  });
  addRow({
    id: '5b', name: `RSS growth ${P.memSmall} → ${P.memLarge} targets`, better: 'lower', goal: 1.1, stretch: null, ratioUnit: '×',
    certcheck: (large.hwmKb ?? NaN) / 1024, baseline: (small.hwmKb ?? NaN) / 1024, ratio: growth,
    certcheckText: `${round((large.hwmKb ?? NaN) / 1024, 1)} MB`, baselineText: `${round((small.hwmKb ?? NaN) / 1024, 1)} MB`,
    error: !small.hwmKb || !large.hwmKb ? 'no RSS figure' : undefined,
    note: `flat = at most 10% growth${large.partial ? ` (large run PARTIAL: ${large.done} targets)` : ''}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Row 4: in-process validation (its own child process, so nothing else shares its heap or JIT).

function row4() {
  log(`row 4: validation throughput, ${P.validateRounds} rounds × ${P.validateBatchMs} ms per loop`);
  const r = spawnSync(node, [`${ROOT}bench/lib/validate.mjs`, String(P.validateRounds), String(P.validateBatchMs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: P.rowCapMs });
  let v = null;
  try { v = JSON.parse(r.stdout.toString()); } catch { /* reported below */ }
  const error = !v ? `validate.mjs failed (${r.status ?? r.signal}): ${r.stderr.toString().slice(0, 300)}` : v.problems.length ? `chain not accepted: ${v.problems.join('; ')}` : undefined;
  raw.row4 = v;
  const m = v?.median ?? {};
  addRow({
    id: '4a', name: `parse + validate 3-cert chain, ${v?.anchors.full ?? '?'} anchors ÷ bare X509Certificate.verify`, better: 'higher', goal: 0.5, stretch: 0.8,
    certcheck: m.full, baseline: m.bare, ratio: m.full / m.bare,
    certcheckText: `${Math.round(m.full)}/s`, baselineText: `${Math.round(m.bare)}/s`, error,
    note: 'judgeChainUncached([leaf-a, int-a]) vs new X509Certificate ×2 + verify ×2 (root pre-parsed in both)',
  });
  addRow({
    id: '4b', name: `full store (${v?.anchors.full ?? '?'}) time ÷ one-anchor time`, better: 'lower', goal: 1.1, stretch: 1.0,
    certcheck: m.full && 1000 / m.full, baseline: m.one && 1000 / m.one, ratio: m.one / m.full,
    certcheckText: `${round(1000 / m.full, 3)} ms`, baselineText: `${round(1000 / m.one, 3)} ms`, error,
    note: `medians of ${P.validateRounds} alternating rounds`,
  });
  if (v) addRow({ id: '4i', name: 'first mozillaStore() call (parse the bundled roots)', goal: null, certcheck: v.mozillaStoreMs, certcheckText: `${round(v.mozillaStoreMs, 1)} ms`, ratio: NaN, note: 'paid once per process in well-known-CA mode' });

  // Per-certificate parse cost (issue 19): why the runtime keeps its own decoder and the field's
  // libraries serve as test oracles. Info rows: no goal.
  const pr = spawnSync(node, [`${ROOT}bench/lib/parse.mjs`, String(Q ? 3 : 7)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: P.rowCapMs });
  let p = null;
  try { p = JSON.parse(pr.stdout.toString()); } catch { /* reported below */ }
  raw.row4p = p;
  const us = p?.usPerCert ?? {};
  const perr = !p ? `parse.mjs failed (${pr.status ?? pr.signal}): ${pr.stderr.toString().slice(0, 300)}` : undefined;
  for (const [id, key, label] of [['4p', 'nodeCrypto', 'node:crypto X509Certificate'], ['4q', 'peculiar', '@peculiar/x509'], ['4r', 'pkijs', 'pkijs']]) {
    addRow({
      id, name: `parse one certificate: certcheck ÷ ${label}`, goal: null, better: 'lower',
      certcheck: us.certcheck, baseline: us[key], ratio: us.certcheck / us[key],
      certcheckText: us.certcheck ? `${round(us.certcheck, 1)} µs` : '–', baselineText: us[key] ? `${round(us[key], 1)} µs` : 'not installed',
      error: perr, note: id === '4p' ? `medians over ${p?.certificates ?? '?'} bundled Mozilla roots, rounds alternating the parsers` : undefined,
    });
  }
}

// ---------------------------------------------------------------------------------------------

const started = new Date();
const t0 = performance.now();
try {
  if (wants(2) || wants(3) || wants(5)) {
    backend = await startBackends(P.backends);
    log(`backends: ${backend.ports.length} ports on 127.0.0.1 (pid ${backend.child.pid})`);
  }
  if (wants(3) || wants(5)) {
    driver = flags.driver ?? (cliHasTargets() ? 'cli' : 'inproc');
    if (driver === 'inproc') notes.push('sweep driven in-process (probeBackend + a pool of N workers, bench/lib/sweep-inproc.mjs): the CLI has no `targets` command in this build');
  }
  if (wants(1)) row1();
  if (wants(2)) row2();
  if (wants(3)) await row3();
  if (wants(4)) row4();
  if (wants(5)) await row5();
} catch (e) {
  errors++;
  notes.push(`aborted: ${e?.stack ?? e}`);
  log(`aborted: ${e?.message ?? e}`);
} finally {
  stopBackends();
}

const report = {
  tool: 'certcheck bench',
  startedAt: started.toISOString(),
  elapsedS: round((performance.now() - t0) / 1000, 1),
  mode: Q ? 'quick' : 'full',
  only: flags.only ? [...flags.only] : null,
  machine: {
    node: process.version, openssl: toolVersion('openssl', ['version']), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model,
    loadavgStart: loadStart.map((x) => round(x, 2)), loadavgEnd: os.loadavg().map((x) => round(x, 2)),
  },
  sweepDriver: driver,
  parameters: P,
  notes,
  rows: rows.map(({ certcheckText, baselineText, ratioText, goalText, stretchText, ...r }) => r),
  raw,
};
const table = renderTable(rows);
const text = [
  `certcheck bench (${report.mode}, ${report.startedAt}, ${report.elapsedS} s; node ${process.version}, ${report.machine.openssl}, ${report.machine.cpus} cores, load ${report.machine.loadavgStart[0]} → ${report.machine.loadavgEnd[0]})`,
  '',
  table,
  '',
  'PASS+ = meets the stretch goal too. Ratios are certcheck ÷ baseline from this run only.',
  ...rows.filter((r) => r.note || r.error).map((r) => `  ${r.id}: ${r.error ? `ERROR ${r.error}` : r.note}`),
  ...notes.map((n) => `note: ${n}`),
  '',
].join('\n');
writeFileSync(new URL('./last-run.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
if (flags.json) {
  process.stderr.write(text);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else process.stdout.write(text);
process.exitCode = errors ? 1 : 0;
