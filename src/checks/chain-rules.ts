/**
 * The certificate rules of the judge, one function each, run by judgeChain in this order (the
 * order is the report's finding order): reading the presented list, duplicates, the chain's shape
 * and leaf, then over the path the gateway's OpenSSL builds: trust, the path not taken, the RFC 5280
 * path rules, the v1 authentication certificate, chain hygiene, expiry thresholds and the name.
 * Every rule is pure: (facts about the list, plan) → findings, with code and evidence only.
 */
import { escapeText, nameKey, parseCertificateShared } from '../x509/cert.js';
import { DerError } from '../x509/der.js';
import { ipToText, matchHost, type NameMatchResult } from '../x509/names.js';
import { buildPath, isAnchor, walkChain, type BuildResult, type CandidatePath } from '../x509/path.js';
import type { ParsedCert } from '../x509/types.js';
import { makeFinding, type FindingOptions } from '../model/catalog.js';
import type { Evidence, Finding } from '../model/findings.js';
import { opensslError, type OpenSslErrorName } from '../model/openssl.js';
import type { CertPlan } from '../model/plan.js';
import type { CertSummary } from '../model/report.js';
import { reportTime } from '../model/time.js';
import { actsAsCA } from './ca-flag.js';
import { evaluatePathRules, isCA, type PathIssue } from './path-rules.js';
import { daysLeft, sanEntryText, summarize, undecodable } from './summary.js';

/** At most this many presented certificates are judged; the rest are counted (CHAIN_TOO_MANY_CERTS). */
export const MAX_PRESENTED = 64;

/** How a certificate's DER becomes a ParsedCert (shared memo, or fresh for the uncached bench). */
export type ParseFn = (der: Uint8Array, sha256?: string) => ParsedCert;

/** What the rules after the leaf is known read: the list, its leaf and the paths built from it. */
export interface ChainFacts {
  /** The presented certificates in order; undefined where one does not decode. */
  parsed: (ParsedCert | undefined)[];
  /** Each distinct decodable certificate once, in the order first sent. */
  unique: ParsedCert[];
  leaf: ParsedCert;
  leafIndex: number;
  /** The chain the gateway's OpenSSL builds (path.ts walkChain). */
  build: BuildResult;
  /** When that chain fails: a full search's result, which may hold a valid path OpenSSL passed by. */
  missed: BuildResult | undefined;
  /** The RFC 5280 path rules' verdicts on `build.best`. */
  issues: PathIssue[];
  /** Where a certificate was first sent, or null when it came from the trust store. */
  presentedIndexOf: (c: ParsedCert) => number | null;
  /** The leaf's names against the host the gateway checks; null when no host is checked. */
  name: NameMatchResult | null;
}

/** One rule over the facts of a list whose leaf is known. */
export type ChainRule = (f: ChainFacts, plan: CertPlan) => Finding[];

function opts(plan: CertPlan, c: ParsedCert | undefined, idx: number | undefined, ossl?: OpenSslErrorName): FindingOptions {
  return {
    sku: plan.sku,
    ...(idx !== undefined ? { certIndex: idx } : {}),
    ...(c ? { certSha256: c.sha256 } : {}),
    ...(ossl ? { openssl: opensslError(ossl) } : {}),
  };
}

/** The gateway checks chain shape and trust only on v2 with validateCertChainAndExpiry on (appgw-spec §3.2). */
function checksChain(plan: CertPlan): boolean {
  return plan.validateChainAndExpiry && plan.sku !== 'v1';
}

/**
 * Read the presented list (RFC 8446 §4.4.2, RFC 5246 §7.4.2: the server's list, leaf first):
 * each certificate decodes or is MALFORMED_CERT, trailing bytes are noted, more than
 * MAX_PRESENTED are not judged, and an empty list is CHAIN_EMPTY (M9).
 */
