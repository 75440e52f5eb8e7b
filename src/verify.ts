/**
 * verifyChain, the offline runner: certificates (PEM or DER) and options → the judge's plan →
 * the chain judged (and revocation, when asked) → one report. `certcheck verify` is this call.
 * makePlan and assembleReport are shared with the probe and rotation runners.
 */
import { parseCertificate } from './x509/cert.js';
import { parseHostRef } from './x509/names.js';
import { pemCertificates } from './x509/store.js';
import type { ParsedCert } from './x509/types.js';
import { judgeChain } from './checks/chain.js';
import { InputError } from './model/errors.js';
import type { Finding } from './model/findings.js';
import { GATEWAY_MESSAGES, type GatewayMessageId } from './model/messages.js';
import { policyChecks, policyReport, type PolicyEntry } from './model/policy.js';
import { rankFindings } from './model/rank.js';
import { SCHEMA_VERSION, type ChainReport, type ProbeDetails, type ProbeReport, type ReportBase, type TrustReport, type VerifyDetails, type VerifyReport } from './model/report.js';
import { VERSION } from './version.js';
import { checkRevocation, pathFromChain, validateRevocationInputs, VERIFY_REVOCATION_BUDGET_MS, type OfflineInput, type RevocationMode, type RevocationOutcome } from './revocation/check.js';

export type { CertInput } from './model/plan.js';
import type { CertInput, CertPlan, Profile, Purpose } from './model/plan.js';
import { makePlan } from './gateway/trust.js';

/** Kept for callers that took the trust-store choice from here; it lives in gateway/trust.ts. */
export { makePlan, type PlanInputs } from './gateway/trust.js';

/** What `verifyChain` judges and how: the served list, the trust the gateway would use, the name it checks, the clock. */
export interface VerifyChainOptions {
  /** The served certificate list's first element (PEM text may hold the whole chain). */
  leaf: CertInput;
  /** The rest of the served list, in order. */
  intermediates?: CertInput[];
  /** Uploaded trusted roots: when given they replace the default store (the gateway's custom-root mode). */
  trustedRoots?: CertInput[];
  /** Default store when no trustedRoots: Node's bundled Mozilla roots, or the OS bundle. */
  caStore?: 'mozilla' | 'system';
  /** Replace the well-known store itself (an organisation's own list of public roots, or tests). */
  wellKnownRoots?: CertInput[];
  /** DNS name or IP literal the gateway checks the certificate against. */
  host?: string;
  at?: Date;
  purpose?: Purpose;
  profile?: Profile;
  sku?: 'v1' | 'v2';
  /** v1 SKU: uploaded authentication certificates. */
  authCerts?: CertInput[];
  validateChainAndExpiry?: boolean;
  warnDays?: number;
  minDays?: number;
  /** Revocation: 'staple' (default) applies only the offline `crls`/`ocspResponses`; 'ocsp'/'crl'/'all' also fetch. */
  revocation?: RevocationMode;
  crls?: OfflineInput[];
  ocspResponses?: OfflineInput[];
  /**
   * Let 'ocsp'/'crl'/'all' fetch certificate-named URLs from loopback, private, link-local and
   * other internal addresses and any port (`--allow-internal-fetch`). Default false: refused.
   */
  allowInternalFetch?: boolean;
  /**
   * Where the certificates came from (file names, in order), reported as `inputs`; the CLI passes
   * its arguments. Left out, the report has no `inputs` or `inputNotes`.
   */
  inputs?: string[];
  /** What decoding the inputs noted (e.g. a PKCS#12 key skipped), reported as `inputNotes` with `inputs`. */
  inputNotes?: string[];
}

/** Why the name was not compared when no host is given: one wording for the library and the CLI. */
export const NO_HOST_REASON = 'no --host given: the name the gateway checks was not compared';

/** PEM text to certificate DERs (kept under this name for the library's callers). */
export const pemToDer = pemCertificates;

function toDerList(input: CertInput, what: string): Uint8Array[] {
  if (input instanceof Uint8Array) return [input];
  if (typeof input !== 'string') throw new InputError(`${what}: expected PEM text or DER bytes`);
  const ders = pemToDer(input);
  if (!ders.length) throw new InputError(`${what}: no PEM certificate found`);
  return ders;
}

function parseAnchors(inputs: CertInput[], what: string): ParsedCert[] {
  return inputs.flatMap((i) => toDerList(i, what)).map((d) => {
    try { return parseCertificate(d); } catch (e) { throw new InputError(`${what}: certificate does not decode (${(e as Error).message})`); }
  });
}

/** What every report is made from: the plan, the trust store used, the chain and the findings. */
interface CommonParts {
  plan: CertPlan;
  trust: TrustReport;
  chain: ChainReport | null;
  findings: Finding[];
  /** certcheck's policy failures (the judge's `policy`), reported beside the verdict. */
  policy?: readonly PolicyEntry[];
  /** The success text when Healthy. */
  successMessage: string;
  successMessageId: GatewayMessageId | null;
}

/** What a runner hands over to make a report: the judged parts, and the kind's own parts in `extra`. */
export type ReportParts = CommonParts & ({ kind: 'verify'; extra?: VerifyDetails } | { kind: 'probe'; extra: ProbeDetails });

