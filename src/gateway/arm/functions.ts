/**
 * The ARM template functions, as documented for template expressions. Each takes evaluated
 * arguments; an unknown argument makes the result unknown (except `if`, which evaluates only the
 * branch it takes, and `coalesce`). A function that needs the live deployment (`listKeys`,
 * `utcNow`, `newGuid`, a `reference()` to a resource outside the template) returns an unknown.
 */
import { ArmUnknown, isUnknown } from './values.js';
import type { ArmExpr } from './expression.js';
import { armGuid, uniqueString } from './hash.js';

/** What the function table needs from the evaluation in progress. */
export interface FnHost {
  parameter(name: string): unknown;
  variable(name: string): unknown;
  context(which: 'resourceGroup' | 'subscription' | 'deployment' | 'tenant'): unknown;
  subscriptionId(): string;
  resourceGroupName(): string;
  copyIndex(loop: string | null): number | ArmUnknown;
  reference(target: string, full: boolean): unknown;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);

function unknownIn(v: unknown, depth = 0): ArmUnknown | null {
  if (isUnknown(v)) return v;
  if (depth > 32) return null;
  if (Array.isArray(v)) { for (const x of v) { const u = unknownIn(x, depth + 1); if (u) return u; } }
  else if (isObj(v)) { for (const x of Object.values(v)) { const u = unknownIn(x, depth + 1); if (u) return u; } }
  return null;
}

class FnError extends Error {}
const need = (cond: boolean, msg: string): void => { if (!cond) throw new FnError(msg); };
const str = (v: unknown, fn: string): string => { need(typeof v === 'string', `${fn}() expects a string, got ${kind(v)}`); return v as string; };
const int = (v: unknown, fn: string): number => { need(typeof v === 'number' && Number.isInteger(v), `${fn}() expects an integer, got ${kind(v)}`); return v as number; };
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

/** ARM's string(): strings as they are, booleans True/False as .NET writes them, objects as JSON. */
function toStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function equalsDeep(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalsDeep(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => {
      const k2 = kb.find((x) => x.toLowerCase() === k.toLowerCase());
      return k2 !== undefined && equalsDeep(a[k], b[k2]);
    });
  }
  return a === b;
}

/** .NET composite format: {0}, {1,-5:N2}, with {{ and }} as braces; format specifiers are ignored. */
function format(fmt: string, args: unknown[]): string {
  return fmt.replace(/\{\{|\}\}|\{(\d+)(?:,[^}:]*)?(?::[^}]*)?\}/g, (m, i: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const n = Number(i);
    need(n < args.length, `format() has no argument {${n}}`);
    return toStr(args[n]);
  });
}

function resourceIdFn(host: FnHost, args: unknown[], scope: 'rg' | 'sub' | 'tenant', fn: string): string {
  const a = args.map((x) => str(x, fn));
  const typeAt = a.findIndex((x) => /^[^/]+\.[^/]+\/./.test(x));
  need(typeAt >= 0, `${fn}() has no resource type argument`);
  const lead = a.slice(0, typeAt);
  const type = a[typeAt]!.replace(/\/+$/, '');
  const names = a.slice(typeAt + 1);
  const types = type.split('/');
  need(names.length === types.length - 1, `${fn}(): ${type} needs ${types.length - 1} name(s), got ${names.length}`);
  let sub = host.subscriptionId(), rg = host.resourceGroupName();
  if (scope === 'rg') {
    if (lead.length === 2) { sub = lead[0]!; rg = lead[1]!; } else if (lead.length === 1) rg = lead[0]!;
    else if (lead.length === 0) { host.context('resourceGroup'); }
  } else if (scope === 'sub' && lead.length >= 1) sub = lead[0]!;
  else if (scope === 'sub') host.context('subscription');
  let tail = `providers/${types[0]}/${types[1]}/${names[0]}`;
  for (let i = 2; i < types.length; i++) tail += `/${types[i]}/${names[i - 1]}`;
  if (scope === 'tenant') return `/${tail}`;
  if (scope === 'sub') return `/subscriptions/${sub}/${tail}`;
  return `/subscriptions/${sub}/resourceGroups/${rg}/${tail}`;
}

