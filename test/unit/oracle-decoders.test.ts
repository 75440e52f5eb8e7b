/**
 * Issue 19: our own decoders read security-relevant formats, so they get an independent second
 * reading from the field's standard libraries, @peculiar/x509 and pkijs (devDependencies, never
 * loaded at runtime). Every certificate the fixture generator makes (certs/out: the PKI, the
 * hostile bundles, the file formats) is decoded by ours and by both of theirs and compared field by
 * field; PKCS#7 bundles and CRLs by pkijs. Then seeded one-byte mutants of those certificates: where
 * both sides read a mutant, they must read the same values.
 *
 * Where a library is wrong and ours is right (documented in certs/DIFFERENCES.md, "Decoders"),
 * the comparison skips exactly that case and says why.
 */
import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as px509 from '@peculiar/x509';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/x509/cert.js';
import { decodeCertificates } from '../../src/x509/decode.js';
import { parseCrl } from '../../src/revocation/crl.js';
import type { GeneralName, ParsedCert } from '../../src/x509/types.js';

const OUT = join(import.meta.dirname, '..', '..', 'certs', 'out');
const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString('hex');
const pemDers = (text: string) => [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));

/** Every certificate the generator wrote, once each, with where it came from. */
function corpus(): { name: string; der: Uint8Array }[] {
  const seen = new Set<string>();
  const out: { name: string; der: Uint8Array }[] = [];
  const add = (name: string, der: Uint8Array) => { const k = hex(der); if (!seen.has(k)) { seen.add(k); out.push({ name, der }); } };
  for (const f of readdirSync(join(OUT, 'pki')).filter((n) => n.endsWith('.der')).sort()) add(`pki/${f}`, new Uint8Array(readFileSync(join(OUT, 'pki', f))));
  for (const f of readdirSync(join(OUT, 'hostile')).sort()) pemDers(readFileSync(join(OUT, 'hostile', f), 'utf8')).forEach((d, i) => add(`hostile/${f}#${i}`, d));
  for (const f of ['chain.pem', 'trusted.pem', 'leaf.pem', 'inter.pem', 'root.pem']) pemDers(readFileSync(join(OUT, 'formats', f), 'utf8')).forEach((d, i) => add(`formats/${f}#${i}`, d));
  return out;
}

/** Names as (OID, value) lists in encoded order. */
function ourName(rdns: ParsedCert['subject']['rdns']): string[] {
  return rdns.flat().map((a) => `${a.oid}=${a.value}`);
}
function pkijsName(n: pkijs.RelativeDistinguishedNames): string[] {
  return n.typesAndValues.map((tv) => `${tv.type}=${(tv.value.valueBlock as { value: string }).value}`);
}

/** What ours says, in the vocabulary both libraries share. */
function ours(c: ParsedCert) {
  const ku = c.keyUsage ?? null;
  return {
    version: c.version,
    serial: c.serialHex.toLowerCase().replace(/:/g, ''),
    notBefore: c.notBefore.date?.getTime() ?? null,
    notAfter: c.notAfter.date?.getTime() ?? null,
    sigAlg: c.signatureAlgorithm.oid,
    extensions: c.extensions.map((e) => `${e.oid}${e.critical ? '!' : ''}`),
    san: (c.subjectAltName ?? []).map(sanText),
    ca: c.basicConstraints ? c.basicConstraints.ca : null,
    pathLen: c.basicConstraints?.pathLen ?? null,
    keyUsage: ku ? [...ku].sort() : null,
    eku: c.extKeyUsage ?? null,
    ski: c.subjectKeyId?.toLowerCase().replace(/:/g, '') ?? null,
    aki: c.authorityKeyId?.keyId?.toLowerCase().replace(/:/g, '') ?? null,
  };
}
function sanText(g: GeneralName): string {
  switch (g.type) {
    case 'dns': return `dns:${g.value}`;
    case 'ip': return `ip:${hex(g.bytes)}`;
    case 'email': return `email:${g.value}`;
    case 'uri': return `uri:${g.value}`;
    default: return g.type;
  }
}

const KU_BITS: [number, string][] = [[1, 'digitalSignature'], [2, 'nonRepudiation'], [4, 'keyEncipherment'], [8, 'dataEncipherment'], [16, 'keyAgreement'], [32, 'keyCertSign'], [64, 'cRLSign'], [128, 'encipherOnly'], [256, 'decipherOnly']];

