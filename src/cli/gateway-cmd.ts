import net from 'node:net';
import { Command, Option } from 'commander';
import { InputError } from '../model/errors.js';
import { DEFAULT_CONCURRENCY } from '../gateway/defaults.js';
import type { Probeable, RunProgress, RunResult } from '../gateway/run.js';
import type { SweepMeta } from '../render/health.js';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { parseAt, parseIntOpt, useColor } from './common.js';
import type { CliIo } from './io.js';
import { parseResolve } from './probe-cmd.js';
import { collect } from './verify-cmd.js';

export interface SweepFlags {
  resolve: string[];
  concurrency: string;
  format: 'text' | 'json' | 'jsonl' | 'junit' | 'github';
  output?: string;
  warnDays?: string;
  minDays?: string;
  at?: string;
  caStore: 'mozilla' | 'system';
  color?: boolean;
}

/** The thresholds every probe of a sweep applies. */
export function sweepThresholds(flags: SweepFlags): { warnDays: number; minDays?: number } {
  const minDays = parseIntOpt('--min-days', flags.minDays, 0, 100_000);
  return { warnDays: parseIntOpt('--warn-days', flags.warnDays, 0, 100_000) ?? 30, ...(minDays !== undefined ? { minDays } : {}) };
}

/**
 * Print a sweep: text and json from the command's own renderers, junit/github from the reports
 * (one case per probed server). With --output the file gets it and stdout a summary line.
 */
async function emitSweep<T extends Probeable>(io: CliIo, flags: SweepFlags, results: RunResult<T>[], name: (r: RunResult<T>) => string, textOrJson: () => string): Promise<void> {
  let out: string;
  if (flags.format === 'junit' || flags.format === 'github') {
    const [{ renderJunit }, { renderGithub }] = await Promise.all([import('../render/junit.js'), import('../render/github.js')]);
    const entries = results.filter((r) => r.report).map((r) => ({ name: name(r), report: r.report! }));
    out = flags.format === 'junit' ? renderJunit(entries, 'certcheck sweep') : renderGithub(entries);
    const skipped = results.length - entries.length;
    if (skipped && flags.format === 'github') out += `::warning title=certcheck::${skipped} server(s) not probed (health Unknown)\n`;
  } else out = textOrJson();
  if (flags.output) {
    try { writeFileSync(flags.output, out); } catch (e) { throw new InputError(`--output ${flags.output}: ${(e as Error).message}`); }
    const counts = { Healthy: 0, Unhealthy: 0, Unknown: 0 } as Record<string, number>;
    for (const r of results) counts[r.health] = (counts[r.health] ?? 0) + 1;
    io.stdout(`certcheck: ${results.length} server(s): ${counts.Healthy} Healthy, ${counts.Unhealthy} Unhealthy, ${counts.Unknown} Unknown (${flags.format} written to ${flags.output})\n`);
  } else io.stdout(out);
}

function sweepSummary(results: { health: string }[], elapsedMs: number, concurrency: number): Record<string, unknown> {
  const c = { healthy: 0, unhealthy: 0, unknown: 0 };
  for (const r of results) { if (r.health === 'Healthy') c.healthy++; else if (r.health === 'Unhealthy') c.unhealthy++; else c.unknown++; }
  return { total: results.length, ...c, elapsedMs: Math.round(elapsedMs), concurrency };
}

/**
 * --format jsonl: one line per server as soon as it is judged (completion order, with its input
 * index), then one summary line. Reports are dropped as they are written, so memory stays flat
 * however many targets there are. Returns the RunOptions to merge and a finisher.
 */
