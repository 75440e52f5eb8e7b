/**
 * Property (issue 17's loader under hostile input, as gateway-template-fuzz is for issue 16's):
 * the az-shaped network fixtures and the group export, with values replaced by random JSON, by
 * template expressions or by objects that break String() ({"toString": null}), or keys deleted, are
 * judged or refused with one InputError line — never another exception — in under a second.
 */
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGatewayNetwork } from '../../src/gateway/network/files.js';
import { judgeRowNetwork } from '../../src/gateway/network/verdict.js';
import { InputError } from '../../src/model/errors.js';
import { suiteSeed } from '../helpers/seed.js';
import { edit, paths } from '../helpers/doc-mutate.js';

const DIR = 'test/fixtures/network';
const v2 = readdirSync(`${DIR}/v2`).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(`${DIR}/v2/${f}`, 'utf8')) as unknown);
const exportDoc = JSON.parse(readFileSync(`${DIR}/export/group-export.json`, 'utf8')) as unknown;


const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom<unknown>(null, '', '*', 'Internet', 'VirtualNetwork', '0.0.0.0/0', '10.0.0.0/33', '::/0', '65200-65535', '80-', 'Deny', 'Inbound', 100, -1, 4096,
    { toString: null }, { valueOf: null, toString: null }, "[parameters('x')]", "[resourceId('Microsoft.Network/networkSecurityGroups', 'nsg')]"),
);

describe('network documents under mutation', () => {
  it('only InputError, one line, bounded time; judging a row never throws', async () => {
    const seed = suiteSeed();
    const docs = [...v2, exportDoc];
    // The unmutated az documents make a model that decides rows: the property exercises the judge too.
    const base = await loadGatewayNetwork({ doc: v2, label: 'fixtures', sku: 'v2', id: null, name: null }, []);
    expect(base?.gateway?.name).toBeTruthy();
    expect(judgeRowNetwork(base!, '10.20.1.5', 8443).findings.length + judgeRowNetwork(base!, '10.30.1.10', 443).findings.length).toBeGreaterThan(0);
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: docs.length - 1 }), fc.array(fc.tuple(fc.nat(), value, fc.boolean()), { minLength: 1, maxLength: 4 }), async (i, edits) => {
      let doc = docs[i];
      for (const [n, v, del] of edits) {
        const all = paths(doc);
        doc = edit(doc, all[n % all.length]!, v, del && all.length > 1);
      }
      // One gateway's documents: the az set (one of them mutated), or the group export alone.
      const all = i < v2.length ? v2.map((d, j) => (j === i ? doc : d)) : doc;
      const t0 = performance.now();
      try {
        const m = await loadGatewayNetwork({ doc: all, label: 'fuzz.json', sku: 'v2', id: null, name: null }, []);
        if (m) for (const [a, p] of [['10.20.1.5', 8443], ['10.30.1.10', 443], ['192.0.2.1', 80]] as const) judgeRowNetwork(m, a, p);
      } catch (e) {
        if (!(e instanceof InputError) || e.message.includes('\n')) throw e;
      }
      expect(performance.now() - t0).toBeLessThan(1000);
    }), { numRuns: 300, ...(seed !== undefined ? { seed } : {}) });
  });
});