export function readPresented(presentedDer: Uint8Array[], plan: CertPlan, hashes: string[] | undefined, parse: ParseFn = parseCertificateShared):
{ findings: Finding[]; parsed: (ParsedCert | undefined)[]; summaries: CertSummary[] } {
  const findings: Finding[] = [];
  const summaries: CertSummary[] = [];
  const parsed: (ParsedCert | undefined)[] = [];
  presentedDer.slice(0, MAX_PRESENTED).forEach((der, i) => {
    try {
      const c = parse(der, hashes?.[i]);
      parsed.push(c);
      summaries.push(summarize(c, i, plan.at));
      if (c.trailingBytes > 0) findings.push(makeFinding('TRAILING_DATA', { bytes: c.trailingBytes }, opts(plan, c, i)));
    } catch (e) {
      const msg = e instanceof DerError ? e.message : String(e);
      parsed.push(undefined);
      summaries.push(undecodable(der, i, msg));
      findings.push(makeFinding('MALFORMED_CERT', { detail: msg }, opts(plan, undefined, i)));
    }
  });
  if (presentedDer.length > MAX_PRESENTED) {
    findings.push(makeFinding('CHAIN_TOO_MANY_CERTS', { count: presentedDer.length, limit: MAX_PRESENTED }));
  }
  if (presentedDer.length === 0) findings.push(makeFinding('CHAIN_EMPTY', {}, { sku: plan.sku }));
  return { findings, parsed, summaries };
}

/** Where each distinct certificate was first sent, and the distinct certificates in that order. */
function firstSent(parsed: (ParsedCert | undefined)[]): { firstIndex: Map<string, number>; unique: ParsedCert[] } {
  const firstIndex = new Map<string, number>();
  parsed.forEach((c, i) => { if (c && !firstIndex.has(c.sha256)) firstIndex.set(c.sha256, i); });
  return { firstIndex, unique: [...firstIndex.values()].map((i) => parsed[i]!) };
}

/** A certificate sent more than once: judged once, reported where it repeats. */
export function duplicatesRule(parsed: (ParsedCert | undefined)[], plan: CertPlan): Finding[] {
  const out: Finding[] = [];
  const firstIndex = new Map<string, number>();
  parsed.forEach((c, i) => {
    if (!c) return;
    if (firstIndex.has(c.sha256)) out.push(makeFinding('CHAIN_DUPLICATE', { subject: c.subject.text, firstIndex: firstIndex.get(c.sha256)! }, opts(plan, c, i)));
    else firstIndex.set(c.sha256, i);
  });
  return out;
}

/**
 * Which certificate is the leaf, and is it first (RFC 8446 §4.4.2: the sender's certificate MUST
 * come first; appgw-spec §1.2 M9, M14). A lone self-signed or trusted CA certificate may serve as
 * its own leaf, as OpenSSL accepts it when trusted. No leaf ends the judgement.
 */
export function leafRule(parsed: (ParsedCert | undefined)[], plan: CertPlan): { findings: Finding[]; leaf?: ParsedCert; leafIndex: number } {
  const first = parsed[0]!;
  const checkChain = checksChain(plan);
  // OpenSSL takes a cA:TRUE certificate whose keyUsage lacks keyCertSign for a leaf (measured:
  // served first with its issuer, it verifies), so the leaf is the first that is no CA to X509_check_ca.
  if (!actsAsCA(first)) return { findings: [], leaf: first, leafIndex: 0 };
  const idx = parsed.findIndex((c) => c && !actsAsCA(c));
  if (idx > 0) {
    const leaf = parsed[idx]!;
    const findings = checkChain ? [makeFinding('CHAIN_LEAF_NOT_FIRST', { leafIndex: idx, firstSubject: first.subject.text, leafSubject: leaf.subject.text }, opts(plan, leaf, idx))] : [];
    return { findings, leaf, leafIndex: idx };
  }
  if (first.selfIssued || isAnchor(plan.trust.store, first)) return { findings: [], leaf: first, leafIndex: 0 };
  if (checkChain) return { findings: [makeFinding('CHAIN_NO_LEAF', { subjects: parsed.filter(Boolean).map((c) => c!.subject.text) }, { sku: plan.sku })], leafIndex: 0 };
  return { findings: [], leaf: first, leafIndex: 0 };
}

/**
 * Build the paths for a list whose leaf is known. The verdict follows the chain the gateway's
 * OpenSSL builds (walkChain); when that chain fails, a full search says whether a valid path
 * existed that OpenSSL's builder passed by.
 */
