/**
 * Issue 19: the package installs and runs outside a clone. `npm pack` makes the tarball a registry
 * would hold; `npm install --prefix` puts it in an empty folder with only its runtime dependency
 * (no devDependency, no build step), and the installed `certcheck` runs: --version, verify on the
 * test PKI it ships, and the demo. The install is --offline, with commander packed from the copy npm
 * ci installed, so the test reaches no registry.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-pkg-'));
const prefix = join(tmp, 'prefix');
let bin = '';

interface Run { code: number; stdout: string; stderr: string }
function run(cmd: string, args: string[], cwd: string, timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, timeout, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmp, NO_COLOR: '1', npm_config_update_notifier: 'false' } },
      (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  // The tarball takes dist/ as built; build it only when missing, and never while packing
  // (--ignore-scripts): other test files read dist/ at the same time.
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) {
    const b = await run('npm', ['run', 'build'], ROOT, 120_000);
    if (b.code !== 0) throw new Error(`npm run build: ${b.stdout}${b.stderr}`);
  }
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT);
  if (pack.code !== 0) throw new Error(`npm pack: ${pack.stderr}`);
  const [{ filename }] = JSON.parse(pack.stdout) as { filename: string }[];
  // commander from the copy npm ci installed, packed the same way: npm's cache holds its tarball
  // but not the registry's metadata, so --offline could not resolve it by name.
  const dep = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp, join(ROOT, 'node_modules', 'commander')], ROOT);
  if (dep.code !== 0) throw new Error(`npm pack commander: ${dep.stderr}`);
  const [{ filename: depFile }] = JSON.parse(dep.stdout) as { filename: string }[];
  const inst = await run('npm', ['install', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--omit=dev', join(tmp, filename!), join(tmp, depFile!)], tmp, 120_000);
  if (inst.code !== 0) throw new Error(`npm install: ${inst.stdout}${inst.stderr}`);
  bin = join(prefix, 'node_modules', '.bin', 'certcheck');
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the packed tarball, installed into an empty prefix', () => {
  it('holds only certcheck and its runtime dependency', () => {
    const installed = readdirSync(join(prefix, 'node_modules')).filter((n) => !n.startsWith('.')).sort();
    expect(installed).toEqual(['certcheck', 'commander']);
    const pkg = JSON.parse(readFileSync(join(prefix, 'node_modules', 'certcheck', 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const k of ['name', 'version', 'description', 'license', 'keywords', 'engines', 'bin', 'types', 'exports']) expect(pkg, k).toHaveProperty(k);
    // The library's door and its types ship built.
    expect(existsSync(join(prefix, 'node_modules', 'certcheck', 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(prefix, 'node_modules', 'certcheck', 'dist', 'index.d.ts'))).toBe(true);
  });

  it('runs --version', async () => {
    const r = await run(bin, ['--version'], tmp);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('runs verify on the certificates it ships', async () => {
    const pki = join(prefix, 'node_modules', 'certcheck', 'certs', 'out', 'pki');
    const r = await run(bin, ['verify', join(pki, 'leaf-a.pem'), join(pki, 'int-a.pem'), '--trusted-root', join(pki, 'root-a.pem'), '--host', 'backend.test', '--at', '2030-06-01T00:00:00Z', '--json'], tmp);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe('Healthy');
  });

  it('runs the demo', async () => {
    const r = await run(bin, ['demo'], tmp);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^certcheck demo: local backends on 127\.0\.0\.1/);
    expect(r.stdout).toMatch(/missing-intermediate/);
  });

  it('imports as a library from the installed folder', async () => {
    const r = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('certcheck'); console.log(typeof m.verifyChain, typeof m.probeBackend)"], prefix);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function');
  });
});
