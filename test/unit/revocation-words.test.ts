/**
 * Issue 13 (one voice): revocation's sentences moved into the catalog without changing a word.
 * Every verdict `detail`, every report check, every finding's explanation and the unmatched notes
 * of a broad set of revocation outcomes are pinned in test/golden/revocation-words.json (times
 * that depend on the clock and ports are masked). UPDATE_GOLDEN=1 rewrites it, deliberately.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseCertificate } from '../../src/x509/cert.js';
import type { ParsedCert } from '../../src/x509/types.js';
import { parseOcspResponse } from '../../src/x509/ocsp.js';
import { parseCrl } from '../../src/x509/crl.js';
import { validateOcspResponse } from '../../src/revocation/ocsp.js';
import { checkCrl } from '../../src/revocation/crl.js';
import { checkRevocation, type RevocationOutcome } from '../../src/revocation/check.js';
import { makeRevPki, type RevCert, type RevPki } from '../helpers/revocation-pki.js';
import { revocationDetail, type RevocationCode } from '../../src/model/catalog.js';
import type { Said } from '../../src/revocation/common.js';

const FILE = fileURLToPath(new URL('../golden/revocation-words.json', import.meta.url));

let pki: RevPki;
let far: RevPki;
const P = (c: RevCert): ParsedCert => parseCertificate(c.der);
const path = (...c: RevCert[]) => c.map(P);
const DAY = 86_400_000;
/** Every outcome said in the first test, for the second. */
const saids: Said[] = [];

beforeAll(() => {
  pki = makeRevPki();
  // Port 9 (discard) on loopback: nothing listens, so fetches fail at once and the same way.
  far = makeRevPki({ intAOcsp: 'http://127.0.0.1:9/ocsp', intACrl: 'ldap://127.0.0.1/crl', rootCrl: 'http://127.0.0.1:9/root.crl' });
}, 120_000);
afterAll(() => { pki?.cleanup(); far?.cleanup(); });

/** Clock-dependent times and millisecond counts differ per run; the words around them must not. */
function mask(s: string): string {
  return s.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, (t) => (t.startsWith('2024-01-01') ? t : '<time>'));
}

function words(o: RevocationOutcome): unknown {
  for (const c of o.report.certificates) saids.push(...c.checks);
  return {
    // Sorted: parallel fetches may finish in either order; the words are what is pinned here.
    findings: o.findings.map((f) => `${f.code}: ${mask(f.explanation)}${f.fix ? ` | ${f.fix}` : ''}`).sort(),
    checks: o.report.certificates.map((c) => c.checks.map((x) => `${x.source} ${x.status}: ${mask(x.detail)}`).sort()),
    unmatched: o.report.unmatched,
  };
}

