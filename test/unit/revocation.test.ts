/**
 * Revocation without a network: OCSP requests and responses, CRLs and the offline path check,
 * against fixtures made by the openssl CLI (test/helpers/revocation-pki.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/x509/cert.js';
import type { ParsedCert } from '../../src/x509/types.js';
import { buildOcspRequest, parseOcspResponse } from '../../src/x509/ocsp.js';
import { parseCrl } from '../../src/x509/crl.js';
import { validateOcspResponse, ocspResponseIsFor } from '../../src/revocation/ocsp.js';
import { checkCrl } from '../../src/revocation/crl.js';
import { checkRevocation, validateRevocationInputs } from '../../src/revocation/check.js';
import { DerError } from '../../src/x509/der.js';
import { InputError } from '../../src/model/errors.js';
import { verifyChain } from '../../src/verify.js';
import { CATALOG } from '../../src/model/catalog.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';
import { makeRevPki, type RevCert, type RevPki } from '../helpers/revocation-pki.js';

let pki: RevPki;
const P = (c: RevCert): ParsedCert => parseCertificate(c.der);
const now = () => new Date();

beforeAll(() => { pki = makeRevPki(); }, 60_000);
afterAll(() => pki?.cleanup());

describe('OCSP request', () => {
  it('is a request openssl reads, for the right issuer hashes and serial', () => {
    const req = buildOcspRequest(P(pki.leafRevoked), P(pki.intA));
    const file = join(pki.dir, 'unit-req.der');
    writeFileSync(file, req);
    const text = execFileSync('openssl', ['ocsp', '-reqin', file, '-req_text'], { encoding: 'utf8' });
    expect(text).toMatch(/Hash Algorithm: sha1/);
    expect(text).toMatch(/Serial Number: 2002/);
    // The same CertID as openssl's own request for this certificate.
    const theirs = join(pki.dir, 'unit-req-openssl.der');
    execFileSync('openssl', ['ocsp', '-issuer', pki.intA.pem, '-cert', pki.leafRevoked.pem, '-no_nonce', '-reqout', theirs]);
    expect(Buffer.from(req).equals(readFileSync(theirs))).toBe(true);
    // And openssl's responder answers it with our certificate's status.
    const resp = execFileSync('openssl', ['ocsp', '-index', pki.index.intA, '-rsigner', pki.intA.pem, '-rkey', pki.intA.key, '-CA', pki.intA.pem,
      '-reqin', file, '-resp_text'], { encoding: 'utf8' });
    expect(resp).toMatch(/Cert Status: revoked/);
  });
});

describe('OCSP response validation', () => {
  it('good, signed by the issuer itself', () => {
    const v = validateOcspResponse(parseOcspResponse(pki.ocspResponse(pki.leafGood, pki.intA)), P(pki.leafGood), P(pki.intA), { at: now() });
    expect(v.status).toBe('good');
    expect(v.signer).toBe('issuer');
    expect(v.nextUpdate).toMatch(/^\d{4}-/);
  });

  it('revoked with time and reason, signed by a delegated responder (also identified by key)', () => {
    for (const byKey of [false, true]) {
      const v = validateOcspResponse(parseOcspResponse(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner, byKey })),
        P(pki.leafRevoked), P(pki.intA), { at: now() });
      expect(v.status, `byKey ${byKey}`).toBe('revoked');
      expect(v.signer).toBe('delegated');
      expect(v.reason).toBe('keyCompromise');
      expect(v.revocationTime).toBe('2024-01-01T00:00:00Z');
    }
  });

  it('a revoked intermediate, from the root', () => {
    const v = validateOcspResponse(parseOcspResponse(pki.ocspResponse(pki.intB, pki.root)), P(pki.intB), P(pki.root), { at: now() });
    expect(v.status).toBe('revoked');
    expect(v.reason).toBe('cACompromise');
  });

  it('unknown when the responder does not know the serial', () => {
    const v = validateOcspResponse(parseOcspResponse(pki.ocspResponse(pki.leafGood, pki.intA, { index: pki.index.intB })), P(pki.leafGood), P(pki.intA), { at: now() });
    expect(v.status).toBe('unknown');
  });

  it('invalid: a signer without the OCSPSigning EKU, a responder certificate left out, another certificate, stale, not yet valid', () => {
    const leaf = P(pki.leafRevoked), issuer = P(pki.intA);
    const noEku = validateOcspResponse(parseOcspResponse(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.notSigner })), leaf, issuer, { at: now() });
    expect(noEku.status).toBe('invalid');
    expect(noEku.detail).toMatch(/OCSPSigning/);
    const noCerts = validateOcspResponse(parseOcspResponse(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner, noCerts: true })), leaf, issuer, { at: now() });
    expect(noCerts.status).toBe('invalid');
    const other = validateOcspResponse(parseOcspResponse(pki.ocspResponse(pki.leafGood, pki.intA)), leaf, issuer, { at: now() });
    expect(other.status).toBe('invalid');
    expect(other.detail).toMatch(/not about this certificate/);
    const resp = parseOcspResponse(pki.ocspResponse(pki.leafRevoked, pki.intA, { ndays: 1 }));
    const stale = validateOcspResponse(resp, leaf, issuer, { at: new Date(Date.now() + 2 * 86_400_000) });
    expect(stale.status).toBe('invalid');
    expect(stale.detail).toMatch(/stale/);
    const early = validateOcspResponse(resp, leaf, issuer, { at: new Date(Date.now() - 86_400_000) });
    expect(early.status).toBe('invalid');
    expect(early.detail).toMatch(/not yet valid/);
    // Within the 5-minute skew allowance both ways.
    expect(validateOcspResponse(resp, leaf, issuer, { at: new Date(Date.now() - 60_000) }).status).toBe('revoked');
  });

  it('invalid: a signature that does not verify (one flipped bit)', () => {
    const der = Buffer.from(pki.ocspResponse(pki.leafRevoked, pki.intA));
    const resp = parseOcspResponse(der);
    const sig = resp.basic!.signature;
    const off = der.indexOf(Buffer.from(sig));
    der[off + sig.length - 5]! ^= 0x01;
    const v = validateOcspResponse(parseOcspResponse(der), P(pki.leafRevoked), P(pki.intA), { at: now() });
    expect(v.status).toBe('invalid');
  });

  it('non-successful status and garbage', () => {
    const tryLater = Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x03]);
    const r = parseOcspResponse(tryLater);
    expect(r.responseStatusName).toBe('tryLater');
    expect(validateOcspResponse(r, P(pki.leafGood), P(pki.intA), { at: now() }).status).toBe('invalid');
    expect(() => parseOcspResponse(Uint8Array.from([0x30, 0x80, 0x00]))).toThrow(DerError);
    expect(() => parseOcspResponse(new Uint8Array(0))).toThrow(DerError);
    const der = pki.ocspResponse(pki.leafGood, pki.intA);
    for (const cut of [1, 10, 100, der.length - 1]) expect(() => parseOcspResponse(der.subarray(0, cut))).toThrow(DerError);
    expect(ocspResponseIsFor(parseOcspResponse(der), P(pki.leafGood), P(pki.intA))).toBe(true);
    expect(ocspResponseIsFor(parseOcspResponse(der), P(pki.leafRevoked), P(pki.intA))).toBe(false);
  });
});

describe('CRL validation', () => {
  it('finds the revoked leaf and intermediate, passes the good ones', () => {
    const crlA = parseCrl(readFileSync(pki.crl.intA));
    expect(checkCrl(crlA, P(pki.leafGood), P(pki.intA), { at: now() }).status).toBe('good');
    const r = checkCrl(crlA, P(pki.leafRevoked), P(pki.intA), { at: now() });
    expect(r).toMatchObject({ status: 'revoked', reason: 'keyCompromise', revocationTime: '2024-01-01T00:00:00Z' });
    const crlRoot = parseCrl(readFileSync(pki.crl.root));
    expect(checkCrl(crlRoot, P(pki.intB), P(pki.root), { at: now() }).status).toBe('revoked');
    expect(checkCrl(crlRoot, P(pki.intA), P(pki.root), { at: now() }).status).toBe('good');
  });

  it('accepts PEM too', () => {
    const pem = `-----BEGIN X509 CRL-----\n${readFileSync(pki.crl.intA).toString('base64')}\n-----END X509 CRL-----\n`;
    expect(parseCrl(Buffer.from(pem)).revoked.size).toBe(1);
  });

  it('invalid: wrong issuer, forged signature, expired', () => {
    const crlA = parseCrl(readFileSync(pki.crl.intA));
    expect(checkCrl(crlA, P(pki.leafB), P(pki.intB), { at: now() }).status).toBe('invalid');
    // Signed with intB's key under intA's name: the name matches, the signature does not.
    const fakePem = join(pki.dir, 'fake-intA.pem');
    execFileSync('openssl', ['req', '-x509', '-new', '-key', pki.intB.key, '-subj', '/CN=rev test intermediate A', '-days', '30', '-out', fakePem]);
    const forged = parseCrl(pki.makeCrl({ ...pki.intA, pem: fakePem, key: pki.intB.key }, pki.index.intA));
    const f = checkCrl(forged, P(pki.leafRevoked), P(pki.intA), { at: now() });
    expect(f.status).toBe('invalid');
    expect(f.detail).toMatch(/signature/);
    const old = checkCrl(crlA, P(pki.leafRevoked), P(pki.intA), { at: new Date(Date.now() + 40 * 86_400_000) });
    expect(old.status).toBe('invalid');
    expect(old.detail).toMatch(/expired/);
  });

  it('a CRL issuer name from the wire is escaped in the words', () => {
    const crlA = parseCrl(readFileSync(pki.crl.intA));
    const evil = Buffer.from('evil\u001b[31m', 'utf8');
    const cn = Buffer.concat([Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, evil.length]), evil]);
    const atv = Buffer.concat([Buffer.from([0x30, cn.length]), cn]);
    const rdn = Buffer.concat([Buffer.from([0x31, atv.length]), atv]);
    const name = Buffer.concat([Buffer.from([0x30, rdn.length]), rdn]);
    const v = checkCrl({ ...crlA, issuerDer: new Uint8Array(name) }, P(pki.leafGood), P(pki.intA), { at: now() });
    expect(v.status).toBe('invalid');
    expect(v.detail).not.toMatch(/\u001b/);
    expect(v.detail).toContain('evil');
  });

  it('garbage is a DerError, not a crash', () => {
    const der = readFileSync(pki.crl.intA);
    for (const cut of [0, 1, 20, der.length - 2]) expect(() => parseCrl(der.subarray(0, cut))).toThrow(DerError);
  });
});

describe('checkRevocation offline and verifyChain', () => {
  const path = (...c: RevCert[]) => c.map(P);

  it('a revoked leaf is M15 with OpenSSL 23 (v2) and V1b (v1); good ones are info only', async () => {
    const out = await checkRevocation({ mode: 'staple', path: path(pki.leafRevoked, pki.intA, pki.root), presentedIndexOf: () => 0,
      crls: [readFileSync(pki.crl.intA), readFileSync(pki.crl.root)], at: now() });
    const revoked = out.findings.filter((f) => f.code === 'CERT_REVOKED');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]!.severity).toBe('error');
    expect(revoked[0]!.openssl).toMatchObject({ code: 23, name: 'CERT_REVOKED', text: 'certificate revoked' });
    expect(revoked[0]!.gatewayMessage).toBe(GATEWAY_MESSAGES.M15.text.replace('{errorCode}', '23'));
    expect(out.findings.filter((f) => f.code === 'REVOCATION_GOOD')).toHaveLength(1); // intA on the root's CRL
    expect(out.report.certificates.map((c) => c.status)).toEqual(['revoked', 'good']);
    const v1 = await checkRevocation({ mode: 'staple', path: path(pki.leafRevoked, pki.intA, pki.root), sku: 'v1',
      ocspResponses: [pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner })], at: now() });
    const f = v1.findings.find((x) => x.code === 'CERT_REVOKED')!;
    expect(f.gatewayMessageId).toBe('V1b');
    expect(f.gatewayMessage).toBe(GATEWAY_MESSAGES.V1b.text);
    expect(CATALOG.CERT_REVOKED.severity).toBe('error');
    expect(CATALOG.REVOCATION_UNREACHABLE.severity).toBe('warning');
  });

  it('verifyChain: revoked intermediate Unhealthy, good chain stays Healthy, unmatched input is a warning, bad file an InputError', async () => {
    const roots = [pki.root.pemText];
    const bad = await verifyChain({ leaf: pki.leafB.pemText, intermediates: [pki.intB.pemText], trustedRoots: roots, host: 'b.rev.test',
      crls: [{ name: 'root.crl', data: readFileSync(pki.crl.root) }] });
    expect(bad.status).toBe('Unhealthy');
    expect(bad.primary?.code).toBe('CERT_REVOKED');
    expect(bad.primary?.certIndex).toBe(1);
    expect(bad.message).toMatch(/error code 23$/);
    expect((bad as unknown as { revocation: { certificates: { status: string }[] } }).revocation.certificates.map((c) => c.status)).toEqual(['unchecked', 'revoked']);

    const good = await verifyChain({ leaf: pki.leafGood.pemText, intermediates: [pki.intA.pemText], trustedRoots: roots, host: 'good.rev.test',
      crls: [readFileSync(pki.crl.intA), readFileSync(pki.crl.root)], ocspResponses: [pki.ocspResponse(pki.leafGood, pki.intA), pki.ocspResponse(pki.leafB, pki.intB)] });
    expect(good.status).toBe('Healthy');
    expect(good.findings.filter((f) => f.code === 'REVOCATION_GOOD')).toHaveLength(2);
    // The intB response is about no certificate here: said, not used.
    expect(good.findings.some((f) => f.code === 'REVOCATION_UNKNOWN' && /about no certificate/.test(f.explanation))).toBe(true);

    const off = await verifyChain({ leaf: pki.leafRevoked.pemText, intermediates: [pki.intA.pemText], trustedRoots: roots, host: 'revoked.rev.test',
      crls: [readFileSync(pki.crl.intA)], revocation: 'off' });
    expect(off.status).toBe('Healthy');
    await expect(verifyChain({ leaf: pki.leafGood.pemText, trustedRoots: roots, crls: [Buffer.from('not a crl')] })).rejects.toThrow(InputError);
    expect(() => validateRevocationInputs('sometimes')).toThrow(InputError);
  });

  it('a responder URL from the certificate is escaped in the report and the words', async () => {
    const leaf = { ...P(pki.leafGood), aia: { ocsp: ['http://127.0.0.1:9/\u001b[31mocsp'], caIssuers: [] } };
    const out = await checkRevocation({ mode: 'ocsp', path: [leaf, P(pki.intA)], at: now(), fetchTimeoutMs: 2000 });
    const check = out.report.certificates[0]!.checks[0]!;
    expect(check.status).toBe('unreachable');
    expect(check.url).toContain('ocsp');
    expect(check.url).not.toMatch(/\u001b/);
    for (const f of out.findings) expect(f.explanation).not.toMatch(/\u001b/);
  });

  it('an invalid (stale) response never revokes: warning only', async () => {
    const out = await checkRevocation({ mode: 'staple', path: path(pki.leafRevoked, pki.intA, pki.root),
      ocspResponses: [pki.ocspResponse(pki.leafRevoked, pki.intA, { ndays: 1 })], at: new Date(Date.now() + 3 * 86_400_000) });
    expect(out.findings.some((f) => f.severity === 'error')).toBe(false);
    expect(out.findings.find((f) => f.code === 'REVOCATION_UNKNOWN')?.explanation).toMatch(/stale/);
  });

  it('an invalid staple is OCSP_STAPLE_INVALID (warning); no staple says nothing', async () => {
    const out = await checkRevocation({ mode: 'staple', path: path(pki.leafGood, pki.intA, pki.root), staple: pki.ocspResponse(pki.leafRevoked, pki.intA), at: now() });
    expect(out.report.staple).toBe('invalid');
    expect(out.findings.map((f) => [f.code, f.severity])).toEqual([['OCSP_STAPLE_INVALID', 'warning']]);
    const none = await checkRevocation({ mode: 'staple', path: path(pki.leafGood, pki.intA, pki.root), staple: null, at: now() });
    expect(none.report.staple).toBe('not-stapled');
    expect(none.findings).toEqual([]);
  });
});
