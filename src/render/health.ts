/**
 * The Backend Health view of a sweep: text grouped by pool and setting like the portal, and JSON in
 * the shape of `az network application-gateway show-backend-health` (appgw-spec §5) with our
 * findings, the plan and the probe evidence next to each server.
 */
import type { Finding } from '../model/findings.js';
import { findingBrief } from '../model/catalog.js';
import { SCHEMA_VERSION, countHealth, type HealthCounts, type HealthStatus, type PolicyReport, type ProbeReport } from '../model/report.js';
import type { GatewayConfig } from '../gateway/config.js';
import { planJson, type ProbePlan } from '../gateway/plan.js';
import type { RunResult } from '../sweep.js';
import type { NetworkSummary, RowNetwork } from '../gateway/network/verdict.js';
import { DEFAULT_CONCURRENCY } from '../gateway/defaults.js';
import { VERSION } from '../version.js';
import { painter } from './text.js';
import { wrapLine, wrapText } from './wrap.js';

/** What a sweep's views say besides the rows: when, how long, how many at once, the notes of the planning, how it ended. */
export interface SweepMeta {
  at: Date;
  elapsedMs: number;
  concurrency: number;
  notes: string[];
  /** The gateway's network verdict, when network resources were given. */
  network?: NetworkSummary;
  /** Set when the sweep was stopped (Ctrl-C): how many results came back of how many items. */
  interrupted?: { done: number; total: number };
  /** Text: only the rows that are not Healthy, then the closing tally (--quiet). */
  quiet?: boolean;
}

/**
 * Something certcheck says about a row in a few words, beside the gateway's verdict: today a
 * Healthy server's warnings. `code` is what the closing tally counts it under.
 */
export interface SweepMark { code: string; text: string }

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
  /** certcheck's policy beside the health (null when not probed). */
  policy: PolicyReport | null;
  /** A Healthy row's warnings in a few words each (text shows them on the row; the tally counts them). */
  marks: SweepMark[];
}

/** The counts of a sweep's rows: health, and policy failures beside it. */
export function countRows(rows: readonly { health: HealthStatus; policy?: PolicyReport | null }[]): HealthCounts {
  return countHealth(rows.map((r) => ({ health: r.health, policyOk: r.policy?.ok ?? true })));
}

/**
 * The row of one result; `evidence` false leaves out the probe evidence only json shows, and
 * `findings` false (the default: as `evidence`) the findings only json and verbose text show.
 */
export function sweepRow<I>(r: RunResult, item: I, evidence: boolean, findings = evidence): SweepRow<I> {
  const rep = r.report;
  return {
    item, health: r.health, healthProbeLog: r.healthProbeLog,
    messageId: rep?.messageId ?? null, primary: rep?.primary ?? null, notProbed: r.error,
    findings: findings ? rep?.findings ?? [] : [], probe: evidence && rep?.kind === 'probe' ? probeEvidence(rep) : null,
    policy: rep?.policy ?? null,
    marks: rep ? [...(r.health === 'Healthy' ? warningMarks(rep.findings) : []), ...policyMarks(rep.policy)] : [],
  };
}

/**
 * certcheck's policy failures as marks, labelled as ours (the gateway's health stays as it is):
 * code `policy:min-days` or `policy:strict`, so the tally counts them apart from the findings.
 */
function policyMarks(policy: PolicyReport): SweepMark[] {
  return policy.failures.map((f) => ({ code: `policy:${f.check}`, text: `policy FAIL: ${f.summary}` }));
}

/** The warnings of a report as marks, each distinct text once (two extra certificates read the same). */
function warningMarks(findings: readonly Finding[]): SweepMark[] {
  const marks: SweepMark[] = [];
  // What an operator acts on first leads the row: an expiry before the other warnings, and the
  // strict profile's advisories (what the gateway accepts but strict clients do not) last.
  const rank = (f: Finding) => (f.code === 'CERT_EXPIRES_SOON' ? 0 : f.code === 'STRICT_VIOLATION' ? 2 : 1);
  for (const f of [...findings].sort((a, b) => rank(a) - rank(b))) {
    if (f.severity !== 'warning') continue;
    const text = findingBrief(f);
    if (!marks.some((m) => m.code === f.code && m.text === text)) marks.push({ code: f.code, text });
  }
  return marks;
}

