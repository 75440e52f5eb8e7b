/**
 * The portal's Backend Health table for a handful of reports (the demo): one row per case, the
 * health, and the gateway's Details text, fitted to the terminal when there is one.
 */
import type { Report } from '../model/report.js';
import { painter } from './text.js';
import { wrapLine } from './wrap.js';

/** One row of `renderHealthTable`: a case name, the server as shown, and its report. */
export interface HealthRow { name: string; server: string; report: Report; note?: string }

/**
 * The portal's Backend Health view: one row per server, health, and the gateway's Details text.
 * With `width` (a terminal's columns) the Details column wraps within it, continuation lines under
 * the column; without, each row's text stays on one line.
 */
export function renderHealthTable(rows: HealthRow[], color: boolean, width?: number): string {
  const p = painter(color);
  const nameW = Math.max(4, ...rows.map((r) => r.name.length));
  const srvW = Math.max(6, ...rows.map((r) => r.server.length));
  const out: string[] = [];
  out.push(p('bold', `${'CASE'.padEnd(nameW)}  ${'SERVER'.padEnd(srvW)}  ${'HEALTH'.padEnd(9)}  DETAILS`));
  const hang = nameW + srvW + 15;
  const pad = ' '.repeat(hang);
  for (const r of rows) {
    const h = r.report.status;
    const col = h === 'Healthy' ? 'green' : h === 'Unknown' ? 'yellow' : 'red';
    out.push(wrapLine(`${r.name.padEnd(nameW)}  ${r.server.padEnd(srvW)}  ${p(col, h.padEnd(9))}  ${r.report.messageSource === 'gateway' ? r.report.message : `certcheck: ${r.report.message}`}`, width, hang));
    if (r.report.primary) out.push(wrapLine(`${pad}${p('dim', `\u21b3 ${r.report.primary.code}: ${r.report.primary.explanation}`)}`, width, hang + 2));
  }
  return out.join('\n') + '\n';
}
