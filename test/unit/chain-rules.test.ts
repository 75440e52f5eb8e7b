import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseCertificate } from '../../src/x509/cert.js';
import { parseHostRef } from '../../src/x509/names.js';
import { makePlan } from '../../src/gateway/trust.js';
import type { PlanInputs } from '../../src/model/plan.js';
import { caseDetail, makeFinding } from '../../src/model/catalog.js';
import { budgetRule,
  CHAIN_RULES, chainFacts, duplicatesRule, expiryRule, minDaysPolicy, hygieneRule, leafRule, nameRule, pathNotTakenRule, pathRulesRule,
  readPresented, trustRule, v1AuthCertRule,
} from '../../src/checks/chain-rules.js';

const der = (n: string) => new Uint8Array(readFileSync(`certs/out/pki/${n}.der`));
const cert = (n: string) => parseCertificate(der(n));
const AT = new Date('2030-06-01T00:00:00Z');
const planOf = (p: Partial<PlanInputs> = {}) => makePlan({
  sku: 'v2', profile: 'gateway', purpose: 'serverAuth', at: AT, host: parseHostRef('backend.test'), caStore: 'mozilla',
  trustedRoots: [cert('root-a')], validateChainAndExpiry: true, warnDays: 30, ...p,
}).plan;
const codes = (fs: { code: string }[]) => fs.map((f) => f.code);
/** The facts for a list whose first certificate is the leaf. */
const factsOf = (names: string[], plan = planOf()) => {
  const parsed = names.map(cert);
  return chainFacts(parsed, parsed[0]!, 0, plan);
};

describe('readPresented', () => {
  test('an empty list is CHAIN_EMPTY; bytes that do not decode are MALFORMED_CERT at their position', () => {
    expect(codes(readPresented([], planOf(), undefined).findings)).toEqual(['CHAIN_EMPTY']);
    const r = readPresented([der('leaf-a'), new Uint8Array([0x30, 0x03, 1, 2])], planOf(), undefined);
    expect(codes(r.findings)).toEqual(['MALFORMED_CERT']);
    expect(r.findings[0]!.certIndex).toBe(1);
    expect(r.parsed[1]).toBeUndefined();
    expect(r.summaries[1]!.subject).toBe('(does not decode)');
  });
  test('trailing bytes after a certificate are noted', () => {
    expect(codes(readPresented([der('leaf-trailing')], planOf(), undefined).findings)).toEqual(['TRAILING_DATA']);
  });
});

describe('duplicatesRule and leafRule', () => {
  test('a repeat is reported where it repeats, naming the first position', () => {
    const [f] = duplicatesRule([cert('leaf-a'), cert('int-a'), cert('int-a')], planOf());
    expect(f).toMatchObject({ code: 'CHAIN_DUPLICATE', certIndex: 2, evidence: { firstIndex: 1 } });
  });
  test('a leaf after a CA is found and reported as not first (M14), unless chain checks are off', () => {
    const list = [cert('int-a'), cert('leaf-a')];
    const r = leafRule(list, planOf());
    expect(r.leafIndex).toBe(1);
    expect(codes(r.findings)).toEqual(['CHAIN_LEAF_NOT_FIRST']);
    expect(leafRule(list, planOf({ validateChainAndExpiry: false })).findings).toEqual([]);
  });
  test('only CA certificates, none self-signed: no leaf (M9)', () => {
    const r = leafRule([cert('int-a')], planOf());
    expect(r.leaf).toBeUndefined();
    expect(codes(r.findings)).toEqual(['CHAIN_NO_LEAF']);
  });
});

