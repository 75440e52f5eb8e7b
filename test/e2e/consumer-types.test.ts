import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * The public API as a package user meets it: the built declarations (dist/index.d.ts, reached
 * through package.json "exports" by the package's own name) compile a strict consumer program,
 * every type the door's exports mention can be named from the door, and every export has TSDoc.
 *
 * The declarations are the ones `npm run build` wrote when they are newer than every source file;
 * otherwise (no build, or sources edited since) they are emitted afresh into a temporary directory,
 * so the test never passes against stale declarations.
 */
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CONSUMER = join(ROOT, 'test/fixtures/consumer/consumer.ts');

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

let declDir: string;
let scratch: string | undefined;
let program: ts.Program;
let checker: ts.TypeChecker;
let door: ts.Symbol;

beforeAll(async () => {
  const built = join(ROOT, 'dist', 'index.d.ts');
  const fresh = existsSync(built) && statSync(built).mtimeMs >= Math.max(newestSource(join(ROOT, 'src')), statSync(join(ROOT, 'package.json')).mtimeMs);
  declDir = join(ROOT, 'dist');
  if (!fresh) {
    scratch = mkdtempSync(join(tmpdir(), 'certcheck-decl-'));
    declDir = scratch;
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    await new Promise<void>((res, rej) => execFile(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--emitDeclarationOnly', '--outDir', scratch!], { cwd: ROOT, timeout: 120_000 },
      (e, out, err) => (e ? rej(new Error(`declaration build failed:\n${out}${err}`)) : res())));
  }
  program = ts.createProgram([CONSUMER], {
    strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, noEmit: true,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'], types: ['node'],
    // The declarations themselves are checked too: a user's build does not skip them by default.
    skipLibCheck: false,
    // Fresh build: package.json "exports" resolves the name as for a user. Stale: the same name, mapped to the new declarations.
    ...(scratch ? { paths: { certcheck: [join(scratch, 'index.d.ts')] } } : {}),
  });
  checker = program.getTypeChecker();
  const index = program.getSourceFile(join(declDir, 'index.d.ts'));
  if (!index) throw new Error(`the consumer did not load ${join(declDir, 'index.d.ts')}`);
  door = checker.getSymbolAtLocation(index)!;
}, 120_000);

afterAll(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

const resolveAlias = (s: ts.Symbol) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

describe('the public API, from the built declarations', () => {
  test('a strict consumer program compiles, and what must stay an error is one', () => {
    const diags = ts.getPreEmitDiagnostics(program);
    const text = ts.formatDiagnostics(diags, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' });
    expect(text).toBe('');
  });

  test('every type the exports mention can be named from the door', () => {
    const exported = new Set(checker.getExportsOfModule(door).map(resolveAlias));
    const ours = (d: ts.Declaration) => resolve(d.getSourceFile().fileName).startsWith(`${declDir}/`);
    const missing = new Map<string, string>();
    const seen = new Set<ts.Type>();
    const need = (s: ts.Symbol | undefined, via: string) => {
      if (!s || exported.has(s) || !s.declarations?.some(ours)) return;
      if (!(s.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum))) return;
      if (!missing.has(s.name)) missing.set(s.name, via);
    };
    // An optional member's type is `T | undefined`, a new union that has lost T's alias name: walk the type as written too.
    const member = (p: ts.Symbol, via: string, depth: number): void => {
      const d = p.valueDeclaration ?? p.declarations?.[0];
      if (!d) return;
      const written = (ts.isPropertySignature(d) || ts.isParameter(d) || ts.isPropertyDeclaration(d)) ? d.type : undefined;
      if (written) walk(checker.getTypeFromTypeNode(written), via, depth + 1);
      walk(checker.getTypeOfSymbolAtLocation(p, d), via, depth + 1);
    };
    const walk = (t: ts.Type, via: string, depth = 0): void => {
      if (seen.has(t) || depth > 12) return;
      seen.add(t);
      need(t.aliasSymbol, via);
      for (const a of t.aliasTypeArguments ?? []) walk(a, via, depth + 1);
      if (t.isUnionOrIntersection()) { for (const u of t.types) walk(u, via, depth + 1); return; }
      if (!(t.flags & ts.TypeFlags.Object)) return;
      const sym = t.getSymbol();
      if (sym && !t.aliasSymbol) need(sym, via);
      // Node's and the language's own types (Buffer, Map, Promise, ...) are the user's already; look only inside ours and at type arguments.
      if ((t as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) for (const a of checker.getTypeArguments(t as ts.TypeReference)) walk(a, via, depth + 1);
      if (sym?.declarations?.length && !sym.declarations.some(ours)) return;
      for (const p of checker.getPropertiesOfType(t)) member(p, `${via}.${p.name}`, depth);
      for (const sig of [...t.getCallSignatures(), ...t.getConstructSignatures()]) {
        for (const p of sig.getParameters()) member(p, `${via}(${p.name})`, depth);
        const written = sig.getDeclaration()?.type;
        if (written) walk(checker.getTypeFromTypeNode(written), `${via}()`, depth + 1);
        walk(sig.getReturnType(), `${via}()`, depth + 1);
      }
      for (const info of checker.getIndexInfosOfType(t)) walk(info.type, `${via}[]`, depth + 1);
    };
    for (const e of checker.getExportsOfModule(door)) {
      const s = resolveAlias(e);
      const d = s.valueDeclaration ?? s.declarations?.[0];
      if (!d) continue;
      if (s.flags & ts.SymbolFlags.Value) walk(checker.getTypeOfSymbolAtLocation(s, d), e.name);
      if (s.flags & ts.SymbolFlags.Type) walk(checker.getDeclaredTypeOfSymbol(s), e.name);
    }
    expect([...missing].map(([name, via]) => `${name} (reached from ${via})`)).toEqual([]);
  });

  test('every export of the door has TSDoc', () => {
    const undocumented = checker.getExportsOfModule(door).filter((e) => {
      const s = resolveAlias(e);
      return ts.displayPartsToString(s.getDocumentationComment(checker)).trim() === '';
    }).map((e) => e.name);
    expect(undocumented).toEqual([]);
  });

  test('the report type and schema/report.schema.json name the same top-level fields, per kind', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema/report.schema.json'), 'utf8')) as { properties: Record<string, unknown>; additionalProperties: unknown; anyOf: { properties: { kind: { const: string } }; required?: string[] }[] };
    const report = checker.getExportsOfModule(door).find((e) => e.name === 'Report')!;
    const kinds = (checker.getDeclaredTypeOfSymbol(resolveAlias(report)) as ts.UnionType).types;
    const fields = (t: ts.Type) => checker.getPropertiesOfType(t).map((p) => p.name);
    expect([...new Set(kinds.flatMap(fields))].sort()).toEqual(Object.keys(schema.properties).sort());
    expect(schema.additionalProperties).toBe(false);
    for (const k of kinds) {
      const kind = (checker.getTypeOfSymbol(k.getProperty('kind')!) as ts.StringLiteralType).value;
      const required = checker.getPropertiesOfType(k).filter((p) => !(p.flags & ts.SymbolFlags.Optional)).map((p) => p.name);
      const own = schema.anyOf.find((a) => a.properties.kind.const === kind);
      expect(own, `schema anyOf entry for kind ${kind}`).toBeDefined();
      const base = (schema as unknown as { required: string[] }).required;
      expect([...new Set([...base, ...(own!.required ?? [])])].sort(), `required fields of a ${kind} report`).toEqual(required.sort());
    }
  });

  test('the door exports no CLI', () => {
    const names = checker.getExportsOfModule(door).map((e) => e.name);
    expect(names).not.toContain('main');
    expect(names).not.toContain('CliIo');
    const files = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.startsWith(`${declDir}/`));
    // Inside dist only: a checkout whose own path has a /cli/ in it is not the CLI.
    expect(files.filter((f) => f.slice(declDir.length).includes('/cli/'))).toEqual([]);
  });
});
