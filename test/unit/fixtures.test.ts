import { describe, it, expect } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { scenarios, loadServed, loadRoots, loadCert, certPath, bundlePath, pemToDers, keyPathFor, servedKeyPath, OUT_DIR, CERTS_DIR } from '../../certs/scenarios.mjs';
import { opensslVerify } from '../../certs/verify.mjs';
import { PKI, BUNDLES } from '../../certs/pki.mjs';
import { FINDING_CODES } from '../../src/model/findings.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';

interface IndexEntry {
  key: string; keyType: string; subject: string; issuer: string; issuerCert: string; serial: string;
  notBefore: string; notAfter: string; signature: string; sha256: string;
  pem?: string; der?: string; bundle?: string; position?: number; tamper?: string; notes?: string;
}
const REPO = path.dirname(CERTS_DIR);
const index = JSON.parse(fs.readFileSync(path.join(OUT_DIR, 'pki', 'index.json'), 'utf8')) as {
  certificates: Record<string, IndexEntry>; bundles: Record<string, string[]>;
};
const x509 = (name: string) => new crypto.X509Certificate(loadCert(name));

/** Minimal DER walk for the structural checks (top-level children of a TLV's contents). */
function kids(buf: Uint8Array, start: number, end: number): { tag: number; start: number; v: number; end: number }[] {
  const out = [];
  let p = start;
  while (p < end) {
    const tag = buf[p]!;
    let len = buf[p + 1]!;
    let v = p + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[v + i]!;
      v += n;
    }
    out.push({ tag, start: p, v, end: v + len });
    p = v + len;
  }
  return out;
}
function tbsOf(der: Uint8Array) {
  const [cert] = kids(der, 0, der.length);
  const [tbs, alg, sig] = kids(der, cert!.v, cert!.end);
  return { cert: cert!, tbs: tbs!, alg: alg!, sig: sig!, fields: kids(der, tbs!.v, tbs!.end) };
}

