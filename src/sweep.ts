/**
 * Run many probes at once with a fixed number in flight. Each probe keeps its own deadline
 * (probeBackend's timeout); the runner adds a guard a little past it so one stuck probe can never
 * hold the sweep. A probe that cannot run becomes an Unknown row, never a failed sweep.
 *
 * `streamProbes` is the sweep itself: it pulls items from an iterator only when a slot is free and
 * hands each result to `onResult` as it finishes, keeping nothing but counters, so a sweep holds
 * at most `concurrency` items and results whatever the number of targets. `runProbes` collects
 * the results in input order on top of it, for callers that want them all.
 */
import { probeBackend, type ProbeOptions } from './probe.js';
import { isInputError } from './model/errors.js';
import { countHealth, tallyHealth, type HealthCounts, type HealthStatus, type Report } from './model/report.js';
import type { GatewayConfig } from './gateway/config.js';
import { planGateway, type PlanOptions, type ProbePlan } from './gateway/plan.js';
import { applyRowNetwork, type RowNetwork } from './gateway/network/verdict.js';

import { DEFAULT_CONCURRENCY } from './gateway/defaults.js';
import { nowMs } from './clock.js';
export { DEFAULT_CONCURRENCY };
/** The most probes a sweep runs at once. */
export const MAX_CONCURRENCY = 1024;
/** How long past a probe's own timeout the runner waits before declaring it stuck. */
export const DEFAULT_GRACE_MS = 2000;

/** Anything a sweep can probe: probe options, or a reason it is not probed. */
export interface Probeable {
  options: ProbeOptions;
  /** When set, the item is not probed and its health is Unknown with this reason. */
  blocked?: string | null;
  /** The network path's verdict: an Unknown or Unhealthy here replaces the probe's (issue 17). */
  network?: RowNetwork | null;
}

/** One probed (or not probed) item of a sweep and its health. */
export interface RunResult<T extends Probeable = Probeable> {
  item: T;
  health: HealthStatus;
  /** The gateway's Details text for a probed item; a "certcheck: not probed: …" line otherwise. */
  healthProbeLog: string;
  report: Report | null;
  /** Why there is no report (blocked, cancelled, stuck, or an error while probing). */
  error: string | null;
  ms: number;
}

/** All a finished sweep keeps: how many items came back with each health. */
export type SweepCounts = HealthCounts;

/** A sweep's progress, as reported while it runs. */
export interface RunProgress {
  done: number;
  /** The number of items: known for an array or when RunOptions.total is given, else the number started so far. */
  total: number;
  running: number;
  healthy: number;
  unhealthy: number;
  unknown: number;
  last: RunResult;
}

/** How a sweep runs: concurrency, the options every probe shares, progress and result callbacks. */
export interface RunOptions {
  concurrency?: number;
  resolve?: Map<string, string>;
  at?: Date;
  caStore?: 'mozilla' | 'system';
  /** Expiry thresholds applied to every probe (--warn-days, --min-days). */
  warnDays?: number;
  minDays?: number;
  /** The profile every probe is judged in (--profile). */
  profile?: 'gateway' | 'strict';
  /** Revocation checks for every probe (--revocation), and whether internal addresses may be fetched. */
  revocation?: 'off' | 'staple' | 'ocsp' | 'crl' | 'all';
  allowInternalFetch?: boolean;
  /** How many items the iterable holds, for progress (an array's length is used when not given). */
  total?: number;
  onProgress?: (p: RunProgress) => void;
  /**
   * Called as each probe finishes (completion order) with its input index. After it returns, the
   * runner lets go of the result and its item: this is where a caller writes or keeps what it needs.
   */
  onResult?: (r: RunResult, index: number) => void;
  /** runProbes only. false: keep each result without its report (health and log line only). */
  keepReports?: boolean;
  /**
   * Stops the sweep (Ctrl-C): once it fires no item is started, probes in flight are no longer
   * waited for and their results are dropped, and the sweep resolves at once with what came back
   * before (streamProbes: those counts; runProbes: those results, in input order).
   */
  signal?: AbortSignal;
  graceMs?: number;
  /** Replace the probe (tests count calls or inject failures). */
  probe?: (o: ProbeOptions) => Promise<Report>;
}

/** The start of the Details text of an item that was not probed. */
export const NOT_PROBED = 'certcheck: not probed: ';

function notProbed<T extends Probeable>(item: T, reason: string, ms = 0): RunResult<T> {
  return { item, health: 'Unknown', healthProbeLog: `${NOT_PROBED}${reason}`, report: null, error: reason, ms };
}

async function runOne<T extends Probeable>(item: T, o: RunOptions): Promise<RunResult<T>> {
  if (item.blocked) return notProbed(item, item.blocked);
  const probe = o.probe ?? probeBackend;
  const opts: ProbeOptions = {
    ...item.options,
    ...(o.resolve && o.resolve.size ? { resolve: o.resolve } : {}),
    ...(o.at ? { at: o.at } : {}),
    ...(o.caStore ? { caStore: o.caStore } : {}),
    ...(o.warnDays !== undefined ? { warnDays: o.warnDays } : {}),
    ...(o.minDays !== undefined ? { minDays: o.minDays } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.revocation ? { revocation: o.revocation } : {}),
    ...(o.allowInternalFetch ? { allowInternalFetch: true } : {}),
  };
  const t0 = nowMs();
  const limitMs = (opts.timeoutSeconds ?? 30) * 1000 + (o.graceMs ?? DEFAULT_GRACE_MS);
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'stuck'>((res) => { timer = setTimeout(() => res('stuck'), limitMs); });
  const run = probe(opts);
  try {
    const r = await Promise.race([run, guard]);
    const ms = Math.round(nowMs() - t0);
    if (r === 'stuck') {
      run.catch(() => undefined);
      return notProbed(item, `the probe did not finish within its ${opts.timeoutSeconds ?? 30} s timeout plus ${o.graceMs ?? DEFAULT_GRACE_MS} ms`, ms);
    }
    // The Details column is the gateway's log; a sentence of certcheck's says whose it is.
    return { item, health: r.status, healthProbeLog: r.messageSource === 'gateway' ? r.message : `certcheck: ${r.message}`, report: r, error: null, ms };
  } catch (e) {
    const ms = Math.round(nowMs() - t0);
    const msg = (e as Error)?.message ?? String(e);
    return notProbed(item, isInputError(e) ? msg : `internal error: ${msg.split('\n')[0]}`, ms);
  } finally {
    clearTimeout(timer);
  }
}

