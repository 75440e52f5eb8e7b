import { createPublicKey, type KeyObject } from 'node:crypto';
import { judgeChain, type ChainJudgement } from './checks/chain.js';
import { isCA, type Profile } from './checks/path-rules.js';
import { InputError } from './model/errors.js';
import type { Finding, FindingCode } from './model/findings.js';
import { rankFindings } from './model/rank.js';
import type { CertRef, RotationInfo, RotationStep, VerdictRef, VerifyReport } from './model/report.js';
import { probeBackend, splitTarget } from './probe.js';
import { assembleReport, makePlan } from './verify.js';
import { nameKey, parseCertificate } from './x509/cert.js';
import { parseHostRef } from './x509/names.js';
import { checkSignature } from './x509/signature.js';
import type { TrustStore } from './x509/store.js';
import type { ParsedCert } from './x509/types.js';

export interface RotateOptions {
  /** The new certificate file's certificates, in file order (PKCS#12: the key's certificate first). */
  newCerts: Uint8Array[];
  /** 'pkcs12' means the order in the file says nothing: a server importing it sends leaf then issuers. */
  newKind: 'pem' | 'der' | 'base64' | 'pkcs7' | 'pkcs12';
  /** File name, for messages and the report. */
  newSource: string;
  /** The key that will be installed with it (from the PFX/PEM, or --key). */
  privateKey?: KeyObject;
  /** Probe host / SNI: the name the gateway checks. */
  host: string;
  /** HOST:PORT of the backend as it is today; without it the pre-flight is offline. */
  backend?: string;
  /** Roots uploaded to the backend setting today; none means well-known CA mode. */
  trustedRoots?: ParsedCert[];
  caStore?: 'mozilla' | 'system';
  /** Replace the well-known store (tests, or an organisation's own list). */
  wellKnownRoots?: ParsedCert[];
  profile?: Profile;
  /** Cut-over time the new chain is judged at (default now). Today's probe always uses the real clock. */
  at?: Date;
  warnDays?: number;
  minDays?: number;
  timeoutSeconds?: number;
  resolve?: Map<string, string>;
}

export type { CertRef, RotationInfo, RotationStep, VerdictRef };

const TRUST_CODES: ReadonlySet<FindingCode> = new Set(['UNTRUSTED_ROOT', 'UNTRUSTED_INTERMEDIATE', 'UPLOADED_ROOT_NOT_ISSUER', 'UPLOADED_ROOT_MISMATCH']);
const INCOMPLETE_CODES: ReadonlySet<FindingCode> = new Set(['CHAIN_ONLY_LEAF', 'CHAIN_INCOMPLETE']);
const ORDER_CODES: ReadonlySet<FindingCode> = new Set(['CHAIN_LEAF_NOT_FIRST', 'CHAIN_OUT_OF_ORDER', 'CHAIN_NO_LEAF']);

function parseAll(ders: Uint8Array[], what: string): ParsedCert[] {
  return ders.map((d, i) => {
    try { return parseCertificate(d); } catch (e) { throw new InputError(`${what}: certificate ${i} does not decode (${(e as Error).message})`); }
  });
}

/** The private key's public half equals the certificate's SubjectPublicKeyInfo. */
export function keyMatchesCert(key: KeyObject, cert: ParsedCert): boolean {
  try {
    const pub = createPublicKey(key).export({ type: 'spki', format: 'der' });
    return Buffer.compare(pub, Buffer.from(cert.spki)) === 0;
  } catch {
    return false;
  }
}

function issuedBy(child: ParsedCert, issuer: ParsedCert): boolean {
  return child.sha256 !== issuer.sha256 && nameKey(child.issuer) === nameKey(issuer.subject) && checkSignature(child, issuer).ok;
}

/** Leaf first, then each issuer in turn, then whatever does not chain (kept, so it is judged too). */
export function issuerOrder(certs: ParsedCert[]): ParsedCert[] {
  if (!certs.length) return [];
  const leafIdx = Math.max(0, certs.findIndex((c) => !isCA(c)));
  const rest = certs.filter((_, i) => i !== leafIdx);
  const out = [certs[leafIdx]!];
  for (let cur = out[0]!; rest.length && out.length <= certs.length;) {
    const i = rest.findIndex((c) => issuedBy(cur, c));
    if (i < 0) break;
    cur = rest.splice(i, 1)[0]!;
    out.push(cur);
    if (cur.selfIssued) break;
  }
  return [...out, ...rest];
}