describe('generated PKI', () => {
  it('index.json lists every definition, and every file exists with the recorded hash', () => {
    expect(Object.keys(index.certificates).sort()).toEqual(PKI.map((d) => d.name).sort());
    for (const [name, e] of Object.entries(index.certificates)) {
      expect(fs.existsSync(path.join(REPO, e.key)), `${name} key`).toBe(true);
      if (e.bundle) continue;
      const der = fs.readFileSync(path.join(REPO, e.der!));
      expect(crypto.createHash('sha256').update(der).digest('hex'), name).toBe(e.sha256);
      const fromPem = pemToDers(fs.readFileSync(path.join(REPO, e.pem!), 'utf8'));
      expect(fromPem.length, name).toBe(1);
      expect(fromPem[0]!.equals(der), `${name}: pem and der agree`).toBe(true);
    }
  });

  it('every certificate parses with X509Certificate, and every key matches its certificate', () => {
    for (const [name, e] of Object.entries(index.certificates)) {
      if (e.bundle) continue;
      const cert = x509(name);
      // The selfsigned/tampered ones still carry the right subject key.
      const key = crypto.createPrivateKey(fs.readFileSync(path.join(REPO, e.key)));
      expect(cert.checkPrivateKey(key), `${name} key`).toBe(true);
      expect(e.key).toBe(path.relative(REPO, keyPathFor(name)).split(path.sep).join('/'));
    }
  });

  it('signers are RSA-2048 except the ECDSA and Ed25519 chains; subject keys include EC and Ed25519', () => {
    expect(x509('root-a').publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(x509('int-a').publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(x509('leaf-rsa1024').publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(x509('leaf-p256').publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509('leaf-p384').publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(x509('leaf-ed25519').publicKey.asymmetricKeyType).toBe('ed25519');
    expect(x509('int-ec').verify(x509('root-ec').publicKey)).toBe(true);
    expect(x509('int-ed').verify(x509('root-ed').publicKey)).toBe(true);
  });

  it('issuer links use the AKI: leaf-a is issued by int-a, not by the same-subject distractor int-a2', () => {
    expect(x509('leaf-a').checkIssued(x509('int-a'))).toBe(true);
    expect(x509('leaf-a').checkIssued(x509('int-a2'))).toBe(false);
    expect(x509('int-a').subject).toBe(x509('int-a2').subject);
    expect(x509('root-a-by-old').subject).toBe(x509('root-a').subject);
    expect(x509('root-a-by-old').publicKey.export({ format: 'jwk' })).toEqual(x509('root-a').publicKey.export({ format: 'jwk' }));
    expect(x509('root-a-by-old').checkIssued(x509('root-old'))).toBe(true);
    expect(x509('root-a-by-old').verify(x509('root-old').publicKey)).toBe(true);
  });

  it('normal leaves are valid at the real clock, CAs span 2020-2045', () => {
    const now = Date.now();
    const leaf = x509('leaf-a');
    expect(Date.parse(leaf.validFrom)).toBeLessThanOrEqual(now);
    expect(Date.parse(leaf.validTo)).toBeGreaterThan(now);
    expect(new Date(x509('root-a').validFrom).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    expect(new Date(x509('root-a').validTo).toISOString()).toBe('2045-01-01T00:00:00.000Z');
    expect(new Date(leaf.validTo).toISOString()).toBe('2035-01-01T00:00:00.000Z');
  });

  it('the deliberately broken certificates are broken in exactly the intended way', () => {
    const intKey = x509('int-a').publicKey;
    expect(x509('leaf-a').verify(intKey)).toBe(true);
    expect(x509('leaf-badsig').verify(intKey)).toBe(false);

    // raw time text is kept, never normalised
    const bad = loadCert('leaf-badtime');
    const { fields } = tbsOf(bad);
    const validity = kids(bad, fields[4]!.v, fields[4]!.end);
    expect(validity[1]!.tag).toBe(0x17);
    expect(Buffer.from(bad.subarray(validity[1]!.v, validity[1]!.end)).toString('latin1')).toBe('230230000000Z');
    const gen = loadCert('leaf-gentime-2049');
    const gv = kids(gen, tbsOf(gen).fields[4]!.v, tbsOf(gen).fields[4]!.end);
    expect(gv[1]!.tag).toBe(0x18);

    // v1: no [0] version field, no extensions
    const v1 = tbsOf(loadCert('int-v1'));
    expect(v1.fields[0]!.tag).toBe(0x02);
    expect(v1.fields.some((f) => f.tag === 0xa3)).toBe(false);

    // inner vs outer signature algorithm differ
    const mm = loadCert('leaf-sigalg-mismatch');
    const m = tbsOf(mm);
    const inner = mm.subarray(m.fields[2]!.start, m.fields[2]!.end);
    const outer = mm.subarray(m.alg.start, m.alg.end);
    expect(Buffer.from(inner).equals(Buffer.from(outer))).toBe(false);

    // trailing bytes after the certificate
    const tr = loadCert('leaf-trailing');
    const t = tbsOf(tr);
    expect(tr.length - t.cert.end).toBe(4);
    expect(tr.subarray(t.cert.end).toString('hex')).toBe('deadbeef');

    // SAN value is a SET
    const bs = x509('leaf-badsan');
    const sanExt = bs.raw.indexOf(Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x11]));
    expect(sanExt).toBeGreaterThan(0);
    // OID, OCTET STRING header (2 bytes), then the value's tag
    expect(bs.raw[sanExt + 5]).toBe(0x04);
    expect(bs.raw[sanExt + 7]).toBe(0x31);

    expect(x509('leaf-nul').subjectAltName).toContain('good\\u0000evil.test');
    expect(x509('leaf-critical-unknown').toLegacyObject()).toBeTruthy();
  });

  it('hostile bundles have the intended shape', () => {
    const counts: Record<string, number> = { cycle: 3, lattice: 29, 'same-subject-100': 101, deep: 12 };
    for (const [bundle, members] of Object.entries(BUNDLES)) {
      const ders = pemToDers(fs.readFileSync(bundlePath(bundle), 'utf8'));
      expect(ders.length, bundle).toBe(counts[bundle]);
      expect(members.length).toBe(ders.length);
      for (const der of ders) expect(() => new crypto.X509Certificate(der)).not.toThrow();
    }
    const lattice = pemToDers(fs.readFileSync(bundlePath('lattice'), 'utf8')).map((d) => new crypto.X509Certificate(d));
    // each layer-2 certificate verifies under each of the four layer-1 certificates
    const layer = (l: number) => lattice.filter((c) => c.subject.includes(`Lattice Layer ${l}`));
    expect(layer(1).length).toBe(4);
    for (const child of layer(2)) for (const parent of layer(1)) expect(child.verify(parent.publicKey)).toBe(true);
    const cycle = pemToDers(fs.readFileSync(bundlePath('cycle'), 'utf8')).map((d) => new crypto.X509Certificate(d));
    expect(cycle[1]!.checkIssued(cycle[2]!)).toBe(true);
    expect(cycle[2]!.checkIssued(cycle[1]!)).toBe(true);
    // the lattice is under the TLS certificate-message limit (~100 KiB)
    expect(lattice.reduce((n, c) => n + c.raw.length, 0)).toBeLessThan(100 * 1024);
  });

  it('rerunning the generator changes nothing (byte-identical outputs)', () => {
    const run = spawnSync(process.execPath, [path.join(CERTS_DIR, 'generate.mjs'), '--check'], { encoding: 'utf8', timeout: 15_000 });
    expect(run.stdout).toMatch(/0 file\(s\) differ/);
    expect(run.status).toBe(0);
  });
});

describe('scenario table', () => {
  it('is well-formed: unique names, known files, codes and message ids', () => {
    const names = new Set<string>();
    const codes = new Set<string>(FINDING_CODES);
    for (const s of scenarios) {
      expect(names.has(s.name), `duplicate ${s.name}`).toBe(false);
      names.add(s.name);
      expect(s.served.length, s.name).toBeGreaterThan(0);
      expect(loadServed(s).length).toBeGreaterThanOrEqual(s.served.length);
      expect(loadRoots(s).length, s.name).toBe(s.trust.roots.length);
      expect(Number.isNaN(Date.parse(s.at)), s.name).toBe(false);
      if (s.expect.message !== null) expect(Object.keys(GATEWAY_MESSAGES)).toContain(s.expect.message);
      for (const c of [...s.expect.codes, ...s.expect.warnings]) expect(codes.has(c), `${s.name}: ${c}`).toBe(true);
      if (s.expect.status === 'Healthy') {
        expect(s.expect.message, s.name).toBe('OK');
        expect(s.expect.codes, s.name).toEqual([]);
      } else {
        expect(s.expect.codes.length, s.name).toBeGreaterThan(0);
        expect(s.expect.message, s.name).not.toBe('OK');
      }
      // a loopback server can hold the key of the first certificate it sends
      const key = crypto.createPrivateKey(fs.readFileSync(servedKeyPath(s)));
      expect(new crypto.X509Certificate(loadServed(s)[0]!.der).checkPrivateKey(key), s.name).toBe(true);
      if (s.expect.message === 'M15') expect(typeof s.expect.errorCode, s.name).toBe('number');
      if (s.expect.opensslVerify === 'ok') expect(s.expect.opensslError).toBeNull();
      if (s.expect.opensslVerify !== null && (s.expect.opensslVerify === 'ok') !== (s.expect.status === 'Healthy')) {
        expect(s.note, `${s.name}: openssl and the expected verdict differ, so a note must say why`).toBeTruthy();
      }
    }
  });

  it('covers every gateway certificate message M6-M15', () => {
    const seen = new Set(scenarios.map((s) => s.expect.message));
    for (const id of ['M6', 'M7', 'M8', 'M9', 'M10', 'M11', 'M12', 'M13', 'M14', 'M15', 'OK']) expect(seen.has(id as never), id).toBe(true);
  });

  it('openssl verify agrees with every scenario\'s recorded result', () => {
    const disagreements: string[] = [];
    for (const s of scenarios) {
      if (s.expect.opensslVerify === null) continue;
      const r = opensslVerify(s);
      if (r.result !== s.expect.opensslVerify || r.error !== s.expect.opensslError) {
        disagreements.push(`${s.name}: table ${s.expect.opensslVerify}/${s.expect.opensslError}, openssl ${r.result}/${r.error}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('the openssl runner can fail: a wrong trust anchor is reported', () => {
    const base = scenarios.find((s) => s.name === 'ok-li-uploaded')!;
    expect(opensslVerify(base).result).toBe('ok');
    const r = opensslVerify({ ...base, trust: { mode: 'uploaded', roots: ['root-b'] } });
    expect(r.result).toBe('fail');
    expect(r.error).toBe(20);
  });

  it('certPath points into certs/out/pki', () => {
    expect(fs.existsSync(certPath('leaf-a'))).toBe(true);
    expect(fs.existsSync(certPath('leaf-a', 'der'))).toBe(true);
  });
});
