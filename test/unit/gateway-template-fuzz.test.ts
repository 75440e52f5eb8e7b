/**
 * Property: mutated templates (the real ones, the az bicep build fixture) and mutated terraform
 * show -json documents — values replaced by random JSON or by random template expressions, keys
 * deleted — are read or refused with one InputError line, never another exception, in under a second.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../src/gateway/config.js';
import { planGateway } from '../../src/gateway/plan.js';
import { InputError } from '../../src/model/errors.js';
import { suiteSeed } from '../helpers/seed.js';
import { edit, paths } from '../helpers/doc-mutate.js';

const SEEDS = [
  'test/fixtures/realworld/qs-application-gateway-probe.json',
  'test/fixtures/realworld/qs-application-gateway-webapps.json',
  'test/fixtures/realworld/agic-deploy-azuredeploy.json',
  'test/fixtures/gateway/bicep-build.json',
  'test/fixtures/gateway/terraform/v2-state.json',
  'test/fixtures/gateway/terraform/v1-plan.json',
].map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown);


const FNS = ['parameters', 'variables', 'concat', 'format', 'resourceId', 'reference', 'copyIndex', 'if', 'equals', 'length', 'split', 'replace', 'uniqueString', 'guid', 'int', 'bool', 'string', 'json', 'listKeys', 'substring', 'take', 'union', 'createArray', 'createObject', 'nope'];
const arg = fc.oneof(fc.constantFrom("'a'", "'backend1'", "'probeHost'", '1', '-1', '800', 'true', "'{\"a\":1}'", "'applicationGatewayName'"), fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/'/g, "''")}'`));
const expr = fc.tuple(fc.constantFrom(...FNS), fc.array(arg, { maxLength: 3 }), fc.constantFrom('', '.x', '[0]', '.name')).map(([f, a, tail]) => `[${f}(${a.join(', ')})${tail}]`);
const value = fc.oneof(expr, fc.jsonValue({ maxDepth: 2 }), fc.constantFrom<unknown>(null, '', '****', 'Https', '10.0.0.1', 'a.b', { copy: [{ name: 'x', count: 3, input: "[copyIndex('x')]" }] }));

describe('template and terraform reading under mutation', () => {
  it('only InputError, one line, bounded time', async () => {
    const seed = suiteSeed();
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: SEEDS.length - 1 }), fc.array(fc.tuple(fc.nat(), value, fc.boolean()), { minLength: 1, maxLength: 4 }), async (i, edits) => {
      let doc = SEEDS[i];
      for (const [n, v, del] of edits) {
        const all = paths(doc);
        doc = edit(doc, all[n % all.length]!, v, del && all.length > 1);
      }
      const t0 = performance.now();
      try {
        const cfg = await parseGatewayConfig(doc, 'fuzz.json');
        planGateway(cfg, { allPairs: true });
      } catch (e) {
        if (!(e instanceof InputError) || e.message.includes('\n')) throw e;
      }
      expect(performance.now() - t0).toBeLessThan(1000);
    }), { numRuns: 300, ...(seed !== undefined ? { seed } : {}) });
  });
});
