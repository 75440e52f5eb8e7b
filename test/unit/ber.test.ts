/**
 * Issue 19: PKCS#12 (and PKCS#7) encoded in BER — indefinite lengths and chunked OCTET STRINGs, as
 * some Windows and Java exports are — is read as OpenSSL reads it. The BER files are made here from
 * the generator's DER files by re-encoding their outer structure the way those exporters do;
 * `openssl pkcs12` / `openssl pkcs7` are the referee.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCertificates } from '../../src/x509/decode.js';
import { berToDer, hasIndefiniteLength } from '../../src/x509/ber.js';
import { readTlv } from '../../src/x509/der.js';

const FORMATS = join(import.meta.dirname, '..', '..', 'certs', 'out', 'formats');
const PASS = 'test-only-pass';
const tmp = mkdtempSync(join(tmpdir(), 'certcheck-ber-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** DER → BER: every constructed element gets an indefinite length, OCTET STRINGs over 16 bytes are chunked. */
function toBer(der: Uint8Array, pos = 0): { out: Buffer; end: number } {
  const t = readTlv(der, pos);
  if (t.constructed) {
    const parts: Buffer[] = [];
    for (let p = t.valueStart; p < t.end;) { const c = toBer(der, p); parts.push(c.out); p = c.end; }
    return { out: Buffer.concat([Buffer.from([t.tag, 0x80]), ...parts, Buffer.from([0, 0])]), end: t.end };
  }
  const v = Buffer.from(der.subarray(t.valueStart, t.end));
  if (t.tag === 0x04 && v.length > 16) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < v.length; i += 16) {
      const c = v.subarray(i, i + 16);
      chunks.push(Buffer.concat([Buffer.from([0x04, c.length]), c]));
    }
    return { out: Buffer.concat([Buffer.from([0x24, 0x80]), ...chunks, Buffer.from([0, 0])]), end: t.end };
  }
  return { out: Buffer.from(der.subarray(t.start, t.end)), end: t.end };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('BER containers', () => {
  it('a PKCS#12 with BER outer layers opens to the same certificates as its DER form, as openssl reads it', async () => {
    const der = new Uint8Array(readFileSync(join(FORMATS, 'chain.pfx')));
    const ber = new Uint8Array(toBer(der).out);
    expect(hasIndefiniteLength(ber)).toBe(true);
    const f = join(tmp, 'ber.pfx');
    writeFileSync(f, ber);
    const o = spawnSync('openssl', ['pkcs12', '-in', f, '-passin', `pass:${PASS}`, '-nokeys'], { encoding: 'utf8' });
    expect(o.status, o.stderr).toBe(0);
    expect(o.stdout).toMatch(/BEGIN CERTIFICATE/);
    const want = await decodeCertificates(der, 'chain.pfx', { password: () => PASS, passwordKnown: true });
    const got = await decodeCertificates(ber, 'ber.pfx', { password: () => PASS, passwordKnown: true });
    expect(got.kind).toBe('pkcs12');
    expect(got.certificates.map(hex)).toEqual(want.certificates.map(hex));
    expect(got.notes).toContain('PKCS#12 in BER (indefinite lengths) read as DER');
  });

  it('a PKCS#7 bundle in BER too', async () => {
    const der = new Uint8Array(readFileSync(join(FORMATS, 'chain.p7b')));
    const ber = new Uint8Array(toBer(der).out);
    const f = join(tmp, 'ber.p7b');
    writeFileSync(f, ber);
    const o = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-in', f, '-print_certs', '-noout'], { encoding: 'utf8' });
    expect(o.status, o.stderr).toBe(0);
    const want = await decodeCertificates(der, 'chain.p7b');
    const got = await decodeCertificates(ber, 'ber.p7b');
    expect(got.certificates.map(hex)).toEqual(want.certificates.map(hex));
  });

  it('round trip: DER → BER → DER gives the DER back; a BER certificate is still refused', async () => {
    const der = new Uint8Array(readFileSync(join(FORMATS, 'chain.pfx')));
    expect(hex(berToDer(new Uint8Array(toBer(der).out)))).toBe(hex(der));
    const cert = new Uint8Array(readFileSync(join(FORMATS, 'leaf.der')));
    await expect(decodeCertificates(new Uint8Array(toBer(cert).out), 'leaf-ber.der')).rejects.toThrow(/indefinite length \(BER\) is not supported/);
  });

  it('malformed BER is one clear error, and the limits hold', async () => {
    await expect(decodeCertificates(Uint8Array.from([0x30, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01]), 'cut.pfx')).rejects.toThrow(/cut\.pfx: malformed BER: indefinite length without an end-of-contents/);
    const deep = Buffer.concat([Buffer.alloc(400, 0).map((_, i) => (i % 2 ? 0x80 : 0x30)), Buffer.alloc(400, 0)]);
    expect(() => berToDer(new Uint8Array(deep))).toThrow(/nested too deeply/);
  });
});
