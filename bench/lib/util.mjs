// Shared helpers for the benchmark: paths, statistics, timing a cold process, reading a
// process's peak RSS, and the table. No dependency beyond Node itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PKI = `${ROOT}certs/out/pki/`;
export const CLI = `${ROOT}bin/certcheck.js`;

export function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Quartiles as a spread indicator: the table shows medians, the JSON keeps the spread. */
export function spread(xs) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  return { n: s.length, min: s[0], p25: q(0.25), median: median(s), p75: q(0.75), max: s[s.length - 1] };
}

export const round = (x, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);

/**
 * One cold run of a command, wall time from spawn to exit. spawnSync's own cost (fork/exec from
 * this small parent) lands equally on every command compared, as it does with hyperfine.
 */
export function timeCold(cmd, args, { timeoutMs = 20_000, cwd = ROOT } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 8 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, status: r.status, signal: r.signal, stdout: r.stdout?.toString() ?? '', stderr: r.stderr?.toString() ?? '', error: r.error?.message };
}

/**
 * Runs each command `warmup` times, then `n` rounds in which every command runs once, the order
 * rotating each round so no command always follows the same neighbour. Stops early (and says so)
 * when `capMs` is reached. Returns ms samples per command name and the runs that failed.
 */
export function interleaved(commands, { n, warmup, capMs }) {
  const t0 = Date.now();
  const samples = Object.fromEntries(commands.map((c) => [c.name, []]));
  const failures = [];
  const check = (c, r) => {
    const ok = r.status === (c.expectStatus ?? 0) && !r.signal && (!c.check || c.check(r));
    if (!ok) failures.push({ name: c.name, status: r.status, signal: r.signal, error: r.error, stderr: r.stderr.slice(0, 400), stdout: r.stdout.slice(0, 400) });
    return ok;
  };
  for (let w = 0; w < warmup; w++) for (const c of commands) check(c, timeCold(c.cmd, c.args));
  let rounds = 0;
  for (let i = 0; i < n; i++) {
    if (Date.now() - t0 > capMs) break;
    for (let k = 0; k < commands.length; k++) {
      const c = commands[(i + k) % commands.length];
      const r = timeCold(c.cmd, c.args);
      if (check(c, r)) samples[c.name].push(r.ms);
    }
    rounds++;
  }
  return { samples, failures, rounds, capped: rounds < n, elapsedMs: Date.now() - t0 };
}

/** Peak resident set ("high water mark") of a live process, in kB, or null once it is gone. */
export function vmHwmKb(pid = process.pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function toolVersion(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
  return r.status === 0 ? r.stdout.toString().trim().split('\n')[0] : null;
}

/** Ratio against a goal. `better`: 'lower' means certcheck/baseline must be at most the goal. */
export function judge(value, goal, stretch, better) {
  if (!Number.isFinite(value)) return 'ERROR';
  const meets = (g) => (better === 'lower' ? value <= g : value >= g);
  if (stretch !== undefined && stretch !== null && meets(stretch)) return 'PASS+';
  return meets(goal) ? 'PASS' : 'MISS';
}

export function renderTable(rows) {
  const head = ['row', 'what', 'certcheck', 'baseline', 'ratio', 'goal', 'stretch', 'result'];
  const cells = rows.map((r) => [r.id, r.name, r.certcheckText ?? '', r.baselineText ?? '', r.ratioText ?? '', r.goalText ?? '', r.stretchText ?? '', r.status]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => String(c[i]).length)));
  const line = (c) => c.map((x, i) => (i >= 2 && i <= 4 ? String(x).padStart(w[i]) : String(x).padEnd(w[i]))).join('  ').trimEnd();
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...cells.map(line)].join('\n');
}
