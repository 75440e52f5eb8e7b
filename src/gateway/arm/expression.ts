/**
 * ARM template expression syntax: `[func(arg, ...).prop[index]]`, string literals in single quotes
 * ('' escapes a quote), integers, and a leading `[[` that escapes a literal string starting with `[`.
 * Pure: text in, syntax tree out; nothing here evaluates.
 */

/** One node of a parsed expression. */
export type ArmExpr =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 'call'; name: string; args: ArmExpr[] }
  | { kind: 'member'; target: ArmExpr; name: string }
  | { kind: 'index'; target: ArmExpr; index: ArmExpr };

/** A syntax error in one expression; the evaluator turns it into a warning for that value only. */
export class ArmSyntaxError extends Error {
  override readonly name = 'ArmSyntaxError';
}

/** True when a template string is an expression (starts with `[` but not `[[`, ends with `]`). */
export function isExpression(s: string): boolean {
  return s.length >= 2 && s.startsWith('[') && !s.startsWith('[[') && s.endsWith(']');
}

/** A template string's literal value: `[[x]` stands for `[x]`. Only meaningful when not an expression. */
export function unescapeLiteral(s: string): string {
  return s.startsWith('[[') ? s.slice(1) : s;
}

// Expressions in real templates are a few hundred characters; this bounds a hostile one.
const MAX_EXPRESSION = 64 * 1024;
const MAX_DEPTH = 64;

/** Parse the inside of `[...]` (the brackets included) into a tree. */
export function parseExpression(text: string): ArmExpr {
  if (text.length > MAX_EXPRESSION) throw new ArmSyntaxError(`expression longer than ${MAX_EXPRESSION} characters`);
  const src = isExpression(text) ? text.slice(1, -1) : text;
  let i = 0;
  const ws = () => { while (i < src.length && /\s/.test(src[i]!)) i++; };
  const fail = (what: string): never => { throw new ArmSyntaxError(`${what} at offset ${i + 1}`); };

  function primary(depth: number): ArmExpr {
    if (depth > MAX_DEPTH) fail('expression nested too deeply');
    ws();
    const c = src[i];
    if (c === undefined) return fail('unexpected end of expression');
    if (c === "'") {
      i++;
      let s = '';
      for (;;) {
        if (i >= src.length) fail('unterminated string');
        if (src[i] === "'") {
          if (src[i + 1] === "'") { s += "'"; i += 2; continue; }
          i++;
          break;
        }
        s += src[i++];
      }
      return { kind: 'string', value: s };
    }
    if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) return fail('bad number');
      i += m[0].length;
      return { kind: 'number', value: Number(m[0]) };
    }
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i));
    if (!m) return fail(`unexpected ${JSON.stringify(c)}`);
    // A dotted name is a namespaced user function (ns.fn); a name without a call is a keyword.
    i += m[0].length;
    ws();
    if (src[i] !== '(') {
      const w = m[0].toLowerCase();
      if (w === 'true' || w === 'false') return { kind: 'bool', value: w === 'true' };
      if (w === 'null') return { kind: 'null' };
      return fail(`expected "(" after ${m[0]}`);
    }
    i++;
    const args: ArmExpr[] = [];
    ws();
    if (src[i] === ')') i++;
    else {
      for (;;) {
        args.push(postfix(depth + 1));
        ws();
        if (src[i] === ',') { i++; continue; }
        if (src[i] === ')') { i++; break; }
        fail('expected "," or ")"');
      }
    }
    return { kind: 'call', name: m[0], args };
  }

  function postfix(depth: number): ArmExpr {
    let e = primary(depth);
    for (;;) {
      ws();
      if (src[i] === '.') {
        i++;
        ws();
        const m = /^[A-Za-z_$][A-Za-z0-9_$-]*/.exec(src.slice(i));
        if (!m) fail('expected a property name after "."');
        i += m![0].length;
        e = { kind: 'member', target: e, name: m![0] };
      } else if (src[i] === '[') {
        i++;
        const index = postfix(depth + 1);
        ws();
        if (src[i] !== ']') fail('expected "]"');
        i++;
        e = { kind: 'index', target: e, index };
      } else return e;
    }
  }

  const e = postfix(0);
  ws();
  if (i !== src.length) fail('unexpected text after the expression');
  return e;
}
