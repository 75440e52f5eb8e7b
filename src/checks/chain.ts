/**
 * The judge of a certificate list: judgeChain remembers judgements (a sweep asks the same question
 * thousands of times) and runs the rules of chain-rules.ts in order. Pure: no I/O, the clock
 * comes from the plan.
 */
import { parseCertificate, parseCertificateShared, sha256Hex } from '../x509/cert.js';
import type { ParsedCert } from '../x509/types.js';
import type { Finding } from '../model/findings.js';
import type { CertPlan } from '../model/plan.js';
import type { ChainReport, PathEntry } from '../model/report.js';
import type { PolicyEntry } from '../model/policy.js';
import { CHAIN_RULES, MAX_PRESENTED, beyondDepthLimit, chainFacts, duplicatesRule, leafRule, matchedName, minDaysPolicy, readPresented, type ParseFn } from './chain-rules.js';

export { MAX_PRESENTED } from './chain-rules.js';
export { summarize } from './summary.js';

export type { CertPlan } from '../model/plan.js';

/** What judging a list gives: the findings, the report's chain section, and the parsed path. */
export interface ChainJudgement {
  /** The gateway's findings: what `status` is ranked from. */
  findings: Finding[];
  /** certcheck's policy failures (--min-days, the strict validator), beside the verdict. */
  policy: readonly PolicyEntry[];
  chain: ChainReport;
  leaf?: ParsedCert;
  /** The certificates of `chain.path`, leaf first (the same objects the judge checked). */
  pathCerts: ParsedCert[];
}

/**
 * Judge a certificate list exactly as a backend presents it (or as files list it): chain shape,
 * path, trust, dates, name and the other path rules, as the gateway's OpenSSL would.
 *
 * The judgement is a pure function of the list's bytes and the plan, and a sweep asks the same
 * question thousands of times (many targets behind one certificate, one `at` for the whole run).
 * So it is remembered per (list, plan), bounded, and the remembered parts are frozen: reports
 * share them, so nothing may change them. Each call still gets its own `findings` array.
 */
export function judgeChain(presentedDer: Uint8Array[], plan: CertPlan): ChainJudgement {
  return withStrictPolicy(presentedDer, plan, judgeRemembered);
}

/**
 * The gateway's verdict is the gateway profile's, always (design.md "Two verdicts, never
 * mixed"). Under --profile strict the strict validator (RFC 5280 path search, CA/B Forum rules)
 * judges the same list too, and what it rejects becomes certcheck's policy failures.
 */
function withStrictPolicy(presentedDer: Uint8Array[], plan: CertPlan, judge: (d: Uint8Array[], p: CertPlan) => ChainJudgement): ChainJudgement {
  if (plan.profile !== 'strict') return judge(presentedDer, plan);
  const g = judge(presentedDer, { ...plan, profile: 'gateway' });
  const s = judge(presentedDer, plan);
  const strict = s.findings.filter((f) => f.severity === 'error' || f.severity === 'unknown').map((finding): PolicyEntry => ({ check: 'strict', finding }));
  return { ...g, policy: [...g.policy, ...strict] };
}

function judgeRemembered(presentedDer: Uint8Array[], plan: CertPlan): ChainJudgement {
  const pk = planKey(plan);
  if (pk === undefined || presentedDer.length > MAX_PRESENTED) return judgeOnce(presentedDer, plan);
  const hashes = presentedDer.map(sha256Hex);
  const key = `${pk}|${hashes.join(',')}`;
  let j = judgements.get(key);
  if (j === undefined) {
    j = freezeJudgement(judgeOnce(presentedDer, plan, hashes));
    if (judgements.size >= MAX_JUDGEMENTS) judgements.clear();
    judgements.set(key, j);
  }
  return { ...j, findings: [...j.findings] };
}

/**
 * judgeChain without any memo: the certificates are parsed afresh (so their signatures are checked
 * afresh too) and no judgement is looked up or kept. What judging a list nobody has seen costs;
 * bench row 4 measures this, since judgeChain's memo would only measure a lookup.
 */
