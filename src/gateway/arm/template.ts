/**
 * ARM template evaluation, offline: parameters (defaults, a parameters file, name=value), variables
 * (with `copy`), resource and property `copy` loops, nested `Microsoft.Resources/deployments` with
 * inline templates (what `az bicep build` emits for modules), and the template functions gateway
 * and network templates use. Pure: no I/O; the caller reads the files.
 *
 * What cannot be known offline becomes an {@link ArmUnknown} at its place in the tree, never an
 * exception, so one unknowable value costs only what reads it. Every evaluated value that depended
 * on a parameter, a variable or the deployment context has its sources recorded ({@link
 * TemplateEvaluation.sourcesOf}) so a plan can say where each value came from.
 */
import { ArmUnknown, isUnknown, type ArmSource, type ParameterOrigin } from './values.js';
import { isExpression, parseExpression, unescapeLiteral, ArmSyntaxError, type ArmExpr } from './expression.js';
import { callFunction, type FnHost } from './functions.js';

/** A JSON object of a template. */
export type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);

/** A parameter value given to the deployment (from a parameters file or the command line). */
export interface SuppliedParameter {
  value: unknown;
  origin: Exclude<ParameterOrigin, 'default'>;
  /** The parameters file it came from, or the nested deployment that passed it (for provenance). */
  file?: string;
  /** What the value itself depended on (a module parameter computed from the parent's inputs). */
  sources?: ArmSource[];
}

/** The deployment's context; every field a placeholder unless given. */
export interface DeploymentContext {
  subscriptionId?: string;
  resourceGroup?: string;
  location?: string;
  tenantId?: string;
  deploymentName?: string;
}

/** What a template is evaluated with: parameter values and the deployment's context. */
export interface EvaluateOptions {
  /** Parameter values by name (matched case-insensitively, as ARM does). */
  parameters?: Record<string, SuppliedParameter>;
  context?: DeploymentContext;
  /** Prefix for JSON paths (a nested template's place in its parent). */
  pathPrefix?: string;
}

/** One resource of the template (nested deployments' resources included), fully evaluated. */
export interface EvaluatedResource {
  type: string;
  /** The resource name, or unknown. */
  name: string | ArmUnknown;
  /** The evaluated resource object: `properties`, `sku`, ... with expressions replaced by values. */
  value: Json;
  /** JSON path of the resource in the template given (`resources[4].properties.template.resources[0]`). */
  path: string;
}

/** A problem with the evaluation as a whole (a parameter given but not declared, a linked template). */
export interface ArmWarning { path: string; message: string }

/** A template evaluated offline: its resources, with unknowable values left as ArmUnknown, and warnings. */
export interface TemplateEvaluation {
  resources: EvaluatedResource[];
  warnings: ArmWarning[];
  /** What a value in the evaluated tree depended on: `sourcesOf(obj, key)`; undefined for a literal. */
  sourcesOf: (container: object, key: string | number) => readonly ArmSource[] | undefined;
}

const PLACEHOLDER_SUB = '00000000-0000-0000-0000-000000000000';

interface Loop { name: string | null; index: number }

interface ResourceRecord { raw: Json; path: string; loop: Loop | null; done?: EvaluatedResource; nested?: EvaluatedResource[] }

/** Provenance shared by a template and its nested templates. */
class SourceStore {
  /** Copy-loop items left for the whole evaluation (nested templates included): bounds nested loops. */
  copyBudget = MAX_COPY_TOTAL;
  private readonly map = new WeakMap<object, Map<string | number, ArmSource[]>>();
  set(container: object, key: string | number, list: ArmSource[]): void {
    if (!list.length) return;
    let m = this.map.get(container);
    if (!m) { m = new Map(); this.map.set(container, m); }
    m.set(key, list);
  }
  get(container: object, key: string | number): readonly ArmSource[] | undefined {
    return this.map.get(container)?.get(key);
  }
  /** Every leaf inside a value an expression produced carries the expression's sources. */
  tagDeep(v: unknown, list: ArmSource[]): void {
    if (!list.length) return;
    if (Array.isArray(v)) v.forEach((x, i) => { this.set(v, i, list); this.tagDeep(x, list); });
    else if (isObj(v)) for (const k of Object.keys(v)) { this.set(v, k, list); this.tagDeep(v[k], list); }
  }
}

const MAX_COPY = 800; // ARM's own limit on a copy loop's count
// Three nested loops of 800 would be 512 million items; a real gateway template has a few hundred.
const MAX_COPY_TOTAL = 100_000;

