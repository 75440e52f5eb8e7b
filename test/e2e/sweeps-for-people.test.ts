/**
 * Issue 18 item 2, "sweeps for people", through the CLI (`gateway` and `targets`): a Healthy
 * row shows its warnings in a few words, the text ends with a closing tally grouped by gateway
 * message and finding (also in the JSON summaries), `--quiet` lists only what is not Healthy, and
 * Ctrl-C prints the results so far with the tally and exits 130 (the built bin, a real SIGINT).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { closedPort, startBackend, type RunningBackend } from '../../src/fixtures.js';
import { loopbackGatewayFile } from '../helpers/loopback-gateway.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'certcheck.js');
const ROOT_A = join(ROOT, 'certs', 'out', 'pki', 'root-a.pem');
const WARN = '\u26a0';
const TIMES = '\u00d7';
// leaf-a expires 2035-01-01: checked 9 days before, it is Healthy with CERT_EXPIRES_SOON.
const AT = ['--at', '2034-12-23T00:00:00Z'];
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-sweeps-'));

let healthy: RunningBackend, leafOnly: RunningBackend, closed: number;
// Accepts TCP and never answers: a probe of it waits for its whole timeout.
const hangSockets = new Set<net.Socket>();
let hangAccepted = 0;
const hang = net.createServer((s) => { hangAccepted++; hangSockets.add(s); s.on('error', () => undefined); s.on('close', () => hangSockets.delete(s)); });

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
for (const f of readdirSync(join(ROOT, 'schema')).filter((n) => n.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(join(ROOT, 'schema', f), 'utf8')) as object);
function validates(id: string, doc: unknown): void {
  const v = ajv.getSchema(id)!;
  const ok = v(doc);
  expect(ok ? [] : ajv.errorsText(v.errors, { separator: '\n' }).split('\n').slice(0, 10), id).toEqual([]);
}

beforeAll(async () => {
  healthy = await startBackend({ served: ['leaf-a', 'int-a'] });
  leafOnly = await startBackend({ served: ['leaf-a'] });
  closed = await closedPort();
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', () => r()));
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) {
    await new Promise<void>((ok, fail) => execFile('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 }, (e, out, err) => (e ? fail(new Error(`${out}${err}`)) : ok())));
  }
}, 120_000);

afterAll(async () => {
  await healthy.close();
  await leafOnly.close();
  for (const s of hangSockets) s.destroy();
  await new Promise<void>((r) => hang.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false });
  return { code, out, err };
}

/** Two Healthy targets with warnings, one Unhealthy for its chain (M8), one refused (M3). */
function targetsFile(): string {
  const f = join(tmp, 'targets.txt');
  writeFileSync(f, `127.0.0.1:${healthy.port} backend.test\n127.0.0.1:${healthy.port} backend.test\n127.0.0.1:${leafOnly.port} backend.test\n127.0.0.1:${closed}\n`);
  return f;
}
const targets = (...more: string[]) => ['targets', targetsFile(), '--trusted-root', ROOT_A, '--timeout', '5', ...AT, ...more];

const gatewayFile = () => loopbackGatewayFile(tmp, [healthy.port, leafOnly.port, closed], healthy.port);
const gateway = (...more: string[]) => ['gateway', gatewayFile(), '--resolve', 'backend.test=127.0.0.1', '--timeout-cap', '5', ...AT, ...more];

/** The lines after the last "Tally:" line, the tally's groups. */
function tallyOf(out: string): { head: string; groups: string[] } {
  const lines = out.trimEnd().split('\n');
  const at = lines.map((l) => l.startsWith('Tally:')).lastIndexOf(true);
  expect(at, out).toBeGreaterThan(-1);
  const groups = lines.slice(at + 1);
  // The tally closes the output: nothing but its groups follows it.
  for (const g of groups) expect(g).toMatch(new RegExp(`^ +\\d+ ${TIMES} \\S`));
  return { head: lines[at]!, groups: groups.map((g) => g.trim()) };
}

