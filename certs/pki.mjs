// The test PKI, as data. generate.mjs turns each definition into a certificate; names are API for
// the scenario table, loopback servers and the demo, so never rename one.
//
// Definition fields:
//   name      file stem (certs/out/pki/<name>.pem|.der); members of hostile bundles set `bundle`
//   key       key file stem in certs/keys/ (subject public key); see KEYS for its type
//   subject   [[attr, value], ...] in encoded order (O before CN, as OpenSSL writes them)
//   issuer    name of the issuing definition, or 'self'
//   serial    explicit serial (hex string)
//   notBefore / notAfter   raw time text: 'U:YYMMDDhhmmssZ' (UTCTime) or 'G:YYYYMMDDhhmmssZ'
//   version   3 (default) or 1 (no extensions at all)
//   ca        { pathLen?: number } for CA:TRUE (critical); false for an explicit CA:FALSE; absent: no basicConstraints
//   ku        keyUsage bit names (critical); eku: extKeyUsage names; san: ['DNS:..','IP:..']
//   nc        { permitted: [...], excluded: [...] } GeneralNames as 'DNS:x' / 'IP:a.b.c.d/m.m.m.m'
//   extra     [{ oid, critical, valueHex }] raw extra extensions
//   sig       signature algorithm override: sha1 | md5 | pss | sha256 (default from the issuer's key)
//   tamper    'flip-sig' | 'trailing' | 'inner-sigalg' | 'san-as-set'
//   noSki / noAki   leave those extensions out
//   notes     one line for index.json

/** Key stem → type. RSA-2048 unless listed. */
export const KEYS = {
  'leaf-rsa1024': 'rsa1024',
  'leaf-p256': 'p256',
  'leaf-p384': 'p384',
  'leaf-ed25519': 'ed25519',
  'root-ec': 'p256',
  'int-ec': 'p256',
  'leaf-ec': 'p256',
  'root-ed': 'ed25519',
  'int-ed': 'ed25519',
  'leaf-ed': 'ed25519',
};
export const keyType = (stem) => KEYS[stem] ?? 'rsa2048';

const O = ['O', 'certcheck test'];
const cn = (v) => [O, ['CN', v]];
const CA_NB = 'U:200101000000Z';
const CA_NA = 'U:450101000000Z';
const LEAF_NB = 'U:250101000000Z';
const LEAF_NA = 'U:350101000000Z';

const caDefaults = (over) => ({
  notBefore: CA_NB, notAfter: CA_NA, ca: {}, ku: ['keyCertSign', 'cRLSign'], ...over,
});
const intDefaults = (over) => caDefaults({ ca: { pathLen: 0 }, ...over });
const leafDefaults = (over) => ({
  key: 'leaf-misc', notBefore: LEAF_NB, notAfter: LEAF_NA, ca: false,
  ku: ['digitalSignature', 'keyEncipherment'], eku: ['serverAuth'], subject: cn('backend.test'),
  san: ['DNS:backend.test'], ...over,
});

const ROOT_A_SUBJECT = cn('certcheck Test Root A');
const INT_A_SUBJECT = cn('certcheck Test Intermediate A');

