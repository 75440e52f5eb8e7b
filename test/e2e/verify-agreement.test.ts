import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarios, loadServed, loadRoots } from '../../certs/scenarios.mjs';
import { verifyChain } from '../../src/verify.js';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

/**
 * Issue 2: `verifyChain` and `certcheck verify` agree on every fixture. The CLI reads the served
 * certificates from files (one DER file each, in served order) and prints --json; the library gets
 * the same bytes. Since issue 13 the command is a call of verifyChain, so the whole JSON report
 * must be the library's report (given the file names as `inputs`), not only its verdict.
 */
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'certcheck-agree-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CliIo = { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('verifyChain and certcheck verify agree', () => {
  for (const s of scenarios) {
    test(s.name, async () => {
      const served = loadServed(s).map((x) => x.der);
      const roots = loadRoots(s).map((x) => x.der);
      const files = served.map((d, i) => { const f = join(dir, `${s.name}-${i}.der`); writeFileSync(f, d); return f; });
      const rootFiles = roots.map((d, i) => { const f = join(dir, `${s.name}-root-${i}.der`); writeFileSync(f, d); return f; });
      const rootFlag = s.trust.mode === 'uploaded' ? '--trusted-root' : '--well-known-root';
      const r = await cli(['verify', ...files, '--host', s.host, '--at', s.at, '--json', ...rootFiles.flatMap((f) => [rootFlag, f])]);
      expect(r.err, s.name).toBe('');
      const fromCli = JSON.parse(r.out);
      const lib = await verifyChain({ leaf: served[0]!, intermediates: served.slice(1), host: s.host, at: new Date(s.at),
        ...(s.trust.mode === 'uploaded' ? { trustedRoots: roots } : { wellKnownRoots: roots }) });
      const sameCall = await verifyChain({ leaf: served[0]!, intermediates: served.slice(1), host: s.host, at: new Date(s.at), inputs: files, inputNotes: fromCli.inputNotes as string[],
        ...(s.trust.mode === 'uploaded' ? { trustedRoots: roots } : { wellKnownRoots: roots }) });
      expect(fromCli, s.name).toEqual(JSON.parse(JSON.stringify(sameCall)));
      expect(fromCli.status, s.name).toBe(lib.status);
      expect(fromCli.message, s.name).toBe(lib.message);
      expect(fromCli.findings.map((f: { code: string }) => f.code), s.name).toEqual(lib.findings.map((f) => f.code));
      expect(r.code, s.name).toBe(lib.status === 'Healthy' ? 0 : lib.status === 'Unknown' ? 3 : 1);
    });
  }
});

describe('one wording for the library and the command', () => {
  test('without a host, both say the same about the name not compared', async () => {
    const s = scenarios[0]!;
    const served = loadServed(s).map((x) => x.der);
    const file = join(dir, 'nohost.der');
    writeFileSync(file, served[0]!);
    const fromCli = JSON.parse((await cli(['verify', file, '--at', s.at, '--json'])).out);
    const lib = await verifyChain({ leaf: served[0]!, at: new Date(s.at), inputs: [file] });
    const reason = (r: { findings: { code: string; evidence?: unknown }[] }) => r.findings.find((f) => f.code === 'NAME_NOT_CHECKED')?.evidence;
    expect(reason(fromCli)).toBeDefined();
    expect(reason(fromCli)).toEqual(reason(JSON.parse(JSON.stringify(lib))));
  });

  test('sku v1 without authentication certificates is a usage error in both', async () => {
    const served = loadServed(scenarios[0]!).map((x) => x.der);
    await expect(verifyChain({ leaf: served[0]!, sku: 'v1' })).rejects.toThrow(/--sku v1 needs --auth-cert/);
  });
});
