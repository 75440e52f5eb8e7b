/**
 * Issue 14 item 1: the gateway profile predicts OpenSSL 3.0 as a TLS client. Each case is a chain
 * OpenSSL rejects (measured here with `openssl verify -purpose sslserver -verify_hostname|-verify_ip
 * -auth_level 1`, the gateway's default flags) that certcheck once called Healthy. The test runs
 * OpenSSL on every case and asserts both its verdict and its error, then that certcheck's gateway
 * profile says Unhealthy with M15 and that same error (1.1.1 numbering).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFinding } from '../../src/model/catalog.js';
import { verifyChain } from '../../src/verify.js';
import * as g from '../reliability/certgen.js';
import { PARITY_AT as AT, TO_111, parityCorpus } from '../oracles/parity-corpus.js';

const HOST = 'backend.test';

let tmp: string;
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'certcheck-parity-')); });
afterAll(() => { rmSync(tmp, { recursive: true, force: true }); });

/** `openssl verify` as a TLS client would run it; the X509_V_ERR number when it rejects. */
function openssl(leaf: Uint8Array, untrusted: Uint8Array[], root: Uint8Array, host: string): { ok: boolean; code?: number; out: string } {
  const f = (n: string, ders: Uint8Array[]) => { const p = join(tmp, n); writeFileSync(p, ders.map((d) => g.toPem(d)).join('')); return p; };
  const args = ['verify', '-auth_level', '1', '-purpose', 'sslserver', /:|^\d+\.\d+\.\d+\.\d+$/.test(host) ? '-verify_ip' : '-verify_hostname', host,
    '-attime', String(Math.floor(AT.getTime() / 1000)), '-no-CAfile', '-no-CApath', '-no-CAstore', '-CAfile', f('root.pem', [root])];
  if (untrusted.length) args.push('-untrusted', f('untrusted.pem', untrusted));
  args.push(f('leaf.pem', [leaf]));
  try {
    return { ok: true, out: execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    const out = String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
    const m = /error (\d+) at/.exec(out);
    return { ok: false, ...(m ? { code: Number(m[1]) } : {}), out };
  }
}

describe('gateway profile rejects what OpenSSL 3.0 rejects (issue 14 item 1)', () => {
  for (const c of parityCorpus()) {
    it(`${c.name}: openssl ${c.openssl}`, async () => {
      const o = openssl(c.leaf.der, c.ints.map((i) => i.der), c.root.der, c.host);
      expect(o.ok ? 'ok' : o.code, o.out).toBe(c.openssl);
      const t0 = performance.now();
      const r = await verifyChain({ leaf: c.leaf.der, intermediates: c.ints.map((i) => i.der), trustedRoots: [c.root.der], host: c.host, at: AT });
      expect(performance.now() - t0).toBeLessThan(3000);
      if (c.openssl === 'ok') {
        expect(r.status).toBe('Healthy');
        if (c.warning) expect(r.findings.map((f) => f.code)).toContain(c.warning);
        return;
      }
      expect(r.status).toBe('Unhealthy');
      expect(r.messageId).toBe('M15');
      expect(r.primary?.openssl?.code).toBe(TO_111[c.openssl] ?? c.openssl);
    });
  }
});

describe('the catalog words the new name-constraint cases', () => {
  const base = { subject: 'CN=x', sha256: 'ab', name: '10.0.0.1', constrainedBy: 'CN=ca' };
  it('53, 51, 49 and the EC weak key', () => {
    expect(makeFinding('NAME_CONSTRAINTS_VIOLATION', { ...base, reason: 'unsupported-name-syntax', subtree: '0a000001' }, { certIndex: 0 }).explanation)
      .toBe('Name 10.0.0.1 in certificate 0 (CN=x) violates the name constraints of "CN=ca": OpenSSL cannot compare it with subtree 0a000001 (an iPAddress that is not 4 or 16 octets, a constraint that is not 8 or 32, or a malformed email or URI; RFC 5280 §4.2.1.10).');
    expect(makeFinding('NAME_CONSTRAINTS_VIOLATION', { ...base, reason: 'unsupported-constraint-type', subtree: 'otherName 1.3.6.1.4.1.311.20.2.3' }, { certIndex: 0 }).explanation)
      .toBe('Name 10.0.0.1 in certificate 0 (CN=x) violates the name constraints of "CN=ca": OpenSSL does not support name constraints of this type (subtree otherName 1.3.6.1.4.1.311.20.2.3).');
    expect(makeFinding('NAME_CONSTRAINTS_VIOLATION', { ...base, reason: 'subtree-minmax', subtree: 'backend.test' }, { certIndex: 0 }).explanation)
      .toMatch(/subtree backend\.test has a minimum or maximum/);
    expect(makeFinding('WEAK_KEY', { subject: 'CN=x', sha256: 'ab', bits: 192, algorithm: 'EC P-192' }, { certIndex: 0 }).explanation)
      .toBe('Certificate 0 (CN=x) has a 192-bit EC P-192 key; OpenSSL rejects EC keys under 160 bits at security level 1 and under 224 (P-192 included) at level 2.');
  });
});

describe('name-constraint work stays bounded', () => {
  /** `cas` constrained CAs, each with 1001 permitted DNS subtrees, over a leaf with 1001 dNSNames: every name matches only the last subtree. */
  function deep(cas: number) {
    const root = g.makeCa([['CN', 'Parity Budget Root']], 'self');
    const permitted = [...Array.from({ length: 1000 }, (_, k) => `DNS:x${k}.invalid`), 'DNS:test'];
    const ints: g.Built[] = [];
    let signer = root.signer;
    for (let k = 0; k < cas; k++) {
      const i = g.makeCa([['CN', `Parity Budget CA ${k}`]], signer, { nc: { permitted } });
      ints.unshift(i);
      signer = i.signer;
    }
    const san = ['DNS:backend.test', ...Array.from({ length: 1000 }, (_, k) => `DNS:h${k}.backend.test`)];
    return { root, ints, leaf: g.makeLeaf(signer, { san, notBefore: 'U:300101000000Z', notAfter: 'U:301231000000Z' }) };
  }

  it('4 CAs x 1001 subtrees x 1003 names (about 4 million comparisons, under both limits): Healthy, as openssl says, in well under a second', async () => {
    const { root, ints, leaf } = deep(4);
    expect(openssl(leaf.der, ints.map((i) => i.der), root.der, HOST).ok).toBe(true);
    await verifyChain({ leaf: leaf.der, intermediates: ints.map((i) => i.der), trustedRoots: [root.der], host: HOST, at: AT });
    const t0 = performance.now();
    const r = await verifyChain({ leaf: leaf.der, intermediates: ints.map((i) => i.der), trustedRoots: [root.der], host: HOST, at: AT });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.status).toBe('Healthy');
  });

  it('5 such CAs: past certcheck\'s whole-path budget (2^22), refused with error 1 where openssl accepts (certs/DIFFERENCES.md)', async () => {
    const { root, ints, leaf } = deep(5);
    expect(openssl(leaf.der, ints.map((i) => i.der), root.der, HOST).ok).toBe(true);
    const t0 = performance.now();
    const r = await verifyChain({ leaf: leaf.der, intermediates: ints.map((i) => i.der), trustedRoots: [root.der], host: HOST, at: AT });
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(r.status).toBe('Unhealthy');
    expect(r.primary?.code).toBe('NAME_CONSTRAINTS_VIOLATION');
    expect(r.primary?.openssl?.code).toBe(1);
    expect(r.primary?.evidence.reason).toBe('budget');
  });
});
