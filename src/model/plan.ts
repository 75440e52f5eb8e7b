/**
 * What the gateway would expect, as types: the plan the judge judges an observation against and
 * the options a probe or an offline check is made from. Types only, so the runners, gateway/ and
 * the judge can share them without importing each other's behaviour.
 */
import type { HostRef } from '../x509/names.js';
import type { TrustStore } from '../x509/store.js';
import type { ParsedCert } from '../x509/types.js';
import type { OfflineInput, RevocationMode } from '../revocation/check.js';
import type { Finding } from './findings.js';
import type { TrustReport } from './report.js';
import type { NetworkModel, RowNetwork } from '../gateway/network/verdict.js';

/** `gateway` judges as the gateway's OpenSSL does; `strict` also fails what strict clients refuse. */
export type Profile = 'gateway' | 'strict';
/** The extended key usage a path must allow; the gateway's probe always asks for `serverAuth`. */
export type Purpose = 'serverAuth' | 'clientAuth' | 'any';
/** The gateway's SKU family: v1 (Standard/WAF) or v2 (Standard_v2/WAF_v2). */
export type Sku = 'v1' | 'v2';

/** A certificate as a caller hands it in: PEM text (possibly several) or one DER. */
export type CertInput = string | Uint8Array;

/** The plan a certificate list is judged against: what the gateway would expect of it. */
export interface CertPlan {
  sku: Sku;
  profile: Profile;
  purpose: Purpose;
  /** The clock: every date rule compares with this instant. */
  at: Date;
  /** Name to check, or null when the gateway would not check one. */
  host: HostRef | null;
  /** Why `host` is null, for the report. */
  hostSkippedReason?: string;
  trust: { mode: 'wellknown' | 'uploaded'; store: TrustStore };
  /** v1: the uploaded authentication certificates (the leaf must be one of them). */
  authCerts?: ParsedCert[];
  /** v2 backend setting validateCertChainAndExpiry (default true). */
  validateChainAndExpiry: boolean;
  warnDays: number;
  minDays?: number;
}

/** What a plan is made from: the judge's plan, with the trust store still to be chosen. */
export type PlanInputs = Omit<CertPlan, 'trust'> & {
  trustedRoots?: ParsedCert[];
  caStore: 'mozilla' | 'system';
  wellKnownRoots?: ParsedCert[];
};

/**
 * The probe's `match.statusCodes` (appgw-spec.md §2.3). `ranges` are inclusive and kept in the
 * order the user wrote them; `text` is that same list in a normalised spelling ("200,301-302"),
 * which is what M4's `Expected:` shows.
 */
export interface StatusMatch {
  ranges: [number, number][];
  text: string;
}

/** What the probe's HTTP answer must be for the gateway to call the backend Healthy (appgw-spec §2.3). */
export interface HttpExpectation {
  /** The path requested, as the report shows it. */
  path: string;
  status: StatusMatch;
  /** Substring the body must contain; undefined when the probe has no body match. */
  body?: string;
}

/** The gateway's choice of names for one probe (appgw-spec §2–§3). */
export interface ProbeNames {
  /** The name the certificate is checked against; null when the gateway checks none. */
  host: HostRef | null;
  /** Why `host` is null. */
  hostSkippedReason?: string;
  /** The SNI sent; undefined when none is. */
  sni: string | undefined;
  hostHeader: string;
  /** Which rule chose the probe host, for the report. */
  hostSource: string;
}

