/**
 * Revocation checking over a validated path: the stapled OCSP response, offline CRL / OCSP files,
 * and (when asked) OCSP and CRL fetched from the URLs in the certificates. Soft-fail throughout:
 * only a valid, signed statement that a certificate is revoked is an error (the gateway's M15 with
 * OpenSSL error 23, or V1b on v1); everything that cannot be fetched or trusted is a warning, so a
 * revocation check never turns Healthy into Unhealthy by itself (appgw-spec §3.2).
 */
import {
  makeFinding, revocationCertText, revocationDetail, revocationEndpointText, revocationSourceText, revocationSummary,
  revocationUnusedEvidence,
} from '../model/catalog.js';
import { InputError } from '../model/errors.js';
import type { Finding } from '../model/findings.js';
import { opensslError } from '../model/openssl.js';
import type { ChainReport } from '../model/report.js';
import { escapeText, parseCertificate } from '../x509/cert.js';
import type { TrustStore } from '../x509/store.js';
import type { ParsedCert } from '../x509/types.js';
import { parseCrl, type ParsedCrl } from '../x509/crl.js';
import { buildOcspRequest, parseOcspResponse, type ParsedOcspResponse } from '../x509/ocsp.js';
import { derFromInput } from '../x509/pkix.js';
import { said } from './common.js';
import { REVOCATION_MODES, type RevocationCertResult, type RevocationCheck, type RevocationMode, type RevocationReport } from '../model/revocation.js';
import { crlIsFrom, checkCrl } from './crl.js';
import type { RevocationFetchResult } from './fetch.js';
import { ocspResponseIsFor, validateOcspResponse } from './ocsp.js';
import { nowMs } from '../clock.js';

/** The HTTP client, loaded on the first fetch: offline checks (staple, --crl, verify) load no node:http. */
const loadFetch = () => import('./fetch.js');

// The fetch policy's flag and ports, for the CLI's help (cli/ does not import capture/).
export { ALLOW_INTERNAL_FETCH_FLAG, FETCH_ALLOWED_PORTS } from '../capture/fetch-policy.js';
// The report's revocation types live in model/ (the report is model/'s); re-exported for importers here.
export { REVOCATION_MODES, type RevocationCertResult, type RevocationCheck, type RevocationMode, type RevocationReport, type RevocationSource } from '../model/revocation.js';

/** Per fetch; never beyond the caller's overall deadline. */
export const DEFAULT_REVOCATION_FETCH_MS = 5000;
/** Largest OCSP response or CRL read from the network. */
export const DEFAULT_REVOCATION_MAX_BYTES = 1024 * 1024;
/** URLs tried per certificate and method: bounds the work a hostile certificate can cause. */
export const MAX_URLS_PER_METHOD = 3;

/**
 * Each certificate-named URL as shown (escaped where decoded) and as fetched (the decoded bytes).
 * A hand-built ParsedCert has no raw list: its strings are taken as decoded and escaped here.
 */
function urlPairs(shown: string[] | undefined, raw: string[] | undefined): { shown: string; raw: string }[] {
  return (shown ?? []).map((s, i) => (raw ? { shown: s, raw: raw[i] ?? s } : { shown: escapeText(s), raw: s }));
}

/** What checkRevocation checks, with which sources, when, and within which limits. */
export interface RevocationOptions {
  mode?: RevocationMode;
  /** The validated path, leaf first, each certificate followed by its issuer. */
  path: ParsedCert[];
  /** Position of a path certificate in the presented list, or null (trust store). */
  presentedIndexOf?: (c: ParsedCert) => number | null;
  /** Stapled OCSP response: bytes, null when asked and not stapled, undefined when not a probe. */
  staple?: Uint8Array | null;
  /** Offline CRLs (DER or PEM) and OCSP responses (DER or PEM), optionally named for the report. */
  crls?: OfflineInput[];
  ocspResponses?: OfflineInput[];
  at: Date;
  sku?: 'v1' | 'v2';
  /** Overall deadline (epoch ms); fetches never run beyond it. */
  deadline?: number;
  fetchTimeoutMs?: number;
  maxBytes?: number;
  resolve?: Map<string, string>;
  skewSeconds?: number;
  /**
   * Fetch certificate-named URLs from loopback, private, link-local and other internal addresses
   * and any port (`--allow-internal-fetch`). Default false: such fetches are refused, and the
   * refusal is reported like any unreachable responder.
   */
  allowInternalFetch?: boolean;
}

/** A CRL or OCSP response file: bytes, or bytes with the name the report uses for it. */
export type OfflineInput = Uint8Array | { name: string; data: Uint8Array };

