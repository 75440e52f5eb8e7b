/**
 * planRotation, the rotation pre-flight: judge the new certificate as the gateway will see it once
 * installed, compare it with what the backend sends today (captureChain) and its verdict
 * (probeBackend), and order the steps that keep the backend healthy. Steps are codes with
 * evidence (model/rotation.ts); render/rotate.ts words them.
 */
import type { KeyObject } from 'node:crypto';
import net from 'node:net';
import { keyMatchesCert } from './bundle.js';
import { captureChain } from './capture-chain.js';
import { judgeChain, type ChainJudgement } from './checks/chain.js';
import type { Profile } from './checks/path-rules.js';
import { actsAsCA } from './checks/ca-flag.js';
import { InputError } from './model/errors.js';
import type { Finding, FindingCode } from './model/findings.js';
import { rankFindings } from './model/rank.js';
import type { VerifyReport } from './model/report.js';
import type { GatewayConfig } from './gateway/config.js';
import type { CertRef, RotationInfo, RotationStep, RotationStepData, VerdictRef } from './model/rotation.js';
import { probeBackend, splitTarget } from './probe.js';
import { assembleReport, makePlan, pemToDer, type CertInput } from './verify.js';
import { nameKey, parseCertificate } from './x509/cert.js';
import { parseHostRef } from './x509/names.js';
import { checkSignature } from './x509/signature.js';
import type { TrustStore } from './x509/store.js';
import type { ParsedCert } from './x509/types.js';

/** What planRotation needs: the new certificate, the name checked, and how the gateway is set up today. */
export interface RotateOptions {
  /** The new certificate file's certificates, in file order (PKCS#12: the key's certificate first). */
  newCerts: Uint8Array[];
  /** 'pkcs12' means the order in the file says nothing: a server importing it sends leaf then issuers. */
  newKind: 'pem' | 'der' | 'base64' | 'pkcs7' | 'pkcs12';
  /** File name, for messages and the report. */
  newSource: string;
  /** The key that will be installed with it (from the PFX/PEM, or --key). */
  privateKey?: KeyObject;
  /**
   * Probe host / SNI: the name the gateway checks. Without it, the `backend`'s host when that is a
   * DNS name; with neither, planRotation throws an InputError.
   */
  host?: string;
  /** HOST:PORT of the backend as it is today; without it the pre-flight is offline. */
  backend?: string;
  /** Roots uploaded to the backend setting today (PEM text or DER); none means well-known CA mode. */
  trustedRoots?: CertInput[];
  caStore?: 'mozilla' | 'system';
  /** Replace the well-known store (tests, or an organisation's own list). */
  wellKnownRoots?: CertInput[];
  profile?: Profile;
  /** Cut-over time the new chain is judged at (default now). Today's probe always uses the real clock. */
  at?: Date;
  warnDays?: number;
  minDays?: number;
  timeoutSeconds?: number;
  resolve?: Map<string, string>;
  /**
   * Take the probe host, trusted roots and today's backend from the gateway's own plan for this
   * backend setting (and pool): the pre-flight then uses exactly what the probe will. `host` and
   * `backend`, when given, still win; the setting's roots are added to `trustedRoots`.
   */
  gateway?: { config: GatewayConfig; backendSetting: string; pool?: string };
}

export { keyMatchesCert };
export type { CertRef, RotationInfo, RotationStep, RotationStepCode, RotationStepData, VerdictRef, RootRef, TrustedRootCheck } from './model/rotation.js';

const TRUST_CODES: ReadonlySet<FindingCode> = new Set(['UNTRUSTED_ROOT', 'UNTRUSTED_INTERMEDIATE', 'UPLOADED_ROOT_NOT_ISSUER', 'UPLOADED_ROOT_MISMATCH']);
const INCOMPLETE_CODES: ReadonlySet<FindingCode> = new Set(['CHAIN_ONLY_LEAF', 'CHAIN_INCOMPLETE']);
const ORDER_CODES: ReadonlySet<FindingCode> = new Set(['CHAIN_LEAF_NOT_FIRST', 'CHAIN_OUT_OF_ORDER', 'CHAIN_NO_LEAF']);

function parseAll(ders: Uint8Array[], what: string): ParsedCert[] {
  return ders.map((d, i) => {
    try { return parseCertificate(d); } catch (e) { throw new InputError(`${what}: certificate ${i} does not decode (${(e as Error).message})`); }
  });
}

/** PEM texts or DERs as parsed certificates; one that does not decode is a usage error. */
function parseInputs(inputs: CertInput[] | undefined, what: string): ParsedCert[] | undefined {
  if (!inputs) return undefined;
  const ders = inputs.flatMap((x) => {
    if (x instanceof Uint8Array) return [x];
    const l = pemToDer(x);
    if (!l.length) throw new InputError(`${what}: no PEM certificate found`);
    return l;
  });
  return parseAll(ders, what);
}


function issuedBy(child: ParsedCert, issuer: ParsedCert): boolean {
  return child.sha256 !== issuer.sha256 && nameKey(child.issuer) === nameKey(issuer.subject) && checkSignature(child, issuer).ok;
}

