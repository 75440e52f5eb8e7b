/**
 * Issue 19: the composite GitHub Action (action.yml) runs action/run.mjs with the inputs as INPUT_*
 * variables. These tests run that script exactly as the action's step does (built bin, a loopback
 * backend, files of the test PKI) and check the inputs in action.yml all reach it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from '../../src/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PKI = join(ROOT, 'certs', 'out', 'pki');
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-action-'));
let backend: RunningBackend;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) {
    await new Promise<void>((resolve, reject) => execFile('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 }, (e, o, r) => (e ? reject(new Error(`${o}${r}`)) : resolve())));
  }
  backend = await startBackend({ served: ['leaf-a'] });
}, 120_000);
afterAll(async () => { await backend?.close(); rmSync(tmp, { recursive: true, force: true }); });

interface Run { code: number; stdout: string; stderr: string; output: string }
let n = 0;
function action(inputs: Record<string, string>, extra: string[] = []): Promise<Run> {
  const out = join(tmp, `github-output-${n++}`);
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', NO_COLOR: '1', GITHUB_OUTPUT: out };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'action', 'run.mjs'), ...extra], { cwd: tmp, env, timeout: 30_000 }, (e, stdout, stderr) => resolve({
      code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr, output: existsSync(out) ? readFileSync(out, 'utf8') : '',
    }));
  });
}

describe('the GitHub Action', () => {
  it('passes every input declared in action.yml to the script', () => {
    const yml = readFileSync(join(ROOT, 'action.yml'), 'utf8');
    const inputs = [...yml.split(/^outputs:/m)[0]!.matchAll(/^ {2}([a-z-]+):\s*$/gm)].map((m) => m[1]!);
    expect(inputs.length).toBeGreaterThan(5);
    for (const i of inputs) expect(yml, i).toContain(`INPUT_${i.toUpperCase().replace(/-/g, '_')}: \${{ inputs.${i} }}`);
    expect(yml).toContain('node "$GITHUB_ACTION_PATH/action/run.mjs"');
  });

  it('verify mode: Healthy chain files, exit 0, exit-code output set', async () => {
    const r = await action({ verify: `${join(PKI, 'leaf-a.pem')}\n${join(PKI, 'int-a.pem')}`, sni: 'backend.test', 'trusted-roots': join(PKI, 'root-a.pem'), args: '--at 2030-06-01T00:00:00Z' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.output).toBe('exit-code=0\n');
  });

  it('verify mode with min-days: the gateway says Healthy, certcheck\'s policy fails the job (exit 4, an error annotation labelled as our policy)', async () => {
    const r = await action({ verify: `${join(PKI, 'leaf-a.pem')}\n${join(PKI, 'int-a.pem')}`, sni: 'backend.test', 'trusted-roots': join(PKI, 'root-a.pem'), 'min-days': '3650', format: 'github', args: '--at 2030-06-01T00:00:00Z' });
    expect(r.code).toBe(4);
    expect(r.output).toBe('exit-code=4\n');
    expect(r.stdout).toMatch(/^::error title=.*Healthy \(gateway\)%2C certcheck policy FAIL::/m);
  });

  it('target mode: a backend missing its intermediate is an ::error annotation and exit 1', async () => {
    const r = await action({ target: `127.0.0.1:${backend.port}`, sni: 'backend.test', 'trusted-roots': join(PKI, 'root-a.pem'), args: '--timeout 10' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error /m);
    expect(r.output).toBe('exit-code=1\n');
  });

  it('builds the command line from the inputs (quoted args kept whole)', async () => {
    const r = await action({ config: 'agw.json', 'min-days': '30', format: 'junit', output: 'out.xml', args: '--pool "pool a" --plan' }, ['--print-args']);
    expect(JSON.parse(r.stdout)).toEqual(['gateway', 'agw.json', '--min-days', '30', '--format', 'junit', '--output', 'out.xml', '--pool', 'pool a', '--plan']);
  });

  it('no target, config or verify: a one-line usage error, exit 2', async () => {
    const r = await action({});
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('certcheck action: give exactly one of the inputs target, config or verify (got none)\n');
  });
});
