/**
 * The text view of one report: target and stages (probe), the check, trust, the chain as presented
 * and the path built, the findings, then the gateway's verdict and message last, where a reader
 * of a terminal looks first.
 */
import type { Finding } from '../model/findings.js';
import type { CertSummary, HttpReport, Report } from '../model/report.js';
import { visibleWidth, wrapLine, wrapText } from './wrap.js';

/** How `renderText` prints. */
export interface TextOptions {
  color: boolean;
  /**
   * Show the detail: info-level findings, every subject alternative name (the one that matched
   * marked), each uploaded root in full, and more of a body that did not match.
   */
  verbose?: boolean;
  /**
   * Fit every line to this many columns (a terminal's width), broken between words with a hanging
   * indent; undefined (the default) never wraps, as for a pipe or a file.
   */
  width?: number;
}

/** Names listed for a certificate without `verbose`. */
const NAMES_SHOWN = 8;
/** Uploaded roots listed one line each without `verbose`. */
const ROOTS_SHOWN = 5;
/** Characters of a body that did not match shown without `verbose`. */
const BODY_SHOWN = 120;

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

/** How one certificate is listed: its label ("[0]", "root"), marks after the subject, and the name that matched. */
interface CertView { label: string; marks: string; matched: string | undefined }

function certLines(c: CertSummary, p: ReturnType<typeof painter>, o: TextOptions, v: CertView): string[] {
  const head = `  ${v.label} `;
  if (c.error) return [wrapLine(`${head}${p('red', 'does not decode')}: ${escapeText(c.error)}`, o.width, head.length)];
  const days = c.daysLeft === null ? '' : c.daysLeft < 0 ? p('red', ` (expired ${-c.daysLeft} days ago)`) : ` (${c.daysLeft} days left)`;
  const field = (k: string, val: string) => wrapLine(`      ${k.padEnd(8)} ${val}`, o.width, 15);
  const out = [
    wrapLine(`${head}${c.subject}${v.marks}`, o.width, head.length),
    field('issuer', c.issuer),
    field('valid', `${c.notBefore} \u2192 ${c.notAfter}${days}`),
    field('key', `${c.key}, signed ${c.signatureAlgorithm}${c.ca ? ', CA' : ''}${c.selfSigned ? ', self-signed' : ''}`),
  ];
  const names = c.subjectAltName;
  if (names.length) {
    // With -v every name, the one the host matched marked; without, the first few.
    const shown = o.verbose ? names : names.slice(0, NAMES_SHOWN);
    const mark = (n: string) => (o.verbose && n === v.matched ? `${p('green', n)} (matched)` : n);
    const rest = shown.length < names.length ? `, \u2026 (${names.length} in all; -v lists them)` : '';
    out.push(field('names', `${shown.map(mark).join(', ')}${rest}`));
  } else if (o.verbose && v.matched?.startsWith('CN:')) {
    out.push(field('names', `none; the host matched the subject's ${p('green', v.matched)} (matched)`));
  }
  out.push(field('sha256', c.sha256));
  return out;
}

/** The uploaded roots by subject and fingerprint: one line each, or (-v) each in full. */
function rootLines(roots: readonly CertSummary[], p: ReturnType<typeof painter>, o: TextOptions): string[] {
  if (o.verbose) return roots.flatMap((c) => certLines(c, p, o, { label: 'root', marks: '', matched: undefined }));
  const out = roots.slice(0, ROOTS_SHOWN).map((c) => wrapLine(`  root ${c.subject}  ${p('dim', `sha256 ${c.sha256.slice(0, 16)}\u2026`)}`, o.width, 7));
  if (roots.length > ROOTS_SHOWN) out.push(`  \u2026 and ${roots.length - ROOTS_SHOWN} more (-v lists them)`);
  return out;
}

/** At most `n` characters of escaped text, never cutting inside a backslash escape. */
function cutEscaped(s: string, n: number): string {
  let out = '';
  for (const m of s.matchAll(/\\(?:u[0-9a-fA-F]{4}|.)|[\s\S]/g)) {
    if (out.length + m[0].length > n) break;
    out += m[0];
  }
  return out;
}

/** The body that came back, escaped (the report's bodyPrefix): the start of it, or (-v) all the report kept. */
function bodyLine(h: HttpReport, p: ReturnType<typeof painter>, o: TextOptions): string {
  const all = h.bodyPrefix;
  const shown = o.verbose ? all : cutEscaped(all, BODY_SHOWN);
  const more = shown.length < all.length ? '\u2026' : '';
  const note = o.verbose || !more
    ? `${h.bodyBytesRead} bytes read${h.bodyTruncated ? `, the probe reads at most ${h.bodyCap}` : ''}; escaped`
    : 'the start; -v shows more';
  return wrapLine(`${p('bold', 'Body:')}    "${shown}"${more} ${p('dim', `(${note})`)}`, o.width, 9);
}

