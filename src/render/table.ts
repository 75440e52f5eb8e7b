/**
 * The portal's Backend Health table for a handful of reports (the demo): one row per case, the
 * health, and the gateway's Details text, wrapped to the terminal.
 */
import type { Report } from '../model/report.js';
import { painter } from './text.js';

/** One row of `renderHealthTable`: a case name, the server as shown, and its report. */
export interface HealthRow { name: string; server: string; report: Report; note?: string }

/** The portal's Backend Health view: one row per server, health, and the gateway's Details text. */
export function renderHealthTable(rows: HealthRow[], color: boolean, width = 100): string {
  const p = painter(color);
  const nameW = Math.max(4, ...rows.map((r) => r.name.length));
  const srvW = Math.max(6, ...rows.map((r) => r.server.length));
  const out: string[] = [];
  out.push(p('bold', `${'CASE'.padEnd(nameW)}  ${'SERVER'.padEnd(srvW)}  ${'HEALTH'.padEnd(9)}  DETAILS`));
  const wrapW = Math.max(40, width - nameW - srvW - 15);
  for (const r of rows) {
    const h = r.report.status;
    const col = h === 'Healthy' ? 'green' : h === 'Unknown' ? 'yellow' : 'red';
    const details = wrap(r.report.message, wrapW);
    const why = r.report.primary ? wrap(`↳ ${r.report.primary.code}: ${r.report.primary.explanation}`, wrapW) : [];
    const pad = ' '.repeat(nameW + srvW + 15);
    out.push(`${r.name.padEnd(nameW)}  ${r.server.padEnd(srvW)}  ${p(col, h.padEnd(9))}  ${details[0] ?? ''}`);
    for (const l of details.slice(1)) out.push(`${pad}${l}`);
    for (const l of why) out.push(`${pad}${p('dim', l)}`);
  }
  return out.join('\n') + '\n';
}

function wrap(s: string, w: number): string[] {
  const words = s.split(/\s+/);
  const lines: string[] = [];
  let cur = '';
  for (const word of words) {
    if (cur && cur.length + 1 + word.length > w) { lines.push(cur); cur = word; } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}
