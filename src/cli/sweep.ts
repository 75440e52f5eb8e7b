/**
 * The sweep `gateway` and `targets` share: many probes under a concurrency limit (the library's
 * streamProbes), streamed or rendered in the chosen format, with a progress line on a terminal.
 * A support module beside the options, used by both commands; it is not a command.
 */
import net from 'node:net';
import { Command, Option } from 'commander';
import { nowMs } from '../clock.js';
import { DEFAULT_CONCURRENCY } from '../gateway/defaults.js';
import type { Probeable, RunProgress, RunResult, SweepCounts } from '../sweep.js';
import { InputError } from '../model/errors.js';
import type { SweepMeta, SweepRow, Tally } from '../render/health.js';
import type { CaseEntry, JunitCase, JunitTool } from '../render/junit.js';
import { allowInternalFetchOption, collect, parseIntOpt, parseResolve, textWidth, thresholds, useColor, verboseOption } from './options.js';
import type { CliIo } from './io.js';
import { abortOnSignals, openOutputFile } from './write-output.js';

/** The flags addSweepOptions adds. */
export interface SweepFlags {
  resolve: string[];
  concurrency: string;
  format: 'text' | 'json' | 'jsonl' | 'junit' | 'github' | 'azure';
  output?: string;
  warnDays?: string;
  minDays?: string;
  at?: string;
  caStore: 'mozilla' | 'system';
  /** The same as --format json. */
  json?: boolean;
  profile: 'gateway' | 'strict';
  revocation: 'off' | 'staple' | 'ocsp' | 'crl' | 'all';
  allowInternalFetch?: boolean;
  color?: boolean;
  /** Text: more under each row (the fix, every other finding); other formats are unchanged. */
  verbose?: boolean;
  /** Text: only the servers that are not Healthy, then the closing tally. */
  quiet?: boolean;
}

/** The exit status of a sweep stopped by Ctrl-C (128 + SIGINT, as a shell reports it). */
export const EXIT_INTERRUPTED = 130;


type HealthModule = typeof import('../render/health.js');


/**
 * Where a sweep's output goes: stdout, or --output opened before the first probe. `close` puts a
 * finished file in place; `abort` (a failed or interrupted sweep) leaves the target as it was.
 */
interface SweepOutput { write: (s: string) => void; close: () => void; abort: () => void }

function openOutput(io: CliIo, flags: SweepFlags): SweepOutput {
  if (flags.output === undefined) return { write: (s) => io.stdout(s), close: () => undefined, abort: () => undefined };
  // Streamed into a temporary file and renamed at the end, so a reader of --output sees the whole
  // sweep or the previous file, never a sweep in progress. Where the sweep handles Ctrl-C itself,
  // an interrupted sweep drops the file when it finishes (sinkDone).
  const file = openOutputFile(flags.output);
  const unhook = abortOnSignals(file, io.onInterrupt ? ['SIGTERM', 'SIGHUP'] : undefined);
  return {
    write: (s) => file.write(s),
    close: () => { unhook(); file.commit(); },
    abort: () => { unhook(); file.abort(); },
  };
}

function countsLine(c: SweepCounts, flags: SweepFlags): string {
  return `certcheck: ${c.total} server(s): ${c.healthy} Healthy, ${c.unhealthy} Unhealthy, ${c.unknown} Unknown (${flags.format} written to ${flags.output})\n`;
}

/** What an interrupted sweep says: how far it got. */
function interruptedText(c: SweepCounts, meta: SweepMeta): string {
  return `interrupted after ${c.total} of ${meta.interrupted?.total ?? c.total} server(s): ${c.healthy} Healthy, ${c.unhealthy} Unhealthy, ${c.unknown} Unknown`;
}

/**
 * Ends a sink's output. A finished sweep's output is closed (an --output file put in place, with
 * the counts line on stdout); an interrupted sweep's --output is dropped, so the file keeps what it
 * had (a reader sees a whole sweep or the previous file), and stdout says how far it got.
 */
function sinkDone(io: CliIo, flags: SweepFlags, out: SweepOutput, c: SweepCounts, meta: SweepMeta, line: string = countsLine(c, flags)): void {
  if (meta.interrupted && flags.output) {
    out.abort();
    io.stdout(`certcheck: ${interruptedText(c, meta)}; ${flags.output} left as it was\n`);
    return;
  }
  out.close();
  if (flags.output) io.stdout(line);
}

