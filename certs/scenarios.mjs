// The scenario table: what a backend serves, what the gateway trusts, and what the gateway (and so
// certcheck) should conclude. Unit tests, loopback servers and the demo all read this one table.
//
// served     certificate names (certs/out/pki/<name>.der) in the order the server sends them;
//            'hostile/<bundle>' expands to every certificate of certs/out/hostile/<bundle>.pem
// trust      { mode: 'uploaded', roots } = the backend setting's trusted root certificates;
//            { mode: 'wellknown', roots } = stand-in for the public store in tests
// expect     status, the gateway message id shown, and the finding codes (severity error/unknown)
//            that must be present; `warnings` lists warning codes that must be present;
//            `errorCode` is the M15 {errorCode} in OpenSSL 1.1.1 numbering (appgw-spec §6);
//            opensslVerify/opensslError: what `node certs/verify.mjs` gets from OpenSSL 3.0.19
//            (error numbers in 3.0 numbering); null where not meaningful
// orUnknown  status Unknown with PATH_BUDGET_EXHAUSTED is an acceptable alternative
// maxMs      the judge must finish within this many milliseconds
// inferred   the expected gateway verdict is our inference, not documented behaviour
// offlineOnly  a file-check case; a TLS stack would not send these bytes as they are
// note       where the expectation differs from openssl, or why it is what it is

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLES } from './pki.mjs';

export const CERTS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = path.join(CERTS_DIR, 'out');
export const DEFAULT_AT = '2030-06-01T00:00:00Z';
export const DEFAULT_HOST = 'backend.test';

const U = (...roots) => ({ mode: 'uploaded', roots });
const W = (...roots) => ({ mode: 'wellknown', roots });
const OK = (extra = {}) => ({ status: 'Healthy', message: 'OK', codes: [], ...extra });
const BAD = (message, codes, extra = {}) => ({ status: 'Unhealthy', message, codes, ...extra });
const M15 = (code, errorCode, extra = {}) => BAD('M15', [code], { errorCode, ...extra });

/**
 * `openssl` is '<ok|fail>[:<3.0 error number>]' as measured with `node certs/verify.mjs`.
 * @returns {import('./scenarios.mjs').Scenario}
 */
function s(name, description, served, trust, expect, openssl, more = {}) {
  const [result, err] = openssl === null ? [null, null] : openssl.split(':');
  return {
    name, description, served, trust, host: more.host ?? DEFAULT_HOST, at: more.at ?? DEFAULT_AT,
    expect: { warnings: [], ...expect, opensslVerify: result, opensslError: err === undefined || err === null ? null : Number(err) },
    ...(more.note ? { note: more.note } : {}),
    ...(more.inferred ? { inferred: true } : {}),
    ...(more.offlineOnly ? { offlineOnly: true } : {}),
    ...(more.orUnknown ? { orUnknown: true } : {}),
    ...(more.maxMs ? { maxMs: more.maxMs } : {}),
  };
}

const LI = ['leaf-a', 'int-a'];
const ua = U('root-a');

