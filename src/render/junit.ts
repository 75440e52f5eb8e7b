/**
 * JUnit XML for CI test reporters, plus what the other renderers share: the terminal/XML-safe
 * `neutralize`, a report's display name, and the failure text (gateway message, why, fix).
 */
import type { Finding } from '../model/findings.js';
import type { Report, RotationInfo } from '../model/report.js';

/** One JUnit test case: a target (backend, chain file, rotation) and its report. */
export interface CaseEntry {
  name: string;
  report: Report;
}

/**
 * Make any text safe for a terminal and for XML 1.0: C0/C1 controls (except tab and newline),
 * DEL, the line/paragraph separators U+2028/U+2029, bidi controls, lone surrogates and the two
 * non-characters become visible \uXXXX text (a CI log viewer may break lines at U+2028).
 * XML 1.0 forbids most C0 controls even as character references, so they cannot be kept as is.
 */
export function neutralize(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function xmlText(s: string): string {
  return neutralize(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function xmlAttr(s: string): string {
  // Parsers normalise raw newlines and tabs in attributes to spaces; keep them as references.
  return xmlText(s).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

/** A short name for what the report is about: "host:port (SNI name)", the chain files, or the rotation. */
export function targetName(r: Report): string {
  if (r.kind === 'probe') {
    const { host, port } = r.target;
    const hp = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    return r.probe.sni ? `${hp} (SNI ${r.probe.sni})` : hp;
  }
  if (r.rotation?.newSource) return `rotate ${r.rotation.newSource}${r.host ? ` for ${r.host}` : ''}`;
  if (r.inputs?.length) return `${r.inputs.join(' + ')}${r.host ? ` for ${r.host}` : ''}`;
  return r.host ?? r.kind;
}

/** The rotation pre-flight of a `certcheck rotate` report, if the report is one. */
export function rotationOf(r: Report): RotationInfo | undefined {
  return r.kind === 'verify' ? r.rotation : undefined;
}

function seconds(r: Report): string {
  const ms = r.kind === 'probe' ? r.timings.totalMs : undefined;
  return typeof ms === 'number' && Number.isFinite(ms) ? (ms / 1000).toFixed(3) : '0';
}

function findingLine(f: Finding): string {
  const where = f.certIndex !== undefined ? ` [cert ${f.certIndex}]` : '';
  return `${f.code}${where}: ${f.explanation}`;
}

/** The message line, labelled with whose words it is. */
function messageLine(r: Report): string {
  return r.messageSource === 'gateway' ? `Gateway message${r.messageId ? ` (${r.messageId})` : ''}: ${r.message}` : `certcheck: ${r.message}`;
}

/** certcheck's policy failures, labelled as ours (never the gateway's), one a line with its fix. */
export function policyDetail(r: Report): string[] {
  if (r.policy.ok) return [];
  const lines = ['Policy (certcheck\'s, not the gateway\'s): FAIL'];
  for (const f of r.policy.failures) {
    lines.push(`  - ${f.summary}`);
    if (f.fix) lines.push(`    Fix: ${f.fix}`);
  }
  return lines;
}

/** One line naming the policy failures, for a failure's message attribute and summaries. */
export function policyHeadline(r: Report): string {
  const n = r.policy.failures.length;
  return `certcheck policy FAIL: ${r.policy.failures[0]?.summary ?? ''}${n > 1 ? ` (and ${n - 1} more)` : ''}`;
}

/** The failure body: the gateway message, our explanation and fix, then everything else wrong. */
export function failureDetail(r: Report): string {
  const p = r.primary;
  const lines = [`Status: ${r.status}`, messageLine(r)];
  if (p) {
    lines.push(`Why: ${findingLine(p)}`);
    if (p.fix) lines.push(`Fix: ${p.fix}`);
    if (p.openssl) lines.push(`OpenSSL: ${p.openssl.code} ${p.openssl.name}: ${p.openssl.text}`);
  }
  const others = r.findings.filter((f) => f !== p && (f.severity === 'error' || f.severity === 'unknown'));
  if (others.length) lines.push('Other errors:', ...others.map((f) => `  - ${findingLine(f)}`));
  const warnings = r.findings.filter((f) => f.severity === 'warning');
  if (warnings.length) lines.push('Warnings:', ...warnings.map((f) => `  - ${findingLine(f)}`));
  lines.push(...policyDetail(r));
  return lines.join('\n');
}

function systemOut(r: Report): string {
  const lines = [`Checked: SKU ${r.sku}, profile ${r.profile}, at ${r.at}, host ${r.host ?? '(not checked)'}`, `Trust: ${r.trust.store}`];
  if (r.status === 'Healthy') {
    lines.push(messageLine(r));
    const warnings = r.findings.filter((f) => f.severity === 'warning');
    if (warnings.length) lines.push('Warnings:', ...warnings.map((f) => `  - ${findingLine(f)}`));
  }
  for (const c of r.chain?.presented ?? []) {
    lines.push(`[${c.index}] ${c.subject} (notAfter ${c.notAfter}${c.daysLeft !== null ? `, ${c.daysLeft} days left` : ''}) sha256 ${c.sha256}`);
  }
  const steps = rotationOf(r)?.steps;
  if (steps?.length) lines.push('Rotation steps:', ...steps.map((s) => `  ${s.order}. [${s.where}] ${s.action}`));
  return lines.join('\n');
}

/** One rendered test case and what the suite's header counts of it. */
export interface JunitCase {
  xml: string;
  status: Report['status'];
  /** The gateway would say Healthy but certcheck's policy failed: a failure of its own. */
  policyFailed: boolean;
  seconds: number;
}

/** A test case on its own, so a sweep can render each as it finishes and drop the report. */
export function junitCase({ name, report: r }: CaseEntry): JunitCase {
  const out: string[] = [];
  out.push(`    <testcase classname="${xmlAttr(`certcheck.${r.kind}`)}" name="${xmlAttr(name)}" time="${seconds(r)}">`);
  const policyFailed = r.status === 'Healthy' && !r.policy.ok;
  if (r.status !== 'Healthy') {
    const tag = r.status === 'Unknown' ? 'error' : 'failure';
    out.push(`      <${tag} message="${xmlAttr(r.message)}" type="${xmlAttr(r.primary?.code ?? r.status)}">${xmlText(failureDetail(r))}</${tag}>`);
  } else if (policyFailed) {
    // A CI run asked for the policy (--min-days): its failure fails the test case, labelled as ours.
    out.push(`      <failure message="${xmlAttr(policyHeadline(r))}" type="POLICY">${xmlText(failureDetail(r))}</failure>`);
  }
  out.push(`      <system-out>${xmlText(systemOut(r))}</system-out>`);
  out.push('    </testcase>');
  return { xml: out.join('\n'), status: r.status, policyFailed, seconds: Number(seconds(r)) };
}

/** The tool fields the suite's properties name (taken from the first report). */
export interface JunitTool { version: string; schemaVersion: string }

/** The suite's tool properties, from the first report (empty when there is none). */
export function junitTool(r: Report | undefined): JunitTool {
  return { version: r?.tool.version ?? '', schemaVersion: r ? String(r.schemaVersion) : '' };
}

/**
 * The document around rendered cases, in the order given. `interrupted` (a sweep stopped by
 * Ctrl-C) is said in the suite's properties: how many servers came back of how many.
 */
export function junitSuite(cases: readonly JunitCase[], tool: JunitTool, suiteName = 'certcheck', interrupted?: { done: number; total: number }): string {
  const failures = cases.filter((c) => c.status === 'Unhealthy' || c.policyFailed).length;
  const errors = cases.filter((c) => c.status === 'Unknown').length;
  const total = cases.reduce((s, c) => s + c.seconds, 0).toFixed(3);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${xmlAttr(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${total}">`);
  out.push(`  <testsuite name="${xmlAttr(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${total}">`);
  out.push('    <properties>');
  out.push(`      <property name="certcheck.version" value="${xmlAttr(tool.version)}"/>`);
  out.push(`      <property name="certcheck.schemaVersion" value="${tool.schemaVersion}"/>`);
  if (interrupted) out.push(`      <property name="certcheck.interrupted" value="${interrupted.done} of ${interrupted.total} server(s) came back; the rest were not probed (Ctrl-C)"/>`);
  out.push('    </properties>');
  for (const c of cases) out.push(c.xml);
  out.push('  </testsuite>');
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

/**
 * JUnit XML as Jenkins, GitLab, Azure DevOps and GitHub test reporters read it: one test case per
 * target; Unhealthy is a <failure>, Unknown an <error>, both carrying the gateway's message.
 */
export function renderJunit(entries: readonly CaseEntry[], suiteName = 'certcheck'): string {
  return junitSuite(entries.map(junitCase), junitTool(entries[0]?.report), suiteName);
}
