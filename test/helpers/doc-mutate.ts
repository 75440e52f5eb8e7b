/** JSON document surgery for the importer fuzz properties: every path of a document, and one edit at a path. */

/** A path into a JSON document: object keys and array indexes. */
export type Path = (string | number)[];

/** Every path of `v`, the root included, depth first. */
export function paths(v: unknown, p: Path = [], out: Path[] = []): Path[] {
  out.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...p, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...p, k], out);
  return out;
}

/** A copy of `doc` with the value at `p` replaced by `value`, or removed when `del`. */
export function edit(doc: unknown, p: Path, value: unknown, del: boolean): unknown {
  if (!p.length) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of p.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = p.at(-1)!;
  if (del) { if (Array.isArray(cur)) cur.splice(Number(last), 1); else delete cur[last]; } else cur[last] = value;
  return copy;
}