/** The same fields as @peculiar/x509 reads them. */
function peculiar(der: Uint8Array) {
  const c = new px509.X509Certificate(der);
  const ext = <T extends px509.Extension>(t: new (...a: never[]) => T) => c.getExtension(t as unknown as { new(raw: ArrayBuffer): T }) as T | null;
  const bc = ext(px509.BasicConstraintsExtension);
  const ku = ext(px509.KeyUsagesExtension);
  const eku = ext(px509.ExtendedKeyUsageExtension);
  const san = ext(px509.SubjectAlternativeNameExtension);
  const ski = ext(px509.SubjectKeyIdentifierExtension);
  const aki = ext(px509.AuthorityKeyIdentifierExtension);
  const pk = pkijs.Certificate.fromBER(der);
  return {
    version: pk.version + 1,
    serial: c.serialNumber.toLowerCase(),
    notBefore: c.notBefore.getTime(),
    notAfter: c.notAfter.getTime(),
    sigAlg: pk.signatureAlgorithm.algorithmId,
    extensions: c.extensions.map((e) => `${e.type}${e.critical ? '!' : ''}`),
    san: san ? san.names.items.map((n) => (n.type === 'ip' ? `ip:${hex(ipBytes(n.value))}` : `${n.type}:${n.value}`)) : [],
    ca: bc ? bc.ca : null,
    pathLen: bc?.pathLength ?? null,
    keyUsage: ku ? KU_BITS.filter(([b]) => (ku.usages & b) !== 0).map(([, n]) => n).sort() : null,
    eku: eku ? eku.usages.map(String) : null,
    ski: ski?.keyId.toLowerCase() ?? null,
    aki: aki?.keyId?.toLowerCase() ?? null,
  };
}
/** @peculiar/x509 prints IPs as text; back to bytes to compare with ours. */
function ipBytes(text: string): Uint8Array {
  if (text.includes(':')) {
    const [head, tail] = text.split('::') as [string, string | undefined];
    const h = head ? head.split(':') : [], t = tail ? tail.split(':') : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
    return new Uint8Array(groups.flatMap((g) => { const v = parseInt(g, 16); return [v >> 8, v & 255]; }));
  }
  return new Uint8Array(text.split('.').map(Number));
}

const certs = corpus();

describe('certificates: ours against @peculiar/x509 and pkijs', () => {
  it(`reads the generator's ${certs.length} certificates alike, field by field`, () => {
    expect(certs.length).toBeGreaterThan(150);
    const disagreements: string[] = [];
    for (const { name, der } of certs) {
      const mine = parseCertificate(der);
      // Ours keeps a certificate whose time text is impossible (date null) where the libraries
      // roll it over into another date: certs/DIFFERENCES.md, "Decoders".
      if (!mine.notBefore.date || !mine.notAfter.date) continue;
      let theirs: ReturnType<typeof peculiar>;
      // Ours keeps a certificate with one malformed extension and marks that extension; the
      // libraries refuse the whole certificate (DIFFERENCES.md, "Decoders").
      const badExtension = mine.extensions.some((e) => e.error !== undefined);
      try { theirs = peculiar(der); } catch (e) { if (badExtension) continue; disagreements.push(`${name}: @peculiar/x509 or pkijs cannot read it (${(e as Error).message}); ours can`); continue; }
      const a = ours(mine);
      for (const k of Object.keys(a) as (keyof typeof a)[]) {
        if (JSON.stringify(a[k]) !== JSON.stringify(theirs[k])) disagreements.push(`${name}: ${k}: ours ${JSON.stringify(a[k])}, theirs ${JSON.stringify(theirs[k])}`);
      }
      const pk = pkijs.Certificate.fromBER(der);
      if (JSON.stringify(ourName(mine.subject.rdns)) !== JSON.stringify(pkijsName(pk.subject))) disagreements.push(`${name}: subject: ours ${ourName(mine.subject.rdns)}, pkijs ${pkijsName(pk.subject)}`);
      if (JSON.stringify(ourName(mine.issuer.rdns)) !== JSON.stringify(pkijsName(pk.issuer))) disagreements.push(`${name}: issuer: ours ${ourName(mine.issuer.rdns)}, pkijs ${pkijsName(pk.issuer)}`);
      if (hex(mine.spki) !== hex(pk.subjectPublicKeyInfo.toSchema().toBER())) disagreements.push(`${name}: SubjectPublicKeyInfo bytes differ`);
    }
    expect(disagreements).toEqual([]);
  });
});