/**
 * One line of a sweep's closing tally: how many servers share a health and a cause. A server
 * that is not Healthy counts once, under its gateway message and primary finding (NOT_PROBED
 * when it was not probed); a Healthy one counts once under each of its marks' codes.
 */
export interface TallyGroup { health: HealthStatus; messageId: string | null; code: string; count: number }

/** A closing tally being counted, one group per key; a sweep adds each row as it finishes. */
export type Tally = Map<string, TallyGroup>;

/** Adds one row to the tally. */
export function addToTally(t: Tally, row: Pick<SweepRow<unknown>, 'health' | 'messageId' | 'primary' | 'notProbed' | 'marks'>): void {
  const add = (messageId: string | null, code: string) => {
    const key = `${row.health}\u0000${messageId ?? ''}\u0000${code}`;
    const g = t.get(key);
    if (g) g.count++; else t.set(key, { health: row.health, messageId, code, count: 1 });
  };
  if (row.health !== 'Healthy') {
    add(row.messageId, row.primary?.code ?? (row.notProbed !== null ? 'NOT_PROBED' : row.messageId ?? 'NONE'));
    return;
  }
  for (const code of new Set(row.marks.map((m) => m.code))) add(null, code);
}

/** The groups of a tally, the largest first (ties in the order of their labels). */
export function tallyGroups(t: Tally): TallyGroup[] {
  const order = (a: TallyGroup, b: TallyGroup) => { const x = groupLabel(a), y = groupLabel(b); return x < y ? -1 : x > y ? 1 : 0; };
  return [...t.values()].sort((a, b) => b.count - a.count || order(a, b));
}

/** The tally of finished rows. */
export function tallyRows(rows: Iterable<Parameters<typeof addToTally>[1]>): TallyGroup[] {
  const t: Tally = new Map();
  for (const r of rows) addToTally(t, r);
  return tallyGroups(t);
}

function groupLabel(g: TallyGroup): string {
  return g.messageId && g.messageId !== g.code ? `${g.messageId} (${g.code})` : g.code;
}

