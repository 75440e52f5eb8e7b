/**
 * Issue 18, item 7: a schema for every JSON output under schema/ — the single report
 * (report.schema.json), a gateway sweep (gateway.schema.json), its --plan (gateway-plan.schema.json),
 * a targets sweep (targets.schema.json), each jsonl line kind (jsonl.schema.json), and bundle,
 * export-root and demo --json (bundle / export-root / demo.schema.json) — validated
 * here with a real JSON Schema validator (Ajv, draft 2020-12) against what the CLI prints for
 * loopback backends, healthy and failing.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { closedPort, startBackend, type RunningBackend } from '../../src/fixtures.js';
import { loopbackGatewayFile } from '../helpers/loopback-gateway.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA = join(ROOT, 'schema');
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-schemas-'));
const backends: RunningBackend[] = [];
let healthy: RunningBackend, leafOnly: RunningBackend, closed: number;

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
for (const f of readdirSync(SCHEMA).filter((n) => n.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA, f), 'utf8')) as object);
function check(id: string, doc: unknown): void {
  const validate = ajv.getSchema(id)!;
  expect(validate, id).toBeTypeOf('function');
  const ok = validate(doc);
  expect(ok ? [] : ajv.errorsText(validate.errors, { separator: '\n' }).split('\n').slice(0, 10), id).toEqual([]);
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false });
  return { code, out, err };
}

beforeAll(async () => {
  healthy = await startBackend({ served: ['leaf-a', 'int-a'] });
  leafOnly = await startBackend({ served: ['leaf-a'] });
  backends.push(healthy, leafOnly);
  closed = await closedPort();
});
afterAll(async () => { for (const b of backends) await b.close(); rmSync(tmp, { recursive: true, force: true }); });

const ROOT_A = join(ROOT, 'certs', 'out', 'pki', 'root-a.pem');

const gatewayFile = () => loopbackGatewayFile(tmp, [healthy.port, leafOnly.port, closed], healthy.port);

describe('every JSON output validates against its schema (Ajv, draft 2020-12)', () => {
  it('the single report: verify and probe, healthy and not', async () => {
    const v = await cli(['verify', join(ROOT, 'certs/out/pki/leaf-a.pem'), '--host', 'backend.test', '--trusted-root', ROOT_A, '--at', '2030-06-01T00:00:00Z', '--json']);
    check('urn:certcheck:schema:report:1', JSON.parse(v.out));
    // certcheck's policy failing beside the gateway's verdict (issue 18 item 1): both kinds of check.
    const pol = await cli(['verify', join(ROOT, 'certs/out/pki/leaf-a.pem'), join(ROOT, 'certs/out/pki/int-a.pem'), '--host', 'backend.test', '--trusted-root', ROOT_A, '--at', '2030-06-01T00:00:00Z', '--min-days', '3650', '--profile', 'strict', '--json']);
    const polDoc = JSON.parse(pol.out) as { status: string; policy: { failures: { check: string }[] } };
    expect(pol.code).toBe(4);
    expect(polDoc.status).toBe('Healthy');
    expect(new Set(polDoc.policy.failures.map((f) => f.check))).toEqual(new Set(['min-days', 'strict']));
    check('urn:certcheck:schema:report:1', polDoc);
    for (const port of [healthy.port, leafOnly.port, closed]) {
      const p = await cli([`127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--timeout', '5', '--json']);
      check('urn:certcheck:schema:report:1', JSON.parse(p.out));
    }
  });

  it('gateway: the sweep and --plan', { timeout: 60_000 }, async () => {
    const f = gatewayFile();
    const g = await cli(['gateway', f, '--resolve', 'backend.test=127.0.0.1', '--timeout-cap', '5', '--format', 'json']);
    expect(g.err).toBe('');
    const doc = JSON.parse(g.out) as { backendAddressPools: unknown[] };
    expect(doc.backendAddressPools.length).toBeGreaterThan(0);
    check('urn:certcheck:schema:gateway:1', doc);
    const p = await cli(['gateway', f, '--plan', '--format', 'json']);
    check('urn:certcheck:schema:gateway-plan:1', JSON.parse(p.out));
  });

  it('targets and every jsonl line kind (gateway server, target, summary)', { timeout: 60_000 }, async () => {
    const tf = join(tmp, 'targets.txt');
    writeFileSync(tf, `127.0.0.1:${healthy.port} backend.test\n127.0.0.1:${leafOnly.port} backend.test\n127.0.0.1:${closed}\n`);
    const t = await cli(['targets', tf, '--trusted-root', ROOT_A, '--timeout', '5', '--format', 'json', '--min-days', '3650']);
    check('urn:certcheck:schema:targets:1', JSON.parse(t.out));
    const tl = await cli(['targets', tf, '--trusted-root', ROOT_A, '--timeout', '5', '--format', 'jsonl', '--profile', 'strict']);
    const gl = await cli(['gateway', gatewayFile(), '--resolve', 'backend.test=127.0.0.1', '--timeout-cap', '5', '--format', 'jsonl']);
    const lines = [...tl.out.trim().split('\n'), ...gl.out.trim().split('\n')].map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => 'summary' in l)).toHaveLength(2);
    expect(lines.some((l) => 'pool' in l)).toBe(true);
    expect(lines.some((l) => 'line' in l)).toBe(true);
    for (const l of lines) check('urn:certcheck:schema:jsonl:1', l);
    expect(lines.some((l) => (l.policy as { ok: boolean } | null)?.ok === false)).toBe(true);
  });

  it('bundle, export-root and demo --json', { timeout: 60_000 }, async () => {
    const pki = (n: string) => join(ROOT, 'certs', 'out', 'pki', `${n}.pem`);
    const cas = join(tmp, 'cas');
    mkdirSync(cas, { recursive: true });
    for (const n of ['int-a', 'root-a']) copyFileSync(pki(n), join(cas, `${n}.pem`));
    const complete = await cli(['bundle', pki('leaf-a'), '--intermediates', cas, '--include-root', '--json']);
    const partial = await cli(['bundle', pki('leaf-b'), '--json']);
    const live = await cli(['bundle', `127.0.0.1:${leafOnly.port}`, '--intermediates', cas, '--json', '--output', join(tmp, 'b.pem')]);
    expect([complete.code, partial.code, live.code]).toEqual([0, 1, 0]);
    for (const r of [complete, partial, live]) check('urn:certcheck:schema:bundle:1', JSON.parse(r.out));
    const chain = join(tmp, 'chain.pem');
    writeFileSync(chain, readFileSync(pki('leaf-a'), 'utf8') + readFileSync(pki('int-a'), 'utf8'));
    const found = await cli(['export-root', chain, '--trusted-root', ROOT_A, '--json', '--output', join(tmp, 'root.cer')]);
    const sent = await cli(['export-root', `127.0.0.1:${healthy.port}`, '--trusted-root', ROOT_A, '--json']);
    const none = await cli(['export-root', chain, '--json']);
    expect([found.code, sent.code, none.code]).toEqual([0, 0, 1]);
    for (const r of [found, sent, none]) check('urn:certcheck:schema:export-root:1', JSON.parse(r.out));
    const demo = await cli(['demo', '--json']);
    check('urn:certcheck:schema:demo:1', JSON.parse(demo.out));
    for (const shell of ['bash', 'zsh', 'fish']) {
      const c = await cli(['completion', shell, '--json']);
      const doc = JSON.parse(c.out) as { script: string };
      check('urn:certcheck:schema:completion:1', doc);
      expect(doc.script).toBe((await cli(['completion', shell])).out);
    }
  });

  it('the schemas are strict: a field no output has is refused', () => {
    check('urn:certcheck:schema:jsonl:1', { summary: { total: 0, healthy: 0, unhealthy: 0, unknown: 0, policyFailed: 0, elapsedMs: 0, concurrency: 1, groups: [], notes: [] } });
    const validate = ajv.getSchema('urn:certcheck:schema:jsonl:1')!;
    expect(validate({ summary: { total: 0, healthy: 0, unhealthy: 0, unknown: 0, policyFailed: 0, elapsedMs: 0, concurrency: 1, groups: [], notes: [] }, extra: 1 })).toBe(false);
  });
});
