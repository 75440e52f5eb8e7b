/**
 * The CLI end to end: `main(argv, io)` in-process with a capturing io (no TTY, env {}), covering
 * exit codes 0/1/2, one-line input errors, --json, the probe against loopback backends, the demo
 * and NO_COLOR; plus one spawn of the real bin to prove the package entry point works.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { startBackend } from '../../src/fixtures.js';
import type { Report } from '../../src/model/report.js';
import { VERSION } from '../../src/version.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKI = join(ROOT, 'certs/out/pki');
const FORMATS = join(ROOT, 'certs/out/formats');
const pki = (n: string, ext = 'pem') => join(PKI, `${n}.${ext}`);

interface Run { code: number; stdout: string; stderr: string }
/** Every output of every run, checked at the end for stack traces. */
const allOutput: string[] = [];

async function run(argv: string[], o: { env?: Record<string, string>; tty?: boolean } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (s) => { stdout += s; },
    stderr: (s) => { stderr += s; },
    env: o.env ?? {},
    stdoutIsTTY: o.tty ?? false,
    stdinIsTTY: false,
  };
  const code = await main(argv, io);
  allOutput.push(stdout, stderr);
  return { code, stdout, stderr };
}

/** Exit 2 with exactly one stderr line, starting "certcheck:", and nothing on stdout. */
function expectInputError(r: Run, mentions?: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^certcheck: [^\n]+\n$/);
  expect(r.stdout).toBe('');
  if (mentions) expect(r.stderr).toMatch(mentions);
}

const STACK = /\n\s+at .+[(:]\d+:\d+\)?/;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'certcheck-e2e-'));
  writeFileSync(join(tmp, 'empty.pem'), '');
  // Deterministic "random" bytes: not DER, not PEM, not Base-64.
  const garbage = Buffer.alloc(2048);
  let x = 0x9e3779b9;
  for (let i = 0; i < garbage.length; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; garbage[i] = x & 0xff; }
  garbage[0] = 0xff;
  writeFileSync(join(tmp, 'garbage.bin'), garbage);
  const der = readFileSync(pki('leaf-a', 'der'));
  writeFileSync(join(tmp, 'truncated.der'), der.subarray(0, Math.floor(der.length / 2)));
});
afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

afterAll(() => {
  for (const s of allOutput) expect(s).not.toMatch(STACK);
});

