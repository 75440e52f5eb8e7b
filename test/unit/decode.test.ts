import { execFileSync } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../src/model/errors.js';
import { decodeCertificates, readInputFile, type DecodeOptions, type DecodedInput } from '../../src/x509/decode.js';

const DIR = join(import.meta.dirname, '../../certs/out/formats');
const PASS = 'test-only-pass';

function fx(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(DIR, name)));
}

/** Independent of the code under test: the base64 bodies of the CERTIFICATE blocks. */
function pemBodies(text: string, label = 'CERTIFICATE'): Uint8Array[] {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(re)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

async function expectInputError(p: Promise<unknown>, substring: string): Promise<InputError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected an InputError containing "${substring}"`).toBeInstanceOf(InputError);
  expect((err as InputError).message).toContain(substring);
  expect((err as InputError).message).not.toContain('\n');
  return err as InputError;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; result?: T; error?: unknown }> {
  const t0 = performance.now();
  try {
    const result = await f();
    return { ms: performance.now() - t0, result };
  } catch (error) {
    return { ms: performance.now() - t0, error };
  }
}

// ---- a minimal DER encoder / rewriter for building hostile inputs in memory --------------------

function len(n: number): number[] {
  if (n < 0x80) return [n];
  const b: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) b.unshift(v % 256);
  return [0x80 | b.length, ...b];
}
function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(content);
  return new Uint8Array(Buffer.concat([Buffer.from([tag, ...len(body.length)]), body]));
}
function oid(dotted: string): Uint8Array {
  const p = dotted.split('.').map(Number);
  const out = [40 * p[0]! + p[1]!];
  for (const arc of p.slice(2)) {
    const b = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, new Uint8Array(out));
}
function int(n: number): Uint8Array {
  const b: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) b.unshift(v % 256);
  if (b.length === 0 || b[0]! & 0x80) b.unshift(0);
  return tlv(0x02, new Uint8Array(b));
}

interface Node { tag: number; raw: Uint8Array; kids?: Node[]; inner?: Node; dirty?: boolean }

function parseNode(buf: Uint8Array, pos = 0): { node: Node; end: number } {
  const tag = buf[pos]!;
  let p = pos + 1;
  let l = buf[p++]!;
  if (l & 0x80) {
    const n = l & 0x7f;
    l = 0;
    for (let i = 0; i < n; i++) l = l * 256 + buf[p++]!;
  }
  const end = p + l;
  if (end > buf.length) throw new Error('overrun');
  const node: Node = { tag, raw: buf.subarray(pos, end) };
  if (tag & 0x20) {
    node.kids = [];
    for (let q = p; q < end;) {
      const c = parseNode(buf, q);
      node.kids.push(c.node);
      q = c.end;
    }
  } else if (tag === 0x04 && buf[p] === 0x30) {
    try {
      const c = parseNode(buf.subarray(p, end));
      if (c.end === l) node.inner = c.node;
    } catch { /* opaque octets */ }
  }
  return { node, end };
}

function encodeNode(n: Node): Uint8Array {
  if (!n.dirty) return n.raw;
  if (n.kids) return tlv(n.tag, ...n.kids.map(encodeNode));
  if (n.inner) return tlv(n.tag, encodeNode(n.inner));
  return n.raw;
}

/** Replace every INTEGER equal to `from` under `n` by `to`; returns how many were replaced. */
function replaceInts(n: Node, from: number, to: Uint8Array): number {
  let count = 0;
  if (n.tag === 0x02 && hex(n.raw) === hex(int(from))) {
    n.raw = to;
    n.dirty = true;
    return 1;
  }
  for (const c of n.kids ?? []) count += replaceInts(c, from, to);
  if (n.inner) count += replaceInts(n.inner, from, to);
  if (count) n.dirty = true;
  return count;
}

/** chain.pfx with the MAC iteration count or the encryption (PBKDF2) counts replaced. */
function patchPfx(where: 'mac' | 'pbkdf2', to: Uint8Array): Uint8Array {
  const pfx = parseNode(fx('chain.pfx')).node;
  const target = where === 'mac' ? pfx.kids![2]! : pfx.kids![1]!;
  expect(replaceInts(target, 2048, to)).toBeGreaterThan(0);
  pfx.dirty = true;
  return encodeNode(pfx);
}

// ---------------------------------------------------------------------------------------------

let leafDer: Uint8Array;
let chain: Uint8Array[];
let tmp: string;

beforeAll(() => {
  if (!existsSync(join(DIR, 'chain.pfx'))) execFileSync('bash', [join(DIR, '../../formats.sh')], { stdio: 'ignore' });
  leafDer = fx('leaf.der');
  chain = pemBodies(readFileSync(join(DIR, 'chain.pem'), 'latin1'));
  tmp = mkdtempSync(join(tmpdir(), 'certcheck-decode-'));
});
// The time bounds below are about decoding work, not about vitest transforming a module on its
// first dynamic import.
beforeAll(async () => {
  await import('../../src/x509/pkcs.js');
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function expectChain(r: DecodedInput, n = 3): void {
  expect(r.certificates.map(hex)).toEqual(chain.slice(0, n).map(hex));
}

describe('well-formed inputs, detected by content', () => {
  it('reads the fixture chain as PEM, in order', async () => {
    expect(chain).toHaveLength(3);
    expect(hex(chain[0]!)).toBe(hex(leafDer));
    const r = await decodeCertificates(fx('chain.pem'), 'chain.pem');
    expect(r.kind).toBe('pem');
    expect(r.source).toBe('chain.pem');
    expectChain(r);
    expect(r.notes).toEqual([]);
    expect(r.privateKey).toBeUndefined();
  });

  it('A15: BOM, CRLF and `openssl x509 -text` prose around the blocks', async () => {
    const bytes = fx('chain-crlf.pem');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(Buffer.from(bytes).includes('\r\n')).toBe(true);
    const r = await decodeCertificates(bytes, 'chain-crlf.pem');
    expectChain(r);
    expect(r.notes).toContain('text between PEM blocks ignored');
  });

  it('A15: UTF-16 text (PowerShell Out-File) and indented PEM (YAML)', async () => {
    const text = readFileSync(join(DIR, 'chain.pem'), 'latin1');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expectChain(await decodeCertificates(new Uint8Array(utf16), 'u16.pem'));
    const yaml = 'tls:\n  ca.crt: |\n' + text.split('\n').map((l) => `    ${l}`).join('\n');
    expectChain(await decodeCertificates(new Uint8Array(Buffer.from(yaml)), 'values.yaml'));
  });

  it('PEM pasted through JSON ("\\n" escapes) or on one line', async () => {
    const text = readFileSync(join(DIR, 'leaf.pem'), 'latin1');
    const json = JSON.stringify({ cert: text });
    const r = await decodeCertificates(new Uint8Array(Buffer.from(json)), 'x.json');
    expect(r.certificates.map(hex)).toEqual([hex(leafDer)]);
    const oneLine = text.replace(/\n/g, '');
    expect((await decodeCertificates(new Uint8Array(Buffer.from(oneLine)), 'one.pem')).certificates.map(hex)).toEqual([hex(leafDer)]);
  });

  it('DER certificate', async () => {
    const r = await decodeCertificates(leafDer, 'leaf.der');
    expect(r.kind).toBe('der');
    expect(r.certificates.map(hex)).toEqual([hex(leafDer)]);
    expect(r.notes).toEqual([]);
  });

  it('bare Base-64 DER (.cer, CRLF at 64) and the gateway trustedRootCertificates[].data forms', async () => {
    const cer = fx('leaf.cer');
    expect(Buffer.from(cer).toString('latin1')).toMatch(/^[A-Za-z0-9+/=\r\n]+$/);
    const r = await decodeCertificates(cer, 'leaf.cer');
    expect(r.kind).toBe('base64');
    expect(r.certificates.map(hex)).toEqual([hex(leafDer)]);
    // data = base64 of an uploaded PEM file, and base64 of a DER p7b
    const ofPem = new Uint8Array(Buffer.from(readFileSync(join(DIR, 'chain.pem')).toString('base64')));
    expectChain(await decodeCertificates(ofPem, 'data'));
    const ofP7b = new Uint8Array(Buffer.from(readFileSync(join(DIR, 'chain.p7b')).toString('base64')));
    const p = await decodeCertificates(ofP7b, 'data');
    expect(p.kind).toBe('base64');
    expectChain(p);
  });

  it('PKCS#7 as DER and as PEM', async () => {
    const d = await decodeCertificates(fx('chain.p7b'), 'chain.p7b');
    expect(d.kind).toBe('pkcs7');
    expectChain(d);
    const p = await decodeCertificates(fx('chain.p7b.pem'), 'chain.p7b.pem');
    expect(p.kind).toBe('pkcs7');
    expectChain(p);
  });

  it('TRUSTED CERTIFICATE: the OpenSSL aux trailer is stripped', async () => {
    const r = await decodeCertificates(fx('trusted.pem'), 'trusted.pem');
    expect(r.certificates.map(hex)).toEqual([hex(chain[2]!)]);
    expect(r.notes.join()).toContain('TRUSTED CERTIFICATE');
  });

  it('A4: DER + 4 trailing bytes is accepted with a note; concatenated DER certificates are all read', async () => {
    const withTail = new Uint8Array(Buffer.concat([leafDer, Buffer.from([1, 2, 3, 4])]));
    const r = await decodeCertificates(withTail, 'tail.der');
    // The trailing bytes stay on the certificate so the judge reports TRAILING_DATA.
    expect(r.certificates.map(hex)).toEqual([hex(withTail)]);
    expect(r.notes).toContain('trailing data after certificate (4 bytes)');
    const cat = new Uint8Array(Buffer.concat([chain[0]!, chain[1]!]));
    const c = await decodeCertificates(cat, 'cat.der');
    expectChain(c, 2);
    expect(c.notes).toEqual([]);
  });
});

describe('A1, A2: empty and garbage', () => {
  it('A1: empty input, whitespace only, empty stdin', async () => {
    await expectInputError(decodeCertificates(new Uint8Array(), 'empty.pem'), 'empty.pem: empty input');
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(' \r\n\t\n')), 'ws.pem'), 'ws.pem: empty input');
    await expectInputError(decodeCertificates(new Uint8Array(), '-'), 'stdin: empty input');
    const f = join(tmp, 'empty.crt');
    writeFileSync(f, '');
    expect((await readInputFile(f)).length).toBe(0);
  });

  it('A2: 1 MiB of random bytes → "not a certificate" in < 200 ms', async () => {
    const junk = new Uint8Array(randomBytes(1024 * 1024));
    if (junk[0] === 0x30) junk[0] = 0x31;
    const t = await timed(() => decodeCertificates(junk, 'junk.bin'));
    expect(t.error).toBeInstanceOf(InputError);
    expect((t.error as Error).message).toBe(
      'junk.bin: not a certificate (expected PEM, DER, Base-64 DER, PKCS#7 or PKCS#12)');
    expect(t.ms).toBeLessThan(200);
  });

  it('A2: random bytes that start like DER, random text, random Base-64 are refused quickly', async () => {
    for (let i = 0; i < 20; i++) {
      const junk = new Uint8Array(randomBytes(64 * 1024));
      junk[0] = 0x30;
      const t = await timed(() => decodeCertificates(junk, 'j.der'));
      expect(t.error).toBeInstanceOf(InputError);
      expect(t.ms).toBeLessThan(200);
    }
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from('hello, world\n')), 't.txt'), 'not a certificate');
    const b64 = new Uint8Array(Buffer.from(randomBytes(3000).toString('base64').replace(/^./, 'A')));
    await expectInputError(decodeCertificates(b64, 'r.b64'), 'not a certificate');
  });
});

describe('A3, A5, A6: broken PEM and DER', () => {
  const text = (): string => readFileSync(join(DIR, 'chain.pem'), 'latin1');
  const lineOf = (t: string, needle: string, from = 0): number => t.slice(0, t.indexOf(needle, from)).split('\n').length;

  it('A3: bad base64 names the block and the line', async () => {
    const t = text();
    const begin2 = t.indexOf('-----BEGIN CERTIFICATE-----', 10);
    const bad = t.slice(0, begin2 + 40) + '!' + t.slice(begin2 + 41);
    const badLine = lineOf(bad, '!');
    const e = await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(bad)), 'bad.pem'),
      `bad.pem: PEM block 2 (CERTIFICATE) at line ${lineOf(t, '-----BEGIN', begin2)}: invalid base64 at line ${badLine}`);
    expect(e.message).not.toContain('MII');
  });

  it('A3: a missing END line names the block', async () => {
    const t = text();
    const last = t.lastIndexOf('-----END CERTIFICATE-----');
    const cut = t.slice(0, last);
    const begin3 = cut.lastIndexOf('-----BEGIN CERTIFICATE-----');
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(cut)), 'noend.pem'),
      `noend.pem: PEM block 3 (CERTIFICATE) at line ${lineOf(cut, '-----BEGIN', begin3)}: missing END line`);
    // BEGIN of the next block before the END of this one
    const lines = t.split('\n');
    const end1 = lines.indexOf('-----END CERTIFICATE-----');
    lines.splice(end1, 1);
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(lines.join('\n'))), 'x.pem'),
      'x.pem: PEM block 1 (CERTIFICATE) at line 1: no END line before line');
  });

  it('A3: a truncated block (lines lost) is reported with its block index', async () => {
    const lines = text().split('\n');
    const end1 = lines.indexOf('-----END CERTIFICATE-----');
    // whole 64-character lines lost: base64 is valid, the DER inside is short
    const cut = [...lines.slice(0, end1 - 4), ...lines.slice(end1)].join('\n');
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(cut)), 't.pem'),
      't.pem: PEM block 1 (CERTIFICATE) at line 1: truncated DER (declares');
    // a partial last line: base64 length is not a multiple of 4
    const partial = [...lines.slice(0, end1 - 1), lines[end1 - 1]!.slice(0, 5), ...lines.slice(end1)].join('\n');
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(partial)), 't.pem'),
      't.pem: PEM block 1 (CERTIFICATE) at line 1: truncated base64');
  });

  it('A5: outer length 30 84 FF FF FF FF → truncated DER, fast, no allocation of the declared size', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const t = await timed(() => decodeCertificates(new Uint8Array([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), 'big.der'));
    expect((t.error as Error).message).toBe('big.der: truncated DER (declares 4294967295 bytes, has 0)');
    expect(t.ms).toBeLessThan(50);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
    const short = leafDer.subarray(0, leafDer.length - 10);
    await expectInputError(decodeCertificates(short, 'short.der'),
      `short.der: truncated DER (declares ${leafDer.length - 4} bytes, has ${leafDer.length - 14})`);
  });

  it('a PEM block whose outer element has a high tag number → one-line input error, not a DerError (fuzz seed 1095206248)', async () => {
    const pem = (der: number[]) => new Uint8Array(Buffer.from(`-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`));
    await expectInputError(decodeCertificates(pem([0x3f, 0x81, 0x00, 0x00]), 'hightag.pem'), 'hightag.pem: PEM block 1 (CERTIFICATE) at line 1: not a certificate: high tag number not supported');
    await expectInputError(decodeCertificates(pem([0x1f, 0x22, 0x01, 0x00]), 'hightag2.pem'), 'not a certificate');
  });

  it('A6: 20,000 nested SEQUENCEs → "ASN.1 nesting too deep", no RangeError', async () => {
    const depth = 20_000;
    const sizes = [2];
    for (let i = 1; i < depth; i++) sizes.push(1 + len(sizes[i - 1]!).length + sizes[i - 1]!);
    const buf = new Uint8Array(sizes[depth - 1]!);
    let p = 0;
    for (let i = depth - 1; i >= 1; i--) {
      buf[p++] = 0x30;
      for (const b of len(sizes[i - 1]!)) buf[p++] = b;
    }
    buf[p++] = 0x30;
    buf[p++] = 0x00;
    expect(p).toBe(buf.length);
    expect(buf.length).toBeGreaterThan(60_000);
    const t = await timed(() => decodeCertificates(buf, 'deep.der'));
    expect(t.error).toBeInstanceOf(InputError);
    expect((t.error as Error).message).toContain('deep.der: ASN.1 nesting too deep');
    expect(t.ms).toBeLessThan(100);
    const pem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(buf).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(pem)), 'deep.pem'),
      'deep.pem: PEM block 1 (CERTIFICATE) at line 1: ASN.1 nesting too deep');
  });
});

describe('A11: PKCS#7 edge cases', () => {
  it('no certificates, only CRLs, CRLs next to certificates', async () => {
    await expectInputError(decodeCertificates(fx('empty.p7b'), 'empty.p7b'), 'empty.p7b: PKCS#7 contains no certificates');
    await expectInputError(decodeCertificates(fx('crl-only.p7b'), 'crl.p7b'), 'crl.p7b: PKCS#7 contains no certificates');
    const r = await decodeCertificates(fx('chain-with-crl.p7b'), 'c.p7b');
    expectChain(r);
    expect(r.notes).toContain('CRL ignored');
  });

  it('5,000 certificates → "more than 1000 certificates", quickly; the cap is configurable', async () => {
    const certs = Array.from({ length: 5000 }, () => leafDer);
    const sd = tlv(0x30, int(1), tlv(0x31), tlv(0x30, oid('1.2.840.113549.1.7.1')), tlv(0xa0, ...certs), tlv(0x31));
    const p7 = tlv(0x30, oid('1.2.840.113549.1.7.2'), tlv(0xa0, sd));
    expect(p7.length).toBeGreaterThan(4_000_000);
    const t = await timed(() => decodeCertificates(p7, 'many.p7b'));
    expect((t.error as Error).message).toBe('many.p7b: more than 1,000 certificates');
    expect(t.ms).toBeLessThan(1000);
    await expectInputError(decodeCertificates(fx('chain.p7b'), 'c.p7b', { maxCertificates: 2 }), 'more than 2 certificates');
    await expectInputError(decodeCertificates(fx('chain.pem'), 'c.pem', { maxCertificates: 2 }), 'more than 2 certificates');
  });

  it('PKCS#7 that is not SignedData is named as such', async () => {
    const p7 = tlv(0x30, oid('1.2.840.113549.1.7.3'), tlv(0xa0, tlv(0x30, int(0))));
    await expectInputError(decodeCertificates(p7, 'env.p7'), 'env.p7: PKCS#7 content is envelopedData');
  });
});

describe('A12, A13: PKCS#12', () => {
  const pw = (): DecodeOptions => ({ password: () => PASS });

  async function expectLeafKey(r: DecodedInput): Promise<void> {
    expect(r.kind).toBe('pkcs12');
    expectChain(r);
    expect(r.privateKey).toBeDefined();
    const spki = createPublicKey(r.privateKey!).export({ type: 'spki', format: 'der' });
    expect(Buffer.from(leafDer).includes(spki)).toBe(true);
    expect(r.notes).toContain('private key ignored (not printed)');
  }

  it('OpenSSL 3 default (PBES2 AES-256-CBC, PBKDF2-SHA256, SHA-256 MAC) → leaf first, key, provider asked once', async () => {
    const provider = vi.fn(() => PASS);
    await expectLeafKey(await decodeCertificates(fx('chain.pfx'), 'chain.pfx', { password: provider }));
    expect(provider).toHaveBeenCalledTimes(1);
    // an async provider works the same
    await expectLeafKey(await decodeCertificates(fx('chain.pfx'), 'chain.pfx', { password: async () => PASS }));
  });

  it('-legacy (RC2-40 certificates, 3DES key, SHA-1 MAC) and all-3DES exports', async () => {
    await expectLeafKey(await decodeCertificates(fx('chain-legacy.pfx'), 'l.pfx', pw()));
    await expectLeafKey(await decodeCertificates(fx('chain-3des.pfx'), 'd.pfx', pw()));
  });

  it('no MAC (note), empty password (provider not asked), certificates only (no key)', async () => {
    const nomac = await decodeCertificates(fx('chain-nomac.pfx'), 'n.pfx', pw());
    await expectLeafKey(nomac);
    expect(nomac.notes.join()).toContain('no MAC');
    const provider = vi.fn(() => 'unused');
    await expectLeafKey(await decodeCertificates(fx('chain-nopass.pfx'), 'e.pfx', { password: provider }));
    expect(provider).not.toHaveBeenCalled();
    const co = await decodeCertificates(fx('certs-only.pfx'), 'co.pfx', pw());
    expectChain(co);
    expect(co.privateKey).toBeUndefined();
  });

  it('wrong password → MAC check failed (and no MAC → decryption failed), never echoing the password', async () => {
    const secret = 'S3cr3t-Pa55-xyzzy';
    const e = await expectInputError(decodeCertificates(fx('chain.pfx'), 'c.pfx', { password: () => secret }),
      'c.pfx: wrong password (PKCS#12 MAC check failed)');
    expect(e.message).not.toContain(secret);
    expect(e.message).not.toContain('corrupt');
    const n = await expectInputError(decodeCertificates(fx('chain-nomac.pfx'), 'n.pfx', { password: () => secret }),
      'n.pfx: wrong password (PKCS#12 decryption failed');
    expect(n.message).not.toContain(secret);
  });

  it('missing password → "needs a password"', async () => {
    await expectInputError(decodeCertificates(fx('chain.pfx'), 'c.pfx'), 'c.pfx: PKCS#12 needs a password (use --password-env VAR)');
    await expectInputError(decodeCertificates(fx('chain-nomac.pfx'), 'n.pfx'), 'n.pfx: PKCS#12 needs a password');
  });

  it('a corrupt file is told apart from a wrong password', async () => {
    const trunc = fx('chain.pfx').subarray(0, 3000);
    const t = await expectInputError(decodeCertificates(trunc, 't.pfx', pw()), 't.pfx: truncated DER');
    expect(t.message).not.toContain('password');
    // the key's ciphertext damaged (so the MAC fails too), certificates intact: right password, bad data
    const pfx = parseNode(fx('chain.pfx')).node;
    const authSafe = pfx.kids![1]!.kids![1]!.kids![0]!.inner!;
    const keyContent = authSafe.kids![1]!; // data ContentInfo holding the shrouded key
    const safeContents = keyContent.kids![1]!.kids![0]!.inner!;
    const epki = safeContents.kids![0]!.kids![1]!.kids![0]!; // SafeBag → [0] → EncryptedPrivateKeyInfo
    const ct = epki.kids![1]!;
    const raw = new Uint8Array(ct.raw);
    raw[raw.length - 17] ^= 0xff; // last byte of the next-to-last AES block: garbles the padding
    ct.raw = raw;
    const path = [pfx, pfx.kids![1]!, pfx.kids![1]!.kids![1]!, pfx.kids![1]!.kids![1]!.kids![0]!, authSafe, keyContent,
      keyContent.kids![1]!, keyContent.kids![1]!.kids![0]!, safeContents, safeContents.kids![0]!, safeContents.kids![0]!.kids![1]!, epki];
    for (const n of path) n.dirty = true;
    const c = await expectInputError(decodeCertificates(encodeNode(pfx), 'x.pfx', pw()), 'x.pfx: corrupt PKCS#12');
    expect(c.message).not.toContain('wrong password');
    // with a MAC: a damaged MAC value and the right password → corrupt; a wrong password → wrong password
    const m = parseNode(fx('chain.pfx')).node;
    const digest = m.kids![2]!.kids![0]!.kids![1]!;
    const d = new Uint8Array(digest.raw);
    d[d.length - 1] ^= 1;
    digest.raw = d;
    for (const n of [m, m.kids![2]!, m.kids![2]!.kids![0]!]) n.dirty = true;
    const bad = encodeNode(m);
    await expectInputError(decodeCertificates(bad, 'm.pfx', pw()), 'm.pfx: corrupt PKCS#12 (MAC check failed although the password decrypts the contents)');
    await expectInputError(decodeCertificates(bad, 'm.pfx', { password: () => 'nope' }), 'm.pfx: wrong password (PKCS#12 MAC check failed)');
  });

  it('A13: MAC iterations 2^31-1 → refused in < 100 ms, before any derivation (provider not asked)', async () => {
    const hostile = patchPfx('mac', int(2 ** 31 - 1));
    const provider = vi.fn(() => PASS);
    const t = await timed(() => decodeCertificates(hostile, 'h.pfx', { password: provider }));
    expect((t.error as Error).message).toBe('h.pfx: PKCS#12 KDF iteration count 2147483647 exceeds 10,000,000');
    expect(t.error).toBeInstanceOf(InputError);
    expect(t.ms).toBeLessThan(100);
    expect(provider).not.toHaveBeenCalled();
  });

  it('A13: every PBKDF2 count is capped too, and counts far beyond 2^53 are reported exactly', async () => {
    const t = await timed(() => decodeCertificates(patchPfx('pbkdf2', int(2 ** 31 - 1)), 'p.pfx', pw()));
    expect((t.error as Error).message).toBe('p.pfx: PKCS#12 KDF iteration count 2147483647 exceeds 10,000,000');
    expect(t.ms).toBeLessThan(100);
    const huge = tlv(0x02, new Uint8Array([0x7f, ...Array(15).fill(0xff)]));
    await expectInputError(decodeCertificates(patchPfx('mac', huge), 'h.pfx', pw()),
      `iteration count ${(2n ** 127n - 1n).toString()} exceeds`);
    await expectInputError(decodeCertificates(fx('chain.pfx'), 'c.pfx', { ...pw(), maxIterations: 1000 }),
      'c.pfx: PKCS#12 KDF iteration count 2048 exceeds 1,000');
    // at the cap is allowed
    expectChain(await decodeCertificates(fx('chain.pfx'), 'c.pfx', { ...pw(), maxIterations: 2048 }));
  });

  it('catalog 73: a deadline during an allowed but slow KDF ends the work; the event loop stays free', async () => {
    const slow = patchPfx('mac', int(5_000_000));
    let ticks = 0;
    const iv = setInterval(() => { ticks++; }, 20);
    const provider = vi.fn(() => PASS);
    const t = await timed(() => decodeCertificates(slow, 's.pfx', { password: provider, deadlineMs: 300 }));
    clearInterval(iv);
    expect((t.error as Error).message).toBe('s.pfx: PKCS#12 key derivation did not finish within 300 ms');
    expect(t.ms).toBeGreaterThanOrEqual(290);
    expect(t.ms).toBeLessThan(1300);
    expect(ticks).toBeGreaterThanOrEqual(5);
    expect(provider).not.toHaveBeenCalled();
  });

  it('RC4 and PBES1 are refused with their own message', async () => {
    const pfx = parseNode(fx('chain-legacy.pfx')).node;
    // pbeWithSHA1And40BitRC2-CBC (…12.1.6) → pbeWithSHAAnd128BitRC4 (…12.1.1): same length OID
    const swap = (n: Node): boolean => {
      if (n.tag === 0x06 && hex(n.raw) === hex(oid('1.2.840.113549.1.12.1.6'))) { n.raw = oid('1.2.840.113549.1.12.1.1'); n.dirty = true; return true; }
      const hit = [...(n.kids ?? []), ...(n.inner ? [n.inner] : [])].map(swap).some(Boolean);
      if (hit) n.dirty = true;
      return hit;
    };
    expect(swap(pfx)).toBe(true);
    await expectInputError(decodeCertificates(encodeNode(pfx), 'rc4.pfx', pw()),
      'rc4.pfx: unsupported legacy PKCS#12 encryption (RC4-128); re-export with AES');
  });
});

describe('A14, 74, 75: not certificates, and no secrets in output', () => {
  it('CSR, CRL, bare private key, public key, SSH key → "contains X, not a certificate"', async () => {
    await expectInputError(decodeCertificates(fx('csr.pem'), 'csr.pem'), 'csr.pem: contains a certificate signing request, not a certificate');
    await expectInputError(decodeCertificates(fx('crl.pem'), 'crl.pem'), 'crl.pem: contains a certificate revocation list (CRL), not a certificate');
    await expectInputError(decodeCertificates(fx('key-only.pem'), 'k.pem'), 'k.pem: contains a private key, not a certificate');
    await expectInputError(decodeCertificates(fx('pubkey.pem'), 'p.pem'), 'p.pem: contains a public key, not a certificate');
    const ssh = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n';
    const e = await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(ssh)), 'id_ed25519'),
      'id_ed25519: contains an OpenSSH private key, not a certificate');
    expect(e.message).not.toContain('b3Blbn');
    // the same objects as DER
    const der = (f: string, label: string): Uint8Array => pemBodies(readFileSync(join(DIR, f), 'latin1'), label)[0]!;
    await expectInputError(decodeCertificates(der('csr.pem', 'CERTIFICATE REQUEST'), 'csr.der'), 'csr.der: contains a certificate signing request');
    await expectInputError(decodeCertificates(der('crl.pem', 'X509 CRL'), 'crl.der'), 'crl.der: contains a certificate revocation list');
    await expectInputError(decodeCertificates(der('key-only.pem', 'PRIVATE KEY'), 'k.der'), 'k.der: contains a private key, not a certificate');
    await expectInputError(decodeCertificates(der('pubkey.pem', 'PUBLIC KEY'), 'p.der'), 'p.der: contains a public key');
  });

  it('75: a PEM with a private key: certificates kept, key in privateKey only, no key bytes anywhere', async () => {
    const text = readFileSync(join(DIR, 'leaf-with-key.pem'), 'latin1');
    const keyB64Lines = text.split('-----BEGIN PRIVATE KEY-----')[1]!.split('-----END')[0]!.split('\n').filter((l) => l.length > 20);
    const r = await decodeCertificates(new Uint8Array(Buffer.from(text)), 'lk.pem');
    expectChain(r, 2);
    expect(r.notes).toEqual(['private key ignored (not printed)']);
    const spki = createPublicKey(r.privateKey!).export({ type: 'spki', format: 'der' });
    expect(Buffer.from(leafDer).includes(spki)).toBe(true);
    const json = JSON.stringify(r);
    for (const l of keyB64Lines) expect(json).not.toContain(l);
    // a broken certificate next to the key: the error is about the certificate, without key text
    const broken = text.replace(/(-----BEGIN CERTIFICATE-----\n.{10})./, '$1!');
    const e = await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(broken)), 'lk.pem'), 'invalid base64');
    for (const l of keyB64Lines) expect(e.message).not.toContain(l.slice(0, 16));
    // an encrypted key is noted, never decoded
    const enc = execFileSync('openssl', ['pkey', '-in', join(DIR, 'key-only.pem'), '-aes256', '-passout', `pass:${PASS}`]).toString();
    const withEnc = await decodeCertificates(new Uint8Array(Buffer.from(readFileSync(join(DIR, 'leaf.pem'), 'latin1') + enc)), 'e.pem');
    expect(withEnc.privateKey).toBeUndefined();
    expect(withEnc.notes).toContain('private key ignored (not printed)');
  });

  it('74: the PKCS#12 password appears in no message or note on any path', async () => {
    const secret = 'S3cr3t-Pa55-xyzzy';
    const outputs: string[] = [];
    for (const f of ['chain.pfx', 'chain-legacy.pfx', 'chain-3des.pfx', 'chain-nomac.pfx', 'certs-only.pfx']) {
      for (const p of [secret, PASS]) {
        try {
          const r = await decodeCertificates(fx(f), f, { password: () => p });
          outputs.push(JSON.stringify(r), ...r.notes);
        } catch (e) {
          outputs.push((e as Error).message, String((e as Error).stack));
        }
      }
    }
    expect(outputs.length).toBeGreaterThan(5);
    for (const o of outputs) {
      expect(o).not.toContain(secret);
      expect(o).not.toContain(PASS);
    }
  });
});

describe('PEM odds and ends', () => {
  const leafPem = (): string => readFileSync(join(DIR, 'leaf.pem'), 'latin1');

  it('a hostile block label is made printable; an undecodable key is a note, not an error', async () => {
    const text = `${leafPem()}-----BEGIN \u001b[2J\u0007X-----\nAAAA\n-----END \u001b[2J\u0007X-----\n`
      + '-----BEGIN DSA PRIVATE KEY-----\nAAAA\n-----END DSA PRIVATE KEY-----\n';
    const r = await decodeCertificates(new Uint8Array(Buffer.from(text)), 'odd.pem');
    expect(r.certificates.map(hex)).toEqual([hex(leafDer)]);
    expect(r.notes).toContain('PEM block "?[2J?X" ignored');
    expect(r.notes).toContain('a private key could not be decoded');
    expect(r.notes.join()).not.toMatch(/[\u0000-\u001f]/);
    expect(r.privateKey).toBeUndefined();
  });

  it('mismatched END label and a stray END line', async () => {
    const mism = leafPem().replace('-----END CERTIFICATE-----', '-----END X509 CRL-----');
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(mism)), 'm.pem'),
      'm.pem: PEM block 1 (CERTIFICATE) at line 1: END line');
    await expectInputError(decodeCertificates(new Uint8Array(Buffer.from(`-----END CERTIFICATE-----\n${leafPem()}`)), 's.pem'),
      's.pem: line 1: END line without a matching BEGIN');
  });

  it('a CERTIFICATE block that actually holds a PKCS#7 is read as PKCS#7', async () => {
    const b64 = readFileSync(join(DIR, 'chain.p7b')).toString('base64').replace(/(.{64})/g, '$1\n');
    const r = await decodeCertificates(new Uint8Array(Buffer.from(`-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`)), 'p.pem');
    expectChain(r);
    expect(r.kind).toBe('pkcs7');
  });
});

describe('A16: readInputFile refuses what it must not read', () => {
  it('"-" reads stdin, and refuses more than 10 MiB without buffering it all', async () => {
    const { Readable } = await import('node:stream');
    const spy = vi.spyOn(process, 'stdin', 'get');
    try {
      spy.mockReturnValue(Readable.from([Buffer.from(leafDer)]) as unknown as typeof process.stdin);
      expect(hex(await readInputFile('-'))).toBe(hex(leafDer));
      let produced = 0;
      const endless = new Readable({
        read() { produced += 1 << 20; this.push(Buffer.alloc(1 << 20)); },
      });
      spy.mockReturnValue(endless as unknown as typeof process.stdin);
      await expectInputError(readInputFile('-'), 'stdin: input larger than 10 MiB');
      expect(produced).toBeLessThan(16 << 20);
    } finally {
      spy.mockRestore();
    }
  });

  it('reads a regular file exactly', async () => {
    expect(hex(await readInputFile(join(DIR, 'leaf.der')))).toBe(hex(leafDer));
  });

  it('missing file, directory, /dev/zero, FIFO, 2 GiB file: refused after stat, quickly', async () => {
    await expectInputError(readInputFile(join(tmp, 'nope.pem')), `${join(tmp, 'nope.pem')}: no such file`);
    const d = join(tmp, 'adir');
    mkdirSync(d);
    await expectInputError(readInputFile(d), `${d}: is a directory`);
    const z = await timed(() => readInputFile('/dev/zero'));
    expect((z.error as Error).message).toBe('/dev/zero: not a regular file (a character device)');
    expect(z.ms).toBeLessThan(100);
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const f = await timed(() => readInputFile(fifo));
    expect((f.error as Error).message).toBe(`${fifo}: not a regular file (a FIFO)`);
    expect(f.ms).toBeLessThan(100);
    const big = join(tmp, 'big.pem');
    writeFileSync(big, '');
    truncateSync(big, 2 * 1024 ** 3); // sparse: no disk used
    const b = await timed(() => readInputFile(big));
    expect(b.error).toBeInstanceOf(InputError);
    expect((b.error as Error).message).toBe(`${big}: file is larger than 10 MiB (2,147,483,648 bytes)`);
    expect(b.ms).toBeLessThan(100);
  });
});
