import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { goldenReports, type GoldenEntry } from '../helpers/golden.js';

/**
 * Issue 13 (no behaviour change): every scenario's verify and probe report, and the demo's, are the
 * ones recorded in test/golden/reports.json before the architecture moved (timings and ports aside).
 * A deliberate change of a report rewrites the file with UPDATE_GOLDEN=1 and says so in its commit.
 */
const FILE = fileURLToPath(new URL('../golden/reports.json', import.meta.url));

describe('reports are unchanged (test/golden/reports.json)', () => {
  test('every scenario (verify json + text, probe json) and the demo', { timeout: 120_000 }, async () => {
    const now = await goldenReports();
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(FILE)) {
      writeFileSync(FILE, `${JSON.stringify(now, null, 1)}\n`);
      if (process.env.UPDATE_GOLDEN !== '1') throw new Error('test/golden/reports.json was missing and has been written: commit it');
    }
    const was = JSON.parse(readFileSync(FILE, 'utf8')) as GoldenEntry[];
    expect(now.map((e) => `${e.kind} ${e.name}`)).toEqual(was.map((e) => `${e.kind} ${e.name}`));
    for (let i = 0; i < was.length; i++) expect(now[i], `${was[i]!.kind} ${was[i]!.name}`).toEqual(was[i]);
    // toEqual ignores key order; the printed JSON must keep it too.
    for (let i = 0; i < was.length; i++) expect(JSON.stringify(now[i]), `${was[i]!.kind} ${was[i]!.name}: key order`).toBe(JSON.stringify(was[i]));
  });
});
