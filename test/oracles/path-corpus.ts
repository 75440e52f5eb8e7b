/**
 * A path-building corpus for the strict profile (issue 14), judged by Go's crypto/x509 as an
 * independent oracle (test/oracles/goverify). Each case is what a backend sends (leaf first, the
 * rest in the order sent) and the trusted roots; the shapes are the ones where a single-path
 * builder goes wrong: cross-signed roots, expired / EKU-restricted / name-constrained / pathLen-
 * broken alternatives sent before the good issuer, several roots, loops, and plain failures.
 * Keys are made afresh each run (P-256, fast); the verdicts do not depend on them.
 */
import { keyPair, makeCa, makeLeaf as makeLeaf10y, type Built, type CertSpec, type KeyPair, type Signer } from '../reliability/certgen.js';

export interface PathCase {
  name: string;
  /** Leaf first, then the other certificates in the order the backend sends them. */
  sent: Built[];
  roots: Built[];
  host: string;
  at: string;
  /** What a complete RFC 5280 validator concludes (Go agrees unless `goDiffers` says why). */
  valid: boolean;
  /** Where Go's crypto/x509 deliberately differs from RFC 5280 as the strict profile reads it. */
  goDiffers?: string;
}

const AT = '2030-06-01T00:00:00Z';
/** A leaf valid for one year around AT: the CA/B 398-day rule is not what these cases test. */
const makeLeaf = (issuer: Signer, o: Partial<CertSpec> = {}) => makeLeaf10y(issuer, { notBefore: 'U:300101000000Z', notAfter: 'U:301231000000Z', ...o });
const HOST = 'backend.test';

export function pathCorpus(): PathCase[] {
  const cases: PathCase[] = [];
  const add = (name: string, sent: Built[], roots: Built[], valid: boolean, more: Partial<PathCase> = {}) =>
    cases.push({ name, sent, roots, host: HOST, at: AT, valid, ...more });

  const rootA = makeCa([['CN', 'Corpus Root A']], 'self');
  const rootB = makeCa([['CN', 'Corpus Root B']], 'self');
  const rootOld = makeCa([['CN', 'Corpus Old Root']], 'self');
  const intKey: KeyPair = keyPair();
  const intSubject: [string, string][] = [['CN', 'Corpus Intermediate']];
  const intA = makeCa(intSubject, rootA.signer, { keyPair: intKey });
  const leaf = makeLeaf(intA.signer);

  // The same intermediate (name and key) in other guises, each sent before the good one.
  const intByOld = makeCa(intSubject, rootOld.signer, { keyPair: intKey });
  const intExpired = makeCa(intSubject, rootA.signer, { keyPair: intKey, notBefore: 'U:200101000000Z', notAfter: 'U:250101000000Z' });
  const intClientOnly = makeCa(intSubject, rootA.signer, { keyPair: intKey, eku: ['clientAuth'] });
  const intConstrained = makeCa(intSubject, rootA.signer, { keyPair: intKey, nc: { permitted: ['DNS:other.test'] } });
  const intNotYet = makeCa(intSubject, rootA.signer, { keyPair: intKey, notBefore: 'U:350101000000Z', notAfter: 'U:400101000000Z' });

  add('basic', [leaf, intA], [rootA], true);
  add('root sent too', [leaf, intA, rootA], [rootA], true);
  add('intermediates in reverse order', [leaf, rootA, intA], [rootA], true);
  add('two roots, the right one second', [leaf, intA], [rootB, rootA], true);
  add('cross-sign to an untrusted root sent first', [leaf, intByOld, intA], [rootA], true);
  add('cross-sign first, the old root trusted instead', [leaf, intByOld, intA], [rootOld], true);
  add('only the cross-sign sent, its root trusted', [leaf, intByOld], [rootOld], true);
  add('only the cross-sign sent, the other root trusted', [leaf, intByOld], [rootA], false);
  add('expired copy of the intermediate sent first', [leaf, intExpired, intA], [rootA], true);
  add('only an expired intermediate', [leaf, intExpired], [rootA], false);
  add('not-yet-valid copy sent first', [leaf, intNotYet, intA], [rootA], true);
  add('clientAuth-only copy sent first', [leaf, intClientOnly, intA], [rootA], true);
  add('only a clientAuth-only intermediate', [leaf, intClientOnly], [rootA], false);
  add('name-constrained copy sent first', [leaf, intConstrained, intA], [rootA], true);
  add('only a name-constrained intermediate that excludes the leaf', [leaf, intConstrained], [rootA], false);
  add('every bad copy first, the good one last', [leaf, intExpired, intClientOnly, intConstrained, intByOld, intA], [rootA], true);
  add('every bad copy, no good one', [leaf, intExpired, intClientOnly, intConstrained, intByOld], [rootA], false);
  add('nothing trusted', [leaf, intA], [rootB], false);
  add('leaf only', [leaf], [rootA], false);

  // pathLen: rootA → int0 (pathLen 0) → intUnder → leaf2 breaks it; the same intUnder issued
  // straight by rootA does not.
  const int0 = makeCa([['CN', 'Corpus PathLen Zero']], rootA.signer, { ca: { pathLen: 0 } });
  const underKey = keyPair();
  const underSubject: [string, string][] = [['CN', 'Corpus Under']];
  const intUnder = makeCa(underSubject, int0.signer, { keyPair: underKey });
  const intUnderDirect = makeCa(underSubject, rootA.signer, { keyPair: underKey });
  const leaf2 = makeLeaf(intUnder.signer);
  add('pathLen 0 broken by one more CA', [leaf2, intUnder, int0], [rootA], false);
  add('pathLen-broken path first, a direct one after', [leaf2, intUnder, int0, intUnderDirect], [rootA], true);

  // A loop: two CAs that cross-sign each other, neither trusted; then with a way out.
  const loopKeyX = keyPair(), loopKeyY = keyPair();
  const nameX: [string, string][] = [['CN', 'Corpus Loop X']], nameY: [string, string][] = [['CN', 'Corpus Loop Y']];
  const signerY: Signer = { name: makeCa(nameY, 'self', { keyPair: loopKeyY }).signer.name, key: loopKeyY.privateKey, ski: loopKeyY.ski, sig: 'ecdsa-sha256' };
  const xByY = makeCa(nameX, signerY, { keyPair: loopKeyX });
  const yByX = makeCa(nameY, xByY.signer, { keyPair: loopKeyY });
  const leaf3 = makeLeaf(xByY.signer);
  add('a loop of two cross-signed CAs, nothing trusted', [leaf3, xByY, yByX], [rootA], false);
  const yByRoot = makeCa(nameY, rootA.signer, { keyPair: loopKeyY });
  add('a loop with a way out to a trusted root', [leaf3, xByY, yByX, yByRoot], [rootA], true);

  // Plain failures of the leaf.
  add('expired leaf', [makeLeaf(intA.signer, { notBefore: 'U:200101000000Z', notAfter: 'U:250101000000Z' }), intA], [rootA], false);
  add('leaf for another name', [makeLeaf(intA.signer, { san: ['DNS:other.test'] }), intA], [rootA], false);
  add('leaf clientAuth only', [makeLeaf(intA.signer, { eku: ['clientAuth'] }), intA], [rootA], false);
  const notCa = makeCa([['CN', 'Corpus Not CA']], rootA.signer, { ca: false });
  add('intermediate without CA:TRUE', [makeLeaf(notCa.signer), notCa], [rootA], false);
  return cases;
}
