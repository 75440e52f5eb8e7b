import { beforeAll, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Catalog 78: NODE_EXTRA_CA_CERTS is read when the process starts, so only a real child process
 * shows whether it leaks into the well-known store. It must not: the verdict is the same with and
 * without it, and the report names Node's bundled Mozilla store.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const PKI = join(ROOT, 'certs', 'out', 'pki');

beforeAll(async () => {
  if (existsSync(join(ROOT, 'dist', 'cli.cjs'))) return;
  await new Promise<void>((resolve, reject) => execFile('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 }, (e) => (e ? reject(e) : resolve())));
}, 120_000);

function run(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin', 'certcheck.js'), 'verify', join(PKI, 'leaf-a.pem'), join(PKI, 'int-a.pem'), '--host', 'backend.test', '--at', '2030-06-01T00:00:00Z', '--json'],
      { cwd: ROOT, timeout: 20_000, env: { PATH: process.env.PATH ?? '', ...env } },
      (e, out) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out }));
  });
}

test('78: NODE_EXTRA_CA_CERTS naming the test root changes nothing', async () => {
  const plain = await run({});
  const extra = await run({ NODE_EXTRA_CA_CERTS: join(PKI, 'root-a.pem') });
  const a = JSON.parse(plain.out), b = JSON.parse(extra.out);
  expect(a.messageId).toBe('M11');
  expect(b.messageId).toBe('M11');
  expect(b.status).toBe('Unhealthy');
  expect(extra.code).toBe(1);
  expect(b.trust.store).toMatch(/bundled Mozilla/);
  expect(b.findings.map((f: { code: string }) => f.code)).toEqual(a.findings.map((f: { code: string }) => f.code));
});