describe('warnings on each row', () => {
  it('targets: a Healthy row with warnings shows them in a few words; an Unhealthy row keeps the gateway message', async () => {
    const r = await cli(targets());
    expect(r.code).toBe(1);
    const rows = r.out.split('\n').filter((l) => l.startsWith(`127.0.0.1:${healthy.port}`));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      // The issue's own row: the expiry first, right after the health.
      expect(row).toMatch(new RegExp(`Healthy +${WARN} expires in 9 days; `));
      expect(row).toContain(`${WARN} expires in 9 days`);
      expect(row).toContain(`${WARN} strict: valid 3652 days (> 398)`);
      expect(row).not.toContain('Success. Received');
    }
    expect(r.out).toMatch(new RegExp(`127\\.0\\.0\\.1:${leafOnly.port} \\(SNI backend\\.test\\) +Unhealthy +The Intermediate certificate is missing`));
    expect(r.out).toContain('CHAIN_ONLY_LEAF: The backend sent only its server');
  });

  it('gateway: the same marks in the Backend Health view', async () => {
    const r = await cli(gateway());
    expect(r.code).toBe(1);
    // The expiry leads the row; the strict profile's advisory comes last.
    expect(r.out).toMatch(new RegExp(`\\n  backend\\.test +Healthy +${WARN} expires in 9 days; ${WARN} strict: valid 3652 days \\(> 398\\)\\n`));
    expect(r.out).toMatch(/\n {2}backend\.test +Unhealthy +The Intermediate certificate is missing/);
  });

  it('an info finding is no mark: a Healthy row without warnings shows the gateway\'s words', async () => {
    // At 2030 the leaf has years left: only the strict warning remains, and no expiry mark.
    const r = await cli(['targets', targetsFile(), '--trusted-root', ROOT_A, '--timeout', '5', '--at', '2030-06-01T00:00:00Z']);
    expect(r.out).not.toContain('expires in');
    expect(r.out).not.toContain('root not sent');
  });
});

describe('the closing tally', () => {
  it('targets text ends with the counts again and the groups, largest first', async () => {
    const r = await cli(targets());
    const t = tallyOf(r.out);
    expect(t.head).toBe('Tally: 4 server(s): 2 Healthy, 2 Unhealthy, 0 Unknown (2 Healthy with warnings)');
    expect(t.groups).toEqual([`2 ${TIMES} CERT_EXPIRES_SOON`, `2 ${TIMES} STRICT_VIOLATION`, `1 ${TIMES} M3 (TCP_REFUSED)`, `1 ${TIMES} M8 (CHAIN_ONLY_LEAF)`]);
    // The counts stay at the top too.
    expect(r.out.split('\n')[0]).toMatch(/^4 server\(s\): 2 Healthy, 2 Unhealthy, 0 Unknown; /);
  });

  it('gateway text ends with the tally, sorted by count', async () => {
    const r = await cli(gateway());
    const t = tallyOf(r.out);
    expect(t.head).toMatch(/^Tally: 22 server\(s\): 6 Healthy, 16 Unhealthy, 0 Unknown \(6 Healthy with warnings\)$/);
    const counts = t.groups.map((g) => Number(g.split(' ')[0]));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(16);
    expect(t.groups).toContain(`6 ${TIMES} M8 (CHAIN_ONLY_LEAF)`);
    expect(t.groups).toContain(`4 ${TIMES} CERT_EXPIRES_SOON`);
  });

  it('json and jsonl summaries carry the groups (and validate)', async () => {
    const j = await cli(targets('--format', 'json'));
    const doc = JSON.parse(j.out) as { summary: { groups: unknown[]; interrupted?: unknown } };
    validates('urn:certcheck:schema:targets:1', doc);
    expect(doc.summary.groups).toEqual([
      { health: 'Healthy', messageId: null, code: 'CERT_EXPIRES_SOON', count: 2 },
      { health: 'Healthy', messageId: null, code: 'STRICT_VIOLATION', count: 2 },
      { health: 'Unhealthy', messageId: 'M3', code: 'TCP_REFUSED', count: 1 },
      { health: 'Unhealthy', messageId: 'M8', code: 'CHAIN_ONLY_LEAF', count: 1 },
    ]);
    expect(doc.summary.interrupted).toBeUndefined();
    const l = await cli(targets('--format', 'jsonl'));
    const summary = JSON.parse(l.out.trim().split('\n').at(-1)!) as { summary: { groups: unknown[] } };
    validates('urn:certcheck:schema:jsonl:1', summary);
    expect(summary.summary.groups).toEqual(doc.summary.groups);
    const g = await cli(gateway('--format', 'json'));
    const gdoc = JSON.parse(g.out) as { summary: { groups: { count: number }[] } };
    validates('urn:certcheck:schema:gateway:1', gdoc);
    expect(gdoc.summary.groups.length).toBeGreaterThan(2);
  });
});

