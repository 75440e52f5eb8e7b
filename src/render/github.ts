/**
 * GitHub Actions workflow commands (::error / ::warning / ::notice) for reports, escaped so that no
 * text from a certificate or a backend can end a command or start one of its own.
 */
import type { Report } from '../model/report.js';
import { failureDetail, neutralize, policyHeadline, rotationOf, targetName, type CaseEntry } from './junit.js';

// Workflow-command escaping as @actions/core does it; control characters are neutralised first
// so a hostile subject can neither end the command early nor steer the log viewer.
function data(s: string): string {
  return neutralize(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function prop(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${kind} title=${prop(title)}::${data(message)}`;
}

/**
 * GitHub Actions workflow annotations: an error per target that is not Healthy (with the
 * gateway's message first) or whose certcheck policy failed, a warning per warning finding, a
 * notice per Healthy target.
 */
export function renderGithub(entries: readonly CaseEntry[]): string {
  const out: string[] = [];
  for (const { name, report: r } of entries) {
    if (r.status === 'Healthy' && !r.policy.ok) out.push(command('error', `certcheck ${name}: Healthy (gateway), ${policyHeadline(r).replace(/:.*$/s, '')}`, failureDetail(r)));
    else if (r.status === 'Healthy') out.push(command('notice', `certcheck ${name}: Healthy`, r.message));
    else out.push(command('error', `certcheck ${name}: ${r.status}`, failureDetail(r)));
    for (const f of r.findings.filter((x) => x.severity === 'warning')) {
      out.push(command('warning', `certcheck ${name}: ${f.code}`, `${f.explanation}${f.fix ? `\nFix: ${f.fix}` : ''}`));
    }
    for (const s of rotationOf(r)?.steps ?? []) out.push(command('notice', `certcheck rotation step ${s.order} (${s.where})`, s.action ?? ''));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** One report as GitHub Actions annotations, named by its target. */
export function renderGithubReport(r: Report): string {
  return renderGithub([{ name: targetName(r), report: r }]);
}