export function judgeChainUncached(presentedDer: Uint8Array[], plan: CertPlan): ChainJudgement {
  return withStrictPolicy(presentedDer, plan, (d, p) => judgeOnce(d, p, undefined, parseCertificate));
}

const judgements = new Map<string, ChainJudgement>();
const MAX_JUDGEMENTS = 256;

/** Small ids for objects the plan refers to: a store or a certificate is the same only if it is the same object. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
function idOf(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

/** Everything in the plan the judgement depends on, as a string; undefined when `at` is not a date. */
function planKey(p: CertPlan): string | undefined {
  const t = p.at.getTime();
  if (Number.isNaN(t)) return undefined;
  const host = p.host ? `${p.host.kind}:${p.host.value}` : `-${p.hostSkippedReason ?? ''}`;
  const auth = p.authCerts ? p.authCerts.map(idOf).join('.') : '-';
  return `${p.sku}|${p.profile}|${p.purpose}|${t}|${JSON.stringify(host)}|${p.trust.mode}|${idOf(p.trust.store)}|${auth}|${p.validateChainAndExpiry}|${p.warnDays}|${p.minDays ?? '-'}`;
}

/** Freeze the report parts (not the parsed certificates, which have their own memo and are never written). */
function freezeJudgement(j: ChainJudgement): ChainJudgement {
  const freeze = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || Object.isFrozen(v) || ArrayBuffer.isView(v)) return;
    Object.freeze(v);
    for (const x of Object.values(v)) freeze(x);
  };
  freeze(j.findings);
  freeze(j.policy);
  freeze(j.chain);
  return Object.freeze(j);
}

/**
 * One judgement without the memo: read the list, find its leaf, build the paths, then run each
 * rule of chain-rules.ts in order. The report's finding order is this order.
 */
function judgeOnce(presentedDer: Uint8Array[], plan: CertPlan, hashes?: string[], parse: ParseFn = parseCertificateShared): ChainJudgement {
  const read = readPresented(presentedDer, plan, hashes, parse);
  const findings = read.findings;
  const emptyChain = (): ChainJudgement => ({ findings, policy: [], pathCerts: [], chain: { presented: read.summaries, path: [], pathValid: false, anchored: false, stats: { signatureChecks: 0, buildCalls: 0, pathsEvaluated: 0 } } });
  if (presentedDer.length === 0 || !read.parsed[0]) return emptyChain();
  findings.push(...duplicatesRule(read.parsed, plan));
  const shape = leafRule(read.parsed, plan);
  findings.push(...shape.findings);
  if (!shape.leaf) return emptyChain();

  const facts = chainFacts(read.parsed, shape.leaf, shape.leafIndex, plan);
  for (const rule of CHAIN_RULES) findings.push(...rule(facts, plan));

  const { build } = facts;
  const best = build.best;
  const matched = matchedName(facts);
  const beyond = beyondDepthLimit(facts);
  const pathEntries: PathEntry[] = best.certs.map((c) => {
    const pi = facts.presentedIndexOf(c);
    return { presentedIndex: pi, source: pi === null ? 'trust-store' : 'presented', subject: c.subject.text, sha256: c.sha256 };
  });
  return {
    findings,
    policy: minDaysPolicy(facts, plan).map((finding): PolicyEntry => ({ check: 'min-days', finding })),
    leaf: shape.leaf,
    pathCerts: best.certs,
    chain: {
      presented: read.summaries,
      path: pathEntries,
      pathValid: best.anchored && build.valid,
      anchored: best.anchored,
      stats: { signatureChecks: build.signatureChecks, buildCalls: build.calls, pathsEvaluated: build.pathsEvaluated },
      ...(matched !== undefined ? { matchedName: matched } : {}),
      ...(beyond.length ? { beyondDepthLimit: beyond } : {}),
    },
  };
}
