/**
 * The probe's match rules as predicates (appgw-spec §2.3): is a status inside the configured
 * ranges, does the body contain the configured string. The judge applies them; gateway/match.ts,
 * which parses and validates the match, re-exports them.
 */
import type { StatusMatch } from '../model/plan.js';

/** Whether `status` lies in one of the match's inclusive ranges (appgw-spec §2.3). */
export function statusMatches(m: StatusMatch, status: number): boolean {
  return m.ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

/**
 * The gateway's body match is a plain substring test, not a regex (spec §2.3). Case sensitivity is
 * undocumented; we search the UTF-8 bytes of `needle` in the raw body prefix, which is
 * case-sensitive and needs no guess about the body's charset. An empty needle always matches.
 */
export function bodyContains(prefix: Uint8Array, needle: string): boolean {
  if (needle === '') return true;
  const n = Buffer.from(needle, 'utf8');
  const hay = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  return hay.indexOf(n) !== -1;
}
