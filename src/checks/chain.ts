import { certPem, escapeText, parseCertificate, parseCertificateShared, sha256Hex, toPem } from '../x509/cert.js';
import { DerError } from '../x509/der.js';
import { matchHost, type HostRef } from '../x509/names.js';
import { buildPath, isAnchor, walkChain, type BuildResult, type CandidatePath } from '../x509/path.js';
import { sigAlgInfo } from '../x509/signature.js';
import type { TrustStore } from '../x509/store.js';
import type { ParsedCert } from '../x509/types.js';
import { makeFinding } from '../model/catalog.js';
import type { Evidence, Finding } from '../model/findings.js';
import { opensslError, type OpenSslErrorName } from '../model/openssl.js';
import type { CertSummary, ChainReport, PathEntry } from '../model/report.js';
import type { CertPlan } from '../model/plan.js';
import { evaluatePathRules, iso, isCA, type PathIssue } from './path-rules.js';

export const MAX_PRESENTED = 64;

export type { CertPlan } from '../model/plan.js';

export interface ChainJudgement {
  findings: Finding[];
  chain: ChainReport;
  leaf?: ParsedCert;
  /** The certificates of `chain.path`, leaf first (the same objects the judge checked). */
  pathCerts: ParsedCert[];
}

function daysLeft(c: ParsedCert, at: Date): number | null {
  return c.notAfter.date ? Math.floor((c.notAfter.date.getTime() - at.getTime()) / 86_400_000) : null;
}

function sanText(c: ParsedCert): string[] {
  return (c.subjectAltName ?? []).map((g) => {
    switch (g.type) {
      case 'dns': return `DNS:${escapeText(g.value)}`;
      case 'ip': case 'ipRange': return `IP:${g.value}`;
      case 'email': return `email:${escapeText(g.value)}`;
      case 'uri': return `URI:${escapeText(g.value)}`;
      case 'dirName': return `DirName:${g.value.text}`;
      default: return `other:${g.tag}`;
    }
  });
}

export function summarize(c: ParsedCert, index: number, at: Date): CertSummary {
  const k = c.publicKey;
  return {
    index,
    subject: c.subject.text || '(empty subject)',
    issuer: c.issuer.text || '(empty issuer)',
    serial: c.serialHex,
    notBefore: c.notBefore.date ? iso(c.notBefore.date) : `invalid: ${escapeText(c.notBefore.raw)}`,
    notAfter: c.notAfter.date ? iso(c.notAfter.date) : `invalid: ${escapeText(c.notAfter.raw)}`,
    daysLeft: daysLeft(c, at),
    sha256: c.sha256,
    selfSigned: c.selfIssued,
    ca: isCA(c),
    key: k.algorithm === 'ec' ? `EC ${k.curve}` : k.bits ? `${k.algorithm.toUpperCase()} ${k.bits}` : k.algorithm.toUpperCase(),
    signatureAlgorithm: sigAlgInfo(c.signatureAlgorithm)?.name ?? c.signatureAlgorithm.oid,
    subjectAltName: sanText(c),
    pem: certPem(c),
  };
}

function undecodable(der: Uint8Array, index: number, error: string): CertSummary {
  return { index, subject: '(does not decode)', issuer: '', serial: '', notBefore: '', notAfter: '', daysLeft: null,
    sha256: '', selfSigned: false, ca: false, key: '', signatureAlgorithm: '', subjectAltName: [], pem: toPem(der), error };
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
  return judgeOnce(presentedDer, plan, undefined, parseCertificate);
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
  freeze(j.chain);
  return Object.freeze(j);
}

