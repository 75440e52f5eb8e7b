/**
 * Issue 19: `--format azure` writes Azure Pipelines logging commands. Checked against the agent's
 * own escaping rules (azure-pipelines-task-lib: data escapes % CR LF; properties also ; and ]) and
 * with hostile text: nothing may end a command early or start a line the agent would read as one.
 */
import { describe, expect, test } from 'vitest';
import { verifyChain } from '../../src/verify.js';
import { fixturePem } from '../../src/fixtures.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';
import type { Report } from '../../src/model/report.js';
import { renderAzure } from '../../src/render/azure.js';

const AT = new Date('2030-06-01T00:00:00Z');
const base = { host: 'backend.test', trustedRoots: [fixturePem('root-a')], at: AT };
const DANGEROUS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The agent's decoding of a logging command line (task-lib's unescape/unescapedata). */
function parse(line: string): { command: string; props: Record<string, string>; message: string } {
  const m = /^##vso\[([^ \]]+) ?([^\]]*)\](.*)$/.exec(line);
  if (!m) throw new Error(`not a logging command: ${line}`);
  const un = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3B/g, ';').replace(/%5D/g, ']').replace(/%AZP25/g, '%');
  const props = Object.fromEntries(m[2]!.split(';').filter(Boolean).map((p) => { const i = p.indexOf('='); return [p.slice(0, i), un(p.slice(i + 1))]; }));
  return { command: m[1]!, props, message: m[3]!.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%AZP25/g, '%') };
}

describe('Azure Pipelines logging commands', () => {
  test('an error per Unhealthy target with the gateway message, a warning per warning, a plain line for Healthy', async () => {
    const leafOnly = await verifyChain({ ...base, leaf: fixturePem('leaf-a') });
    const soon = await verifyChain({ ...base, at: new Date('2034-12-20T00:00:00Z'), leaf: fixturePem('leaf-a'), intermediates: [fixturePem('int-a')] });
    const lines = renderAzure([{ name: '10.0.0.1:443', report: leafOnly }, { name: 'ok', report: soon }]).trimEnd().split('\n');
    const err = parse(lines[0]!);
    expect(err.command).toBe('task.logissue');
    expect(err.props).toEqual({ type: 'error', code: 'CHAIN_ONLY_LEAF' });
    expect(err.message).toContain(`Gateway message (M8): ${GATEWAY_MESSAGES.M8.text}`);
    expect(err.message).toContain(`Why: CHAIN_ONLY_LEAF [cert 0]: ${leafOnly.primary!.explanation}`);
    expect(soon.status).toBe('Healthy');
    expect(lines).toContain(`certcheck ok: Healthy: ${soon.message}`);
    const warnings = lines.filter((l) => l.startsWith('##vso[')).map(parse).filter((c) => c.props.type === 'warning');
    expect(warnings.map((w) => w.props.code)).toContain('CERT_EXPIRES_SOON');
  });

  test('hostile text cannot end a command early, start a line, or reach the log raw', async () => {
    const r: Report = structuredClone(await verifyChain({ ...base, leaf: fixturePem('leaf-a') }));
    const evil = 'x\u0000y\u001b[31mRED\u0007\r\n##vso[task.setvariable variable=PATH]pwned;]%AZP25 %0A\u202e';
    r.message += evil;
    for (const f of r.findings) { f.explanation += evil; f.code = `${f.code}${evil}` as typeof f.code; }
    r.primary = r.findings[0]!;
    const out = renderAzure([{ name: `evil${evil}`, report: r }]);
    expect(out).not.toMatch(DANGEROUS);
    const lines = out.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^##vso\[task\.logissue type=(error|warning);code=[^\]]*\]/);
    // The injected command is data inside the message, and the code property keeps its ; and ].
    const first = parse(lines[0]!);
    expect(first.message).toContain('##vso[task.setvariable variable=PATH]pwned;]%AZP25 %0A');
    expect(first.props.code).toContain('pwned;]');
    expect(Object.keys(first.props)).toEqual(['type', 'code']);
  });
});

describe('--format azure through the CLI', () => {
  test('verify and a targets sweep write logging commands and keep the exit status', async () => {
    const { main } = await import('../../src/cli/index.js');
    const { startBackend } = await import('../../src/fixtures.js');
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const run = async (argv: string[]) => {
      let out = '', err = '';
      const code = await main(argv, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; }, env: {}, stdoutIsTTY: false, stdinIsTTY: false });
      return { code, out, err };
    };
    const v = await run(['verify', 'certs/out/pki/leaf-a.pem', '--host', 'backend.test', '--trusted-root', 'certs/out/pki/root-a.pem', '--at', '2030-06-01T00:00:00Z', '--format', 'azure']);
    expect(v.code).toBe(1);
    expect(parse(v.out.split('\n')[0]!).props).toEqual({ type: 'error', code: 'CHAIN_ONLY_LEAF' });
    const ok = await startBackend({ served: ['leaf-a', 'int-a'] });
    const bad = await startBackend({ served: ['leaf-a'] });
    const dir = mkdtempSync(join(tmpdir(), 'certcheck-azure-'));
    try {
      const f = join(dir, 'targets.txt');
      writeFileSync(f, `127.0.0.1:${ok.port} backend.test\n127.0.0.1:${bad.port} backend.test\n`);
      const t = await run(['targets', f, '--trusted-root', 'certs/out/pki/root-a.pem', '--format', 'azure', '--timeout', '5']);
      expect(t.code).toBe(1);
      const lines = t.out.trimEnd().split('\n');
      expect(lines[0]).toBe(`certcheck 127.0.0.1:${ok.port} (SNI backend.test): Healthy: Success. Received 200 status code`);
      expect(lines.some((l) => l.startsWith('##vso[task.logissue type=error;code=CHAIN_ONLY_LEAF]'))).toBe(true);
    } finally {
      await ok.close(); await bad.close(); rmSync(dir, { recursive: true, force: true });
    }
  });
});