function ref(c: ParsedCert): CertRef {
  return { subject: c.subject.text, sha256: c.sha256 };
}

function verdictOf(findings: Finding[], okMessage: string): VerdictRef {
  const { status, primary } = rankFindings(findings);
  return { status, message: primary ? (primary.gatewayMessage ?? primary.explanation) : okMessage, messageId: primary ? (primary.gatewayMessageId ?? null) : null };
}

/** The certificates on the judged path, as parsed objects (presented ones and trust-store ones). */
function pathCerts(j: ChainJudgement, presented: ParsedCert[], store: TrustStore): ParsedCert[] {
  const bySha = new Map(presented.map((c) => [c.sha256, c] as const));
  return j.chain.path.map((e) => bySha.get(e.sha256) ?? store.bySha256.get(e.sha256)).filter((c): c is ParsedCert => !!c);
}

export const ROTATE_OK = 'After the new certificate is installed, the gateway\'s certificate checks pass: it would go on to send the HTTP probe.';

/**
 * Predict the gateway's verdict once the new certificate is installed, compare it with what the
 * backend serves today, and give the steps in the order that keeps the backend healthy.
 */
export async function planRotation(o: RotateOptions): Promise<VerifyReport> {
  if (!o.newCerts.length) throw new InputError(`${o.newSource}: no certificate`);
  const at = o.at ?? new Date();
  const parsedNew = parseAll(o.newCerts, o.newSource);
  const servedOrder = o.newKind === 'pkcs12' ? 'issuer-order' : 'as-given';
  const served = servedOrder === 'issuer-order' ? issuerOrder(parsedNew) : parsedNew;
  const leaf = served.find((c) => !isCA(c)) ?? served[0]!;

  let keyCheck: RotationInfo['keyCheck'] = 'not-checked';
  if (o.privateKey) {
    if (!keyMatchesCert(o.privateKey, leaf)) {
      const other = served.find((c) => keyMatchesCert(o.privateKey!, c));
      throw new InputError(`${o.newSource}: the private key does not match the leaf certificate "${leaf.subject.text}" (sha256 ${leaf.sha256.slice(0, 16)}…)${other ? `; it belongs to "${other.subject.text}"` : ''}: the backend could not serve this certificate`);
    }
    keyCheck = 'match';
  }

  const host = parseHostRef(o.host);
  const planFor = (trustedRoots: ParsedCert[] | undefined) => makePlan({
    sku: 'v2', profile: o.profile ?? 'gateway', purpose: 'serverAuth', at, host,
    ...(trustedRoots?.length ? { trustedRoots } : {}),
    ...(o.wellKnownRoots ? { wellKnownRoots: o.wellKnownRoots } : {}),
    caStore: o.caStore ?? 'mozilla', validateChainAndExpiry: true, warnDays: o.warnDays ?? 30,
    ...(o.minDays !== undefined ? { minDays: o.minDays } : {}),
  });
  const { plan, trust, inputFindings } = planFor(o.trustedRoots);
  const servedDer = served.map((c) => c.der);
  const j = judgeChain(servedDer, plan);
  const findings = [...inputFindings, ...j.findings];
  const newPath = pathCerts(j, served, plan.trust.store);
  const top = newPath[newPath.length - 1] ?? leaf;
  const errorCodes = new Set(findings.filter((f) => f.severity === 'error').map((f) => f.code));
  const trustProblem = [...errorCodes].some((c) => TRUST_CODES.has(c));

  // The root of the new chain: the anchor, the self-signed top the backend sends, or only a name.
  const newRootCert = j.chain.anchored || top.selfIssued ? top : undefined;
  let rootToUpload: RotationInfo['rootToUpload'] = null;
  let afterUpload: VerdictRef | null = null;
  if (trustProblem) {
    rootToUpload = newRootCert ? { subject: newRootCert.subject.text, sha256: newRootCert.sha256, available: true }
      : { subject: top.issuer.text, sha256: null, available: false };
    if (newRootCert) {
      // Custom-root mode keeps today's roots next to the new one; well-known mode switches to custom roots.
      const after = planFor([...(o.trustedRoots ?? []), newRootCert]);
      const ja = judgeChain(servedDer, after.plan);
      afterUpload = verdictOf([...after.inputFindings, ...ja.findings], ROTATE_OK);
    }
  }

  // Today, as the gateway sees it now.
  let current: RotationInfo['current'] = null;
  let comparison: RotationInfo['comparison'] = null;
  let currentPath: ParsedCert[] = [];
  if (o.backend) {
    const today = await probeBackend({
      target: o.backend, sni: o.host, timeoutSeconds: o.timeoutSeconds ?? 30, caStore: o.caStore ?? 'mozilla', profile: o.profile ?? 'gateway',
      ...(o.trustedRoots?.length ? { trustedRoots: o.trustedRoots } : {}), ...(o.resolve ? { resolve: o.resolve } : {}),
      warnDays: o.warnDays ?? 30,
    });
    const presented: ParsedCert[] = [];
    for (const c of today.chain?.presented ?? []) {
      const der = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END/.exec(c.pem)?.[1];
      if (!der || c.error) continue;
      try { presented.push(parseCertificate(new Uint8Array(Buffer.from(der.replace(/\s+/g, ''), 'base64')))); } catch { /* judged as undecodable already */ }
    }
    const bySha = new Map(presented.map((c) => [c.sha256, c] as const));
    currentPath = (today.chain?.path ?? []).map((e) => bySha.get(e.sha256) ?? plan.trust.store.bySha256.get(e.sha256)).filter((c): c is ParsedCert => !!c);
    const curTop = currentPath[currentPath.length - 1];
    const curRoot = curTop && (today.chain?.anchored || curTop.selfIssued) ? curTop : undefined;
    const { host: th, port } = splitTarget(o.backend);
    current = { target: `${th}:${port}`, status: today.status, message: today.message, messageId: today.messageId,
      presented: presented.map(ref), root: curRoot ? ref(curRoot) : null };
    if (currentPath.length) {
      const sameAs = (a: ParsedCert, b: ParsedCert) => a.sha256 === b.sha256 || (nameKey(a.subject) === nameKey(b.subject) && Buffer.compare(Buffer.from(a.spki), Buffer.from(b.spki)) === 0);
      // An incomplete new chain hides its root: only a trust failure names the root's subject.
      const rootKnown = !!newRootCert || trustProblem;
      const sameRoot = !curRoot || !rootKnown ? null : newRootCert ? sameAs(newRootCert, curRoot) : issuedBy(top, curRoot);
      const middle = (p: ParsedCert[]) => p.slice(1).filter((c) => !(c.selfIssued && c === p[p.length - 1]));
      const curMid = middle(currentPath), newMid = middle(newPath);
      comparison = {
        sameRoot,
        newIntermediates: newMid.filter((c) => !curMid.some((x) => sameAs(x, c))).map((c) => c.subject.text),
        removedIntermediates: curMid.filter((c) => !newMid.some((x) => sameAs(x, c))).map((c) => c.subject.text),
        newRoot: rootKnown && (sameRoot === false || !curRoot) ? (newRootCert?.subject.text ?? top.issuer.text) : null,
        sameLeafKey: currentPath[0] ? Buffer.compare(Buffer.from(currentPath[0].spki), Buffer.from(leaf.spki)) === 0 : null,
      };
    }
  }

  const steps = planSteps({ o, findings, errorCodes, trustProblem, rootToUpload, afterUpload, newPath, leaf, keyCheck, current, currentRoot: current?.root ?? null });
  const rotation: RotationInfo = { newSource: o.newSource, keyCheck, served: served.map(ref), servedOrder, current, comparison, rootToUpload, afterUpload, steps };
  return assembleReport({ kind: 'verify', plan, trust, chain: j.chain, findings, successMessage: ROTATE_OK, successMessageId: null,
    extra: { inputs: [o.newSource], rotation } });
}