describe('--quiet', () => {
  it('targets: only the rows that are not Healthy, then the tally', async () => {
    const r = await cli(targets('--quiet'));
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('Healthy    ');
    expect(r.out).not.toContain(`127.0.0.1:${healthy.port}`);
    expect(r.out).toContain(`127.0.0.1:${leafOnly.port} (SNI backend.test)`);
    expect(r.out).toContain(`127.0.0.1:${closed} `);
    // No header: the first line is the table's.
    expect(r.out.split('\n')[0]).toMatch(/^SERVER +HEALTH +DETAILS$/);
    expect(tallyOf(r.out).groups).toHaveLength(4);
  });

  it('-q with everything Healthy prints the tally alone', async () => {
    const f = join(tmp, 'ok.txt');
    writeFileSync(f, `127.0.0.1:${healthy.port} backend.test\n`);
    const r = await cli(['targets', f, '--trusted-root', ROOT_A, '--timeout', '5', ...AT, '-q']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`Tally: 1 server(s): 1 Healthy, 0 Unhealthy, 0 Unknown (1 Healthy with warnings)\n  1 ${TIMES} CERT_EXPIRES_SOON\n  1 ${TIMES} STRICT_VIOLATION\n`);
  });

  it('gateway: the failing servers under their pool and setting, no Healthy row, then the tally', async () => {
    const r = await cli(gateway('--quiet'));
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('Backend health of');
    expect(r.out).not.toMatch(/^ +\S+ +Healthy +/m);
    expect(r.out).not.toContain('setting bes-port ');
    expect(r.out).toContain('setting bes-override ');
    expect(tallyOf(r.out).head).toMatch(/^Tally: 22 server\(s\)/);
  });
});

interface Ended { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

/**
 * Runs the built bin, waits until the loopback "hang" server holds `hung` more connections, sends
 * SIGINT (`times` of them), and collects the end. With `--concurrency 2` and the healthy targets
 * first, a hang target starts only when a healthy one has finished and been handed over.
 */
async function interrupt(args: string[], hung: number, times = 1): Promise<Ended> {
  const before = hangAccepted;
  const t0 = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
  const ended = new Promise<Ended>((r) => child.once('close', (code, signal) => r({ code, signal, stdout, stderr, ms: Date.now() - t0 })));
  const deadline = Date.now() + 10_000;
  while (hangAccepted - before < hung) {
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`the sweep never reached the hanging targets\n${stderr}`); }
    await new Promise((r) => setTimeout(r, 10));
  }
  for (let i = 0; i < times; i++) child.kill('SIGINT');
  return ended;
}

