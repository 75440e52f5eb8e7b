/**
 * Import an Application Gateway resource as exported by `az network application-gateway show`
 * (flattened: no `properties` wrappers) or by ARM/REST (`properties` on the gateway and on each
 * sub-resource; also an ARM template's `resources[]` entry). appgw-spec §4.
 *
 * Everything a probe plan needs is checked here, once, so a broken document fails before any
 * backend is contacted, with one InputError naming the JSON path of the bad value.
 */
import net from 'node:net';
import { InputError } from '../model/errors.js';
import { parseStatusMatch, validateBodyMatch } from './match.js';
import { parseCertificate } from '../x509/cert.js';
import { decodeCertificates, readInputFile, inputLabel } from '../x509/decode.js';
import type { ParsedCert } from '../x509/types.js';

/** The gateway generation whose rules apply (Standard_v2/WAF_v2 are v2). */
export type GatewaySku = 'v1' | 'v2';
/** The document a configuration was read from: `az network application-gateway show` output, an ARM resource, or an ARM template. */
export type ConfigShape = 'cli' | 'arm' | 'arm-template';

/** One backend address of a pool: an FQDN or an IP address, and where the document holds it. */
export interface PoolMember {
  kind: 'fqdn' | 'ip';
  address: string;
  jsonPath: string;
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
}

type Json = Record<string, unknown>;

