/**
 * Import an Application Gateway from what people actually have (appgw-spec §4): the output of
 * `az network application-gateway show` (flattened: no `properties` wrappers), the ARM/REST
 * resource (`properties` on the gateway and each sub-resource), an ARM deployment template (the
 * quickstarts, the portal's Export template, `az bicep build` output) evaluated with its
 * parameters, or `terraform show -json` of a plan or a state.
 *
 * Reading is tolerant, meaning is strict. Property names match case-insensitively (as ARM does);
 * an FQDN written in `ipAddress` is an FQDN (as the gateway resolves it); bare-string addresses are
 * read; unknown properties are ignored. A value that cannot be known (a template parameter with no
 * value, a redacted certificate, a reference to something absent) costs only the rows that need it:
 * they are planned but not probed, with the reason. A value of the wrong type is still one
 * InputError naming its JSON path, before any backend is contacted.
 */
import net from 'node:net';
import { InputError } from '../model/errors.js';
import { parseStatusMatch, validateBodyMatch } from './match.js';
import { parseCertificate } from '../x509/cert.js';
import { decodeCertificates, readInputFile, inputLabel } from '../x509/decode.js';
import type { ParsedCert } from '../x509/types.js';
import { ArmUnknown, isUnknown, describeSources, type ArmSource } from './arm/values.js';
import { evaluateLoose, evaluateTemplate, isTemplate, type SuppliedParameter } from './arm/template.js';
import { isParameterFileArg, mergeParameters, type ParameterArg } from './arm/parameters.js';
import { isTerraformShow, terraformGateway } from './terraform.js';

/** The gateway generation whose rules apply (Standard_v2/WAF_v2 are v2). */
export type GatewaySku = 'v1' | 'v2';
/** The document a configuration was read from: `az network application-gateway show` output, an ARM resource, an ARM template, or Terraform's JSON. */
export type ConfigShape = 'cli' | 'arm' | 'arm-template' | 'terraform-plan' | 'terraform-state';

/** One backend address of a pool: an FQDN or an IP address, and where the document holds it. */
export interface PoolMember {
  kind: 'fqdn' | 'ip';
  address: string;
  jsonPath: string;
  /** Set when the address cannot be known from the document; the member's rows are not probed. */
  unknown?: string;
  /** Where the address came from when not written literally (a template parameter, a variable). */
  source?: string;
}

/** A backend address pool as the gateway's configuration declares it. */
export interface BackendPool {
  name: string;
  id: string | null;
  jsonPath: string;
  members: PoolMember[];
  /** NIC-based members (backendIPConfigurations): their addresses are not in the document. */
  nicMembers: number;
}

/** A certificate uploaded to the gateway (trusted root or v1 authentication certificate), decoded. */
export interface GatewayCert {
  name: string;
  id: string | null;
  jsonPath: string;
  /** Decoded from `data` (Base-64 DER, PEM, or Base-64 of a PEM file); empty when only in Key Vault. */
  certificates: ParsedCert[];
  keyVaultSecretId: string | null;
  /** Why the certificate's content is not known here (redacted data, absent from the document, ...). */
  unavailable?: string;
}

/** A custom health probe as configured. */
export interface GatewayProbe {
  name: string;
  id: string | null;
  jsonPath: string;
  protocol: 'Http' | 'Https' | null;
  host: string | null;
  path: string;
  interval: number | null;
  timeout: number | null;
  unhealthyThreshold: number | null;
  pickHostNameFromBackendHttpSettings: boolean;
  minServers: number | null;
  port: number | null;
  /** null when the probe has no match or an empty list: the gateway's default 200-399 applies. */
  statusCodes: string[] | null;
  body: string | null;
  /** Values that cannot be known (`field: why`); the rows using this probe are not probed. */
  unknown?: string[];
  /** Field name → where its value came from, for values not written literally. */
  sources?: Record<string, string>;
}

/** A backend setting (backend HTTP settings): port, protocol, host name choice, probe, trust. */
export interface BackendSetting {
  name: string;
  id: string | null;
  jsonPath: string;
  port: number;
  protocol: 'Http' | 'Https';
  hostName: string | null;
  pickHostNameFromBackendAddress: boolean;
  probe: GatewayProbe | null;
  probeEnabled: boolean | null;
  trustedRoots: GatewayCert[];
  authCerts: GatewayCert[];
  validateCertChainAndExpiry: boolean | null;
  validateSNI: boolean | null;
  sniName: string | null;
  requestTimeout: number | null;
  /** Values that cannot be known (`field: why`); the rows using this setting are not probed. */
  unknown?: string[];
  /** Field name → where its value came from, for values not written literally. */
  sources?: Record<string, string>;
}

/** A pool and a setting that a routing rule (or path rule) sends traffic through together. */
export interface PoolSettingPair { pool: BackendPool; setting: BackendSetting; via: string[] }

/** A gateway's configuration as certcheck reads it from `parseGatewayConfig` / `loadGatewayConfig`. */
export interface GatewayConfig {
  source: string;
  shape: ConfigShape;
  name: string | null;
  id: string | null;
  sku: { name: string | null; tier: string | null; version: GatewaySku };
  pools: BackendPool[];
  settings: BackendSetting[];
  probes: GatewayProbe[];
  trustedRoots: GatewayCert[];
  authCerts: GatewayCert[];
  /** Pairs taken from requestRoutingRules and urlPathMaps; null when the document has no rules. */
  routedPairs: PoolSettingPair[] | null;
  notes: string[];
  /** Gateway-wide values that cannot be known (the SKU): every row is planned but not probed. */
  unknown?: string[];
}

