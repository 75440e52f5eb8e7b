import { nameKey, spkiSha256 } from './cert.js';
import { checkSignature, type SigResult } from './signature.js';
import type { TrustStore } from './store.js';
import type { ParsedCert } from './types.js';

/**
 * Our own path builder (reliability-catalog §0.1–0.2): depth-first with backtracking over the
 * presented certificates and the anchors. pkijs' engine enumerates every path with no budget and
 * gives up on the first dead end; @peculiar/x509's builder is greedy and never backtracks. Here a
 * dead end or a failing path only moves the search on, anchors are tried first (OpenSSL's
 * trusted-first), and budgets bound the work whatever the input.
 */

export interface BuildBudget {
  maxSignatureChecks: number;
  maxCalls: number;
  maxDepth: number;
  /** Complete or dead-end paths judged; each costs a full rule evaluation. */
  maxPaths: number;
}
export const DEFAULT_BUDGET: BuildBudget = { maxSignatureChecks: 100, maxCalls: 200_000, maxDepth: 10, maxPaths: 1_000 };

export interface CandidatePath {
  /** Leaf first. When `anchored`, the last element is the trust anchor. */
  certs: ParsedCert[];
  anchored: boolean;
  /** Why the path stops without an anchor. */
  end?: 'issuer-not-found' | 'self-signed-untrusted' | 'too-deep';
  /** Issuers that had the right name but whose key did not verify the top certificate. */
  rejectedIssuers: { issuer: ParsedCert; result: Exclude<SigResult, { ok: true }> }[];
}

export interface BuildResult {
  best: CandidatePath;
  /** `best` passed `evaluate` with no errors. */
  valid: boolean;
  bestScore: number;
  exhausted: false | 'signature-checks' | 'calls' | 'paths';
  signatureChecks: number;
  calls: number;
  pathsEvaluated: number;
}

export interface BuildInput {
  leaf: ParsedCert;
  /** Other presented certificates, in the order sent (duplicates removed by the caller or here). */
  pool: ParsedCert[];
  store: TrustStore;
  /** Lower is better; 0 means the path validates. Called on every complete or dead-end path. */
  evaluate: (p: CandidatePath) => number;
  budget?: Partial<BuildBudget>;
}

export function isAnchor(store: TrustStore, c: ParsedCert): boolean {
  return store.bySha256.has(c.sha256);
}

export function buildPath(input: BuildInput): BuildResult {
  const budget = { ...DEFAULT_BUDGET, ...input.budget };
  const { store, evaluate } = input;
  const poolBySubject = new Map<string, ParsedCert[]>();
  const seen = new Set<string>();
  for (const c of input.pool) {
    if (seen.has(c.sha256) || c.sha256 === input.leaf.sha256) continue;
    seen.add(c.sha256);
    const k = nameKey(c.subject);
    const l = poolBySubject.get(k);
    if (l) l.push(c); else poolBySubject.set(k, [c]);
  }
  const sigCache = new Map<string, SigResult>();
  let signatureChecks = 0;
  let calls = 0;
  let pathsEvaluated = 0;
  let exhausted: BuildResult['exhausted'] = false;
  let best: CandidatePath | undefined;
  let bestScore = Infinity;

  const consider = (p: CandidatePath): boolean => {
    if (pathsEvaluated >= budget.maxPaths) { exhausted = 'paths'; return false; }
    pathsEvaluated++;
    const score = evaluate(p);
    // Ties go to the first found: anchors are tried first, so that is the trusted-first path.
    if (score < bestScore) { best = { ...p, certs: [...p.certs], rejectedIssuers: [...p.rejectedIssuers] }; bestScore = score; }
    return score === 0;
  };

  const entityKey = (c: ParsedCert) => `${nameKey(c.subject)}#${spkiSha256(c)}`;
  const onPath = new Set<string>();

  const sig = (child: ParsedCert, issuer: ParsedCert): SigResult | undefined => {
    const key = `${child.sha256}|${spkiSha256(issuer)}|${issuer.publicKey.oid}`;
    let r = sigCache.get(key);
    if (!r) {
      if (signatureChecks >= budget.maxSignatureChecks) { exhausted = 'signature-checks'; return undefined; }
      signatureChecks++;
      r = checkSignature(child, issuer);
      sigCache.set(key, r);
    }
    return r;
  };

  const path: ParsedCert[] = [input.leaf];
  onPath.add(entityKey(input.leaf));

  // Returns true when a valid path was found (stop everything).
  const dfs = (): boolean => {
    if (exhausted) return false;
    if (++calls > budget.maxCalls) { exhausted = 'calls'; return false; }
    const top = path[path.length - 1]!;
    if (isAnchor(store, top)) return consider({ certs: path, anchored: true, rejectedIssuers: [] });
    if (path.length > budget.maxDepth) return consider({ certs: path, anchored: false, end: 'too-deep', rejectedIssuers: [] });
    const issuerKey = nameKey(top.issuer);
    const akid = top.authorityKeyId?.keyId;
    const rank = (c: ParsedCert) => (akid && c.subjectKeyId ? (c.subjectKeyId === akid ? 0 : 2) : 1);
    const anchors = [...(store.bySubject.get(issuerKey) ?? [])].sort((a, b) => rank(a) - rank(b));
    // Past a trusted non-anchor, OpenSSL continues in its store only.
    const storeOnly = path.some((c) => store.trustedNonAnchors.has(c.sha256));
    const presented = storeOnly ? [] : [...(poolBySubject.get(issuerKey) ?? [])].sort((a, b) => rank(a) - rank(b));
    const rejected: CandidatePath['rejectedIssuers'] = [];
    let extended = false;
    for (const cand of [...anchors, ...presented]) {
      if (cand.sha256 === top.sha256) continue; // a self-signed certificate is not its own path step
      // OpenSSL's issuer match: when both key identifiers exist they must agree, else the
      // candidate is not an issuer at all (not a bad signature).
      if (akid && cand.subjectKeyId && cand.subjectKeyId !== akid) continue;
      const ek = entityKey(cand);
      if (onPath.has(ek) && !isAnchor(store, cand)) continue;
      if (onPath.has(ek) && path.some((p) => p.sha256 === cand.sha256)) continue;
      const r = sig(top, cand);
      if (!r) return false;
      if (!r.ok) { rejected.push({ issuer: cand, result: r }); continue; }
      extended = true;
      path.push(cand);
      onPath.add(ek);
      const found = dfs();
      path.pop();
      onPath.delete(ek);
      if (found) return true;
      if (exhausted) return false;
    }
    if (!extended) {
      return consider({
        certs: path, anchored: false, rejectedIssuers: rejected,
        end: top.selfIssued && rejected.length === 0 ? 'self-signed-untrusted' : 'issuer-not-found',
      });
    }
    return false;
  };

  const found = dfs();
  if (!best) best = { certs: [input.leaf], anchored: false, end: 'issuer-not-found', rejectedIssuers: [] };
  return { best, valid: found || bestScore === 0, bestScore, exhausted: found ? false : exhausted, signatureChecks, calls, pathsEvaluated };
}
