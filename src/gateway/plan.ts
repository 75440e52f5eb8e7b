/**
 * What the gateway sends for each pool member × backend setting (appgw-spec §2–§3): the probe
 * host, Host header, SNI, name checked, port, path, timeout, match and trust mode, each with the
 * rule that chose it. The plan feeds probeBackend unchanged, and `probeNames` (the same function
 * the single probe uses) fills in SNI and the checked name so a plan never disagrees with a probe.
 */
import net from 'node:net';
import { InputError } from '../model/errors.js';
import { parseStatusMatch, DEFAULT_STATUS_MATCH_SPEC } from './match.js';
import { probeNames } from './names.js';
import type { PlanOptions, ProbeOptions, ProbePlan } from '../model/plan.js';
import { rowUnknown, type BackendPool, type BackendSetting, type GatewayCert, type GatewayConfig, type GatewayProbe, type PoolMember } from './config.js';
import { judgeRowNetwork } from './network/verdict.js';
import { annotateSources } from './provenance.js';

/** The gateway's probe timeout when a probe sets none (appgw-spec §2.1). */
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 30;
/** The default probe's host when nothing names one (appgw-spec §2.1). */
export const DEFAULT_PROBE_HOST = '127.0.0.1';

export type { PlanOptions, PlanWhy, ProbePlan } from '../model/plan.js';

interface Choice { value: string; why: string }

const quote = (s: string) => `"${s}"`;

/** The backend setting's host name (appgw-spec §3.2 step 2), or null when it has none. */
function settingHost(s: BackendSetting, m: PoolMember, notes: string[]): Choice | null {
  if (s.pickHostNameFromBackendAddress) {
    if (s.hostName) notes.push(`setting ${s.name} has both hostName and pickHostNameFromBackendAddress; the portal offers them as alternatives and pickHostNameFromBackendAddress is taken (assumption)`);
    if (m.kind === 'ip') notes.push('pickHostNameFromBackendAddress with an IP member: the docs say IP members are not supported with "pick host name from backend target"; the IP is used as the host, so no SNI is sent');
    return { value: m.address, why: `setting ${s.name}: pickHostNameFromBackendAddress, so the pool member's address ${quote(m.address)}` };
  }
  if (s.hostName) return { value: s.hostName, why: `setting ${s.name}: hostName override ${quote(s.hostName)}` };
  return null;
}

/** The probe host (appgw-spec §2.1, §2.2, §3.2): custom probe host, else the setting's host name, else 127.0.0.1. */
function probeHost(s: BackendSetting, p: GatewayProbe | null, m: PoolMember, notes: string[]): Choice {
  if (p) {
    if (p.host) {
      if (p.pickHostNameFromBackendHttpSettings) notes.push(`probe ${p.name} sets both host and pickHostNameFromBackendHttpSettings (Azure refuses this on update); the probe host is taken first, as appgw-spec §3.2 orders them`);
      return { value: p.host, why: `custom probe ${p.name}: host ${quote(p.host)}` };
    }
    if (p.pickHostNameFromBackendHttpSettings) {
      const sh = settingHost(s, m, notes);
      if (sh) return { value: sh.value, why: `custom probe ${p.name}: pickHostNameFromBackendHttpSettings, so ${sh.why}` };
      notes.push(`probe ${p.name} picks the host name from setting ${s.name}, which has none (Azure refuses this on update); assuming the default probe host 127.0.0.1`);
      return { value: DEFAULT_PROBE_HOST, why: `custom probe ${p.name}: pickHostNameFromBackendHttpSettings but setting ${s.name} has no host name: 127.0.0.1 (assumption)` };
    }
    notes.push(`probe ${p.name} has neither host nor pickHostNameFromBackendHttpSettings (Azure requires one); assuming 127.0.0.1 as the default probe uses`);
    return { value: DEFAULT_PROBE_HOST, why: `custom probe ${p.name}: no host configured: 127.0.0.1 (assumption)` };
  }
  const sh = settingHost(s, m, notes);
  if (sh) return { value: sh.value, why: `default probe: ${sh.why}` };
  return { value: DEFAULT_PROBE_HOST, why: 'default probe, and the setting has no host name: 127.0.0.1 (appgw-spec §2.1)' };
}

function certNames(list: GatewayCert[]): string[] {
  return list.map((c) => c.name);
}

function urlHost(h: string): string {
  return net.isIPv6(h) ? `[${h}]` : h;
}

