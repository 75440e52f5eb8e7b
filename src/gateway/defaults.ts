/** Probes in flight at once in a sweep: enough for a laptop, far below the 2,000 handshakes/s ceiling. */
export const DEFAULT_CONCURRENCY = 16;
