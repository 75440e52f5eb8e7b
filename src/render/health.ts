/**
 * The Backend Health view of a sweep: text grouped by pool and setting like the portal, and JSON in
 * the shape of `az network application-gateway show-backend-health` (appgw-spec §5) with our
 * findings, the plan and the probe evidence next to each server.
 */
import type { Finding } from '../model/findings.js';
import { SCHEMA_VERSION, countHealth, type HealthStatus, type ProbeReport } from '../model/report.js';
import type { GatewayConfig } from '../gateway/config.js';
import { planJson, type ProbePlan } from '../gateway/plan.js';
import type { RunResult } from '../sweep.js';
import type { NetworkSummary, RowNetwork } from '../gateway/network/verdict.js';
import { DEFAULT_CONCURRENCY } from '../gateway/defaults.js';
import { VERSION } from '../version.js';
import { painter } from './text.js';
import { wrapLine, wrapText } from './wrap.js';

/** What a sweep's header says: when, how long, how many at once, and the notes of the planning. */
export interface SweepMeta {
  at: Date;
  elapsedMs: number;
  concurrency: number;
  notes: string[];
  /** The gateway's network verdict, when network resources were given. */
  network?: NetworkSummary;
}

/**
 * What the text and json views of a sweep need of one finished probe: its verdict, findings and
 * (for json) the probe evidence, without the rest of the report. A sweep keeps one of these per
 * server until it prints, rather than every report.
 */
export interface SweepRow<I> {
  item: I;
  health: HealthStatus;
  healthProbeLog: string;
  messageId: string | null;
  primary: Finding | null;
  /** Why there is no report (not probed). */
  notProbed: string | null;
  findings: Finding[];
  /** The probe evidence (json only; null when not probed or not asked for). */
  probe: Record<string, unknown> | null;
}

/** The row of one result; `evidence` false leaves out what only json shows. */
export function sweepRow<I>(r: RunResult, item: I, evidence: boolean): SweepRow<I> {
  const rep = r.report;
  return {
    item, health: r.health, healthProbeLog: r.healthProbeLog,
    messageId: rep?.messageId ?? null, primary: rep?.primary ?? null, notProbed: r.error,
    findings: evidence ? rep?.findings ?? [] : [], probe: evidence && rep?.kind === 'probe' ? probeEvidence(rep) : null,
  };
}

interface Group<T> { pool: { id: string | null; name: string }; settings: { setting: { id: string | null; name: string }; rows: T[] }[] }

function group<T extends { plan: ProbePlan }>(rows: T[]): Group<T>[] {
  const pools: Group<T>[] = [];
  for (const row of rows) {
    const p = row.plan;
    let g = pools.find((x) => x.pool.name === p.pool);
    if (!g) { g = { pool: { id: p.poolId, name: p.pool }, settings: [] }; pools.push(g); }
    let s = g.settings.find((x) => x.setting.name === p.setting);
    if (!s) { s = { setting: { id: p.settingId, name: p.setting }, rows: [] }; g.settings.push(s); }
    s.rows.push(row);
  }
  return pools;
}

/** Probe evidence for JSON: the report's observation without certificate PEM (kept small per server). */
function probeEvidence(r: ProbeReport): Record<string, unknown> {
  return {
    target: r.target, probe: r.probe, tls: r.tls, http: r.http, stages: r.stages, timings: r.timings, trust: { mode: r.trust.mode, store: r.trust.store },
    chain: r.chain ? {
      presented: r.chain.presented.map((c) => ({ index: c.index, subject: c.subject, issuer: c.issuer, notBefore: c.notBefore, notAfter: c.notAfter, sha256: c.sha256 })),
      pathValid: r.chain.pathValid, anchored: r.chain.anchored,
    } : null,
  };
}

function gatewayJson(cfg: GatewayConfig): Record<string, unknown> {
  return { name: cfg.name, id: cfg.id, source: cfg.source, shape: cfg.shape, sku: cfg.sku };
}