/**
 * One output format of a sweep. `onResult` sees each result as it finishes (completion order) and
 * keeps only what the format still has to print; the runner drops the result after it.
 */
interface SweepSink {
  onResult: (r: RunResult, index: number) => void;
  finish: (counts: SweepCounts, meta: SweepMeta) => void;
  /** The sweep failed before finish: drop the unfinished --output. */
  abort: () => void;
}

/**
 * --format jsonl: one line per server as soon as it is judged (completion order, with its input
 * index), then one summary line. Nothing is kept, so memory stays flat however many targets there are.
 */
function jsonlSink<T extends Probeable>(io: CliIo, flags: SweepFlags, ident: (item: T) => Record<string, unknown>, health: HealthModule): SweepSink {
  const out = openOutput(io, flags);
  // The closing tally is counted as lines go out: one small group per distinct cause.
  const tally: Tally = new Map();
  return {
    onResult: (r, index) => {
      health.addToTally(tally, health.sweepRow(r, null, false));
      out.write(`${JSON.stringify({
        index, ...ident(r.item as T), health: r.health, healthProbeLog: r.healthProbeLog,
        primary: r.report?.primary?.code ?? null, notProbed: r.error, findings: r.report?.findings ?? [],
        policy: r.report?.policy ?? null,
      })}\n`);
    },
    finish: (c, meta) => {
      out.write(`${JSON.stringify({ summary: { ...health.sweepSummary(c, health.tallyGroups(tally), meta), notes: meta.notes } })}\n`);
      sinkDone(io, flags, out, c, meta, `certcheck: ${c.total} server(s) (jsonl written to ${flags.output})\n`);
    },
    abort: out.abort,
  };
}

/**
 * --format github / azure: each probed server's annotations (GitHub workflow commands, Azure
 * Pipelines logging commands), in input order. A result that finishes ahead of an earlier one
 * waits as its rendered text only, until the earlier one is written.
 */
function annotationSink<T extends Probeable>(io: CliIo, flags: SweepFlags, name: (item: T) => string, render: (entries: CaseEntry[]) => string,
  notProbed: (n: number) => string, interrupted: (text: string) => string): SweepSink {
  const out = openOutput(io, flags);
  const waiting = new Map<number, string>();
  let next = 0, skipped = 0;
  return {
    onResult: (r, index) => {
      if (!r.report) skipped++;
      waiting.set(index, r.report ? render([{ name: name(r.item as T), report: r.report }]) : '');
      for (let text = waiting.get(next); text !== undefined; text = waiting.get(next)) {
        waiting.delete(next++);
        if (text) out.write(text);
      }
    },
    finish: (c, meta) => {
      // A stop leaves gaps (probes that never came back): what waits behind them goes out now, in order.
      for (const i of [...waiting.keys()].sort((a, b) => a - b)) { const text = waiting.get(i); if (text) out.write(text); }
      waiting.clear();
      if (skipped) out.write(notProbed(skipped));
      if (meta.interrupted) out.write(interrupted(interruptedText(c, meta)));
      sinkDone(io, flags, out, c, meta);
    },
    abort: out.abort,
  };
}

/** Writes a whole document at the end, to stdout or to --output (opened up front) with a counts line on stdout. */
function emitDocument(io: CliIo, flags: SweepFlags, out: SweepOutput, doc: string, c: SweepCounts, meta: SweepMeta): void {
  if (!(meta.interrupted && flags.output)) out.write(doc);
  sinkDone(io, flags, out, c, meta);
}

/** --format junit: the header counts every case, so each probed server's case is rendered as it finishes and kept as text. */
function junitSink<T extends Probeable>(io: CliIo, flags: SweepFlags, name: (item: T) => string, junit: typeof import('../render/junit.js')): SweepSink {
  // Opened now, so an unwritable --output stops the command before the first probe, not after the last.
  const out = openOutput(io, flags);
  const cases: (JunitCase | undefined)[] = [];
  let tool: JunitTool = junit.junitTool(undefined);
  let toolFrom = Infinity;
  return {
    onResult: (r, index) => {
      if (!r.report) return;
      cases[index] = junit.junitCase({ name: name(r.item as T), report: r.report });
      // The suite names the version of the first report in input order, as for a single report.
      if (index < toolFrom) { toolFrom = index; tool = junit.junitTool(r.report); }
    },
    finish: (c, meta) => emitDocument(io, flags, out, junit.junitSuite(cases.filter((x): x is JunitCase => x !== undefined), tool, 'certcheck sweep', meta.interrupted), c, meta),
    abort: out.abort,
  };
}

