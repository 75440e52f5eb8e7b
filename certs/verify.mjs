// Runs `openssl verify` on one scenario the way the gateway's OpenSSL would judge it, so the table's
// `expect.opensslVerify` / `expect.opensslError` can be checked (test/unit/fixtures.test.ts) and
// refreshed (`node certs/verify.mjs`, prints the table's openssl map).
//
// -auth_level 1: plain `openssl verify` applies no security level at all (SHA-1/MD5 signatures
// pass), while a TLS client applies its SSL security level (OpenSSL default 1), which rejects
// them with error 68. The gateway verifies inside a handshake, so level 1 is the closer model.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { loadServed, loadRoots, toPem, scenarios } from './scenarios.mjs';

/**
 * @param {import('./scenarios.mjs').Scenario} scenario
 * @returns {{ result: 'ok'|'fail', error: number|null, output: string, args: string[] }}
 */
export function opensslVerify(scenario) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certcheck-verify-'));
  try {
    const served = loadServed(scenario);
    const roots = loadRoots(scenario);
    const leaf = path.join(dir, 'leaf.pem');
    const rest = path.join(dir, 'untrusted.pem');
    const ca = path.join(dir, 'roots.pem');
    fs.writeFileSync(leaf, toPem(served[0].der));
    fs.writeFileSync(rest, served.slice(1).map((c) => toPem(c.der)).join(''));
    fs.writeFileSync(ca, roots.map((c) => toPem(c.der)).join(''));
    const args = ['verify', '-auth_level', '1', '-purpose', 'sslserver',
      ...(net.isIP(scenario.host) ? ['-verify_ip', scenario.host] : ['-verify_hostname', scenario.host]),
      '-attime', String(Math.floor(Date.parse(scenario.at) / 1000)),
      '-no-CAfile', '-no-CApath', '-no-CAstore', '-CAfile', ca];
    if (served.length > 1) args.push('-untrusted', rest);
    args.push(leaf);
    const run = spawnSync('openssl', args, { encoding: 'utf8', timeout: 10_000 });
    const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
    // openssl verify reports the first error it hit ("error N at D depth lookup").
    const m = /error (\d+) at \d+ depth lookup/.exec(output);
    const ok = run.status === 0 && /: OK\s*$/m.test(output);
    return { result: ok ? 'ok' : 'fail', error: m ? Number(m[1]) : null, output, args };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let differ = 0;
  for (const s of scenarios) {
    const r = opensslVerify(s);
    const got = r.result === 'ok' ? 'ok' : `fail${r.error !== null ? `:${r.error}` : ''}`;
    const want = s.expect.opensslVerify === null ? 'n/a'
      : s.expect.opensslVerify === 'ok' ? 'ok' : `fail${s.expect.opensslError != null ? `:${s.expect.opensslError}` : ''}`;
    const mark = want === 'n/a' || want === got ? ' ' : '!';
    if (mark === '!') differ++;
    console.log(`${mark} ${s.name.padEnd(36)} table=${want.padEnd(8)} openssl=${got}`);
  }
  console.log(differ ? `${differ} scenario(s) disagree with openssl` : 'all scenarios agree with openssl');
  process.exitCode = differ ? 1 : 0;
}
