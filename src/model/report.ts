import type { Finding } from './findings.js';
import type { GatewayMessageId } from './messages.js';

export type HealthStatus = 'Healthy' | 'Unhealthy' | 'Unknown';

/** How many results came back with each health (a sweep's summary). */
export interface HealthCounts {
  total: number;
  healthy: number;
  unhealthy: number;
  unknown: number;
}

/** Adds one result to the counts. */
export function tallyHealth(c: HealthCounts, health: HealthStatus): void {
  c.total++;
  if (health === 'Healthy') c.healthy++; else if (health === 'Unhealthy') c.unhealthy++; else c.unknown++;
}

export function countHealth(results: Iterable<{ health: HealthStatus }>): HealthCounts {
  const c: HealthCounts = { total: 0, healthy: 0, unhealthy: 0, unknown: 0 };
  for (const r of results) tallyHealth(c, r.health);
  return c;
}
export const SCHEMA_VERSION = 1;

export interface CertSummary {
  index: number;
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  /** Whole days from the check time to notAfter (negative when expired). */
  daysLeft: number | null;
  sha256: string;
  selfSigned: boolean;
  ca: boolean;
  key: string;
  signatureAlgorithm: string;
  subjectAltName: string[];
  pem: string;
  /** Set when the certificate did not decode; the other fields are then placeholders. */
  error?: string;
}

export interface PathEntry {
  /** Index in the presented chain, or null for a certificate taken from the trust store. */
  presentedIndex: number | null;
  source: 'presented' | 'trust-store';
  subject: string;
  sha256: string;
}

export interface ChainReport {
  presented: CertSummary[];
  /** The path that validated, or the best failing one (leaf first). */
  path: PathEntry[];
  pathValid: boolean;
  anchored: boolean;
  stats: { signatureChecks: number; buildCalls: number; pathsEvaluated: number };
}

export interface TrustReport {
  mode: 'wellknown' | 'uploaded' | 'v1-auth-cert' | 'none';
  store: string;
  anchors: number;
  uploaded?: CertSummary[];
}

export interface Report {
  schemaVersion: number;
  tool: { name: 'certcheck'; version: string };
  kind: 'verify' | 'probe';
  status: HealthStatus;
  ok: boolean;
  /** The one message the gateway would show: a gateway text with placeholders filled, or the success log. */
  message: string;
  messageId: GatewayMessageId | null;
  /** The finding behind `message`, when not Healthy. */
  primary: Finding | null;
  sku: 'v1' | 'v2';
  profile: 'gateway' | 'strict';
  at: string;
  host: string | null;
  trust: TrustReport;
  chain: ChainReport | null;
  findings: Finding[];
  [extra: string]: unknown;
}