/** The plan for one pool member under one backend setting. */
export function planPair(cfg: GatewayConfig, pool: BackendPool, s: BackendSetting, m: PoolMember, o: PlanOptions = {}, routedBy: string[] | null = null): ProbePlan {
  const sku = cfg.sku.version;
  const p = s.probe;
  const notes: string[] = [];
  let blocked: string | null = null;

  // Protocol: the probe's own, which appgw-spec §2.2 says must equal the setting's.
  let protocol: 'https' | 'http' = s.protocol === 'Https' ? 'https' : 'http';
  let whyProtocol = `setting ${s.name}: protocol ${s.protocol}`;
  if (p?.protocol && p.protocol !== s.protocol) {
    protocol = p.protocol === 'Https' ? 'https' : 'http';
    whyProtocol = `custom probe ${p.name}: protocol ${p.protocol}`;
    notes.push(`probe ${p.name} uses ${p.protocol} but setting ${s.name} uses ${s.protocol}; the docs require them to match, the probe's protocol is used`);
  }
  if (p && s.probeEnabled === false) notes.push(`setting ${s.name} has probeEnabled false but references probe ${p.name}; the referenced probe is planned (probeEnabled is a legacy flag; the gateway always probes)`);

  // Port: the setting's; a custom probe's port overrides it on v2 only (appgw-spec §2.2).
  let port = s.port;
  let whyPort = `setting ${s.name}: port ${s.port}`;
  if (p?.port != null) {
    if (sku === 'v2') { port = p.port; whyPort = `custom probe ${p.name}: port ${p.port} (v2 probe port override)`; }
    else notes.push(`probe ${p.name} sets port ${p.port}, which only v2 honours; v1 probes the setting's port ${s.port}`);
  }

  const path = p?.path ?? '/';
  const whyPath = p ? `custom probe ${p.name}: path` : 'default probe: path';
  const configuredTimeout = p?.timeout ?? DEFAULT_PROBE_TIMEOUT_SECONDS;
  let timeoutSeconds = configuredTimeout;
  let whyTimeout = p?.timeout != null ? `custom probe ${p.name}: timeout ${p.timeout} s` : `${p ? `custom probe ${p.name} has no timeout` : 'default probe'}: ${DEFAULT_PROBE_TIMEOUT_SECONDS} s`;
  if (o.timeoutCap !== undefined && o.timeoutCap < timeoutSeconds) {
    timeoutSeconds = o.timeoutCap;
    whyTimeout += `, capped to ${o.timeoutCap} s by --timeout-cap (a backend slower than that shows M1 here but may be Healthy at the gateway)`;
  }
  const statusSpec = p?.statusCodes ?? [DEFAULT_STATUS_MATCH_SPEC];
  const status = parseStatusMatch(statusSpec).text;
  const body = p?.body ?? null;
  const whyMatch = p?.statusCodes ? `custom probe ${p.name}: match.statusCodes ${statusSpec.join(', ')}` : `${p ? `custom probe ${p.name} has no match.statusCodes` : 'default probe'}: 200-399`;
  const whyMatchBody = body !== null ? `; body must contain ${JSON.stringify(body)}` : '';

  const hostChoice = probeHost(s, p, m, notes);
  const hostHeader = hostChoice.value;

  // Trust mode (appgw-spec §3.1 v1 auth certs, §3.2 v2 well-known or uploaded roots).
  let trust: ProbePlan['trust'];
  let whyTrust: string;
  const https = protocol === 'https';
  if (!https) {
    trust = { mode: 'none', certificates: [] };
    whyTrust = 'Http: no TLS, no certificate checks';
    if (s.trustedRoots.length || s.authCerts.length) notes.push(`setting ${s.name} references certificates but probes over Http; they are not used`);
  } else if (sku === 'v1') {
    trust = { mode: 'v1-auth-cert', certificates: certNames(s.authCerts) };
    whyTrust = s.authCerts.length ? `v1: the leaf must equal an uploaded authentication certificate (${certNames(s.authCerts).join(', ')})` : 'v1: no authentication certificates';
    if (!s.authCerts.length) blocked = `v1 Https setting ${s.name} has no authentication certificates; how v1 judges such a backend (trusted Azure services such as App Service) is undocumented, so it is not probed`;
    if (s.trustedRoots.length) notes.push(`setting ${s.name} references trusted root certificates, which v1 does not use`);
  } else if (s.trustedRoots.length) {
    trust = { mode: 'uploaded', certificates: certNames(s.trustedRoots) };
    whyTrust = `v2: trustedRootCertificates ${certNames(s.trustedRoots).join(', ')} (custom-root mode)`;
    if (s.authCerts.length) notes.push(`setting ${s.name} references authentication certificates, which v2 does not use`);
  } else {
    trust = { mode: 'wellknown', certificates: [] };
    whyTrust = 'v2: no trustedRootCertificates, so the well-known CA store (emulated with the Mozilla roots; Microsoft does not publish its list)';
  }
  const used = trust.mode === 'uploaded' ? s.trustedRoots : trust.mode === 'v1-auth-cert' ? s.authCerts : [];
  const unavailable = used.filter((c) => c.unavailable);
  const kvOnly = used.filter((c) => c.certificates.length === 0 && !c.unavailable);
  if (unavailable.length && !blocked) blocked = `trusted roots unknown: ${unavailable.map((c) => `certificate ${c.name}: ${c.unavailable}`).join('; ')}`;
  if (kvOnly.length && !blocked) blocked = `certificate ${kvOnly.map((c) => c.name).join(', ')} is only in Key Vault (keyVaultSecretId); its data is not in this document`;
  // A value the document does not give (a template parameter without a value, ...) outranks the rest.
  const unknown = rowUnknown(cfg, s, m);
  if (unknown) blocked = unknown;

  const v2Https = sku === 'v2' && https;
  const validateCertChainAndExpiry = v2Https ? s.validateCertChainAndExpiry ?? true : true;
  const validateSNI = v2Https ? s.validateSNI ?? true : true;
  const sniName = v2Https ? s.sniName : null;
  if (sku === 'v1' && (s.validateCertChainAndExpiry === false || s.validateSNI === false || s.sniName)) {
    notes.push(`setting ${s.name}: validateCertChainAndExpiry/validateSNI/sniName are v2-only and ignored on v1`);
  }
  if (!validateCertChainAndExpiry) whyTrust += '; validateCertChainAndExpiry false: chain and expiry not checked';

  const options: ProbeOptions = {
    target: m.address, port, protocol, path, status, timeoutSeconds, sku,
    hostHeader,
    ...(body !== null ? { body } : {}),
    // v2: the probe host is SNI, Host header and checked name; v1 takes SNI from the member.
    ...(sku === 'v2' ? { sni: hostChoice.value } : {}),
    ...(trust.mode === 'uploaded' ? { trustedRoots: s.trustedRoots.flatMap((c) => c.certificates) } : {}),
    ...(trust.mode === 'v1-auth-cert' && s.authCerts.length ? { authCerts: s.authCerts.flatMap((c) => c.certificates) } : {}),
    ...(v2Https ? { validateChainAndExpiry: validateCertChainAndExpiry, validateSNI, ...(sniName ? { sniName } : {}) } : {}),
  };

  let names: ReturnType<typeof probeNames>;
  if (unknown) {
    // Some value is unknown (it may be the host itself, shown as its expression): nothing to check, only to show.
    const shownSni = sku === 'v1' ? (m.unknown ? '' : m.address) : hostHeader;
    names = { host: null, sni: shownSni === '' || net.isIP(shownSni) ? undefined : shownSni, hostHeader, hostSource: 'unknown' };
  } else {
    try { names = probeNames(options, m.address); } catch (e) {
      throw new InputError(`${cfg.source}: ${m.jsonPath}: ${(e as Error).message}`);
    }
  }
  const sni = https ? names.sni ?? null : null;
  const checkedName = https ? names.host?.value ?? null : null;

  let whySni: string;
  let whyName: string;
  if (!https) { whySni = 'Http: no TLS'; whyName = 'Http: no certificate'; }
  else if (sku === 'v1') {
    whySni = m.kind === 'ip' ? 'v1: SNI is the pool member\'s FQDN; this member is an IP, so no SNI (appgw-spec §3.1)' : `v1: SNI is the pool member's FQDN ${quote(m.address)}; the probe host only sets the Host header (appgw-spec §3.1)`;
    whyName = m.kind === 'ip' ? 'v1 with an IP member: no FQDN to compare the certificate with' : `v1: the pool FQDN ${quote(m.address)} against the certificate's SAN/CN`;
  } else {
    if (sniName) whySni = `setting ${s.name}: sniName ${quote(sniName)} is sent instead of the probe host`;
    else whySni = sni ? `v2: the probe host ${quote(hostChoice.value)} (${hostChoice.why})` : `v2: the probe host ${quote(hostChoice.value)} is an IP address, so no SNI is sent (RFC 6066, appgw-spec §3.2)`;
    if (!validateSNI) whyName = `setting ${s.name}: validateSNI false, the name is not checked`;
    else if (sniName) whyName = `setting ${s.name}: sniName ${quote(sniName)} (the fixed name used for validation)`;
    else whyName = `v2: the probe host ${quote(hostChoice.value)} against the certificate's SAN (CN only without SAN)${net.isIP(hostChoice.value) ? '; an IP host needs an IP SAN, else M6' : ''}`;
  }

  const plan: ProbePlan = {
    pool: pool.name, poolId: pool.id, setting: s.name, settingId: s.id,
    address: m.address, memberKind: m.kind, sku,
    probe: { kind: p ? 'custom' : 'default', name: p?.name ?? null, id: p?.id ?? null },
    protocol, port, path, host: hostChoice.value, hostHeader, sni, checkedName,
    url: `${protocol}://${urlHost(hostChoice.value)}:${port}${path}`,
    timeoutSeconds, configuredTimeoutSeconds: configuredTimeout,
    status, body, trust, validateCertChainAndExpiry, validateSNI, sniName,
    why: {
      protocol: whyProtocol, port: whyPort,
      host: `Host header ${quote(hostHeader)}: ${hostChoice.why}${sku === 'v1' ? ' (v1: Host header only)' : ''}`,
      sni: whySni, name: whyName, path: `${whyPath} ${quote(path)}`, timeout: whyTimeout,
      match: `${whyMatch}${whyMatchBody}`, trust: whyTrust,
    },
    notes, blocked, routedBy, options,
    ...(o.network ? { network: judgeRowNetwork(o.network, m.address, port) } : {}),
  };
  annotateSources(plan, s, m);
  return plan;
}

