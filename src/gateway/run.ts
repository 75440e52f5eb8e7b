/**
 * Run many probes at once with a fixed number in flight. Each probe keeps its own deadline
 * (probeBackend's timeout); the runner adds a guard a little past it so one stuck probe can never
 * hold the sweep. A probe that cannot run becomes an Unknown row, never a failed sweep.
 */
import { probeBackend, type ProbeOptions } from '../probe.js';
import { isInputError } from '../model/errors.js';
import type { HealthStatus, Report } from '../model/report.js';
import type { GatewayConfig } from './config.js';
import { planGateway, type PlanOptions, type ProbePlan } from './plan.js';

import { DEFAULT_CONCURRENCY } from './defaults.js';
export { DEFAULT_CONCURRENCY };
export const MAX_CONCURRENCY = 1024;
/** How long past a probe's own timeout the runner waits before declaring it stuck. */
export const DEFAULT_GRACE_MS = 2000;

export interface Probeable {
  options: ProbeOptions;
  /** When set, the item is not probed and its health is Unknown with this reason. */
  blocked?: string | null;
}

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

export interface RunProgress {
  done: number;
  total: number;
  running: number;
  healthy: number;
  unhealthy: number;
  unknown: number;
  last: RunResult;
}

export interface RunOptions {
  concurrency?: number;
  resolve?: Map<string, string>;
  at?: Date;
  caStore?: 'mozilla' | 'system';
  /** Expiry thresholds applied to every probe (--warn-days, --min-days). */
  warnDays?: number;
  minDays?: number;
  onProgress?: (p: RunProgress) => void;
  /** Called as each probe finishes (completion order), e.g. to stream a line of output. */
  onResult?: (r: RunResult, index: number) => void;
  /**
   * false: drop each report once onResult has seen it, keeping only health and the log line, so a
   * sweep of any size holds constant memory (the streaming output formats).
   */
  keepReports?: boolean;
  signal?: AbortSignal;
  graceMs?: number;
  /** Replace the probe (tests count calls or inject failures). */
  probe?: (o: ProbeOptions) => Promise<Report>;
}

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
  };
  const t0 = performance.now();
  const limitMs = (opts.timeoutSeconds ?? 30) * 1000 + (o.graceMs ?? DEFAULT_GRACE_MS);
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'stuck'>((res) => { timer = setTimeout(() => res('stuck'), limitMs); });
  const run = probe(opts);
  try {
    const r = await Promise.race([run, guard]);
    const ms = Math.round(performance.now() - t0);
    if (r === 'stuck') {
      run.catch(() => undefined);
      return notProbed(item, `the probe did not finish within its ${opts.timeoutSeconds ?? 30} s timeout plus ${o.graceMs ?? DEFAULT_GRACE_MS} ms`, ms);
    }
    return { item, health: r.status, healthProbeLog: r.message, report: r, error: null, ms };
  } catch (e) {
    const ms = Math.round(performance.now() - t0);
    const msg = (e as Error)?.message ?? String(e);
    return notProbed(item, isInputError(e) ? msg : `internal error: ${msg.split('\n')[0]}`, ms);
  } finally {
    clearTimeout(timer);
  }
}

/** Probe every item with at most `concurrency` in flight; results come back in input order. */
export async function runProbes<T extends Probeable>(items: T[], o: RunOptions = {}): Promise<RunResult<T>[]> {
  const concurrency = Math.max(1, Math.min(MAX_CONCURRENCY, Math.floor(o.concurrency ?? DEFAULT_CONCURRENCY)));
  const results: RunResult<T>[] = new Array(items.length);
  const counts = { healthy: 0, unhealthy: 0, unknown: 0 };
  let next = 0, done = 0, running = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const item = items[i]!;
      let r: RunResult<T>;
      if (o.signal?.aborted) r = notProbed(item, 'cancelled');
      else {
        running++;
        try { r = await runOne(item, o); } finally { running--; }
      }
      o.onResult?.(r, i);
      results[i] = o.keepReports === false ? { ...r, report: null } : r;
      done++;
      if (r.health === 'Healthy') counts.healthy++; else if (r.health === 'Unhealthy') counts.unhealthy++; else counts.unknown++;
      o.onProgress?.({ done, total: items.length, running, ...counts, last: r });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** 0 all Healthy, 1 any Unhealthy, 3 any Unknown and none Unhealthy (also when nothing ran). */
export function exitForResults(results: { health: HealthStatus }[]): number {
  if (results.some((r) => r.health === 'Unhealthy')) return 1;
  if (results.length === 0 || results.some((r) => r.health === 'Unknown')) return 3;
  return 0;
}

/** Plan and probe a whole gateway: the library form of `certcheck gateway`. */
export async function checkGateway(cfg: GatewayConfig, o: PlanOptions & RunOptions = {}): Promise<{ plans: ProbePlan[]; notes: string[]; results: RunResult<ProbePlan>[] }> {
  const { plans, notes } = planGateway(cfg, o);
  return { plans, notes, results: await runProbes(plans, o) };
}
