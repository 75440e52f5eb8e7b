/**
 * `terraform show -json` of a plan or a state, read for its `azurerm_application_gateway`: the
 * blocks the probe needs (`sku`, `backend_address_pool`, `backend_http_settings`, `probe`,
 * `request_routing_rule`, `url_path_map`, `trusted_root_certificate`, `authentication_certificate`)
 * become the ARM/REST shape config.ts reads, so both give the same plans. The shape is detected
 * from the content. A value a plan marks "known after apply" becomes an ArmUnknown, so only the
 * rows that need it are left unprobed.
 */
import { InputError } from '../model/errors.js';
import { ArmUnknown, isUnknown, type ArmSource } from './arm/values.js';

type Json = Record<string, unknown>;
/** A value as text without calling into it: String() of a hostile object ({"toString": null}) throws. */
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === undefined || v === null ? '' : JSON.stringify(v));
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);

/** Whether a document is `terraform show -json` output (a plan or a state). */
export function isTerraformShow(doc: unknown): doc is Json {
  return isObj(doc) && ((typeof doc.format_version === 'string' && (isObj(doc.values) || isObj(doc.planned_values) || Array.isArray(doc.resource_changes) || 'terraform_version' in doc)) || isRawState(doc));
}

/** A state file as stored (`terraform state pull`, terraform.tfstate): version 4, resources[].instances[].attributes. */
function isRawState(doc: Json): boolean {
  return typeof doc.version === 'number' && typeof doc.terraform_version === 'string' && Array.isArray(doc.resources);
}

interface TfResource { address: string; values: unknown; path: string }

function moduleResources(mod: unknown, path: string, out: TfResource[]): void {
  if (!isObj(mod)) return;
  if (Array.isArray(mod.resources)) {
    mod.resources.forEach((r, i) => {
      if (isObj(r) && r.type === 'azurerm_application_gateway' && (r.mode === undefined || r.mode === 'managed')) {
        out.push({ address: text(r.address ?? r.name), values: r.values, path: `${path}.resources[${i}].values` });
      }
    });
  }
  if (Array.isArray(mod.child_modules)) mod.child_modules.forEach((c, i) => moduleResources(c, `${path}.child_modules[${i}]`, out));
}

const KNOWN_AFTER_APPLY = 'known after apply (the plan does not have it yet)';

/** `after` with every value that `after_unknown` marks replaced by an unknown. */
function mergeUnknown(after: unknown, unknown: unknown, path: string): unknown {
  if (unknown === true) return new ArmUnknown(KNOWN_AFTER_APPLY, '', path);
  if (Array.isArray(after)) return after.map((x, i) => mergeUnknown(x, Array.isArray(unknown) ? unknown[i] : undefined, `${path}[${i}]`));
  if (Array.isArray(unknown) && (after === null || after === undefined)) return unknown.map((u, i) => mergeUnknown(undefined, u, `${path}[${i}]`));
  if (isObj(after) || (isObj(unknown) && (after === null || after === undefined))) {
    const a = isObj(after) ? after : {};
    const u = isObj(unknown) ? unknown : {};
    const out: Json = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(u)])) out[k] = mergeUnknown(a[k], u[k], `${path}.${k}`);
    return out;
  }
  return after;
}

/** The gateways in a plan (resource_changes, which mark unknowns) or a state (values). */
function findGateways(doc: Json): { list: TfResource[]; shape: 'terraform-plan' | 'terraform-state' } {
  if (Array.isArray(doc.resource_changes) || isObj(doc.planned_values)) {
    const list: TfResource[] = [];
    if (Array.isArray(doc.resource_changes)) {
      doc.resource_changes.forEach((rc, i) => {
        if (!isObj(rc) || rc.type !== 'azurerm_application_gateway' || (rc.mode !== undefined && rc.mode !== 'managed') || !isObj(rc.change)) return;
        const actions = Array.isArray(rc.change.actions) ? rc.change.actions : [];
        if (actions.length === 1 && actions[0] === 'delete') return;
        const path = `resource_changes[${i}].change.after`;
        list.push({ address: text(rc.address ?? rc.name), values: mergeUnknown(rc.change.after, rc.change.after_unknown, path), path });
      });
    }
    if (!list.length && isObj(doc.planned_values)) moduleResources(doc.planned_values.root_module, 'planned_values.root_module', list);
    return { list, shape: 'terraform-plan' };
  }
  const list: TfResource[] = [];
  if (isObj(doc.values)) moduleResources(doc.values.root_module, 'values.root_module', list);
  else if (Array.isArray(doc.resources)) {
    doc.resources.forEach((r, i) => {
      if (!isObj(r) || r.type !== 'azurerm_application_gateway' || (r.mode !== undefined && r.mode !== 'managed') || !Array.isArray(r.instances)) return;
      r.instances.forEach((inst, j) => {
        if (!isObj(inst)) return;
        const addr = `${typeof r.module === 'string' ? `${r.module}.` : ''}azurerm_application_gateway.${text(r.name)}${inst.index_key !== undefined ? `[${JSON.stringify(inst.index_key)}]` : ''}`;
        list.push({ address: addr, values: inst.attributes, path: `resources[${i}].instances[${j}].attributes` });
      });
    });
  }
  return { list, shape: 'terraform-state' };
}

/** What config.ts needs: the gateway in the ARM/REST shape, and where each item came from. */
export interface TerraformGateway {
  gateway: Json;
  root: string;
  shape: 'terraform-plan' | 'terraform-state';
  notes: string[];
  /** Converted item → its path in the Terraform JSON (for errors). */
  paths: [object, string][];
  sourcesOf: (container: object, key: string | number) => readonly ArmSource[] | undefined;
}

