#!/usr/bin/env node
// The GitHub Action's command line (action.yml): turns the INPUT_* variables the action sets into
// certcheck's arguments, runs bin/certcheck.js with them, writes `exit-code` to $GITHUB_OUTPUT and
// exits with certcheck's status. Kept in a file of its own so a test can run exactly what the
// action runs. `--print-args` prints the argument list as JSON instead of running it.
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';

const env = process.env;
const input = (name) => (env[`INPUT_${name}`] ?? '').trim();
/** Paths and option lists are space- or newline-separated, like most actions' list inputs. */
const words = (s) => s.split(/\s+/).filter(Boolean);

/** Splits `args` as a shell would for plain words and quoted strings, without running a shell. */
export function splitArgs(s) {
  const out = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m; (m = re.exec(s));) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3]);
  return out;
}

export function buildArgs() {
  const target = input('TARGET'), config = input('CONFIG'), verify = input('VERIFY');
  const modes = [target && 'target', config && 'config', verify && 'verify'].filter(Boolean);
  if (modes.length !== 1) throw new Error(`give exactly one of the inputs target, config or verify (got ${modes.length ? modes.join(', ') : 'none'})`);
  const args = target ? [target] : config ? ['gateway', config] : ['verify', ...words(verify)];
  if (input('SNI')) args.push(verify ? '--host' : '--sni', input('SNI'));
  for (const f of words(input('TRUSTED_ROOTS'))) args.push('--trusted-root', f);
  if (input('SKU')) args.push('--sku', input('SKU'));
  if (input('MIN_DAYS')) args.push('--min-days', input('MIN_DAYS'));
  if (input('WARN_DAYS')) args.push('--warn-days', input('WARN_DAYS'));
  args.push('--format', input('FORMAT') || 'github');
  if (input('OUTPUT')) args.push('--output', input('OUTPUT'));
  args.push(...splitArgs(input('ARGS')));
  return args;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  let args;
  try { args = buildArgs(); } catch (e) {
    process.stderr.write(`certcheck action: ${e.message}\n`);
    process.exit(2);
  }
  if (process.argv.includes('--print-args')) { process.stdout.write(`${JSON.stringify(args)}\n`); process.exit(0); }
  const bin = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'bin', 'certcheck.js');
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
  const code = r.status ?? 2;
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `exit-code=${code}\n`);
  process.exit(code);
}
