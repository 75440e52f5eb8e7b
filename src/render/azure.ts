/**
 * Azure Pipelines logging commands (`--format azure`): the Azure DevOps counterpart of
 * render/github.ts. Each target that is not Healthy is a `##vso[task.logissue type=error]` line
 * carrying the gateway's message and our explanation; each warning finding a `type=warning` line;
 * a Healthy target is a plain line (Azure has no notice level). JUnit through
 * PublishTestResults@2 carries the same results as test cases.
 */
import type { Report } from '../model/report.js';
import { failureDetail, neutralize, policyHeadline, targetName, type CaseEntry } from './junit.js';

// The agent's own escaping (azure-pipelines-task-lib: escapedata / escape), after control
// characters are neutralised, so a hostile subject can neither end the command early nor start a
// line of its own (where the agent would read `##vso[` as a command).
function data(s: string): string {
  return neutralize(s).replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function prop(s: string): string {
  return data(s).replace(/]/g, '%5D').replace(/;/g, '%3B');
}

function logissue(type: 'error' | 'warning', code: string, message: string): string {
  return `##vso[task.logissue type=${type};code=${prop(code)}]${data(message)}`;
}

/** Logging commands for a list of results, in the order given. */
export function renderAzure(entries: readonly CaseEntry[]): string {
  const out: string[] = [];
  for (const { name, report: r } of entries) {
    if (r.status === 'Healthy' && !r.policy.ok) out.push(logissue('error', 'POLICY', `certcheck ${name}: Healthy (gateway); ${policyHeadline(r)}\n${failureDetail(r)}`));
    else if (r.status === 'Healthy') out.push(data(`certcheck ${name}: Healthy: ${r.message}`));
    else out.push(logissue('error', r.primary?.code ?? r.status, `certcheck ${name}: ${r.status}\n${failureDetail(r)}`));
    for (const f of r.findings.filter((x) => x.severity === 'warning')) {
      out.push(logissue('warning', f.code, `certcheck ${name}: ${f.code}: ${f.explanation}${f.fix ? `\nFix: ${f.fix}` : ''}`));
    }
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** One report as Azure Pipelines logging commands. */
export function renderAzureReport(r: Report): string {
  return renderAzure([{ name: targetName(r), report: r }]);
}