class Evaluator implements FnHost {
  private readonly params = new Map<string, { name: string; decl: Json }>();
  private readonly paramCache = new Map<string, { value: unknown; sources: ArmSource[] }>();
  private readonly varDecls = new Map<string, { name: string; decl: unknown; copy?: Json }>();
  private readonly varCache = new Map<string, { value: unknown; sources: ArmSource[] }>();
  private readonly evaluating = new Set<string>();
  private collecting: Map<string, ArmSource>[] = [];
  private loops: Loop[] = [];
  readonly referenced = new WeakSet<object>();
  resources: ResourceRecord[] = [];

  constructor(
    readonly template: Json,
    readonly options: EvaluateOptions,
    readonly store: SourceStore,
    readonly warnings: ArmWarning[],
    readonly prefix: string,
  ) {
    const ps = isObj(template.parameters) ? template.parameters : {};
    for (const [k, d] of Object.entries(ps)) this.params.set(k.toLowerCase(), { name: k, decl: isObj(d) ? d : {} });
    const vs = isObj(template.variables) ? template.variables : {};
    for (const [k, d] of Object.entries(vs)) {
      if (k.toLowerCase() === 'copy' && Array.isArray(d)) {
        d.forEach((c) => { if (isObj(c) && typeof c.name === 'string') this.varDecls.set(c.name.toLowerCase(), { name: c.name, decl: c.input, copy: c }); });
      } else this.varDecls.set(k.toLowerCase(), { name: k, decl: d });
    }
    for (const name of Object.keys(options.parameters ?? {})) {
      if (!this.params.has(name.toLowerCase())) warnings.push({ path: this.p('parameters'), message: `parameter ${name} was given but the template declares no such parameter; ignored` });
    }
  }

  p(rest: string): string { return this.prefix ? `${this.prefix}.${rest}` : rest; }

  private note(s: ArmSource): void {
    const key = `${s.kind}:${s.name.toLowerCase()}${s.kind === 'parameter' ? `:${s.origin}:${s.file ?? ''}` : ''}`;
    for (const c of this.collecting) if (!c.has(key)) c.set(key, s);
  }
  private noteAll(list: ArmSource[]): void { for (const s of list) this.note(s); }

  /** Evaluate `f` while recording the sources it touches. */
  private collect<T>(f: () => T): { value: T; sources: ArmSource[] } {
    const m = new Map<string, ArmSource>();
    this.collecting.push(m);
    try { return { value: f(), sources: [...m.values()] }; } finally {
      this.collecting.pop();
      // Sources seen inside also belong to any enclosing collection.
      for (const s of m.values()) this.note(s);
    }
  }

  // ---- FnHost: what the function table needs from the evaluation ----

  parameter(name: string): unknown {
    const key = name.toLowerCase();
    const d = this.params.get(key);
    if (!d) return new ArmUnknown(`the template declares no parameter ${name}`);
    const cached = this.paramCache.get(key);
    if (cached) { this.noteAll(cached.sources); return cached.value; }
    if (this.evaluating.has(`p:${key}`)) return new ArmUnknown(`parameter ${name} refers to itself`);
    this.evaluating.add(`p:${key}`);
    try {
      const supplied = Object.entries(this.options.parameters ?? {}).find(([k]) => k.toLowerCase() === key)?.[1];
      const r = this.collect(() => {
        if (supplied) {
          this.note({ kind: 'parameter', name: d.name, origin: supplied.origin, ...(supplied.file ? { file: supplied.file } : {}) });
          this.noteAll(supplied.sources ?? []);
          const v = coerceParameter(supplied.value, d.decl, d.name);
          const allowed = d.decl.allowedValues;
          if (Array.isArray(allowed) && !isUnknown(v) && !allowed.some((a) => JSON.stringify(a) === JSON.stringify(v))) {
            this.warnings.push({ path: this.p(`parameters.${d.name}`), message: `parameter ${d.name} = ${JSON.stringify(v)} is not among its allowedValues (${allowed.map((a) => JSON.stringify(a)).join(', ')}); az deployment would refuse it` });
          }
          return v;
        }
        if ('defaultValue' in d.decl) {
          this.note({ kind: 'parameter', name: d.name, origin: 'default' });
          return this.evalValue(d.decl.defaultValue, this.p(`parameters.${d.name}.defaultValue`), null, null);
        }
        const secure = typeof d.decl.type === 'string' && /^secure/i.test(d.decl.type);
        return new ArmUnknown(`parameter ${d.name} has no value and no default${secure ? ' (a secure parameter)' : ''}: give it with --parameters`);
      });
      this.paramCache.set(key, r);
      return r.value;
    } finally { this.evaluating.delete(`p:${key}`); }
  }

