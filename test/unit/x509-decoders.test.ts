/**
 * Issue 19's decoder fixes inside x509/: a negative serial keeps its sign (as OpenSSL prints it,
 * and as the CRL/OCSP match key), GeneralizedTime year 0000 is an error rather than 1900, and an
 * OID whose last octet still has the continuation bit is refused.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCertificate, parseTime } from '../../src/x509/cert.js';
import { DerError, intHex, parseOid, readTlv, children } from '../../src/x509/der.js';
import { serialKey } from '../../src/x509/pkix.js';

const int = (...b: number[]) => readTlv(Uint8Array.from([0x02, b.length, ...b]), 0);
const gtime = (s: string) => {
  const raw = Buffer.from(s, 'latin1');
  return readTlv(Uint8Array.from([0x18, raw.length, ...raw]), 0);
};

describe('serials keep their sign', () => {
  it('prints as OpenSSL does: -5 is "-05", -128 "-80", +128 "80", -129 "-81"', () => {
    expect(intHex(int(0xfb))).toBe('-05');
    expect(intHex(int(0x80))).toBe('-80');
    expect(intHex(int(0x00, 0x80))).toBe('80');
    expect(intHex(int(0xff, 0x7f))).toBe('-81');
    expect(intHex(int(0xff))).toBe('-01');
    expect(intHex(int(0x00))).toBe('00');
    expect(intHex(int(0x0a, 0x03))).toBe('0a03');
  });

  it('the CRL/OCSP match key tells -128 from +128 and matches a non-minimal encoding of the same value', () => {
    expect(serialKey(int(0x80))).not.toBe(serialKey(int(0x00, 0x80)));
    expect(serialKey(int(0x00, 0x00, 0x05))).toBe(serialKey(int(0x05)));
    expect(serialKey(int(0xff, 0xfb))).toBe(serialKey(int(0xfb)));
  });

  it('a certificate with a negative serial reports it signed', () => {
    const der = new Uint8Array(readFileSync('certs/out/pki/int-a.der'));
    const tbs = children(readTlv(der, 0))[0]!;
    const kids = children(tbs);
    const serial = kids[0]!.tag === 0xa0 ? kids[1]! : kids[0]!;
    const patched = Uint8Array.from(der);
    // Same length, so every enclosing length stays right: all 0xff then 0xfb is -5.
    for (let i = serial.valueStart; i < serial.end - 1; i++) patched[i] = 0xff;
    patched[serial.end - 1] = 0xfb;
    expect(parseCertificate(patched).serialHex).toBe('-05');
  });
});

describe('GeneralizedTime years', () => {
  it('year 0000 is an error, not 1900', () => {
    const t = parseTime(gtime('00000101000000Z'));
    expect(t.date).toBeNull();
    expect(t.error).toMatch(/year 0000/);
  });

  it('years 0001-0099 are those years, not 1901-1999', () => {
    expect(parseTime(gtime('00500101000000Z')).date?.getUTCFullYear()).toBe(50);
    expect(parseTime(gtime('00040229120000Z')).date?.toISOString()).toBe('0004-02-29T12:00:00.000Z');
    expect(parseTime(gtime('20300101000000Z')).date?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });
});

describe('OIDs', () => {
  it('an OID whose last octet has the continuation bit set is refused', () => {
    expect(() => parseOid(Uint8Array.from([0x2a, 0x86]))).toThrow(DerError);
    expect(() => parseOid(Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7]))).toThrow(DerError);
    expect(parseOid(Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]))).toBe('1.2.840.113549');
  });
});

describe('read where OpenSSL reads (issue 19)', () => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const { mkdtempSync, writeFileSync, rmSync } = require('node:fs') as typeof import('node:fs');
  const { join } = require('node:path') as typeof import('node:path');
  const { tmpdir } = require('node:os') as typeof import('node:os');
  const tlv = (tag: number, ...parts: Uint8Array[]) => {
    const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
    const len = body.length < 128 ? [body.length] : body.length < 256 ? [0x81, body.length] : [0x82, body.length >> 8, body.length & 255];
    return new Uint8Array(Buffer.concat([Buffer.from([tag, ...len]), body]));
  };
  const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'));
  const openssl = (args: string[], der: Uint8Array) => {
    const dir = mkdtempSync(join(tmpdir(), 'certcheck-x509-'));
    try {
      writeFileSync(join(dir, 'in.der'), der);
      // What openssl printed, whatever its exit status (an unsuccessful OCSP status exits 1).
      const r = spawnSync('openssl', [...args, join(dir, 'in.der')], { encoding: 'utf8' });
      return `${r.stdout}${r.stderr}`;
    } finally { rmSync(dir, { recursive: true, force: true }); }
  };

  it('an OCSP response with trailing bytes is read, as openssl ocsp -respin reads it', async () => {
    const { parseOcspResponse } = await import('../../src/x509/ocsp.js');
    // OCSPResponse { responseStatus tryLater } then two stray bytes.
    const der = Uint8Array.from([0x30, 0x03, 0x0a, 0x01, 0x03, 0x0d, 0x0a]);
    const r = parseOcspResponse(der);
    expect(r).toMatchObject({ responseStatus: 3, responseStatusName: 'tryLater', trailingBytes: 2 });
    // OpenSSL reads the same response with or without the trailing bytes.
    const withTail = openssl(['ocsp', '-resp_text', '-noverify', '-respin'], der);
    expect(withTail).toMatch(/trylater \(3\)/);
    expect(withTail).toBe(openssl(['ocsp', '-resp_text', '-noverify', '-respin'], der.subarray(0, 5)));
  });

  it('a CRL with a malformed issuingDistributionPoint is read, its scope unknown (it answers for no certificate)', async () => {
    const { parseCrl } = await import('../../src/x509/crl.js');
    const alg = tlv(0x30, oid('2a864886f70d01010b'), Uint8Array.from([0x05, 0x00]));
    const name = tlv(0x30, tlv(0x31, tlv(0x30, oid('550403'), tlv(0x0c, Buffer.from('Test CA')))));
    const time = (s: string) => tlv(0x17, Buffer.from(s, 'latin1'));
    // issuingDistributionPoint whose value is an INTEGER, not the SEQUENCE the syntax requires.
    const idp = tlv(0x30, oid('551d1c'), Uint8Array.from([0x01, 0x01, 0xff]), tlv(0x04, Uint8Array.from([0x02, 0x01, 0x05])));
    const tbs = tlv(0x30, Uint8Array.from([0x02, 0x01, 0x01]), alg, name, time('300101000000Z'), time('300201000000Z'), tlv(0xa0, tlv(0x30, idp)));
    const der = tlv(0x30, tbs, alg, tlv(0x03, Uint8Array.from([0x00, 0x00])));
    const crl = parseCrl(der);
    expect(crl.scope).toBe('a malformed issuingDistributionPoint');
    expect(crl.revoked.size).toBe(0);
    expect(openssl(['crl', '-inform', 'DER', '-noout', '-text', '-in'], der)).toMatch(/Certificate Revocation List/);
  });
});

describe('distinguished names as RFC 4514 writes them (issue 19)', () => {
  it('a leading space or #, and a trailing space, are escaped; so are ,+"<>;', async () => {
    const { makeCert, keyPair } = await import('../reliability/certgen.js');
    const text = (cn: string) => parseCertificate(makeCert({ subject: [['CN', cn]], issuer: 'self', key: keyPair() }).der).subject.text;
    expect(text(' admin')).toBe('CN=\\ admin');
    expect(text('admin ')).toBe('CN=admin\\ ');
    expect(text('#hash')).toBe('CN=\\#hash');
    expect(text(' ')).toBe('CN=\\ ');
    expect(text('a,b+c')).toBe('CN=a\\,b\\+c');
    expect(text('mid dle')).toBe('CN=mid dle');
    expect(text(' admin')).not.toBe(text('admin'));
  });
});