describe('PKCS#7 and CRLs: ours against pkijs', () => {
  it('reads the certificates of each .p7b in the same order', async () => {
    for (const f of ['chain.p7b', 'chain-with-crl.p7b']) {
      const bytes = new Uint8Array(readFileSync(join(OUT, 'formats', f)));
      const mine = await decodeCertificates(bytes, f);
      const ci = pkijs.ContentInfo.fromBER(bytes);
      const sd = new pkijs.SignedData({ schema: ci.content });
      const theirs = (sd.certificates ?? []).map((c) => hex((c as pkijs.Certificate).toSchema().toBER()));
      expect(mine.certificates.map(hex), f).toEqual(theirs);
    }
  });

  it('reads a CRL: issuer, dates, revoked serials', () => {
    const pem = readFileSync(join(OUT, 'formats', 'crl.pem'), 'utf8');
    const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
    const mine = parseCrl(der);
    const theirs = pkijs.CertificateRevocationList.fromBER(der);
    expect(hex(mine.issuerDer)).toBe(hex(theirs.issuer.toSchema().toBER()));
    expect(mine.thisUpdate.date?.getTime()).toBe(theirs.thisUpdate.value.getTime());
    expect(mine.nextUpdate?.date?.getTime() ?? null).toBe(theirs.nextUpdate?.value.getTime() ?? null);
    // Ours keys entries by the serial's minimal two's-complement bytes; pkijs keeps them as encoded.
    const minimal = (h: string) => h.replace(/^00(?=[89a-f])/, '');
    const theirSerials = (theirs.revokedCertificates ?? []).map((r) => minimal(hex(r.userCertificate.valueBlock.valueHexView)));
    expect([...mine.revoked.keys()]).toEqual(theirSerials);
  });
});

describe('one-byte mutants: where both read a mutant, both read the same', () => {
  it('300 seeded mutants of the PKI certificates', () => {
    // A fixed linear congruential sequence: the same mutants on every run (no seed policy needed).
    let x = 0x2545f491;
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    const base = certs.filter((c) => c.name.startsWith('pki/'));
    const disagreements: string[] = [];
    let bothRead = 0;
    for (let i = 0; i < 300; i++) {
      const src = base[next() % base.length]!;
      const der = new Uint8Array(src.der);
      // Inside the TBS, away from the outer headers, so most mutants stay well-formed DER.
      const at = 8 + (next() % (der.length - 8));
      der[at] = der[at]! ^ (1 << (next() % 8));
      let mine: ParsedCert | undefined;
      try { mine = parseCertificate(der); } catch { /* ours refuses: nothing to compare */ }
      let theirs: ReturnType<typeof peculiar> | undefined;
      try { theirs = peculiar(der); } catch { /* theirs refuses */ }
      if (!mine || !theirs || !mine.notBefore.date || !mine.notAfter.date || mine.problems.length) continue;
      bothRead++;
      const a = ours(mine);
      for (const k of Object.keys(a) as (keyof typeof a)[]) {
        if (JSON.stringify(a[k]) !== JSON.stringify(theirs[k])) disagreements.push(`${src.name} byte ${at}: ${k}: ours ${JSON.stringify(a[k])}, theirs ${JSON.stringify(theirs[k])}`);
      }
    }
    expect(bothRead).toBeGreaterThan(50);
    expect(disagreements).toEqual([]);
  });
});