/** JSON in the show-backend-health shape; `rows` in plan order. */
export function healthJson(cfg: GatewayConfig, rows: readonly SweepRow<ProbePlan>[], meta: SweepMeta): Record<string, unknown> {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'certcheck', version: VERSION },
    kind: 'gateway',
    gateway: gatewayJson(cfg),
    at: meta.at.toISOString(),
    summary: { ...countHealth(rows), elapsedMs: Math.round(meta.elapsedMs), concurrency: meta.concurrency },
    notes: meta.notes,
    ...(meta.network ? { network: meta.network } : {}),
    backendAddressPools: group(rows.map((r) => ({ plan: r.item, r }))).map((g) => ({
      backendAddressPool: g.pool,
      backendHttpSettingsCollection: g.settings.map((s) => ({
        backendHttpSettings: s.setting,
        servers: s.rows.map(({ r }) => ({
          address: r.item.address,
          ipConfiguration: null,
          health: r.health,
          healthProbeLog: r.healthProbeLog,
          messageId: r.messageId,
          primary: r.primary?.code ?? null,
          notProbed: r.notProbed,
          findings: r.findings,
          plan: planJson(r.item),
          probe: r.probe,
        })),
      })),
    })),
  };
}

/** `--plan --format json`: the same tree with each server's plan and nothing contacted. */
export function plansJson(cfg: GatewayConfig, plans: ProbePlan[], notes: string[], network?: NetworkSummary): Record<string, unknown> {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'certcheck', version: VERSION },
    kind: 'gateway-plan',
    gateway: gatewayJson(cfg),
    notes,
    ...(network ? { network } : {}),
    backendAddressPools: group(plans.map((plan) => ({ plan }))).map((g) => ({
      backendAddressPool: g.pool,
      backendHttpSettingsCollection: g.settings.map((s) => ({
        backendHttpSettings: s.setting,
        servers: s.rows.map(({ plan }) => ({ address: plan.address, plan: planJson(plan) })),
      })),
    })),
  };
}

function healthCol(h: HealthStatus): 'green' | 'yellow' | 'red' {
  return h === 'Healthy' ? 'green' : h === 'Unknown' ? 'yellow' : 'red';
}

function settingLine(plan: ProbePlan): string {
  const probe = plan.probe.kind === 'custom' ? `custom probe ${plan.probe.name}` : 'default probe';
  return `${plan.protocol === 'https' ? 'Https' : 'Http'} port ${plan.port}, ${probe}`;
}

interface TableRow { server: string; health: HealthStatus; details: string; why: string | null; network?: string }

/** The table; with `width` the Details column wraps within it (render/wrap.ts), without it each line stays whole. */
function table(rows: TableRow[], color: boolean, width: number | undefined, indent: string): string[] {
  const p = painter(color);
  const srvW = Math.max(6, ...rows.map((r) => r.server.length));
  const hang = indent.length + srvW + 13;
  const pad = ' '.repeat(hang);
  const out = [p('bold', `${indent}${'SERVER'.padEnd(srvW)}  ${'HEALTH'.padEnd(9)}  DETAILS`)];
  for (const r of rows) {
    out.push(wrapLine(`${indent}${r.server.padEnd(srvW)}  ${p(healthCol(r.health), r.health.padEnd(9))}  ${r.details}`, width, hang));
    if (r.why) out.push(wrapLine(`${pad}${p('dim', `\u21b3 ${r.why}`)}`, width, hang + 2));
    if (r.network) out.push(wrapLine(`${pad}${p('dim', `network: ${r.network}`)}`, width, hang + 9));
  }
  return out;
}

function rowOf(r: SweepRow<unknown>): Omit<TableRow, 'server'> {
  const primary = r.primary;
  return { health: r.health, details: r.healthProbeLog, why: primary ? `${primary.code}: ${primary.explanation}` : null };
}

function summaryLine(results: readonly { health: HealthStatus }[], color: boolean): string {
  const p = painter(color);
  const c = countHealth(results);
  return `${c.total} server(s): ${p('green', `${c.healthy} Healthy`)}, ${p('red', `${c.unhealthy} Unhealthy`)}, ${p('yellow', `${c.unknown} Unknown`)}`;
}