function judgeOnce(presentedDer: Uint8Array[], plan: CertPlan, hashes?: string[], parse: (der: Uint8Array, sha256?: string) => ParsedCert = parseCertificateShared): ChainJudgement {
  const findings: Finding[] = [];
  const at = plan.at;
  const opts = (c: ParsedCert | undefined, idx: number | undefined, ossl?: OpenSslErrorName) => ({
    sku: plan.sku,
    ...(idx !== undefined ? { certIndex: idx } : {}),
    ...(c ? { certSha256: c.sha256 } : {}),
    ...(ossl ? { openssl: opensslError(ossl) } : {}),
  });
  const summaries: CertSummary[] = [];
  const parsed: (ParsedCert | undefined)[] = [];
  const considered = presentedDer.slice(0, MAX_PRESENTED);
  considered.forEach((der, i) => {
    try {
      const c = parse(der, hashes?.[i]);
      parsed.push(c);
      summaries.push(summarize(c, i, at));
      if (c.trailingBytes > 0) findings.push(makeFinding('TRAILING_DATA', { bytes: c.trailingBytes }, opts(c, i)));
    } catch (e) {
      const msg = e instanceof DerError ? e.message : String(e);
      parsed.push(undefined);
      summaries.push(undecodable(der, i, msg));
      findings.push(makeFinding('MALFORMED_CERT', { detail: msg }, opts(undefined, i)));
    }
  });
  const emptyChain = (): ChainJudgement => ({ findings, pathCerts: [], chain: { presented: summaries, path: [], pathValid: false, anchored: false, stats: { signatureChecks: 0, buildCalls: 0, pathsEvaluated: 0 } } });
  if (presentedDer.length > MAX_PRESENTED) {
    findings.push(makeFinding('CHAIN_TOO_MANY_CERTS', { count: presentedDer.length, limit: MAX_PRESENTED }));
  }
  if (presentedDer.length === 0) {
    findings.push(makeFinding('CHAIN_EMPTY', {}, { sku: plan.sku }));
    return emptyChain();
  }
  const first = parsed[0];
  if (!first) return emptyChain();

  // Duplicates: judged once, reported where they repeat.
  const firstIndex = new Map<string, number>();
  parsed.forEach((c, i) => {
    if (!c) return;
    if (firstIndex.has(c.sha256)) findings.push(makeFinding('CHAIN_DUPLICATE', { subject: c.subject.text, firstIndex: firstIndex.get(c.sha256)! }, opts(c, i)));
    else firstIndex.set(c.sha256, i);
  });
  const unique = [...firstIndex.entries()].map(([, i]) => parsed[i]!);
  const store = plan.trust.store;
  const v1 = plan.sku === 'v1';
  const checkChain = plan.validateChainAndExpiry && !v1;

  // Shape: which certificate is the leaf, and is it first?
  let leaf: ParsedCert | undefined;
  let leafIndex = 0;
  if (!isCA(first)) leaf = first;
  else {
    const idx = parsed.findIndex((c) => c && !isCA(c));
    if (idx > 0) {
      leaf = parsed[idx]!;
      leafIndex = idx;
      if (checkChain) findings.push(makeFinding('CHAIN_LEAF_NOT_FIRST', { leafIndex: idx, firstSubject: first.subject.text, leafSubject: leaf.subject.text }, opts(leaf, idx)));
    } else if (first.selfIssued || isAnchor(store, first)) {
      // A lone self-signed CA certificate used as the server certificate: OpenSSL accepts it when trusted.
      leaf = first;
    } else if (checkChain) {
      findings.push(makeFinding('CHAIN_NO_LEAF', { subjects: parsed.filter(Boolean).map((c) => c!.subject.text) }, { sku: plan.sku }));
    } else leaf = first;
  }
  if (!leaf) return emptyChain();

  const pool = unique.filter((c) => c !== leaf);
  const ruleCtx = { at, purpose: plan.purpose, profile: plan.profile, checkDates: plan.validateChainAndExpiry };
  const errorsOf = (issues: PathIssue[]) => issues.filter((x) => x.severity === 'error').length;
  const evaluate = (p: CandidatePath) => errorsOf(evaluatePathRules(p, ruleCtx)) + (p.anchored ? 0 : 100);
  // The verdict follows the chain the gateway's OpenSSL builds (path.ts, walkChain). When that
  // chain fails, a full search says whether a valid path existed that OpenSSL's builder passed by.
  const build: BuildResult = walkChain({ leaf, pool, store, evaluate, at });
  const best = build.best;
  const missed = build.valid ? undefined : buildPath({ leaf, pool, store, evaluate });
  const issues = evaluatePathRules(best, ruleCtx);
  const presentedIndexOf = (c: ParsedCert) => firstIndex.get(c.sha256) ?? null;
  const idxOf = (pi: number) => presentedIndexOf(best.certs[pi]!) ?? undefined;

  if (checkChain && best.anchored && best.certs.length === 1 && leaf.selfIssued && !isCA(leaf)) {
    // The docs: a self-signed certificate that is not a CA is treated as a leaf missing its issuer,
    // even when it was uploaded as the trusted root itself (OpenSSL alone would accept it).
    findings.push(makeFinding('CHAIN_ONLY_LEAF', { issuer: `${leaf.issuer.text} (itself: a self-signed certificate that is not a CA)`, subject: leaf.subject.text }, opts(leaf, leafIndex, 'DEPTH_ZERO_SELF_SIGNED_CERT')));
  }
  if (checkChain && !best.anchored) {
    const top = best.certs[best.certs.length - 1]!;
    const topIdx = presentedIndexOf(top) ?? undefined;
    const uploaded = store.anchors.map((a) => a.subject.text);
    const trustEv: Evidence = { subject: top.subject.text, issuer: top.issuer.text, root: top.subject.text, store: store.description, uploaded };
    if (best.end === 'too-deep') {
      findings.push(makeFinding('CHAIN_TOO_LONG', { maxDepth: 10 }, opts(undefined, undefined, 'CERT_CHAIN_TOO_LONG')));
    } else if (best.rejectedIssuers.length) {
      const r = best.rejectedIssuers[0]!;
      const code = r.result.reason === 'unsupported' || r.result.reason === 'key-error' ? 'UNSUPPORTED_ALGORITHM' : 'BAD_SIGNATURE';
      const ossl: OpenSslErrorName = code === 'UNSUPPORTED_ALGORITHM' ? 'UNSUPPORTED_SIGNATURE_ALGORITHM' : 'CERT_SIGNATURE_FAILURE';
      findings.push(makeFinding(code, { subject: top.subject.text, issuer: r.issuer.subject.text, detail: r.result.detail }, opts(top, topIdx, ossl)));
    } else if (best.end === 'self-signed-untrusted') {
      if (best.certs.length === 1 && !isCA(top)) {
        findings.push(makeFinding('CHAIN_ONLY_LEAF', { issuer: `${top.issuer.text} (itself: a self-signed certificate that is not a CA)`, subject: top.subject.text }, opts(top, topIdx, 'DEPTH_ZERO_SELF_SIGNED_CERT')));
      } else if (plan.trust.mode === 'wellknown') {
        findings.push(makeFinding('UNTRUSTED_ROOT', trustEv, opts(top, topIdx, best.certs.length === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN')));
      } else {
        findings.push(makeFinding('UPLOADED_ROOT_MISMATCH', trustEv, opts(top, topIdx, 'SELF_SIGNED_CERT_IN_CHAIN')));
      }
    } else if (best.certs.length === 1) {
      const code = unique.length === 1 ? 'CHAIN_ONLY_LEAF' : 'CHAIN_INCOMPLETE';
      findings.push(makeFinding(code, { issuer: top.issuer.text, subject: top.subject.text }, opts(top, topIdx, unique.length === 1 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')));
    } else if (plan.trust.mode === 'wellknown') {
      findings.push(makeFinding('UNTRUSTED_INTERMEDIATE', trustEv, opts(top, topIdx, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')));
    } else {
      findings.push(makeFinding('UPLOADED_ROOT_NOT_ISSUER', trustEv, opts(top, topIdx, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY')));
    }
  }

  // Where the two paths part (never at the leaf, which both start from): the issuer OpenSSL took,
  // or failed to find, and the one that works.
  const alt = missed?.valid ? missed.best.certs : [];
  const d = alt.findIndex((c, i) => best.certs[i]?.sha256 !== c.sha256);
  if (checkChain && d > 0) {
    const where = (c: ParsedCert) => (presentedIndexOf(c) === null ? 'from the trust store' : `sent at position ${presentedIndexOf(c)}`);
    const at_ = (c: ParsedCert | undefined) => (c ? `"${c.subject.text}" ${where(c)}` : 'no issuer at all');
    const taken = best.rejectedIssuers.length && best.certs.length === d ? best.rejectedIssuers[0]!.issuer : best.certs[d];
    const validPath = alt.map((c) => c.subject.text).join(' → ');
    const takenIdx = taken ? presentedIndexOf(taken) : null;
    const action = taken && takenIdx !== null ? `Remove the certificate sent at position ${takenIdx} ("${taken.subject.text}") from the chain the backend serves, or send ${at_(alt[d])} before it.`
      : taken ? `Remove "${taken.subject.text}" from the trusted roots; it has the issuer's name but not its key.`
      : `Serve exactly the certificates of the valid path, in its order: ${validPath}.`;
    findings.push(makeFinding('CHAIN_PATH_NOT_TAKEN', { subject: alt[d - 1]!.subject.text, taken: at_(taken), alternative: at_(alt[d]), validPath, action },
      { sku: plan.sku, ...(taken && takenIdx !== null ? { certIndex: takenIdx, certSha256: taken.sha256 } : {}) }));
  }

  for (const is of issues) {
    // validateCertChainAndExpiry=false: the gateway skips chain and expiry checks, so their
    // failures are no longer errors; v1 has no trust anchors but still checks the chain (V1b).
    if (!plan.validateChainAndExpiry && is.severity === 'error') continue;
    const c = best.certs[is.pathIndex]!;
    findings.push(makeFinding(is.code, is.evidence, { ...opts(c, idxOf(is.pathIndex), is.openssl), severity: is.severity }));
  }

  // v1: the leaf must be one of the uploaded authentication certificates.
  if (v1) {
    const auth = plan.authCerts ?? [];
    const exact = auth.find((a) => a.sha256 === leaf!.sha256);
    if (!exact) {
      const sameKey = auth.find((a) => Buffer.compare(Buffer.from(a.spki), Buffer.from(leaf!.spki)) === 0);
      if (sameKey) findings.push(makeFinding('V1_AUTH_CERT_PUBLIC_KEY_ONLY', { name: sameKey.subject.text }, opts(leaf, leafIndex)));
      else findings.push(makeFinding('V1_AUTH_CERT_MISMATCH', { subject: leaf.subject.text, sha256: leaf.sha256, uploaded: auth.map((a) => `${a.subject.text} (${a.sha256.slice(0, 16)}…)`) }, opts(leaf, leafIndex)));
    }
  }

  // Chain hygiene: extras, order, root not sent (only meaningful once a path is known).
  const onPath = new Set(best.certs.map((c) => c.sha256));
  if (checkChain) {
    unique.forEach((c) => {
      if (!onPath.has(c.sha256)) findings.push(makeFinding('CHAIN_EXTRA_CERT', { subject: c.subject.text }, { ...opts(c, presentedIndexOf(c) ?? undefined) }));
    });
    const sentOrder = best.certs.map(presentedIndexOf).filter((x): x is number => x !== null);
    if (sentOrder.some((v, i) => i > 0 && v < sentOrder[i - 1]!) && leafIndex === 0) {
      findings.push(makeFinding('CHAIN_OUT_OF_ORDER', { sentOrder: sentOrder.map(String), pathOrder: best.certs.map((c) => c.subject.text) }));
    }
    if (best.anchored) {
      const anchor = best.certs[best.certs.length - 1]!;
      if (presentedIndexOf(anchor) === null && best.certs.length > 1) findings.push(makeFinding('CHAIN_ROOT_NOT_SENT', { anchor: anchor.subject.text }));
    }
  }

  // Expiry thresholds over everything presented plus the path's anchor: "anywhere in the chain".
  if (plan.validateChainAndExpiry || v1) {
    const seenForExpiry = new Set<string>();
    for (const c of [...best.certs, ...unique]) {
      if (seenForExpiry.has(c.sha256)) continue;
      seenForExpiry.add(c.sha256);
      const d = daysLeft(c, at);
      if (d === null || d < 0) continue;
      const idx = presentedIndexOf(c) ?? undefined;
      const ev = { subject: c.subject.text, notAfter: iso(c.notAfter.date), daysLeft: d, onPath: onPath.has(c.sha256) };
      if (plan.minDays !== undefined && d < plan.minDays) findings.push(makeFinding('CERT_EXPIRES_SOON', { ...ev, threshold: plan.minDays }, { ...opts(c, idx), severity: 'error' }));
      else if (d < plan.warnDays) findings.push(makeFinding('CERT_EXPIRES_SOON', ev, opts(c, idx)));
    }
  }

  // Name: SAN (CN only without SAN) against the probe host.
  if (plan.host) {
    const r = matchHost(leaf, plan.host);
    if (!r.matched) {
      findings.push(makeFinding('NAME_MISMATCH', { host: plan.host.value, presented: r.presented.length ? r.presented : ['no names'], reason: r.reason ?? '' },
        opts(leaf, leafIndex, plan.host.kind === 'ip' ? 'IP_ADDRESS_MISMATCH' : 'HOSTNAME_MISMATCH')));
    } else if (r.cnFallback) findings.push(makeFinding('NAME_CN_ONLY', { host: plan.host.value }, opts(leaf, leafIndex)));
    for (const note of r.notes) findings.push(makeFinding('NAME_NOTE', { note }, opts(leaf, leafIndex)));
  } else {
    findings.push(makeFinding('NAME_NOT_CHECKED', { reason: plan.hostSkippedReason ?? 'no host name given' }));
  }

  const pathEntries: PathEntry[] = best.certs.map((c) => {
    const pi = presentedIndexOf(c);
    return { presentedIndex: pi, source: pi === null ? 'trust-store' : 'presented', subject: c.subject.text, sha256: c.sha256 };
  });
  return {
    findings,
    leaf,
    pathCerts: best.certs,
    chain: {
      presented: summaries,
      path: pathEntries,
      pathValid: best.anchored && build.valid,
      anchored: best.anchored,
      stats: { signatureChecks: build.signatureChecks, buildCalls: build.calls, pathsEvaluated: build.pathsEvaluated },
    },
  };
}
