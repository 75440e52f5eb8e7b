/**
 * The gateway's probe match (appgw-spec §2.3): parsing and validating `match.statusCodes` and
 * `match.body` as the gateway accepts them, and the default when a probe has none.
 */
import { InputError } from '../model/errors.js';
import type { StatusMatch } from '../model/plan.js';

export type { StatusMatch } from '../model/plan.js';
/** The matching itself is a judge rule (checks/http.ts); re-exported for the match's callers. */
export { statusMatches, bodyContains } from '../checks/http.js';

/** The gateway's default when a probe has no status match. */
export const DEFAULT_STATUS_MATCH_SPEC = '200-399';

/** The gateway's documented maximum length of the body match string. */
export const MAX_BODY_MATCH_CHARS = 4090;

// The gateway does not document numeric bounds, so anything that is a well-formed 3-digit HTTP
// status is accepted; leading zeros or signs are refused because they are almost certainly typos.
const STATUS_MIN = 100;
const STATUS_MAX = 999;
const CODE = /^[1-9][0-9]{2}$/;

function shown(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

function parseCode(raw: string, entry: string): number {
  const t = raw.trim();
  if (!CODE.test(t)) {
    throw new InputError(
      `invalid status code match entry ${shown(entry)}: expected a status code ${STATUS_MIN}-${STATUS_MAX} or a range like 200-399`,
    );
  }
  return Number(t);
}

/**
 * Parse "200-399", "200,204,300-399" or ["200", "300-399"] (ARM's string array; each element may
 * itself be a comma list, as the CLI passes it). Throws InputError naming the bad entry.
 */
export function parseStatusMatch(spec: string | string[]): StatusMatch {
  const parts = typeof spec === 'string' ? [spec] : spec;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new InputError('empty status code match: give codes or ranges like 200-399');
  }
  const ranges: [number, number][] = [];
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part !== 'string') throw new InputError('status code match entries must be strings');
    for (const entry of part.split(',')) {
      const e = entry.trim();
      if (e === '') {
        throw new InputError(`empty entry in status code match ${shown(part)}`);
      }
      const dash = e.indexOf('-');
      if (dash === -1) {
        const n = parseCode(e, e);
        ranges.push([n, n]);
        texts.push(String(n));
        continue;
      }
      const lo = parseCode(e.slice(0, dash), e);
      const hi = parseCode(e.slice(dash + 1), e);
      if (hi < lo) {
        throw new InputError(`invalid status code range ${shown(e)}: the start is greater than the end`);
      }
      ranges.push([lo, hi]);
      texts.push(`${lo}-${hi}`);
    }
  }
  return { ranges, text: texts.join(',') };
}

/** Returns the body match string unchanged if the gateway would accept it. */
export function validateBodyMatch(body: string): string {
  if (typeof body !== 'string') throw new InputError('body match must be a string');
  // The gateway is .NET, whose string length counts UTF-16 code units, as `length` does here.
  if (body.length > MAX_BODY_MATCH_CHARS) {
    throw new InputError(
      `body match is ${body.length} characters; Application Gateway allows at most ${MAX_BODY_MATCH_CHARS}`,
    );
  }
  return body;
}
