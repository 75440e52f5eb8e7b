/**
 * The OpenSSL-parity corpus (issue 14 item 1): chains OpenSSL 3.0 rejects as a TLS client for
 * name constraints and RFC 5280 structure, with controls it accepts, built in memory with
 * test/reliability/certgen.ts. Each case records OpenSSL's measured verdict (3.0 numbering);
 * test/unit/openssl-parity.test.ts checks it against openssl and certcheck, and the OpenSSL
 * differential (test/integration/openssl-diff.test.ts) runs the same chains as `directed:parity/…`.
 * Keys are made afresh each run; no verdict depends on them.
 */
import crypto from 'node:crypto';
import * as g from '../reliability/certgen.js';

/** The instant every parity case is judged at. */
export const PARITY_AT = new Date('2030-06-01T00:00:00Z');
const HOST = 'backend.test';

/** OpenSSL 3.0 numbers that differ from the 1.1.1 numbering certcheck reports. */
export const TO_111: Record<number, number> = { 79: 24 };

export interface ParityCase {
  name: string; leaf: g.Built; ints: g.Built[]; root: g.Built; host: string;
  /** OpenSSL's X509_V_ERR (3.0 numbering) when it rejects, 'ok' when it accepts. */
  openssl: number | 'ok';
  /** A warning certcheck must still give on an accepted chain. */
  warning?: string;
}