/** The summary object of the JSON views: counts by health, the grouped tally, and how the sweep ended. */
export function sweepSummary(counts: ReturnType<typeof countHealth>, groups: TallyGroup[], meta: SweepMeta): Record<string, unknown> {
  return {
    ...counts, elapsedMs: Math.round(meta.elapsedMs), concurrency: meta.concurrency, groups,
    ...(meta.interrupted ? { interrupted: meta.interrupted } : {}),
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
    summary: sweepSummary(countRows(rows), tallyRows(rows), meta),
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
          policy: r.policy,
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

interface TableRow { server: string; health: HealthStatus; details: string; why: string | null; network?: string; more?: string[]; detailsColor?: 'yellow' }

/** The table; with `width` the Details column wraps within it (render/wrap.ts), without it each line stays whole. */
function table(rows: TableRow[], color: boolean, width: number | undefined, indent: string): string[] {
  const p = painter(color);
  const srvW = Math.max(6, ...rows.map((r) => r.server.length));
  const hang = indent.length + srvW + 13;
  const pad = ' '.repeat(hang);
  const out = [p('bold', `${indent}${'SERVER'.padEnd(srvW)}  ${'HEALTH'.padEnd(9)}  DETAILS`)];
  // Long server names (URLs, SNI) on a narrow terminal leave the Details column a few words wide:
  // then each row's details go under it, indented, with the whole width.
  if (width !== undefined && width - hang < NARROW_DETAILS) return narrowTable(rows, color, width, indent, out);
  for (const r of rows) {
    const d = (l: string) => (r.detailsColor ? p(r.detailsColor, l) : l);
    out.push(wrapLine(`${indent}${r.server.padEnd(srvW)}  ${p(healthCol(r.health), r.health.padEnd(9))}  ${d(r.details)}`, width, hang));
    if (r.why) out.push(wrapLine(`${pad}${p('dim', `\u21b3 ${r.why}`)}`, width, hang + 2));
    if (r.network) out.push(wrapLine(`${pad}${p('dim', `network: ${r.network}`)}`, width, hang + 9));
    for (const m of r.more ?? []) out.push(wrapLine(`${pad}${p('dim', m)}`, width, hang));
  }
  return out;
}

/** Below this many columns for Details, a table puts each row's details under it. */
const NARROW_DETAILS = 30;

/** The table with each row's details under its server and health, indented by four. */
function narrowTable(rows: TableRow[], color: boolean, width: number, indent: string, out: string[]): string[] {
  const p = painter(color);
  const h = indent.length + 4;
  const pad = ' '.repeat(h);
  // The health stays under its heading when that fits (the heading's server column is this wide).
  const srvW = Math.min(width - indent.length - 11, Math.max(6, ...rows.map((x) => x.server.length)));
  for (const r of rows) {
    const d = (l: string) => (r.detailsColor ? p(r.detailsColor, l) : l);
    const srv = r.server.length <= srvW ? r.server.padEnd(srvW) : r.server;
    out.push(wrapLine(`${indent}${srv}  ${p(healthCol(r.health), r.health)}`, width, indent.length + 2));
    out.push(wrapLine(`${pad}${d(r.details)}`, width, h));
    if (r.why) out.push(wrapLine(`${pad}${p('dim', `\u21b3 ${r.why}`)}`, width, h + 2));
    if (r.network) out.push(wrapLine(`${pad}${p('dim', `network: ${r.network}`)}`, width, h + 9));
    for (const m of r.more ?? []) out.push(wrapLine(`${pad}${p('dim', m)}`, width, h));
  }
  return out;
}

/** The warning sign that starts each mark. */
const MARK = '\u26a0';

function rowOf(r: SweepRow<unknown>, verbose = false): Omit<TableRow, 'server'> {
  const primary = r.primary;
  // A Healthy row with marks shows them where its Details would be, so a search for the sign
  // finds the server too; the others keep the gateway's words (and a policy failure below them).
  const row: Omit<TableRow, 'server'> = r.health === 'Healthy' && r.marks.length
    ? { health: r.health, details: r.marks.map((m) => `${MARK} ${m.text}`).join('; '), why: null, detailsColor: 'yellow' }
    : { health: r.health, details: r.healthProbeLog, why: primary ? `${primary.code}: ${primary.explanation}` : null };
  const more = r.health === 'Healthy' ? [] : r.marks.map((m) => `${MARK} ${m.text}`);
  if (verbose) {
    // Verbose: what to do about the primary finding, then every other finding (info-level too).
    if (primary?.fix) more.push(`fix: ${primary.fix}`);
    for (const f of r.findings) if (f.code !== primary?.code || f.certIndex !== primary.certIndex) more.push(`${f.severity} ${f.code}${f.certIndex !== undefined ? ` [cert ${f.certIndex}]` : ''}: ${f.explanation}`);
  }
  return more.length ? { ...row, more } : row;
}

/** The rows a text view lists: all, or with --quiet the failures (not Healthy, or certcheck's policy failed). */
function listed<T extends { health: HealthStatus; policy: PolicyReport | null }>(rows: readonly T[], meta: SweepMeta): readonly T[] {
  return meta.quiet ? rows.filter((r) => r.health !== 'Healthy' || r.policy?.ok === false) : rows;
}

/** The header's account of the run: how long, how many at once, and whether it was stopped. */
function runLine(meta: SweepMeta): string {
  return `${(meta.elapsedMs / 1000).toFixed(1)} s with ${meta.concurrency} in parallel${meta.interrupted ? `; interrupted after ${meta.interrupted.done} of ${meta.interrupted.total}` : ''}`;
}

/**
 * The closing tally, at the end where a long sweep's reader is: the counts by health again, then
 * the servers grouped by gateway message and finding, the largest group first.
 */
function closingTally(rows: readonly SweepRow<unknown>[], meta: SweepMeta, color: boolean): string[] {
  const p = painter(color);
  const out = [''];
  if (meta.interrupted) out.push(p('bold', `Interrupted after ${meta.interrupted.done} of ${meta.interrupted.total} server(s): the rest were not probed.`));
  const warned = rows.filter((r) => r.health === 'Healthy' && r.marks.length).length;
  out.push(`${p('bold', 'Tally:')} ${summaryLine(rows, color)}${warned ? ` (${warned} Healthy with warnings)` : ''}`);
  const groups = tallyRows(rows);
  const w = Math.max(0, ...groups.map((g) => String(g.count).length));
  for (const g of groups) out.push(`  ${String(g.count).padStart(w)} \u00d7 ${p(g.health === 'Unhealthy' ? 'red' : 'yellow', groupLabel(g))}`);
  return out;
}

function summaryLine(results: readonly { health: HealthStatus; policy?: PolicyReport | null }[], color: boolean): string {
  const p = painter(color);
  const c = countRows(results);
  const policy = c.policyFailed ? `; certcheck policy FAIL for ${c.policyFailed}` : '';
  return `${c.total} server(s): ${p('green', `${c.healthy} Healthy`)}, ${p('red', `${c.unhealthy} Unhealthy`)}, ${p('yellow', `${c.unknown} Unknown`)}${policy}`;
}

/** The Backend Health page as text: one block per pool and setting, then the closing tally (--quiet: only the servers that are not Healthy). */
export function renderHealthText(cfg: GatewayConfig, results: readonly SweepRow<ProbePlan>[], meta: SweepMeta, color: boolean, width?: number, verbose = false): string {
  const p = painter(color);
  const out: string[] = [];
  if (!meta.quiet) {
    out.push(p('bold', `Backend health of ${cfg.name ?? cfg.source} (${cfg.sku.name ?? cfg.sku.tier ?? 'sku not given'}, ${cfg.sku.version} rules) at ${meta.at.toISOString()}`));
    out.push(`${summaryLine(results, color)}; ${runLine(meta)}`);
    for (const n of meta.notes) out.push(p('dim', `note: ${n}`));
    if (meta.network) out.push(...networkLines(meta.network, color));
  }
  for (const g of group(listed(results, meta).map((r) => ({ plan: r.item, r })))) {
    for (const s of g.settings) {
      if (out.length) out.push('');
      out.push(`${p('bold', `pool ${g.pool.name}`)} · ${p('bold', `setting ${s.setting.name}`)} (${settingLine(s.rows[0]!.plan)})`);
      out.push(...table(s.rows.map(({ r }) => ({ server: r.item.address, ...rowOf(r, verbose), ...(r.item.network ? { network: r.item.network.summary } : {}) })), color, width, '  '));
    }
  }
  out.push(...closingTally(results, meta, color).slice(out.length ? 0 : 1));
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
    summary: sweepSummary(countRows(rows), tallyRows(rows), meta),
    notes: meta.notes,
    targets: rows.map((r) => ({
      line: r.item.line, target: r.item.target, sni: r.item.sni,
      health: r.health, healthProbeLog: r.healthProbeLog,
      messageId: r.messageId, primary: r.primary?.code ?? null, notProbed: r.notProbed,
      findings: r.findings, probe: r.probe, policy: r.policy,
    })),
  };
}

/** A targets-file sweep as text: the summary, one table row per target, then the closing tally (--quiet: only the targets that are not Healthy). */
export function renderTargetsText(rows: readonly SweepRow<TargetItem>[], meta: SweepMeta, color: boolean, width?: number, verbose = false): string {
  const out: string[] = [];
  if (!meta.quiet) {
    out.push(`${summaryLine(rows, color)}; ${runLine(meta)}`);
    for (const n of meta.notes) out.push(painter(color)('dim', `note: ${n}`));
    out.push('');
  }
  const shown = listed(rows, meta);
  if (shown.length || !meta.quiet) out.push(...table(shown.map((r) => ({ server: `${r.item.target}${r.item.sni ? ` (SNI ${r.item.sni})` : ''}`, ...rowOf(r, verbose) })), color, width, ''));
  out.push(...closingTally(rows, meta, color).slice(out.length ? 0 : 1));
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
