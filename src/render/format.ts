/**
 * The one place that picks a renderer for a report: text, json, junit, github or azure. Renderers word
 * what the report decided and decide nothing themselves; they read only the report (no x509/,
 * capture/ or checks/), so a report from JSON renders the same as one fresh from the library.
 */
import { InputError } from '../model/errors.js';
import type { Report } from '../model/report.js';
import { renderAzure } from './azure.js';
import { renderGithub } from './github.js';
import { neutralize, policyHeadline, renderJunit, rotationOf, targetName } from './junit.js';
import { rotationRootLines, withRotationWords } from './rotate.js';
import { painter, renderText } from './text.js';
import { visibleWidth, wrapLine, wrapText } from './wrap.js';

/** The formats `renderReport` writes. */
export const OUTPUT_FORMATS = ['text', 'json', 'junit', 'github', 'azure'] as const;
/** One of `OUTPUT_FORMATS`. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The CLI's output flags, as `resolveFormat` reads them. */
export interface FormatFlags {
  format?: string;
  /** The older spelling of --format json. */
  json?: boolean;
}

/** --format wins; --json is an alias of --format json and conflicts with any other format. */
export function resolveFormat(flags: FormatFlags): OutputFormat {
  const f = flags.format;
  if (f !== undefined && !(OUTPUT_FORMATS as readonly string[]).includes(f)) {
    throw new InputError(`--format: expected one of ${OUTPUT_FORMATS.join(', ')}, got "${f}"`);
  }
  if (flags.json && f !== undefined && f !== 'json') throw new InputError(`--json conflicts with --format ${f}`);
  return (f as OutputFormat | undefined) ?? (flags.json ? 'json' : 'text');
}

/** How `renderReport` prints. */
export interface RenderOptions {
  color?: boolean;
  verbose?: boolean;
  /** Test case name for junit/github; defaults to the report's target. */
  name?: string;
  /** text: fit lines to this many columns (a terminal's width); undefined never wraps. */
  width?: number;
}

function rotationText(r: Report, color: boolean, width: number | undefined): string {
  const rot = rotationOf(r);
  if (!rot) return '';
  const p = painter(color);
  const lines = ['', p('bold', 'Rotation pre-flight:')];
  lines.push(`  After the new certificate is installed, the gateway as configured today would say: ${r.status}.`);
  if (rot.current) lines.push(`  Today ${rot.current.target} is ${rot.current.status}: ${rot.current.message}`);
  const c = rot.comparison;
  for (const l of rotationRootLines(rot)) lines.push(`  ${l}`);
  if (c) lines.push(`  New intermediates: ${c.newIntermediates.length ? c.newIntermediates.join('; ') : 'none'}`);
  if (rot.afterUpload) lines.push(`  Once the gateway steps are done: ${rot.afterUpload.status}: ${rot.afterUpload.message}`);
  if (rot.steps.length) {
    lines.push(p('bold', 'Steps, in order:'));
    // Continuation lines start under the action, after "1. [gateway] ".
    for (const s of rot.steps) lines.push(wrapLine(`  ${s.order}. [${s.where}] ${s.action}`, width, visibleWidth(`  ${s.order}. [${s.where}] `)));
  }
  // `r` is the neutralized report (renderReport): escaping again would print the colour codes as text.
  return `${wrapText(lines.join('\n'), width)}\n`;
}

/**
 * Every string of the report made single-line and terminal-safe, for the text view: a hostile
 * value can neither move the cursor nor start a line of its own (where a CI log would read
 * "::error::" as a workflow command).
 */
export function neutralizeDeep<T>(v: T): T {
  if (typeof v === 'string') return neutralize(v).replace(/\n/g, '\\u000a') as T;
  if (Array.isArray(v)) return v.map(neutralizeDeep) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, neutralizeDeep(x)])) as T;
  return v;
}

/** The one place that picks a renderer; renderers decide nothing the report has not decided. */
export function renderReport(data: Report, format: OutputFormat = 'text', o: RenderOptions = {}): string {
  // Rotation steps are data; every format shows them in words.
  const report = withRotationWords(data);
  const name = o.name ?? targetName(report);
  switch (format) {
    case 'json': return `${JSON.stringify(report, null, 2)}\n`;
    case 'junit': return renderJunit([{ name, report }]);
    case 'github': return renderGithub([{ name, report }]);
    case 'azure': return renderAzure([{ name, report }]);
    default: {
      const safe = neutralizeDeep(report);
      return renderText(safe, { color: !!o.color, verbose: !!o.verbose, ...(o.width !== undefined ? { width: o.width } : {}) }) + rotationText(safe, !!o.color, o.width);
    }
  }
}

/** The line printed on stdout when the full report went to --output. */
export function summaryLine(report: Report, format: OutputFormat, file: string): string {
  const policy = report.policy.ok ? '' : `; ${policyHeadline(report)}`;
  return neutralize(`certcheck: ${targetName(report)}: ${report.status}: ${report.message}${policy} (${format} report written to ${file})`).replace(/\n/g, ' ') + '\n';
}
