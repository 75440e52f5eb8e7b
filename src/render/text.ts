/**
 * The text view of one report: target and stages (probe), the check, trust, the chain as presented
 * and the path built, the findings, then the gateway's verdict and message last, where a reader
 * of a terminal looks first.
 */
import type { Finding } from '../model/findings.js';
import type { CertSummary, Report } from '../model/report.js';

/** How `renderText` prints. */
export interface TextOptions {
  color: boolean;
  /** Show info-level findings too. */
  verbose?: boolean;
}

const C = { red: 31, green: 32, yellow: 33, blue: 34, dim: 2, bold: 1 } as const;

/** A function that wraps text in an ANSI colour or style, or leaves it as is when `color` is false. */
export function painter(color: boolean) {
  return (c: keyof typeof C, s: string) => (color ? `\u001b[${C[c]}m${s}\u001b[0m` : s);
}

/**
 * The two verdicts, never mixed (design.md): the gateway's status and message, labelled as the
 * gateway's only when they are its words; then certcheck's policy, when one was asked for.
 */
function verdictLines(r: Report, p: ReturnType<typeof painter>): string[] {
  const col = r.status === 'Healthy' ? 'green' : r.status === 'Unknown' ? 'yellow' : 'red';
  const out = [`${p('bold', 'Gateway:')} ${p(col, r.status)}`];
  out.push(r.messageSource === 'gateway' ? `${p('bold', 'Gateway message:')} ${r.message}` : `${p('bold', 'certcheck:')} ${r.message}`);
  out.push(...policyLines(r, p));
  return out;
}

/** `Policy: pass (...)` or `Policy: FAIL — ...`, one failure a line; nothing when no policy was asked for. */
export function policyLines(r: Pick<Report, 'policy'>, p: ReturnType<typeof painter>): string[] {
  const pol = r.policy;
  if (!pol.checks.length) return [];
  const applied = pol.checks.map((c) => (c.check === 'min-days' ? `--min-days ${c.threshold}` : '--profile strict')).join(', ');
  if (pol.ok) return [`${p('bold', 'Policy:')} ${p('green', 'pass')} (${applied})`];
  const [first, ...rest] = pol.failures;
  return [`${p('bold', 'Policy:')} ${p('red', 'FAIL')} — ${first!.summary}`, ...rest.map((f) => `        ${f.summary}`)];
}

/**
 * Control characters, bidi overrides and backslashes as visible escapes, as x509/ escapes what it
 * decodes: a decoder's error text may quote the bytes it choked on.
 */
function escapeText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\\]/g, (c) =>
    c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function certLines(c: CertSummary, p: ReturnType<typeof painter>, marks: string): string[] {
  if (c.error) return [`  [${c.index}] ${p('red', 'does not decode')}: ${escapeText(c.error)}`];
  const days = c.daysLeft === null ? '' : c.daysLeft < 0 ? p('red', ` (expired ${-c.daysLeft} days ago)`) : ` (${c.daysLeft} days left)`;
  const out = [
    `  [${c.index}] ${c.subject}${marks}`,
    `      issuer   ${c.issuer}`,
    `      valid    ${c.notBefore} → ${c.notAfter}${days}`,
    `      key      ${c.key}, signed ${c.signatureAlgorithm}${c.ca ? ', CA' : ''}${c.selfSigned ? ', self-signed' : ''}`,
  ];
  if (c.subjectAltName.length) out.push(`      names    ${c.subjectAltName.slice(0, 8).join(', ')}${c.subjectAltName.length > 8 ? `, … (${c.subjectAltName.length} in all)` : ''}`);
  out.push(`      sha256   ${c.sha256}`);
  return out;
}

function findingLines(f: Finding, p: ReturnType<typeof painter>): string[] {
  const col = f.severity === 'error' ? 'red' : f.severity === 'unknown' ? 'yellow' : f.severity === 'warning' ? 'yellow' : 'blue';
  const where = f.certIndex !== undefined ? ` [cert ${f.certIndex}]` : '';
  const ossl = f.openssl ? ` (OpenSSL ${f.openssl.code} ${f.openssl.name}: ${f.openssl.text})` : '';
  const out = [`  ${p(col, f.severity.toUpperCase().padEnd(7))} ${f.code}${where}${ossl}`, `          ${f.explanation}`];
  if (f.fix && (f.severity === 'error' || f.severity === 'unknown' || f.severity === 'warning')) out.push(`          ${p('dim', 'Fix:')} ${f.fix}`);
  return out;
}

/** A view of the report; it decides nothing the report has not decided. */
export function renderText(r: Report, o: TextOptions): string {
  const p = painter(o.color);
  const lines: string[] = [];
  const target = r.kind === 'probe' ? r.target : undefined;
  if (target) lines.push(`${p('bold', 'Target:')}  ${target.host}:${target.port}${target.address && target.address !== target.host ? ` (${target.address})` : ''}`);
  const tlsInfo = r.kind === 'probe' ? r.tls : undefined;
  const stages = r.kind === 'probe' ? r.stages : undefined;
  if (stages?.length) {
    lines.push(p('bold', 'Stages:'));
    for (const s of stages) lines.push(`  ${s.ok ? p('green', 'ok  ') : p('red', 'FAIL')} ${s.stage.padEnd(12)} ${String(Math.round(s.ms)).padStart(5)} ms  ${s.detail}`);
  }
  if (tlsInfo?.protocol) lines.push(`${p('bold', 'TLS:')}     ${tlsInfo.protocol} ${tlsInfo.cipher ?? ''}; SNI sent: ${tlsInfo.sniSent ?? '(none)'}; OCSP stapled: ${tlsInfo.ocspStapled ? 'yes' : 'no'}`);
  lines.push(`${p('bold', 'Checked:')} SKU ${r.sku}, profile ${r.profile}, at ${r.at}, host ${r.host ?? '(not checked)'}`);
  lines.push(`${p('bold', 'Trust:')}   ${r.trust.store}`);
  if (r.chain) {
    lines.push(p('bold', `Chain as presented (${r.chain.presented.length}):`));
    const onPath = new Set(r.chain.path.map((e) => e.presentedIndex));
    for (const c of r.chain.presented) lines.push(...certLines(c, p, onPath.has(c.index) ? '' : p('dim', '  (not on the path)')));
    if (r.chain.path.length) {
      lines.push(p('bold', `Path the gateway's OpenSSL builds ${r.chain.pathValid ? '(validates)' : '(fails)'}:`));
      r.chain.path.forEach((e, i) => lines.push(`  ${i}. ${e.subject}  ${p('dim', e.source === 'presented' ? `[presented ${e.presentedIndex}]` : '[trust store]')}`));
    }
  }
  const shown = r.findings.filter((f) => o.verbose || f.severity !== 'info' || f.code === 'NAME_CN_ONLY');
  if (shown.length) {
    lines.push(p('bold', 'Findings:'));
    for (const f of shown) lines.push(...findingLines(f, p));
  }
  lines.push('');
  lines.push(...verdictLines(r, p));
  return lines.join('\n') + '\n';
}
