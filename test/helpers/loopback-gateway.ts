/**
 * The v2 fixture gateway (test/fixtures/gateway/v2-cli.json) with its backend settings pointed at
 * loopback backends in turn and its custom probes at `probePort`, written to `dir` as agw.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'gateway', 'v2-cli.json');

export function loopbackGatewayFile(dir: string, settingPorts: readonly number[], probePort: number): string {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown> & { backendHttpSettingsCollection: { port: number }[]; probes?: { port?: number }[] };
  doc.backendHttpSettingsCollection.forEach((s, i) => { s.port = settingPorts[i % settingPorts.length]!; });
  for (const p of doc.probes ?? []) if (p.port !== undefined) p.port = probePort;
  const f = join(dir, 'agw.json');
  writeFileSync(f, JSON.stringify(doc));
  return f;
}
