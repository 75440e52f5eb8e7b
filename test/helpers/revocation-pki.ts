/**
 * A throwaway revocation PKI made with the openssl CLI (EC P-256 keys, fast):
 *
 *   root ─┬─ intA (good in root's index) ─┬─ leafGood
 *         │                               ├─ leafRevoked (revoked, keyCompromise)
 *         │                               ├─ ocspSigner (OCSPSigning EKU: delegated responder)
 *         │                               └─ notSigner  (no OCSPSigning EKU)
 *         └─ intB (revoked in root's index) ── leafB (good in intB's index)
 *
 * `openssl ca`-style index.txt files per CA, CRLs from `openssl ca -gencrl`, and OCSP responses
 * from `openssl ocsp -index`. URLs for AIA/CDP are fixed at creation (loopback ports chosen first).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RevCert { name: string; pem: string; key: string; der: Buffer; pemText: string }

export interface RevPkiUrls {
  /** OCSP responder for certificates issued by root (i.e. intA, intB) and by intA (leaves). */
  rootOcsp?: string; intAOcsp?: string; intBOcsp?: string;
  rootCrl?: string; intACrl?: string; intBCrl?: string;
}

export interface RevPki {
  dir: string;
  root: RevCert; intA: RevCert; intB: RevCert;
  leafGood: RevCert; leafRevoked: RevCert; leafB: RevCert;
  ocspSigner: RevCert; notSigner: RevCert;
  /** Index files, for `openssl ocsp -index`. */
  index: { root: string; intA: string; intB: string };
  /** DER CRL paths. */
  crl: { root: string; intA: string; intB: string };
  /** An OCSP response (DER bytes) for `cert` issued by `issuer`, signed by `signer` (default: issuer). */
  ocspResponse(cert: RevCert, issuer: RevCert, opts?: { signer?: RevCert; index?: string; ndays?: number; noCerts?: boolean; byKey?: boolean }): Buffer;
  /** A CRL (DER) issued by `ca` from `index`, with custom options. */
  makeCrl(ca: RevCert, index: string, opts?: { crlDays?: number }): Buffer;
  cleanup(): void;
}

function ossl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

