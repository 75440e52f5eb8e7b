// Types for certs/scenarios.mjs (the table is plain JS so the generator, loopback servers and the
// demo can load it without a build step).
import type { FindingCode } from '../src/model/findings.js';
import type { GatewayMessageId } from '../src/model/messages.js';

export type TrustSpec =
  | { mode: 'uploaded'; roots: string[] }
  /** `roots` stands in for the public store in tests. */
  | { mode: 'wellknown'; roots: string[] };

export interface ScenarioExpect {
  status: 'Healthy' | 'Unhealthy' | 'Unknown';
  /** Gateway message id shown, or 'OK'. */
  message: GatewayMessageId;
  /** Finding codes with severity error/unknown that must be present. */
  codes: FindingCode[];
  /** Warning codes that must be present. */
  warnings: FindingCode[];
  /** M15 {errorCode} in OpenSSL 1.1.1 numbering (appgw-spec §6), for M15 scenarios. */
  errorCode?: number;
  /** `openssl verify` (OpenSSL 3.0.19, -auth_level 1) on the same inputs; null when not meaningful. */
  opensslVerify: 'ok' | 'fail' | null;
  /** First X509_V_ERR number openssl printed (3.0 numbering), null when it said OK. */
  opensslError: number | null;
}

export interface Scenario {
  name: string;
  description: string;
  /** Certificate names in the order the server sends them; 'hostile/<bundle>' expands to a bundle. */
  served: string[];
  trust: TrustSpec;
  host: string;
  /** ISO instant used as `now`. */
  at: string;
  expect: ScenarioExpect;
  note?: string;
  /** The expected gateway verdict is inferred, not documented. */
  inferred?: boolean;
  /** Only meaningful for offline file checks (a TLS stack would not send these bytes). */
  offlineOnly?: boolean;
  /** Status Unknown with PATH_BUDGET_EXHAUSTED is an acceptable alternative. */
  orUnknown?: boolean;
  /** Upper bound for the judge, in milliseconds. */
  maxMs?: number;
}

export interface LoadedCert {
  name: string;
  der: Buffer;
}

export const CERTS_DIR: string;
export const OUT_DIR: string;
export const DEFAULT_AT: string;
export const DEFAULT_HOST: string;
export const scenarios: readonly Scenario[];
export function pemToDers(text: string): Buffer[];
export function toPem(der: Uint8Array): string;
export function certPath(name: string, ext?: 'pem' | 'der'): string;
export function bundlePath(bundle: string): string;
export function loadCert(name: string): Buffer;
export function loadServed(scenario: Scenario): LoadedCert[];
export function loadRoots(scenario: Scenario): LoadedCert[];
export function keyPathFor(name: string): string;
export function servedKeyPath(scenario: Scenario): string;
export function scenarioByName(name: string): Scenario;
