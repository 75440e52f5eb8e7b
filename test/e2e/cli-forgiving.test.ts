/**
 * Issue 18, item 4 (part): a forgiving command line. An unknown command is a usage error with a
 * suggestion, before any network activity (it is never looked up as a host); a URL is accepted
 * wherever a target is: `https://host[:port]/path` gives the target and the path, `http://` the
 * Http protocol.
 */
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { startBackend, type RunningBackend } from '../../src/fixtures.js';
import { parseTargetArg } from '../../src/gateway/target.js';

const ROOT_A = 'certs/out/pki/root-a.pem';
let tlsBackend: RunningBackend, plain: http.Server, plainPort: number;
const paths: string[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-forgiving-'));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false });
  return { code, out, err };
}

beforeAll(async () => {
  tlsBackend = await startBackend({ served: ['leaf-a', 'int-a'] });
  plain = http.createServer((q, r) => { paths.push(q.url ?? ''); r.writeHead(q.url === '/health' ? 200 : 404, { connection: 'close' }); r.end('ok'); });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
  plainPort = (plain.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await tlsBackend.close();
  await new Promise<void>((r) => { plain.closeAllConnections(); plain.close(() => r()); });
  rmSync(tmp, { recursive: true, force: true });
});

describe('a forgiving command line', () => {
  it('an unknown command is a usage error with a suggestion, not a DNS lookup', async () => {
    for (const [typo, meant] of [['verfiy', 'verify'], ['gatway', 'gateway'], ['taregts', 'targets'], ['bundel', 'bundle']]) {
      const r = await cli([typo!, 'x.pem']);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe(`certcheck: unknown command "${typo}" (did you mean ${meant}?); a target looks like host:port, an IP address or a URL (see certcheck --help)\n`);
    }
    const none = await cli(['frobnicate']);
    expect(none.err).toMatch(/^certcheck: unknown command "frobnicate"; a target looks like/);
  });

  it('URL forms of a target', () => {
    expect(parseTargetArg('https://backend.test/health?x=1')).toEqual({ target: 'backend.test:443', protocol: 'https', path: '/health?x=1' });
    expect(parseTargetArg('https://backend.test:8443')).toEqual({ target: 'backend.test:8443', protocol: 'https' });
    expect(parseTargetArg('http://[::1]/')).toEqual({ target: '[::1]:80', protocol: 'http' });
    expect(parseTargetArg('10.0.0.1:443')).toEqual({ target: '10.0.0.1:443' });
    expect(() => parseTargetArg('ftp://x/')).toThrow(/only https:\/\/ and http:\/\/ URLs/);
    expect(() => parseTargetArg('https://u:p@x/')).toThrow(/credentials/);
  });

  it('certcheck https://host:port/path probes that path; http:// uses the Http protocol; --path still wins', async () => {
    const a = await cli([`https://127.0.0.1:${tlsBackend.port}/health`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--timeout', '5', '--json']);
    const ra = JSON.parse(a.out) as { status: string; probe: { path: string }; target: { port: number; protocol: string } };
    expect(ra.status).toBe('Healthy');
    expect(ra.probe.path).toBe('/health');
    expect(ra.target).toMatchObject({ port: tlsBackend.port, protocol: 'https' });
    const b = await cli([`http://127.0.0.1:${plainPort}/health`, '--timeout', '5', '--json']);
    expect(JSON.parse(b.out)).toMatchObject({ status: 'Healthy', target: { protocol: 'http' } });
    const c = await cli([`http://127.0.0.1:${plainPort}/health`, '--path', '/other', '--timeout', '5', '--json']);
    expect(JSON.parse(c.out)).toMatchObject({ status: 'Unhealthy', probe: { path: '/other' } });
    expect(paths).toEqual(['/health', '/other']);
  });

  it('URL lines in a targets file', async () => {
    const f = join(tmp, 'targets.txt');
    writeFileSync(f, `https://127.0.0.1:${tlsBackend.port}/ backend.test\nhttp://127.0.0.1:${plainPort}/health\n`);
    const r = await cli(['targets', f, '--trusted-root', ROOT_A, '--timeout', '5', '--format', 'json']);
    expect(r.err).toBe('');
    const doc = JSON.parse(r.out) as { targets: { target: string; health: string }[] };
    expect(doc.targets.map((t) => t.health)).toEqual(['Healthy', 'Healthy']);
    expect(doc.targets[1]!.target).toBe(`http://127.0.0.1:${plainPort}/health`);
  });
});

describe('colour and help', () => {
  it('--color and FORCE_COLOR colour a non-terminal; --no-color and NO_COLOR win over FORCE_COLOR', async () => {
    const args = ['verify', 'certs/out/pki/leaf-a.pem', '--host', 'backend.test', '--trusted-root', ROOT_A];
    const run = async (extra: string[], env: Record<string, string>) => {
      let out = '';
      await main([...args, ...extra], { stdout: (s) => { out += s; }, stderr: () => undefined, env, stdoutIsTTY: false, stdinIsTTY: false });
      return /\u001b\[\d+m/.test(out);
    };
    expect(await run([], {})).toBe(false);
    expect(await run(['--color'], {})).toBe(true);
    expect(await run([], { FORCE_COLOR: '1' })).toBe(true);
    expect(await run([], { FORCE_COLOR: '0' })).toBe(false);
    expect(await run(['--no-color'], { FORCE_COLOR: '1' })).toBe(false);
    expect(await run([], { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });

  it('every command\'s --help ends with examples and the exit statuses', async () => {
    for (const c of ['verify', 'probe', 'gateway', 'targets', 'rotate', 'bundle', 'export-root', 'demo', 'completion']) {
      const r = await cli([c, '--help']);
      expect(r.code, c).toBe(0);
      expect(r.out, c).toMatch(/\nExamples:\n {2}certcheck /);
      if (c !== 'completion') expect(r.out, c).toMatch(/\nExit status: 0 [^\n]+\.\n\n?$/);
    }
  });
});

describe('sweeps take the shared options', () => {
  it('--json, --profile, --revocation and --allow-internal-fetch on targets and gateway', async () => {
    const f = join(tmp, 'one.txt');
    writeFileSync(f, `127.0.0.1:${tlsBackend.port} backend.test\n`);
    const base = ['targets', f, '--trusted-root', ROOT_A, '--timeout', '5'];
    const j = await cli([...base, '--json']);
    expect(j.err).toBe('');
    expect(JSON.parse(j.out)).toMatchObject({ kind: 'targets', targets: [{ health: 'Healthy' }] });
    const clash = await cli([...base, '--json', '--format', 'junit']);
    expect(clash.code).toBe(2);
    expect(clash.err).toBe('certcheck: --json conflicts with --format junit\n');
    // The fixture leaf is valid for 10 years: a CA/B rule the strict profile rejects, as certcheck's
    // policy beside the gateway's Healthy (issue 18): exit 4.
    const strict = await cli([...base, '--json', '--profile', 'strict']);
    expect(strict.code).toBe(4);
    const t = (JSON.parse(strict.out) as { targets: { health: string; primary: string | null; policy: { ok: boolean; failures: { check: string; code: string }[] } }[] }).targets[0]!;
    expect(t).toMatchObject({ health: 'Healthy', primary: null, policy: { ok: false } });
    expect(t.policy.failures[0]).toMatchObject({ check: 'strict', code: 'STRICT_VIOLATION' });
    const rev = await cli([...base, '--json', '--revocation', 'off', '--allow-internal-fetch']);
    expect(rev.code).toBe(0);
    const help = await cli(['gateway', '--help']);
    for (const o of ['--json', '--profile', '--revocation', '--allow-internal-fetch']) expect(help.out).toContain(o);
  });
});
