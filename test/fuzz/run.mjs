#!/usr/bin/env node
// `npm run fuzz -- --seconds 60 [--seed N]`: run every property of test/fuzz/properties.ts for
// about N seconds in all (time shared by weight), through vitest (the properties are TypeScript),
// then print the runs per property and the seed that replays the whole run.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

function usage(msg) {
  process.stderr.write(`fuzz: ${msg}\nusage: npm run fuzz -- [--seconds N] [--seed N]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let seconds = 60;
let seed;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
  const val = () => inline ?? args[++i];
  if (flag === '--seconds') seconds = Number(val());
  else if (flag === '--seed') seed = Number(val());
  else if (flag === '-h' || flag === '--help') usage('help');
  else usage(`unknown argument ${a}`);
}
if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= 86_400)) usage('--seconds: a number from 1 to 86400');
if (seed === undefined) seed = (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0;
if (!Number.isInteger(seed)) usage('--seed: an integer');

const vitest = join(ROOT, 'node_modules/vitest/vitest.mjs');
if (!existsSync(vitest)) usage('vitest is not installed (npm install)');
const dir = mkdtempSync(join(tmpdir(), 'certcheck-fuzz-'));
const out = join(dir, 'results.jsonl');

process.stdout.write(`fuzz: ${seconds} s, seed ${seed}\n`);
const t0 = Date.now();
const child = spawn(process.execPath, [vitest, 'run', 'test/fuzz/fuzz.test.ts', '--maxWorkers=1', '--no-file-parallelism',
  `--testTimeout=${Math.ceil(seconds * 1000 + 120_000)}`], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, FUZZ_SECONDS: String(seconds), FUZZ_SEED: String(seed), FUZZ_OUT: out },
});
const forward = (sig) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));

child.on('close', (code) => {
  const rows = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  rmSync(dir, { recursive: true, force: true });
  const w = Math.max(8, ...rows.map((r) => r.name.length));
  process.stdout.write(`\n${'property'.padEnd(w)}  ${'runs'.padStart(9)}  ${'ms'.padStart(7)}  result\n`);
  for (const r of rows) {
    process.stdout.write(`${r.name.padEnd(w)}  ${String(r.runs).padStart(9)}  ${String(r.ms).padStart(7)}  ${r.failed ? 'FAILED' : 'ok'}\n`);
    if (r.failed) process.stdout.write(`${r.message}\n`);
  }
  const total = rows.reduce((n, r) => n + r.runs, 0);
  const failed = rows.filter((r) => r.failed).length;
  process.stdout.write(`\ntotal: ${total} runs in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${failed} failed; replay with: npm run fuzz -- --seconds ${seconds} --seed ${seed}\n`);
  process.exit(code === 0 && failed === 0 && rows.length > 0 ? 0 : 1);
});