function jsonlStream<T extends Probeable>(io: CliIo, flags: SweepFlags, row: (r: RunResult<T>, index: number) => Record<string, unknown>):
  { options: { onResult?: (r: RunResult, i: number) => void; keepReports?: boolean }; finish: (summary: Record<string, unknown>) => void } {
  if (flags.format !== 'jsonl') return { options: {}, finish: () => undefined };
  let fd: number | undefined;
  if (flags.output) {
    try { fd = openSync(flags.output, 'w'); } catch (e) { throw new InputError(`--output ${flags.output}: ${(e as Error).message}`); }
  }
  const write = (s: string) => { if (fd !== undefined) writeSync(fd, s); else io.stdout(s); };
  return {
    options: { keepReports: false, onResult: (r, i) => write(`${JSON.stringify(row(r as RunResult<T>, i))}\n`) },
    finish: (summary) => {
      write(`${JSON.stringify({ summary })}\n`);
      if (fd !== undefined) { closeSync(fd); io.stdout(`certcheck: ${String(summary.total)} server(s) (jsonl written to ${flags.output})\n`); }
    },
  };
}

export interface SweepSpec<T extends Probeable> {
  items: T[];
  notes: string[];
  concurrency: number;
  resolve: Map<string, string>;
  at: Date;
  /** What identifies a server in a jsonl line (besides its input index). */
  ident: (item: T) => Record<string, unknown>;
  /** A server's name in junit/github output. */
  name: (item: T) => string;
  /** The whole sweep as text or json. */
  render: (results: RunResult<T>[], meta: SweepMeta, color: boolean) => string;
}

/** One sweep, shared by `gateway` and `targets`: probe, stream or render, and return the exit status. */
export async function runSweep<T extends Probeable>(io: CliIo, flags: SweepFlags, spec: SweepSpec<T>): Promise<number> {
  const { runProbes, exitForResults } = await import('../gateway/run.js');
  const progress = progressLine(io);
  const stream = jsonlStream<T>(io, flags, (r, index) => ({
    index, ...spec.ident(r.item), health: r.health, healthProbeLog: r.healthProbeLog,
    primary: r.report?.primary?.code ?? null, notProbed: r.error, findings: r.report?.findings ?? [],
  }));
  const t0 = performance.now();
  const results = await runProbes(spec.items, {
    concurrency: spec.concurrency, resolve: spec.resolve, at: spec.at, caStore: flags.caStore, ...sweepThresholds(flags), ...stream.options,
    ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  });
  progress.end();
  const meta: SweepMeta = { at: spec.at, elapsedMs: performance.now() - t0, concurrency: spec.concurrency, notes: spec.notes };
  if (flags.format === 'jsonl') stream.finish({ ...sweepSummary(results, meta.elapsedMs, spec.concurrency), notes: spec.notes });
  else await emitSweep(io, flags, results, (r) => spec.name(r.item), () => spec.render(results, meta, useColor(io, flags.color) && !flags.output));
  return exitForResults(results);
}

/** --resolve NAME=ADDRESS, with the address checked now rather than mid-sweep. */
export function resolveMap(list: string[]): Map<string, string> {
  const m = parseResolve(list);
  for (const [k, v] of m) {
    const a = v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v;
    if (net.isIP(a) === 0) throw new InputError(`--resolve ${k}=${v}: the address must be an IP address`);
  }
  return m;
}

// An io without the flag (an embedding caller) gets no progress line: silence is the safe default.
function stderrIsTTY(io: CliIo): boolean {
  return io.stderrIsTTY ?? false;
}

/** A one-line progress display on stderr, only for a terminal; returns the callback and a finisher. */
export function progressLine(io: CliIo): { onProgress?: (p: RunProgress) => void; end: () => void } {
  if (!stderrIsTTY(io)) return { end: () => undefined };
  let last = 0;
  let shown = false;
  return {
    onProgress: (p) => {
      const now = Date.now();
      if (p.done !== p.total && now - last < 100) return;
      last = now;
      shown = true;
      const w = 24;
      const filled = Math.round((p.done / Math.max(1, p.total)) * w);
      io.stderr(`\r[${'#'.repeat(filled)}${'.'.repeat(w - filled)}] ${p.done}/${p.total}  ${p.healthy} healthy, ${p.unhealthy} unhealthy, ${p.unknown} unknown, ${p.running} running `);
    },
    end: () => { if (shown) io.stderr('\r\u001b[K'); },
  };
}