/** Options for one probe of one backend, as the gateway would send it. */
export interface ProbeOptions {
  /** "host:port", "[v6]:port", or a host with `port` set. */
  target: string;
  port?: number;
  protocol?: 'https' | 'http';
  /** v2: the probe host (SNI, Host header and the name checked). v1: Host header only. */
  sni?: string;
  /** Send no SNI even for a host name. */
  noSni?: boolean;
  hostHeader?: string;
  path?: string;
  status?: string | string[];
  body?: string;
  timeoutSeconds?: number;
  sku?: Sku;
  trustedRoots?: (CertInput | ParsedCert)[];
  /** Replace the well-known store (an organisation's own list of public roots, or tests). */
  wellKnownRoots?: (CertInput | ParsedCert)[];
  authCerts?: (CertInput | ParsedCert)[];
  caStore?: 'mozilla' | 'system';
  profile?: Profile;
  at?: Date;
  resolve?: Map<string, string>;
  warnDays?: number;
  minDays?: number;
  /** v2 backend-setting switches (2025 API). */
  validateChainAndExpiry?: boolean;
  validateSNI?: boolean;
  sniName?: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  /** Revocation checks (default 'staple': judge a stapled OCSP response, fetch nothing). */
  revocation?: RevocationMode;
  /** Offline CRLs / OCSP responses (DER or PEM) applied to the path. */
  crls?: OfflineInput[];
  ocspResponses?: OfflineInput[];
  /**
   * Let 'ocsp'/'crl'/'all' fetch certificate-named URLs from loopback, private, link-local and
   * other internal addresses and any port (`--allow-internal-fetch`). Default false: refused.
   */
  allowInternalFetch?: boolean;
}

/** One probe made ready: the target, the gateway's choices for it, and the judge's plans. */
export interface ProbeSetup {
  targetHost: string;
  port: number;
  sku: Sku;
  protocol: 'https' | 'http';
  timeoutSeconds: number;
  /** The clock every rule uses. */
  at: Date;
  names: ProbeNames;
  /** What the HTTP answer must be. */
  http: HttpExpectation;
  /** The certificate plan, with the trust store chosen. */
  plan: CertPlan;
  /** The report's trust section. */
  trust: TrustReport;
  /** Findings about the inputs themselves (an uploaded root that is not a CA, say). */
  inputFindings: Finding[];
}

/** Why the plan chose each value, one sentence per field, for the report. */
export interface PlanWhy {
  protocol: string;
  port: string;
  host: string;
  sni: string;
  name: string;
  path: string;
  timeout: string;
  match: string;
  trust: string;
}

/** What the gateway sends for one pool member under one backend setting, and why. */
export interface ProbePlan {
  pool: string;
  poolId: string | null;
  setting: string;
  settingId: string | null;
  address: string;
  memberKind: 'fqdn' | 'ip';
  sku: Sku;
  probe: { kind: 'default' | 'custom'; name: string | null; id: string | null };
  protocol: 'https' | 'http';
  port: number;
  path: string;
  /** The probe host: Host header on both SKUs; on v2 also SNI and the name checked. */
  host: string;
  hostHeader: string;
  /** The SNI sent; null when none is (IP host, v1 IP member, Http). */
  sni: string | null;
  /** The name the certificate is compared with; null when not compared. */
  checkedName: string | null;
  url: string;
  timeoutSeconds: number;
  configuredTimeoutSeconds: number;
  status: string;
  body: string | null;
  trust: { mode: 'wellknown' | 'uploaded' | 'v1-auth-cert' | 'none'; certificates: string[] };
  validateCertChainAndExpiry: boolean;
  validateSNI: boolean;
  sniName: string | null;
  why: PlanWhy;
  notes: string[];
  /** Set when the pair cannot be probed the way the gateway would; its health is then Unknown. */
  blocked: string | null;
  /** The routing rules that pair this pool with this setting; null when every pair is planned. */
  routedBy: string[] | null;
  /** What probeBackend gets (runtime additions such as --resolve come from the runner). */
  options: ProbeOptions;
  /** The network path's verdict for this server (issue 17); absent when no network was given. */
  network?: RowNetwork;
}

/** Which of a gateway's pool × setting pairs to plan, and how. */
export interface PlanOptions {
  /** Only these pools / settings (names, case-insensitive). */
  pools?: string[];
  settings?: string[];
  /** Lower every probe timeout to at most this many seconds (a sweep should not wait 30 s per dead backend). */
  timeoutCap?: number;
  /** Plan every pool × setting, not only those that routing rules pair. */
  allPairs?: boolean;
  /** The gateway's network (NSGs, routes, VNet), judged for each server at its VNet address. */
  network?: NetworkModel;
}
