/**
 * Issue 13, the CLI outside the door: the library's entry reaches no module under src/cli/ (so
 * importing it registers no command), exports no CLI, and the commands never import each other.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const SRC = join(import.meta.dirname, '..', '..', 'src');

/** Relative imports of a source file that run code (type-only imports erase). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1]) continue;
    const spec = m[2] ?? m[3]!;
    out.push(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
  }
  return out;
}

function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    todo.push(...runtimeImports(f));
  }
  return seen;
}

describe('the library door', () => {
  test('src/index.ts reaches no module under src/cli/, statically or lazily', () => {
    const cli = [...reachable(join(SRC, 'index.ts'))].map((f) => relative(SRC, f)).filter((f) => f.startsWith('cli/'));
    expect(cli).toEqual([]);
  });

  test('the door exports no CLI, and exports captureChain', async () => {
    const door = await import('../../src/index.js');
    expect(Object.keys(door)).not.toContain('main');
    expect(typeof door.captureChain).toBe('function');
    expect(typeof door.verifyChain).toBe('function');
  });

  test('no module outside src/cli/ imports src/cli/', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) { if (relative(SRC, p) !== 'cli') walk(p); continue; }
        if (!p.endsWith('.ts')) continue;
        for (const i of runtimeImports(p)) if (relative(SRC, i).startsWith('cli/')) offenders.push(`${relative(SRC, p)} -> ${relative(SRC, i)}`);
      }
    };
    walk(SRC);
    expect(offenders).toEqual([]);
  });

  test('commands never import each other: every *-cmd.ts imports only the shared modules of cli/', () => {
    const cliDir = join(SRC, 'cli');
    const cmds = readdirSync(cliDir).filter((f) => f.endsWith('-cmd.ts'));
    expect(cmds.length).toBeGreaterThan(5);
    for (const c of cmds) {
      const deps = runtimeImports(join(cliDir, c)).map((f) => relative(SRC, f)).filter((f) => f.startsWith('cli/'));
      expect(deps.filter((d) => d.endsWith('-cmd.ts')), c).toEqual([]);
    }
  });
});