const MAX_VALUE_LENGTH = 1_000_000;

const LIVE = new Set(['utcnow', 'newguid', 'pickzones', 'providers', 'environment', 'managementgroup', 'managementgroupresourceid', 'deployer']);

/** Evaluate one call; `ev` evaluates an argument (lazily, so `if` skips the branch it does not take). */
export function callFunction(host: FnHost, e: Extract<ArmExpr, { kind: 'call' }>, ev: (x: ArmExpr) => unknown): unknown {
  const name = e.name.toLowerCase();
  // Lazy ones first.
  if (name === 'if') {
    if (e.args.length !== 3) return new ArmUnknown('if() takes 3 arguments');
    const c = ev(e.args[0]!);
    if (isUnknown(c)) return c;
    if (typeof c !== 'boolean') return new ArmUnknown(`if() condition is ${kind(c)}, not a boolean`);
    return ev(e.args[c ? 1 : 2]!);
  }
  if (name === 'coalesce') {
    for (const a of e.args) { const v = ev(a); if (isUnknown(v)) return v; if (v !== null) return v; }
    return null;
  }
  const args = e.args.map(ev);
  try {
    const out = call(host, name, e.name, args);
    // Doubling a variable through concat() 60 times would take all memory; real values are small.
    if ((typeof out === 'string' || Array.isArray(out)) && out.length > MAX_VALUE_LENGTH) return new ArmUnknown(`${e.name}() made a value longer than ${MAX_VALUE_LENGTH} (not evaluated further)`);
    return out;
  } catch (err) {
    if (err instanceof FnError) return new ArmUnknown(err.message);
    throw err;
  }
}

