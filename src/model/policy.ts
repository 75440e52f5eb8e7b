/**
 * certcheck's own policy, beside the gateway's verdict (design.md "Two verdicts, never mixed"):
 * the checks a user asked for (--min-days, --profile strict) and their failures, worded here so
 * the one voice stays in model/. The judge hands over findings; this never touches `status`.
 */
import type { Finding } from './findings.js';
import type { PolicyApplied, PolicyCheck, PolicyFailure, PolicyReport } from './report.js';

/** A policy failure as the judge hands it over: which check, and the finding behind it. */
export interface PolicyEntry {
  check: PolicyCheck;
  finding: Finding;
}

/** The checks a plan applies: --min-days when given, the strict validator under --profile strict. */
export function policyChecks(p: { minDays?: number; profile: 'gateway' | 'strict' }): PolicyApplied[] {
  const out: PolicyApplied[] = [];
  if (p.minDays !== undefined) out.push({ check: 'min-days', threshold: p.minDays });
  if (p.profile === 'strict') out.push({ check: 'strict', threshold: null });
  return out;
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

/** One line in certcheck's words: what failed and against which threshold. */
function summaryOf(e: PolicyEntry, threshold: number | null): string {
  const f = e.finding;
  const which = f.certIndex !== undefined ? `certificate ${f.certIndex}` : `the path's anchor (${String(f.evidence.subject ?? '')})`;
  if (e.check === 'min-days') {
    const d = num(f.evidence.daysLeft);
    const when = d === null ? 'expires soon' : d === 0 ? 'expires within a day' : `expires in ${d} day${d === 1 ? '' : 's'}`;
    return `${which} ${when} (< --min-days ${threshold ?? '?'})`;
  }
  const where = f.certIndex !== undefined ? ` [cert ${f.certIndex}]` : '';
  return `strict profile rejects: ${f.code}${where}: ${f.explanation}`;
}

/** The report's policy part from the checks applied and the failures the judge found. */
export function policyReport(checks: PolicyApplied[], entries: readonly PolicyEntry[]): PolicyReport {
  const failures: PolicyFailure[] = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const threshold = checks.find((c) => c.check === e.check)?.threshold ?? null;
    const f = e.finding;
    // The strict validator and the gateway's walk can name the same certificate twice for one rule.
    const key = `${e.check}|${f.code}|${f.certIndex ?? '-'}|${f.explanation}`;
    if (seen.has(key)) continue;
    seen.add(key);
    failures.push({
      check: e.check, code: f.code, threshold, certIndex: f.certIndex ?? null,
      summary: summaryOf(e, threshold), explanation: f.explanation, fix: f.fix ?? null, evidence: f.evidence,
    });
  }
  return { ok: failures.length === 0, checks, failures };
}