export function chainFacts(parsed: (ParsedCert | undefined)[], leaf: ParsedCert, leafIndex: number, plan: CertPlan): ChainFacts {
  const { firstIndex, unique } = firstSent(parsed);
  const store = plan.trust.store;
  const pool = unique.filter((c) => c !== leaf);
  const ruleCtx = { at: plan.at, purpose: plan.purpose, profile: plan.profile, checkDates: plan.validateChainAndExpiry };
  const errorsOf = (issues: PathIssue[]) => issues.filter((x) => x.severity === 'error').length;
  const evaluate = (p: CandidatePath) => errorsOf(evaluatePathRules(p, ruleCtx)) + (p.anchored ? 0 : 100);
  // The strict profile is a complete RFC 5280 §6.1 validator: it builds every candidate path
  // (backtracking past an issuer that fails any check, as Go's crypto/x509 and rustls-webpki do)
  // within path.ts's named budgets, and judges the best one. The gateway profile follows OpenSSL.
  const strict = plan.profile === 'strict';
  const build = strict ? buildPath({ leaf, pool, store, evaluate }) : walkChain({ leaf, pool, store, evaluate, at: plan.at });
  const missed = build.valid || strict ? undefined : buildPath({ leaf, pool, store, evaluate });
  return {
    parsed, unique, leaf, leafIndex, build, missed,
    issues: evaluatePathRules(build.best, ruleCtx),
    presentedIndexOf: (c) => firstIndex.get(c.sha256) ?? null,
    name: plan.host ? matchHost(leaf, plan.host) : null,
  };
}

/**
 * Trust (RFC 5280 §6.1; appgw-spec §1.2 M8, M10–M13, §6): the path must end at an anchor of the
 * plan's store. Says why it does not: too deep, a bad signature, a self-signed certificate that is
 * not trusted, a missing issuer, or an issuer outside the store; and, as the docs say, a
 * self-signed certificate that is not a CA is a leaf without its issuer even when uploaded.
 */
