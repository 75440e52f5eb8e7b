/**
 * Reading the network documents named on the command line (`--network FILE`, repeatable) and the
 * gateway's own document, which may be an ARM template or `az group export` holding the network
 * too. Each file is read once: the gateway document serves both the configuration and the network.
 */
import { InputError } from '../../model/errors.js';
import { inputLabel, readInputFile } from '../../x509/decode.js';
import { addNetworkDocument, emptyInventory, type LoadNetworkOptions } from './load.js';
import { evaluateTemplate, isTemplate, type SuppliedParameter } from '../arm/template.js';
import { isUnknown } from '../arm/values.js';
import { buildNetworkModel, hasNetwork, type NetworkModel } from './verdict.js';

/** A parsed JSON file and the name messages use for it. */
export interface JsonDocument { doc: unknown; label: string }

/** Read and parse a JSON file ("-" for stdin), with the same messages as the gateway config reader. */
export async function readJsonDocument(file: string): Promise<JsonDocument> {
  const bytes = await readInputFile(file);
  const label = inputLabel(file);
  let text = Buffer.from(bytes).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try { return { doc: JSON.parse(text) as unknown, label }; } catch (e) {
    // JSON.parse quotes the input around the error: from a binary file that would be raw bytes on the terminal.
    const why = (e as Error).message.split('\n')[0]!.replace(/[^\x20-\x7e]/g, '?').slice(0, 160);
    throw new InputError(`${label}: not JSON (${why})`);
  }
}

/**
 * An ARM template (or `az group export`) with its expressions evaluated by the template evaluator
 * (gateway/arm): the loader then reads plain resources. A value the evaluator cannot know stays
 * an expression string, which the loader reports as unknown for what depends on it.
 */
function withTemplatesEvaluated(doc: unknown, parameters?: Record<string, SuppliedParameter>): unknown {
  if (Array.isArray(doc)) return doc.map((d) => withTemplatesEvaluated(d, parameters));
  if (!isTemplate(doc)) return doc;
  const ev = evaluateTemplate(doc, parameters ? { parameters } : {});
  const back = (v: unknown): unknown => {
    if (isUnknown(v)) return v.expression || `[unknown(${JSON.stringify(v.reason)})]`;
    if (Array.isArray(v)) return v.map(back);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, back(x)]));
    return v;
  };
  const { parameters: _p, variables: _v, ...rest } = doc;
  return { ...rest, resources: ev.resources.map((r) => ({ ...(back(r.value) as object), type: r.type, name: back(r.name) })) };
}

/**
 * The network model of a gateway from its own document and the `--network` files; null when they
 * hold no network resources (then nothing changes from a run without them). Templates among them
 * are evaluated first (`parameters` as given for the gateway's own template).
 */
export async function loadGatewayNetwork(
  gateway: { doc: unknown; label: string; sku: 'v1' | 'v2'; id: string | null; name: string | null },
  files: readonly string[],
  o: LoadNetworkOptions & { parameters?: Record<string, SuppliedParameter> } = {},
): Promise<NetworkModel | null> {
  const inv = emptyInventory();
  addNetworkDocument(inv, withTemplatesEvaluated(gateway.doc, o.parameters), gateway.label, o);
  // The gateway document's own warnings matter only when it is also the network's source.
  const own = inv.warnings.splice(0);
  for (const f of files) {
    if (f === '-' && files.filter((x) => x === '-').length > 1) throw new InputError('--network -: stdin can be read once');
    const { doc, label } = await readJsonDocument(f);
    addNetworkDocument(inv, withTemplatesEvaluated(doc), label, o);
  }
  if (!hasNetwork(inv)) {
    if (files.length) throw new InputError(`--network ${files.join(', ')}: no NSG, route table, VNet, subnet or NIC in ${files.length > 1 ? 'these files' : 'this file'}${inv.warnings.length ? ` (${inv.warnings[0]})` : ''}`);
    return null;
  }
  inv.warnings.unshift(...own.filter((w) => !/not a network resource/.test(w)));
  return buildNetworkModel(inv, { sku: gateway.sku, gatewayId: gateway.id, gatewayName: gateway.name });
}