function pick<T extends { name: string }>(list: T[], wanted: string[] | undefined, flag: string, cfg: GatewayConfig): T[] {
  if (!wanted?.length) return list;
  const lower = wanted.map((w) => w.toLowerCase());
  for (const w of wanted) {
    if (!list.some((x) => x.name.toLowerCase() === w.toLowerCase())) {
      throw new InputError(`${flag} ${w}: no such name in ${cfg.source} (have: ${list.map((x) => x.name).join(', ') || 'none'})`);
    }
  }
  return list.filter((x) => lower.includes(x.name.toLowerCase()));
}

/** A gateway's plans, made one at a time when asked for (a sweep never needs them all at once). */
export interface GatewayPlanning {
  notes: string[];
  /** How many plans `plans()` yields. */
  total: number;
  /** Each plan, in document order; every call plans afresh. */
  plans: () => Generator<ProbePlan>;
}

/** The pool × setting pairs to plan and the notes about the choice; members are planned lazily. */
export function planGatewayLazily(cfg: GatewayConfig, o: PlanOptions = {}): GatewayPlanning {
  const notes = [...cfg.notes];
  const pools = pick(cfg.pools, o.pools, '--pool', cfg);
  const settings = pick(cfg.settings, o.settings, '--setting', cfg);
  const routed = o.allPairs ? null : cfg.routedPairs;
  if (routed === null && !o.allPairs) notes.push('no routing rules in the document: every pool is planned with every backend setting');
  const pairs: { pool: BackendPool; setting: BackendSetting; via: string[] | null }[] = [];
  for (const pool of pools) {
    const mine = routed === null
      ? settings.map((setting) => ({ pool, setting, via: null as string[] | null }))
      : routed.filter((r) => r.pool === pool && settings.includes(r.setting)).map((r) => ({ pool, setting: r.setting, via: r.via }));
    if (routed !== null && mine.length === 0 && !o.settings?.length) notes.push(`pool ${pool.name} is used by no routing rule, so the gateway does not probe it (use --all-pairs to plan it anyway)`);
    pairs.push(...mine);
  }
  return {
    notes,
    total: pairs.reduce((n, p) => n + p.pool.members.length, 0),
    plans: function* () {
      for (const { pool, setting, via } of pairs) for (const m of pool.members) yield planPair(cfg, pool, setting, m, o, via);
    },
  };
}

/** Every plan the gateway's Backend Health page would show a row for, in document order. */
export function planGateway(cfg: GatewayConfig, o: PlanOptions = {}): { plans: ProbePlan[]; notes: string[] } {
  const { notes, plans } = planGatewayLazily(cfg, o);
  return { plans: [...plans()], notes };
}

/** The plan as JSON: everything but the probe options' certificate objects. */
export function planJson(p: ProbePlan): Record<string, unknown> {
  const { options: _options, ...rest } = p;
  return rest;
}