/** The Backend Health page as text: one block per pool and setting. */
export function renderHealthText(cfg: GatewayConfig, results: readonly SweepRow<ProbePlan>[], meta: SweepMeta, color: boolean, width?: number): string {
  const p = painter(color);
  const out: string[] = [];
  out.push(p('bold', `Backend health of ${cfg.name ?? cfg.source} (${cfg.sku.name ?? cfg.sku.tier ?? 'sku not given'}, ${cfg.sku.version} rules) at ${meta.at.toISOString()}`));
  out.push(`${summaryLine(results, color)}; ${(meta.elapsedMs / 1000).toFixed(1)} s with ${meta.concurrency} in parallel`);
  for (const n of meta.notes) out.push(p('dim', `note: ${n}`));
  if (meta.network) out.push(...networkLines(meta.network, color));
  for (const g of group(results.map((r) => ({ plan: r.item, r })))) {
    for (const s of g.settings) {
      out.push('');
      out.push(`${p('bold', `pool ${g.pool.name}`)} · ${p('bold', `setting ${s.setting.name}`)} (${settingLine(s.rows[0]!.plan)})`);
      out.push(...table(s.rows.map(({ r }) => ({ server: r.item.address, ...rowOf(r), ...(r.item.network ? { network: r.item.network.summary } : {}) })), color, width, '  '));
    }
  }
  return `${wrapText(out.join('\n'), width)}\n`;
}

/** The gateway-wide network stage: where the gateway stands and what that decides. */
function networkLines(n: NetworkSummary, color: boolean): string[] {
  const p = painter(color);
  const where = n.subnet
    ? `gateway subnet ${n.subnet} (${n.addressPrefixes.join(', ') || 'no prefix'}) in ${n.vnet ?? 'an unlisted VNet'}, NSG ${n.nsg ?? 'none'}, route table ${n.routeTable ?? 'none'}${n.isolated ? ', network isolation (no public frontend)' : ''}`
    : 'gateway subnet unknown';
  const out = [p('bold', `network: ${where}`)];
  for (const f of n.findings) {
    const col = f.severity === 'unknown' ? 'yellow' : f.severity === 'error' ? 'red' : 'yellow';
    out.push(`  ${p(col, f.code)}: ${f.explanation}`);
  }
  if (!n.findings.length) out.push(p('dim', '  no gateway-wide network finding'));
  for (const x of n.notes) out.push(p('dim', `  note: ${x}`));
  return out;
}

/** A plan row's network verdict: what the network decides, or that the probe decides. */
function planNetwork(n: RowNetwork): { value: string; why: string; shown: Finding | null } {
  const shown = n.primary ?? n.findings[0] ?? null;
  return {
    value: n.health ? `${n.health} (${n.primary?.code ?? ''})` : 'the probe decides',
    why: shown ? `${shown.code}: ${shown.explanation}` : n.summary,
    shown,
  };
}

/** `--plan`: what the gateway would send to each server, and why, before anything is contacted. */
export function renderPlansText(cfg: GatewayConfig, plans: ProbePlan[], notes: string[], color: boolean, network?: NetworkSummary, width?: number): string {
  const p = painter(color);
  const out: string[] = [p('bold', `Probe plan for ${cfg.name ?? cfg.source} (${cfg.sku.name ?? cfg.sku.tier ?? 'sku not given'}, ${cfg.sku.version} rules): ${plans.length} probe(s), nothing contacted`)];
  for (const n of notes) out.push(p('dim', `note: ${n}`));
  if (network) out.push(...networkLines(network, color));
  for (const g of group(plans.map((plan) => ({ plan })))) {
    for (const s of g.settings) {
      out.push('');
      out.push(`${p('bold', `pool ${g.pool.name}`)} · ${p('bold', `setting ${s.setting.name}`)} (${settingLine(s.rows[0]!.plan)})${s.rows[0]!.plan.routedBy ? ` via ${s.rows[0]!.plan.routedBy.join('; ')}` : ''}`);
      for (const { plan } of s.rows) {
        out.push(`  ${p('bold', plan.address)}  GET ${plan.url}`);
        // A long reason continues under itself, after the arrow.
        const line = (k: string, v: string, why: string) => out.push(wrapLine(`      ${k.padEnd(13)} ${v.padEnd(28)} ${p('dim', `\u2190 ${why}`)}`, width, Math.max(49, 21 + v.length) + 2));
        line('Host header', plan.hostHeader, plan.why.host);
        if (plan.protocol === 'https') {
          line('SNI', plan.sni ?? '(none)', plan.why.sni);
          line('name checked', plan.checkedName ?? '(none)', plan.why.name);
          line('trust', plan.trust.mode, plan.why.trust);
        }
        line('port', String(plan.port), plan.why.port);
        line('path', plan.path, plan.why.path);
        line('timeout', `${plan.timeoutSeconds} s`, plan.why.timeout);
        line('match', `${plan.status}${plan.body !== null ? ` + body ${JSON.stringify(plan.body)}` : ''}`, plan.why.match);
        if (plan.network) {
          const nv = planNetwork(plan.network);
          line('network', nv.value, nv.why);
          for (const f of plan.network.findings.filter((x) => x !== nv.shown)) out.push(`      ${p('yellow', `${f.code}: ${f.explanation}`)}`);
        }
        for (const n of plan.notes) out.push(`      ${p('yellow', `note: ${n}`)}`);
        if (plan.blocked) out.push(`      ${p('yellow', `not probed: ${plan.blocked}`)}`);
      }
    }
  }
  return `${wrapText(out.join('\n'), width)}\n`;
}