describe('trustRule', () => {
  test('a complete chain under an uploaded root: nothing', () => {
    expect(trustRule(factsOf(['leaf-a', 'int-a']), planOf())).toEqual([]);
  });
  test('the leaf alone: its issuer is neither sent nor trusted (M8)', () => {
    expect(codes(trustRule(factsOf(['leaf-a']), planOf()))).toEqual(['CHAIN_ONLY_LEAF']);
  });
  test('a chain under another uploaded root', () => {
    const plan = planOf({ trustedRoots: [cert('root-b')] });
    expect(codes(trustRule(factsOf(['leaf-a', 'int-a'], plan), plan))).toEqual(['UPLOADED_ROOT_NOT_ISSUER']);
  });
  test('the well-known store does not hold a private root', () => {
    const plan = makePlan({ sku: 'v2', profile: 'gateway', purpose: 'serverAuth', at: AT, host: null, caStore: 'mozilla', validateChainAndExpiry: true, warnDays: 30 }).plan;
    expect(codes(trustRule(factsOf(['leaf-a', 'int-a', 'root-a'], plan), plan))).toEqual(['UNTRUSTED_ROOT']);
  });
});

describe('pathNotTakenRule', () => {
  test('nothing when the chain OpenSSL builds is valid', () => {
    expect(pathNotTakenRule(factsOf(['leaf-a', 'int-a']), planOf())).toEqual([]);
  });
  test('a root sent before its cross-signed copy: data in the evidence, the same words as before from the catalog', () => {
    const plan = planOf({ trustedRoots: [cert('root-old')] });
    const [f] = pathNotTakenRule(factsOf(['leaf-a', 'root-a', 'int-a', 'root-a-by-old'], plan), plan);
    const A = 'CN=certcheck Test Root A, O=certcheck test';
    const path = `CN=backend.test, O=certcheck test → CN=certcheck Test Intermediate A, O=certcheck test → ${A} → CN=certcheck Test Root Old, O=certcheck test`;
    expect(f!.evidence).toEqual({ subject: 'CN=certcheck Test Intermediate A, O=certcheck test', takenSubject: A, takenIndex: 1, alternativeSubject: A, alternativeIndex: 3, validPath: path });
    // Recorded from the code before the prose moved to the catalog.
    expect(f!.explanation).toBe(`A valid path exists (${path}), but the gateway's OpenSSL builds one chain without trying alternatives: as the issuer of "CN=certcheck Test Intermediate A, O=certcheck test" it takes "${A}" sent at position 1, not "${A}" sent at position 3.`);
    expect(f!.fix).toBe(`Remove the certificate sent at position 1 ("${A}") from the chain the backend serves, or send "${A}" sent at position 3 before it.`);
    expect(f!.certIndex).toBe(1);
  });
  test('the catalog words the other two cases: an issuer from the trust store, and none at all', () => {
    const ev = { subject: 'CN=I', alternativeSubject: 'CN=R', alternativeIndex: 2, validPath: 'CN=L → CN=I → CN=R' };
    const store = makeFinding('CHAIN_PATH_NOT_TAKEN', { ...ev, takenSubject: 'CN=R', takenIndex: null });
    expect(store.explanation).toContain('it takes "CN=R" from the trust store, not "CN=R" sent at position 2.');
    expect(store.fix).toBe('Remove "CN=R" from the trusted roots; it has the issuer\'s name but not its key.');
    const none = makeFinding('CHAIN_PATH_NOT_TAKEN', { ...ev, takenSubject: null, takenIndex: null });
    expect(none.explanation).toContain('it takes no issuer at all, not "CN=R" sent at position 2.');
    expect(none.fix).toBe('Serve exactly the certificates of the valid path, in its order: CN=L → CN=I → CN=R.');
  });
});

describe('STRICT_VIOLATION words', () => {
  test('the rule id and its data in the evidence; the sentence and the fix from the catalog', () => {
    const f = makeFinding('STRICT_VIOLATION', { subject: 'CN=x', rule: 'validity-too-long', days: 3652, maxDays: 398 }, { certIndex: 0 });
    expect(f.explanation).toBe('Certificate 0 (CN=x): validity of 3652 days exceeds the 398 days browsers accept. The gateway accepts this; strict clients (browsers, Go, rustls) do not.');
    expect(f.fix).toBe('Reissue with a validity of at most 398 days.');
    expect(makeFinding('STRICT_VIOLATION', { subject: 'CN=x', rule: 'x509-version', version: 1 }, { certIndex: 2 }).explanation)
      .toBe('Certificate 2 (CN=x): X.509 version 1 certificate (RFC 5280 requires v3 for certificates with extensions and for CAs). The gateway accepts this; strict clients (browsers, Go, rustls) do not.');
  });
});

