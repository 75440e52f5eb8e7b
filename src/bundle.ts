/**
 * buildBundle, the chain-completing runner behind `bundle` and `export-root`: the leaf and
 * candidates (files, an --intermediates directory, CA Issuers fetches) → the path the gateway
 * needs, built with the judge's own path builder and rules.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fetchHttp } from './capture/fetch.js';
import { evaluatePathRules, isCA } from './checks/path-rules.js';
import { actsAsCA } from './checks/ca-flag.js';
import { caseDetail } from './model/catalog.js';
import { InputError, isInputError } from './model/errors.js';
import { escapeText, parseCertificate, toPem } from './x509/cert.js';
import { decodeCertificates, readInputFile } from './x509/decode.js';
import { buildPath } from './x509/path.js';
import { checkSignature } from './x509/signature.js';
import { makeStore, mozillaStore, pemCertificates, systemStore } from './x509/store.js';
import type { ParsedCert } from './x509/types.js';

/** What buildBundle builds from. */
export interface BundleInput {
  /** The leaf's file (or what a backend sent): the first non-CA certificate is the leaf, the rest are candidates. */
  certs: Uint8Array[];
  /** More candidate issuers, e.g. every certificate in --intermediates DIR. */
  pool?: Uint8Array[];
  /** Roots that may end the chain without being in the inputs (trust stores, --trusted-root). */
  anchors?: ParsedCert[];
  /** Validity is judged at this time when choosing among candidates (default now). */
  at?: Date;
}

/** The chain buildBundle chose, and whether it reaches a self-signed root. */
export interface BundleResult {
  leaf: ParsedCert;
  /** Leaf first, each issuer in turn, the self-signed root last when one was found. */
  path: ParsedCert[];
  /** The self-signed root at the top, or null when the chain stops at a missing issuer. */
  root: ParsedCert | null;
  complete: boolean;
  /** The issuer name nobody supplied, when incomplete. */
  missingIssuer: string | null;
  /** Problems on the chosen path (expired intermediate, ...), as one-line texts. */
  problems: string[];
}

function parseMany(ders: Uint8Array[], what: string, notes?: string[]): ParsedCert[] {
  const out: ParsedCert[] = [];
  for (const d of ders) {
    try { out.push(parseCertificate(d)); } catch (e) {
      if (!notes) throw new InputError(`${what}: a certificate does not decode (${(e as Error).message})`);
      notes.push(`${what}: a certificate that does not decode was skipped`);
    }
  }
  return out;
}

/**
 * The chain a backend should serve for this leaf, found among the inputs with the same path
 * builder the judge uses (signatures checked, valid and anchored paths preferred).
 */
export function buildBundle(i: BundleInput): BundleResult {
  const input = parseMany(i.certs, 'input');
  if (!input.length) throw new InputError('input: no certificate');
  const leaf = input.find((c) => !actsAsCA(c)) ?? input[0]!;
  const pool = [...input.filter((c) => c !== leaf), ...parseMany(i.pool ?? [], 'intermediates', [])];
  const roots = [...pool.filter((c) => c.selfIssued), ...(i.anchors ?? [])];
  const store = makeStore('uploaded', 'self-signed roots among the inputs', roots);
  const ctx = { at: i.at ?? new Date(), purpose: 'serverAuth' as const, profile: 'gateway' as const, checkDates: true };
  const errors = (certs: ParsedCert[], anchored: boolean) =>
    evaluatePathRules({ certs, anchored, rejectedIssuers: [] }, ctx).filter((x) => x.severity === 'error');
  const build = buildPath({ leaf, pool, store, evaluate: (p) => errors(p.certs, p.anchored).length + (p.anchored ? 0 : 100) });
  const path = build.best.certs;
  const top = path[path.length - 1]!;
  const root = build.best.anchored && top.selfIssued ? top : null;
  const problems = errors(path, build.best.anchored).map((x) => { const d = caseDetail(x.code, x.evidence); return `${x.code}: ${String(x.evidence.subject ?? '')}${d ? ` (${d})` : ''}`; });
  return { leaf, path, root, complete: !!root, missingIssuer: root ? null : top.issuer.text, problems };
}

