/**
 * The fuzz properties of test/fuzz/properties.ts as part of the normal suite: a bounded number of
 * runs each (a few seconds in all). `npm run fuzz -- --seconds N [--seed S]` runs the same
 * properties for a given time instead (FUZZ_SECONDS), and a failure prints the seed to replay.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PROPERTIES, cleanupOracle, gatewayConfigProperty, oracleStats, runProperty, timedShare } from './properties.js';

const gateway = await gatewayConfigProperty();
const all = gateway ? [...PROPERTIES, gateway] : PROPERTIES;

afterAll(() => {
  cleanupOracle();
  if (process.env.FUZZ_SECONDS) console.log(`oracle: ${JSON.stringify(oracleStats)}`);
});

describe('fuzz properties', () => {
  for (const p of all) {
    const share = timedShare(p, all);
    it(p.name, async () => {
      const o = await runProperty(p, share);
      expect(o.failed, `${o.message ?? ''}\nreplay: FUZZ_SEED=${o.seed} (npm run fuzz -- --seed ${o.seed})`).toBe(false);
      expect(o.runs).toBeGreaterThan(share === undefined ? p.normalRuns - 1 : 0);
      // The oracle property must really compare Healthy verdicts, not only rejections.
      if (p.name.startsWith('judge vs openssl') && share === undefined) expect(oracleStats.healthy).toBeGreaterThan(0);
    }, share === undefined ? 20_000 : share + 60_000);
  }
});