/** @type {import('./scenarios.mjs').Scenario[]} */
export const scenarios = [
  // ---- complete chains ----
  s('ok-li-uploaded', 'leaf + intermediate, root uploaded', LI, ua, OK(), 'ok'),
  s('ok-lir-uploaded', 'leaf + intermediate + root, root uploaded', [...LI, 'root-a'], ua, OK(), 'ok'),
  s('ok-li-wellknown', 'leaf + intermediate, root in the well-known store', LI, W('root-a'), OK(), 'ok'),
  s('ok-lir-wellknown', 'leaf + intermediate + root, root in the well-known store', [...LI, 'root-a'], W('root-a'), OK(), 'ok'),
  s('ok-uploaded-two-roots', 'two roots uploaded, the second one issues the chain', LI, U('root-b', 'root-a'), OK(), 'ok'),

  // ---- chain shape ----
  s('only-leaf-uploaded', 'only the leaf is sent', ['leaf-a'], ua, BAD('M8', ['CHAIN_ONLY_LEAF']), 'fail:20'),
  s('only-leaf-wellknown', 'only the leaf is sent, well-known mode', ['leaf-a'], W('root-a'), BAD('M8', ['CHAIN_ONLY_LEAF']), 'fail:20'),
  s('only-leaf-int-in-store', 'only the leaf is sent; the intermediate is in the trust store (catalog 19)', ['leaf-a'], W('root-a', 'int-a'),
    BAD('M8', ['CHAIN_ONLY_LEAF']), 'ok',
    { note: 'openssl completes the chain from its store; the gateway judges what was sent (catalog 19)' }),
  s('leaf-not-first', '[intermediate, leaf] (catalog 20)', ['int-a', 'leaf-a'], ua, BAD('M14', ['CHAIN_LEAF_NOT_FIRST']), 'fail:26',
    { note: 'openssl verifies the first certificate (the intermediate) as the server certificate: a CA is unsuitable for sslserver' }),
  s('only-cas', 'only CA certificates are sent (catalog 21)', ['int-a', 'root-a'], ua, BAD('M9', ['CHAIN_NO_LEAF']), 'fail:26',
    { note: 'openssl verifies the intermediate as the server certificate: a CA is unsuitable for sslserver' }),
  s('extra-unrelated', 'an unrelated CA certificate is sent as well (catalog 22)', [...LI, 'int-b'], ua,
    OK({ warnings: ['CHAIN_EXTRA_CERT'] }), 'ok'),
  s('duplicate-intermediate', 'the intermediate is sent twice (catalog 22)', [...LI, 'int-a'], ua,
    OK({ warnings: ['CHAIN_DUPLICATE'] }), 'ok'),
  s('out-of-order', '[leaf, root, intermediate]', ['leaf-a', 'root-a', 'int-a'], ua,
    OK({ warnings: ['CHAIN_OUT_OF_ORDER'] }), 'ok',
    { inferred: true, note: 'a 2020 report (azure-docs#62578) saw M13 for this order; OpenSSL accepts it, current gateway behaviour is undocumented' }),
  s('distractor-plus-issuer', 'a same-subject, different-key intermediate before the real one', ['leaf-a', 'int-a2', 'int-a'], ua,
    OK({ warnings: ['CHAIN_EXTRA_CERT'] }), 'ok'),
  s('distractor-only', 'only the same-subject, different-key intermediate is sent', ['leaf-a', 'int-a2'], ua,
    BAD('M8', ['CHAIN_INCOMPLETE']), 'fail:20',
    { inferred: true, note: 'the sent intermediate chains to the uploaded root but did not issue the leaf: the issuing intermediate is missing' }),
  s('leaf-direct-under-root', 'a leaf issued directly by the uploaded root, sent alone', ['leaf-direct-a'], ua, OK(), 'ok',
    { inferred: true, note: 'appgw-spec §8 step 2 read literally says M8 (issuer not among the sent certificates); OpenSSL accepts because the issuer is the anchor' }),

  // ---- trust ----
  s('wellknown-untrusted-root-sent', 'private chain with its root sent, well-known mode (catalog 18)', ['leaf-b', 'int-b', 'root-b'], W('root-a'),
    BAD('M10', ['UNTRUSTED_ROOT']), 'fail:19'),
  s('wellknown-untrusted-no-root', 'private chain without its root, well-known mode', ['leaf-b', 'int-b'], W('root-a'),
    BAD('M11', ['UNTRUSTED_INTERMEDIATE']), 'fail:20'),
  s('uploaded-root-mismatch', 'private chain with its root sent, a different root uploaded (catalog 18)', ['leaf-b', 'int-b', 'root-b'], ua,
    BAD('M13', ['UPLOADED_ROOT_MISMATCH']), 'fail:19'),
  s('uploaded-root-not-issuer', 'private chain without its root, a different root uploaded', ['leaf-b', 'int-b'], ua,
    BAD('M12', ['UPLOADED_ROOT_NOT_ISSUER']), 'fail:20'),
  s('uploaded-intermediate-as-root', 'the intermediate was uploaded as the "root" (catalog 35)', LI, U('int-a'),
    BAD('M12', ['UPLOADED_ROOT_NOT_ISSUER'], { warnings: ['UPLOADED_ROOT_NOT_SELF_SIGNED'] }), 'fail:2',
    { inferred: true, note: 'OpenSSL without -partial_chain does not treat a non-self-signed certificate as an anchor' }),
  s('cross-signed-root-a-trusted', '[leaf, int, root-a cross-signed by absent root-old], root-a uploaded (catalog 23)',
    [...LI, 'root-a-by-old'], ua, OK({ warnings: ['CHAIN_EXTRA_CERT'] }), 'ok',
    { note: 'regression for the pkijs false negative: the dead-end path via root-old must not abort the search' }),
  s('cross-signed-root-old-trusted', 'the same chain with root-old uploaded: the path goes through the cross-sign',
    [...LI, 'root-a-by-old'], U('root-old'), OK(), 'ok'),
  s('cross-signed-wellknown', 'the cross-signed chain, root-a in the well-known store', [...LI, 'root-a-by-old'], W('root-a'),
    OK({ warnings: ['CHAIN_EXTRA_CERT'] }), 'ok'),

  // ---- self-signed ----
  s('selfsigned-leaf-uploaded', 'self-signed CA:FALSE leaf, an unrelated root uploaded (catalog 17)', ['leaf-selfsigned'], ua,
    BAD('M8', ['CHAIN_ONLY_LEAF']), 'fail:18'),
  s('selfsigned-leaf-uploaded-itself', 'self-signed CA:FALSE leaf uploaded as its own trusted root (azure-docs#91051)', ['leaf-selfsigned'], U('leaf-selfsigned'),
    BAD('M8', ['CHAIN_ONLY_LEAF']), 'ok',
    { note: 'OpenSSL accepts a self-signed end-entity that is itself in the trust store; the gateway docs (TS-2024) say a non-CA self-signed certificate gives M8' }),
  s('selfsigned-leaf-wellknown', 'self-signed CA:FALSE leaf, well-known mode', ['leaf-selfsigned'], W('root-a'),
    BAD('M8', ['CHAIN_ONLY_LEAF']), 'fail:18'),
  s('root-noca', 'private root without basicConstraints CA:TRUE, uploaded (azure-docs#60015)', ['leaf-under-noca', 'root-noca'], U('root-noca'),
    M15('INVALID_CA', 24), 'fail:79'),

  // ---- validity (catalog D) ----
  s('expired-leaf', 'the leaf expired in 2021', ['leaf-expired', 'int-a'], ua, BAD('M7', ['CERT_EXPIRED']), 'fail:10'),
  s('expired-leaf-at-2020', 'the same leaf judged at 2020-06-01 (the clock is an input)', ['leaf-expired', 'int-a'], ua, OK(), 'ok',
    { at: '2020-06-01T00:00:00Z' }),
  s('notyet-leaf', 'the leaf becomes valid in 2040', ['leaf-notyet', 'int-a'], ua, BAD('M7', ['CERT_NOT_YET_VALID']), 'fail:9'),
  s('expired-intermediate', 'the intermediate expired in 2021 (catalog 48)', ['leaf-under-int-expired', 'int-expired'], ua,
    BAD('M7', ['CERT_EXPIRED']), 'fail:10'),
  s('at-equals-notafter', '--at exactly the leaf notAfter (catalog 49)', LI, ua, OK(), 'fail:10',
    { at: '2035-01-01T00:00:00Z', note: 'RFC 5280 validity is inclusive (catalog 49); OpenSSL X509_cmp_time treats notAfter == now as expired' }),
  s('at-equals-notbefore', '--at exactly the leaf notBefore', LI, ua, OK(), 'ok', { at: '2025-01-01T00:00:00Z' }),
  s('badtime-feb30', 'leaf notAfter is the raw UTCTime 230230000000Z (catalog 9)', ['leaf-badtime', 'int-a'], ua,
    BAD('M7', ['CERT_BAD_TIME']), 'fail:14'),
  s('badtime-month13', 'leaf notAfter is the raw UTCTime 231301000000Z (catalog 9)', ['leaf-badtime-month13', 'int-a'], ua,
    BAD('M7', ['CERT_BAD_TIME']), 'fail:14'),
  s('never-valid', 'leaf notBefore (2035) is after notAfter (2025) (catalog 51)', ['leaf-nevervalid', 'int-a'], ua,
    BAD('M7', ['CERT_NEVER_VALID']), 'fail:9'),
  s('gentime-2049', 'leaf notAfter is a GeneralizedTime in 2049 (catalog 50)', ['leaf-gentime-2049', 'int-a'], ua, OK(), 'ok'),

  // ---- names (catalog C) ----
  s('wrong-name', 'SAN other.test, probe host backend.test', ['leaf-wrongname', 'int-a'], ua, BAD('M6', ['NAME_MISMATCH']), 'fail:62'),
  s('wildcard-one-label', '*.backend.test for www.backend.test', ['leaf-wildcard', 'int-a'], ua, OK(), 'ok', { host: 'www.backend.test' }),
  s('wildcard-two-labels', '*.backend.test for a.b.backend.test (catalog 36)', ['leaf-wildcard', 'int-a'], ua,
    BAD('M6', ['NAME_MISMATCH']), 'fail:62', { host: 'a.b.backend.test' }),
  s('wildcard-apex', '*.backend.test for backend.test (catalog 37)', ['leaf-wildcard', 'int-a'], ua, BAD('M6', ['NAME_MISMATCH']), 'fail:62'),
  s('partial-wildcard', 'f*o.backend.test for foo.backend.test (catalog 38)', ['leaf-partial-wildcard', 'int-a'], ua,
    BAD('M6', ['NAME_MISMATCH']), 'fail:62',
    { host: 'foo.backend.test', note: 'OpenSSL 3.0.19 rejects it too; Node\'s tls.checkServerIdentity would accept it (catalog §0.7)' }),
  s('cn-only', 'no SAN, CN=backend.test (catalog 40)', ['leaf-cn-only', 'int-a'], ua, OK({ warnings: ['NAME_CN_ONLY'] }), 'ok'),
  s('san-ip-only-cn-host', 'SAN only IP:10.0.0.5 with CN=backend.test, host backend.test', ['leaf-san-ip-only-cn', 'int-a'], ua,
    BAD('M6', ['NAME_MISMATCH']), 'ok',
    { note: 'OpenSSL falls back to the CN when the SAN has no DNS entry; the gateway docs (RFC 6125) check only the SAN when one exists' }),
  s('san-ip-only-cn-ip', 'SAN only IP:10.0.0.5, host 10.0.0.5', ['leaf-san-ip-only-cn', 'int-a'], ua, OK(), 'ok', { host: '10.0.0.5' }),
  s('case-insensitive-host', 'host WWW.Backend.TEST vs SAN www.backend.test (catalog 42)', LI, ua, OK(), 'ok', { host: 'WWW.Backend.TEST' }),
  s('ip-host-v4', 'host 127.0.0.1 vs IP SAN 127.0.0.1', ['leaf-a-ip', 'int-a'], ua, OK(), 'ok', { host: '127.0.0.1' }),
  s('ip-host-v6', 'host ::1 vs IP SAN ::1', ['leaf-a-ip', 'int-a'], ua, OK(), 'ok', { host: '::1' }),
  s('ip-host-mismatch', 'host 127.0.0.1 (default probe) vs a DNS-only leaf', LI, ua, BAD('M6', ['NAME_MISMATCH']), 'fail:64', { host: '127.0.0.1' }),
  s('nul-in-san-suffix', 'SAN "good\\0evil.test", host evil.test (catalog 44)', ['leaf-nul', 'int-a'], ua,
    BAD('M6', ['NAME_MISMATCH']), 'fail:62', { host: 'evil.test' }),
  s('nul-in-san-prefix', 'SAN "good\\0evil.test", host good (catalog 44)', ['leaf-nul', 'int-a'], ua,
    BAD('M6', ['NAME_MISMATCH']), 'fail:62', { host: 'good' }),

  // ---- path rules (M15) ----
  s('int-ca-false', 'intermediate with CA:FALSE (catalog 28)', ['leaf-under-int-noca', 'int-noca'], ua, M15('INVALID_CA', 24), 'fail:79'),
  s('int-no-basic-constraints', 'intermediate without basicConstraints or keyUsage (catalog 28)', ['leaf-under-int-nobc', 'int-nobc'], ua,
    M15('INVALID_CA', 24), 'fail:79'),
  s('int-no-bc-with-keycertsign', 'intermediate without basicConstraints but with keyUsage keyCertSign', ['leaf-under-int-nobc-ku', 'int-nobc-ku'], ua,
    M15('INVALID_CA', 24), 'fail:79',
    { note: 'OpenSSL 3.0.19 rejects it even without -x509_strict (with -x509_strict the first error is 82)' }),
  s('int-v1', 'X.509 v1 intermediate (catalog 28)', ['leaf-under-int-v1', 'int-v1'], ua, M15('INVALID_CA', 24), 'fail:79'),
  s('int-no-keycertsign', 'intermediate keyUsage without keyCertSign (catalog 29)', ['leaf-under-int-nokeycertsign', 'int-nokeycertsign'], ua,
    M15('KEYUSAGE_NO_CERTSIGN', 24), 'fail:79',
    { note: 'OpenSSL reports this as invalid CA first (X509_check_ca fails on a keyUsage without keyCertSign); 32 follows only as a later error, so the gateway shows 24 (1.1.1) / 79 (3.0)' }),
  s('path-length-exceeded', 'a CA below a pathLen 0 CA (catalog 29)', ['leaf-under-subint', 'subint-pathlen0', 'int-pathlen0'], ua,
    M15('PATH_LENGTH_EXCEEDED', 25), 'fail:25'),
  s('eku-clientauth-only', 'leaf EKU clientAuth only (catalog 30)', ['leaf-clientauth', 'int-a'], ua, M15('INVALID_PURPOSE', 26), 'fail:26'),
  s('eku-absent', 'leaf without EKU (catalog 30)', ['leaf-noeku', 'int-a'], ua, OK(), 'ok'),
  s('eku-any-only', 'leaf EKU anyExtendedKeyUsage only', ['leaf-anyeku', 'int-a'], ua, M15('INVALID_PURPOSE', 26), 'fail:26',
    { note: 'OpenSSL does not let anyExtendedKeyUsage stand in for serverAuth' }),
  s('nc-permitted', 'name constraints: a.backend.test under permitted backend.test', ['leaf-nc-ok', 'int-nc'], ua, OK(), 'ok',
    { host: 'a.backend.test' }),
  s('nc-excluded', 'name constraints: bar.backend.test is excluded', ['leaf-nc-excluded', 'int-nc'], ua,
    M15('NAME_CONSTRAINTS_VIOLATION', 48), 'fail:48', { host: 'bar.backend.test' }),
  s('nc-wildcard-over-excluded', 'name constraints: *.backend.test covers excluded bar.backend.test (catalog 31, CVE-2025-61727)',
    ['leaf-nc-wild', 'int-nc'], ua, M15('NAME_CONSTRAINTS_VIOLATION', 48), 'ok',
    { host: 'foo.backend.test', note: 'OpenSSL 3.0.19 accepts: it compares the wildcard name literally against the excluded subtree. The catalog requires rejection.' }),
  s('nc-outside-permitted', 'name constraints: other.test is outside permitted backend.test', ['leaf-nc-outside', 'int-nc'], ua,
    M15('NAME_CONSTRAINTS_VIOLATION', 47), 'fail:47', { host: 'other.test' }),
  s('nc-ip-only-leaf', 'name constraints (DNS only): leaf with only an IP SAN and no CN (catalog 31, PKI.js#52)', ['leaf-nc-iponly', 'int-nc'], ua,
    OK(), 'ok', { host: '10.0.0.5' }),
  s('critical-unknown-extension', 'leaf with an unknown critical extension (catalog 8)', ['leaf-critical-unknown', 'int-a'], ua,
    M15('UNHANDLED_CRITICAL_EXTENSION', 34), 'fail:34'),
  s('noncritical-unknown-extension', 'leaf with an unknown non-critical extension (catalog 8)', ['leaf-noncritical-unknown', 'int-a'], ua, OK(), 'ok'),
  s('bad-signature', 'one flipped byte in the leaf signature (catalog 32)', ['leaf-badsig', 'int-a'], ua, M15('BAD_SIGNATURE', 7), 'fail:7'),
  s('sigalg-mismatch', 'inner and outer signatureAlgorithm differ (catalog 32)', ['leaf-sigalg-mismatch', 'int-a'], ua, M15('BAD_SIGNATURE', 7), 'fail:7'),
  s('sha1-signature', 'leaf signed with SHA-1 (catalog 33)', ['leaf-sha1', 'int-a'], ua, M15('WEAK_SIGNATURE', 68), 'fail:68',
    { note: 'plain `openssl verify` (no -auth_level) says OK; security level 1 rejects with 68' }),
  s('md5-signature', 'leaf signed with MD5 (catalog 33)', ['leaf-md5', 'int-a'], ua, M15('WEAK_SIGNATURE', 68), 'fail:68',
    { note: 'plain `openssl verify` (no -auth_level) says OK; security level 1 rejects with 68' }),
  s('rsa1024-leaf', 'leaf with an RSA-1024 key (catalog 33)', ['leaf-rsa1024', 'int-a'], ua, OK({ warnings: ['WEAK_KEY'] }), 'ok',
    { inferred: true, note: 'security level 1 (80 bits) accepts RSA-1024; level 2 rejects with 66 (EE_KEY_TOO_SMALL). The gateway level is unknown.' }),
  s('malformed-san', 'leaf SAN value encoded as a SET (catalog 7)', ['leaf-badsan', 'int-a'], ua,
    M15('MALFORMED_EXTENSION', 20), 'fail:20',
    { inferred: true, note: 'OpenSSL flags the certificate invalid while caching extensions and then finds no issuer for it (error 20); which gateway message that produces is unknown' }),
  s('trailing-bytes', 'leaf DER followed by 4 bytes (catalog 4)', ['leaf-trailing', 'int-a'], ua,
    OK({ warnings: ['TRAILING_DATA'] }), 'ok',
    { offlineOnly: true, inferred: true, note: 'a TLS Certificate entry has its own length, so a server cannot send this; file checks only' }),

  // ---- other key and signature algorithms ----
  s('leaf-key-p256', 'leaf with an EC P-256 key under the RSA chain', ['leaf-p256', 'int-a'], ua, OK(), 'ok'),
  s('leaf-key-p384', 'leaf with an EC P-384 key under the RSA chain', ['leaf-p384', 'int-a'], ua, OK(), 'ok'),
  s('leaf-key-ed25519', 'leaf with an Ed25519 key under the RSA chain', ['leaf-ed25519', 'int-a'], ua, OK(), 'ok'),
  s('leaf-rsa-pss', 'leaf signed with RSA-PSS', ['leaf-pss', 'int-a'], ua, OK(), 'ok'),
  s('chain-ecdsa', 'ECDSA P-256 chain', ['leaf-ec', 'int-ec'], U('root-ec'), OK(), 'ok'),
  s('chain-ed25519', 'Ed25519 chain', ['leaf-ed', 'int-ed'], U('root-ed'), OK(), 'ok'),

  // ---- hostile and deep (bounded work) ----
  s('cycle-uploaded', 'two CAs that issue each other, plus a leaf (catalog 25)', ['hostile/cycle'], ua,
    BAD('M12', ['UPLOADED_ROOT_NOT_ISSUER']), 'fail:20', { orUnknown: true, maxMs: 1000 }),
  s('cycle-wellknown', 'the cycle in well-known mode (catalog 25)', ['hostile/cycle'], W('root-a'),
    BAD('M11', ['UNTRUSTED_INTERMEDIATE']), 'fail:20', { orUnknown: true, maxMs: 1000 }),
  s('lattice-untrusted', '7 x 4 same-key lattice with no anchor (catalog 26)', ['hostile/lattice'], ua,
    BAD('M12', ['UPLOADED_ROOT_NOT_ISSUER']), 'fail:20', { orUnknown: true, maxMs: 1000 }),
  s('lattice-trusted', 'the lattice with its top uploaded: a path exists', ['hostile/lattice'], U('lattice-top'),
    OK({ warnings: ['CHAIN_EXTRA_CERT'] }), 'ok', { maxMs: 1000 }),
  s('same-subject-100', '100 self-issued certificates with one subject and key (catalog 27)', ['hostile/same-subject-100'], ua,
    BAD('M13', ['UPLOADED_ROOT_MISMATCH']), 'fail:19', { orUnknown: true, maxMs: 1000 }),
  s('deep-chain', 'leaf + 11 intermediates under root-a', ['hostile/deep'], ua, { status: 'Unknown', message: null, codes: ['CHAIN_TOO_LONG'] }, 'ok',
    { maxMs: 1000, note: 'Deliberate difference: OpenSSL\'s default depth (100) accepts; certcheck caps path building at depth 10 (issue 2 budget) and says Unknown rather than guess. The gateway\'s depth is undocumented.' }),
];