function call(host: FnHost, name: string, shownName: string, args: unknown[]): unknown {
  const a0 = args[0], a1 = args[1];
  // Functions that read names or context take literal arguments; the rest propagate unknowns.
  if (name !== 'createarray' && name !== 'array' && name !== 'createobject' && name !== 'length' && name !== 'concat' && name !== 'union' && name !== 'first' && name !== 'last' && name !== 'take' && name !== 'skip' && name !== 'json') {
    const u = args.map((x) => (name === 'string' || name === 'equals' || name === 'contains' || name === 'uniquestring' || name === 'guid' || name === 'format' ? unknownIn(x) : isUnknown(x) ? x : null)).find((x) => x);
    if (u) return u;
  }
  switch (name) {
    case 'parameters': return host.parameter(str(a0, 'parameters'));
    case 'variables': return host.variable(str(a0, 'variables'));
    case 'copyindex': {
      const loop = typeof a0 === 'string' ? a0 : null;
      const off = typeof a0 === 'number' ? a0 : typeof a1 === 'number' ? a1 : 0;
      const i = host.copyIndex(loop);
      return isUnknown(i) ? i : i + off;
    }
    case 'resourcegroup': return host.context('resourceGroup');
    case 'subscription': return host.context('subscription');
    case 'deployment': return host.context('deployment');
    case 'tenant': return host.context('tenant');
    case 'resourceid': return resourceIdFn(host, args, 'rg', 'resourceId');
    case 'subscriptionresourceid': return resourceIdFn(host, args, 'sub', 'subscriptionResourceId');
    case 'tenantresourceid': return resourceIdFn(host, args, 'tenant', 'tenantResourceId');
    case 'extensionresourceid': {
      const base = str(a0, 'extensionResourceId');
      const rest = resourceIdFn(host, args.slice(1), 'tenant', 'extensionResourceId');
      return `${base.replace(/\/+$/, '')}${rest}`;
    }
    case 'reference': {
      const full = typeof args[2] === 'string' && args[2].toLowerCase() === 'full';
      return host.reference(str(a0, 'reference'), full);
    }
    case 'concat': {
      if (args.length && args.every((x) => Array.isArray(x) || x === null)) return args.flatMap((x) => (x === null ? [] : (x as unknown[])));
      const u = args.find(isUnknown);
      if (u) return u;
      return args.map((x) => { need(!Array.isArray(x) && !isObj(x), 'concat() mixes arrays and strings'); return toStr(x); }).join('');
    }
    case 'format': return format(str(a0, 'format'), args.slice(1));
    case 'tolower': return str(a0, 'toLower').toLowerCase();
    case 'toupper': return str(a0, 'toUpper').toUpperCase();
    case 'trim': return str(a0, 'trim').trim();
    case 'string': return toStr(a0);
    case 'int': {
      if (typeof a0 === 'number') return Math.trunc(a0);
      need(typeof a0 === 'string' && /^\s*-?\d+\s*$/.test(a0), `int() cannot convert ${kind(a0)}`);
      return Number(a0);
    }
    case 'float': return Number(a0);
    case 'bool': {
      if (typeof a0 === 'boolean') return a0;
      if (typeof a0 === 'number') return a0 !== 0;
      need(typeof a0 === 'string' && /^(true|false)$/i.test(a0), `bool() cannot convert ${kind(a0)}`);
      return (a0 as string).toLowerCase() === 'true';
    }
    case 'json': {
      const u = unknownIn(a0);
      if (u) return u;
      try { return JSON.parse(str(a0, 'json')) as unknown; } catch { throw new FnError('json() argument is not JSON'); }
    }
    case 'true': return true;
    case 'false': return false;
    case 'null': return null;
    case 'equals': return equalsDeep(a0, a1);
    case 'not': need(typeof a0 === 'boolean', 'not() expects a boolean'); return !a0;
    case 'and': return args.every((x) => { need(typeof x === 'boolean', 'and() expects booleans'); return x; });
    case 'or': return args.some((x) => { need(typeof x === 'boolean', 'or() expects booleans'); return x; });
    case 'greater': return (a0 as number) > (a1 as number);
    case 'greaterorequals': return (a0 as number) >= (a1 as number);
    case 'less': return (a0 as number) < (a1 as number);
    case 'lessorequals': return (a0 as number) <= (a1 as number);
    case 'add': return int(a0, 'add') + int(a1, 'add');
    case 'sub': return int(a0, 'sub') - int(a1, 'sub');
    case 'mul': return int(a0, 'mul') * int(a1, 'mul');
    case 'div': need(int(a1, 'div') !== 0, 'div() by zero'); return Math.trunc(int(a0, 'div') / (a1 as number));
    case 'mod': need(int(a1, 'mod') !== 0, 'mod() by zero'); return int(a0, 'mod') % (a1 as number);
    case 'min': return Math.min(...(Array.isArray(a0) ? a0 : args).map((x) => int(x, 'min')));
    case 'max': return Math.max(...(Array.isArray(a0) ? a0 : args).map((x) => int(x, 'max')));
    case 'range': {
      const n = int(a1, 'range');
      need(n >= 0 && n <= 10_000, 'range() count must be 0-10000');
      return Array.from({ length: n }, (_, i) => int(a0, 'range') + i);
    }
    case 'empty': return a0 === null || a0 === '' || (Array.isArray(a0) && a0.length === 0) || (isObj(a0) && Object.keys(a0).length === 0);
    case 'length': {
      if (isUnknown(a0)) return a0;
      if (typeof a0 === 'string' || Array.isArray(a0)) return a0.length;
      need(isObj(a0), `length() of ${kind(a0)}`);
      return Object.keys(a0 as Json).length;
    }
    case 'split': {
      const s = str(a0, 'split');
      const seps = Array.isArray(a1) ? a1.map((x) => str(x, 'split')) : [str(a1, 'split')];
      let parts = [s];
      for (const sep of seps) parts = parts.flatMap((p) => p.split(sep));
      return parts;
    }
    case 'replace': return str(a0, 'replace').split(str(a1, 'replace')).join(str(args[2], 'replace'));
    case 'substring': {
      const s = str(a0, 'substring');
      const start = args.length > 1 ? int(a1, 'substring') : 0;
      const len = args.length > 2 ? int(args[2], 'substring') : s.length - start;
      need(start >= 0 && len >= 0 && start + len <= s.length, 'substring() is outside the string');
      return s.slice(start, start + len);
    }
    case 'take': case 'skip': {
      if (isUnknown(a0)) return a0;
      const n = int(a1, name);
      need(typeof a0 === 'string' || Array.isArray(a0), `${shownName}() of ${kind(a0)}`);
      const x = a0 as string | unknown[];
      return name === 'take' ? x.slice(0, Math.max(0, n)) : x.slice(Math.max(0, n));
    }
    case 'first': if (isUnknown(a0)) return a0; if (typeof a0 === 'string') return a0.slice(0, 1); need(Array.isArray(a0), 'first() of a non-array'); return (a0 as unknown[])[0] ?? null;
    case 'last': if (isUnknown(a0)) return a0; if (typeof a0 === 'string') return a0.slice(-1); need(Array.isArray(a0), 'last() of a non-array'); return (a0 as unknown[]).at(-1) ?? null;
    case 'contains': {
      if (typeof a0 === 'string') return a0.toLowerCase().includes(toStr(a1).toLowerCase());
      if (Array.isArray(a0)) return a0.some((x) => equalsDeep(x, a1));
      if (isObj(a0)) return typeof a1 === 'string' && Object.keys(a0).some((k) => k.toLowerCase() === a1.toLowerCase());
      return false;
    }
    case 'indexof': return str(a0, 'indexOf').toLowerCase().indexOf(str(a1, 'indexOf').toLowerCase());
    case 'lastindexof': return str(a0, 'lastIndexOf').toLowerCase().lastIndexOf(str(a1, 'lastIndexOf').toLowerCase());
    case 'startswith': return str(a0, 'startsWith').toLowerCase().startsWith(str(a1, 'startsWith').toLowerCase());
    case 'endswith': return str(a0, 'endsWith').toLowerCase().endsWith(str(a1, 'endsWith').toLowerCase());
    case 'padleft': return str(toStr(a0), 'padLeft').padStart(int(a1, 'padLeft'), typeof args[2] === 'string' ? args[2] : ' ');
    case 'createarray': return [...args];
    case 'array': return Array.isArray(a0) ? a0 : [a0];
    case 'createobject': {
      need(args.length % 2 === 0, 'createObject() takes name, value pairs');
      const o: Json = {};
      for (let i = 0; i < args.length; i += 2) o[str(args[i], 'createObject')] = args[i + 1];
      return o;
    }
    case 'union': {
      if (args.every(Array.isArray)) { const out: unknown[] = []; for (const x of args.flat()) if (!out.some((y) => equalsDeep(x, y))) out.push(x); return out; }
      need(args.every(isObj), 'union() mixes arrays and objects');
      return Object.assign({}, ...(args as Json[])) as Json;
    }
    case 'intersection': {
      if (args.every(Array.isArray)) return (a0 as unknown[]).filter((x) => args.every((arr) => (arr as unknown[]).some((y) => equalsDeep(x, y))));
      need(args.every(isObj), 'intersection() mixes arrays and objects');
      return Object.fromEntries(Object.entries(a0 as Json).filter(([k, v]) => args.every((o) => equalsDeep((o as Json)[k], v))));
    }
    case 'items': need(isObj(a0), 'items() of a non-object'); return Object.entries(a0 as Json).map(([key, value]) => ({ key, value }));
    case 'objectkeys': need(isObj(a0), 'objectKeys() of a non-object'); return Object.keys(a0 as Json);
    case 'join': need(Array.isArray(a0), 'join() of a non-array'); return (a0 as unknown[]).map(toStr).join(str(a1, 'join'));
    case 'uniquestring': return uniqueString(...args.map((x) => str(x, 'uniqueString')));
    case 'guid': return armGuid(...args.map((x) => str(x, 'guid')));
    case 'base64': return Buffer.from(str(a0, 'base64'), 'utf8').toString('base64');
    case 'base64tostring': return Buffer.from(str(a0, 'base64ToString'), 'base64').toString('utf8');
    case 'uri': { const base = str(a0, 'uri'); const rel = str(a1, 'uri'); try { return new URL(rel, base).toString(); } catch { throw new FnError('uri() of an invalid URI'); } }
  }
  if (name.startsWith('list')) return new ArmUnknown(`${shownName}() reads a secret or a runtime list from the deployed resource`);
  if (LIVE.has(name)) return new ArmUnknown(`${shownName}() is known only at deployment`);
  if (name.includes('.')) return new ArmUnknown(`user-defined function ${shownName}() is not evaluated`);
  return new ArmUnknown(`template function ${shownName}() is not supported here`);
}