/** Rank the findings and build the report of that kind; the success message applies when nothing outranks it. */
export function assembleReport(parts: CommonParts & { kind: 'verify'; extra?: VerifyDetails }): VerifyReport;
export function assembleReport(parts: CommonParts & { kind: 'probe'; extra: ProbeDetails }): ProbeReport;
export function assembleReport(parts: ReportParts): VerifyReport | ProbeReport {
  const { status, primary, ordered } = rankFindings(parts.findings);
  const policy = policyReport(policyChecks(parts.plan), parts.policy ?? []);
  const messageId = primary ? (primary.gatewayMessageId ?? null) : parts.successMessageId;
  // Key order is the JSON's: the common head, the kind's own parts, then trust, chain, findings.
  const head = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'certcheck', version: VERSION },
    status,
    ok: status === 'Healthy' && policy.ok,
    message: primary ? (primary.gatewayMessage ?? primary.explanation) : parts.successMessage,
    messageId,
    messageSource: (primary ? primary.gatewayMessage !== undefined : messageId !== null) ? 'gateway' : 'certcheck',
    primary,
    policy,
    sku: parts.plan.sku,
    profile: parts.plan.profile,
    at: parts.plan.at.toISOString(),
    host: parts.plan.host ? parts.plan.host.value : null,
  } satisfies Omit<ReportBase, 'trust' | 'chain' | 'findings'>;
  const { schemaVersion, tool, ...verdict } = head;
  const tail = { trust: parts.trust, chain: parts.chain, findings: ordered };
  return parts.kind === 'probe'
    ? { schemaVersion, tool, kind: 'probe', ...verdict, ...parts.extra, ...tail }
    : { schemaVersion, tool, kind: 'verify', ...verdict, ...parts.extra, ...tail };
}

/** The message when every certificate check passes offline. */
export const CERT_STAGE_OK = 'The certificate checks pass: the gateway would go on to send the HTTP probe.';

/**
 * Verify a certificate list offline, as the gateway would judge it if a backend served it.
 *
 * `certcheck verify` is this call: its report is this report. Throws `InputError` only for a
 * malformed call (undecodable PEM, an invalid date or host, `sku: 'v1'` without `authCerts`,
 * unreadable revocation inputs); every problem with the certificates is a finding.
 */
export async function verifyChain(options: VerifyChainOptions): Promise<VerifyReport> {
  const served = [...toDerList(options.leaf, 'leaf'), ...(options.intermediates ?? []).flatMap((i) => toDerList(i, 'intermediates'))];
  const at = options.at ?? new Date();
  if (Number.isNaN(at.getTime())) throw new InputError('at: not a valid date');
  const sku = options.sku ?? 'v2';
  if (sku === 'v1' && !options.authCerts?.length) throw new InputError('--sku v1 needs --auth-cert FILE: the v1 gateway trusts only uploaded authentication certificates');
  const { plan, trust, inputFindings } = makePlan({
    sku, profile: options.profile ?? 'gateway', purpose: options.purpose ?? 'serverAuth', at,
    host: options.host !== undefined ? parseHostRef(options.host) : null,
    hostSkippedReason: NO_HOST_REASON,
    ...(options.trustedRoots ? { trustedRoots: parseAnchors(options.trustedRoots, 'trustedRoots') } : {}),
    ...(options.authCerts ? { authCerts: parseAnchors(options.authCerts, 'authCerts') } : {}),
    ...(options.wellKnownRoots ? { wellKnownRoots: parseAnchors(options.wellKnownRoots, 'wellKnownRoots') } : {}),
    caStore: options.caStore ?? 'mozilla',
    validateChainAndExpiry: options.validateChainAndExpiry ?? true,
    warnDays: options.warnDays ?? 30,
    ...(options.minDays !== undefined ? { minDays: options.minDays } : {}),
  });
  validateRevocationInputs(options.revocation, options.crls, options.ocspResponses);
  const j = judgeChain(served, plan);
  const rev = await revocationFor(served, j.chain, plan, options);
  // Key order is the JSON report's order: inputs first, then revocation.
  const extra = {
    ...(options.inputs ? { inputs: options.inputs, inputNotes: options.inputNotes ?? [] } : {}),
    ...(rev ? { revocation: rev.report } : {}),
  };
  return assembleReport({ kind: 'verify', plan, trust, chain: j.chain, findings: [...inputFindings, ...j.findings, ...(rev?.findings ?? [])], policy: j.policy,
    successMessage: CERT_STAGE_OK, successMessageId: null, ...(Object.keys(extra).length ? { extra } : {}) });
}

/** Offline verification's revocation step: nothing unless offline inputs are given or a fetching mode is chosen. */
export async function revocationFor(served: Uint8Array[], chain: ChainReport, plan: CertPlan,
  o: { revocation?: RevocationMode; crls?: OfflineInput[]; ocspResponses?: OfflineInput[]; resolve?: Map<string, string>; allowInternalFetch?: boolean }): Promise<RevocationOutcome | undefined> {
  const mode = o.revocation ?? 'staple';
  if (mode === 'off' || (mode === 'staple' && !o.crls?.length && !o.ocspResponses?.length)) return undefined;
  return checkRevocation({
    mode, path: pathFromChain(chain, served, plan.trust.store),
    presentedIndexOf: (c) => chain.path.find((e) => e.sha256 === c.sha256)?.presentedIndex ?? null,
    ...(o.crls ? { crls: o.crls } : {}), ...(o.ocspResponses ? { ocspResponses: o.ocspResponses } : {}),
    at: plan.at, sku: plan.sku, deadline: Date.now() + VERIFY_REVOCATION_BUDGET_MS, ...(o.resolve ? { resolve: o.resolve } : {}),
    ...(o.allowInternalFetch ? { allowInternalFetch: true } : {}),
  });
}

export { GATEWAY_MESSAGES };