describe('OCSP responses and CRLs made by openssl: ours against pkijs', () => {
  it('status, CertIDs, times, responder, revocations and serials agree', async () => {
    const { makeRevPki } = await import('../helpers/revocation-pki.js');
    const { parseOcspResponse } = await import('../../src/x509/ocsp.js');
    const pki = makeRevPki();
    try {
      const cases = [
        pki.ocspResponse(pki.leafGood, pki.intA),
        pki.ocspResponse(pki.leafRevoked, pki.intA),
        pki.ocspResponse(pki.leafGood, pki.intA, { signer: pki.ocspSigner, byKey: true }),
        pki.ocspResponse(pki.intA, pki.root, { noCerts: true }),
      ];
      for (const der of cases) {
        const mine = parseOcspResponse(new Uint8Array(der));
        const theirs = pkijs.OCSPResponse.fromBER(new Uint8Array(der));
        expect(mine.responseStatus).toBe(theirs.responseStatus.valueBlock.valueDec);
        const basic = pkijs.BasicOCSPResponse.fromBER(theirs.responseBytes!.response.valueBlock.valueHexView);
        const b = mine.basic!;
        expect(b.producedAt.date?.getTime()).toBe(basic.tbsResponseData.producedAt.getTime());
        expect(b.responses.length).toBe(basic.tbsResponseData.responses.length);
        b.responses.forEach((r, i) => {
          const t = basic.tbsResponseData.responses[i]!;
          expect(r.certId.serial).toBe(hex(t.certID.serialNumber.valueBlock.valueHexView).replace(/^00(?=[89a-f])/, ''));
          expect(r.certId.issuerNameHash).toBe(hex(t.certID.issuerNameHash.valueBlock.valueHexView));
          expect(r.certId.issuerKeyHash).toBe(hex(t.certID.issuerKeyHash.valueBlock.valueHexView));
          expect(r.certId.hashOid).toBe(t.certID.hashAlgorithm.algorithmId);
          expect(r.thisUpdate.date?.getTime()).toBe(t.thisUpdate.getTime());
          expect(r.nextUpdate?.date?.getTime() ?? null).toBe(t.nextUpdate?.getTime() ?? null);
          // certStatus: [0] good, [1] revoked, [2] unknown
          expect(r.status).toBe((['good', 'revoked', 'unknown'] as const)[t.certStatus.idBlock.tagNumber]);
        });
        expect(b.certs.map((c) => hex(c.der))).toEqual((basic.certs ?? []).map((c) => hex(c.toSchema().toBER())));
        expect('byKey' in b.responderId).toBe(basic.tbsResponseData.responderID instanceof asn1js.OctetString);
      }
      const crlDer = new Uint8Array(readFileSync(pki.crl.intA));
      const mineCrl = parseCrl(crlDer);
      const theirCrl = pkijs.CertificateRevocationList.fromBER(crlDer);
      const theirSerials = (theirCrl.revokedCertificates ?? []).map((r) => hex(r.userCertificate.valueBlock.valueHexView).replace(/^00(?=[89a-f])/, ''));
      expect(theirSerials.length).toBeGreaterThan(0);
      expect([...mineCrl.revoked.keys()]).toEqual(theirSerials);
      expect(hex(mineCrl.issuerDer)).toBe(hex(theirCrl.issuer.toSchema().toBER()));
    } finally {
      pki.cleanup();
    }
  }, 60_000);
});

describe('PKCS#12: ours against pkijs', () => {
  it('the certificate bags of the PBES2 files (OpenSSL 3 defaults, no password, certificates only), in bag order', async () => {
    const PASS = 'test-only-pass';
    for (const [file, password] of [['chain.pfx', PASS], ['chain-nopass.pfx', ''], ['certs-only.pfx', PASS]] as const) {
      const der = new Uint8Array(readFileSync(join(OUT, 'formats', file)));
      const mine = await decodeCertificates(der, file, { password: () => password, passwordKnown: true });
      const pfx = pkijs.PFX.fromBER(der);
      const pw = new TextEncoder().encode(password).buffer;
      await pfx.parseInternalValues({ password: pw, checkIntegrity: true });
      const auth = pfx.parsedValue!.authenticatedSafe!;
      await auth.parseInternalValues({ safeContents: auth.safeContents.map(() => ({ password: pw })) });
      const theirs: string[] = [];
      for (const sc of auth.parsedValue!.safeContents) {
        for (const bag of (sc.value as pkijs.SafeContents).safeBags) {
          if (bag.bagId === '1.2.840.113549.1.12.10.1.3') theirs.push(hex((bag.bagValue as pkijs.CertBag).parsedValue.toSchema().toBER()));
        }
      }
      expect(mine.certificates.map(hex), file).toEqual(theirs);
    }
  });
});
