import { describe, expect, test } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { parseCertificate, parseTime, DerError } from '../../src/x509/cert.js';
import { readTlv } from '../../src/x509/der.js';
import { verifyChain } from '../../src/verify.js';
import { GATEWAY_MESSAGES, fillMessage, identifyGatewayMessage } from '../../src/model/messages.js';
import { CATALOG } from '../../src/model/catalog.js';
import { FINDING_CODES } from '../../src/model/findings.js';

const pem = (n: string) => readFileSync(`certs/out/pki/${n}.pem`, 'utf8');
const der = (n: string) => new Uint8Array(readFileSync(`certs/out/pki/${n}.der`));
const AT = new Date('2030-06-01T00:00:00Z');

describe('gateway message catalog', () => {
  test('canonical texts are the ones appgw-spec marks canonical', () => {
    // A copy of the spec's message section lives in the repo, so this runs in any clone.
    const spec = readFileSync(new URL('../fixtures/appgw-spec-messages.md', import.meta.url), 'utf8');
    for (const id of ['M1', 'M4', 'M8', 'M9', 'M10', 'M11', 'M12', 'M14', 'M15', 'V1a', 'V1b'] as const) {
      expect(spec, id).toContain(GATEWAY_MESSAGES[id].text);
    }
    // M3's canonical form ends with a period; M13's canonical form is the spec's [INF] line.
    expect(GATEWAY_MESSAGES.M3.text.endsWith('of this backend.')).toBe(true);
    expect(GATEWAY_MESSAGES.M13.text).toContain('does not match');
    expect(GATEWAY_MESSAGES.M13.text).toContain('allowlist the backend.');
  });
  test('the repo copy of the spec\'s message section matches shared/ when it is there', () => {
    const shared = new URL('../../../shared/appgw-spec.md', import.meta.url);
    const copy = readFileSync(new URL('../fixtures/appgw-spec-messages.md', import.meta.url), 'utf8');
    // Outside the team's workspace there is no shared/; the copy is then the reference.
    const original = existsSync(shared) ? readFileSync(shared, 'utf8') : copy;
    const section = copy.slice(copy.indexOf('## 1. Backend health error messages'));
    expect(section.length).toBeGreaterThan(1000);
    expect(original).toContain(section.trimEnd());
  });
  test('placeholders fill, and pasted wordings map back to their id', () => {
    expect(fillMessage(GATEWAY_MESSAGES.M4.text, { HTTPStatusCode0: '200-399', HTTPStatusCode1: 404 }))
      .toBe("Status code of the backend's HTTP response did not match the probe setting. Expected:200-399 Received:404.");
    expect(identifyGatewayMessage('The root certificate of the server certificate used by the backend does not match the trusted root certificate added to the application gateway. Ensure that you add the correct root certificate to whitelist the backend')).toBe('M13');
    expect(identifyGatewayMessage("The Common Name (CN) of the backend certificate doesn\u2019t match.")).toBe('M6v1');
    expect(identifyGatewayMessage('something else')).toBeUndefined();
  });
  test('every finding code has a catalog entry', () => {
    for (const c of FINDING_CODES) expect(CATALOG[c], c).toBeDefined();
  });
});

