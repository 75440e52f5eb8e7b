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

/**
 * Issue 18, item 4 (the rest): every command takes --json, -v, --format and --output with a
 * meaning of its own; stdout carries only the chosen format; --json is --format json everywhere
 * and conflicts with any other --format.
 */
describe('every command takes --json, -v, --format and --output', () => {
  const PKI = 'certs/out/pki';
  const pemBlocks = (s: string) => s.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

  it('each command\'s help lists them, completion too', async () => {
    for (const c of ['verify', 'probe', 'rotate', 'gateway', 'targets', 'bundle', 'export-root', 'demo', 'completion']) {
      const help = (await cli([c, '--help'])).out;
      for (const o of ['--json', '-v, --verbose', '--format <format>', '--output <file>']) expect(help, `${c} ${o}`).toContain(`\n  ${o}`);
    }
    const program = (await cli(['--help'])).out;
    expect(program).toMatch(/\n {2}--debug +on an internal error, print its stack trace too/);
  });

  it('--json is --format json; with any other --format it is a usage error, before any work', async () => {
    const cases: [string[], string][] = [
      [['verify', `${PKI}/leaf-a.pem`, '--format', 'junit'], 'junit'],
      [['bundle', `${PKI}/leaf-a.pem`, '--format', 'pem'], 'pem'],
      [['bundle', `${PKI}/leaf-a.pem`, '--format', 'pfx'], 'pfx'],
      [['export-root', `${PKI}/leaf-a.pem`, '--format', 'pem'], 'pem'],
      [['demo', '--format', 'text'], 'text'],
      [['gateway', 'no-such-file.json', '--format', 'jsonl'], 'jsonl'],
    ];
    for (const [argv, f] of cases) {
      const r = await cli([...argv, '--json']);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out, argv.join(' ')).toBe('');
      expect(r.err, argv.join(' ')).toBe(`certcheck: --json conflicts with --format ${f}\n`);
    }
    // The same document either way.
    const { readFileSync } = await import('node:fs');
    const full = join(tmp, 'full.pem');
    writeFileSync(full, ['leaf-a', 'int-a', 'root-a'].map((n) => readFileSync(`${PKI}/${n}.pem`, 'utf8')).join(''));
    const a = await cli(['export-root', full, '--json']);
    const b = await cli(['export-root', full, '--format', 'json', '--json']);
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
  });

  it('bundle: stdout carries only the chosen format (a JSON document with the PEM inside, or the PEM)', async () => {
    const dir = join(tmp, 'cas');
    const { mkdirSync, copyFileSync, readFileSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    for (const n of ['int-a', 'root-a']) copyFileSync(`${PKI}/${n}.pem`, join(dir, `${n}.pem`));
    const j = await cli(['bundle', `${PKI}/leaf-a.pem`, '--intermediates', dir, '--json']);
    expect(j.code).toBe(0);
    expect(j.err).toBe('');
    const doc = JSON.parse(j.out) as { kind: string; output: null; chain: { role: string; issuer: string }[]; pem: string };
    expect(doc).toMatchObject({ kind: 'bundle', output: null });
    expect(doc.chain.map((c) => c.role)).toEqual(['leaf', 'intermediate']);
    expect(pemBlocks(doc.pem)).toBe(2);
    const pem = await cli(['bundle', `${PKI}/leaf-a.pem`, '--intermediates', dir]);
    expect(pem.out).toBe(doc.pem);
    expect(pem.err).toContain('certcheck bundle: chain (2 certificates, leaf first):');
    // With --output the file gets the PEM and stdout the document naming it.
    const f = join(tmp, 'fullchain.pem');
    const jo = await cli(['bundle', `${PKI}/leaf-a.pem`, '--intermediates', dir, '--format', 'json', '--output', f]);
    expect(JSON.parse(jo.out)).toMatchObject({ output: f, pem: doc.pem });
    expect(readFileSync(f, 'utf8')).toBe(doc.pem);
    // -v: each certificate's issuer, validity and whole fingerprint.
    const v = await cli(['bundle', `${PKI}/leaf-a.pem`, '--intermediates', dir, '--output', join(tmp, 'v.pem'), '-v']);
    expect(v.out).toMatch(/\n {2}0\. CN=backend\.test, O=certcheck test {2}\(leaf, sha256 [0-9a-f]{64}\)\n {5}issuer CN=certcheck Test Intermediate A, O=certcheck test\n {5}valid {2}2025-01-01T00:00:00\.000Z \u2192 2035-01-01T00:00:00\.000Z\n/);
  });

  it('export-root: --json puts only the document on stdout, the .cer inside; -v adds the validity', async () => {
    const { readFileSync } = await import('node:fs');
    const chain = join(tmp, 'leaf-int.pem');
    writeFileSync(chain, readFileSync(`${PKI}/leaf-a.pem`, 'utf8') + readFileSync(`${PKI}/int-a.pem`, 'utf8'));
    const j = await cli(['export-root', chain, '--trusted-root', `${PKI}/root-a.pem`, '--json']);
    expect(j.err).toBe('');
    const doc = JSON.parse(j.out) as { kind: string; root: { subject: string; sent: boolean }; pem: string };
    expect(doc).toMatchObject({ kind: 'export-root', root: { subject: 'CN=certcheck Test Root A, O=certcheck test', sent: false } });
    const cer = await cli(['export-root', chain, '--trusted-root', `${PKI}/root-a.pem`, '-v']);
    expect(cer.out).toBe(doc.pem);
    expect(cer.err).toContain('\n  valid until 2045-01-01T00:00:00.000Z\n  looked up in ');
    // No root: the document says why, still alone on stdout.
    const none = await cli(['export-root', chain, '--json']);
    expect(none.code).toBe(1);
    expect(none.err).toBe('');
    expect(JSON.parse(none.out)).toMatchObject({ root: null, pem: null, missingIssuer: 'CN=certcheck Test Root A, O=certcheck test' });
  });

  it('demo: -v adds every case\'s whole report; --output takes the chosen format', { timeout: 60_000 }, async () => {
    const f = join(tmp, 'demo.json');
    const j = await cli(['demo', '--json', '--output', f]);
    expect(j.code).toBe(0);
    expect(j.out).toMatch(/^certcheck demo: \d+ cases \(json written to .*demo\.json\)\n$/);
    const { readFileSync } = await import('node:fs');
    const cases = JSON.parse(readFileSync(f, 'utf8')) as { case: string }[];
    const v = await cli(['demo', '-v']);
    for (const c of cases) expect(v.out).toContain(`\n=== ${c.case}: `);
    // The whole report, info-level findings included.
    expect(v.out).toContain('INFO    CHAIN_ROOT_NOT_SENT');
    expect(v.out).toContain('\nGateway message: Success. Received 200 status code\n');
  });

  it('completion: --output writes the script; --json and --format json a JSON document holding it; -v a line on stderr', async () => {
    const f = join(tmp, 'certcheck.bash');
    const r = await cli(['completion', 'bash', '--output', f]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`certcheck: bash completion written to ${f}\n`);
    const { readFileSync } = await import('node:fs');
    const script = (await cli(['completion', 'bash'])).out;
    expect(readFileSync(f, 'utf8')).toBe(script);
    const j = await cli(['completion', 'bash', '--json']);
    const doc = JSON.parse(j.out) as { kind: string; shell: string; commands: string[]; script: string };
    expect(doc).toMatchObject({ kind: 'completion', shell: 'bash', script });
    expect(doc.commands).toEqual(expect.arrayContaining(['verify', 'probe', 'gateway', 'targets', 'completion']));
    expect((await cli(['completion', 'bash', '--format', 'json'])).out).toBe(j.out);
    // -v: stdout keeps only the chosen format; the account goes to stderr.
    const v = await cli(['completion', 'bash', '-v']);
    expect(v.out).toBe(script);
    expect(v.err).toMatch(/^certcheck completion: bash: \d+ commands \(verify, probe, .*\), \d+ options\n$/);
    const clash = await cli(['completion', 'bash', '--json', '--format', 'script']);
    expect(clash.code).toBe(2);
    expect(clash.err).toBe('certcheck: --json conflicts with --format script\n');
  });

  it('sweeps: -v shows under each server its fix and every other finding; JSON is unchanged', async () => {
    const leafOnly = await startBackend({ served: ['leaf-a'] });
    try {
      const f = join(tmp, 'two.txt');
      writeFileSync(f, `127.0.0.1:${tlsBackend.port} backend.test\n127.0.0.1:${leafOnly.port} backend.test\n`);
      const base = ['targets', f, '--trusted-root', ROOT_A, '--timeout', '5'];
      const plain = await cli(base);
      const v = await cli([...base, '-v']);
      expect(v.code).toBe(1);
      expect(plain.out).not.toContain('CHAIN_ROOT_NOT_SENT');
      expect(plain.out).not.toContain('fix: ');
      // The failing row: its primary finding, then what to do, then the rest.
      expect(v.out).toMatch(/↳ CHAIN_ONLY_LEAF: [^]*\n +fix: Install the intermediate certificate/);
      // The healthy row (its warnings as marks, item 2): its info-level finding below.
      expect(v.out).toMatch(/Healthy +\u26a0 [^\n]*\n[^]*info CHAIN_ROOT_NOT_SENT: /);
      const strip = (s: string) => { const d = JSON.parse(s) as { at: string; summary: { elapsedMs: number }; targets: { probe: unknown }[] }; d.at = ''; d.summary.elapsedMs = 0; for (const t of d.targets) t.probe = null; return d; };
      const j = await cli([...base, '--json']);
      const jv = await cli([...base, '--json', '-v']);
      expect(strip(jv.out)).toEqual(strip(j.out));
    } finally { await leafOnly.close(); }
  });

  it('gateway -v: the Backend Health rows carry the same detail', { timeout: 30_000 }, async () => {
    const { readFileSync } = await import('node:fs');
    const doc = JSON.parse(readFileSync('test/fixtures/gateway/v2-cli.json', 'utf8')) as { backendHttpSettingsCollection: { port: number }[]; probes?: { port?: number }[] };
    for (const s of doc.backendHttpSettingsCollection) s.port = tlsBackend.port;
    for (const p of doc.probes ?? []) if (p.port !== undefined) p.port = tlsBackend.port;
    const f = join(tmp, 'agw.json');
    writeFileSync(f, JSON.stringify(doc));
    const args = ['gateway', f, '--resolve', 'backend.test=127.0.0.1', '--timeout-cap', '5'];
    const plain = await cli(args);
    const v = await cli([...args, '-v']);
    expect(v.code).toBe(plain.code);
    expect(plain.out).not.toContain('CHAIN_ROOT_NOT_SENT');
    expect(v.out).toContain('CHAIN_ROOT_NOT_SENT');
  });

  it('targets takes --well-known-root and the password options, meaning what they mean elsewhere', async () => {
    const f = join(tmp, 'wk.txt');
    writeFileSync(f, `127.0.0.1:${tlsBackend.port} backend.test\n`);
    // Root A as the whole well-known store: the backend's chain anchors there, no upload needed.
    const r = await cli(['targets', f, '--well-known-root', ROOT_A, '--password-env', 'UNUSED', '--timeout', '5', '--json']);
    expect(r.err).toBe('');
    expect(JSON.parse(r.out)).toMatchObject({ targets: [{ health: 'Healthy' }] });
    const without = await cli(['targets', f, '--timeout', '5', '--json']);
    expect(JSON.parse(without.out)).toMatchObject({ targets: [{ health: 'Unhealthy' }] });
  });

  it('gateway takes --well-known-root too: it replaces the store of the settings in well-known mode only', { timeout: 30_000 }, async () => {
    // A setting with no trusted root certificates: the gateway trusts the well-known CAs.
    const doc = {
      name: 'agw-wk', sku: { name: 'Standard_v2', tier: 'Standard_v2' },
      backendAddressPools: [{ name: 'pool', backendAddresses: [{ ipAddress: '127.0.0.1' }] }],
      backendHttpSettingsCollection: [{ name: 'bes', port: tlsBackend.port, protocol: 'Https', hostName: 'backend.test' }],
    };
    const f = join(tmp, 'agw-wk.json');
    writeFileSync(f, JSON.stringify(doc));
    const args = ['gateway', f, '--all-pairs', '--timeout-cap', '5', '--json'];
    const without = await cli(args);
    expect(without.code).toBe(1);
    const w = JSON.parse(without.out) as { backendAddressPools: { backendHttpSettingsCollection: { servers: { health: string; primary: string }[] }[] }[] };
    expect(w.backendAddressPools[0]!.backendHttpSettingsCollection[0]!.servers[0]).toMatchObject({ health: 'Unhealthy', primary: 'UNTRUSTED_INTERMEDIATE' });
    const withRoot = await cli([...args, '--well-known-root', ROOT_A, '--password-env', 'UNUSED']);
    expect(withRoot.err).toBe('');
    expect(withRoot.code).toBe(0);
    const h = JSON.parse(withRoot.out) as typeof w;
    expect(h.backendAddressPools[0]!.backendHttpSettingsCollection[0]!.servers[0]).toMatchObject({ health: 'Healthy' });
    // A root file that is missing or not a certificate is an input error, with --plan too (nothing contacted).
    for (const bad of [join(tmp, 'no-such-root.pem'), join(tmp, 'agw-wk.json')]) {
      const r = await cli(['gateway', f, '--all-pairs', '--plan', '--well-known-root', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(/^certcheck: .*(no such file|not a certificate).*\n$/);
    }
  });
});