/** How to read a configuration: template parameters, as `az deployment group create` takes them. */
export interface GatewayConfigOptions {
  /** Parameter values for an ARM template (merged from --parameters files and name=value pairs). */
  parameters?: Record<string, SuppliedParameter>;
}

type Json = Record<string, unknown>;

/** `a.b`, or just `b` at the document root. */
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);

function shown(v: unknown): string {
  if (isUnknown(v)) return v.expression || `(unknown: ${v.reason})`;
  let s: string;
  try { s = JSON.stringify(v) ?? String(v); } catch { s = String(v); }
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** The actual key of `key` in `o`, matched as ARM matches property names (case-insensitively). */
function keyOf(o: Json, key: string): string | undefined {
  if (key in o) return key;
  const l = key.toLowerCase();
  return Object.keys(o).find((k) => k.toLowerCase() === l);
}
function get(o: Json, key: string): unknown {
  const k = keyOf(o, key);
  return k === undefined ? undefined : o[k];
}

/** Fields that name a host: a placeholder-built value there would be probed under a wrong name. */
const HOST_KEYS = new Set(['host', 'hostName', 'sniName']);

type SourcesOf = (container: object, key: string | number) => readonly ArmSource[] | undefined;

/**
 * Reads values out of the document with the JSON path always at hand for the error. Unknown
 * values and the sources of evaluated ones are collected per entity (`begin` / `end`).
 */
class Reader {
  private unknowns: string[] = [];
  private sources: Record<string, string> = {};
  /** Original paths of items converted from another shape (Terraform), by object. */
  readonly paths = new WeakMap<object, string>();

  constructor(readonly source: string, readonly sourcesOf: SourcesOf = () => undefined) {}

  fail(path: string, msg: string): never {
    throw new InputError(`${this.source}: ${path}: ${msg}`);
  }

  begin(): void { this.unknowns = []; this.sources = {}; }
  end(): { unknown?: string[]; sources?: Record<string, string> } {
    const out = { ...(this.unknowns.length ? { unknown: this.unknowns } : {}), ...(Object.keys(this.sources).length ? { sources: this.sources } : {}) };
    this.begin();
    return out;
  }

  /** The value at `obj[key]` (case-insensitive), its path, and (when unknown) null with a record of why. */
  private val(obj: Json, key: string, path: string): { v: unknown; p: string } {
    const k = keyOf(obj, key);
    const p = join(path, k ?? key);
    const v = k === undefined ? undefined : obj[k];
    if (k !== undefined) {
      const src = describeSources(this.sourcesOf(obj, k));
      if (src) this.sources[key] = src;
    }
    if (isUnknown(v)) {
      this.unknowns.push(`${key}: ${v.path ? v.describe() : `${p}: ${v.reason}`}`);
      return { v: undefined, p };
    }
    const ph = HOST_KEYS.has(key) && k !== undefined ? this.placeholder(obj, k) : null;
    if (ph) {
      this.unknowns.push(`${key}: ${p}: ${shown(v)} ${ph}`);
      return { v: undefined, p };
    }
    return { v, p };
  }

  /**
   * Why a value built from the deployment context (resourceGroup().id, subscription()) cannot be
   * used as a host name: the evaluation had only placeholders, so the name would be wrong.
   */
  placeholder(container: object, key: string | number): string | null {
    const ctx = (this.sourcesOf(container, key) ?? []).filter((x) => x.kind === 'context' && x.placeholder);
    return ctx.length ? `is built from ${ctx.map((x) => x.name).join(', ')}, known only at deployment (evaluated with a placeholder)` : null;
  }

  /** The unknown at `obj[key]`, or null. */
  unknownAt(obj: Json, key: string): ArmUnknown | null {
    const v = get(obj, key);
    return isUnknown(v) ? v : null;
  }

  /** Record where a field's value came from (for values assembled from several parts). */
  addSource(key: string, text: string | null): void {
    if (text) this.sources[key] = this.sources[key] ? `${this.sources[key]}, ${text}` : text;
  }

  /** Where an array element came from, when not written literally. */
  sourceAtIndex(arr: unknown[], i: number): string | null {
    return describeSources(this.sourcesOf(arr, i));
  }

  /** Lists that were unknown as a whole: nothing in them can be planned. */
  readonly lostLists: string[] = [];

  sourceAt(obj: Json, key: string): string | null {
    const k = keyOf(obj, key);
    return k === undefined ? null : describeSources(this.sourcesOf(obj, k));
  }

  private rejectExpression(path: string, v: unknown): void {
    if (typeof v === 'string' && /^\[[^[]/.test(v) && v.endsWith(']')) {
      this.fail(path, `ARM template expression ${shown(v)} was not evaluated (is this a template resource outside its template? pass the whole template)`);
    }
  }

  str(obj: Json, key: string, path: string, opts: { required?: boolean } = {}): string | null {
    const { v, p } = this.val(obj, key, path);
    if (v === undefined || v === null) {
      if (opts.required && !this.unknownAt(obj, key)) this.fail(p, 'missing');
      return null;
    }
    if (typeof v !== 'string') this.fail(p, `expected a string, got ${shown(v)}`);
    this.rejectExpression(p, v);
    return v;
  }

  bool(obj: Json, key: string, path: string): boolean | null {
    const { v, p } = this.val(obj, key, path);
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    // PowerShell and hand-edited templates sometimes quote booleans.
    if (typeof v === 'string' && /^true$/i.test(v)) return true;
    if (typeof v === 'string' && /^false$/i.test(v)) return false;
    return this.fail(p, `expected true or false, got ${shown(v)}`);
  }

  int(obj: Json, key: string, path: string, min: number, max: number, opts: { required?: boolean } = {}): number | null {
    const { v, p } = this.val(obj, key, path);
    if (v === undefined || v === null) {
      if (opts.required && !this.unknownAt(obj, key)) this.fail(p, `missing (expected ${min}-${max})`);
      return null;
    }
    this.rejectExpression(p, v);
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) this.fail(p, `expected ${min}-${max}, got ${shown(v)}`);
    return n;
  }

  arr(obj: Json, key: string, path: string): unknown[] {
    const { v, p } = this.val(obj, key, path);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(p, `expected an array, got ${shown(v)}`);
    return v;
  }

  obj(v: unknown, path: string): Json {
    if (!isObj(v)) this.fail(path, `expected an object, got ${shown(v)}`);
    return v;
  }
}

/** One sub-resource: its name/id and where its fields live (`properties` or the item itself). */
interface Item { name: string; id: string | null; props: Json; path: string; raw: Json }

function items(r: Reader, parent: Json, key: string, parentPath: string): Item[] {
  const actual = keyOf(parent, key) ?? key;
  const prefix = parentPath ? `${parentPath}.${actual}` : actual;
  const list = r.arr(parent, key, parentPath);
  const lost = r.unknownAt(parent, key);
  if (lost) r.lostLists.push(`${prefix}: ${lost.describe()}; nothing in it is planned`);
  r.end(); // the list's own unknowns/sources belong to no entity
  return list.map((raw, i) => {
    const path0 = `${prefix}[${i}]`;
    const o = r.obj(raw, path0);
    const path = r.paths.get(o) ?? path0;
    const pk = keyOf(o, 'properties');
    const hasProps = pk !== undefined && isObj(o[pk]);
    const props = hasProps ? (o[pk!] as Json) : o;
    let name = r.str(o, 'name', path, { required: true });
    const nameUnknown = r.unknownAt(o, 'name');
    if (name === null) name = nameUnknown ? shown(nameUnknown) : `#${i}`;
    const id = r.str(o, 'id', path);
    r.end();
    return { name, id, props, path: hasProps ? `${path}.${pk}` : path, raw: o };
  });
}

function lastSegment(s: string): string {
  const t = s.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

type Resolved<T> = { found: T } | { missing: string };

/**
 * A reference `{id}` names its target by full resource id (matched case-insensitively, as Azure
 * does), by an id shortened with "…" (last path segment), by a bare name (Terraform's `*_name`),
 * or in an unevaluated template by the last string literal of a resourceId()/concat() expression.
 * A reference to something not in the document is `missing`, with the words to say so.
 */
function resolveRef<T extends { name: string; id: string | null }>(r: Reader, ref: unknown, path: string, list: T[], what: string, collection: string): Resolved<T> {
  const o = r.obj(ref, path);
  const idKey = keyOf(o, 'id') ?? 'id';
  const id = o[idKey];
  if (isUnknown(id)) return { missing: `${path}.${idKey}: ${id.expression || 'the reference'} is unknown (${id.reason})` };
  if (typeof id !== 'string' || id === '') return r.fail(`${path}.${idKey}`, `expected a resource id string, got ${shown(id)}`);
  const byId = list.find((x) => x.id !== null && x.id.toLowerCase() === id.toLowerCase());
  if (byId) return { found: byId };
  let name = lastSegment(id);
  if (id.startsWith('[')) {
    const lits = [...id.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    name = lastSegment(lits[lits.length - 1] ?? '');
  }
  const byName = list.filter((x) => x.name.toLowerCase() === name.toLowerCase());
  if (byName.length === 1) return { found: byName[0]! };
  const have = list.length ? list.map((x) => x.name).join(', ') : 'none';
  return { missing: `${path}.${idKey}: no ${what} named ${shown(name)} in ${collection} (have: ${have})` };
}

function checkFqdn(r: Reader, path: string, name: string): void {
  if (!isHostName(name)) r.fail(path, `not a host name: ${shown(name)}`);
}

function isHostName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  return !(bare === '' || bare.length > 253 || /[\s/\\\u0000-\u001f\u007f:@]/u.test(bare) || bare.split('.').some((l) => l === '' || l.length > 63));
}

/** Certificate data that an export or an example blanked out on purpose. */
function isRedacted(data: string): boolean {
  const t = data.trim();
  return /^[*xX\u2022.#-]{3,}$/.test(t) || /^<[^<>]*>$/.test(t) || /^\[?(redacted|hidden|removed|sensitive)\]?$/i.test(t) || /^\(sensitive value\)$/i.test(t);
}

async function certs(r: Reader, list: Item[], what: string): Promise<GatewayCert[]> {
  const out: GatewayCert[] = [];
  for (const it of list) {
    const dataUnknown = r.unknownAt(it.props, 'data');
    const data = r.str(it.props, 'data', it.path);
    const kv = r.str(it.props, 'keyVaultSecretId', it.path);
    const kvUnknown = r.unknownAt(it.props, 'keyVaultSecretId');
    r.end();
    const dataPath = join(it.path, keyOf(it.props, 'data') ?? 'data');
    let parsed: ParsedCert[] = [];
    let unavailable: string | undefined;
    if (dataUnknown) unavailable = `its data is unknown here (${dataUnknown.describe()})`;
    else if (data !== null && data.trim() !== '' && isRedacted(data)) unavailable = `its data is redacted (${shown(data)}) in this document (${dataPath}), so the trusted roots are unknown`;
    else if (data !== null && data.trim() !== '') {
      const label = `${r.source}: ${dataPath}`;
      const decoded = await decodeCertificates(new TextEncoder().encode(data), label);
      parsed = decoded.certificates.map((der) => {
        try { return parseCertificate(der); } catch (e) { throw new InputError(`${label}: certificate does not decode (${(e as Error).message})`); }
      });
    } else if (kvUnknown) unavailable = `its Key Vault secret id is unknown here (${kvUnknown.describe()})`;
    else if (kv === null) r.fail(dataPath, `${what} ${shown(it.name)} has neither data nor keyVaultSecretId`);
    out.push({ name: it.name, id: it.id, jsonPath: it.path, certificates: parsed, keyVaultSecretId: kv, ...(unavailable ? { unavailable } : {}) });
  }
  return out;
}

function protocolOf(r: Reader, props: Json, path: string, required: boolean): 'Http' | 'Https' | null {
  const v = r.str(props, 'protocol', path, { required });
  if (v === null) return null;
  const l = v.toLowerCase();
  if (l === 'http') return 'Http';
  if (l === 'https') return 'Https';
  return r.fail(join(path, keyOf(props, 'protocol') ?? 'protocol'), `expected Http or Https, got ${shown(v)}`);
}

const isGatewayType = (t: unknown) => typeof t === 'string' && t.toLowerCase() === 'microsoft.network/applicationgateways';

/** Pick the gateway object out of whatever was exported. */
function locate(r: Reader, doc: unknown): { gw: Json; root: string; shape: ConfigShape } {
  if (Array.isArray(doc)) {
    const gws = doc.map((d, i) => ({ d, i })).filter(({ d }) => isObj(d) && (isObj(get(d, 'properties')) || keyOf(d, 'backendAddressPools') !== undefined || keyOf(d, 'sku') !== undefined));
    if (gws.length !== 1) r.fail('$', `the document is a list of ${doc.length} items; export one gateway (az network application-gateway show -n NAME -g RG)`);
    const { d, i } = gws[0]!;
    const inner = locate(r, d);
    return { ...inner, root: `[${i}]${inner.root ? `.${inner.root}` : ''}` };
  }
  const top = r.obj(doc, '$');
  // A REST list response (GET .../applicationGateways, az rest) wraps the gateways in "value".
  const vk = keyOf(top, 'value');
  if (vk !== undefined && Array.isArray(top[vk]) && Object.keys(top).every((k) => k === vk || k.toLowerCase() === 'nextlink')) {
    const inner = locate(r, top[vk]);
    return { ...inner, root: `${vk}${inner.root}` };
  }
  const rk = keyOf(top, 'resources');
  if (rk !== undefined && Array.isArray(top[rk])) {
    const list = top[rk] as unknown[];
    const idx = list.findIndex((x) => isObj(x) && isGatewayType(get(x, 'type')));
    if (idx < 0) r.fail(rk, 'no resource of type Microsoft.Network/applicationGateways in this template');
    return { gw: list[idx] as Json, root: `${rk}[${idx}]`, shape: 'arm-template' };
  }
  return { gw: top, root: '', shape: isObj(get(top, 'properties')) ? 'arm' : 'cli' };
}

/** The gateway resource out of an evaluated template, with the evaluation's warnings as notes. */
function fromTemplate(r: Reader, doc: Json, o: GatewayConfigOptions, notes: string[]): { gw: Json; root: string; sourcesOf: SourcesOf } {
  const ev = evaluateTemplate(doc, { ...(o.parameters ? { parameters: o.parameters } : {}) });
  for (const w of ev.warnings) notes.push(`${w.path}: ${w.message}`);
  // An `existing` gateway (Bicep's `resource x '...' existing`) is only referred to, not configured here.
  const gws = ev.resources.filter((x) => isGatewayType(x.type) && x.value.existing !== true);
  if (gws.length === 0) {
    const nested = ev.resources.some((x) => x.type.toLowerCase() === 'microsoft.resources/deployments');
    r.fail('resources', `no resource of type Microsoft.Network/applicationGateways in this template${nested ? ' or its inline nested templates' : ''}`);
  }
  if (gws.length > 1) r.fail('resources', `the template deploys ${gws.length} application gateways (${gws.map((g) => `${shown(g.name)} at ${g.path}`).join(', ')}); certcheck reads one: export it with az network application-gateway show`);
  return { gw: gws[0]!.value, root: gws[0]!.path, sourcesOf: ev.sourcesOf };
}

/**
 * Parse an already-decoded JSON document; `source` names it in every error. An ARM template is
 * evaluated with `options.parameters` (and its parameters' defaults); Terraform's `show -json` is
 * read from its `azurerm_application_gateway`.
 */
export async function parseGatewayConfig(doc: unknown, source: string, options: GatewayConfigOptions = {}): Promise<GatewayConfig> {
  let r = new Reader(source);
  const notes: string[] = [];
  let gw: Json, root: string, shape0: ConfigShape;
  if (isObj(doc) && typeof doc.$schema === 'string' && /deploymentparameters/i.test(doc.$schema)) {
    r.fail('$', 'this is a deployment parameters file, not a gateway: pass the template and this file with --parameters');
  }
  if (isTerraformShow(doc)) {
    const tf = terraformGateway(doc, source);
    for (const n of tf.notes) notes.push(n);
    r = new Reader(source, tf.sourcesOf);
    for (const [o, p] of tf.paths) r.paths.set(o, p);
    gw = tf.gateway; root = tf.root; shape0 = tf.shape;
  } else if (isTemplate(doc)) {
    const t = fromTemplate(r, doc, options, notes);
    r = new Reader(source, t.sourcesOf);
    gw = t.gw; root = t.root; shape0 = 'arm-template';
  } else {
    if (options.parameters && Object.keys(options.parameters).length) notes.push('--parameters is for an ARM template; this document is a deployed gateway, so they are not used');
    const l = locate(r, doc);
    root = l.root; shape0 = l.shape;
    // A resource copied out of a template may still hold expressions: functions of literals are
    // computed, anything needing the template's parameters becomes unknown for its rows.
    const ev = evaluateLoose(l.gw, root);
    gw = ev.value as Json;
    r = new Reader(source, ev.sourcesOf);
  }
  const pk = keyOf(gw, 'properties');
  const hasProps = pk !== undefined && isObj(gw[pk]);
  const shape: ConfigShape = shape0 === 'arm-template' || shape0.startsWith('terraform') ? shape0 : hasProps ? 'arm' : 'cli';
  const props = hasProps ? (gw[pk!] as Json) : gw;
  const pp = hasProps ? join(root, pk!) : root;
  const at = (k: string) => join(pp, keyOf(props, k) ?? k);
  const cfgUnknown: string[] = [];

  if (keyOf(props, 'backendAddressPools') === undefined && keyOf(props, 'backendHttpSettingsCollection') === undefined) {
    r.fail(pp || '$', 'not an Application Gateway: no backendAddressPools or backendHttpSettingsCollection (expected the output of az network application-gateway show, the ARM/REST resource, an ARM template, or terraform show -json)');
  }

  // SKU: v1 is tier Standard or WAF (appgw-spec §4); `sku` lives in `properties` in ARM, at top in az.
  const skuIn = isObj(get(props, 'sku')) ? props : isObj(get(gw, 'sku')) ? gw : null;
  const skuObj = skuIn ? (get(skuIn, 'sku') as Json) : null;
  const skuPath = skuIn === props ? at('sku') : join(root, skuIn ? keyOf(gw, 'sku')! : 'sku');
  let skuName: string | null = null, tier: string | null = null;
  if (skuObj) {
    skuName = r.str(skuObj, 'name', skuPath);
    tier = r.str(skuObj, 'tier', skuPath);
    const { unknown, sources } = r.end();
    if (unknown && tier === null && skuName === null) cfgUnknown.push(...unknown.map((u) => `sku ${u}`));
    else if (unknown) notes.push(...unknown.map((u) => `sku ${u}; the rules follow the part that is known`));
    if (sources) notes.push(`sku ${Object.entries(sources).map(([k, v]) => `${k} from ${v}`).join('; ')}`);
  } else notes.push('no sku in the document: assuming v2 (Standard_v2/WAF_v2)');
  const t = (tier ?? skuName ?? '').toLowerCase();
  const version: GatewaySku = t === 'standard' || t === 'waf' || /^(standard|waf)_(small|medium|large)$/.test(t) ? 'v1' : 'v2';
  if (skuObj && tier === null && skuName === null && !cfgUnknown.length) notes.push('sku has neither name nor tier: assuming v2');

  const trustedRoots = await certs(r, items(r, props, 'trustedRootCertificates', pp), 'trusted root certificate');
  const authCerts = await certs(r, items(r, props, 'authenticationCertificates', pp), 'authentication certificate');

  const probes: GatewayProbe[] = items(r, props, 'probes', pp).map((it) => {
    const p = it.props;
    const pathKey = keyOf(p, 'path') ?? 'path';
    const path = r.str(p, 'path', it.path) ?? '/';
    if (!path.startsWith('/')) r.fail(`${it.path}.${pathKey}`, `must start with "/", got ${shown(path)}`);
    let statusCodes: string[] | null = null;
    let body: string | null = null;
    const mk = keyOf(p, 'match');
    const mv = mk === undefined ? undefined : p[mk];
    if (isUnknown(mv)) r.str(p, 'match', it.path);
    else if (mv !== undefined && mv !== null) {
      const mPath = `${it.path}.${mk}`;
      const m = r.obj(mv, mPath);
      const sk = keyOf(m, 'statusCodes') ?? 'statusCodes';
      const codes = r.arr(m, 'statusCodes', mPath);
      const unknownCode = codes.find(isUnknown);
      if (unknownCode) r.str({ statusCodes: unknownCode }, 'statusCodes', mPath);
      else {
        codes.forEach((c, i) => { if (typeof c !== 'string') r.fail(`${mPath}.${sk}[${i}]`, `expected a string like "200-399", got ${shown(c)}`); });
        if (codes.length) {
          try { parseStatusMatch(codes as string[]); } catch (e) { r.fail(`${mPath}.${sk}`, (e as Error).message); }
          for (const src of new Set(codes.map((_, i) => r.sourceAtIndex(codes, i)))) r.addSource('statusCodes', src);
          statusCodes = codes as string[];
        }
      }
      const b = r.str(m, 'body', mPath);
      if (b !== null && b !== '') {
        try { validateBodyMatch(b); } catch (e) { r.fail(`${mPath}.${keyOf(m, 'body')}`, (e as Error).message); }
        body = b;
      }
    }
    // An unknown host is shown as its expression; the rows using the probe are not probed.
    const host = r.str(p, 'host', it.path) ?? unknownText(r.unknownAt(p, 'host'));
    if (host !== null && host !== '' && net.isIP(host) === 0 && !r.unknownAt(p, 'host')) checkFqdn(r, `${it.path}.${keyOf(p, 'host')}`, host);
    const probe: GatewayProbe = {
      name: it.name, id: it.id, jsonPath: it.path,
      protocol: protocolOf(r, p, it.path, false),
      host: host === '' ? null : host,
      path,
      interval: r.int(p, 'interval', it.path, 1, 86400),
      timeout: r.int(p, 'timeout', it.path, 1, 86400),
      unhealthyThreshold: r.int(p, 'unhealthyThreshold', it.path, 1, 20),
      pickHostNameFromBackendHttpSettings: r.bool(p, 'pickHostNameFromBackendHttpSettings', it.path) ?? false,
      minServers: r.int(p, 'minServers', it.path, 0, 1_000_000),
      port: r.int(p, 'port', it.path, 1, 65535),
      statusCodes, body,
    };
    return { ...probe, ...r.end() };
  });

  const pools: BackendPool[] = items(r, props, 'backendAddressPools', pp).map((it) => {
    const ak = keyOf(it.props, 'backendAddresses') ?? 'backendAddresses';
    const addrs = r.arr(it.props, 'backendAddresses', it.path);
    const lostAddrs = r.unknownAt(it.props, 'backendAddresses');
    if (lostAddrs) notes.push(`pool ${it.name}: its addresses are unknown (${lostAddrs.describe()}); none is planned`);
    const members = addrs.map((raw, i): PoolMember => {
      const path = `${it.path}.${ak}[${i}]`;
      if (isUnknown(raw)) return unknownMember(raw, path, null);
      // REST examples write a member as a bare string: an IP or a host name.
      if (typeof raw === 'string') {
        const ph = r.placeholder(addrs, i);
        if (ph) return unknownMember(new ArmUnknown(`${shown(raw)} ${ph}`, '', path), path, r.sourceAtIndex(addrs, i));
        return memberFromText(r, raw, path, 'string', r.sourceAtIndex(addrs, i));
      }
      const o = r.obj(raw, path);
      const fk = keyOf(o, 'fqdn'), ik = keyOf(o, 'ipAddress');
      const fu = r.unknownAt(o, 'fqdn'), iu = r.unknownAt(o, 'ipAddress');
      if (fu || iu) return unknownMember((fu ?? iu)!, `${path}.${fu ? fk : ik}`, r.sourceAt(o, fu ? 'fqdn' : 'ipAddress'));
      const phk = fk !== undefined && r.placeholder(o, fk) ? fk : ik !== undefined && r.placeholder(o, ik) ? ik : undefined;
      if (phk !== undefined) return unknownMember(new ArmUnknown(`${shown(o[phk])} ${r.placeholder(o, phk)}`, '', `${path}.${phk}`), `${path}.${phk}`, r.sourceAt(o, phk));
      const fqdn = r.str(o, 'fqdn', path);
      const ip = r.str(o, 'ipAddress', path);
      r.end();
      if (fqdn && ip) r.fail(path, 'has both fqdn and ipAddress; a member is one or the other');
      if (ip) return memberFromText(r, ip, `${path}.${ik}`, 'ipAddress', r.sourceAt(o, 'ipAddress'));
      if (fqdn) return memberFromText(r, fqdn, `${path}.${fk}`, 'fqdn', r.sourceAt(o, 'fqdn'));
      return r.fail(path, 'expected {"fqdn": ...} or {"ipAddress": ...}');
    });
    r.end();
    const nicMembers = r.arr(it.props, 'backendIPConfigurations', it.path).length;
    r.end();
    if (nicMembers) notes.push(`pool ${it.name}: ${nicMembers} NIC-based member(s) (backendIPConfigurations) have no address in this document and are not probed`);
    return { name: it.name, id: it.id, jsonPath: it.path, members, nicMembers };
  });

  const settings: BackendSetting[] = items(r, props, 'backendHttpSettingsCollection', pp).map((it) => {
    const p = it.props;
    const missing: string[] = [];
    const probeKey = keyOf(p, 'probe');
    const probeRef = probeKey === undefined ? undefined : p[probeKey];
    let probe: GatewayProbe | null = null;
    if (probeRef !== undefined && probeRef !== null) {
      const res = resolveRef(r, probeRef, `${it.path}.${probeKey}`, probes, 'probe', 'probes');
      if ('found' in res) probe = res.found; else missing.push(`probe: ${res.missing}`);
    }
    const refs = (key: string, list: GatewayCert[], what: string) => {
      const k = keyOf(p, key) ?? key;
      const out = r.arr(p, key, it.path).map((ref, i) => {
        const res = resolveRef(r, ref, `${it.path}.${k}[${i}]`, list, what, key);
        if ('found' in res) return res.found;
        // The setting names a certificate the document does not hold: its trust mode is known, its content is not.
        const name = isObj(ref) && typeof get(ref, 'id') === 'string' ? lastSegment(get(ref, 'id') as string) : `#${i}`;
        notes.push(`setting ${it.name}: ${res.missing}; its rows are not probed`);
        return { name, id: null, jsonPath: `${it.path}.${k}[${i}]`, certificates: [], keyVaultSecretId: null, unavailable: `it is not in this document (${res.missing})` } satisfies GatewayCert;
      });
      r.end();
      return out;
    };
    const trusted = refs('trustedRootCertificates', trustedRoots, 'trusted root certificate');
    const auth = refs('authenticationCertificates', authCerts, 'authentication certificate');
    for (const m of missing) notes.push(`setting ${it.name}: ${m.replace(/^probe: /, '')}; its rows are not probed`);
    const hostName = r.str(p, 'hostName', it.path) ?? unknownText(r.unknownAt(p, 'hostName'));
    if (hostName !== null && hostName !== '' && net.isIP(hostName) === 0 && !r.unknownAt(p, 'hostName')) checkFqdn(r, `${it.path}.${keyOf(p, 'hostName')}`, hostName);
    const sniName = r.str(p, 'sniName', it.path);
    if (sniName !== null && sniName !== '') checkFqdn(r, `${it.path}.${keyOf(p, 'sniName')}`, sniName);
    const protocol = protocolOf(r, p, it.path, true);
    const port = r.int(p, 'port', it.path, 1, 65535, { required: true });
    const setting: BackendSetting = {
      name: it.name, id: it.id, jsonPath: it.path,
      // An unknown port or protocol leaves the rows unprobed; the placeholders keep the plan printable.
      port: port ?? (protocol === 'Http' ? 80 : 443),
      protocol: protocol ?? 'Https',
      hostName: hostName === '' ? null : hostName,
      pickHostNameFromBackendAddress: r.bool(p, 'pickHostNameFromBackendAddress', it.path) ?? false,
      probe,
      probeEnabled: r.bool(p, 'probeEnabled', it.path),
      trustedRoots: trusted,
      authCerts: auth,
      validateCertChainAndExpiry: r.bool(p, 'validateCertChainAndExpiry', it.path),
      validateSNI: r.bool(p, 'validateSNI', it.path),
      sniName: sniName === '' ? null : sniName,
      requestTimeout: r.int(p, 'requestTimeout', it.path, 1, 86400),
    };
    const end = r.end();
    const unknown = [...missing, ...(end.unknown ?? [])];
    return { ...setting, ...(unknown.length ? { unknown } : {}), ...(end.sources ? { sources: end.sources } : {}) };
  });

  for (const [list, what] of [[pools, 'backendAddressPools'], [settings, 'backendHttpSettingsCollection'], [probes, 'probes']] as const) {
    const seen = new Set<string>();
    for (const x of list as { name: string; jsonPath: string }[]) {
      if (seen.has(x.name.toLowerCase())) r.fail(`${x.jsonPath.replace(/\.properties$/i, '')}.name`, `duplicate name ${shown(x.name)} in ${what}`);
      seen.add(x.name.toLowerCase());
    }
  }

  const routedPairs = routingPairs(r, props, pp, pools, settings, notes);
  notes.push(...r.lostLists);
  const nameSrc = r.str(gw, 'name', root);
  const id = r.str(gw, 'id', root);
  r.end();
  return {
    source, shape, name: nameSrc, id,
    sku: { name: skuName, tier, version },
    pools, settings, probes, trustedRoots, authCerts, routedPairs, notes,
    ...(cfgUnknown.length ? { unknown: cfgUnknown } : {}),
  };
}

/** How an unknown value is shown in a plan: its expression, else a marker. */
function unknownText(u: ArmUnknown | null): string | null {
  return u ? u.expression || '(unknown)' : null;
}

function unknownMember(u: ArmUnknown, path: string, source: string | null): PoolMember {
  const shownAddress = u.expression || (u.reason.startsWith('known after apply') ? '(known after apply)' : '(unknown)');
  return { kind: 'fqdn', address: shownAddress, jsonPath: path, unknown: `the address is unknown (${u.describe()})`, ...(source ? { source } : {}) };
}

/**
 * A member's address as the gateway reads it: an IP literal is an IP wherever it is written; a
 * host name is an FQDN even in `ipAddress` (the gateway resolves it, and the web-apps quickstart
 * relies on that).
 */
function memberFromText(r: Reader, text: string, path: string, where: 'fqdn' | 'ipAddress' | 'string', source: string | null): PoolMember {
  const src = source ? { source } : {};
  if (net.isIP(text) !== 0) return { kind: 'ip', address: text, jsonPath: path, ...src };
  if (where === 'ipAddress' && /^[\d.]+$/.test(text)) r.fail(path, `not an IP address: ${shown(text)}`);
  if (where === 'ipAddress' && !isHostName(text)) r.fail(path, `not an IP address or a host name: ${shown(text)}`);
  checkFqdn(r, path, text);
  return { kind: 'fqdn', address: text, jsonPath: path, ...src };
}

/**
 * The gateway probes a pool with the settings its routing rules pair it with (the Backend Health
 * page lists exactly those pairs). Redirect rules have no pool and are skipped; a rule naming a
 * pool or setting the document does not hold loses only that pair, with a note.
 */
function routingPairs(r: Reader, props: Json, pp: string, pools: BackendPool[], settings: BackendSetting[], notes: string[]): PoolSettingPair[] | null {
  const rules = items(r, props, 'requestRoutingRules', pp);
  const maps = items(r, props, 'urlPathMaps', pp);
  if (!rules.length && !maps.length) return null;
  const pairs: PoolSettingPair[] = [];
  const add = (o: Json, poolKey: string, settingKey: string, path: string, via: string) => {
    const pk = keyOf(o, poolKey) ?? poolKey, sk = keyOf(o, settingKey) ?? settingKey;
    const pr = o[pk], sr = o[sk];
    if (pr === undefined || pr === null || sr === undefined || sr === null) return;
    const pool = resolveRef(r, pr, `${path}.${pk}`, pools, 'backend pool', 'backendAddressPools');
    const setting = resolveRef(r, sr, `${path}.${sk}`, settings, 'backend setting', 'backendHttpSettingsCollection');
    if (!('found' in pool) || !('found' in setting)) {
      const why = [pool, setting].flatMap((x) => ('missing' in x ? [x.missing] : [])).join('; ');
      notes.push(`${via}: ${why}; this pair is skipped`);
      return;
    }
    const existing = pairs.find((x) => x.pool === pool.found && x.setting === setting.found);
    if (existing) { if (!existing.via.includes(via)) existing.via.push(via); } else pairs.push({ pool: pool.found, setting: setting.found, via: [via] });
  };
  for (const rule of rules) add(rule.props, 'backendAddressPool', 'backendHttpSettings', rule.path, `rule ${rule.name}`);
  for (const m of maps) {
    add(m.props, 'defaultBackendAddressPool', 'defaultBackendHttpSettings', m.path, `path map ${m.name} (default)`);
    for (const pr of items(r, m.props, 'pathRules', m.path)) add(pr.props, 'backendAddressPool', 'backendHttpSettings', pr.path, `path map ${m.name}, path rule ${pr.name}`);
  }
  return pairs;
}

/**
 * Why a pool member × setting row cannot be probed as the gateway would, from values this
 * document does not give (null when everything it needs is known). The plan shows the row, marked.
 */
export function rowUnknown(cfg: GatewayConfig, s: BackendSetting, m: PoolMember): string | null {
  const why: string[] = [];
  if (cfg.unknown?.length) why.push(...cfg.unknown);
  if (m.unknown) why.push(m.unknown);
  if (s.unknown?.length) why.push(...s.unknown.map((u) => `setting ${s.name} ${u}`));
  if (s.probe?.unknown?.length) why.push(...s.probe.unknown.map((u) => `probe ${s.probe!.name} ${u}`));
  return why.length ? `not known from this document: ${why.join('; ')}` : null;
}

/** --parameters arguments (files read here, name=value pairs as they are) into template parameters. */
export async function readParameterArgs(args: readonly string[]): Promise<Record<string, SuppliedParameter>> {
  const list: ParameterArg[] = [];
  for (const a of args) {
    if (isParameterFileArg(a)) {
      const file = a.startsWith('@') ? a.slice(1) : a;
      if (/\.bicepparam$/i.test(file)) throw new InputError(`--parameters ${file}: a .bicepparam file is Bicep; compile it first: az bicep build-params --file ${file} (gives a JSON parameters file)`);
      const bytes = await readInputFile(file);
      list.push({ file: inputLabel(file), text: Buffer.from(bytes).toString('utf8') });
    } else list.push({ pair: a });
  }
  return mergeParameters(list);
}

const BICEP_HINT = (file: string) => `${file}: a .bicep file is Bicep source; compile it to an ARM template first: az bicep build --file ${file} (writes ${file.replace(/\.bicep$/i, '.json')}), then pass that file (and --parameters as for az deployment group create)`;

/**
 * Read a configuration document ("-" for stdin): JSON, or a .bicep file compiled when a `bicep`
 * binary is on PATH (otherwise one line saying how to compile it). The network loader reads the
 * same document, so a file or stdin is read once.
 */
export async function readGatewayDocument(file: string): Promise<{ doc: unknown; label: string }> {
  const label = inputLabel(file);
  if (/\.bicep$/i.test(file)) {
    // A missing file is a missing file, not a reason to compile it.
    await readInputFile(file);
    const { compileBicep } = await import('./bicep.js');
    const compiled = await compileBicep(file);
    if (compiled === null) throw new InputError(BICEP_HINT(label));
    return { doc: compiled, label };
  }
  const bytes = await readInputFile(file);
  let text = Buffer.from(bytes).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try { return { doc: JSON.parse(text) as unknown, label }; } catch (e) {
    if (/^\s*(param|resource|module|targetScope|var|@description|import|metadata|type)\b/m.test(text) && !/^\s*[{[]/.test(text)) throw new InputError(BICEP_HINT(label));
    // JSON.parse quotes the input around the error: from a binary file that would be raw bytes on the terminal.
    const why = (e as Error).message.split('\n')[0]!.replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
    throw new InputError(`${label}: not JSON (${why})`);
  }
}

/** Read and parse a configuration file ("-" for stdin). */
export async function loadGatewayConfig(file: string, options: GatewayConfigOptions = {}): Promise<GatewayConfig> {
  const { doc, label } = await readGatewayDocument(file);
  return parseGatewayConfig(doc, label, options);
}