  variable(name: string): unknown {
    const key = name.toLowerCase();
    const d = this.varDecls.get(key);
    if (!d) return new ArmUnknown(`the template declares no variable ${name}`);
    const cached = this.varCache.get(key);
    if (cached) { this.noteAll(cached.sources); this.note({ kind: 'variable', name: d.name }); return clone(cached.value); }
    if (this.evaluating.has(`v:${key}`)) return new ArmUnknown(`variable ${name} refers to itself`);
    this.evaluating.add(`v:${key}`);
    try {
      const r = this.collect(() => {
        const path = this.p(`variables.${d.name}`);
        if (d.copy) return this.copyArray(d.copy, path, (loopPath) => this.evalValue(d.decl, loopPath, null, null));
        return this.evalValue(d.decl, path, null, null);
      });
      this.varCache.set(key, r);
      this.note({ kind: 'variable', name: d.name });
      return clone(r.value);
    } finally { this.evaluating.delete(`v:${key}`); }
  }

  context(which: 'resourceGroup' | 'subscription' | 'deployment' | 'tenant'): unknown {
    const c = this.options.context ?? {};
    const sub = c.subscriptionId ?? PLACEHOLDER_SUB;
    const rg = c.resourceGroup ?? 'resourceGroup';
    const placeholder = which === 'resourceGroup' ? !(c.subscriptionId && c.resourceGroup)
      : which === 'subscription' ? !c.subscriptionId : which === 'tenant' ? !c.tenantId : !c.deploymentName;
    this.note({ kind: 'context', name: `${which}()`, placeholder });
    switch (which) {
      case 'resourceGroup': return { id: `/subscriptions/${sub}/resourceGroups/${rg}`, name: rg, type: 'Microsoft.Resources/resourceGroups', location: c.location ?? 'location', properties: { provisioningState: 'Succeeded' }, tags: {} };
      case 'subscription': return { id: `/subscriptions/${sub}`, subscriptionId: sub, tenantId: c.tenantId ?? PLACEHOLDER_SUB, displayName: 'subscription' };
      case 'tenant': return { tenantId: c.tenantId ?? PLACEHOLDER_SUB, countryCode: '', displayName: 'tenant' };
      case 'deployment': return { name: c.deploymentName ?? 'deployment', properties: { templateLink: null }, location: c.location ?? 'location' };
    }
  }

  subscriptionId(): string { return this.options.context?.subscriptionId ?? PLACEHOLDER_SUB; }
  resourceGroupName(): string { return this.options.context?.resourceGroup ?? 'resourceGroup'; }

  copyIndex(loopName: string | null): number | ArmUnknown {
    const l = loopName === null ? this.loops[this.loops.length - 1] : [...this.loops].reverse().find((x) => x.name !== null && x.name.toLowerCase() === loopName.toLowerCase());
    return l ? l.index : new ArmUnknown(`copyIndex(${loopName ? `'${loopName}'` : ''}) outside its copy loop`);
  }

  reference(target: string, full: boolean): unknown {
    const t = target.toLowerCase().replace(/\/+$/, '');
    const hit = this.resources.find((r) => {
      const v = this.resourceFor(r);
      if (isUnknown(v.name)) return false;
      const id = resourceIdOf(this.subscriptionId(), this.resourceGroupName(), v.type, v.name).toLowerCase();
      return id === t || v.name.toLowerCase() === t || id.endsWith(`/${t}`);
    });
    if (!hit) return new ArmUnknown(`reference(${JSON.stringify(target)}) is to a resource outside this template`);
    const v = this.resourceFor(hit);
    this.note({ kind: 'reference', name: isUnknown(v.name) ? target : v.name });
    const out = clone(full ? v.value : (isObj(v.value.properties) ? v.value.properties : {}));
    markDeep(out, this.referenced);
    return out;
  }

  // ---- evaluation of values ----