/** @type {Array<Record<string, any>>} */
const base = [
  // --- PKI A: the healthy reference chain ---
  caDefaults({ name: 'root-a', key: 'root-a', subject: ROOT_A_SUBJECT, issuer: 'self', serial: '0a01', notes: 'trust anchor of PKI A' }),
  intDefaults({ name: 'int-a', key: 'int-a', subject: INT_A_SUBJECT, issuer: 'root-a', serial: '0a02', notes: 'issuing CA of PKI A, pathLen 0' }),
  leafDefaults({ name: 'leaf-a', key: 'leaf-a', issuer: 'int-a', serial: '0a03', san: ['DNS:backend.test', 'DNS:www.backend.test'], notes: 'the healthy leaf' }),
  leafDefaults({ name: 'leaf-a-ip', key: 'leaf-a', issuer: 'int-a', serial: '0a04', san: ['IP:127.0.0.1', 'IP:::1', 'DNS:backend.test'], notes: 'IP SANs for IP-host probes' }),
  intDefaults({ name: 'int-a2', key: 'int-a2', subject: INT_A_SUBJECT, issuer: 'root-a', serial: '0a05', notes: 'distractor: same subject as int-a, different key; issues nothing' }),
  leafDefaults({ name: 'leaf-direct-a', issuer: 'root-a', serial: '0a06', notes: 'leaf issued directly by root-a (no intermediate)' }),

  // --- PKI B: unrelated, same host name ---
  caDefaults({ name: 'root-b', key: 'root-b', subject: cn('certcheck Test Root B'), issuer: 'self', serial: '0b01', notes: 'unrelated trust anchor' }),
  intDefaults({ name: 'int-b', key: 'int-b', subject: cn('certcheck Test Intermediate B'), issuer: 'root-b', serial: '0b02' }),
  leafDefaults({ name: 'leaf-b', key: 'leaf-b', issuer: 'int-b', serial: '0b03', notes: 'backend.test under the unrelated PKI B' }),

  // --- cross-signed root (catalog 23) ---
  caDefaults({ name: 'root-old', key: 'root-old', subject: cn('certcheck Test Root Old'), issuer: 'self', serial: '0c01', notes: 'older root that cross-signs root-a' }),
  caDefaults({ name: 'root-a-by-old', key: 'root-a', subject: ROOT_A_SUBJECT, issuer: 'root-old', serial: '0c02', notes: 'root-a subject and key, issued by root-old (cross-sign)' }),

  // --- self-signed oddities ---
  leafDefaults({ name: 'leaf-selfsigned', key: 'leaf-selfsigned', issuer: 'self', serial: '0d01', notes: 'self-signed CA:FALSE leaf (gateway: M8)' }),
  caDefaults({ name: 'root-noca', key: 'root-noca', subject: cn('certcheck Test Root Without CA'), issuer: 'self', serial: '0d02', ca: undefined, ku: undefined, notes: 'self-signed root without basicConstraints or keyUsage (#60015)' }),
  leafDefaults({ name: 'leaf-under-noca', issuer: 'root-noca', serial: '0d03' }),

  // --- validity ---
  leafDefaults({ name: 'leaf-expired', issuer: 'int-a', serial: '0e01', notBefore: 'U:200101000000Z', notAfter: 'U:210101000000Z' }),
  leafDefaults({ name: 'leaf-notyet', issuer: 'int-a', serial: '0e02', notBefore: 'U:400101000000Z', notAfter: 'U:410101000000Z' }),
  intDefaults({ name: 'int-expired', key: 'int-expired', subject: cn('certcheck Test Intermediate Expired'), issuer: 'root-a', serial: '0e03', notBefore: 'U:200101000000Z', notAfter: 'U:210101000000Z' }),
  leafDefaults({ name: 'leaf-under-int-expired', issuer: 'int-expired', serial: '0e04' }),
  leafDefaults({ name: 'leaf-badtime', issuer: 'int-a', serial: '0e05', notBefore: 'U:200101000000Z', notAfter: 'U:230230000000Z', notes: 'notAfter is 30 February' }),
  leafDefaults({ name: 'leaf-badtime-month13', issuer: 'int-a', serial: '0e06', notBefore: 'U:200101000000Z', notAfter: 'U:231301000000Z', notes: 'notAfter month 13' }),
  leafDefaults({ name: 'leaf-nevervalid', issuer: 'int-a', serial: '0e07', notBefore: 'U:350101000000Z', notAfter: 'U:250101000000Z', notes: 'notBefore after notAfter' }),
  leafDefaults({ name: 'leaf-gentime-2049', issuer: 'int-a', serial: '0e08', notAfter: 'G:20491231235959Z', notes: 'GeneralizedTime before 2050 (lint only)' }),

  // --- names ---
  leafDefaults({ name: 'leaf-wrongname', issuer: 'int-a', serial: '0f01', subject: cn('other.test'), san: ['DNS:other.test'] }),
  leafDefaults({ name: 'leaf-wildcard', issuer: 'int-a', serial: '0f02', subject: cn('*.backend.test'), san: ['DNS:*.backend.test'] }),
  leafDefaults({ name: 'leaf-cn-only', issuer: 'int-a', serial: '0f03', san: undefined, notes: 'no SAN; CN=backend.test' }),
  leafDefaults({ name: 'leaf-san-ip-only-cn', issuer: 'int-a', serial: '0f04', san: ['IP:10.0.0.5'], notes: 'SAN has only IP:10.0.0.5, CN=backend.test' }),
  leafDefaults({ name: 'leaf-partial-wildcard', issuer: 'int-a', serial: '0f05', subject: cn('f*o.backend.test'), san: ['DNS:f*o.backend.test'] }),
  leafDefaults({ name: 'leaf-nul', issuer: 'int-a', serial: '0f06', subject: cn('good'), san: ['DNS:good\u0000evil.test'], notes: 'dNSName with an embedded NUL' }),

  // --- purpose ---
  leafDefaults({ name: 'leaf-clientauth', issuer: 'int-a', serial: '1001', eku: ['clientAuth'] }),
  leafDefaults({ name: 'leaf-noeku', issuer: 'int-a', serial: '1002', eku: undefined }),
  leafDefaults({ name: 'leaf-anyeku', issuer: 'int-a', serial: '1003', eku: ['anyExtendedKeyUsage'] }),

  // --- path-rule failures under root-a ---
  intDefaults({ name: 'int-noca', key: 'int-noca', subject: cn('certcheck Test Intermediate CA FALSE'), issuer: 'root-a', serial: '1101', ca: false, notes: 'basicConstraints CA:FALSE' }),
  leafDefaults({ name: 'leaf-under-int-noca', issuer: 'int-noca', serial: '1102' }),
  intDefaults({ name: 'int-nobc', key: 'int-nobc', subject: cn('certcheck Test Intermediate No BC'), issuer: 'root-a', serial: '1103', ca: undefined, ku: undefined, notes: 'no basicConstraints and no keyUsage' }),
  leafDefaults({ name: 'leaf-under-int-nobc', issuer: 'int-nobc', serial: '1104' }),
  intDefaults({ name: 'int-nobc-ku', key: 'int-nobc-ku', subject: cn('certcheck Test Intermediate No BC With KU'), issuer: 'root-a', serial: '1105', ca: undefined, notes: 'no basicConstraints but keyUsage keyCertSign (OpenSSL non-strict treats it as a CA)' }),
  leafDefaults({ name: 'leaf-under-int-nobc-ku', issuer: 'int-nobc-ku', serial: '1106' }),
  intDefaults({ name: 'int-v1', key: 'int-v1', subject: cn('certcheck Test Intermediate v1'), issuer: 'root-a', serial: '1107', version: 1, notes: 'X.509 v1 intermediate (no extensions)' }),
  leafDefaults({ name: 'leaf-under-int-v1', issuer: 'int-v1', serial: '1108' }),
  intDefaults({ name: 'int-nokeycertsign', key: 'int-nokeycertsign', subject: cn('certcheck Test Intermediate No keyCertSign'), issuer: 'root-a', serial: '1109', ku: ['digitalSignature', 'cRLSign'] }),
  leafDefaults({ name: 'leaf-under-int-nokeycertsign', issuer: 'int-nokeycertsign', serial: '110a' }),
  intDefaults({ name: 'int-pathlen0', key: 'int-pathlen0', subject: cn('certcheck Test Intermediate pathLen 0'), issuer: 'root-a', serial: '110b' }),
  intDefaults({ name: 'subint-pathlen0', key: 'subint-pathlen0', subject: cn('certcheck Test Sub-Intermediate'), issuer: 'int-pathlen0', serial: '110c', notes: 'CA below a pathLen 0 CA' }),
  leafDefaults({ name: 'leaf-under-subint', issuer: 'subint-pathlen0', serial: '110d' }),
  intDefaults({ name: 'int-nc', key: 'int-nc', subject: cn('certcheck Test Intermediate Name Constraints'), issuer: 'root-a', serial: '110e',
    nc: { permitted: ['DNS:backend.test'], excluded: ['DNS:bar.backend.test'] }, notes: 'permitted backend.test, excluded bar.backend.test' }),
  leafDefaults({ name: 'leaf-nc-ok', issuer: 'int-nc', serial: '110f', subject: cn('a.backend.test'), san: ['DNS:a.backend.test'] }),
  leafDefaults({ name: 'leaf-nc-excluded', issuer: 'int-nc', serial: '1110', subject: cn('bar.backend.test'), san: ['DNS:bar.backend.test'] }),
  leafDefaults({ name: 'leaf-nc-wild', issuer: 'int-nc', serial: '1111', subject: cn('*.backend.test'), san: ['DNS:*.backend.test'], notes: 'wildcard covering the excluded subtree (CVE-2025-61727)' }),
  leafDefaults({ name: 'leaf-nc-outside', issuer: 'int-nc', serial: '1112', subject: cn('other.test'), san: ['DNS:other.test'] }),
  leafDefaults({ name: 'leaf-nc-iponly', issuer: 'int-nc', serial: '1113', subject: [O], san: ['IP:10.0.0.5'], notes: 'only an IP SAN, no CN, under a DNS-only constraint (PKI.js#52)' }),

  // --- extensions, signatures, keys ---
  leafDefaults({ name: 'leaf-critical-unknown', issuer: 'int-a', serial: '1201', extra: [{ oid: '1.3.6.1.4.1.99999.1', critical: true, valueHex: '0c0474657374' }] }),
  leafDefaults({ name: 'leaf-noncritical-unknown', issuer: 'int-a', serial: '1202', extra: [{ oid: '1.3.6.1.4.1.99999.1', critical: false, valueHex: '0c0474657374' }] }),
  leafDefaults({ name: 'leaf-badsig', issuer: 'int-a', serial: '1203', tamper: 'flip-sig', notes: 'last signature byte flipped' }),
  leafDefaults({ name: 'leaf-sigalg-mismatch', issuer: 'int-a', serial: '1204', tamper: 'inner-sigalg', notes: 'TBS says sha384WithRSA, outer says sha256WithRSA' }),
  leafDefaults({ name: 'leaf-sha1', issuer: 'int-a', serial: '1205', sig: 'sha1' }),
  leafDefaults({ name: 'leaf-md5', issuer: 'int-a', serial: '1206', sig: 'md5' }),
  leafDefaults({ name: 'leaf-rsa1024', key: 'leaf-rsa1024', issuer: 'int-a', serial: '1207' }),
  leafDefaults({ name: 'leaf-trailing', issuer: 'int-a', serial: '1208', tamper: 'trailing', notes: 'DER followed by 4 bytes (deadbeef)' }),
  leafDefaults({ name: 'leaf-badsan', issuer: 'int-a', serial: '1209', tamper: 'san-as-set', notes: 'SAN value is a SET, not a SEQUENCE' }),
  leafDefaults({ name: 'leaf-p256', key: 'leaf-p256', issuer: 'int-a', serial: '120a', ku: ['digitalSignature'] }),
  leafDefaults({ name: 'leaf-p384', key: 'leaf-p384', issuer: 'int-a', serial: '120b', ku: ['digitalSignature'] }),
  leafDefaults({ name: 'leaf-ed25519', key: 'leaf-ed25519', issuer: 'int-a', serial: '120c', ku: ['digitalSignature'] }),
  leafDefaults({ name: 'leaf-pss', issuer: 'int-a', serial: '120d', sig: 'pss', notes: 'RSA-PSS signature (not deterministic; reused across runs)' }),

  // --- chains signed by non-RSA CAs ---
  caDefaults({ name: 'root-ec', key: 'root-ec', subject: cn('certcheck Test Root EC P-256'), issuer: 'self', serial: '1301', notes: 'ECDSA P-256 root (signatures reused across runs)' }),
  intDefaults({ name: 'int-ec', key: 'int-ec', subject: cn('certcheck Test Intermediate EC P-256'), issuer: 'root-ec', serial: '1302' }),
  leafDefaults({ name: 'leaf-ec', key: 'leaf-ec', issuer: 'int-ec', serial: '1303', ku: ['digitalSignature'] }),
  caDefaults({ name: 'root-ed', key: 'root-ed', subject: cn('certcheck Test Root Ed25519'), issuer: 'self', serial: '1304' }),
  intDefaults({ name: 'int-ed', key: 'int-ed', subject: cn('certcheck Test Intermediate Ed25519'), issuer: 'root-ed', serial: '1305' }),
  leafDefaults({ name: 'leaf-ed', key: 'leaf-ed', issuer: 'int-ed', serial: '1306', ku: ['digitalSignature'] }),

  // --- cycle (catalog 25) ---
  caDefaults({ name: 'cycle-x', key: 'cycle-x', subject: cn('certcheck Test Cycle X'), issuer: 'cycle-y', serial: '1401', notes: 'issued by cycle-y' }),
  caDefaults({ name: 'cycle-y', key: 'cycle-y', subject: cn('certcheck Test Cycle Y'), issuer: 'cycle-x', serial: '1402', notes: 'issued by cycle-x' }),
  leafDefaults({ name: 'leaf-cycle', issuer: 'cycle-x', serial: '1403' }),

  // --- lattice top (kept out of the bundle so no path exists unless a test trusts it) ---
  caDefaults({ name: 'lattice-top', key: 'lattice-0', subject: cn('certcheck Lattice Top'), issuer: 'self', serial: '1500', notes: 'the root the lattice hangs from; not in the bundle' }),
];