/** One CA Issuers fetch (or a skipped one), as reported. */
/** What findRoot searches: the chain as sent (or a file's), roots the caller has, and the store. */
export interface RootSearch {
  /** The backend's certificate list (or a chain file's), leaf first. */
  certs: Uint8Array[];
  /** Roots the caller already has (PEM text or DER): used when the chain does not send its root. */
  trustedRoots?: (string | Uint8Array)[];
  /** The store to look the root up in when neither the chain nor trustedRoots hold it (default mozilla). */
  caStore?: 'mozilla' | 'system';
}

/** The root at the top of a chain, and where it was found. */
export interface FoundRoot {
  /** The root, or null when it is in no input and no store. */
  root: { der: Uint8Array; pem: string; subject: string; sha256: string; notAfter: string | null } | null;
  /** The top of the chain built: the root, or the certificate whose issuer is missing. */
  topSubject: string;
  /** The issuer name nobody supplied, when no root was found. */
  missingIssuer: string | null;
  /** The root was in `certs` itself. */
  sent: boolean;
  /** The root came from `trustedRoots`. */
  fromTrustedRoots: boolean;
  /** The root is in the store (so the gateway's well-known mode trusts it already). */
  inStore: boolean;
  /** The store's description, e.g. "Node's bundled Mozilla roots (144)". */
  store: string;
  /** Problems on the path to the root, as buildBundle reports them. */
  problems: string[];
  /**
   * The chain is a single self-signed certificate (its own issuer, its signature verifying with
   * its own key): it is its own root, sent by the backend. With `ca` true it is `root`; with `ca`
   * false (no basicConstraints CA:TRUE) `root` is null, because the gateway treats a self-signed
   * certificate that is not a CA as a leaf and looks for its issuer even when it is uploaded.
   */
  selfSigned: { subject: string; sha256: string; ca: boolean } | null;
}

/**
 * The root of a chain, as `export-root` writes it for upload: the self-signed root the chain
 * sends (a lone self-signed CA certificate included), or else the one among `trustedRoots` or the
 * store that issued its top. A lone self-signed certificate that is not a CA is no root the
 * gateway accepts: `root` is null and `selfSigned` says why.
 */
export function findRoot(i: RootSearch): FoundRoot {
  const given = (i.trustedRoots ?? []).flatMap((x) => (typeof x === 'string' ? pemCertificates(x) : [x]));
  const givenParsed = parseMany(given, 'trustedRoots');
  const store = i.caStore === 'system' ? systemStore() : mozillaStore();
  const r = buildBundle({ certs: i.certs, anchors: [...givenParsed.filter((c) => c.selfIssued), ...store.anchors] });
  const top = r.path[r.path.length - 1]!;
  const sent = new Set(i.certs.map((d) => Buffer.from(d).toString('base64')));
  // A lone self-signed certificate is its own root: buildBundle keeps the leaf out of the
  // candidate roots, so it ends there as an issuer nobody supplied unless a store holds it.
  const lone = r.path.length === 1 && top.selfIssued && checkSignature(top, top).ok;
  const selfSigned = lone ? { subject: top.subject.text, sha256: top.sha256, ca: isCA(top) } : null;
  const base = { topSubject: top.subject.text, missingIssuer: lone ? null : r.missingIssuer, store: store.description, problems: r.problems, selfSigned };
  const root = lone ? (selfSigned!.ca ? top : null) : r.root;
  if (!root) return { ...base, root: null, sent: false, fromTrustedRoots: false, inStore: false };
  return {
    ...base,
    root: { der: root.der, pem: toPem(root.der), subject: root.subject.text, sha256: root.sha256, notAfter: root.notAfter.date?.toISOString() ?? null },
    sent: sent.has(Buffer.from(root.der).toString('base64')),
    fromTrustedRoots: givenParsed.some((g) => g.sha256 === root.sha256),
    inStore: store.bySha256.has(root.sha256),
  };
}

/** One CA Issuers URL that bundle --aia fetched (or tried to), and what came of it. */
export interface AiaFetch {
  url: string;
  /** Subject of the certificate whose CA Issuers URL this was. */
  for: string;
  /** false for a URL that was reported but not requested (https, ldap, file, malformed). */
  fetched: boolean;
  status: number | null;
  bytes: number | null;
  /** Certificates the response decoded to. */
  certificates: number;
  error: string | null;
}