  /** Evaluate one template value (a string expression, or an object/array holding some). */
  evalValue(v: unknown, path: string, holder: object | null, key: string | number | null): unknown {
    if (typeof v === 'string') {
      if (!isExpression(v)) return unescapeLiteral(v);
      let ast: ArmExpr;
      try { ast = parseExpression(v); } catch (e) {
        if (e instanceof ArmSyntaxError) return new ArmUnknown(`not a valid expression: ${e.message}`, v, path);
        throw e;
      }
      const r = this.collect(() => this.evalExpr(ast));
      let value = r.value;
      if (isUnknown(value)) value = value.at(v, path);
      else if (typeof value === 'object' && value !== null) { value = clone(value); this.store.tagDeep(value, r.sources); }
      if (holder !== null && key !== null) this.store.set(holder, key, r.sources);
      return value;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      v.forEach((x, i) => { out.push(this.evalValue(x, `${path}[${i}]`, out, out.length)); });
      return out;
    }
    if (isObj(v)) {
      const out: Json = {};
      for (const [k, x] of Object.entries(v)) {
        if (k.toLowerCase() === 'copy' && Array.isArray(x) && x.every((c) => isObj(c) && 'input' in c)) {
          // A property copy loop: each entry makes the property it names an array.
          for (const c of x as Json[]) {
            const name = this.evalValue(c.name, `${path}.copy.name`, null, null);
            if (typeof name !== 'string') continue;
            out[name] = this.copyArray(c, path ? `${path}.copy` : 'copy', (lp) => this.evalValue(c.input, lp, null, null));
          }
          continue;
        }
        const kp = path ? `${path}.${k}` : k;
        const key2 = this.evalValue(k, kp, null, null);
        const kk = typeof key2 === 'string' ? key2 : k;
        out[kk] = this.evalValue(x, kp, out, kk);
      }
      return out;
    }
    return v;
  }

  private copyArray(c: Json, path: string, item: (loopPath: string) => unknown): unknown[] | ArmUnknown {
    const count = this.evalValue(c.count, `${path}.count`, null, null);
    if (isUnknown(count)) return count;
    const n = typeof count === 'number' ? count : Number(count);
    if (!Number.isInteger(n) || n < 0 || n > MAX_COPY) return new ArmUnknown(`copy count ${JSON.stringify(count)} is not 0-${MAX_COPY}`, '', `${path}.count`);
    if (n > this.store.copyBudget) return new ArmUnknown(`copy loops exceed ${MAX_COPY_TOTAL} items in total (not evaluated further)`, '', `${path}.count`);
    this.store.copyBudget -= n;
    const out: unknown[] = [];
    const name = typeof c.name === 'string' ? c.name : null;
    for (let i = 0; i < n; i++) {
      this.loops.push({ name, index: i });
      try { out.push(item(`${path}[${i}]`)); } finally { this.loops.pop(); }
    }
    return out;
  }

  evalExpr(e: ArmExpr): unknown {
    switch (e.kind) {
      case 'string': case 'number': case 'bool': return e.value;
      case 'null': return null;
      case 'member': {
        const t = this.evalExpr(e.target);
        return memberOf(t, e.name, this.referenced);
      }
      case 'index': {
        const t = this.evalExpr(e.target);
        const i = this.evalExpr(e.index);
        if (isUnknown(i)) return i;
        if (Array.isArray(t) && typeof i === 'number') return i >= 0 && i < t.length ? t[i] : new ArmUnknown(`index ${i} is outside an array of ${t.length}`);
        if (typeof i === 'string') return memberOf(t, i, this.referenced);
        return isUnknown(t) ? t : new ArmUnknown(`cannot index ${typeof t} with ${JSON.stringify(i)}`);
      }
      case 'call': return callFunction(this, e, (x) => this.evalExpr(x));
    }
  }

  // ---- resources ----

  collectResources(list: unknown, path: string, loop: Loop | null): void {
    const entries: [unknown, string][] = Array.isArray(list) ? list.map((r, i) => [r, `${path}[${i}]`])
      : isObj(list) ? Object.entries(list).map(([k, r]) => [r, `${path}.${k}`]) : [];
    for (const [raw, rp] of entries) {
      if (!isObj(raw)) continue;
      if (isObj(raw.copy)) {
        const c = raw.copy;
        const count = this.evalValue(c.count, `${rp}.copy.count`, null, null);
        const n = typeof count === 'number' ? count : Number(count);
        if (isUnknown(count) || !Number.isInteger(n) || n < 0 || n > MAX_COPY) {
          this.warnings.push({ path: `${rp}.copy.count`, message: isUnknown(count) ? `resource copy count is unknown (${count.reason}); the resource is left out` : `resource copy count ${JSON.stringify(count)} is not 0-${MAX_COPY}; the resource is left out` });
          continue;
        }
        if (n > this.store.copyBudget) {
          this.warnings.push({ path: `${rp}.copy.count`, message: `copy loops exceed ${MAX_COPY_TOTAL} items in total; the resource is left out` });
          continue;
        }
        this.store.copyBudget -= n;
        for (let i = 0; i < n; i++) this.resources.push({ raw, path: `${rp}[copy ${i}]`, loop: { name: typeof c.name === 'string' ? c.name : null, index: i } });
      } else this.resources.push({ raw, path: rp, loop });
    }
  }