/** --format text|json: the views group and align every server, so each keeps a row (no report) until the end. */
function documentSink<T extends Probeable, I>(io: CliIo, flags: SweepFlags, spec: SweepSpec<T, I>, sweepRow: HealthModule['sweepRow']): SweepSink {
  const out = openOutput(io, flags);
  const rows: SweepRow<I>[] = [];
  const evidence = flags.format === 'json';
  return {
    // -v text shows every finding under its row, so the row keeps them.
    onResult: (r, index) => { rows[index] = sweepRow(r, spec.keep(r.item as T), evidence, evidence || !!flags.verbose); },
    // filter closes the gaps of an interrupted sweep (probes that never came back).
    finish: (c, meta) => emitDocument(io, flags, out, spec.render(meta.interrupted ? rows.filter(() => true) : rows, meta, useColor(io, flags.color) && !flags.output, flags.output || flags.format !== 'text' ? undefined : textWidth(io)), c, meta),
    abort: out.abort,
  };
}

export interface SweepSpec<T extends Probeable, I> {
  /** The items, best produced one at a time (a generator): the sweep pulls one per free slot. */
  items: Iterable<T>;
  /** How many items there are (for the progress line). */
  total: number;
  notes: string[];
  concurrency: number;
  resolve: Map<string, string>;
  at: Date;
  /** What identifies a server in a jsonl line (besides its input index). */
  ident: (item: T) => Record<string, unknown>;
  /** A server's name in junit/github output. */
  name: (item: T) => string;
  /** What the text and json views keep of an item once it is probed. */
  keep: (item: T) => I;
  /** The whole sweep as text or json, from its rows in input order; text fitted to `width` columns when given (a terminal). */
  render: (rows: SweepRow<I>[], meta: SweepMeta, color: boolean, width: number | undefined) => string;
  /** The gateway's network verdict, when network resources were given (issue 17). */
  network?: SweepMeta['network'];
}

/**
 * One sweep, shared by `gateway` and `targets`: probe, stream or render, and return the exit
 * status. Results go to the format's sink as they finish; only jsonl and github print before the end.
 */
