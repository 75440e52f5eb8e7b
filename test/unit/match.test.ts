import { describe, expect, it } from 'vitest';
import {
  bodyContains,
  DEFAULT_STATUS_MATCH_SPEC,
  MAX_BODY_MATCH_CHARS,
  parseStatusMatch,
  statusMatches,
  validateBodyMatch,
} from '../../src/gateway/match.js';
import { InputError } from '../../src/model/errors.js';

describe('parseStatusMatch', () => {
  const good: [string | string[], [number, number][], string][] = [
    ['200-399', [[200, 399]], '200-399'],
    ['200', [[200, 200]], '200'],
    ['200,204,300-399', [[200, 200], [204, 204], [300, 399]], '200,204,300-399'],
    [' 200 , 301 - 302 ', [[200, 200], [301, 302]], '200,301-302'],
    [['200', '300-399'], [[200, 200], [300, 399]], '200,300-399'],
    [['200,201', '404'], [[200, 200], [201, 201], [404, 404]], '200,201,404'],
    ['100-999', [[100, 999]], '100-999'],
    ['999', [[999, 999]], '999'],
    ['302-302', [[302, 302]], '302-302'],
  ];
  it.each(good)('parses %j', (spec, ranges, text) => {
    expect(parseStatusMatch(spec)).toEqual({ ranges, text });
  });

  const bad: [string | string[], RegExp][] = [
    ['abc', /"abc"/],
    ['399-200', /"399-200".*greater/],
    ['', /empty/],
    [[], /empty/],
    ['2000', /"2000"/],
    ['99', /"99"/],
    ['099', /"099"/],
    ['1000-1001', /"1000-1001"/],
    ['200,,300', /empty entry/],
    ['200,', /empty entry/],
    ['200-', /"200-"/],
    ['-200', /"-200"/],
    ['200-300-400', /"200-300-400"/],
    ['+200', /"\+200"/],
    ['2e2', /"2e2"/],
    [['200', 'x'], /"x"/],
  ];
  it.each(bad)('rejects %j with an InputError naming the entry', (spec, msg) => {
    let caught: unknown;
    try {
      parseStatusMatch(spec);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toMatch(msg);
  });

  it('the default is the gateway default', () => {
    expect(parseStatusMatch(DEFAULT_STATUS_MATCH_SPEC).text).toBe('200-399');
  });
});

describe('statusMatches', () => {
  const def = parseStatusMatch('200-399');
  const list = parseStatusMatch('200,301-302');
  const table: [typeof def, number, boolean][] = [
    [def, 199, false], [def, 200, true], [def, 302, true], [def, 399, true], [def, 400, false],
    [def, 404, false], [def, 999, false], [def, 101, false],
    [list, 200, true], [list, 201, false], [list, 300, false], [list, 301, true], [list, 302, true], [list, 303, false],
  ];
  it.each(table)('%j matches %i → %s', (m, status, want) => {
    expect(statusMatches(m, status)).toBe(want);
  });
});

describe('validateBodyMatch', () => {
  it('accepts up to 4090 characters and returns the string unchanged', () => {
    expect(validateBodyMatch('')).toBe('');
    expect(validateBodyMatch('Healthy')).toBe('Healthy');
    const max = 'x'.repeat(MAX_BODY_MATCH_CHARS);
    expect(validateBodyMatch(max)).toBe(max);
  });
  it('rejects 4091 characters', () => {
    expect(() => validateBodyMatch('x'.repeat(4091))).toThrow(InputError);
    expect(() => validateBodyMatch('x'.repeat(4091))).toThrow(/4091.*4090/);
  });
});

describe('bodyContains', () => {
  const body = new TextEncoder().encode('<html>Status: Healthy — ünïcode</html>');
  it('is a case-sensitive substring search over the bytes', () => {
    expect(bodyContains(body, 'Healthy')).toBe(true);
    expect(bodyContains(body, 'healthy')).toBe(false);
    expect(bodyContains(body, 'ünïcode')).toBe(true);
    expect(bodyContains(body, 'Healthy!')).toBe(false);
    expect(bodyContains(body, '')).toBe(true);
  });
  it('respects the view of a subarray', () => {
    const view = body.subarray(0, 10);
    expect(bodyContains(view, '<html>')).toBe(true);
    expect(bodyContains(view, 'Healthy')).toBe(false);
  });
});