export const trustRule: ChainRule = (f, plan) => {
  if (!checksChain(plan)) return [];
  const out: Finding[] = [];
  const { leaf, leafIndex } = f;
  const best = f.build.best;
  if (best.anchored && best.certs.length === 1 && leaf.selfIssued && !isCA(leaf)) {
    out.push(makeFinding('CHAIN_ONLY_LEAF', { issuer: leaf.issuer.text, subject: leaf.subject.text, selfSigned: true, inTrustStore: true, store: plan.trust.store.description }, opts(plan, leaf, leafIndex, 'DEPTH_ZERO_SELF_SIGNED_CERT')));
  }
  if (best.anchored) return out;
  const top = best.certs[best.certs.length - 1]!;
  const topIdx = f.presentedIndexOf(top) ?? undefined;
  const store = plan.trust.store;
  const uploaded = store.anchors.map((a) => a.subject.text);
  const trustEv: Evidence = { subject: top.subject.text, issuer: top.issuer.text, root: top.subject.text, store: store.description, uploaded };
  if (best.end === 'too-deep') {
    out.push(makeFinding('CHAIN_TOO_LONG', { maxDepth: 10 }, opts(plan, undefined, undefined, 'CERT_CHAIN_TOO_LONG')));
  } else if (best.rejectedIssuers.length) {
    const r = best.rejectedIssuers[0]!;
    const code = r.result.reason === 'unsupported' || r.result.reason === 'key-error' ? 'UNSUPPORTED_ALGORITHM' : 'BAD_SIGNATURE';
    const ossl: OpenSslErrorName = code === 'UNSUPPORTED_ALGORITHM' ? 'UNSUPPORTED_SIGNATURE_ALGORITHM' : 'CERT_SIGNATURE_FAILURE';
    out.push(makeFinding(code, { subject: top.subject.text, issuer: r.issuer.subject.text, detail: r.result.detail }, opts(plan, top, topIdx, ossl)));
  } else if (best.end === 'self-signed-untrusted') {
    if (best.certs.length === 1 && !isCA(top)) {
      out.push(makeFinding('CHAIN_ONLY_LEAF', { issuer: top.issuer.text, subject: top.subject.text, selfSigned: true, inTrustStore: false }, opts(plan, top, topIdx, 'DEPTH_ZERO_SELF_SIGNED_CERT')));
    } else if (plan.trust.mode === 'wellknown') {
      out.push(makeFinding('UNTRUSTED_ROOT', trustEv, opts(plan, top, topIdx, best.certs.length === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN')));
    } else {
      out.push(makeFinding('UPLOADED_ROOT_MISMATCH', trustEv, opts(plan, top, topIdx, 'SELF_SIGNED_CERT_IN_CHAIN')));
    }
  } else if (best.certs.length === 1) {
    const alone = f.unique.length === 1;
    out.push(makeFinding(alone ? 'CHAIN_ONLY_LEAF' : 'CHAIN_INCOMPLETE', { issuer: top.issuer.text, subject: top.subject.text }, opts(plan, top, topIdx, alone ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')));
  } else if (plan.trust.mode === 'wellknown') {
    out.push(makeFinding('UNTRUSTED_INTERMEDIATE', trustEv, opts(plan, top, topIdx, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')));
  } else {
    out.push(makeFinding('UPLOADED_ROOT_NOT_ISSUER', trustEv, opts(plan, top, topIdx, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')));
  }
  return out;
};

/**
 * The strict profile's budgets (path.ts: signature checks, steps, paths; like webpki's): a search
 * that ran out before finding a valid path cannot say the chain is bad, only that it could not
 * tell. The gateway profile's walk is linear and never runs out.
 */
export const budgetRule: ChainRule = (f, plan) => {
  const b = f.build;
  if (plan.profile !== 'strict' || b.valid || !b.exhausted) return [];
  return [makeFinding('PATH_BUDGET_EXHAUSTED', { signatureChecks: b.signatureChecks, calls: b.calls, limit: b.exhausted }, { sku: plan.sku })];
};

/**
 * The path not taken: OpenSSL's builder takes the first issuer that fits and never backtracks
 * (OpenSSL 3.0 x509_vfy.c build_chain). When that chain fails but another valid path exists, say
 * where the two part (never at the leaf, which both start from) and what to change.
 */
export const pathNotTakenRule: ChainRule = (f, plan) => {
  if (!checksChain(plan)) return [];
  const best = f.build.best;
  const alt = f.missed?.valid ? f.missed.best.certs : [];
  const d = alt.findIndex((c, i) => best.certs[i]?.sha256 !== c.sha256);
  if (d <= 0) return [];
  const taken = best.rejectedIssuers.length && best.certs.length === d ? best.rejectedIssuers[0]!.issuer : best.certs[d];
  const takenIdx = taken ? f.presentedIndexOf(taken) : null;
  const alternative = alt[d]!;
  return [makeFinding('CHAIN_PATH_NOT_TAKEN', {
    subject: alt[d - 1]!.subject.text,
    takenSubject: taken ? taken.subject.text : null, takenIndex: takenIdx,
    alternativeSubject: alternative.subject.text, alternativeIndex: f.presentedIndexOf(alternative),
    validPath: alt.map((c) => c.subject.text).join(' → '),
  }, { sku: plan.sku, ...(taken && takenIdx !== null ? { certIndex: takenIdx, certSha256: taken.sha256 } : {}) })];
};

/**
 * The RFC 5280 §6.1 path rules as OpenSSL applies them (path-rules.ts) on the chain it built.
 * With validateCertChainAndExpiry false the gateway skips chain and expiry checks, so their
 * failures are no longer errors; v1 has no trust anchors but still checks the chain (V1b).
 */
export const pathRulesRule: ChainRule = (f, plan) => {
  const out: Finding[] = [];
  const best = f.build.best;
  for (const is of f.issues) {
    if (!plan.validateChainAndExpiry && is.severity === 'error') continue;
    const c = best.certs[is.pathIndex]!;
    out.push(makeFinding(is.code, is.evidence, { ...opts(plan, c, f.presentedIndexOf(c) ?? undefined, is.openssl), severity: is.severity }));
  }
  return out;
};

/** v1: the leaf must be one of the uploaded authentication certificates (appgw-spec §3.1, §1.3 V1a). */
export const v1AuthCertRule: ChainRule = (f, plan) => {
  if (plan.sku !== 'v1') return [];
  const { leaf, leafIndex } = f;
  const auth = plan.authCerts ?? [];
  if (auth.some((a) => a.sha256 === leaf.sha256)) return [];
  const sameKey = auth.find((a) => Buffer.compare(Buffer.from(a.spki), Buffer.from(leaf.spki)) === 0);
  if (sameKey) return [makeFinding('V1_AUTH_CERT_PUBLIC_KEY_ONLY', { name: sameKey.subject.text }, opts(plan, leaf, leafIndex))];
  return [makeFinding('V1_AUTH_CERT_MISMATCH', { subject: leaf.subject.text, sha256: leaf.sha256, uploaded: auth.map((a) => a.subject.text), uploadedSha256: auth.map((a) => a.sha256) }, opts(plan, leaf, leafIndex))];
};

/**
 * The presented certificates that continue a chain above `top`, each the next one's issuer by
 * name, up to a self-issued one or the first gap.
 */
function continuation(top: ParsedCert, unique: ParsedCert[]): ParsedCert[] {
  const out: ParsedCert[] = [];
  const seen = new Set([top.sha256]);
  for (let cur = top; !cur.selfIssued;) {
    const next = unique.find((c) => !seen.has(c.sha256) && nameKey(c.subject) === nameKey(cur.issuer));
    if (!next) break;
    seen.add(next.sha256);
    out.push(next);
    cur = next;
  }
  return out;
}

/** The presented indexes that continue a path cut at the depth limit (empty when it was not cut). */
export function beyondDepthLimit(f: ChainFacts): number[] {
  const best = f.build.best;
  if (best.end !== 'too-deep') return [];
  return continuation(best.certs[best.certs.length - 1]!, f.unique).map(f.presentedIndexOf).filter((x): x is number => x !== null);
}

/**
 * Chain hygiene once a path is known (RFC 8446 §4.4.2, RFC 5246 §7.4.2 on the list's order;
 * appgw-spec §3.2 on sending the root): certificates off the path, intermediates out of order,
 * a root the backend does not send.
 */
export const hygieneRule: ChainRule = (f, plan) => {
  if (!checksChain(plan)) return [];
  const out: Finding[] = [];
  const best = f.build.best;
  const onPath = new Set(best.certs.map((c) => c.sha256));
  // A path cut at the depth limit ends where certcheck stopped, not where the chain does: the
  // certificates that carry it on by issuer name are on the path OpenSSL (depth 100) builds, and
  // calling them extra would advise breaking a valid chain.
  if (best.end === 'too-deep') for (const c of continuation(best.certs[best.certs.length - 1]!, f.unique)) onPath.add(c.sha256);
  for (const c of f.unique) {
    if (!onPath.has(c.sha256)) out.push(makeFinding('CHAIN_EXTRA_CERT', { subject: c.subject.text }, { ...opts(plan, c, f.presentedIndexOf(c) ?? undefined) }));
  }
  const sentOrder = best.certs.map(f.presentedIndexOf).filter((x): x is number => x !== null);
  if (sentOrder.some((v, i) => i > 0 && v < sentOrder[i - 1]!) && f.leafIndex === 0) {
    out.push(makeFinding('CHAIN_OUT_OF_ORDER', { sentOrder: sentOrder.map(String), pathOrder: best.certs.map((c) => c.subject.text) }));
  }
  if (best.anchored) {
    const anchor = best.certs[best.certs.length - 1]!;
    if (f.presentedIndexOf(anchor) === null && best.certs.length > 1) out.push(makeFinding('CHAIN_ROOT_NOT_SENT', { anchor: anchor.subject.text }));
  }
  return out;
};

/** Every certificate sent plus the path's anchor that is still valid, with its days left. */
function stillValid(f: ChainFacts, plan: CertPlan): { c: ParsedCert; idx: number | undefined; d: number; ev: Evidence }[] {
  const out: { c: ParsedCert; idx: number | undefined; d: number; ev: Evidence }[] = [];
  const best = f.build.best;
  const onPath = new Set(best.certs.map((c) => c.sha256));
  const seen = new Set<string>();
  for (const c of [...best.certs, ...f.unique]) {
    if (seen.has(c.sha256)) continue;
    seen.add(c.sha256);
    const d = daysLeft(c, plan.at);
    if (d === null || d < 0) continue;
    out.push({ c, idx: f.presentedIndexOf(c) ?? undefined, d, ev: { subject: c.subject.text, notAfter: reportTime(c.notAfter.date), daysLeft: d, onPath: onPath.has(c.sha256) } });
  }
  return out;
}

/**
 * Expiring soon: every certificate sent plus the path's anchor, "anywhere in the chain", within
 * --warn-days (or --min-days, when larger). A warning: the gateway accepts it. Already-expired
 * certificates are the path rules' (RFC 5280 §4.1.2.5).
 */
export const expiryRule: ChainRule = (f, plan) => {
  if (!plan.validateChainAndExpiry && plan.sku !== 'v1') return [];
  const warnAt = Math.max(plan.warnDays, plan.minDays ?? 0);
  return stillValid(f, plan).filter((x) => x.d < warnAt).map((x) => makeFinding('CERT_EXPIRES_SOON', x.ev, opts(plan, x.c, x.idx)));
};

/**
 * --min-days, certcheck's policy beside the gateway's verdict (design.md "Two verdicts"): each
 * certificate of `expiryRule`'s set that expires within N days fails it. Not a chain rule: its
 * findings go to the report's `policy`, never to `status`.
 */
export function minDaysPolicy(f: ChainFacts, plan: CertPlan): Finding[] {
  const min = plan.minDays;
  if (min === undefined) return [];
  return stillValid(f, plan).filter((x) => x.d < min).map((x) => makeFinding('CERT_EXPIRES_SOON', { ...x.ev, threshold: min }, opts(plan, x.c, x.idx)));
}

/**
 * The name (RFC 6125 §6.4, RFC 2818 §3.1; appgw-spec §1.2 M6, §3): the leaf's SAN, or its CN only
 * without SAN, against the name the gateway checks; or why no name is checked.
 */
export const nameRule: ChainRule = (f, plan) => {
  if (!plan.host) return [makeFinding('NAME_NOT_CHECKED', { reason: plan.hostSkippedReason ?? 'no host name given' })];
  const { leaf, leafIndex } = f;
  const out: Finding[] = [];
  const r = f.name ?? matchHost(leaf, plan.host);
  if (!r.matched) {
    out.push(makeFinding('NAME_MISMATCH', { host: plan.host.value, presented: r.presented.length ? r.presented : ['no names'], reason: r.reason ?? '' },
      opts(plan, leaf, leafIndex, plan.host.kind === 'ip' ? 'IP_ADDRESS_MISMATCH' : 'HOSTNAME_MISMATCH')));
  } else if (r.cnFallback) out.push(makeFinding('NAME_CN_ONLY', { host: plan.host.value }, opts(plan, leaf, leafIndex)));
  for (const note of r.notes) out.push(makeFinding('NAME_NOTE', { note }, opts(plan, leaf, leafIndex)));
  return out;
};

/**
 * The leaf's name that matched the host, written as the report's `subjectAltName` entries are
 * ("DNS:*.backend.test", "IP:10.0.0.5"), or "CN:..." when a certificate without SAN matched by its
 * Common Name; undefined when no host was checked or nothing matched.
 */
export function matchedName(f: ChainFacts): string | undefined {
  const m = f.name?.matchedBy;
  if (!m) return undefined;
  if (m.source === 'cn') return `CN:${escapeText(m.value)}`;
  const g = (f.leaf.subjectAltName ?? []).find((x) => (m.source === 'san-dns' ? x.type === 'dns' && x.value === m.value : x.type === 'ip' && ipToText(x.bytes) === m.value));
  return g ? sanEntryText(g) : undefined;
}

/** The rules over a list whose leaf is known, in report order. */
export const CHAIN_RULES: readonly ChainRule[] = [budgetRule, trustRule, pathNotTakenRule, pathRulesRule, v1AuthCertRule, hygieneRule, expiryRule, nameRule];
