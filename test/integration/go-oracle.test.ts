/**
 * Issue 14: the strict profile is a complete RFC 5280 path validator; Go's crypto/x509 is its
 * independent oracle. test/oracles/goverify (built here with Debian's golang-go) verifies each
 * case of the path-building corpus (test/oracles/path-corpus.ts) as a TLS client would; the
 * strict profile must reach the same verdict on every case, except where the corpus names a
 * documented difference. The corpus's own expectations are checked against Go too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/verify.js';
import { pathCorpus } from '../oracles/path-corpus.js';

const haveGo = spawnSync('go', ['version']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-go-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// CI installs golang-go (.ci/run); a developer's machine without Go skips, and says so.
describe.skipIf(!haveGo && !process.env.CI)('strict profile vs Go crypto/x509 (path building)', () => {
  it('agrees on every case of the path-building corpus', { timeout: 120_000 }, async () => {
    const bin = join(tmp, 'goverify');
    execFileSync('go', ['build', '-o', bin, join(import.meta.dirname, '..', 'oracles', 'goverify', 'main.go')], { env: { ...process.env, GOFLAGS: '-mod=mod', GO111MODULE: 'off' }, stdio: 'pipe' });
    const cases = pathCorpus();
    const input = cases.map((c) => ({ name: c.name, leaf: c.sent[0]!.der.toString('base64'), intermediates: c.sent.slice(1).map((b) => b.der.toString('base64')), roots: c.roots.map((b) => b.der.toString('base64')), host: c.host, at: c.at }));
    const go = execFileSync(bin, { input: JSON.stringify(input), encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as { name: string; ok: boolean; error?: string });
    expect(go.map((g) => g.name)).toEqual(cases.map((c) => c.name));
    const disagreements: string[] = [];
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!, g = go[i]!;
      if (g.ok !== c.valid && !c.goDiffers) disagreements.push(`corpus expectation ${c.name}: expected ${c.valid ? 'valid' : 'invalid'}, Go says ${g.ok ? 'valid' : g.error}`);
      const t0 = performance.now();
      const r = await verifyChain({ leaf: c.sent[0]!.der, intermediates: c.sent.slice(1).map((b) => b.der), trustedRoots: c.roots.map((b) => b.der), host: c.host, at: new Date(c.at), profile: 'strict' });
      const ms = performance.now() - t0;
      // The strict validator's verdict is certcheck's policy (issue 18); `status` stays the gateway's.
      const strictFails = r.policy.failures.filter((f) => f.check === 'strict');
      const ok = strictFails.length === 0;
      if (ok !== g.ok && !c.goDiffers) disagreements.push(`${c.name}: strict ${ok ? 'accepts' : `rejects (${strictFails.map((f) => f.code).join(', ')})`}, Go ${g.ok ? 'accepts' : `rejects (${g.error})`}`);
      // The budget (issue 14): any chain set ends within a second.
      if (ms > 1000) disagreements.push(`${c.name}: took ${Math.round(ms)} ms`);
    }
    expect(disagreements).toEqual([]);
  });
});