describe('certificate parser', () => {
  test('raw time text is validated, never normalised', () => {
    const t = (raw: string, tag = 0x17) => parseTime(readTlv(new Uint8Array([tag, raw.length, ...Buffer.from(raw)]), 0));
    expect(t('230230000000Z').date).toBeNull();
    expect(t('231301000000Z').date).toBeNull();
    expect(t('231231235960Z').date).toBeNull();
    expect(t('2x1231235959Z').date).toBeNull();
    expect(t('231231235959').date).toBeNull();
    expect(t('491231235959Z').date?.toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(t('500101000000Z').date?.toISOString()).toBe('1950-01-01T00:00:00.000Z');
    expect(t('20240229000000Z', 0x18).date?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(t('20230229000000Z', 0x18).date).toBeNull();
    expect(t('20490101000000Z', 0x18).lint).toMatch(/GeneralizedTime/);
  });
  test('garbage and truncations throw DerError only', () => {
    const good = der('leaf-a');
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 300; i++) {
      const b = new Uint8Array(good);
      if (i % 3 === 0) b[Math.floor(rnd() * b.length)] ^= 1 << Math.floor(rnd() * 8);
      const cut = i % 3 === 1 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
      try { parseCertificate(cut); } catch (e) { expect(e).toBeInstanceOf(DerError); }
    }
    expect(() => parseCertificate(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toThrow(DerError);
  });
  test('trailing bytes are counted and reported', async () => {
    const c = parseCertificate(der('leaf-trailing'));
    expect(c.trailingBytes).toBe(4);
    const r = await verifyChain({ leaf: der('leaf-trailing'), intermediates: [pem('int-a')], trustedRoots: [pem('root-a')], host: 'backend.test', at: AT });
    expect(r.findings.map((f) => f.code)).toContain('TRAILING_DATA');
  });
});

describe('profiles, SKUs and settings', () => {
  const base = { leaf: pem('leaf-a'), intermediates: [pem('int-a')], trustedRoots: [pem('root-a')], host: 'backend.test', at: AT };
  test('strict profile turns the CA/B rules the gateway ignores into errors', async () => {
    const g = await verifyChain(base);
    const s = await verifyChain({ ...base, profile: 'strict' });
    expect(g.status).toBe('Healthy');
    expect(g.findings.some((f) => f.code === 'STRICT_VIOLATION' && f.severity === 'warning')).toBe(true);
    // The two verdicts: the gateway's stays Healthy; the strict validator's rejection is certcheck's policy.
    expect(s.status).toBe('Healthy');
    expect(s.ok).toBe(false);
    expect(s.policy.checks).toEqual([{ check: 'strict', threshold: null }]);
    expect(s.policy.failures[0]).toMatchObject({ check: 'strict', code: 'STRICT_VIOLATION' });
    expect(s.policy.failures[0]!.summary).toMatch(/^strict profile rejects: STRICT_VIOLATION/);
  });
  test('v1: the leaf must be an uploaded authentication certificate', async () => {
    const ok = await verifyChain({ ...base, sku: 'v1', authCerts: [pem('leaf-a')], trustedRoots: undefined });
    expect(ok.status).toBe('Healthy');
    const bad = await verifyChain({ ...base, sku: 'v1', authCerts: [pem('leaf-b')], trustedRoots: undefined });
    expect(bad.messageId).toBe('V1a');
    const name = await verifyChain({ ...base, sku: 'v1', authCerts: [pem('leaf-a')], trustedRoots: undefined, host: 'other.test' });
    expect(name.messageId).toBe('M6v1');
    expect(name.message).toBe("The Common Name (CN) of the backend certificate doesn't match.");
  });
  test('validateChainAndExpiry=false skips trust and dates but not the name', async () => {
    const r = await verifyChain({ leaf: pem('leaf-expired'), trustedRoots: [pem('root-b')], host: 'backend.test', at: AT, validateChainAndExpiry: false });
    expect(r.status).toBe('Healthy');
    const n = await verifyChain({ leaf: pem('leaf-expired'), trustedRoots: [pem('root-b')], host: 'other.test', at: AT, validateChainAndExpiry: false });
    expect(n.messageId).toBe('M6');
  });
  test('expiry thresholds: --min-days is an error, --warn-days a warning', async () => {
    const at = new Date('2034-12-20T00:00:00Z');
    const w = await verifyChain({ ...base, at });
    expect(w.status).toBe('Healthy');
    expect(w.findings.find((f) => f.code === 'CERT_EXPIRES_SOON')?.evidence.daysLeft).toBe(12);
    const e = await verifyChain({ ...base, at, minDays: 30 });
    expect(e.status).toBe('Healthy');
    expect(e.ok).toBe(false);
    expect(e.messageId).toBeNull();
    expect(e.policy).toMatchObject({ ok: false, checks: [{ check: 'min-days', threshold: 30 }] });
    expect(e.policy.failures[0]).toMatchObject({ check: 'min-days', code: 'CERT_EXPIRES_SOON', threshold: 30, certIndex: 0, summary: 'certificate 0 expires in 12 days (< --min-days 30)' });
    const pass = await verifyChain({ ...base, at, minDays: 10 });
    expect(pass.policy).toEqual({ ok: true, checks: [{ check: 'min-days', threshold: 10 }], failures: [] });
    expect(pass.ok).toBe(true);
  });
  test('uploaded roots that are not self-signed CAs are called out', async () => {
    const r = await verifyChain({ ...base, trustedRoots: [pem('int-a')] });
    expect(r.findings.map((f) => f.code)).toContain('UPLOADED_ROOT_NOT_SELF_SIGNED');
    expect(r.messageId).toBe('M12');
  });
  test('the default store is the bundled Mozilla list, not NODE_EXTRA_CA_CERTS', async () => {
    const r = await verifyChain({ leaf: pem('leaf-a'), intermediates: [pem('int-a')], host: 'backend.test', at: AT });
    expect(r.trust.store).toMatch(/Mozilla/);
    expect(r.messageId).toBe('M11');
  });
  test('library input errors are InputErrors, not crashes', async () => {
    await expect(verifyChain({ leaf: 'not a pem' })).rejects.toThrow(/no PEM certificate/);
    await expect(verifyChain({ ...base, host: 'a..b' })).rejects.toThrow();
  });
});

describe('judgeChain memo', () => {
  test('the remembered judgement equals a fresh one, and the uncached path really parses afresh', async () => {
    const { judgeChain, judgeChainUncached } = await import('../../src/checks/chain.js');
    const { makePlan } = await import('../../src/verify.js');
    const { parseHostRef } = await import('../../src/x509/names.js');
    const { plan } = makePlan({
      sku: 'v2', profile: 'gateway', purpose: 'serverAuth', at: AT, host: parseHostRef('backend.test'),
      caStore: 'mozilla', trustedRoots: [parseCertificate(der('root-a'))], validateChainAndExpiry: true, warnDays: 30,
    });
    for (const list of [[der('leaf-a'), der('int-a')], [der('leaf-a')], [der('int-a'), der('leaf-a')]]) {
      const memo1 = judgeChain(list, plan);
      const memo2 = judgeChain(list, plan);
      const fresh = judgeChainUncached(list, plan);
      expect(JSON.parse(JSON.stringify(fresh))).toEqual(JSON.parse(JSON.stringify(memo1)));
      // The memo hands back the same parsed certificates; the uncached path parses its own.
      expect(memo2.pathCerts[0]).toBe(memo1.pathCerts[0]);
      if (fresh.pathCerts.length) expect(fresh.pathCerts[0]).not.toBe(memo1.pathCerts[0]);
    }
  });
});
