/**
 * `certcheck gateway` on an ARM template with --parameters (a file and name=value, as az deployment
 * group create takes them), on terraform show -json, and rows whose values the document does not
 * give: planned, reported Unknown with the reason, never contacted. In-process, nothing on the network.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

const RW = 'test/fixtures/realworld';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CliIo = { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('certcheck gateway: templates, parameters, Terraform', () => {
  it('--plan with a parameters file says where each value came from', async () => {
    const { code, out } = await run(['gateway', `${RW}/qs-application-gateway-probe.json`, '--plan', '--parameters', `${RW}/qs-application-gateway-probe.parameters.json`]);
    expect(code).toBe(0);
    expect(out).toContain('Probe plan for applicationGateway1 (Standard_Medium, v1 rules): 1 probe(s), nothing contacted');
    expect(out).toContain(`[from parameter probeHost (parameters file ${RW}/qs-application-gateway-probe.parameters.json)]`);
    expect(out).not.toContain('not probed');
  });

  it('--plan --format json: name=value parameters, a later one wins', async () => {
    const { code, out } = await run(['gateway', `${RW}/qs-application-gateway-webapps.json`, '--plan', '--format', 'json',
      '--parameters', 'azureWebapp1=old.azurewebsites.net', '--parameters', 'azureWebapp1=a1.azurewebsites.net', '--parameters', 'azureWebapp2=a2.azurewebsites.net']);
    expect(code).toBe(0);
    const j = JSON.parse(out) as { gateway: { shape: string }; backendAddressPools: { backendHttpSettingsCollection: { servers: { address: string; plan: { blocked: string | null; hostHeader: string } }[] }[] }[] };
    expect(j.gateway.shape).toBe('arm-template');
    expect(j.backendAddressPools[0]!.backendHttpSettingsCollection[0]!.servers.map((s) => [s.address, s.plan.hostHeader, s.plan.blocked])).toEqual([
      ['a1.azurewebsites.net', 'a1.azurewebsites.net', null], ['a2.azurewebsites.net', 'a2.azurewebsites.net', null],
    ]);
  });

  it('without the parameters: every row Unknown with the reason, nothing contacted, exit 3', async () => {
    const { code, out } = await run(['gateway', `${RW}/qs-application-gateway-webapps.json`, '--format', 'json']);
    expect(code).toBe(3);
    const j = JSON.parse(out) as { summary: { unknown: number; total: number }; backendAddressPools: { backendHttpSettingsCollection: { servers: { health: string; healthProbeLog: string }[] }[] }[] };
    expect([j.summary.unknown, j.summary.total]).toEqual([2, 2]);
    for (const s of j.backendAddressPools[0]!.backendHttpSettingsCollection[0]!.servers) {
      expect(s.health).toBe('Unknown');
      expect(s.healthProbeLog).toContain('parameter azureWebapp');
      expect(s.healthProbeLog).toContain('has no value and no default: give it with --parameters');
    }
  });

  it('terraform show -json plans', async () => {
    const { code, out } = await run(['gateway', 'test/fixtures/gateway/terraform/v1-plan.json', '--plan']);
    expect(code).toBe(0);
    expect(out).toContain('note: read from azurerm_application_gateway.v1 (terraform show -json of a plan)');
    expect(out).toContain('not probed: not known from this document: the address is unknown (resource_changes[0].change.after.backend_address_pool[1].ip_addresses: known after apply');
  });

  it('a .bicepparam file: how to compile it; a missing parameters file: one line', async () => {
    const a = await run(['gateway', `${RW}/qs-application-gateway-probe.json`, '--plan', '--parameters', 'main.bicepparam']);
    expect(a.code).toBe(2);
    expect(a.err).toBe('certcheck: --parameters main.bicepparam: a .bicepparam file is Bicep; compile it first: az bicep build-params --file main.bicepparam (gives a JSON parameters file)\n');
    const b = await run(['gateway', `${RW}/qs-application-gateway-probe.json`, '--plan', '--parameters', 'nope.json']);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/^certcheck: nope\.json: no such file/);
  });
});