export function addSweepOptions(cmd: Command): Command {
  return cmd
    .option('--resolve <name=address>', 'use this address for this name (repeatable), like curl --resolve', collect, [])
    .option('--concurrency <n>', 'probes in flight at once', String(DEFAULT_CONCURRENCY))
    .addOption(new Option('--format <format>', 'output format: text, json, jsonl (one JSON object per server as it finishes, then a summary line; constant memory), junit (one test case per server), github (workflow annotations)').choices(['text', 'json', 'jsonl', 'junit', 'github']).default('text'))
    .option('--output <file>', 'write the output to this file (stdout then prints a one-line summary)')
    .option('--warn-days <n>', 'warn when a certificate on a path expires within N days', '30')
    .option('--min-days <n>', 'error when a certificate on a path expires within N days')
    .option('--at <iso-8601>', 'check certificate validity at this time instead of now')
    .addOption(new Option('--ca-store <store>', 'store standing in for the gateway\'s well-known CAs').choices(['mozilla', 'system']).default('mozilla'))
    .option('--no-color', 'no colour (also: NO_COLOR)');
}

interface GatewayFlags extends SweepFlags {
  pool: string[];
  setting: string[];
  plan?: boolean;
  timeoutCap?: string;
  allPairs?: boolean;
}

export function gatewayCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('gateway')
    .description('probe every pool member × backend setting of an Application Gateway as its health probe does, and show the Backend Health page (exit 0 all Healthy, 1 any Unhealthy, 3 any Unknown)')
    .argument('<config>', 'gateway JSON: az network application-gateway show, the ARM/REST resource, or an ARM template; "-" reads stdin')
    .option('--pool <name>', 'only this backend pool (repeatable)', collect, [])
    .option('--setting <name>', 'only this backend setting (repeatable)', collect, [])
    .option('--plan', 'print what each probe would send, and why, without contacting anything')
    .option('--timeout-cap <seconds>', 'lower every probe timeout to at most this (the gateway\'s default is 30 s)')
    .option('--all-pairs', 'plan every pool with every setting, not only the pairs routing rules use');
  addSweepOptions(cmd);
  cmd.action(async (file: string, flags: GatewayFlags) => {
    const concurrency = parseIntOpt('--concurrency', flags.concurrency, 1, 1024)!;
    const timeoutCap = parseIntOpt('--timeout-cap', flags.timeoutCap, 1, 86400);
    const resolve = resolveMap(flags.resolve);
    const at = parseAt(flags.at);
    const color = useColor(io, flags.color);
    // The sweep machinery loads when the command runs, not with the CLI.
    const [{ loadGatewayConfig }, { planGateway }, { healthJson, plansJson, renderHealthText, renderPlansText }] = await Promise.all([
      import('../gateway/config.js'), import('../gateway/plan.js'), import('../render/health.js')]);
    const cfg = await loadGatewayConfig(file);
    const { plans, notes } = planGateway(cfg, {
      ...(flags.pool.length ? { pools: flags.pool } : {}),
      ...(flags.setting.length ? { settings: flags.setting } : {}),
      ...(timeoutCap !== undefined ? { timeoutCap } : {}),
      ...(flags.allPairs ? { allPairs: true } : {}),
    });
    if (flags.plan) {
      if (flags.format !== 'text' && flags.format !== 'json') throw new InputError('--plan prints text or json');
      io.stdout(flags.format === 'json' ? `${JSON.stringify(plansJson(cfg, plans, notes), null, 2)}\n` : renderPlansText(cfg, plans, notes, color));
      setExit(0);
      return;
    }
    if (!plans.length) io.stderr('certcheck: no pool members to probe\n');
    setExit(await runSweep(io, flags, {
      items: plans, notes, concurrency, resolve, at,
      ident: (p) => ({ pool: p.pool, setting: p.setting, address: p.address }),
      name: (p) => `${p.pool} / ${p.setting} / ${p.address}`,
      render: (results, meta, c) => (flags.format === 'json' ? `${JSON.stringify(healthJson(cfg, results, meta), null, 2)}\n` : renderHealthText(cfg, results, meta, c)),
    }));
  });
  return cmd;
}