function clampConcurrency(n: number | undefined): number {
  return Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(n ?? DEFAULT_CONCURRENCY)));
}

/**
 * Probe every item of `items` with at most `concurrency` in flight, handing each result to
 * `onResult` in completion order; resolves with the counts. The iterator is advanced only when a
 * slot is free, so a generator that reads or plans targets one at a time is never run ahead, and
 * nothing of a finished probe stays behind once `onResult` and `onProgress` have seen it.
 */
export async function streamProbes<T extends Probeable>(items: Iterable<T>, o: RunOptions = {}): Promise<SweepCounts> {
  const concurrency = clampConcurrency(o.concurrency);
  const it = items[Symbol.iterator]();
  const knownTotal = o.total ?? (Array.isArray(items) ? items.length : undefined);
  const counts: SweepCounts = { total: 0, healthy: 0, unhealthy: 0, unknown: 0, policyFailed: 0 };
  let started = 0, running = 0, exhausted = false;
  const take = (): { item: T; index: number } | null => {
    if (exhausted || o.signal?.aborted) return null;
    const n = it.next();
    if (n.done) { exhausted = true; return null; }
    return { item: n.value, index: started++ };
  };
  // Probing and handing over happen in one short-lived async call per item: a worker that kept the
  // last result in a variable while its next probe runs would hold `concurrency` extra results.
  const probeOne = async (job: { item: T; index: number }): Promise<void> => {
    let r: RunResult<T>;
    running++;
    try { r = await runOne(job.item, o); } finally { running--; }
    // After a stop the sweep has already answered: a late result must not reach the caller.
    if (o.signal?.aborted) return;
    r = applyRowNetwork(r, job.item.network);
    tallyHealth(counts, r.health, r.report?.policy.ok ?? true);
    o.onResult?.(r, job.index);
    o.onProgress?.({ done: counts.total, total: knownTotal ?? started, running, healthy: counts.healthy, unhealthy: counts.unhealthy, unknown: counts.unknown, last: r });
  };
  const worker = async (): Promise<void> => {
    for (let job = take(); job; job = take()) await probeOne(job);
  };
  // Each worker pulls its own first item, so a short iterable starts at most one idle worker.
  const workers: Promise<void>[] = [];
  while (workers.length < concurrency && !exhausted && !o.signal?.aborted) workers.push(worker());
  const signal = o.signal;
  if (!signal) await Promise.all(workers);
  else {
    // A stop answers at once, not when the slowest probe in flight times out.
    let onAbort = (): void => undefined;
    const stopped = new Promise<void>((res) => { onAbort = () => res(); signal.addEventListener('abort', onAbort, { once: true }); });
    const all = Promise.all(workers);
    // Once stopped nobody awaits the workers; a late failure of theirs is not the caller's.
    all.catch(() => undefined);
    try { if (!signal.aborted) await Promise.race([all, stopped]); } finally { signal.removeEventListener('abort', onAbort); }
  }
  return counts;
}

/**
 * Probe every item with at most `concurrency` in flight; results come back in input order (after
 * a stop through `signal`, only those that finished before it).
 */
export async function runProbes<T extends Probeable>(items: readonly T[], o: RunOptions = {}): Promise<RunResult<T>[]> {
  const results: RunResult<T>[] = new Array(items.length);
  await streamProbes(items, {
    ...o,
    onResult: (r, i) => {
      o.onResult?.(r, i);
      results[i] = (o.keepReports === false ? { ...r, report: null } : r) as RunResult<T>;
    },
  });
  // filter skips the holes a stop leaves; without one there are none.
  return o.signal?.aborted ? results.filter(() => true) : results;
}

/**
 * 0 all Healthy, 1 any Unhealthy, 3 any Unknown and none Unhealthy (also when nothing ran), 4 all
 * Healthy but certcheck's policy (--min-days, --profile strict) failed for some.
 */
export function exitForCounts(c: SweepCounts): number {
  if (c.unhealthy > 0) return 1;
  if (c.total === 0 || c.unknown > 0) return 3;
  return c.policyFailed > 0 ? 4 : 0;
}

/** The same rule over a list of results. */
export function exitForResults(results: { health: HealthStatus; report?: Report | null }[]): number {
  return exitForCounts(countHealth(results.map((r) => ({ health: r.health, policyOk: r.report?.policy.ok ?? true }))));
}

export { countHealth };

/** Plan and probe a whole gateway: the library form of `certcheck gateway`. */
export async function checkGateway(cfg: GatewayConfig, o: PlanOptions & RunOptions = {}): Promise<{ plans: ProbePlan[]; notes: string[]; results: RunResult<ProbePlan>[] }> {
  const { plans, notes } = planGateway(cfg, o);
  return { plans, notes, results: await runProbes(plans, o) };
}