function named(list: OfflineInput[] | undefined): { name: string; data: Uint8Array }[] {
  return (list ?? []).map((x, i) => (x instanceof Uint8Array ? { name: `#${i + 1}`, data: x } : x));
}

/** checkRevocation's findings and its report section. */
export interface RevocationOutcome {
  findings: Finding[];
  report: RevocationReport;
}

/** Rebuild the ParsedCert path from the judge's report (presented certificates and store anchors). */
export function pathFromChain(chain: ChainReport, presented: Uint8Array[], store: TrustStore): ParsedCert[] {
  const out: ParsedCert[] = [];
  for (const e of chain.path) {
    let c: ParsedCert | undefined;
    if (e.presentedIndex !== null) {
      const der = presented[e.presentedIndex];
      try { c = der ? parseCertificate(der) : undefined; } catch { c = undefined; }
    } else c = store.bySha256.get(e.sha256);
    if (!c || c.sha256 !== e.sha256) break;
    out.push(c);
  }
  return out;
}

/** Parse offline inputs early so that a bad file is a usage error, not a finding. */
export function parseOfflineCrls(files: { name: string; data: Uint8Array }[]): { name: string; crl: ParsedCrl }[] {
  return files.map((f) => {
    try { return { name: f.name, crl: parseCrl(f.data) }; } catch (e) { throw new InputError(`${f.name}: not a CRL (${(e as Error).message})`); }
  });
}

/** Parse offline OCSP responses early so that a bad file is a usage error, not a finding. */
export function parseOfflineOcsp(files: { name: string; data: Uint8Array }[]): { name: string; resp: ParsedOcspResponse }[] {
  return files.map((f) => {
    try { return { name: f.name, resp: parseOcspResponse(derFromInput(f.data, ['OCSP RESPONSE'])) }; } catch (e) { throw new InputError(`${f.name}: not an OCSP response (${(e as Error).message})`); }
  });
}

/** Throws InputError for an unknown mode or an offline file that does not parse: call before any network work. */
export function validateRevocationInputs(mode: string | undefined, crls?: OfflineInput[], ocspResponses?: OfflineInput[]): void {
  if (mode !== undefined && !(REVOCATION_MODES as readonly string[]).includes(mode)) throw new InputError(`--revocation: expected one of ${REVOCATION_MODES.join(', ')}, got "${mode}"`);
  parseOfflineCrls(named(crls));
  parseOfflineOcsp(named(ocspResponses));
}

/** Overall budget for offline verification, which has no probe deadline of its own. */
export const VERIFY_REVOCATION_BUDGET_MS = 15_000;

const definitive = (s: RevocationCheck['status']) => s === 'good' || s === 'revoked' || s === 'unknown';

