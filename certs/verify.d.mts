import type { Scenario } from './scenarios.mjs';

export interface OpensslVerifyResult {
  result: 'ok' | 'fail';
  /** First error number openssl printed (3.0 numbering). */
  error: number | null;
  output: string;
  args: string[];
}

export function opensslVerify(scenario: Scenario): OpensslVerifyResult;
