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
