/**
 * Which certificates are CAs, as OpenSSL's X509_check_ca says (issue 15 item 7): a keyUsage
 * without keyCertSign makes a cA:TRUE certificate no CA. The certificates are made with openssl
 * here and judged by `openssl verify` (the gateway's verdict) and by `openssl x509 -purpose`
 * ("SSL server CA", which is X509_check_ca for these certificates).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/index.js';
import { summarize } from '../../src/checks/summary.js';
import { parseCertificate } from '../../src/x509/cert.js';
import { pemCertificates } from '../../src/x509/store.js';

const hasOpenssl = (() => { try { execFileSync('openssl', ['version'], { stdio: 'ignore' }); return true; } catch { return false; } })();
// OpenSSL 3.0's req and x509 take -days only, so the certificates are valid from now on.
const AT = new Date(Date.now() + 86_400_000);
const EXT = `
[int]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[caleaf]
basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:www.example.test
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:www.example.test
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[nokcs]
basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
`;

let dir = '';
const file = (n: string) => join(dir, n);
const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
function issue(name: string, issuer: string, section: string): void {
  run(['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file(`${name}.key`)]);
  run(['req', '-new', '-key', file(`${name}.key`), '-subj', `/CN=${name}`, '-out', file(`${name}.csr`)]);
  run(['x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${issuer}.pem`), '-CAkey', file(`${issuer}.key`), '-set_serial', '0x1234',
    '-days', '3650', '-extfile', file('ext.cnf'), '-extensions', section, '-out', file(`${name}.pem`)]);
}
const pem = (n: string) => readFileSync(file(`${n}.pem`), 'utf8');
const parsed = (n: string) => parseCertificate(pemCertificates(pem(n))[0]!);
function opensslVerify(leaf: string, untrusted: string): boolean {
  try {
    run(['verify', '-auth_level', '1', '-purpose', 'sslserver', '-verify_hostname', 'www.example.test', '-attime', String(Math.floor(AT.getTime() / 1000)),
      '-no-CAfile', '-no-CApath', '-no-CAstore', '-CAfile', file('root.pem'), '-untrusted', file(`${untrusted}.pem`), file(`${leaf}.pem`)]);
    return true;
  } catch { return false; }
}
const sslServerCa = (n: string) => /SSL server CA : Yes/.test(run(['x509', '-in', file(`${n}.pem`), '-noout', '-purpose']));

describe.runIf(hasOpenssl)('the CA flag as OpenSSL reads it', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'certcheck-ca-'));
    writeFileSync(file('ext.cnf'), EXT);
    run(['genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('root.key')]);
    run(['req', '-x509', '-new', '-key', file('root.key'), '-subj', '/CN=root', '-days', '3650',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file('root.pem')]);
    issue('int', 'root', 'int');
    issue('caleaf', 'int', 'caleaf');
    issue('nokcs', 'root', 'nokcs');
    issue('leaf', 'nokcs', 'leaf');
  }, 30_000);
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('a cA:TRUE certificate whose keyUsage lacks keyCertSign is not shown as a CA', () => {
    expect(sslServerCa('caleaf')).toBe(false);
    expect(sslServerCa('nokcs')).toBe(false);
    expect(sslServerCa('int')).toBe(true);
    expect(summarize(parsed('caleaf'), 0, AT).ca).toBe(false);
    expect(summarize(parsed('nokcs'), 0, AT).ca).toBe(false);
    expect(summarize(parsed('int'), 0, AT).ca).toBe(true);
    expect(summarize(parsed('root'), 0, AT).ca).toBe(true);
  });

  it('served first, such a certificate is the leaf: OpenSSL accepts the chain and so does the judge', async () => {
    expect(opensslVerify('caleaf', 'int')).toBe(true);
    const r = await verifyChain({ leaf: pem('caleaf'), intermediates: [pem('int')], trustedRoots: [pem('root')], host: 'www.example.test', at: AT });
    expect(r.findings.map((f) => f.code)).not.toContain('CHAIN_NO_LEAF');
    expect(r.status).toBe('Healthy');
    expect(r.chain?.presented.map((c) => c.ca)).toEqual([false, true]);
  });

  it('as an intermediate it is still refused, as openssl verify refuses it (79)', async () => {
    expect(opensslVerify('leaf', 'nokcs')).toBe(false);
    const r = await verifyChain({ leaf: pem('leaf'), intermediates: [pem('nokcs')], trustedRoots: [pem('root')], host: 'www.example.test', at: AT });
    expect(r.status).toBe('Unhealthy');
    expect(r.findings.map((f) => f.code)).toContain('KEYUSAGE_NO_CERTSIGN');
  });
});