/** Limits and name overrides for buildBundleAia's fetches. */
export interface AiaOptions {
  /** Requests in all (default 5); URLs that are not requested do not count. */
  maxFetches?: number;
  /** Each request's own deadline (default 5 s). */
  perFetchMs?: number;
  /** All requests together (default 15 s). */
  overallMs?: number;
  /** Response size cap (default 1 MiB). */
  maxBytes?: number;
  resolve?: Map<string, string>;
  /** Fetch from internal addresses and any port (`--allow-internal-fetch`); default false. */
  allowInternalFetch?: boolean;
}

/** At most this many CA Issuers requests per bundle. */
export const AIA_MAX_FETCHES = 5;
/** Each CA Issuers request's deadline. */
export const AIA_PER_FETCH_MS = 5_000;
/** All CA Issuers requests' deadline together. */
export const AIA_OVERALL_MS = 15_000;
/** Report lines for URLs never requested; a certificate can list any number of them. */
const AIA_MAX_SKIPPED = 20;

/**
 * buildBundle, then while the chain is incomplete: fetch the top certificate's CA Issuers URLs
 * one at a time, add whatever certificates the response holds (DER, PEM or PKCS#7) to the pool
 * and rebuild. Stops at a complete chain, a top with no untried URL, or a budget.
 */
export async function buildBundleAia(i: BundleInput, o: AiaOptions = {}): Promise<{ result: BundleResult; fetches: AiaFetch[] }> {
  const maxFetches = o.maxFetches ?? AIA_MAX_FETCHES;
  const perFetchMs = o.perFetchMs ?? AIA_PER_FETCH_MS;
  const overall = Date.now() + (o.overallMs ?? AIA_OVERALL_MS);
  const pool = [...(i.pool ?? [])];
  const fetches: AiaFetch[] = [];
  const tried = new Set<string>();
  let requests = 0;
  let skipped = 0;
  let r = buildBundle({ ...i, pool });
  while (!r.complete && requests < maxFetches && Date.now() < overall) {
    const top = r.path[r.path.length - 1]!;
    // Shown and reported: the escaped text (x509/cert.ts); fetched: the decoded bytes, which the
    // fetch refuses when they hold controls. A hand-built certificate without `raw` has its list
    // taken as decoded (see ParsedCert.aia) and escaped here.
    const raws = top.aia?.raw?.caIssuers ?? top.aia?.caIssuers ?? [];
    const shownList = top.aia?.raw ? top.aia.caIssuers : raws.map(escapeText);
    const idx = shownList.findIndex((x) => !tried.has(x));
    if (idx < 0) break;
    const shown = shownList[idx]!;
    const url = raws[idx] ?? shown;
    tried.add(shown);
    const isHttp = /^http:\/\//i.test(url);
    if (isHttp) requests++;
    else if (++skipped > AIA_MAX_SKIPPED) continue;
    const res = await fetchHttp(url, {
      deadline: Math.min(Date.now() + perFetchMs, overall), resolve: o.resolve ?? new Map(),
      ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
      ...(o.allowInternalFetch ? { allowInternalFetch: true } : {}),
    });
    const entry: AiaFetch = {
      url: shown, for: top.subject.text, fetched: isHttp, status: res.status ?? null,
      bytes: res.body ? res.body.length : null, certificates: 0, error: res.error ?? null,
    };
    fetches.push(entry);
    if (!res.ok || !res.body) continue;
    try {
      const d = await decodeCertificates(res.body, shown, {
        maxCertificates: 100,
        password: () => { throw new InputError('a PKCS#12 file needs a password'); },
      });
      entry.certificates = d.certificates.length;
      pool.push(...d.certificates);
    } catch (e) {
      if (!isInputError(e)) throw e;
      entry.error = `response is not a certificate: ${e.message}`;
      continue;
    }
    r = buildBundle({ ...i, pool });
  }
  return { result: r, fetches };
}

/** The chain to write: the path, with the self-signed root only when asked for. */
export function bundleChain(r: BundleResult, includeRoot: boolean): ParsedCert[] {
  return r.root && !includeRoot ? r.path.slice(0, -1) : r.path;
}

/** Certificates as concatenated PEM. */
export function chainPem(certs: ParsedCert[]): string {
  return certs.map((c) => toPem(c.der)).join('');
}

/** readCertDir reads at most this many files. */
export const MAX_DIR_FILES = 1000;

