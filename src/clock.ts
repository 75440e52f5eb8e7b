/**
 * Milliseconds on a monotonic clock, for measuring stages (only differences mean anything).
 * `performance.now()` would do, but the first touch of the `performance` global loads perf_hooks
 * and ten more internal modules, about 0.7 ms of every cold run.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