/** Check the revocation status of every certificate on a validated path; soft-fail (see the file header). Never throws for well-formed options. */
export async function checkRevocation(o: RevocationOptions): Promise<RevocationOutcome> {
  const t0 = nowMs();
  const mode = o.mode ?? 'staple';
  const sku = o.sku ?? 'v2';
  const report: RevocationReport = { mode, certificates: [], unmatched: [], ms: 0 };
  const findings: Finding[] = [];
  if (mode === 'off') return { findings, report };

  const crls = parseOfflineCrls(named(o.crls));
  const ocspFiles = parseOfflineOcsp(named(o.ocspResponses));
  const usedCrl = new Set<number>(), usedOcsp = new Set<number>();

  // Pairs (certificate, issuer): a self-issued anchor at the top has no one to revoke it.
  const pairs: { c: ParsedCert; issuer: ParsedCert; i: number }[] = [];
  for (let i = 0; i + 1 < o.path.length && i < 10; i++) pairs.push({ c: o.path[i]!, issuer: o.path[i + 1]! , i });
  const results: RevocationCertResult[] = o.path.slice(0, 10).filter((c, i) => i + 1 < o.path.length || !c.selfIssued).map((c, i) => ({
    pathIndex: i, presentedIndex: o.presentedIndexOf?.(c) ?? null, subject: c.subject.text, serial: c.serialHex, sha256: c.sha256,
    status: 'unchecked', checks: [],
  }));

  const overall = o.deadline ?? Number.POSITIVE_INFINITY;
  const perFetch = o.fetchTimeoutMs ?? DEFAULT_REVOCATION_FETCH_MS;
  const fetchDeadline = () => Math.min(Date.now() + perFetch, overall);
  const fo = (deadline: number) => ({
    deadline, maxBytes: o.maxBytes ?? DEFAULT_REVOCATION_MAX_BYTES, ...(o.resolve ? { resolve: o.resolve } : {}),
    ...(o.allowInternalFetch ? { allowInternalFetch: true } : {}),
  });
  const vo = { at: o.at, ...(o.skewSeconds !== undefined ? { skewSeconds: o.skewSeconds } : {}) };

  // Stapled response: about the leaf only (status_request, not status_request_v2).
  if (o.staple !== undefined) {
    const leafPair = pairs[0];
    if (o.staple === null) report.staple = 'not-stapled';
    else if (!leafPair) {
      report.staple = 'invalid';
      const s = said('STAPLE_NO_ISSUER', {});
      findings.push(makeFinding('OCSP_STAPLE_INVALID', { detail: s.detail, check: s.code }, { sku }));
    } else {
      let check: RevocationCheck;
      try {
        const v = validateOcspResponse(parseOcspResponse(o.staple), leafPair.c, leafPair.issuer, vo);
        check = { source: 'staple', ...v };
      } catch (e) {
        check = { source: 'staple', status: 'invalid', ...said('OCSP_UNDECODABLE', { error: (e as Error).message }) };
      }
      results[0]!.checks.push(check);
      report.staple = check.status === 'invalid' ? 'invalid' : check.status as 'good' | 'revoked' | 'unknown';
      if (check.status === 'invalid') findings.push(makeFinding('OCSP_STAPLE_INVALID', { detail: check.detail, check: check.code }, certOpts(results[0]!, sku)));
    }
  }

  // Offline inputs: apply each to every pair it is about.
  for (const { c, issuer, i } of pairs) {
    crls.forEach(({ name, crl }, k) => {
      if (!crlIsFrom(crl, issuer)) return;
      usedCrl.add(k);
      results[i]!.checks.push({ source: 'crl-file', url: name, ...checkCrl(crl, c, issuer, vo) });
    });
    ocspFiles.forEach(({ name, resp }, k) => {
      if (!ocspResponseIsFor(resp, c, issuer)) return;
      usedOcsp.add(k);
      results[i]!.checks.push({ source: 'ocsp-file', url: name, ...validateOcspResponse(resp, c, issuer, vo) });
    });
  }
  const unmatched: { code: 'UNMATCHED_CRL' | 'UNMATCHED_OCSP'; name: string }[] = [];
  crls.forEach(({ name }, k) => { if (!usedCrl.has(k)) unmatched.push({ code: 'UNMATCHED_CRL', name }); });
  ocspFiles.forEach(({ name }, k) => { if (!usedOcsp.has(k)) unmatched.push({ code: 'UNMATCHED_OCSP', name }); });
  report.unmatched = unmatched.map((u) => revocationDetail(u.code, { name: u.name }));

  // Network: every pair in parallel; URLs of one certificate in order until one answers.
  const wantOcsp = mode === 'ocsp' || mode === 'all';
  const wantCrl = mode === 'crl' || mode === 'all';
  if (wantOcsp || wantCrl) {
    await Promise.all(pairs.map(async ({ c, issuer, i }) => {
      const r = results[i]!;
      const tasks: Promise<void>[] = [];
      if (wantOcsp) {
        // A definitive stapled answer for the leaf stands; asking again only adds latency.
        const stapled = r.checks.some((x) => x.source === 'staple' && definitive(x.status));
        if (!stapled) tasks.push(fetchOcsp(c, issuer, r));
      }
      if (wantCrl) tasks.push(fetchCrls(c, issuer, r));
      await Promise.all(tasks);
    }));
  }

  async function fetchOcsp(c: ParsedCert, issuer: ParsedCert, r: RevocationCertResult): Promise<void> {
    const urls = urlPairs(c.aia?.ocsp, c.aia?.raw?.ocsp).slice(0, MAX_URLS_PER_METHOD);
    if (!urls.length) { r.checks.push({ source: 'ocsp', status: 'unavailable', ...said('OCSP_NO_URL', {}) }); return; }
    let req: Uint8Array;
    try { req = buildOcspRequest(c, issuer); } catch (e) { r.checks.push({ source: 'ocsp', status: 'invalid', ...said('OCSP_REQUEST_ERROR', { error: (e as Error).message }) }); return; }
    const { fetchGet, ocspGetUrl, ocspPost } = await loadFetch();
    for (const { shown, raw: url } of urls) {
      if (Date.now() >= overall) break;
      const deadline = fetchDeadline();
      let res: RevocationFetchResult = await ocspPost(url, req, fo(deadline));
      // Some responders only answer GET (RFC 5019 caches); try it within the same deadline.
      if (!res.ok && !res.timedOut && res.status !== undefined && req.length <= 255) res = await fetchGet(ocspGetUrl(url, req), fo(deadline));
      if (!res.ok || !res.body) {
        r.checks.push({ source: 'ocsp', url: shown, method: res.method, status: 'unreachable', ...said('FETCH_FAILED', { error: res.error ?? null }), ms: res.ms });
        continue;
      }
      let check: RevocationCheck;
      try {
        check = { source: 'ocsp', url: shown, method: res.method, ms: res.ms, ...validateOcspResponse(parseOcspResponse(res.body), c, issuer, vo) };
      } catch (e) {
        check = { source: 'ocsp', url: shown, method: res.method, ms: res.ms, status: 'invalid', ...said('OCSP_UNDECODABLE', { error: (e as Error).message }) };
      }
      r.checks.push(check);
      if (definitive(check.status)) return;
    }
  }

  async function fetchCrls(c: ParsedCert, issuer: ParsedCert, r: RevocationCertResult): Promise<void> {
    const urls = urlPairs(c.crlDistributionPoints, c.crlDistributionPointsRaw)
      .filter((u) => /^http:/i.test(u.raw)).slice(0, MAX_URLS_PER_METHOD);
    if (!urls.length) {
      r.checks.push({ source: 'crl', status: 'unavailable', ...(c.crlDistributionPoints?.length ? said('CRL_NO_HTTP_URL', {}) : said('CRL_NO_URL', {})) });
      return;
    }
    const { fetchGet } = await loadFetch();
    for (const { shown, raw: url } of urls) {
      if (Date.now() >= overall) break;
      const res = await fetchGet(url, fo(fetchDeadline()));
      if (!res.ok || !res.body) {
        r.checks.push({ source: 'crl', url: shown, method: 'GET', status: 'unreachable', ...said('FETCH_FAILED', { error: res.error ?? null }), ms: res.ms });
        continue;
      }
      let check: RevocationCheck;
      try {
        check = { source: 'crl', url: shown, method: 'GET', ms: res.ms, ...checkCrl(parseCrl(res.body), c, issuer, vo) };
      } catch (e) {
        check = { source: 'crl', url: shown, method: 'GET', ms: res.ms, status: 'invalid', ...said('CRL_UNDECODABLE', { error: (e as Error).message }) };
      }
      r.checks.push(check);
      if (definitive(check.status)) return;
    }
  }

  // Verdicts and findings per certificate.
  for (const r of results) {
    const revoked = r.checks.find((x) => x.status === 'revoked');
    const good = r.checks.filter((x) => x.status === 'good');
    const unknown = r.checks.find((x) => x.status === 'unknown');
    r.status = revoked ? 'revoked' : good.length ? 'good' : unknown ? 'unknown' : 'unchecked';
    const who = revocationCertText(r.presentedIndex);
    const base = { cert: who, subject: r.subject, serial: r.serial };
    if (revoked) {
      findings.push(makeFinding('CERT_REVOKED', { ...base, source: sourceText(revoked), detail: revoked.detail, revocationTime: revoked.revocationTime ?? null, reason: revoked.reason ?? 'unspecified', check: revoked.code },
        { ...certOpts(r, sku), openssl: opensslError('CERT_REVOKED') }));
      continue;
    }
    for (const x of r.checks) {
      if (x.status === 'unreachable') findings.push(makeFinding('REVOCATION_UNREACHABLE', { ...base, what: revocationEndpointText(x.source === 'crl' ? 'crl' : 'ocsp'), url: x.url ?? '', detail: x.detail, ms: x.ms ?? 0 }, certOpts(r, sku)));
    }
    if (good.length) {
      findings.push(makeFinding('REVOCATION_GOOD', { ...base, sources: good.map(sourceText) }, certOpts(r, sku)));
      continue;
    }
    const tried = r.checks.filter((x) => x.status !== 'unavailable' && x.source !== 'staple');
    const leafAsked = r.pathIndex === 0 && r.checks.some((x) => x.status === 'unavailable');
    if (unknown || tried.some((x) => x.status === 'invalid') || leafAsked) {
      const told = unknown ? [unknown] : r.checks.filter((x) => x.source !== 'staple' && x.status !== 'unreachable');
      const detail = revocationSummary(told.map((x) => ({ source: sourceText(x), detail: x.detail })));
      findings.push(makeFinding('REVOCATION_UNKNOWN', { ...base, detail, checks: told.map((x) => x.code) }, certOpts(r, sku)));
    }
  }
  for (const u of unmatched) findings.push(makeFinding('REVOCATION_UNKNOWN', revocationUnusedEvidence(u.code, { name: u.name }), { sku }));

  report.certificates = results;
  report.ms = Math.round((nowMs() - t0) * 10) / 10;
  return { findings, report };
}

function certOpts(r: RevocationCertResult, sku: 'v1' | 'v2') {
  return { sku, certSha256: r.sha256, ...(r.presentedIndex !== null ? { certIndex: r.presentedIndex } : {}) };
}

function sourceText(x: RevocationCheck): string {
  return revocationSourceText(x.source, x.url);
}