export async function runSweep<T extends Probeable, I>(io: CliIo, flags: SweepFlags, spec: SweepSpec<T, I>): Promise<number> {
  const { streamProbes, exitForCounts } = await import('../sweep.js');
  // A sweep's probes live for seconds under load, so their garbage reaches the old generation, and
  // V8's adaptive heap growth (up to 4x the live size) let a long sweep's heap creep up: at c=1000
  // the live data stays ~40 MB, the heap reached 150 MB by 12,000 targets. A fixed growth of 1.5x
  // (read at each full GC, so setting it now works) keeps the peak flat at no measured cost in
  // rate (bench rows 3 and 5; 2x was as fast but 10-30 MB higher and less flat);
  // --optimize-for-size kept the heap at 50 MB but cost 30-40% more CPU at c=1000.
  // The CLI process is the sweep's, so the setting is ours to make.
  process.getBuiltinModule('node:v8').setFlagsFromString('--heap-growing-percent=50');
  const health = await import('../render/health.js');
  let sink: SweepSink;
  if (flags.format === 'jsonl') sink = jsonlSink(io, flags, spec.ident, health);
  else if (flags.format === 'github') sink = annotationSink(io, flags, spec.name, (await import('../render/github.js')).renderGithub, (n) => `::warning title=certcheck::${n} server(s) not probed (health Unknown)\n`, (t) => `::warning title=certcheck::${t}\n`);
  else if (flags.format === 'azure') sink = annotationSink(io, flags, spec.name, (await import('../render/azure.js')).renderAzure, (n) => `##vso[task.logissue type=warning;code=NOT_PROBED]${n} server(s) not probed (health Unknown)\n`, (t) => `##vso[task.logissue type=warning;code=INTERRUPTED]${t}\n`);
  else if (flags.format === 'junit') sink = junitSink(io, flags, spec.name, await import('../render/junit.js'));
  else sink = documentSink(io, flags, spec, health.sweepRow);
  // Ctrl-C stops the sweep (no new probe starts, those in flight are given up) and the results so
  // far are written; a second Ctrl-C ends the process at once. Hooked after the sink, whose
  // --output then leaves SIGINT to us.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  io.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (io.signal?.aborted) stop.abort();
  const release = io.onInterrupt?.(() => stop.abort(), () => sink.abort());
  const progress = progressLine(io);
  try {
    const t0 = nowMs();
    const counts = await streamProbes(spec.items, {
      concurrency: spec.concurrency, resolve: spec.resolve, at: spec.at, caStore: flags.caStore, ...thresholds(flags),
      profile: flags.profile, revocation: flags.revocation, ...(flags.allowInternalFetch ? { allowInternalFetch: true } : {}),
      total: spec.total, onResult: sink.onResult,
      ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
      signal: stop.signal,
    });
    progress.end();
    const interrupted = stop.signal.aborted;
    sink.finish(counts, {
      at: spec.at, elapsedMs: nowMs() - t0, concurrency: spec.concurrency, notes: spec.notes, ...(spec.network ? { network: spec.network } : {}),
      ...(interrupted ? { interrupted: { done: counts.total, total: spec.total } } : {}), ...(flags.quiet ? { quiet: true } : {}),
    });
    return interrupted ? EXIT_INTERRUPTED : exitForCounts(counts);
  } finally {
    release?.();
    io.signal?.removeEventListener('abort', onOuterAbort);
    // After finish this does nothing; after a throw (a bad target line, a write error) the
    // temporary file goes and the old --output stays.
    sink.abort();
  }
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

/** The flags every sweep takes: --resolve, --concurrency, --format, --output, thresholds, --at, --ca-store. */
export function addSweepOptions(cmd: Command): Command {
  return cmd
    .option('--resolve <name=address>', 'use this address for this name (repeatable), like curl --resolve', collect, [])
    .option('--concurrency <n>', 'probes in flight at once', String(DEFAULT_CONCURRENCY))
    .addOption(new Option('--format <format>', 'output format: text, json, jsonl (one JSON object per server as it finishes, then a summary line; constant memory), junit (one test case per server), github (workflow annotations), azure (Azure Pipelines logging commands)').choices(['text', 'json', 'jsonl', 'junit', 'github', 'azure']).default('text'))
    .option('--output <file>', 'write the output to this file (stdout then prints a one-line summary)')
    .option('--warn-days <n>', 'warn when a certificate on a path expires within N days', '30')
    .option('--min-days <n>', 'certcheck policy, beside the gateway\'s verdict: fail (exit 4 when no server is Unhealthy or Unknown) when a certificate on a path expires within N days')
    .option('--at <iso-8601>', 'check certificate validity at this time instead of now')
    .addOption(new Option('--ca-store <store>', 'store standing in for the gateway\'s well-known CAs').choices(['mozilla', 'system']).default('mozilla'))
    .option('--json', 'the same as --format json')
    .addOption(new Option('--profile <profile>', 'gateway: what the gateway decides; strict: also certcheck\'s strict validator (RFC 5280 + CA/B Forum rules), as policy beside the gateway\'s verdict (exit 4 when only it fails)').choices(['gateway', 'strict']).default('gateway'))
    .addOption(new Option('--revocation <mode>', 'revocation checks for every probe: off; staple (judge a stapled OCSP response, fetch nothing); ocsp / crl / all (also fetch, 5 s each, soft-fail)').choices(['off', 'staple', 'ocsp', 'crl', 'all']).default('staple'))
    .addOption(allowInternalFetchOption())
    .option('-q, --quiet', 'text: list only the failing servers (not Healthy, or certcheck\'s policy failed), then the closing tally')
    .option('--color', 'colour even off a terminal (also: FORCE_COLOR)')
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .addOption(verboseOption('text: under each server, its primary finding\'s fix and every other finding, info-level too; other formats are unchanged'))
    // --json is --format json, as on the single-report commands; with another --format it is a usage error.
    .hook('preAction', (c) => {
      const f = c.opts<SweepFlags>();
      if (!f.json) return;
      if (c.getOptionValueSource('format') === 'default') c.setOptionValue('format', 'json');
      else if (f.format !== 'json') throw new InputError(`--json conflicts with --format ${f.format}`);
    });
}

