/**
 * Lines fitted to a terminal's width: broken between words, continuation lines indented to where
 * the line's value starts (a hanging indent). Every text view wraps here, and only when it is
 * given a width: with no terminal (a pipe, a file, CI) a line stays whole, so grep and diff see one
 * record per line.
 *
 * Widths are counted in terminal columns: ANSI colour sequences count nothing, East Asian wide
 * characters two, combining marks nothing. A word is never split unless it alone is wider than
 * the room a line has for it (a long URL, a body without spaces); then it is cut, but never inside
 * an ANSI sequence or a backslash escape (`\u001b`, `\\`), which the terminal would show broken.
 */

const ESC = '\u001b';
/** An SGR sequence (what painter() writes): `ESC [ params m`. */
const SGR = /\u001b\[[0-9;]*m/y;
/** The escapes the renderers write for what may not reach a terminal raw. */
const BACKSLASH_ESCAPE = /\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/y;

/** The fewest columns a wrapped line keeps for its text: a deeper hanging indent is given up. */
const MIN_ROOM = 20;

/** Columns a code point takes on a terminal (wcwidth's broad rules: wide East Asian 2, combining 0). */
function charWidth(cp: number): number {
  if (cp < 0x300) return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? 0 : 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) || (cp >= 0xac00 && cp <= 0xd7a3)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6)
    || (cp >= 0x1f300 && cp <= 0x1f64f) || (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd)) return 2;
  return 1;
}

/** One indivisible piece of a line: an SGR sequence (no width), a backslash escape, or one character. */
interface Atom { s: string; w: number; sgr: boolean }

function atoms(s: string): Atom[] {
  const out: Atom[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === ESC) {
      SGR.lastIndex = i;
      const m = SGR.exec(s);
      if (m) { out.push({ s: m[0], w: 0, sgr: true }); i += m[0].length; continue; }
    }
    if (s[i] === '\\') {
      BACKSLASH_ESCAPE.lastIndex = i;
      const m = BACKSLASH_ESCAPE.exec(s);
      if (m) { out.push({ s: m[0], w: m[0].length, sgr: false }); i += m[0].length; continue; }
    }
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    out.push({ s: ch, w: charWidth(cp), sgr: false });
    i += ch.length;
  }
  return out;
}

/** The columns `s` takes on a terminal: ANSI colour sequences count nothing. */
export function visibleWidth(s: string): number {
  let w = 0;
  for (const a of atoms(s)) w += a.w;
  return w;
}

/** The columns before the first non-space character. */
function leadingSpaces(s: string): number {
  const m = /^ */.exec(s.replace(/\u001b\[[0-9;]*m/g, ''));
  return m ? m[0].length : 0;
}

/**
 * Where a line's value starts, read from its layout, for lines whose renderer did not say: after
 * a label that ends in a colon (`Target:  `, `Gateway message: `, `Fix: `), after a first word
 * followed by two spaces or more (`issuer   `, `ERROR   `), after a list marker (`[0] `, `2. `,
 * `- `), or else at the line's own indent.
 */
export function hangOf(line: string): number {
  const plain = line.replace(/\u001b\[[0-9;]*m/g, '');
  const indent = leadingSpaces(plain);
  const rest = plain.slice(indent);
  const label = /^((?:[A-Za-z][\w'()-]*\s){0,2}[A-Za-z][\w'()-]*:)( +)\S/.exec(rest)
    ?? /^(\S{1,16})( {2,})\S/.exec(rest)
    ?? /^(\[\d+\]|\d+[.)]|[-*])( )\S/.exec(rest);
  return label ? indent + visibleWidth(label[1]! + label[2]!) : indent;
}

/**
 * One line fitted to `width` columns: broken at spaces (so lists break after their ", "), each
 * continuation line indented by `hang` columns (default: {@link hangOf} the line). Returns the
 * line unchanged when `width` is undefined (no terminal) or the line already fits. Colour that is
 * on at a break is closed at the end of the line and opened again after the indent, so every
 * physical line stands alone (a pager or a log viewer may show any line by itself).
 */
export function wrapLine(line: string, width: number | undefined, hang?: number): string {
  if (width === undefined || width <= 0) return line;
  if (line.includes('\n')) return line.split('\n').map((l) => wrapLine(l, width, hang)).join('\n');
  const all = atoms(line);
  let total = 0;
  for (const a of all) total += a.w;
  if (total <= width) return line;
  let h = hang ?? hangOf(line);
  // A hanging indent that leaves too little room is given up for a shallow one.
  if (width - h < MIN_ROOM) h = Math.max(0, Math.min(h, width - MIN_ROOM));

  // Words: runs of non-space atoms, each with the spaces before it.
  interface Word { atoms: Atom[]; w: number; gap: Atom[]; gapW: number }
  const words: Word[] = [];
  let gap: Atom[] = [], gapW = 0, cur: Word | undefined;
  for (const a of all) {
    if (!a.sgr && a.s === ' ') {
      if (cur) { words.push(cur); cur = undefined; gap = []; gapW = 0; }
      gap.push(a); gapW += 1;
      continue;
    }
    if (!cur) cur = { atoms: [], w: 0, gap, gapW };
    cur.atoms.push(a); cur.w += a.w;
  }
  if (cur) words.push(cur);
  else if (gap.length) words.push({ atoms: [], w: 0, gap, gapW });

  const out: string[] = [];
  let buf = '', col = 0;
  // At the start of a continuation line, where the spaces of a break are dropped.
  let fresh = false;
  // The SGR sequences in force since the last reset, to reopen after a break.
  let active: string[] = [];
  const put = (a: Atom) => {
    buf += a.s;
    col += a.w;
    if (!a.sgr) return;
    if (a.s === `${ESC}[0m` || a.s === `${ESC}[m`) active = []; else active.push(a.s);
  };
  const newLine = (at = h) => {
    out.push(active.length ? `${buf}${ESC}[0m` : buf);
    buf = ' '.repeat(at) + active.join('');
    col = at;
    fresh = true;
  };
  for (const w of words) {
    // A word that fits the width but not the room after the indent gets a line indented less,
    // rather than being cut.
    const at = w.w > width - h && w.w <= width ? width - w.w : h;
    if (!fresh && col > at && col + w.gapW + w.w > width) newLine(at);
    if (!fresh) for (const g of w.gap) put(g);
    if (w.w <= width - col) {
      for (const a of w.atoms) put(a);
    } else {
      // Wider than the room a whole line has: cut it, between atoms.
      for (const a of w.atoms) {
        if (!a.sgr && col + a.w > width && col > h) newLine();
        put(a);
      }
    }
    if (w.atoms.some((a) => !a.sgr)) fresh = false;
  }
  out.push(buf);
  return out.join('\n');
}

/**
 * Every line of `text` fitted to `width` (see {@link wrapLine}), each with `hang` (0 for prose)
 * or the hanging indent its layout gives; `text` unchanged when `width` is undefined.
 */
export function wrapText(text: string, width: number | undefined, hang?: number): string {
  if (width === undefined) return text;
  return text.split('\n').map((l) => wrapLine(l, width, hang)).join('\n');
}
