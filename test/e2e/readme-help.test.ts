/**
 * Issue 18, "done when": the README's option and exit tables match `--help`. Runs the BUILT bin's
 * `--help` for the program and every command, and holds the README to it both ways: every option
 * the README's option tables give a command is in that command's help, every option in a help is
 * in the README for that command, and the README's exit table gives each command exactly the
 * "Exit status:" line its help ends with (both made from EXIT_MEANINGS in src/cli/options.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXIT_MEANINGS } from '../../src/cli/options.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'certcheck.js');
const COMMANDS = ['verify', 'probe', 'rotate', 'gateway', 'targets', 'bundle', 'export-root', 'demo', 'completion'] as const;
/** The program itself (`certcheck --help`), named as the README's commands column names it. */
const PROGRAM = 'certcheck';
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

const helps = new Map<string, string>();

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli.cjs'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 });
  for (const c of [PROGRAM, ...COMMANDS]) helps.set(c, execFileSync(process.execPath, [BIN, ...(c === PROGRAM ? [] : [c]), '--help'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '80' } }));
}, 120_000);

/** The options a help lists: the "Options:" block's entries (two spaces in, then -x, --long). */
function helpOptions(help: string): Set<string> {
  const block = help.split('\nOptions:\n')[1]!.split(/\n\n/)[0]!;
  const out = new Set<string>();
  for (const m of block.matchAll(/^ {2}(-[A-Za-z])?(?:, )?(--[a-z][\w-]*)?/gm)) {
    if (m[1]) out.add(m[1]);
    if (m[2]) out.add(m[2]);
  }
  return out;
}

/** A markdown table's rows (cells trimmed) after the header line that matches `header`. */
function tables(header: RegExp): string[][][] {
  const lines = README.split('\n');
  const found: string[][][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!header.test(lines[i]!)) continue;
    const rows: string[][] = [lines[i]!.split('|').slice(1, -1).map((c) => c.trim())];
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) {
      // An escaped pipe (`mozilla\|system`) is part of its cell.
      rows.push(lines[j]!.replace(/\\\|/g, '\u0000').split('|').slice(1, -1).map((c) => c.trim().replace(/\u0000/g, '|')));
    }
    found.push(rows);
  }
  return found;
}

/** Which commands a commands cell names: `name` in backticks, "every command", `certcheck`. */
function commandsOf(cell: string): string[] {
  const named = [...cell.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!);
  for (const n of named) expect([PROGRAM, ...COMMANDS], `"${n}" in the commands cell "${cell}"`).toContain(n);
  return [...new Set([...(/every command/.test(cell) ? COMMANDS : []), ...named])];
}

/** The README's options per command, from every `| option | commands | meaning |` table. */
function readmeOptions(): Map<string, Set<string>> {
  const by = new Map<string, Set<string>>([PROGRAM, ...COMMANDS].map((c) => [c, new Set<string>()]));
  const ts = tables(/^\| option \| commands \| meaning \|$/);
  expect(ts.length, 'option tables in the README').toBeGreaterThan(0);
  for (const t of ts) {
    for (const [option, commands] of t.slice(1)) {
      const names = [...option!.matchAll(/`(--?[A-Za-z][\w-]*)/g)].map((m) => m[1]!);
      expect(names.length, `an option in "${option}"`).toBeGreaterThan(0);
      for (const c of commandsOf(commands!)) for (const n of names) by.get(c)!.add(n);
    }
  }
  return by;
}

describe('the README matches --help', () => {
  it('options: every option of every help is in the README for that command, and nothing more', () => {
    const readme = readmeOptions();
    for (const c of [PROGRAM, ...COMMANDS]) {
      const help = [...helpOptions(helps.get(c)!)].sort();
      expect(help.length, c).toBeGreaterThan(1);
      expect([...readme.get(c)!].sort(), `README options of ${c}`).toEqual(help);
    }
  });

  it('--debug is in the program\'s help and the README', () => {
    expect(helpOptions(helps.get(PROGRAM)!)).toContain('--debug');
    expect(readmeOptions().get(PROGRAM)).toContain('--debug');
  });

  it('exit statuses: each command\'s help ends with its column of the README\'s exit table', () => {
    const [t] = tables(/^\| status \|/);
    expect(t, 'the exit status table').toBeDefined();
    const [header, ...rows] = t!;
    const columns = header!.slice(1).map(commandsOf);
    // Every command is in exactly one column.
    expect(columns.flat().sort()).toEqual([...COMMANDS].sort());
    for (const [i, cmds] of columns.entries()) {
      const meanings = rows.filter((r) => r[i + 1] !== '\u2014').map((r) => `${r[0]} ${r[i + 1]}`);
      for (const c of cmds) {
        const last = helps.get(c)!.trimEnd().split('\n').at(-1);
        expect(last, c).toBe(`Exit status: ${meanings.join(', ')}.`);
      }
    }
    // And the README lists every status the code knows, no more.
    expect(rows.map((r) => Number(r[0]))).toEqual(EXIT_MEANINGS.map((e) => e.status));
  });
});