function findingLines(f: Finding, p: ReturnType<typeof painter>, width: number | undefined): string[] {
  const col = f.severity === 'error' ? 'red' : f.severity === 'unknown' ? 'yellow' : f.severity === 'warning' ? 'yellow' : 'blue';
  const where = f.certIndex !== undefined ? ` [cert ${f.certIndex}]` : '';
  const ossl = f.openssl ? ` (OpenSSL ${f.openssl.code} ${f.openssl.name}: ${f.openssl.text})` : '';
  const out = [wrapLine(`  ${p(col, f.severity.toUpperCase().padEnd(7))} ${f.code}${where}${ossl}`, width, 10), wrapLine(`          ${f.explanation}`, width, 10)];
  if (f.fix && (f.severity === 'error' || f.severity === 'unknown' || f.severity === 'warning')) out.push(wrapLine(`          ${p('dim', 'Fix:')} ${f.fix}`, width, 15));
  return out;
}

/**
 * A view of the report; it decides nothing the report has not decided. With `width`, every line
 * is fitted to it (see render/wrap.ts); lines laid out here are fitted as they are made, with the
 * hanging indent their layout has, and any other line by the indent its label gives.
 */
export function renderText(r: Report, o: TextOptions): string {
  return wrapText(textLines(r, o), o.width);
}

/** The report's lines, those whose layout is known here already fitted to `o.width`. */
function textLines(r: Report, o: TextOptions): string {
  const p = painter(o.color);
  const fit = (line: string, hang: number) => wrapLine(line, o.width, hang);
  const lines: string[] = [];
  const target = r.kind === 'probe' ? r.target : undefined;
  if (target) lines.push(fit(`${p('bold', 'Target:')}  ${target.host}:${target.port}${target.address && target.address !== target.host ? ` (${target.address})` : ''}`, 9));
  const tlsInfo = r.kind === 'probe' ? r.tls : undefined;
  const stages = r.kind === 'probe' ? r.stages : undefined;
  if (stages?.length) {
    lines.push(p('bold', 'Stages:'));
    for (const s of stages) {
      // Tenths of a millisecond: the report keeps that precision.
      const head = `  ${s.ok ? p('green', 'ok  ') : p('red', 'FAIL')} ${s.stage.padEnd(12)} ${s.ms.toFixed(1).padStart(7)} ms  `;
      lines.push(fit(`${head}${s.detail}`, visibleWidth(head)));
    }
  }
  if (tlsInfo?.protocol) lines.push(fit(`${p('bold', 'TLS:')}     ${tlsInfo.protocol} ${tlsInfo.cipher ?? ''}; SNI sent: ${tlsInfo.sniSent ?? '(none)'}; OCSP stapled: ${tlsInfo.ocspStapled ? 'yes' : 'no'}`, 9));
  if (r.kind === 'probe' && r.http && r.findings.some((f) => f.code === 'HTTP_BODY_MISMATCH')) lines.push(bodyLine(r.http, p, o));
  lines.push(fit(`${p('bold', 'Checked:')} SKU ${r.sku}, profile ${r.profile}, at ${r.at}, host ${r.host ?? '(not checked)'}`, 9));
  lines.push(fit(`${p('bold', 'Trust:')}   ${r.trust.store}`, 9));
  if (r.trust.uploaded?.length) lines.push(...rootLines(r.trust.uploaded, p, o));
  if (r.chain) {
    lines.push(p('bold', `Chain as presented (${r.chain.presented.length}):`));
    const onPath = new Set(r.chain.path.map((e) => e.presentedIndex));
    // The path starts at the leaf, the certificate whose names the host is checked against.
    const leaf = r.chain.path[0]?.presentedIndex;
    for (const c of r.chain.presented) {
      lines.push(...certLines(c, p, o, { label: `[${c.index}]`, marks: onPath.has(c.index) ? '' : p('dim', r.chain.beyondDepthLimit?.includes(c.index) ? '  (on the chain, beyond the depth limit)' : '  (not on the path)'), matched: c.index === leaf ? r.chain.matchedName : undefined }));
    }
    if (r.chain.path.length) {
      lines.push(p('bold', `Path the gateway's OpenSSL builds ${r.chain.pathValid ? '(validates)' : '(fails)'}:`));
      r.chain.path.forEach((e, i) => lines.push(fit(`  ${i}. ${e.subject}  ${p('dim', e.source === 'presented' ? `[presented ${e.presentedIndex}]` : '[trust store]')}`, `  ${i}. `.length)));
    }
  }
  const shown = r.findings.filter((f) => o.verbose || f.severity !== 'info' || f.code === 'NAME_CN_ONLY');
  if (shown.length) {
    lines.push(p('bold', 'Findings:'));
    for (const f of shown) lines.push(...findingLines(f, p, o.width));
  }
  lines.push('');
  lines.push(...verdictLines(r, p));
  return lines.join('\n') + '\n';
}