/** `a.b`, or just `b` at the document root. */
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function shown(v: unknown): string {
  let s: string;
  try { s = JSON.stringify(v) ?? String(v); } catch { s = String(v); }
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

/** Reads values out of the document with the JSON path always at hand for the error. */
class Reader {
  constructor(readonly source: string) {}

  fail(path: string, msg: string): never {
    throw new InputError(`${this.source}: ${path}: ${msg}`);
  }

  private rejectExpression(path: string, v: unknown): void {
    if (typeof v === 'string' && /^\[[^[]/.test(v) && v.endsWith(']')) {
      this.fail(path, `ARM template expression ${shown(v)} is not evaluated here; export the deployed gateway (az network application-gateway show) instead`);
    }
  }

  str(obj: Json, key: string, path: string, opts: { required?: boolean } = {}): string | null {
    const v = obj[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (opts.required) this.fail(p, 'missing');
      return null;
    }
    if (typeof v !== 'string') this.fail(p, `expected a string, got ${shown(v)}`);
    this.rejectExpression(p, v);
    return v;
  }

  bool(obj: Json, key: string, path: string): boolean | null {
    const v = obj[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'boolean') return v;
    // PowerShell and hand-edited templates sometimes quote booleans.
    if (v === 'true' || v === 'True') return true;
    if (v === 'false' || v === 'False') return false;
    return this.fail(join(path, key), `expected true or false, got ${shown(v)}`);
  }

  int(obj: Json, key: string, path: string, min: number, max: number, opts: { required?: boolean } = {}): number | null {
    const v = obj[key];
    const p = join(path, key);
    if (v === undefined || v === null) {
      if (opts.required) this.fail(p, `missing (expected ${min}-${max})`);
      return null;
    }
    this.rejectExpression(p, v);
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) this.fail(p, `expected ${min}-${max}, got ${shown(v)}`);
    return n;
  }

  arr(obj: Json, key: string, path: string): unknown[] {
    const v = obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(join(path, key), `expected an array, got ${shown(v)}`);
    return v;
  }

  obj(v: unknown, path: string): Json {
    if (!isObj(v)) this.fail(path, `expected an object, got ${shown(v)}`);
    return v;
  }
}

/** One sub-resource: its name/id and where its fields live (`properties` or the item itself). */
interface Item { name: string; id: string | null; props: Json; path: string }

function items(r: Reader, parent: Json, key: string, parentPath: string): Item[] {
  const prefix = parentPath ? `${parentPath}.${key}` : key;
  return r.arr(parent, key, parentPath).map((raw, i) => {
    const path = `${prefix}[${i}]`;
    const o = r.obj(raw, path);
    const hasProps = isObj(o.properties);
    const props = hasProps ? (o.properties as Json) : o;
    const name = r.str(o, 'name', path, { required: true })!;
    return { name, id: r.str(o, 'id', path), props, path: hasProps ? `${path}.properties` : path };
  });
}

function lastSegment(s: string): string {
  const t = s.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

/**
 * A reference `{id}` names its target by full resource id (matched case-insensitively, as Azure
 * does), by an id shortened with "…" (last path segment), or in a template by the last string
 * literal of a resourceId()/concat() expression.
 */
function resolveRef<T extends { name: string; id: string | null }>(r: Reader, ref: unknown, path: string, list: T[], what: string, collection: string): T {
  const o = r.obj(ref, path);
  const id = o.id;
  if (typeof id !== 'string' || id === '') return r.fail(`${path}.id`, `expected a resource id string, got ${shown(id)}`);
  const byId = list.find((x) => x.id !== null && x.id.toLowerCase() === id.toLowerCase());
  if (byId) return byId;
  let name = lastSegment(id);
  if (id.startsWith('[')) {
    const lits = [...id.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
    name = lastSegment(lits[lits.length - 1] ?? '');
  }
  const byName = list.filter((x) => x.name.toLowerCase() === name.toLowerCase());
  if (byName.length === 1) return byName[0]!;
  const have = list.length ? list.map((x) => x.name).join(', ') : 'none';
  return r.fail(`${path}.id`, `no ${what} named ${shown(name)} in ${collection} (have: ${have})`);
}

function checkFqdn(r: Reader, path: string, name: string): void {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare === '' || bare.length > 253 || /[\s/\\\u0000-\u001f\u007f:@]/u.test(bare) || bare.split('.').some((l) => l === '' || l.length > 63)) {
    r.fail(path, `not a host name: ${shown(name)}`);
  }
}

async function certs(r: Reader, list: Item[], what: string): Promise<GatewayCert[]> {
  const out: GatewayCert[] = [];
  for (const it of list) {
    const data = r.str(it.props, 'data', it.path);
    const kv = r.str(it.props, 'keyVaultSecretId', it.path);
    let parsed: ParsedCert[] = [];
    if (data !== null && data.trim() !== '') {
      const label = `${r.source}: ${it.path}.data`;
      const decoded = await decodeCertificates(new TextEncoder().encode(data), label);
      parsed = decoded.certificates.map((der) => {
        try { return parseCertificate(der); } catch (e) { throw new InputError(`${label}: certificate does not decode (${(e as Error).message})`); }
      });
    } else if (kv === null) {
      r.fail(`${it.path}.data`, `${what} ${shown(it.name)} has neither data nor keyVaultSecretId`);
    }
    out.push({ name: it.name, id: it.id, jsonPath: it.path, certificates: parsed, keyVaultSecretId: kv });
  }
  return out;
}

function protocolOf(r: Reader, props: Json, path: string, required: boolean): 'Http' | 'Https' | null {
  const v = r.str(props, 'protocol', path, { required });
  if (v === null) return null;
  const l = v.toLowerCase();
  if (l === 'http') return 'Http';
  if (l === 'https') return 'Https';
  return r.fail(`${path}.protocol`, `expected Http or Https, got ${shown(v)}`);
}

/** Pick the gateway object out of whatever was exported. */
function locate(r: Reader, doc: unknown): { gw: Json; root: string; shape: ConfigShape } {
  if (Array.isArray(doc)) {
    const gws = doc.map((d, i) => ({ d, i })).filter(({ d }) => isObj(d) && (isObj(d.properties) || 'backendAddressPools' in d || 'sku' in d));
    if (gws.length !== 1) r.fail('$', `the document is a list of ${doc.length} items; export one gateway (az network application-gateway show -n NAME -g RG)`);
    const { d, i } = gws[0]!;
    const inner = locate(r, d);
    return { ...inner, root: `[${i}]${inner.root ? `.${inner.root}` : ''}` };
  }
  const top = r.obj(doc, '$');
  if (Array.isArray(top.resources)) {
    const idx = top.resources.findIndex((x) => isObj(x) && typeof x.type === 'string' && x.type.toLowerCase() === 'microsoft.network/applicationgateways');
    if (idx < 0) r.fail('resources', 'no resource of type Microsoft.Network/applicationGateways in this template');
    const res = top.resources[idx] as Json;
    return { gw: res, root: `resources[${idx}]`, shape: 'arm-template' };
  }
  return { gw: top, root: '', shape: isObj(top.properties) ? 'arm' : 'cli' };
}

/** Parse an already-decoded JSON document; `source` names it in every error. */
export async function parseGatewayConfig(doc: unknown, source: string): Promise<GatewayConfig> {
  const r = new Reader(source);
  const { gw, root, shape: shape0 } = locate(r, doc);
  const hasProps = isObj(gw.properties);
  const shape: ConfigShape = shape0 === 'arm-template' ? shape0 : hasProps ? 'arm' : 'cli';
  const props = hasProps ? (gw.properties as Json) : gw;
  const pp = hasProps ? (root ? `${root}.properties` : 'properties') : root;
  const at = (k: string) => (pp ? `${pp}.${k}` : k);
  const notes: string[] = [];

  if (!('backendAddressPools' in props) && !('backendHttpSettingsCollection' in props)) {
    r.fail(pp || '$', 'not an Application Gateway: no backendAddressPools or backendHttpSettingsCollection (expected the output of az network application-gateway show, or the ARM/REST resource)');
  }

  // SKU: v1 is tier Standard or WAF (appgw-spec §4); `sku` lives in `properties` in ARM, at top in az.
  const skuObj = isObj(props.sku) ? props.sku : isObj(gw.sku) ? gw.sku : null;
  const skuPath = isObj(props.sku) ? at('sku') : root ? `${root}.sku` : 'sku';
  let skuName: string | null = null, tier: string | null = null;
  if (skuObj) {
    skuName = r.str(skuObj, 'name', skuPath);
    tier = r.str(skuObj, 'tier', skuPath);
  } else notes.push('no sku in the document: assuming v2 (Standard_v2/WAF_v2)');
  const t = (tier ?? skuName ?? '').toLowerCase();
  const version: GatewaySku = t === 'standard' || t === 'waf' || /^(standard|waf)_(small|medium|large)$/.test(t) ? 'v1' : 'v2';
  if (skuObj && tier === null && skuName === null) notes.push('sku has neither name nor tier: assuming v2');

  const trustedRoots = await certs(r, items(r, props, 'trustedRootCertificates', pp), 'trusted root certificate');
  const authCerts = await certs(r, items(r, props, 'authenticationCertificates', pp), 'authentication certificate');

  const probes: GatewayProbe[] = items(r, props, 'probes', pp).map((it) => {
    const p = it.props;
    const path = r.str(p, 'path', it.path) ?? '/';
    if (!path.startsWith('/')) r.fail(`${it.path}.path`, `must start with "/", got ${shown(path)}`);
    let statusCodes: string[] | null = null;
    let body: string | null = null;
    if (p.match !== undefined && p.match !== null) {
      const m = r.obj(p.match, `${it.path}.match`);
      const codes = r.arr(m, 'statusCodes', `${it.path}.match`);
      codes.forEach((c, i) => { if (typeof c !== 'string') r.fail(`${it.path}.match.statusCodes[${i}]`, `expected a string like "200-399", got ${shown(c)}`); });
      if (codes.length) {
        try { parseStatusMatch(codes as string[]); } catch (e) { r.fail(`${it.path}.match.statusCodes`, (e as Error).message); }
        statusCodes = codes as string[];
      }
      const b = r.str(m, 'body', `${it.path}.match`);
      if (b !== null && b !== '') {
        try { validateBodyMatch(b); } catch (e) { r.fail(`${it.path}.match.body`, (e as Error).message); }
        body = b;
      }
    }
    const host = r.str(p, 'host', it.path);
    if (host !== null && host !== '' && net.isIP(host) === 0) checkFqdn(r, `${it.path}.host`, host);
    return {
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
  });

  const pools: BackendPool[] = items(r, props, 'backendAddressPools', pp).map((it) => {
    const members = r.arr(it.props, 'backendAddresses', it.path).map((raw, i): PoolMember => {
      const path = `${it.path}.backendAddresses[${i}]`;
      const o = r.obj(raw, path);
      const fqdn = r.str(o, 'fqdn', path);
      const ip = r.str(o, 'ipAddress', path);
      if (fqdn && ip) r.fail(path, 'has both fqdn and ipAddress; a member is one or the other');
      if (ip) {
        if (net.isIP(ip) === 0) r.fail(`${path}.ipAddress`, `not an IP address: ${shown(ip)}`);
        return { kind: 'ip', address: ip, jsonPath: `${path}.ipAddress` };
      }
      if (fqdn) {
        // A member written as an FQDN that is really an IP literal is probed as an IP.
        if (net.isIP(fqdn) !== 0) return { kind: 'ip', address: fqdn, jsonPath: `${path}.fqdn` };
        checkFqdn(r, `${path}.fqdn`, fqdn);
        return { kind: 'fqdn', address: fqdn, jsonPath: `${path}.fqdn` };
      }
      return r.fail(path, 'expected {"fqdn": ...} or {"ipAddress": ...}');
    });
    const nicMembers = r.arr(it.props, 'backendIPConfigurations', it.path).length;
    if (nicMembers) notes.push(`pool ${it.name}: ${nicMembers} NIC-based member(s) (backendIPConfigurations) have no address in this document and are not probed`);
    return { name: it.name, id: it.id, jsonPath: it.path, members, nicMembers };
  });

  const settings: BackendSetting[] = items(r, props, 'backendHttpSettingsCollection', pp).map((it) => {
    const p = it.props;
    const probeRef = p.probe;
    const probe = probeRef === undefined || probeRef === null ? null : resolveRef(r, probeRef, `${it.path}.probe`, probes, 'probe', 'probes');
    const refs = (key: string, list: GatewayCert[], what: string) =>
      r.arr(p, key, it.path).map((ref, i) => resolveRef(r, ref, `${it.path}.${key}[${i}]`, list, what, key));
    const hostName = r.str(p, 'hostName', it.path);
    if (hostName !== null && hostName !== '' && net.isIP(hostName) === 0) checkFqdn(r, `${it.path}.hostName`, hostName);
    const sniName = r.str(p, 'sniName', it.path);
    if (sniName !== null && sniName !== '') checkFqdn(r, `${it.path}.sniName`, sniName);
    return {
      name: it.name, id: it.id, jsonPath: it.path,
      port: r.int(p, 'port', it.path, 1, 65535, { required: true })!,
      protocol: protocolOf(r, p, it.path, true)!,
      hostName: hostName === '' ? null : hostName,
      pickHostNameFromBackendAddress: r.bool(p, 'pickHostNameFromBackendAddress', it.path) ?? false,
      probe,
      probeEnabled: r.bool(p, 'probeEnabled', it.path),
      trustedRoots: refs('trustedRootCertificates', trustedRoots, 'trusted root certificate'),
      authCerts: refs('authenticationCertificates', authCerts, 'authentication certificate'),
      validateCertChainAndExpiry: r.bool(p, 'validateCertChainAndExpiry', it.path),
      validateSNI: r.bool(p, 'validateSNI', it.path),
      sniName: sniName === '' ? null : sniName,
      requestTimeout: r.int(p, 'requestTimeout', it.path, 1, 86400),
    };
  });

  for (const [list, what] of [[pools, 'backendAddressPools'], [settings, 'backendHttpSettingsCollection'], [probes, 'probes']] as const) {
    const seen = new Set<string>();
    for (const x of list as { name: string; jsonPath: string }[]) {
      if (seen.has(x.name.toLowerCase())) r.fail(`${x.jsonPath.replace(/\.properties$/, '')}.name`, `duplicate name ${shown(x.name)} in ${what}`);
      seen.add(x.name.toLowerCase());
    }
  }

  const routedPairs = routingPairs(r, props, pp, pools, settings);
  const nameSrc = r.str(gw, 'name', root);
  return {
    source, shape, name: nameSrc, id: r.str(gw, 'id', root),
    sku: { name: skuName, tier, version },
    pools, settings, probes, trustedRoots, authCerts, routedPairs, notes,
  };
}

/**
 * The gateway probes a pool with the settings its routing rules pair it with (the Backend Health
 * page lists exactly those pairs). Redirect rules have no pool and are skipped.
 */
function routingPairs(r: Reader, props: Json, pp: string, pools: BackendPool[], settings: BackendSetting[]): PoolSettingPair[] | null {
  const rules = items(r, props, 'requestRoutingRules', pp);
  const maps = items(r, props, 'urlPathMaps', pp);
  if (!rules.length && !maps.length) return null;
  const pairs: PoolSettingPair[] = [];
  const add = (o: Json, poolKey: string, settingKey: string, path: string, via: string) => {
    const pr = o[poolKey], sr = o[settingKey];
    if (pr === undefined || pr === null || sr === undefined || sr === null) return;
    const pool = resolveRef(r, pr, `${path}.${poolKey}`, pools, 'backend pool', 'backendAddressPools');
    const setting = resolveRef(r, sr, `${path}.${settingKey}`, settings, 'backend setting', 'backendHttpSettingsCollection');
    const existing = pairs.find((x) => x.pool === pool && x.setting === setting);
    if (existing) { if (!existing.via.includes(via)) existing.via.push(via); } else pairs.push({ pool, setting, via: [via] });
  };
  for (const rule of rules) add(rule.props, 'backendAddressPool', 'backendHttpSettings', rule.path, `rule ${rule.name}`);
  for (const m of maps) {
    add(m.props, 'defaultBackendAddressPool', 'defaultBackendHttpSettings', m.path, `path map ${m.name} (default)`);
    for (const pr of items(r, m.props, 'pathRules', m.path)) add(pr.props, 'backendAddressPool', 'backendHttpSettings', pr.path, `path map ${m.name}, path rule ${pr.name}`);
  }
  return pairs;
}

/** Read and parse a configuration file ("-" for stdin). */
export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  const bytes = await readInputFile(file);
  const label = inputLabel(file);
  let text = Buffer.from(bytes).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try { doc = JSON.parse(text); } catch (e) {
    // JSON.parse quotes the input around the error: from a binary file that would be raw bytes on the terminal.
    const why = (e as Error).message.split('\n')[0]!.replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
    throw new InputError(`${label}: not JSON (${why})`);
  }
  return parseGatewayConfig(doc, label);
}