/**
 * Every certificate in the regular files of a directory (not recursive). Files that hold no
 * certificate, or need a password, are skipped with a note rather than failing the command.
 */
export async function readCertDir(dir: string): Promise<{ certs: Uint8Array[]; notes: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`--intermediates ${dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : `cannot read (${code ?? 'error'})`}`);
  }
  if (names.length > MAX_DIR_FILES) throw new InputError(`--intermediates ${dir}: more than ${MAX_DIR_FILES} files`);
  const certs: Uint8Array[] = [];
  const notes: string[] = [];
  for (const n of names) {
    const path = join(dir, n);
    try {
      const d = await decodeCertificates(await readInputFile(path), path, {
        password: () => { throw new InputError(`${path}: needs a password`); },
      });
      certs.push(...d.certificates);
    } catch (e) {
      if (!isInputError(e)) throw e;
      notes.push(`skipped ${e.message}`);
    }
  }
  return { certs, notes };
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

/** What makeBundle builds from and what it writes. */
export interface BundleOptions {
  /** The leaf's file, or what a backend sent (captureChain). */
  certs: Uint8Array[];
  /** A directory of CA certificates to complete the chain from (every regular file, not recursive). */
  intermediatesDir?: string;
  /** While the chain is incomplete, fetch CA Issuers URLs (buildBundleAia's limits). */
  aia?: boolean;
  /** NAME → address overrides for the CA Issuers fetches. */
  resolve?: Map<string, string>;
  /**
   * Let the CA Issuers fetches reach loopback, private, link-local and other internal addresses
   * and any port (`--allow-internal-fetch`). Default false: those fetches are refused.
   */
  allowInternalFetch?: boolean;
  /** Prefer certificates valid at this time (default now). */
  at?: Date;
  /** End the chain with the self-signed root. */
  includeRoot?: boolean;
  /**
   * Write a PKCS#12 with the leaf's key instead of PEM. `keySource` names the key in the error
   * when it does not match the leaf; `password` is asked for only once the key matches.
   */
  pfx?: { key: KeyObject; keySource: string; password: () => Promise<string> };
}

/** What makeBundle built: the chain, its bytes, and what happened on the way. */
export interface BundleOutcome {
  result: BundleResult;
  /** The certificates written, leaf first (the root only with includeRoot). */
  chain: ParsedCert[];
  /** The CA Issuers fetches, or null without `aia`. */
  fetches: AiaFetch[] | null;
  /** Notes from reading the intermediates directory (files skipped). */
  notes: string[];
  /** The chain as PEM, or the PKCS#12 bytes with `pfx`. */
  body: string | Uint8Array;
}

/**
 * `certcheck bundle` as one call: the candidates from `certs`, the intermediates directory and
 * (with `aia`) CA Issuers fetches → the chain the gateway needs → PEM, or a PKCS#12 with the key.
 */
export async function makeBundle(o: BundleOptions): Promise<BundleOutcome> {
  const at = o.at ?? new Date();
  const dir = o.intermediatesDir ? await readCertDir(o.intermediatesDir) : { certs: [], notes: [] };
  const aia = o.aia ? await buildBundleAia({ certs: o.certs, pool: dir.certs, at }, {
    ...(o.resolve ? { resolve: o.resolve } : {}), ...(o.allowInternalFetch ? { allowInternalFetch: true } : {}),
  }) : undefined;
  const result = aia ? aia.result : buildBundle({ certs: o.certs, pool: dir.certs, at });
  const chain = bundleChain(result, !!o.includeRoot);
  const base = { result, chain, fetches: aia ? aia.fetches : null, notes: dir.notes };
  if (!o.pfx) return { ...base, body: chainPem(chain) };
  const leaf = chain[0]!;
  if (!keyMatchesCert(o.pfx.key, leaf)) throw new InputError(`${o.pfx.keySource}: the private key does not match the leaf certificate "${leaf.subject.text}" (sha256 ${leaf.sha256.slice(0, 16)}…)`);
  const password = await o.pfx.password();
  if (password === '') throw new InputError('--format pfx: the PFX password is empty');
  // Loaded only for a PFX: PEM bundles never pay for the PKCS#12 writer.
  const { writePfx } = await import('./x509/pfx-write.js');
  return { ...base, body: await writePfx({ certs: chain.map((c) => c.der), key: o.pfx.key, password }) };
}