describe('pathRulesRule', () => {
  test('an expired leaf is CERT_EXPIRED (M7), and no error when validateCertChainAndExpiry is off', () => {
    const plan = planOf({ host: null });
    const expired = factsOf(['leaf-expired', 'int-a'], plan);
    expect(codes(pathRulesRule(expired, plan))).toContain('CERT_EXPIRED');
    const off = planOf({ host: null, validateChainAndExpiry: false });
    expect(pathRulesRule(factsOf(['leaf-expired', 'int-a'], off), off).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('v1AuthCertRule', () => {
  test('v2 ignores it; v1 wants the leaf among the uploaded authentication certificates (V1a)', () => {
    expect(v1AuthCertRule(factsOf(['leaf-a', 'int-a']), planOf())).toEqual([]);
    const match = planOf({ sku: 'v1', trustedRoots: [], authCerts: [cert('leaf-a')] });
    expect(v1AuthCertRule(factsOf(['leaf-a', 'int-a'], match), match)).toEqual([]);
    const other = planOf({ sku: 'v1', trustedRoots: [], authCerts: [cert('leaf-b')] });
    expect(v1AuthCertRule(factsOf(['leaf-a', 'int-a'], other), other)[0]).toMatchObject({ code: 'V1_AUTH_CERT_MISMATCH', gatewayMessageId: 'V1a' });
  });
});

describe('hygieneRule', () => {
  test('the root not sent is noted; a certificate off the path is an extra', () => {
    expect(codes(hygieneRule(factsOf(['leaf-a', 'int-a']), planOf()))).toEqual(['CHAIN_ROOT_NOT_SENT']);
    expect(codes(hygieneRule(factsOf(['leaf-a', 'int-a', 'int-b']), planOf()))).toEqual(['CHAIN_EXTRA_CERT', 'CHAIN_ROOT_NOT_SENT']);
  });
  test('a path cut at the depth limit: the certificates that carry it on are not extras, an unrelated one still is (issue 18)', () => {
    const deep = ['leaf-deep', ...Array.from({ length: 11 }, (_, i) => `deep-${String(11 - i).padStart(2, '0')}`)];
    const f = factsOf(deep);
    expect(f.build.best.end).toBe('too-deep');
    expect(f.build.best.certs).toHaveLength(11);
    expect(codes(hygieneRule(f, planOf()))).toEqual([]);
    const withExtra = hygieneRule(factsOf([...deep, 'int-b']), planOf());
    expect(withExtra.map((x) => [x.code, x.evidence.subject])).toEqual([['CHAIN_EXTRA_CERT', 'CN=certcheck Test Intermediate B, O=certcheck test']]);
  });
});

describe('expiryRule', () => {
  test('a certificate inside --warn-days warns; under --min-days it warns and fails the policy, never the verdict', () => {
    const facts = factsOf(['leaf-a', 'int-a']);
    const days = readPresented([der('leaf-a')], planOf(), undefined).summaries[0]!.daysLeft!;
    expect(expiryRule(facts, planOf({ warnDays: days - 1 })).filter((f) => f.certIndex === 0)).toEqual([]);
    const warn = expiryRule(facts, planOf({ warnDays: days + 1 })).find((f) => f.certIndex === 0);
    expect(warn).toMatchObject({ code: 'CERT_EXPIRES_SOON', severity: 'warning', evidence: { daysLeft: days, onPath: true } });
    const min = planOf({ warnDays: 0, minDays: days + 1 });
    expect(expiryRule(facts, min).find((f) => f.certIndex === 0)).toMatchObject({ severity: 'warning' });
    expect(minDaysPolicy(facts, min).find((f) => f.certIndex === 0)).toMatchObject({ code: 'CERT_EXPIRES_SOON', evidence: { daysLeft: days, threshold: days + 1 } });
    expect(minDaysPolicy(facts, planOf({ minDays: days })).filter((f) => f.certIndex === 0)).toEqual([]);
    expect(minDaysPolicy(facts, planOf())).toEqual([]);
  });
});

describe('nameRule', () => {
  test('the probe host against the SAN (M6), or why no name is checked', () => {
    expect(nameRule(factsOf(['leaf-a', 'int-a']), planOf())).toEqual([]);
    const other = planOf({ host: parseHostRef('other.test') });
    expect(nameRule(factsOf(['leaf-a', 'int-a'], other), other)[0]).toMatchObject({ code: 'NAME_MISMATCH', gatewayMessageId: 'M6' });
    const none = planOf({ host: null, hostSkippedReason: 'validateSNI is false' });
    expect(nameRule(factsOf(['leaf-a', 'int-a'], none), none)[0]).toMatchObject({ code: 'NAME_NOT_CHECKED', evidence: { reason: 'validateSNI is false' } });
  });
});

test('CHAIN_RULES run in the report order', () => {
  expect(CHAIN_RULES).toEqual([budgetRule, trustRule, pathNotTakenRule, pathRulesRule, v1AuthCertRule, hygieneRule, expiryRule, nameRule]);
});

describe('case words for rules whose sentence depends on the case (catalog)', () => {
  test('INVALID_CA, INVALID_PURPOSE, NAME_CONSTRAINTS_VIOLATION, MALFORMED_EXTENSION: the sentences from before the move', () => {
    const base = { subject: 'CN=x', sha256: 'ab' };
    expect(makeFinding('INVALID_CA', { ...base, reason: 'key-cert-sign-only' }, { certIndex: 1 }).explanation)
      .toBe('Certificate 1 (CN=x) issues other certificates but is not a valid CA: no basicConstraints extension (keyCertSign alone does not make a CA for OpenSSL).');
    expect(makeFinding('INVALID_PURPOSE', { ...base, reason: 'extended-key-usage', extKeyUsage: ['clientAuth', 'codeSigning'], purpose: 'serverAuth' }, { certIndex: 0 }).explanation)
      .toBe('Certificate 0 (CN=x) is not valid for TLS server authentication: extendedKeyUsage is clientAuth, codeSigning, without serverAuth.');
    expect(makeFinding('INVALID_PURPOSE', { ...base, reason: 'key-usage', keyUsage: [] }, { certIndex: 0 }).explanation)
      .toBe('Certificate 0 (CN=x) is not valid for TLS server authentication: keyUsage (empty) allows none of digitalSignature, keyEncipherment, keyAgreement.');
    expect(makeFinding('NAME_CONSTRAINTS_VIOLATION', { ...base, reason: 'budget', comparisons: 300000, budget: 250000 }, { certIndex: 0 }).explanation)
      .toBe('Name (all names) in certificate 0 (CN=x) violates the name constraints of "the CAs on the path": checking would take 300000 name/constraint comparisons, over the budget of 250000; OpenSSL refuses such chains too.');
    expect(makeFinding('NAME_CONSTRAINTS_VIOLATION', { ...base, name: '*.a.test', constrainedBy: 'CN=ca', reason: 'excluded', subtree: 'b.a.test', wildcard: true }, { certIndex: 0 }).explanation)
      .toBe('Name *.a.test in certificate 0 (CN=x) violates the name constraints of "CN=ca": excluded subtree b.a.test (a wildcard that could cover an excluded name is rejected).');
    expect(makeFinding('NAME_CONSTRAINTS_VIOLATION', { ...base, name: '10.0.0.1', constrainedBy: 'CN=ca', reason: 'not-permitted-ip' }, { certIndex: 0 }).explanation)
      .toBe('Name 10.0.0.1 in certificate 0 (CN=x) violates the name constraints of "CN=ca": not within the permitted IP ranges.');
    expect(makeFinding('MALFORMED_EXTENSION', { ...base, oid: '2.5.29.17', critical: true, error: 'bad' }, { certIndex: 0 }).explanation)
      .toBe('Certificate 0 (CN=x) has a malformed extension: 2.5.29.17 (critical): bad.');
    expect(caseDetail('MALFORMED_EXTENSION', { oid: '2.5.29.17', critical: false, error: 'bad' })).toBe('2.5.29.17: bad');
    expect(caseDetail('INVALID_CA', { reason: 'ca-false' })).toBe('basicConstraints says CA:FALSE');
  });
  test('V1_AUTH_CERT_MISMATCH lists the uploaded certificates with a short fingerprint', () => {
    const f = makeFinding('V1_AUTH_CERT_MISMATCH', { subject: 'CN=l', sha256: 'ff', uploaded: ['CN=a'], uploadedSha256: ['0123456789abcdef0123'] });
    expect(f.explanation).toBe('The backend\'s leaf (CN=l, SHA-256 ff) matches none of the uploaded authentication certificates: CN=a (0123456789abcdef…).');
  });
});

describe('strict profile: every candidate path, within budgets (issue 14)', () => {
  test('a lattice that exhausts the search says so in strict (PATH_BUDGET_EXHAUSTED); the gateway walk never runs out', async () => {
    const { readFileSync } = await import('node:fs');
    const { verifyChain } = await import('../../src/verify.js');
    const { fixturePem } = await import('../../src/fixtures.js');
    const pem = readFileSync('certs/out/hostile/lattice.pem', 'utf8');
    const o = { leaf: pem, trustedRoots: [fixturePem('root-a')], host: 'backend.test', at: new Date('2030-06-01T00:00:00Z') };
    const strict = await verifyChain({ ...o, profile: 'strict' });
    const gateway = await verifyChain({ ...o, profile: 'gateway' });
    // The strict validator's "could not tell" is certcheck's policy; the verdict stays the gateway walk's.
    expect(strict.policy.failures.map((f) => f.code)).toContain('PATH_BUDGET_EXHAUSTED');
    expect(strict.policy.ok).toBe(false);
    expect(strict.status).toBe(gateway.status);
    expect(gateway.findings.map((f) => f.code)).not.toContain('PATH_BUDGET_EXHAUSTED');
  });
});

describe('strict profile: RFC 5280 structure that OpenSSL checks only with -x509_strict (issue 14)', () => {
  test('an empty subject with a non-critical SAN, and keyCertSign on a non-CA: gateway warns, strict rejects', async () => {
    const g = await import('../reliability/certgen.js');
    const { verifyChain } = await import('../../src/verify.js');
    const root = g.makeCa([['CN', 'Strict Root']], 'self');
    const int = g.makeCa([['CN', 'Strict Int']], root.signer);
    const leaf = (o: Partial<import('../reliability/certgen.js').CertSpec>) => g.makeLeaf(int.signer, { notBefore: 'U:300101000000Z', notAfter: 'U:301231000000Z', ...o });
    for (const [cert, rule] of [[leaf({ subject: g.seq() }), 'empty-subject-san-not-critical'], [leaf({ ku: ['digitalSignature', 'keyCertSign'] }), 'key-cert-sign-not-ca']] as const) {
      const o = { leaf: cert.pem, intermediates: [int.pem], trustedRoots: [root.pem], host: 'backend.test', at: new Date('2030-06-01T00:00:00Z') };
      const gw = await verifyChain({ ...o, profile: 'gateway' });
      const st = await verifyChain({ ...o, profile: 'strict' });
      expect(gw.status, rule).toBe('Healthy');
      expect(gw.findings.find((f) => f.code === 'STRICT_VIOLATION' && f.evidence.rule === rule)?.severity, rule).toBe('warning');
      // Strict rejects it as certcheck's policy; the gateway's verdict is unchanged.
      expect(st.status, rule).toBe('Healthy');
      expect(st.ok, rule).toBe(false);
      expect(st.policy.failures.find((f) => f.check === 'strict' && f.code === 'STRICT_VIOLATION' && f.evidence.rule === rule), rule).toBeDefined();
    }
  });
});