describe('Ctrl-C during a sweep (the built bin, a real SIGINT)', () => {
  /** Three Healthy targets, then two that hang, then two that are never started. */
  function hangFile(): string {
    const f = join(tmp, 'hang.txt');
    const hangPort = (hang.address() as net.AddressInfo).port;
    const ok = `127.0.0.1:${healthy.port} backend.test`;
    writeFileSync(f, [ok, ok, ok, `127.0.0.1:${hangPort}`, `127.0.0.1:${hangPort}`, ok, ok].join('\n'));
    return f;
  }
  const base = () => ['targets', hangFile(), '--trusted-root', ROOT_A, '--timeout', '30', '--concurrency', '2', ...AT];

  it('text: the results so far, marked interrupted, the tally, exit 130, at once', async () => {
    const end = await interrupt(base(), 2);
    expect(end.signal).toBeNull();
    expect(end.code, end.stderr).toBe(130);
    // Not the 30 s the hanging probes would take.
    expect(end.ms).toBeLessThan(5000);
    const rows = end.stdout.split('\n').filter((l) => l.startsWith('127.0.0.1:'));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(new RegExp(`^127\\.0\\.0\\.1:${healthy.port} \\(SNI backend\\.test\\) +Healthy +${WARN} `));
    expect(end.stdout.split('\n')[0]).toMatch(/^3 server\(s\): 3 Healthy, 0 Unhealthy, 0 Unknown; .*; interrupted after 3 of 7$/);
    expect(end.stdout).toContain('Interrupted after 3 of 7 server(s): the rest were not probed.');
    const t = tallyOf(end.stdout);
    expect(t.head).toBe('Tally: 3 server(s): 3 Healthy, 0 Unhealthy, 0 Unknown (3 Healthy with warnings)');
    expect(t.groups).toEqual([`3 ${TIMES} CERT_EXPIRES_SOON`, `3 ${TIMES} STRICT_VIOLATION`]);
  }, 20_000);

  it('a second Ctrl-C still ends with 130', async () => {
    const end = await interrupt(base(), 2, 2);
    expect(end.signal).toBeNull();
    expect(end.code).toBe(130);
    expect(end.ms).toBeLessThan(5000);
  }, 20_000);

  it('jsonl: the lines already streamed, then a summary marked interrupted (valid), exit 130', async () => {
    const end = await interrupt([...base(), '--format', 'jsonl'], 2);
    expect(end.code, end.stderr).toBe(130);
    const lines = end.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) validates('urn:certcheck:schema:jsonl:1', l);
    expect(lines.filter((l) => 'line' in l)).toHaveLength(3);
    const { summary } = lines.at(-1) as { summary: { total: number; interrupted: unknown; groups: { code: string; count: number }[] } };
    expect(summary.total).toBe(3);
    expect(summary.interrupted).toEqual({ done: 3, total: 7 });
    expect(summary.groups.map((g) => `${g.count} ${g.code}`)).toEqual(['3 CERT_EXPIRES_SOON', '3 STRICT_VIOLATION']);
  }, 20_000);

  it('json: the document so far, its summary marked interrupted (valid), exit 130', async () => {
    const end = await interrupt([...base(), '--format', 'json'], 2);
    expect(end.code, end.stderr).toBe(130);
    const doc = JSON.parse(end.stdout) as { summary: { interrupted: unknown }; targets: unknown[] };
    validates('urn:certcheck:schema:targets:1', doc);
    expect(doc.targets).toHaveLength(3);
    expect(doc.summary.interrupted).toEqual({ done: 3, total: 7 });
  }, 20_000);

  it('github: the annotations so far and one saying how far it got, exit 130', async () => {
    const end = await interrupt([...base(), '--format', 'github'], 2);
    expect(end.code, end.stderr).toBe(130);
    expect(end.stdout.trimEnd().split('\n').at(-1)).toBe('::warning title=certcheck::interrupted after 3 of 7 server(s): 3 Healthy, 0 Unhealthy, 0 Unknown');
  }, 20_000);

  it('junit: the cases so far, the suite\'s properties say it was interrupted, exit 130', async () => {
    const end = await interrupt([...base(), '--format', 'junit'], 2);
    expect(end.code, end.stderr).toBe(130);
    expect(end.stdout.match(/<testcase /g)).toHaveLength(3);
    expect(end.stdout).toContain('<property name="certcheck.interrupted" value="3 of 7 server(s) came back; the rest were not probed (Ctrl-C)"/>');
  }, 20_000);

  it('--output: the old file stays (a reader sees a whole sweep or the previous one), stdout says how far it got', async () => {
    const out = join(tmp, 'out.jsonl');
    writeFileSync(out, 'previous run\n');
    const end = await interrupt([...base(), '--format', 'jsonl', '--output', out], 2);
    expect(end.code, end.stderr).toBe(130);
    expect(readFileSync(out, 'utf8')).toBe('previous run\n');
    expect(readdirSync(tmp).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(end.stdout).toBe(`certcheck: interrupted after 3 of 7 server(s): 3 Healthy, 0 Unhealthy, 0 Unknown; ${out} left as it was\n`);
  }, 20_000);
});
