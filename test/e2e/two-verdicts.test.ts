/**
 * Issue 18, item 1: two verdicts, never mixed. `status`/`message` are only the gateway's verdict in
 * the gateway's words; certcheck's policy (--min-days, --profile strict) is a separate `policy`
 * part, exit status 4 when the gateway would say Healthy but the policy fails (sweeps: 4 when no
 * server is Unhealthy or Unknown and some policy failed). certcheck's own sentences are labelled
 * as certcheck's. Run through the built bin, against loopback backends.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend, type RunningBackend } from '../../src/fixtures.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'certcheck.js');
const ROOT_A = join(ROOT, 'certs', 'out', 'pki', 'root-a.pem');
const PKI = join(ROOT, 'certs', 'out', 'pki');
// leaf-a expires 2035-01-01T00:00:00Z: 9 days left at this time.
const NINE_DAYS = '2034-12-23T00:00:00Z';
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-verdicts-'));
let healthy: RunningBackend, leafOnly: RunningBackend;

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' }, timeout: 30_000 }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err });
    });
  });
}

beforeAll(async () => {
  healthy = await startBackend({ served: ['leaf-a', 'int-a'] });
  leafOnly = await startBackend({ served: ['leaf-a'] });
});
afterAll(async () => {
  await healthy.close();
  await leafOnly.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('two verdicts, never mixed (issue 18 item 1)', () => {
  it('--min-days on a backend with 9 days left: Gateway Healthy, Policy FAIL, exit 4', async () => {
    const base = [`127.0.0.1:${healthy.port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--at', NINE_DAYS, '--timeout', '5'];
    const t = await run([...base, '--min-days', '30']);
    expect(t.code).toBe(4);
    expect(t.out).toContain('\nGateway: Healthy\nGateway message: Success. Received 200 status code\n');
    expect(t.out).toContain('Policy: FAIL \u2014 certificate 0 expires in 9 days (< --min-days 30)\n');
    // The warning is still there, as a warning, never as the gateway's message.
    expect(t.out).toMatch(/WARNING CERT_EXPIRES_SOON \[cert 0\]/);
    expect(t.out).not.toMatch(/Gateway message: Certificate 0/);

    const j = await run([...base, '--min-days', '30', '--json']);
    expect(j.code).toBe(4);
    const r = JSON.parse(j.out);
    expect(r).toMatchObject({ status: 'Healthy', ok: false, messageId: 'OK', messageSource: 'gateway', message: 'Success. Received 200 status code', primary: null });
    expect(r.policy).toEqual({
      ok: false,
      checks: [{ check: 'min-days', threshold: 30 }],
      failures: [expect.objectContaining({ check: 'min-days', code: 'CERT_EXPIRES_SOON', threshold: 30, certIndex: 0, summary: 'certificate 0 expires in 9 days (< --min-days 30)', evidence: expect.objectContaining({ daysLeft: 9, threshold: 30 }) })],
    });

    // Within the threshold: the policy passes and says so; exit 0.
    const pass = await run([...base, '--min-days', '5']);
    expect(pass.code).toBe(0);
    expect(pass.out).toContain('Policy: pass (--min-days 5)\n');
    // No policy asked: no Policy line at all.
    const none = await run(base);
    expect(none.code).toBe(0);
    expect(none.out).not.toContain('Policy:');
  });

  it('an Unhealthy backend stays exit 1 whatever the policy says; JUnit and the summary line label the policy as ours', async () => {
    const bad = await run([`127.0.0.1:${leafOnly.port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--at', NINE_DAYS, '--timeout', '5', '--min-days', '30', '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ status: 'Unhealthy', messageSource: 'gateway', policy: { ok: false } });
    const out = join(tmp, 'r.xml');
    const ju = await run([`127.0.0.1:${healthy.port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--at', NINE_DAYS, '--timeout', '5', '--min-days', '30', '--format', 'junit', '--output', out]);
    expect(ju.code).toBe(4);
    expect(ju.out).toMatch(/: Healthy: Success\. Received 200 status code; certcheck policy FAIL: certificate 0 expires in 9 days \(< --min-days 30\) \(junit report written to /);
  });

  it('--profile strict: the strict validator is policy; the gateway verdict is the gateway walk\'s', async () => {
    const v = await run(['verify', join(PKI, 'leaf-a.pem'), join(PKI, 'int-a.pem'), '--host', 'backend.test', '--trusted-root', ROOT_A, '--at', '2030-06-01T00:00:00Z', '--profile', 'strict']);
    expect(v.code).toBe(4);
    expect(v.out).toContain('\nGateway: Healthy\n');
    expect(v.out).toMatch(/\nPolicy: FAIL \u2014 strict profile rejects: STRICT_VIOLATION \[cert 0\]: .*validity of 3652 days/);
  });

  it('certcheck\'s own sentences are labelled as certcheck\'s, never as the gateway\'s', async () => {
    const v = await run(['verify', join(PKI, 'leaf-a.pem'), join(PKI, 'int-a.pem'), '--host', 'backend.test', '--trusted-root', ROOT_A, '--at', '2030-06-01T00:00:00Z']);
    expect(v.code).toBe(0);
    expect(v.out).toContain('\nGateway: Healthy\ncertcheck: The certificate checks pass: the gateway would go on to send the HTTP probe.\n');
    expect(v.out).not.toContain('Gateway message:');
    // The depth limit: Unknown, and the sentence is ours (the gateway's words are not known).
    const deep = await run(['verify', join(ROOT, 'certs', 'out', 'hostile', 'deep.pem'), '--trusted-root', ROOT_A, '--at', '2030-06-01T00:00:00Z', '--json']);
    expect(deep.code).toBe(3);
    expect(JSON.parse(deep.out)).toMatchObject({ status: 'Unknown', messageId: null, messageSource: 'certcheck' });
  });

  it('sweeps: exit 4 when no server is Unhealthy or Unknown and some policy failed; the text says so', async () => {
    const one = join(tmp, 'one.txt');
    writeFileSync(one, `127.0.0.1:${healthy.port} backend.test\n`);
    const both = join(tmp, 'both.txt');
    writeFileSync(both, `127.0.0.1:${healthy.port} backend.test\n127.0.0.1:${leafOnly.port} backend.test\n`);
    const base = ['--trusted-root', ROOT_A, '--at', NINE_DAYS, '--timeout', '5', '--min-days', '30'];
    const four = await run(['targets', one, ...base]);
    expect(four.code).toBe(4);
    expect(four.out).toContain('1 server(s): 1 Healthy, 0 Unhealthy, 0 Unknown; certcheck policy FAIL for 1');
    const jl = await run(['targets', one, ...base, '--format', 'jsonl']);
    expect(jl.code).toBe(4);
    const lines = jl.out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ health: 'Healthy', policy: { ok: false } });
    expect(lines[1].summary).toMatchObject({ total: 1, healthy: 1, policyFailed: 1 });
    const one1 = await run(['targets', both, ...base]);
    expect(one1.code).toBe(1);
    // The Healthy row says its policy failed, labelled as ours; the tally counts it apart; --quiet lists it.
    expect(four.out).toMatch(/Healthy +\u26a0 expires in 9 days; .*\u26a0 policy FAIL: certificate 0 expires in 9 days \(< --min-days 30\)/);
    expect(four.out).toMatch(/\n +1 \u00d7 policy:min-days\n/);
    const quiet = await run(['targets', one, ...base, '--quiet']);
    expect(quiet.code).toBe(4);
    expect(quiet.out).toMatch(/Healthy +\u26a0 .*\u26a0 policy FAIL: certificate 0/);
  });
});

describe('a sweep row labels certcheck\'s own sentence (issue 18 item 1)', () => {
  it('the Details of a row whose message is certcheck\'s start with "certcheck: "', async () => {
    const { readFileSync } = await import('node:fs');
    const { verifyChain } = await import('../../src/verify.js');
    const { runProbes } = await import('../../src/sweep.js');
    // The depth limit: Unknown in certcheck's words (the gateway's are not known).
    const deep = await verifyChain({ leaf: readFileSync(join(ROOT, 'certs', 'out', 'hostile', 'deep.pem'), 'utf8'), trustedRoots: [readFileSync(ROOT_A, 'utf8')], at: new Date('2030-06-01T00:00:00Z') });
    expect(deep.messageSource).toBe('certcheck');
    const [r] = await runProbes([{ options: { target: '127.0.0.1:1' } }], { probe: async () => deep });
    expect(r!.health).toBe('Unknown');
    expect(r!.healthProbeLog).toBe(`certcheck: ${deep.message}`);
  });
});
