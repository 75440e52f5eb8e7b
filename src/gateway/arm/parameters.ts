/**
 * Deployment parameters the way `az deployment group create --parameters` takes them: a parameters
 * file (`{"parameters": {"name": {"value": ...}}}`, or just the inner object), `@file`, and
 * `name=value` pairs; later ones win. Pure: the caller reads the files and passes their text.
 */
import { InputError } from '../../model/errors.js';
import { ArmUnknown } from './values.js';
import type { SuppliedParameter } from './template.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One `--parameters` argument: a file's content, or a name=value pair. */
export type ParameterArg = { file: string; text: string } | { pair: string };

/** Whether a `--parameters` argument names a file rather than a name=value pair. */
export function isParameterFileArg(arg: string): boolean {
  if (arg.startsWith('@')) return true;
  const eq = arg.indexOf('=');
  // name=value: a name is an identifier; anything else (a path with "=" in it is rare) is a file.
  return !(eq > 0 && /^[A-Za-z_$][\w$-]*$/.test(arg.slice(0, eq)));
}

/** Values of a parameters file's JSON text. */
export function parseParametersFile(text: string, file: string): Record<string, SuppliedParameter> {
  let doc: unknown;
  try { doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); } catch (e) {
    throw new InputError(`--parameters ${file}: not JSON (${(e as Error).message.split('\n')[0]!.replace(/[^\x20-\x7e]/g, '?').slice(0, 120)})`);
  }
  if (!isObj(doc)) throw new InputError(`--parameters ${file}: expected a parameters file (an object with "parameters")`);
  const ps = isObj(doc.parameters) && (typeof doc.$schema === 'string' || 'contentVersion' in doc || Object.keys(doc).every((k) => ['$schema', 'contentVersion', 'parameters'].includes(k))) ? doc.parameters : doc;
  const out: Record<string, SuppliedParameter> = {};
  for (const [name, v] of Object.entries(ps)) {
    if (name === '$schema' || name === 'contentVersion') continue;
    if (!isObj(v)) throw new InputError(`--parameters ${file}: parameters.${name}: expected {"value": ...} or {"reference": ...}, got ${JSON.stringify(v)?.slice(0, 60)}`);
    if ('value' in v) out[name] = { value: v.value, origin: 'parameters file', file };
    else if ('reference' in v) out[name] = { value: new ArmUnknown(`parameter ${name} is a Key Vault reference in ${file}`), origin: 'parameters file', file };
    else throw new InputError(`--parameters ${file}: parameters.${name}: expected {"value": ...} or {"reference": ...}`);
  }
  return out;
}

/**
 * Merge `--parameters` arguments in order (later wins, as az does). A name=value value is a
 * string; the template's declared type converts it (`int`, `bool`, JSON for object/array).
 */
export function mergeParameters(args: readonly ParameterArg[]): Record<string, SuppliedParameter> {
  const out: Record<string, SuppliedParameter> = {};
  const put = (name: string, p: SuppliedParameter) => {
    const existing = Object.keys(out).find((k) => k.toLowerCase() === name.toLowerCase());
    if (existing !== undefined) delete out[existing];
    out[name] = p;
  };
  for (const a of args) {
    if ('pair' in a) {
      const eq = a.pair.indexOf('=');
      if (eq <= 0) throw new InputError(`--parameters ${a.pair}: expected NAME=VALUE or a parameters file`);
      put(a.pair.slice(0, eq), { value: a.pair.slice(eq + 1), origin: 'command line' });
    } else for (const [k, v] of Object.entries(parseParametersFile(a.text, a.file))) put(k, v);
  }
  return out;
}
