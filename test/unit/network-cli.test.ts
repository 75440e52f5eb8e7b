/**
 * `certcheck gateway CONFIG --network FILE…` in-process, against a loopback backend reached through
 * `--resolve VNET-IP=127.0.0.1`: a live Healthy probe overridden by an NSG deny, the gateway-wide
 * Unknown, --plan in text and JSON, and nothing changed without network resources.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const FIX = path.join(import.meta.dirname, '..', 'fixtures', 'network', 'v2');
const load = (f: string): Json => JSON.parse(readFileSync(path.join(FIX, f), 'utf8')) as Json;

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const io: CliIo = { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

let server: http.Server;
let port = 0;
let tmp = '';
const f = (n: string) => path.join(tmp, n);
let netArgs: string[] = [];
const resolve = ['--resolve', '10.20.1.4=127.0.0.1', '--resolve', '10.20.1.5=127.0.0.1'];

beforeAll(async () => {
  server = http.createServer((_q, s) => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end('ok'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  tmp = mkdtempSync(path.join(tmpdir(), 'certcheck-net-'));
  // One Http setting on the loopback port, two members known by their VNet addresses.
  const gw = load('appgw.json');
  gw.backendAddressPools[0].backendAddresses = [{ ipAddress: '10.20.1.4' }, { ipAddress: '10.20.1.5' }];
  gw.backendHttpSettingsCollection = [{ ...gw.backendHttpSettingsCollection[0], port }];
  gw.probes = [];
  writeFileSync(f('gw.json'), JSON.stringify(gw));
  const be = load('nsg-backend.json');
  be.securityRules[0].destinationPortRanges = [String(port)];
  const nic = load('nsg-web2-nic.json');
  nic.securityRules[0].destinationPortRange = String(port);
  const docs: Record<string, Json> = { 'vnet-hub.json': load('vnet-hub.json'), 'nsg-appgw.json': load('nsg-appgw.json'), 'nsg-backend.json': be, 'nsg-web2-nic.json': nic, 'rt-appgw.json': load('rt-appgw.json'), 'nics.json': [load('nic-web1.json'), load('nic-web2.json')] };
  for (const [n, d] of Object.entries(docs)) writeFileSync(f(n), JSON.stringify(d));
  netArgs = Object.keys(docs).flatMap((n) => ['--network', f(n)]);
  const gmBlocked = load('nsg-appgw.json');
  gmBlocked.securityRules.shift();
  writeFileSync(f('nsg-appgw-nogm.json'), JSON.stringify(gmBlocked));
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(tmp, { recursive: true, force: true });
});

type Server = { address: string; health: string; healthProbeLog: string; primary: string | null; findings: { code: string }[]; plan: Json };
const servers = (doc: Json): Server[] => (doc.backendAddressPools as Json[]).flatMap((p) => (p.backendHttpSettingsCollection as Json[]).flatMap((s) => s.servers as Server[]));

describe('certcheck gateway --network', () => {
  test('a live Healthy probe is overridden by the NIC NSG\'s deny; the open member stays Healthy (exit 1)', async () => {
    const r = await run(['gateway', f('gw.json'), ...netArgs, ...resolve, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Json;
    expect(doc.network).toMatchObject({ gateway: 'agw-hub', subnet: 'appgw-subnet', nsg: 'nsg-appgw', routeTable: 'rt-appgw', decides: null, findings: [] });
    const [a, b] = servers(doc);
    expect(a).toMatchObject({ address: '10.20.1.4', health: 'Healthy' });
    expect(a!.plan.network.summary).toMatch(/^open/);
    expect(b).toMatchObject({ address: '10.20.1.5', health: 'Unhealthy', healthProbeLog: GATEWAY_MESSAGES.M3.text, primary: 'NET_PROBE_BLOCKED' });
    const nf = (b!.findings as unknown as { code: string; evidence: Json }[])[0]!;
    expect(nf.evidence).toMatchObject({ nsg: 'nsg-web2-nic', rule: 'DenyAppGw8443', priority: 300, port });
    // The probe itself reached the loopback backend: the network, not the probe, decided.
    expect(b!.findings.map((x) => x.code)).toEqual(['NET_PROBE_BLOCKED']);
  });

  test('text: the network stage and each row\'s network line', async () => {
    const r = await run(['gateway', f('gw.json'), ...netArgs, ...resolve, '--no-color']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/network: gateway subnet appgw-subnet \(10\.20\.0\.0\/24\) in vnet-hub, NSG nsg-appgw, route table rt-appgw/);
    expect(r.stdout).toMatch(/10\.20\.1\.5\s+Unhealthy\s+Application Gateway could not connect/);
    expect(r.stdout).toMatch(/network: NET_PROBE_BLOCKED: nsg-web2-nic\/DenyAppGw8443 \(300\)/);
  });

  test('jsonl: the network finding is the row\'s primary', async () => {
    const r = await run(['gateway', f('gw.json'), ...netArgs, ...resolve, '--format', 'jsonl']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Json);
    const b = lines.find((l) => l.address === '10.20.1.5')!;
    expect(b).toMatchObject({ health: 'Unhealthy', primary: 'NET_PROBE_BLOCKED' });
  });

  test('GatewayManager blocked: every server Unknown with U1 (exit 3)', async () => {
    const args = netArgs.map((a) => (a === f('nsg-appgw.json') ? f('nsg-appgw-nogm.json') : a));
    const r = await run(['gateway', f('gw.json'), ...args, ...resolve, '--format', 'json']);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as Json;
    expect(doc.network.decides).toBe('NET_GATEWAY_MANAGER_BLOCKED');
    for (const s of servers(doc)) expect(s).toMatchObject({ health: 'Unknown', healthProbeLog: GATEWAY_MESSAGES.U1.text, primary: 'NET_GATEWAY_MANAGER_BLOCKED' });
  });

  test('--plan contacts nothing and shows each row\'s network verdict (text and JSON)', async () => {
    const t = await run(['gateway', f('gw.json'), ...netArgs, '--plan', '--no-color']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/network\s+Unhealthy \(NET_PROBE_BLOCKED\)\s+← NET_PROBE_BLOCKED: NSG nsg-web2-nic/);
    expect(t.stdout).toMatch(/network\s+the probe decides\s+← open/);
    const j = await run(['gateway', f('gw.json'), ...netArgs, '--plan', '--format', 'json']);
    const doc = JSON.parse(j.stdout) as Json;
    expect(doc.network.subnet).toBe('appgw-subnet');
    expect(servers(doc).map((s) => s.plan.network.health)).toEqual([null, 'Unhealthy']);
  });

  test('without network resources nothing changes: no network key, the probe decides', async () => {
    const r = await run(['gateway', f('gw.json'), ...resolve, '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as Json;
    expect('network' in doc).toBe(false);
    expect(servers(doc).map((s) => s.health)).toEqual(['Healthy', 'Healthy']);
    expect(servers(doc).every((s) => !('network' in s.plan))).toBe(true);
  });

  test('CONFIG as an ARM template holding the gateway and its network: judged without --network', async () => {
    // The ARM shape: `properties` on each resource and on each of the gateway's sub-resources.
    const arm = (o: Json): Json => {
      const { name, id, type, etag: _e, resourceGroup: _g, ...rest } = o;
      const props: Json = {};
      for (const [k, v] of Object.entries(rest)) {
        props[k] = type === 'Microsoft.Network/applicationGateways' && Array.isArray(v)
          ? v.map((x: Json) => { const { name: n, id: i, type: _t, etag: _e2, resourceGroup: _g2, ...p } = x; return { name: n, id: i, properties: p }; })
          : v;
      }
      return { type, apiVersion: '2023-09-01', name, id, properties: props };
    };
    const gw = JSON.parse(readFileSync(f('gw.json'), 'utf8')) as Json;
    const docs = ['vnet-hub.json', 'nsg-appgw.json', 'nsg-backend.json', 'nsg-web2-nic.json', 'rt-appgw.json'].map((n) => JSON.parse(readFileSync(f(n), 'utf8')) as Json);
    const nics = JSON.parse(readFileSync(f('nics.json'), 'utf8')) as Json[];
    const template = { $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources: [gw, ...docs, ...nics].map(arm) };
    writeFileSync(f('template.json'), JSON.stringify(template));
    const r = await run(['gateway', f('template.json'), ...resolve, '--format', 'json']);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as Json;
    expect(doc.network).toMatchObject({ subnet: 'appgw-subnet', nsg: 'nsg-appgw' });
    expect(servers(doc).map((s) => [s.address, s.health, s.primary])).toEqual([['10.20.1.4', 'Healthy', null], ['10.20.1.5', 'Unhealthy', 'NET_PROBE_BLOCKED']]);
  });

  test('a --network file without network resources is a usage error', async () => {
    const r = await run(['gateway', f('gw.json'), '--network', f('gw.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^certcheck: --network .*: no NSG, route table, VNet, subnet or NIC/);
  });
});