  resourceFor(r: ResourceRecord): EvaluatedResource {
    if (r.done) return r.done;
    const key = `r:${r.path}`;
    if (this.evaluating.has(key)) return { type: typeof r.raw.type === 'string' ? r.raw.type : '', name: new ArmUnknown('the resource refers to itself'), value: {}, path: r.path };
    this.evaluating.add(key);
    if (r.loop) this.loops.push(r.loop);
    try {
      const isDeployment = typeof r.raw.type === 'string' && r.raw.type.toLowerCase() === 'microsoft.resources/deployments';
      // A nested deployment's inline template is evaluated in its own scope (below), not as values here.
      const raw = isDeployment && isObj(r.raw.properties) ? { ...r.raw, properties: { ...r.raw.properties, template: {} } } : r.raw;
      const value = this.evalValue(raw, r.path, null, null) as Json;
      if (isDeployment && isObj(r.raw.properties)) (value.properties as Json).template = r.raw.properties.template;
      // A type that is not text is no type (String() of a hostile object such as {"toString": null} throws).
      const type = typeof value.type === 'string' ? value.type : typeof r.raw.type === 'string' ? r.raw.type : '';
      const name = typeof value.name === 'string' ? value.name : isUnknown(value.name) ? value.name : new ArmUnknown('the resource has no name');
      r.done = { type, name, value, path: r.path };
      // A module runs when it is first needed, so reference(module).outputs works in any order.
      if (isDeployment) r.nested = this.nested(r.done, r.raw);
      return r.done;
    } finally {
      if (r.loop) this.loops.pop();
      this.evaluating.delete(key);
    }
  }

  /** Every resource in order; a nested deployment's resources follow it. */
  run(): EvaluatedResource[] {
    this.collectResources(this.template.resources, this.p('resources'), null);
    const out: EvaluatedResource[] = [];
    // An outer-scope nested template appends its resources to this list, so it is walked by index.
    for (let i = 0; i < this.resources.length; i++) {
      const r = this.resources[i]!;
      const ev = this.resourceFor(r);
      out.push(ev);
      out.push(...(r.nested ?? []));
    }
    return out;
  }

  private nested(ev: EvaluatedResource, raw: Json): EvaluatedResource[] {
    const props = isObj(ev.value.properties) ? ev.value.properties : {};
    const rawProps = isObj(raw.properties) ? raw.properties : {};
    if (!isObj(rawProps.template)) {
      if (props.templateLink !== undefined) this.warnings.push({ path: `${ev.path}.properties.templateLink`, message: 'a linked template is not read (only inline templates are); its resources are not in the plan' });
      return [];
    }
    const inner = rawProps.template;
    const path = `${ev.path}.properties.template`;
    const opts = isObj(props.expressionEvaluationOptions) ? props.expressionEvaluationOptions : {};
    const scope = typeof opts.scope === 'string' ? opts.scope.toLowerCase() : 'outer';
    if (scope !== 'inner') {
      // Outer scope: the inner template's expressions see this template's parameters and variables.
      this.collectResources(inner.resources, `${path}.resources`, null);
      this.setOutputs(ev, this, inner, path);
      return [];
    }
    const given: Record<string, SuppliedParameter> = {};
    const ps = isObj(props.parameters) ? props.parameters : {};
    for (const [k, v] of Object.entries(ps)) {
      const val = isObj(v) && 'value' in v ? v.value : isObj(v) && 'reference' in v ? new ArmUnknown(`parameter ${k} is a Key Vault reference`) : v;
      const srcs = isObj(v) ? this.store.get(v, 'value') : undefined;
      given[k] = { value: val, origin: 'module', file: ev.path, ...(srcs?.length ? { sources: [...srcs] } : {}) };
    }
    const sub = new Evaluator(inner, { ...this.options, parameters: given, pathPrefix: path }, this.store, this.warnings, path);
    const out = sub.run();
    this.setOutputs(ev, sub, inner, path);
    return out;
  }