const LATTICE_LAYERS = 7;
const LATTICE_WIDTH = 4;
const SAME_SUBJECT_COUNT = 100;
const DEEP_INTERMEDIATES = 11;

/** Hostile and deep sets: many certificates from a few keys. */
function generated() {
  const out = [];
  // Every cert of layer L verifies under every cert of layer L-1 (shared subject and key), so a
  // search without memo walks WIDTH^LAYERS paths.
  for (let l = 1; l <= LATTICE_LAYERS; l++) {
    for (let w = 1; w <= LATTICE_WIDTH; w++) {
      out.push(caDefaults({
        name: `lattice-${l}-${w}`, key: `lattice-${l}`, subject: cn(`certcheck Lattice Layer ${l}`),
        issuer: l === 1 ? 'lattice-top' : `lattice-${l - 1}-1`, serial: (0x1500 + l * 16 + w).toString(16),
        bundle: 'lattice',
      }));
    }
  }
  out.push(leafDefaults({ name: 'lattice-leaf', issuer: `lattice-${LATTICE_LAYERS}-1`, serial: '15ff', bundle: 'lattice' }));

  // 100 self-issued certificates with one subject and one key: each verifies under every other.
  for (let i = 1; i <= SAME_SUBJECT_COUNT; i++) {
    out.push(caDefaults({
      name: `same-${String(i).padStart(3, '0')}`, key: 'same-subject', subject: cn('certcheck Same Subject CA'),
      issuer: 'same-001', serial: (0x1600 + i).toString(16), bundle: 'same-subject-100', noAki: true,
    }));
  }
  out.push(leafDefaults({ name: 'same-leaf', issuer: 'same-001', serial: '16ff', bundle: 'same-subject-100' }));

  // root-a → deep-01 → … → deep-11 → leaf-deep: 12 certificates sent, 13 with the root.
  for (let i = 1; i <= DEEP_INTERMEDIATES; i++) {
    const id = String(i).padStart(2, '0');
    out.push(caDefaults({
      name: `deep-${id}`, key: `deep-${id}`, subject: cn(`certcheck Deep ${id}`),
      issuer: i === 1 ? 'root-a' : `deep-${String(i - 1).padStart(2, '0')}`, serial: (0x1700 + i).toString(16),
    }));
  }
  out.push(leafDefaults({ name: 'leaf-deep', issuer: `deep-${DEEP_INTERMEDIATES}`, serial: '17ff' }));
  return out;
}

// Self-issued members of the same-subject set must name themselves as issuer; the builder only
// needs the issuer's subject and key, which every member shares.
export const PKI = [...base, ...generated()];

/** Multi-certificate files under certs/out/hostile/, in the order a server would send them. */
export const BUNDLES = {
  cycle: ['leaf-cycle', 'cycle-x', 'cycle-y'],
  lattice: ['lattice-leaf', ...range(LATTICE_LAYERS, 1).flatMap((l) => range(1, LATTICE_WIDTH).map((w) => `lattice-${l}-${w}`))],
  'same-subject-100': ['same-leaf', ...range(1, SAME_SUBJECT_COUNT).map((i) => `same-${String(i).padStart(3, '0')}`)],
  deep: ['leaf-deep', ...range(DEEP_INTERMEDIATES, 1).map((i) => `deep-${String(i).padStart(2, '0')}`)],
};

function range(from, to) {
  const out = [];
  const step = from <= to ? 1 : -1;
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) out.push(i);
  return out;
}