/** Terraform leaves an optional attribute as "" or 0 (ports) in a state; those mean "not set". */
const opt = (v: unknown) => (v === '' || v === null ? undefined : v);
const blocks = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Convert `terraform show -json` to the ARM/REST gateway shape. */
export function terraformGateway(doc: Json, source: string): TerraformGateway {
  const { list, shape } = findGateways(doc);
  if (list.length === 0) throw new InputError(`${source}: $: terraform show -json output with no azurerm_application_gateway resource`);
  if (list.length > 1) throw new InputError(`${source}: $: terraform show -json output with ${list.length} azurerm_application_gateway resources (${list.map((g) => g.address).join(', ')}); certcheck reads one gateway: use terraform show -json on a plan or state that holds one, or az network application-gateway show`);
  const g = list[0]!;
  if (isUnknown(g.values) || !isObj(g.values)) throw new InputError(`${source}: ${g.path}: the gateway's values are not in the output`);
  const v = g.values;
  const paths: [object, string][] = [];
  const notes = [`read from ${g.address} (terraform show -json of a ${shape === 'terraform-plan' ? 'plan' : 'state'})`];
  const conv = (key: string, f: (b: Json) => Json): Json[] | ArmUnknown => {
    const raw = v[key];
    if (isUnknown(raw)) return raw;
    return blocks(raw).flatMap((b, i) => {
      if (!isObj(b)) return [];
      const o = f(b);
      paths.push([o, `${g.path}.${key}[${i}]`]);
      return [o];
    });
  };
  const ref = (name: unknown) => (isUnknown(name) ? { id: name } : opt(name) === undefined ? undefined : { id: text(name) });
  const refs = (names: unknown) => (isUnknown(names) ? names : blocks(names).map((n) => (isUnknown(n) ? { id: n } : { id: text(n) })));
  const num = (x: unknown) => (x === 0 ? undefined : opt(x));

  const sku = blocks(v.sku)[0];
  const gateway: Json = {
    name: v.name,
    id: opt(v.id) ?? null,
    properties: {
      ...(isObj(sku) ? { sku: { name: sku.name, tier: sku.tier } } : {}),
      backendAddressPools: conv('backend_address_pool', (b) => ({
        name: b.name,
        backendAddresses: [
          ...(isUnknown(b.fqdns) ? [b.fqdns] : blocks(b.fqdns).map((f) => ({ fqdn: f }))),
          ...(isUnknown(b.ip_addresses) ? [b.ip_addresses] : blocks(b.ip_addresses).map((a) => ({ ipAddress: a }))),
        ],
      })),
      backendHttpSettingsCollection: conv('backend_http_settings', (b) => ({
        name: b.name,
        port: b.port,
        protocol: b.protocol,
        hostName: opt(b.host_name),
        pickHostNameFromBackendAddress: b.pick_host_name_from_backend_address,
        probe: ref(b.probe_name),
        requestTimeout: num(b.request_timeout),
        trustedRootCertificates: refs(b.trusted_root_certificate_names),
        authenticationCertificates: isUnknown(b.authentication_certificate) ? b.authentication_certificate : blocks(b.authentication_certificate).map((a) => (isObj(a) ? { id: a.name } : a)),
      })),
      probes: conv('probe', (b) => {
        const m = blocks(b.match)[0];
        return {
          name: b.name,
          protocol: b.protocol,
          host: opt(b.host),
          path: opt(b.path),
          interval: num(b.interval),
          timeout: num(b.timeout),
          unhealthyThreshold: num(b.unhealthy_threshold),
          pickHostNameFromBackendHttpSettings: b.pick_host_name_from_backend_http_settings,
          minServers: b.minimum_servers,
          port: num(b.port),
          ...(isObj(m) ? { match: { statusCodes: isUnknown(m.status_code) ? m.status_code : blocks(m.status_code), body: opt(m.body) } } : isUnknown(m) ? { match: m } : {}),
        };
      }),
      requestRoutingRules: conv('request_routing_rule', (b) => ({
        name: b.name,
        backendAddressPool: ref(b.backend_address_pool_name),
        backendHttpSettings: ref(b.backend_http_settings_name),
      })),
      urlPathMaps: conv('url_path_map', (b) => ({
        name: b.name,
        defaultBackendAddressPool: ref(b.default_backend_address_pool_name),
        defaultBackendHttpSettings: ref(b.default_backend_http_settings_name),
        pathRules: blocks(b.path_rule).flatMap((pr) => (isObj(pr) ? [{ name: pr.name, backendAddressPool: ref(pr.backend_address_pool_name), backendHttpSettings: ref(pr.backend_http_settings_name) }] : [])),
      })),
      trustedRootCertificates: conv('trusted_root_certificate', (b) => certBlock(b)),
      authenticationCertificates: conv('authentication_certificate', (b) => certBlock(b)),
    },
  };
  return { gateway, root: g.path, shape, notes, paths, sourcesOf: () => undefined };
}

/** A certificate block; data that a plan hides as sensitive (absent, with no Key Vault id) is unknown. */
function certBlock(b: Json): Json {
  const data = opt(b.data);
  const kv = opt(b.key_vault_secret_id);
  return {
    name: b.name,
    data: data === undefined && kv === undefined ? new ArmUnknown('the certificate data is not in the terraform output (sensitive, or known after apply)') : data,
    keyVaultSecretId: kv,
  };
}