describe('revocation words are unchanged (test/golden/revocation-words.json)', () => {
  test('verdicts, report checks, findings', { timeout: 120_000 }, async () => {
    const out: Record<string, unknown> = {};
    const now = new Date();
    const leaf = P(pki.leafRevoked), intA = P(pki.intA);
    const ocsp = (der: Uint8Array, c: ParsedCert, i: ParsedCert, at = now) => {
      const v = validateOcspResponse(parseOcspResponse(der), c, i, { at });
      saids.push(v);
      return mask(v.detail);
    };

    out.ocspGood = ocsp(pki.ocspResponse(pki.leafGood, pki.intA), P(pki.leafGood), intA);
    out.ocspRevokedDelegated = ocsp(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner }), leaf, intA);
    out.ocspRevokedByKey = ocsp(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner, byKey: true }), leaf, intA);
    out.ocspRevokedIntB = ocsp(pki.ocspResponse(pki.intB, pki.root), P(pki.intB), P(pki.root));
    out.ocspUnknown = ocsp(pki.ocspResponse(pki.leafGood, pki.intA, { index: pki.index.intB }), P(pki.leafGood), intA);
    out.ocspNoEku = ocsp(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.notSigner }), leaf, intA);
    out.ocspNoCerts = ocsp(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner, noCerts: true }), leaf, intA);
    out.ocspNoCertsByKey = ocsp(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner, noCerts: true, byKey: true }), leaf, intA)
      .replace(/[0-9a-f]{16}…/, '<key>…');
    out.ocspOther = ocsp(pki.ocspResponse(pki.leafGood, pki.intA), leaf, intA);
    out.ocspWrongIssuer = ocsp(pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.leafB }), leaf, intA);
    const short = pki.ocspResponse(pki.leafRevoked, pki.intA, { ndays: 1 });
    out.ocspStale = ocsp(short, leaf, intA, new Date(Date.now() + 2 * DAY));
    out.ocspEarly = ocsp(short, leaf, intA, new Date(Date.now() - DAY));
    const flipped = Buffer.from(pki.ocspResponse(pki.leafRevoked, pki.intA));
    const sig = parseOcspResponse(flipped).basic!.signature;
    flipped[flipped.indexOf(Buffer.from(sig)) + sig.length - 5]! ^= 0x01;
    out.ocspBadSignature = ocsp(flipped, leaf, intA);
    out.ocspTryLater = ocsp(Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x03]), leaf, intA);

    const crlA = parseCrl(readFileSync(pki.crl.intA));
    const crl = (c: ReturnType<typeof parseCrl>, cert: ParsedCert, issuer: ParsedCert, at = now) => {
      const v = checkCrl(c, cert, issuer, { at });
      saids.push(v);
      return mask(v.detail);
    };
    out.crlGood = crl(crlA, P(pki.leafGood), intA);
    out.crlRevoked = crl(crlA, leaf, intA);
    out.crlWrongIssuer = crl(crlA, P(pki.leafB), P(pki.intB));
    const fakePem = join(pki.dir, 'words-fake-intA.pem');
    execFileSync('openssl', ['req', '-x509', '-new', '-key', pki.intB.key, '-subj', '/CN=rev test intermediate A', '-days', '30', '-out', fakePem]);
    out.crlForged = crl(parseCrl(pki.makeCrl({ ...pki.intA, pem: fakePem, key: pki.intB.key }, pki.index.intA)), leaf, intA);
    out.crlExpired = crl(crlA, leaf, intA, new Date(Date.now() + 40 * DAY));
    out.crlEarly = crl(crlA, leaf, intA, new Date(Date.now() - 2 * DAY));
    out.crlNoCrlSign = crl(crlA, leaf, { ...intA, keyUsage: ['keyCertSign'] } as ParsedCert);

    out.offlineRevokedV2 = words(await checkRevocation({ mode: 'staple', path: path(pki.leafRevoked, pki.intA, pki.root), presentedIndexOf: () => 0,
      crls: [readFileSync(pki.crl.intA), readFileSync(pki.crl.root)], at: now }));
    out.offlineRevokedV1 = words(await checkRevocation({ mode: 'staple', path: path(pki.leafRevoked, pki.intA, pki.root), sku: 'v1',
      ocspResponses: [{ name: 'leaf.ocsp', data: pki.ocspResponse(pki.leafRevoked, pki.intA, { signer: pki.ocspSigner }) }], at: now }));
    out.offlineGoodUnmatched = words(await checkRevocation({ mode: 'staple', path: path(pki.leafGood, pki.intA, pki.root),
      crls: [{ name: 'intA.crl', data: readFileSync(pki.crl.intA) }, { name: 'intB.crl', data: readFileSync(pki.crl.intB) }],
      ocspResponses: [pki.ocspResponse(pki.leafGood, pki.intA), pki.ocspResponse(pki.leafB, pki.intB)], at: now }));
    out.offlineStale = words(await checkRevocation({ mode: 'staple', path: path(pki.leafRevoked, pki.intA, pki.root),
      ocspResponses: [short], at: new Date(Date.now() + 3 * DAY) }));
    out.stapleInvalid = words(await checkRevocation({ mode: 'staple', path: path(pki.leafGood, pki.intA, pki.root), staple: pki.ocspResponse(pki.leafRevoked, pki.intA), at: now }));
    out.stapleGarbage = words(await checkRevocation({ mode: 'staple', path: path(pki.leafGood, pki.intA, pki.root), staple: Uint8Array.from([1, 2, 3]), at: now }));
    out.stapleNoIssuer = words(await checkRevocation({ mode: 'staple', path: path(pki.leafGood), staple: pki.ocspResponse(pki.leafGood, pki.intA), at: now }));
    out.stapleGood = words(await checkRevocation({ mode: 'staple', path: path(pki.leafGood, pki.intA, pki.root), presentedIndexOf: (c) => (c.subject.text.startsWith('CN=good') ? 0 : 1),
      staple: pki.ocspResponse(pki.leafGood, pki.intA), at: now }));
    out.allNoUrls = words(await checkRevocation({ mode: 'all', path: path(pki.leafGood, pki.intA, pki.root), at: now }));
    const unreachable = await checkRevocation({ mode: 'all', path: path(far.leafGood, far.intA, far.root), at: now, fetchTimeoutMs: 3000, allowInternalFetch: true });
    out.allUnreachable = words(unreachable);

    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(FILE)) {
      writeFileSync(FILE, `${JSON.stringify(out, null, 1)}\n`);
      if (process.env.UPDATE_GOLDEN !== '1') throw new Error('test/golden/revocation-words.json was missing and has been written: commit it');
    }
    const was = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(Object.keys(was));
    for (const k of Object.keys(was)) expect(out[k], k).toEqual(was[k]);
  });

  test('each detail is exactly the catalog\'s words for the check\'s code and evidence', () => {
    expect(saids.length).toBeGreaterThan(30);
    for (const x of saids) {
      expect(revocationDetail(x.code as RevocationCode, x.evidence as never), x.code).toBe(x.detail);
    }
    // The cases above reach most codes; the rest (undecodable bytes mid-fetch, bad times) are rare paths.
    expect(new Set(saids.map((x) => x.code)).size).toBeGreaterThanOrEqual(20);
  });
});