interface StepInput {
  o: RotateOptions;
  findings: Finding[];
  errorCodes: Set<FindingCode>;
  trustProblem: boolean;
  rootToUpload: RotationInfo['rootToUpload'];
  afterUpload: VerdictRef | null;
  newPath: ParsedCert[];
  leaf: ParsedCert;
  keyCheck: RotationInfo['keyCheck'];
  current: RotationInfo['current'];
  currentRoot: CertRef | null;
}

function short(sha: string): string {
  return `${sha.slice(0, 16)}…`;
}

function planSteps(s: StepInput): RotationStep[] {
  const steps: RotationStep[] = [];
  const add = (where: RotationStep['where'], action: string) => steps.push({ order: steps.length + 1, where, action });
  const custom = !!s.o.trustedRoots?.length;
  const backend = s.o.backend ?? 'the backend';

  // 1. The gateway first: a root it does not trust yet must be there before the backend switches.
  if (s.rootToUpload) {
    const r = s.rootToUpload;
    const what = r.available
      ? `the new root "${r.subject}" (sha256 ${short(r.sha256!)})`
      : `the root that issued "${s.newPath[s.newPath.length - 1]?.subject.text ?? s.leaf.subject.text}", named "${r.subject}"`;
    const how = r.available ? ` Write it as a .cer with: certcheck export-root ${s.o.newSource} --output new-root.cer.` : ` It is not in ${s.o.newSource}: get it from the CA.`;
    if (custom) {
      const keep = s.currentRoot ? ` Keep the current root "${s.currentRoot.subject}" uploaded until the backend serves the new certificate.` : '';
      add('gateway', `Upload ${what} to the backend setting's trusted root certificates.${how}${keep}`);
    } else {
      const keep = s.currentRoot ? ` Upload the current root "${s.currentRoot.subject}" as well (certcheck export-root ${backend} --sni ${s.o.host} --output current-root.cer), so the backend stays healthy until the cut-over.` : '';
      add('gateway', `The new chain is not under a well-known CA: in the backend setting, set "Use well known CA certificate" to No and upload ${what}.${how}${keep}`);
    }
  }

  // 2. Problems the gateway cannot fix: stop before installing.
  const blocking = s.findings.filter((f) => f.severity === 'error' && !TRUST_CODES.has(f.code) && !INCOMPLETE_CODES.has(f.code) && !ORDER_CODES.has(f.code));
  for (const f of blocking) add('backend', `Do not install ${s.o.newSource} yet: ${f.code}: ${f.explanation}${f.fix ? ` Fix: ${f.fix}` : ''}`);
  const incomplete = [...s.errorCodes].some((c) => INCOMPLETE_CODES.has(c));
  if (incomplete) {
    add('backend', `Complete the chain first: the issuer of "${s.newPath[s.newPath.length - 1]?.subject.text ?? s.leaf.subject.text}" is missing. Build it with: certcheck bundle ${s.o.newSource} --intermediates DIR --output fullchain.pem`);
  }

  // 3. Then the backend.
  const order = s.newPath.filter((c, i) => !(i > 0 && c.selfIssued)).map((c, i) => `${i + 1}) ${c.subject.text}`).join(', ');
  const orderNote = [...s.errorCodes].some((c) => ORDER_CODES.has(c)) ? ' The file is not in this order today: reorder it.' : '';
  const keyNote = s.keyCheck === 'match' ? ' with its private key (checked: it matches the leaf)' : ' with its private key (not checked: pass --key FILE or a PFX that holds the key)';
  add('backend', `${blocking.length || incomplete ? 'Then install' : 'Install'} ${s.o.newSource} on ${backend}${keyNote}, serving the chain in this order: ${order} (the root may be added last; the gateway does not need it).${orderNote}`);

  // 4. Check, then tidy up.
  const roots = (s.o.trustedRoots ?? []).length ? ' --trusted-root <each root uploaded today>' : '';
  add('check', `Re-probe after the switch; expect Healthy: certcheck ${s.o.backend ?? 'HOST:PORT'} --sni ${s.o.host}${roots}${s.rootToUpload?.available ? ' --trusted-root new-root.cer' : ''}`);
  if (s.rootToUpload && s.currentRoot && custom) {
    add('gateway', `Once every backend using this setting serves the new chain, remove the old root "${s.currentRoot.subject}" from the backend setting.`);
  }
  return steps;
}
