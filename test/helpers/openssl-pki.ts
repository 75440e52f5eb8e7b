/**
 * A small throwaway PKI made with the openssl CLI, for capture tests only:
 * root -> intermediate -> leaf (backend.test), an unrelated self-signed cert, a "big" RSA-4096 leaf
 * with ~400 SANs, and an OCSP response for the leaf signed by the intermediate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PkiCert {
  name: string;
  /** Path of the PEM certificate. */
  pem: string;
  /** Path of the PEM private key. */
  key: string;
  der: Buffer;
}

export interface TestPki {
  dir: string;
  root: PkiCert;
  int: PkiCert;
  leaf: PkiCert;
  unrelated: PkiCert;
  big: PkiCert;
  /** DER OCSP response (status good) for `leaf`, signed by `int`. */
  ocspResponse: string;
  /** Write PEMs of `certs`, in order, to a new file in dir; returns its path. */
  chainFile(name: string, certs: PkiCert[]): string;
  cleanup(): void;
}

function ossl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (m === null) throw new Error('no certificate in PEM');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

/** All CERTIFICATE blocks of a text, in order, as DER. */
export function allPemCerts(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) {
    out.push(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  }
  return out;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'certcheck-pki-'));
  const keygen = (name: string, bits: number): string => {
    ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', `${name}.key`], dir);
    return join(dir, `${name}.key`);
  };
  const load = (name: string): PkiCert => {
    const pem = join(dir, `${name}.pem`);
    return { name, pem, key: join(dir, `${name}.key`), der: pemToDer(readFileSync(pem, 'utf8')) };
  };
  const selfSigned = (name: string, subj: string, ca: boolean): PkiCert => {
    keygen(name, 2048);
    const ext = ca
      ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']
      : ['-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'subjectAltName=DNS:unrelated.test'];
    ossl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', subj, '-days', '3650', '-sha256', ...ext, '-out', `${name}.pem`], dir);
    return load(name);
  };
  const signed = (name: string, subj: string, issuer: string, bits: number, extText: string, serial: string): PkiCert => {
    keygen(name, bits);
    ossl(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), extText);
    ossl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', serial,
        '-days', '825', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`],
      dir,
    );
    return load(name);
  };

  try {
    const root = selfSigned('root', '/CN=certcheck test root', true);
    const int = signed('int', '/CN=certcheck test intermediate', 'root', 2048,
      'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
      '0x1001');
    const leaf = signed('leaf', '/CN=backend.test', 'int', 2048,
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:backend.test,IP:127.0.0.1\nauthorityKeyIdentifier=keyid\n',
      '0x2001');
    const unrelated = selfSigned('unrelated', '/CN=unrelated.test', false);
    const sans = Array.from({ length: 400 }, (_, i) => `DNS:host-${i}.big.backend.test`).join(',');
    const big = signed('big', '/CN=big.backend.test', 'int', 4096,
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:backend.test,${sans}\n`,
      '0x2002');

    // OCSP: a one-entry CA database and a response signed by the intermediate.
    const serial = execFileSync('openssl', ['x509', '-in', 'leaf.pem', '-noout', '-serial'], { cwd: dir, encoding: 'utf8' })
      .trim().replace(/^serial=/, '');
    writeFileSync(join(dir, 'index.txt'), `V\t301231235959Z\t\t${serial}\tunknown\t/CN=backend.test\n`);
    ossl(['ocsp', '-issuer', 'int.pem', '-cert', 'leaf.pem', '-no_nonce', '-reqout', 'req.der'], dir);
    ossl(['ocsp', '-index', 'index.txt', '-rsigner', 'int.pem', '-rkey', 'int.key', '-CA', 'int.pem', '-reqin', 'req.der',
      '-respout', 'resp.der', '-ndays', '30'], dir);

    let n = 0;
    return {
      dir, root, int, leaf, unrelated, big,
      ocspResponse: join(dir, 'resp.der'),
      chainFile(name: string, certs: PkiCert[]): string {
        const p = join(dir, `chain-${name}-${n++}.pem`);
        writeFileSync(p, certs.map((c) => readFileSync(c.pem, 'utf8')).join(''));
        return p;
      },
      cleanup(): void {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