/** A plain target from a targets file. */
export interface TargetItem { line: number; target: string; sni: string | null }

/** A targets-file sweep as JSON: one entry per line of the file, in file order. */
export function targetsJson(rows: readonly SweepRow<TargetItem>[], meta: SweepMeta): Record<string, unknown> {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'certcheck', version: VERSION },
    kind: 'targets',
    at: meta.at.toISOString(),
    summary: { ...countHealth(rows), elapsedMs: Math.round(meta.elapsedMs), concurrency: meta.concurrency },
    notes: meta.notes,
    targets: rows.map((r) => ({
      line: r.item.line, target: r.item.target, sni: r.item.sni,
      health: r.health, healthProbeLog: r.healthProbeLog,
      messageId: r.messageId, primary: r.primary?.code ?? null, notProbed: r.notProbed,
      findings: r.findings, probe: r.probe,
    })),
  };
}

/** A targets-file sweep as text: the summary, then one table row per target. */
export function renderTargetsText(rows: readonly SweepRow<TargetItem>[], meta: SweepMeta, color: boolean, width?: number): string {
  const out = [`${summaryLine(rows, color)}; ${(meta.elapsedMs / 1000).toFixed(1)} s with ${meta.concurrency} in parallel`];
  for (const n of meta.notes) out.push(painter(color)('dim', `note: ${n}`));
  out.push('');
  out.push(...table(rows.map((r) => ({ server: `${r.item.target}${r.item.sni ? ` (SNI ${r.item.sni})` : ''}`, ...rowOf(r) })), color, width, ''));
  return `${wrapText(out.join('\n'), width)}\n`;
}

/** How {@link renderGatewayHealth} and {@link renderGatewayPlan} print. */
export interface GatewayRenderOptions {
  /** `text` (the default): the portal's Backend Health page; `json`: the `show-backend-health` shape. */
  format?: 'text' | 'json';
  /** ANSI colours in the text view. */
  color?: boolean;
  /** Fit the text view to this many columns (a terminal's width); undefined (the default) never wraps. */
  width?: number;
}

/** What the sweep's header says about the run; `checkGateway` callers measure it themselves. */
export interface GatewaySweepInfo {
  /** When the sweep started (default: now). */
  at?: Date;
  /** How long it took (default 0). */
  elapsedMs?: number;
  /** How many probes ran at once (default: the runner's default). */
  concurrency?: number;
}

/**
 * A gateway sweep (`checkGateway`'s result) as `certcheck gateway` prints it: the Backend Health
 * page as text, or JSON in the shape of `az network application-gateway show-backend-health`.
 */
export function renderGatewayHealth(cfg: GatewayConfig, sweep: { notes: string[]; results: readonly RunResult<ProbePlan>[] },
  o: GatewayRenderOptions & GatewaySweepInfo = {}): string {
  const json = o.format === 'json';
  const rows = sweep.results.map((r) => sweepRow(r, r.item, json));
  const meta: SweepMeta = { at: o.at ?? new Date(), elapsedMs: o.elapsedMs ?? 0, concurrency: o.concurrency ?? DEFAULT_CONCURRENCY, notes: sweep.notes };
  return json ? `${JSON.stringify(healthJson(cfg, rows, meta), null, 2)}\n` : renderHealthText(cfg, rows, meta, !!o.color, o.width);
}

/** A gateway's probe plans (`planGateway`'s result) as `certcheck gateway --plan` prints them. */
export function renderGatewayPlan(cfg: GatewayConfig, planned: { plans: ProbePlan[]; notes: string[] }, o: GatewayRenderOptions = {}): string {
  return o.format === 'json' ? `${JSON.stringify(plansJson(cfg, planned.plans, planned.notes), null, 2)}\n` : renderPlansText(cfg, planned.plans, planned.notes, !!o.color, undefined, o.width);
}