// ---------- loading ----------

const PEM_RE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** DER of every certificate in a PEM text, in order. */
export function pemToDers(text) {
  return [...text.matchAll(PEM_RE)].map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

export function toPem(der) {
  const b64 = Buffer.from(der).toString('base64').match(/.{1,64}/g).join('\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

export const certPath = (name, ext = 'pem') => path.join(OUT_DIR, 'pki', `${name}.${ext}`);
export const bundlePath = (bundle) => path.join(OUT_DIR, 'hostile', `${bundle}.pem`);

/** DER bytes of one named certificate, exactly as written (leaf-trailing keeps its 4 extra bytes). */
export function loadCert(name) {
  return fs.readFileSync(certPath(name, 'der'));
}

/** The certificates a scenario's server sends, in order, with bundles expanded. */
export function loadServed(scenario) {
  return scenario.served.flatMap((entry) => {
    if (entry.startsWith('hostile/')) {
      const bundle = entry.slice('hostile/'.length);
      return pemToDers(fs.readFileSync(bundlePath(bundle), 'utf8')).map((der, i) => ({ name: `${entry}#${i}`, der }));
    }
    return [{ name: entry, der: loadCert(entry) }];
  });
}

/** The trusted roots (uploaded, or the well-known stand-in) of a scenario. */
export function loadRoots(scenario) {
  return scenario.trust.roots.map((name) => ({ name, der: loadCert(name) }));
}

/** Private key PEM for a certificate (loopback servers), from certs/out/pki/index.json. */
export function keyPathFor(name) {
  const index = JSON.parse(fs.readFileSync(path.join(OUT_DIR, 'pki', 'index.json'), 'utf8'));
  const entry = index.certificates[name];
  if (!entry) throw new Error(`no certificate named ${name}`);
  return path.join(path.dirname(CERTS_DIR), entry.key);
}

/**
 * Private key for the first certificate a scenario's server sends (the one a TLS server must hold
 * the key of; for [int, leaf] that is the intermediate's key).
 */
export function servedKeyPath(scenario) {
  const first = scenario.served[0];
  if (first.startsWith('hostile/')) return keyPathFor(BUNDLES[first.slice('hostile/'.length)][0]);
  return keyPathFor(first);
}

export function scenarioByName(name) {
  const found = scenarios.find((x) => x.name === name);
  if (!found) throw new Error(`no scenario named ${name}`);
  return found;
}