  /** A deployment's outputs, as `reference(deployment).outputs.NAME.value` reads them. */
  private setOutputs(ev: EvaluatedResource, by: Evaluator, inner: Json, path: string): void {
    if (!isObj(inner.outputs) || !isObj(ev.value.properties)) return;
    const outputs: Json = {};
    for (const [k, o] of Object.entries(inner.outputs)) {
      if (!isObj(o)) continue;
      const entry: Json = { type: o.type };
      entry.value = by.evalValue(o.value, `${path}.outputs.${k}.value`, entry, 'value');
      outputs[k] = entry;
    }
    ev.value.properties.outputs = outputs;
  }
}

function markDeep(v: unknown, set: WeakSet<object>): void {
  if (Array.isArray(v)) { set.add(v); v.forEach((x) => markDeep(x, set)); } else if (isObj(v)) { set.add(v); Object.values(v).forEach((x) => markDeep(x, set)); }
}

/** `a.b` on an evaluated value: property names are case-insensitive, as in ARM. */
function memberOf(t: unknown, name: string, referenced: WeakSet<object>): unknown {
  if (isUnknown(t)) return t;
  if (isObj(t)) {
    if (name in t) return t[name];
    const k = Object.keys(t).find((x) => x.toLowerCase() === name.toLowerCase());
    if (k !== undefined) return t[k];
    if (referenced.has(t)) return new ArmUnknown(`${name} is a runtime property of a referenced resource, not in the template`);
    return new ArmUnknown(`the object has no property ${name}`);
  }
  return new ArmUnknown(`cannot read property ${name} of ${t === null ? 'null' : typeof t}`);
}

function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clone) as T;
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  return v;
}

/** A supplied value converted to the declared type (name=value gives strings). */
function coerceParameter(v: unknown, decl: Json, name: string): unknown {
  const type = typeof decl.type === 'string' ? decl.type.toLowerCase() : '';
  if (typeof v !== 'string') return v;
  if (type === 'int') return /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : new ArmUnknown(`parameter ${name} is declared int but was given ${JSON.stringify(v)}`);
  if (type === 'bool') return /^true$/i.test(v) ? true : /^false$/i.test(v) ? false : new ArmUnknown(`parameter ${name} is declared bool but was given ${JSON.stringify(v)}`);
  if (type === 'object' || type === 'array' || type === 'secureobject') {
    try { return JSON.parse(v) as unknown; } catch { return new ArmUnknown(`parameter ${name} is declared ${type} but its value is not JSON`); }
  }
  return v;
}

/** `/subscriptions/S/resourceGroups/G/providers/NS/type/name[/child/name...]`. */
export function resourceIdOf(sub: string, rg: string, type: string, name: string): string {
  const types = type.replace(/\/+$/, '').split('/');
  const names = name.split('/');
  let id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${types[0]}/${types[1]}/${names[0]}`;
  for (let i = 2; i < types.length; i++) id += `/${types[i]}/${names[i - 1] ?? ''}`;
  return id;
}

/** Whether a document is an ARM deployment template (rather than a deployed resource). */
export function isTemplate(doc: unknown): doc is Json {
  if (!isObj(doc)) return false;
  const schema = typeof doc.$schema === 'string' ? doc.$schema.toLowerCase() : '';
  if (schema.includes('deploymenttemplate')) return true;
  return (Array.isArray(doc.resources) || isObj(doc.resources)) && ('contentVersion' in doc || 'parameters' in doc || 'variables' in doc);
}

/**
 * Evaluate a deployment template: every resource (nested deployments' included), with each
 * expression replaced by its value or an {@link ArmUnknown}. Never throws for a template that is
 * JSON; an expression it cannot evaluate becomes an unknown at that spot.
 */
export function evaluateTemplate(template: Json, options: EvaluateOptions = {}): TemplateEvaluation {
  const store = new SourceStore();
  const warnings: ArmWarning[] = [];
  const ev = new Evaluator(template, options, store, warnings, options.pathPrefix ?? '');
  const resources = ev.run();
  return { resources, warnings, sourcesOf: (c, k) => store.get(c, k) };
}

/**
 * Evaluate the expressions in a single value outside any template (a resource someone copied out
 * of one): parameters and variables are unknown, functions of literals are computed.
 */
export function evaluateLoose(value: unknown, path = ''): { value: unknown; sourcesOf: TemplateEvaluation['sourcesOf'] } {
  const store = new SourceStore();
  const ev = new Evaluator({}, {}, store, [], '');
  return { value: ev.evalValue(value, path, null, null), sourcesOf: (c, k) => store.get(c, k) };
}
