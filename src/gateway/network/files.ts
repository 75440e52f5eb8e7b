/**
 * Reading the network documents named on the command line (`--network FILE`, repeatable) and the
 * gateway's own document, which may be an ARM template or `az group export` holding the network
 * too. Each file is read once: the gateway document serves both the configuration and the network.
 */
import { InputError } from '../../model/errors.js';
import { inputLabel, readInputFile } from '../../x509/decode.js';
import { addNetworkDocument, emptyInventory, type LoadNetworkOptions } from './load.js';
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
 * The network model of a gateway from its own document and the `--network` files; null when they
 * hold no network resources (then nothing changes from a run without them).
 */
export async function loadGatewayNetwork(
  gateway: { doc: unknown; label: string; sku: 'v1' | 'v2'; id: string | null; name: string | null },
  files: readonly string[],
  o: LoadNetworkOptions = {},
): Promise<NetworkModel | null> {
  const inv = emptyInventory();
  addNetworkDocument(inv, gateway.doc, gateway.label, o);
  // The gateway document's own warnings matter only when it is also the network's source.
  const own = inv.warnings.splice(0);
  for (const f of files) {
    if (f === '-' && files.filter((x) => x === '-').length > 1) throw new InputError('--network -: stdin can be read once');
    const { doc, label } = await readJsonDocument(f);
    addNetworkDocument(inv, doc, label, o);
  }
  if (!hasNetwork(inv)) {
    if (files.length) throw new InputError(`--network ${files.join(', ')}: no NSG, route table, VNet, subnet or NIC in ${files.length > 1 ? 'these files' : 'this file'}${inv.warnings.length ? ` (${inv.warnings[0]})` : ''}`);
    return null;
  }
  inv.warnings.unshift(...own.filter((w) => !/not a network resource/.test(w)));
  return buildNetworkModel(inv, { sku: gateway.sku, gatewayId: gateway.id, gatewayName: gateway.name });
}
