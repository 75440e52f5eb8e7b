/**
 * A validator for exactly the subset of JSON Schema 2020-12 that schema/report.schema.json uses.
 * An unknown keyword is an error, so the schema cannot quietly grow a rule this validator ignores.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Schema = { [k: string]: unknown } | boolean;

export const REPORT_SCHEMA_PATH = fileURLToPath(new URL('../../schema/report.schema.json', import.meta.url));
export const reportSchema = JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')) as { [k: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);
const KEYWORDS = new Set(['$ref', '$defs', 'type', 'const', 'enum', 'properties', 'required', 'additionalProperties',
  'items', 'anyOf', 'allOf', 'minimum', 'maximum', 'pattern']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function resolveRef(root: { [k: string]: unknown }, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) cur = (cur as Record<string, unknown>)[part];
  if (cur === undefined) throw new Error(`unresolved $ref ${ref}`);
  return cur as Schema;
}

/** Returns the list of violations ("path: problem"); empty when the value validates. */
export function validate(value: unknown, schema: Schema = reportSchema, root: { [k: string]: unknown } = reportSchema, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: not allowed`];
  const errs: string[] = [];
  for (const k of Object.keys(schema)) {
    if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`schema keyword ${k} at ${path} is not supported by this validator`);
  }
  if (typeof schema.$ref === 'string') errs.push(...validate(value, resolveRef(root, schema.$ref), root, path));
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeMatches(value, t))) return [...errs, `${path}: expected ${types.join('|')}, got ${typeOf(value)}`];
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) errs.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) errs.push(`${path}: ${JSON.stringify(value)} is not one of the allowed values`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errs.push(`${path}: ${value} < ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errs.push(`${path}: ${value} > ${schema.maximum}`);
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    errs.push(`${path}: ${JSON.stringify(value.slice(0, 60))} does not match ${schema.pattern}`);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) errs.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (k in props) errs.push(...validate(v, props[k]!, root, `${path}.${k}`));
      else if (schema.additionalProperties !== undefined) errs.push(...validate(v, schema.additionalProperties as Schema, root, `${path}.${k}`));
    }
  }
  if (Array.isArray(value) && schema.items !== undefined) value.forEach((v, i) => errs.push(...validate(v, schema.items as Schema, root, `${path}[${i}]`)));
  if (Array.isArray(schema.anyOf)) {
    const results = (schema.anyOf as Schema[]).map((s) => validate(value, s, root, path));
    if (!results.some((r) => r.length === 0)) errs.push(`${path}: matches none of anyOf (${results.map((r) => r[0]).join(' / ')})`);
  }
  if (Array.isArray(schema.allOf)) for (const s of schema.allOf as Schema[]) errs.push(...validate(value, s, root, path));
  return errs;
}

/** Throws with every violation listed, so a failing test shows what drifted. */
export function assertValidReport(report: unknown, label = 'report'): void {
  // Validate what --format json prints, not the in-memory object (undefined fields vanish there).
  const errs = validate(JSON.parse(JSON.stringify(report)));
  if (errs.length) throw new Error(`${label} does not validate against schema/report.schema.json:\n  ${errs.slice(0, 20).join('\n  ')}`);
}
