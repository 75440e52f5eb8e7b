/**
 * Issue 15, item 1: a certificate whose URIs (AIA OCSP and CA Issuers, CRL distribution point,
 * SAN URI) and subject carry newlines, C1 controls, U+2028 and bidi overrides, each followed by a
 * GitHub Actions or Azure Pipelines command, run through every output format of verify and probe
 * (with --revocation all), through a sweep (targets, jsonl too) and through bundle --aia,
 * stdout and stderr: nothing arrives raw and no payload starts a line. Runs the built bin
 * (dist/), as CI would.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as g from '../reliability/certgen.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FORMATS = ['text', 'json', 'junit', 'github', 'azure'] as const;
let dir = '';
let server: tls.Server | undefined;
let port = 0;
const sockets = new Set<tls.TLSSocket>();

const uri = (s: string) => g.tlv(0x86, Buffer.from(s, 'latin1'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certcheck-hostile-'));
  const root = g.makeCa([['CN', 'Hostile Root']], 'self');
  const aia = g.seq(
    g.seq(g.oid('1.3.6.1.5.5.7.48.1'), uri('http://ocsp.test/\n::error::PWNED-ocsp\r\n##vso[task.setvariable variable=PWNED]1')),
    g.seq(g.oid('1.3.6.1.5.5.7.48.2'), uri('http://ca.test/\n::add-mask::PWNED-aia\n::stop-commands::PWNED\x85x')));
  const crl = g.seq(g.seq(g.explicit(0, g.explicit(0, uri('http://crl.test/\n::error::PWNED-crl\x1b[31m')))));
  const leaf = g.makeLeaf(root.signer, {
    subject: [['O', 'certcheck test'], ['CN', 'backend.test\u2028::error::PWNED-cn\u2029\u202e']],
    san: ['DNS:backend.test', 'IP:127.0.0.1', 'URI:http://san.test/\n::warning::PWNED-san'],
    extra: [{ oid: '1.3.6.1.5.5.7.1.1', critical: false, value: aia }, { oid: '2.5.29.31', critical: false, value: crl }],
  });
  writeFileSync(join(dir, 'root.pem'), root.pem);
  writeFileSync(join(dir, 'leaf.pem'), leaf.pem);
  server = tls.createServer({ cert: leaf.pem, key: g.privateKeyPem(leaf.keyPair!.privateKey) }, (s) => {
    s.on('error', () => undefined);
    sockets.add(s);
    s.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, 'bin/certcheck.js'), ...args], { cwd: ROOT, timeout: 30_000, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } },
      (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : 99) : 0, stdout, stderr }));
  });
}

// Raw C0 (but tab and newline, which the formats themselves use; a raw CR is refused), C1,
// the line/paragraph separators and the bidi controls.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
// A payload that starts its own line: what a CI runner would execute.
const PAYLOAD_LINE = /^\s*(::(add-mask|stop-commands|error|warning)::PWNED|##vso\[task\.setvariable)/m;

/** Every line that starts like a CI command must be one the renderer wrote for `format`. */
function expectClean(text: string, format: string, where: string): void {
  expect(text, where).not.toMatch(RAW);
  expect(text, where).not.toMatch(PAYLOAD_LINE);
  for (const line of text.split('\n')) {
    if (format === 'github' && where === 'stdout' && line.startsWith('::')) {
      expect(line, where).toMatch(/^::(error|warning|notice)( [^\n]*)?::|^::(group|endgroup)::/);
      // The command's own properties end at the first "::"; the payload stays inside the message.
      expect(line.slice(0, line.indexOf('::', 2)), where).not.toMatch(/PWNED/);
    } else if (format === 'azure' && where === 'stdout' && line.startsWith('##vso[')) {
      expect(line, where).toMatch(/^##vso\[task\.(logissue|complete)[ \]]/);
      expect(line.slice(0, line.indexOf(']')), where).not.toMatch(/PWNED/);
    } else {
      expect(line, `${where}: ${line}`).not.toMatch(/^\s*(::|##vso\[)/);
    }
  }
}

describe('a hostile certificate through every format and command', () => {
  for (const format of FORMATS) {
    it(`verify --revocation all --format ${format}`, async () => {
      const r = await run(['verify', join(dir, 'leaf.pem'), '--trusted-root', join(dir, 'root.pem'), '--host', 'backend.test', '--revocation', 'all', '--format', format]);
      expect(r.code, r.stderr).toBeLessThan(3);
      // The refused URLs are in the report (escaped), so the check is not vacuous.
      expect(`${r.stdout}${r.stderr}`).toMatch(/PWNED-(ocsp|crl)/);
      expectClean(r.stdout, format, 'stdout');
      expectClean(r.stderr, format, 'stderr');
    });

    it(`probe --revocation all --format ${format}`, async () => {
      const r = await run(['probe', `127.0.0.1:${port}`, '--sni', 'backend.test', '--trusted-root', join(dir, 'root.pem'), '--revocation', 'all', '--timeout', '10', '--format', format]);
      expect(r.code, r.stderr).toBeLessThan(3);
      expect(`${r.stdout}${r.stderr}`).toMatch(/PWNED-(ocsp|crl)/);
      expectClean(r.stdout, format, 'stdout');
      expectClean(r.stderr, format, 'stderr');
    });
  }

  for (const format of [...FORMATS, 'jsonl'] as const) {
    it(`targets (sweep) --format ${format}`, async () => {
      const list = join(dir, 'targets.txt');
      writeFileSync(list, `127.0.0.1:${port} backend.test\n`);
      const r = await run(['targets', list, '--trusted-root', join(dir, 'root.pem'), '--timeout', '10', '--format', format]);
      expect(r.code, r.stderr).toBeLessThan(4);
      // A Healthy server's text, JUnit or annotation line does not show its subject; the JSON ones do.
      if (format === 'json' || format === 'jsonl') expect(r.stdout).toMatch(/PWNED-cn/);
      expectClean(r.stdout, format, 'stdout');
      expectClean(r.stderr, format, 'stderr');
    });
  }

  it('bundle --aia: the summary on stderr, and on stdout with --output', async () => {
    for (const extra of [[], ['--output', join(dir, 'out.pem')], ['--json']]) {
      const r = await run(['bundle', join(dir, 'leaf.pem'), '--aia', ...extra]);
      expect(r.code).toBe(1); // the issuer is never fetched: the chain stays incomplete
      expect(`${r.stdout}${r.stderr}`).toMatch(/PWNED-aia/);
      expect(`${r.stdout}${r.stderr}`).toMatch(/control characters/);
      expectClean(r.stdout, 'text', 'stdout');
      expectClean(r.stderr, 'text', 'stderr');
    }
  });
});