export function parityCorpus(): ParityCase[] {
  const out: ParityCase[] = [];
  const root = g.makeCa([['CN', 'Parity Root']], 'self');
  const add = (name: string, leaf: g.Built, ints: g.Built[], code: number | 'ok', host = HOST, warning?: string, anchor = root) =>
    out.push({ name, leaf, ints, root: anchor, host, openssl: code, ...(warning ? { warning } : {}) });
  const leafOpts = { notBefore: 'U:300101000000Z', notAfter: 'U:301231000000Z' };
  const mkLeaf = (issuer: g.Signer, o: Partial<g.CertSpec> = {}) => g.makeLeaf(issuer, { ...leafOpts, ...o });

  {
    const int = g.makeCa([['CN', 'Parity NC other.test']], root.signer, { nc: { permitted: ['DNS:other.test'] } });
    add('CN checked against DNS name constraints when the leaf has no SAN', mkLeaf(int.signer, { san: undefined }), [int], 47);
  }
  {
    const int = g.makeCa([['CN', 'Parity NC excl backend.test']], root.signer, { nc: { excluded: ['DNS:backend.test'] } });
    add('CN checked against DNS name constraints when the SAN has only an IP', mkLeaf(int.signer, { san: ['IP:127.0.0.1'] }), [int], 48, '127.0.0.1');
  }
  {
    // OpenSSL's NAME_CHECK_MAX: (subject entries + SAN entries) x (subtrees) above 2^20 fails with 1.
    const excluded = Array.from({ length: 1000 }, (_, k) => `DNS:x${k}.invalid`);
    const int = g.makeCa([['CN', 'Parity NC many']], root.signer, { nc: { excluded } });
    const san = ['DNS:backend.test', ...Array.from({ length: 1100 }, (_, k) => `URI:https://u${k}.example/`)];
    add('name-constraint complexity past OpenSSL\'s limit', mkLeaf(int.signer, { san }), [int], 1);
  }
  {
    const int = g.makeCa([['CN', 'Parity Int']], root.signer);
    add('duplicate extension in the leaf (RFC 5280 §4.2)', mkLeaf(int.signer, { extra: [{ oid: '2.5.29.37', critical: false, value: g.seq(g.oid('1.3.6.1.5.5.7.3.1')) }] }), [int], 20);
    add('critical authorityKeyIdentifier on the leaf (RFC 5280 §4.2.1.1)', mkLeaf(int.signer, { aki: 'critical' }), [int], 34);
    add('empty subject with a non-critical SAN (RFC 5280 §4.1.2.6): OpenSSL checks it only with -x509_strict', mkLeaf(int.signer, { subject: g.seq() }), [int], 'ok');
    add('keyCertSign on a non-CA leaf (RFC 5280 §4.2.1.3): OpenSSL checks it only with -x509_strict', mkLeaf(int.signer, { ku: ['digitalSignature', 'keyCertSign'] }), [int], 'ok');
    const p192 = g.fromPrivate(crypto.generateKeyPairSync('ec', { namedCurve: 'prime192v1' }).privateKey);
    add('P-192 leaf key: 96 bits pass security level 1 (the gateway\'s), a WEAK_KEY warning', mkLeaf(int.signer, { key: p192 }), [int], 'ok', HOST, 'WEAK_KEY');
    const dupInt = g.makeCa([['CN', 'Parity Dup Int']], root.signer, { extra: [{ oid: '2.5.29.15', critical: true, value: g.bitstring(Buffer.from([0x06]), 1) }] });
    add('duplicate extension in the intermediate', mkLeaf(dupInt.signer), [dupInt], 20);
  }
  {
    const int4 = g.makeCa([['CN', 'Parity NC ip4']], root.signer, { nc: { permitted: ['IP:10.0.0.1'] } });
    add('iPAddress name constraint of 4 octets, no IP name to check', mkLeaf(int4.signer), [int4], 'ok');
    add('iPAddress name constraint of 4 octets (RFC 5280 §4.2.1.10), leaf with an IP SAN', mkLeaf(int4.signer, { san: ['DNS:backend.test', 'IP:10.0.0.1'] }), [int4], 53);
    const other = g.tlv(0xa0, g.oid('1.3.6.1.5.5.7.8.9'), g.explicit(0, g.utf8('a@backend.test')));
    const intO = g.makeCa([['CN', 'Parity NC otherName']], root.signer, { extra: [{ oid: '2.5.29.30', critical: true, value: g.seq(g.tlv(0xa0, g.seq(other))) }] });
    add('otherName in name constraints, no otherName to check', mkLeaf(intO.signer), [intO], 'ok');
    const upn = (v: string) => g.tlv(0xa0, g.oid('1.3.6.1.4.1.311.20.2.3'), g.explicit(0, g.utf8(v)));
    const intU = g.makeCa([['CN', 'Parity NC UPN']], root.signer, { extra: [{ oid: '2.5.29.30', critical: true, value: g.seq(g.tlv(0xa0, g.seq(upn('backend.test')))) }] });
    const sanU = g.seq(g.tlv(0x82, Buffer.from('backend.test')), upn('a@backend.test'));
    add('otherName in name constraints, leaf with the same otherName type', mkLeaf(intU.signer, { san: undefined, extra: [{ oid: '2.5.29.17', critical: false, value: sanU }] }), [intU], 51);
    const int6 = g.makeCa([['CN', 'Parity NC ip excl 4']], root.signer, { nc: { excluded: ['IP:10.0.0.1'] } });
    add('excluded iPAddress constraint of 4 octets, leaf with an IP SAN', mkLeaf(int6.signer, { san: ['DNS:backend.test', 'IP:10.0.0.1'] }), [int6], 53);
    const intE = g.makeCa([['CN', 'Parity NC email']], root.signer, { extra: [{ oid: '2.5.29.30', critical: true, value: g.seq(g.tlv(0xa0, g.seq(g.tlv(0x81, Buffer.from('other.test'))))) }] });
    add('email constraint, leaf with an email SAN outside it', mkLeaf(intE.signer, { san: undefined, extra: [{ oid: '2.5.29.17', critical: false, value: g.seq(g.tlv(0x82, Buffer.from('backend.test')), g.tlv(0x81, Buffer.from('a@backend.test'))) }] }), [intE], 47);
    add('email constraint, leaf subject emailAddress outside it', mkLeaf(intE.signer, { subject: g.seq(g.set(g.seq(g.oid('1.2.840.113549.1.9.1'), g.tlv(0x16, Buffer.from('a@backend.test')))), g.set(g.seq(g.oid('2.5.4.3'), g.utf8('backend.test')))) }), [intE], 47);
    const intUri = g.makeCa([['CN', 'Parity NC uri']], root.signer, { nc: { permitted: ['URI:other.test'] } });
    add('URI constraint, leaf with a URI SAN outside it', mkLeaf(intUri.signer, { san: ['DNS:backend.test', 'URI:https://backend.test/'] }), [intUri], 47);
    const intDn = g.makeCa([['CN', 'Parity NC dirName']], root.signer, { extra: [{ oid: '2.5.29.30', critical: true, value: g.seq(g.tlv(0xa0, g.seq(g.tlv(0xa4, g.name([['O', 'Elsewhere']]))))) }] });
    add('dirName constraint, leaf subject outside it', mkLeaf(intDn.signer), [intDn], 47);
  }
  {
    const int = g.makeCa([['CN', 'Parity Int 2']], root.signer);
    add('critical subjectKeyIdentifier on the leaf (RFC 5280 §4.2.1.2)', mkLeaf(int.signer, { skiCritical: true }), [int], 34);
  }
  {
    const rootSki = g.makeCa([['CN', 'Parity Root critical SKI']], 'self', { skiCritical: true });
    const int = g.makeCa([['CN', 'Parity Int under critical SKI']], rootSki.signer);
    add('critical subjectKeyIdentifier on the trusted root', mkLeaf(int.signer), [int], 34, HOST, undefined, rootSki);
    const rootDup = g.makeCa([['CN', 'Parity Root dup']], 'self', { extra: [{ oid: '2.5.29.37', critical: false, value: g.seq(g.oid('1.3.6.1.5.5.7.3.1')) }, { oid: '2.5.29.37', critical: false, value: g.seq(g.oid('1.3.6.1.5.5.7.3.1')) }] });
    const int2 = g.makeCa([['CN', 'Parity Int under dup root']], rootDup.signer);
    add('duplicate extension in the trusted root', mkLeaf(int2.signer), [int2], 20, HOST, undefined, rootDup);
    const intAki = g.makeCa([['CN', 'Parity Int critical AKI']], root.signer, { aki: 'critical' });
    add('critical authorityKeyIdentifier on the intermediate', mkLeaf(intAki.signer), [intAki], 34);
  }
  {
    const int = g.makeCa([['CN', 'Parity Int 3']], root.signer);
    const bc = (...c: Buffer[]) => [{ oid: '2.5.29.19', critical: true, value: g.seq(...c) }];
    add('CA:FALSE with a pathLenConstraint on the leaf (RFC 5280 §4.2.1.9)', mkLeaf(int.signer, { ca: undefined, extra: bc(g.int(0)) }), [int], 'ok');
    const intNeg = g.makeCa([['CN', 'Parity Int negative pathLen']], root.signer, { ca: undefined, extra: bc(g.bool(true), g.tlv(0x02, Buffer.from([0xff]))) });
    add('a negative pathLenConstraint on the intermediate', mkLeaf(intNeg.signer), [intNeg], 20);
  }
  {
    const rootNc = g.makeCa([['CN', 'Parity Root NC']], 'self', { nc: { excluded: ['DNS:backend.test'] } });
    const int = g.makeCa([['CN', 'Parity Int under NC root']], rootNc.signer);
    add('name constraints on the trusted root apply too', mkLeaf(int.signer), [int], 48, HOST, undefined, rootNc);
    const intIp = g.makeCa([['CN', 'Parity NC ip range']], root.signer, { extra: [{ oid: '2.5.29.30', critical: true, value: g.seq(g.tlv(0xa0, g.seq(g.tlv(0x87, Buffer.from([10, 0, 0, 0, 255, 0, 0, 0]))))) }] });
    const san5 = g.seq(g.tlv(0x82, Buffer.from('backend.test')), g.tlv(0x87, Buffer.from([10, 0, 0, 0, 1])));
    add('an IP SAN of 5 octets against an iPAddress constraint', mkLeaf(intIp.signer, { san: undefined, extra: [{ oid: '2.5.29.17', critical: false, value: san5 }] }), [intIp], 53);
    const selfIssued = g.makeCa([['CN', 'Parity NC self-issued']], root.signer, { nc: { permitted: ['DNS:backend.test'] } });
    const selfKey = g.keyPair();
    const rollover = g.makeCa([['CN', 'Parity NC self-issued']], selfIssued.signer, { keyPair: selfKey });
    add('a self-issued intermediate is not checked against constraints above it, the leaf is', mkLeaf(rollover.signer, { san: ['DNS:www.other.test'] }), [rollover, selfIssued], 47, 'www.other.test');
  }
  {
    // Controls: the same shapes within their constraints, and the limits OpenSSL stops short of.
    const intP = g.makeCa([['CN', 'Parity NC permits']], root.signer, { extra: [{ oid: '2.5.29.30', critical: true, value: g.seq(g.tlv(0xa0,
      g.seq(g.tlv(0x82, Buffer.from('backend.test'))), g.seq(g.tlv(0x87, Buffer.from([10, 0, 0, 0, 255, 0, 0, 0]))),
      g.seq(g.tlv(0x81, Buffer.from('backend.test'))), g.seq(g.tlv(0x86, Buffer.from('.backend.test'))),
      g.seq(g.tlv(0xa4, g.name([['O', 'certcheck test']]))))) }] });
    add('CN within the permitted DNS subtree', mkLeaf(intP.signer, { san: undefined }), [intP], 'ok');
    add('every name type within its permitted subtree', mkLeaf(intP.signer, { san: ['DNS:backend.test', 'IP:10.1.2.3', 'URI:https://www.backend.test:8443/x'] }), [intP], 'ok');
    add('an IP outside the permitted range', mkLeaf(intP.signer, { san: ['DNS:backend.test', 'IP:192.0.2.1'] }), [intP], 47);
    const intX = g.makeCa([['CN', 'Parity NC excl']], root.signer, { nc: { excluded: ['DNS:backend.test'] } });
    const intO = g.makeCa([['CN', 'Parity NC other.test 2']], root.signer, { nc: { permitted: ['DNS:other.test'] } });
    add('a wildcard CN is not a DNS name to OpenSSL (cn2dnsid), so it is not checked', mkLeaf(intO.signer, { san: undefined, subject: [['CN', '*.backend.test']] }), [intO], 'ok', 'x.backend.test');
    add('the CN is not checked when the leaf has a dNSName SAN', mkLeaf(intX.signer, { san: ['DNS:other.test'], subject: [['CN', 'backend.test']] }), [intX], 'ok', 'other.test');
    const excluded = Array.from({ length: 1000 }, (_, k) => `DNS:x${k}.invalid`);
    const intMany = g.makeCa([['CN', 'Parity NC many ok']], root.signer, { nc: { excluded } });
    const san = ['DNS:backend.test', ...Array.from({ length: 1000 }, (_, k) => `URI:https://u${k}.example/`)];
    add('name-constraint complexity just under OpenSSL\'s limit', mkLeaf(intMany.signer, { san }), [intMany], 'ok');
    const intMax = g.makeCa([['CN', 'Parity NC max']], root.signer, { extra: [{ oid: '2.5.29.30', critical: true, value: g.seq(g.tlv(0xa0,
      g.seq(g.tlv(0x82, Buffer.from('backend.test')), g.tlv(0x81, Buffer.from([2]))))) }] });
    add('a subtree with a maximum (RFC 5280 §4.2.1.10)', mkLeaf(intMax.signer), [intMax], 49);
  }
  return out;
}