/** Leaf first, then each issuer in turn, then whatever does not chain (kept, so it is judged too). */
export function issuerOrder(certs: ParsedCert[]): ParsedCert[] {
  if (!certs.length) return [];
  const leafIdx = Math.max(0, certs.findIndex((c) => !actsAsCA(c)));
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

/** The message when the new chain passes the certificate checks. */
export const ROTATE_OK = 'After the new certificate is installed, the gateway\'s certificate checks pass: it would go on to send the HTTP probe.';

/**
 * Predict the gateway's verdict once the new certificate is installed, compare it with what the
 * backend serves today, and give the steps in the order that keeps the backend healthy.
 */
export async function planRotation(options: RotateOptions): Promise<VerifyReport> {
  const o = options.gateway ? await withGateway(options, options.gateway) : options;
  const hostName = o.host ?? backendName(o.backend);
  if (hostName === undefined) throw new InputError('rotate: --sni NAME is required (the host name the gateway checks the certificate against)');
  if (!o.newCerts.length) throw new InputError(`${o.newSource}: no certificate`);
  const at = o.at ?? new Date();
  const parsedNew = parseAll(o.newCerts, o.newSource);
  const servedOrder = o.newKind === 'pkcs12' ? 'issuer-order' : 'as-given';
  const served = servedOrder === 'issuer-order' ? issuerOrder(parsedNew) : parsedNew;
  const leaf = served.find((c) => !actsAsCA(c)) ?? served[0]!;

  let keyCheck: RotationInfo['keyCheck'] = 'not-checked';
  if (o.privateKey) {
    if (!keyMatchesCert(o.privateKey, leaf)) {
      const other = served.find((c) => keyMatchesCert(o.privateKey!, c));
      throw new InputError(`${o.newSource}: the private key does not match the leaf certificate "${leaf.subject.text}" (sha256 ${leaf.sha256.slice(0, 16)}…)${other ? `; it belongs to "${other.subject.text}"` : ''}: the backend could not serve this certificate`);
    }
    keyCheck = 'match';
  }

  const host = parseHostRef(hostName);
  const trustedRoots = parseInputs(o.trustedRoots, 'trustedRoots');
  const wellKnownRoots = parseInputs(o.wellKnownRoots, 'wellKnownRoots');
  const planFor = (trustedRoots: ParsedCert[] | undefined) => makePlan({
    sku: 'v2', profile: o.profile ?? 'gateway', purpose: 'serverAuth', at, host,
    ...(trustedRoots?.length ? { trustedRoots } : {}),
    ...(wellKnownRoots ? { wellKnownRoots } : {}),
    caStore: o.caStore ?? 'mozilla', validateChainAndExpiry: true, warnDays: o.warnDays ?? 30,
    ...(o.minDays !== undefined ? { minDays: o.minDays } : {}),
  });
  const { plan, trust, inputFindings } = planFor(trustedRoots);
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
      const after = planFor([...(trustedRoots ?? []), newRootCert]);
      const ja = judgeChain(servedDer, after.plan);
      afterUpload = verdictOf([...after.inputFindings, ...ja.findings], ROTATE_OK);
    }
  }

  // With roots given, say whether they anchor the new chain, and where it stops when they do not:
  // "no root" would be false, as the gateway holds these roots today.
  let trustedRootCheck: RotationInfo['trustedRootCheck'] = null;
  if (trustedRoots?.length) {
    const notCA = findings.some((f) => f.code === 'CHAIN_ONLY_LEAF' && f.evidence.selfSigned === true);
    const end = notCA ? 'not-a-ca' : j.chain.anchored ? 'anchored' : top.selfIssued ? 'other-root' : 'issuer-missing';
    trustedRootCheck = { given: trustedRoots.map(ref), end, anchor: end === 'anchored' ? ref(top) : null, top: ref(top), missingIssuer: end === 'issuer-missing' ? top.issuer.text : null };
  }

  // Today, as the gateway sees it now.
  let current: RotationInfo['current'] = null;
  let comparison: RotationInfo['comparison'] = null;
  let currentPath: ParsedCert[] = [];
  if (o.backend) {
    // The chain as sent, then the verdict: two connections, as the capture and the judge are two calls.
    const captured = await captureChain({ target: o.backend, sni: hostName, timeoutSeconds: o.timeoutSeconds ?? 30, ...(o.resolve ? { resolve: o.resolve } : {}) });
    const today = await probeBackend({
      target: o.backend, sni: hostName, timeoutSeconds: o.timeoutSeconds ?? 30, caStore: o.caStore ?? 'mozilla', profile: o.profile ?? 'gateway',
      ...(trustedRoots?.length ? { trustedRoots } : {}), ...(o.resolve ? { resolve: o.resolve } : {}),
      warnDays: o.warnDays ?? 30,
    });
    const presented: ParsedCert[] = [];
    for (const der of captured.certificates) {
      try { presented.push(parseCertificate(der)); } catch { /* judged as undecodable by the probe */ }
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

  const ranked = rankFindings(findings).ordered;
  const steps = planSteps({ o, host: hostName, ranked, findings, errorCodes, trustProblem, rootToUpload, afterUpload, newPath, leaf, keyCheck, current, currentRoot: current?.root ?? null });
  const rotation: RotationInfo = { newSource: o.newSource, keyCheck, served: served.map(ref), servedOrder, current, comparison, trustedRootCheck, rootToUpload, afterUpload, steps };
  return assembleReport({ kind: 'verify', plan, trust, chain: j.chain, findings, policy: j.policy, successMessage: ROTATE_OK, successMessageId: null,
    extra: { inputs: [o.newSource], rotation } });
}

/** The options with the gateway's plan for the setting filled in (RotateOptions.gateway). */
async function withGateway(o: RotateOptions, g: NonNullable<RotateOptions['gateway']>): Promise<RotateOptions> {
  // Loaded only for --gateway: a plain pre-flight never pays for the gateway planner.
  const { planGateway } = await import('./gateway/plan.js');
  const { plans } = planGateway(g.config, { settings: [g.backendSetting], ...(g.pool ? { pools: [g.pool] } : {}), allPairs: true });
  const plan = plans.find((p) => p.protocol === 'https');
  if (!plan) throw new InputError(`${g.config.source}: no Https backend setting named "${g.backendSetting}"${g.pool ? ` with pool "${g.pool}"` : ''}`);
  if (plan.sku === 'v1') throw new InputError('rotate: only the v2 SKU is supported (a v1 gateway needs the new leaf uploaded as an authentication certificate first)');
  const roots = (plan.options.trustedRoots ?? []).map((c) => (typeof c === 'object' && 'sha256' in c ? c.der : c));
  const trustedRoots = [...(o.trustedRoots ?? []), ...roots];
  return {
    ...o, host: o.host ?? plan.checkedName ?? plan.host,
    backend: o.backend ?? `${plan.address.includes(':') ? `[${plan.address}]` : plan.address}:${plan.port}`,
    ...(trustedRoots.length ? { trustedRoots } : {}),
  };
}

/** The backend's host when it is a DNS name: the name the gateway checks when no --sni is given. */
function backendName(backend: string | undefined): string | undefined {
  if (!backend) return undefined;
  const t = splitTarget(backend).host;
  return net.isIP(t) === 0 ? t : undefined;
}

interface StepInput {
  o: RotateOptions;
  /** The name the gateway checks. */
  host: string;
  findings: Finding[];
  /** The findings in the report's order, for DO_NOT_INSTALL's findingIndex. */
  ranked: Finding[];
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

/** The steps in the order that keeps the backend healthy: gateway first, then the backend, then checks. */
function planSteps(s: StepInput): RotationStep[] {
  const steps: RotationStep[] = [];
  const add = (where: RotationStep['where'], step: RotationStepData) => steps.push({ order: steps.length + 1, where, ...step });
  const custom = !!s.o.trustedRoots?.length;
  const backend = s.o.backend ?? null;
  const topSubject = s.newPath[s.newPath.length - 1]?.subject.text ?? s.leaf.subject.text;

  // 1. The gateway first: a root it does not trust yet must be there before the backend switches.
  if (s.rootToUpload) {
    const currentRoot = s.currentRoot?.subject ?? null;
    const root = s.rootToUpload;
    if (custom) add('gateway', { code: 'UPLOAD_NEW_ROOT', evidence: { root, topSubject, newSource: s.o.newSource, currentRoot } });
    else add('gateway', { code: 'SWITCH_TO_CUSTOM_ROOTS', evidence: { root, topSubject, newSource: s.o.newSource, currentRoot, backend, host: s.host } });
  }

  // 2. Problems the gateway cannot fix: stop before installing.
  const blocking = s.findings.filter((f) => f.severity === 'error' && !TRUST_CODES.has(f.code) && !INCOMPLETE_CODES.has(f.code) && !ORDER_CODES.has(f.code));
  for (const f of blocking) add('backend', { code: 'DO_NOT_INSTALL', evidence: { newSource: s.o.newSource, finding: f.code, findingIndex: s.ranked.indexOf(f) } });
  const incomplete = [...s.errorCodes].some((c) => INCOMPLETE_CODES.has(c));
  if (incomplete) add('backend', { code: 'COMPLETE_CHAIN', evidence: { newSource: s.o.newSource, topSubject } });

  // 3. Then the backend.
  add('backend', { code: 'INSTALL', evidence: {
    newSource: s.o.newSource, backend, keyChecked: s.keyCheck === 'match',
    order: s.newPath.filter((c, i) => !(i > 0 && c.selfIssued)).map((c) => c.subject.text),
    reorder: [...s.errorCodes].some((c) => ORDER_CODES.has(c)), afterFixes: blocking.length > 0 || incomplete,
  } });

  // 4. Check, then tidy up.
  add('check', { code: 'REPROBE', evidence: { backend, host: s.host, customRoots: custom, newRootFile: !!s.rootToUpload?.available } });
  if (s.rootToUpload && s.currentRoot && custom) add('gateway', { code: 'REMOVE_OLD_ROOT', evidence: { oldRoot: s.currentRoot.subject } });
  return steps;
}