describe('certcheck verify', () => {
  const healthy = ['verify', pki('leaf-a'), pki('int-a'), '--host', 'backend.test', '--trusted-root', pki('root-a')];

  it('a healthy chain: exit 0, "Gateway: Healthy"', async () => {
    const r = await run(healthy);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Gateway: Healthy');
    expect(r.stderr).toBe('');
  });

  it('--json parses and carries schemaVersion', async () => {
    const r = await run([...healthy, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.schemaVersion).toBe(1);
    expect(rep.kind).toBe('verify');
    expect(rep.status).toBe('Healthy');
    expect(rep.chain?.presented).toHaveLength(2);
  });

  it('an expired leaf: exit 1 with M7', async () => {
    const r = await run(['verify', pki('leaf-expired'), pki('int-a'), '--host', 'backend.test', '--trusted-root', pki('root-a'), '--json']);
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.messageId).toBe('M7');
  });

  it('--at moves the clock: the healthy chain is expired in 2040', async () => {
    const r = await run([...healthy, '--at', '2040-01-01T00:00:00Z']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Gateway: Unhealthy');
  });

  it('a missing file: exit 2, one line', async () => {
    expectInputError(await run(['verify', join(tmp, 'does-not-exist.pem')]), /no such file/);
  });

  it.each([
    ['an empty file', 'empty.pem'],
    ['random garbage', 'garbage.bin'],
    ['truncated DER', 'truncated.der'],
  ])('%s: exit 2, one line', async (_what, file) => {
    expectInputError(await run(['verify', join(tmp, file)]));
  });

  it('a CSR: exit 2, one line', async () => {
    const csr = join(FORMATS, 'csr.pem');
    if (!existsSync(csr)) return;
    expectInputError(await run(['verify', csr]));
  });

  // Subcommands inherit exitOverride/configureOutput (copyInheritedSettings in main.ts).
  it('an unknown flag: exit 2, one line naming the flag', async () => {
    const r = await run(['verify', pki('leaf-a'), '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^certcheck: .*--no-such-flag/);
    expect(r.stdout).toBe('');
  });

  it('a missing argument: exit 2, one line', async () => {
    const r = await run(['verify']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^certcheck: .*files/);
  });

  it('an unknown flag is at least refused, not run (exit non-zero, nothing on stdout)', async () => {
    const r = await run(['verify', pki('leaf-a'), '--no-such-flag']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });

  it('--at garbage: exit 2', async () => {
    expectInputError(await run([...healthy, '--at', 'garbage']), /--at/);
  });

  it('--host a..b: exit 2', async () => {
    expectInputError(await run(['verify', pki('leaf-a'), '--host', 'a..b']), /a\.\.b/);
  });

  describe.runIf(existsSync(join(FORMATS, 'chain.pfx')))('PKCS#12', () => {
    it('without a password (no TTY): exit 2, one line naming the way out', async () => {
      expectInputError(await run(['verify', join(FORMATS, 'chain.pfx')]), /password/);
    });

    it('with --password-env: parses', async () => {
      const r = await run(['verify', join(FORMATS, 'chain.pfx'), '--password-env', 'PFX_PW', '--json'], { env: { PFX_PW: 'test-only-pass' } });
      expect([0, 1]).toContain(r.code);
      const rep = JSON.parse(r.stdout) as Report;
      expect(rep.chain?.presented.length).toBeGreaterThanOrEqual(1);
      expect(r.stderr).toBe('');
    });

    it('--password-env naming an unset variable: exit 2', async () => {
      expectInputError(await run(['verify', join(FORMATS, 'chain.pfx'), '--password-env', 'UNSET_PW']), /UNSET_PW/);
    });
  });
});

describe('certcheck probe', () => {
  it('a healthy loopback backend (default command): exit 0, text', async () => {
    const b = await startBackend({ served: ['leaf-a', 'int-a'] });
    try {
      const r = await run([`127.0.0.1:${b.port}`, '--sni', 'backend.test', '--trusted-root', pki('root-a'), '--timeout', '5']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('Gateway: Healthy');
      expect(r.stdout).toContain('Success. Received 200 status code');
    } finally {
      await b.close();
    }
  });

  it('only the leaf served: exit 1, --json with M8 and the captured chain', async () => {
    const b = await startBackend({ served: ['leaf-a'] });
    try {
      const r = await run(['probe', `127.0.0.1:${b.port}`, '--sni', 'backend.test', '--trusted-root', pki('root-a'), '--timeout', '5', '--json']);
      expect(r.code).toBe(1);
      const rep = JSON.parse(r.stdout) as Report;
      expect(rep.schemaVersion).toBe(1);
      expect(rep.kind).toBe('probe');
      expect(rep.messageId).toBe('M8');
      expect(rep.chain?.presented).toHaveLength(1);
    } finally {
      await b.close();
    }
  });

  it('v1 with --resolve and --auth-cert: exit 0, the pool FQDN sent as SNI', async () => {
    const b = await startBackend({ served: ['leaf-a', 'int-a'] });
    try {
      const r = await run(['probe', `backend.test:${b.port}`, '--sku', 'v1', '--auth-cert', pki('leaf-a'), '--resolve', 'backend.test=127.0.0.1', '--timeout', '5', '--json']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { tls: { sniSent: string } }).tls.sniSent).toBe('backend.test');
    } finally {
      await b.close();
    }
  });

  it('bad probe input: exit 2, one line', async () => {
    expectInputError(await run(['probe', '127.0.0.1:99999']), /port/);
    expectInputError(await run(['probe', '127.0.0.1:443', '--timeout', '0']), /--timeout/);
    expectInputError(await run(['probe', '127.0.0.1:443', '--resolve', 'nonsense']), /--resolve/);
  });
});

describe('certcheck demo', () => {
  it('--json: 12 cases with the expected verdicts', async () => {
    const r = await run(['demo', '--json']);
    expect(r.code).toBe(0);
    const cases = JSON.parse(r.stdout) as { case: string; report: Report }[];
    expect(cases).toHaveLength(12);
    const got = Object.fromEntries(cases.map((c) => [c.case, `${c.report.status} ${c.report.messageId}`]));
    expect(got).toEqual({
      'healthy': 'Healthy OK',
      'missing-intermediate': 'Unhealthy M8',
      'wrong-order': 'Unhealthy M14',
      'expired': 'Unhealthy M7',
      'name-mismatch': 'Unhealthy M6',
      'untrusted-root': 'Unhealthy M13',
      'root-not-uploaded': 'Unhealthy M11',
      'default-probe-host': 'Unhealthy M6',
      'wrong-status': 'Unhealthy M4',
      'body-mismatch': 'Unhealthy M5',
      'port-closed': 'Unhealthy M3',
      'silent': 'Unhealthy M1',
    });
  });
});

describe('colour', () => {
  const args = ['verify', pki('leaf-a'), '--host', 'backend.test', '--trusted-root', pki('root-a')];

  it('a TTY gets colour (the control for the NO_COLOR cases)', async () => {
    const r = await run(args, { tty: true });
    expect(r.stdout).toContain('\u001b[');
  });

  it('NO_COLOR on a TTY, --no-color, and no TTY: no escape sequences', async () => {
    for (const r of [await run(args, { tty: true, env: { NO_COLOR: '1' } }), await run([...args, '--no-color'], { tty: true }), await run(args)]) {
      expect(r.code).toBe(1); // only the leaf: M8
      expect(r.stdout + r.stderr).not.toContain('\u001b[');
    }
  });
});

describe('the real bin', () => {
  beforeAll(async () => {
    if (existsSync(join(ROOT, 'dist/cli.cjs'))) return;
    await new Promise<void>((resolve, reject) => {
      execFile('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 }, (e, out, err) => (e ? reject(new Error(`${out}${err}`)) : resolve()));
    });
  }, 120_000);

  const node = (args: string[]) => new Promise<Run>((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/certcheck.js'), ...args], { cwd: ROOT, timeout: 15_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
      (e, stdout, stderr) => {
        allOutput.push(stdout, stderr);
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr });
      });
  });

  it('node bin/certcheck.js --version', async () => {
    const r = await node(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
  });

  it('an unknown flag in the real process: exit 2, "certcheck:"', async () => {
    const r = await node(['verify', pki('leaf-a'), '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^certcheck: [^\n]+\n$/);
  });

  it('an input error from the real process: exit 2, one line, no stack', async () => {
    const r = await node(['verify', join(tmp, 'does-not-exist.pem')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^certcheck: [^\n]+\n$/);
    expect(r.stdout).toBe('');
  });
});