export function makeRevPki(urls: RevPkiUrls = {}): RevPki {
  const dir = mkdtempSync(join(tmpdir(), 'certcheck-rev-'));
  const load = (name: string): RevCert => {
    const pem = join(dir, `${name}.pem`);
    const pemText = readFileSync(pem, 'utf8');
    const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pemText)!;
    return { name, pem, key: join(dir, `${name}.key`), der: Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'), pemText };
  };
  const key = (name: string) => ossl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
  const aia = (ocsp?: string, crl?: string) => `${ocsp ? `authorityInfoAccess=OCSP;URI:${ocsp}\n` : ''}${crl ? `crlDistributionPoints=URI:${crl}\n` : ''}`;
  const issue = (name: string, subj: string, issuer: string, serial: string, ext: string) => {
    key(name);
    ossl(['req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`], dir);
    writeFileSync(join(dir, `${name}.ext`), ext);
    ossl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial', serial,
      '-days', '365', '-sha256', '-extfile', `${name}.ext`, '-out', `${name}.pem`], dir);
    return load(name);
  };
  try {
    key('root');
    ossl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/CN=rev test root', '-days', '3650', '-sha256',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature', '-out', 'root.pem'], dir);
    const root = load('root');
    const caExt = 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
    const intA = issue('intA', '/CN=rev test intermediate A', 'root', '0x1001', caExt + aia(urls.rootOcsp, urls.rootCrl));
    const intB = issue('intB', '/CN=rev test intermediate B', 'root', '0x1002', caExt + aia(urls.rootOcsp, urls.rootCrl));
    const leafExt = (dns: string, ocsp?: string, crl?: string) => `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${dns},IP:127.0.0.1\nauthorityKeyIdentifier=keyid\n${aia(ocsp, crl)}`;
    const leafGood = issue('leafGood', '/CN=good.rev.test', 'intA', '0x2001', leafExt('good.rev.test', urls.intAOcsp, urls.intACrl));
    const leafRevoked = issue('leafRevoked', '/CN=revoked.rev.test', 'intA', '0x2002', leafExt('revoked.rev.test', urls.intAOcsp, urls.intACrl));
    const leafB = issue('leafB', '/CN=b.rev.test', 'intB', '0x3001', leafExt('b.rev.test', urls.intBOcsp, urls.intBCrl));
    const ocspSigner = issue('ocspSigner', '/CN=rev test OCSP signer A', 'intA', '0x2fff', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n');
    const notSigner = issue('notSigner', '/CN=rev test not an OCSP signer', 'intA', '0x2ffe', 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');

    const exp = '301231235959Z';
    const revokedAt = '240101000000Z';
    const index = { root: join(dir, 'root-index.txt'), intA: join(dir, 'intA-index.txt'), intB: join(dir, 'intB-index.txt') };
    writeFileSync(index.root, `V\t${exp}\t\t1001\tunknown\t/CN=rev test intermediate A\nR\t${exp}\t${revokedAt},cACompromise\t1002\tunknown\t/CN=rev test intermediate B\n`);
    writeFileSync(index.intA, `V\t${exp}\t\t2001\tunknown\t/CN=good.rev.test\nR\t${exp}\t${revokedAt},keyCompromise\t2002\tunknown\t/CN=revoked.rev.test\nV\t${exp}\t\t2FFF\tunknown\t/CN=rev test OCSP signer A\n`);
    writeFileSync(index.intB, `V\t${exp}\t\t3001\tunknown\t/CN=b.rev.test\n`);

    let n = 0;
    const makeCrl = (ca: RevCert, idx: string, opts: { crlDays?: number } = {}): Buffer => {
      const id = n++;
      const cnf = join(dir, `ca-${id}.cnf`);
      writeFileSync(cnf, `[ca]\ndefault_ca = d\n[d]\ndatabase = ${idx}\ncrlnumber = ${join(dir, `crlnumber-${id}`)}\ndefault_md = sha256\ncrl_extensions = ext\n[ext]\nauthorityKeyIdentifier = keyid:always\n`);
      writeFileSync(join(dir, `crlnumber-${id}`), '01\n');
      ossl(['ca', '-gencrl', '-batch', '-config', cnf, '-keyfile', ca.key, '-cert', ca.pem, '-crldays', String(opts.crlDays ?? 30), '-out', `crl-${id}.pem`], dir);
      ossl(['crl', '-in', `crl-${id}.pem`, '-outform', 'DER', '-out', `crl-${id}.der`], dir);
      return readFileSync(join(dir, `crl-${id}.der`));
    };
    const crl = { root: join(dir, 'root.crl'), intA: join(dir, 'intA.crl'), intB: join(dir, 'intB.crl') };
    writeFileSync(crl.root, makeCrl(root, index.root));
    writeFileSync(crl.intA, makeCrl(intA, index.intA));
    writeFileSync(crl.intB, makeCrl(intB, index.intB));

    const indexOf = (issuer: RevCert) => (issuer === root ? index.root : issuer === intA ? index.intA : index.intB);
    return {
      dir, root, intA, intB, leafGood, leafRevoked, leafB, ocspSigner, notSigner, index, crl, makeCrl,
      ocspResponse(cert, issuer, opts = {}) {
        const id = n++;
        const signer = opts.signer ?? issuer;
        ossl(['ocsp', '-issuer', issuer.pem, '-cert', cert.pem, '-no_nonce', '-reqout', `req-${id}.der`], dir);
        ossl(['ocsp', '-index', opts.index ?? indexOf(issuer), '-rsigner', signer.pem, '-rkey', signer.key, '-CA', issuer.pem,
          '-reqin', `req-${id}.der`, '-respout', `resp-${id}.der`, '-ndays', String(opts.ndays ?? 7),
          ...(opts.noCerts ? ['-resp_no_certs'] : []), ...(opts.byKey ? ['-resp_key_id'] : [])], dir);
        return readFileSync(join(dir, `resp-${id}.der`));
      },
      cleanup() { rmSync(dir, { recursive: true, force: true }); },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
