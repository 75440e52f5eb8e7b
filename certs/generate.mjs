#!/usr/bin/env node
// `npm run certs`: build the test PKI in certs/pki.mjs into certs/out/{pki,hostile}/.
// Reruns are byte-identical: keys are generated once and reused, serials and dates are explicit,
// RSA PKCS#1 v1.5 and Ed25519 signatures are deterministic, and the few randomized signatures
// (ECDSA, RSA-PSS) are reused from the previous output when the signed bytes did not change.
// No network, no openssl subprocess.
//
// `node certs/generate.mjs --check` builds everything in memory and compares it with the files on
// disk without writing (exit 1 on any difference); it never creates keys.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as d from './der.mjs';
import { PKI, BUNDLES, keyType } from './pki.mjs';

const CERTS_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(CERTS_DIR);
const KEYS_DIR = path.join(CERTS_DIR, 'keys');
const OUT = path.join(CERTS_DIR, 'out');
const PKI_DIR = path.join(OUT, 'pki');
const HOSTILE_DIR = path.join(OUT, 'hostile');

const OIDS = {
  CN: '2.5.4.3', O: '2.5.4.10', OU: '2.5.4.11', C: '2.5.4.6',
  basicConstraints: '2.5.29.19', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14', authorityKeyIdentifier: '2.5.29.35', nameConstraints: '2.5.29.30',
  serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2', anyExtendedKeyUsage: '2.5.29.37.0',
  sha256WithRSA: '1.2.840.113549.1.1.11', sha384WithRSA: '1.2.840.113549.1.1.12', sha1WithRSA: '1.2.840.113549.1.1.5',
  md5WithRSA: '1.2.840.113549.1.1.4', rsassaPss: '1.2.840.113549.1.1.10', mgf1: '1.2.840.113549.1.1.8',
  sha256: '2.16.840.1.101.3.4.2.1', ecdsaSha256: '1.2.840.10045.4.3.2', ecdsaSha384: '1.2.840.10045.4.3.3',
  ed25519: '1.3.101.112',
};
const KU_BITS = { digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3, keyAgreement: 4, keyCertSign: 5, cRLSign: 6 };

// ---------- keys ----------

const CHECK = process.argv.includes('--check');
const keyCache = new Map();
let keysCreated = 0;

function loadKey(stem) {
  if (keyCache.has(stem)) return keyCache.get(stem);
  const file = path.join(KEYS_DIR, `${stem}.key.pem`);
  let privateKey;
  if (fs.existsSync(file)) {
    privateKey = crypto.createPrivateKey(fs.readFileSync(file));
  } else {
    if (CHECK) throw new Error(`--check: key ${stem} is missing (run npm run certs)`);
    const type = keyType(stem);
    const pair =
      type === 'rsa2048' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
        : type === 'rsa1024' ? crypto.generateKeyPairSync('rsa', { modulusLength: 1024 })
          : type === 'p256' ? crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
            : type === 'p384' ? crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
              : type === 'ed25519' ? crypto.generateKeyPairSync('ed25519')
                : null;
    if (!pair) throw new Error(`unknown key type ${type} for ${stem}`);
    privateKey = pair.privateKey;
    fs.mkdirSync(KEYS_DIR, { recursive: true });
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    keysCreated++;
  }
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  // SKI method 1 (RFC 5280 §4.2.1.2): SHA-1 of the subjectPublicKey BIT STRING contents.
  const [outer] = d.children(spki);
  const [, bits] = d.children(spki, outer.valueStart, outer.end);
  const ski = crypto.createHash('sha1').update(spki.subarray(bits.valueStart + 1, bits.end)).digest();
  const entry = { stem, privateKey, spki, ski, type: keyType(stem) };
  keyCache.set(stem, entry);
  return entry;
}

// ---------- encoding helpers ----------

function encodeName(attrs) {
  return d.seq(...attrs.map(([k, v]) => {
    const oid = OIDS[k];
    if (!oid) throw new Error(`unknown attribute ${k}`);
    return d.set(d.seq(d.oid(oid), k === 'C' ? d.printable(v) : d.utf8(v)));
  }));
}

function nameText(attrs) {
  const esc = (s) => s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [...attrs].reverse().map(([k, v]) => `${k}=${esc(v)}`).join(', ');
}

function encodeTime(spec) {
  const [kind, raw] = [spec.slice(0, 2), spec.slice(2)];
  if (kind === 'U:') return d.utctime(raw);
  if (kind === 'G:') return d.generalizedtime(raw);
  throw new Error(`bad time spec ${spec}`);
}

function ipBytes(text) {
  if (text.includes('.') && !text.includes(':')) return Buffer.from(text.split('.').map(Number));
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => { const b = Buffer.alloc(2); b.writeUInt16BE(parseInt(g, 16)); return b; }));
}

function generalName(spec) {
  const i = spec.indexOf(':');
  const [type, value] = [spec.slice(0, i), spec.slice(i + 1)];
  if (type === 'DNS') return d.implicit(2, Buffer.from(value, 'latin1'));
  if (type === 'IP') {
    const [addr, mask] = value.split('/');
    return d.implicit(7, mask ? Buffer.concat([ipBytes(addr), ipBytes(mask)]) : ipBytes(addr));
  }
  throw new Error(`unsupported GeneralName ${spec}`);
}

const ext = (oidText, critical, valueDer) =>
  d.seq(d.oid(oidText), ...(critical ? [d.bool(true)] : []), d.octet(valueDer));

function algId(sig) {
  switch (sig) {
    case 'sha256': return d.seq(d.oid(OIDS.sha256WithRSA), d.nul());
    case 'sha384': return d.seq(d.oid(OIDS.sha384WithRSA), d.nul());
    case 'sha1': return d.seq(d.oid(OIDS.sha1WithRSA), d.nul());
    case 'md5': return d.seq(d.oid(OIDS.md5WithRSA), d.nul());
    case 'pss': return d.seq(d.oid(OIDS.rsassaPss), d.seq(
      d.explicit(0, d.seq(d.oid(OIDS.sha256), d.nul())),
      d.explicit(1, d.seq(d.oid(OIDS.mgf1), d.seq(d.oid(OIDS.sha256), d.nul()))),
      d.explicit(2, d.int(32))));
    case 'ecdsa-sha256': return d.seq(d.oid(OIDS.ecdsaSha256));
    case 'ecdsa-sha384': return d.seq(d.oid(OIDS.ecdsaSha384));
    case 'ed25519': return d.seq(d.oid(OIDS.ed25519));
    default: throw new Error(`unknown signature algorithm ${sig}`);
  }
}

function defaultSig(issuerKeyType) {
  if (issuerKeyType.startsWith('rsa')) return 'sha256';
  if (issuerKeyType === 'p256') return 'ecdsa-sha256';
  if (issuerKeyType === 'p384') return 'ecdsa-sha384';
  if (issuerKeyType === 'ed25519') return 'ed25519';
  throw new Error(`no default signature for ${issuerKeyType}`);
}

function signBytes(sig, tbs, key) {
  switch (sig) {
    case 'sha256': case 'sha384': case 'sha1': case 'md5': return crypto.sign(sig, tbs, key);
    case 'pss': return crypto.sign('sha256', tbs, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'ecdsa-sha256': return crypto.sign('sha256', tbs, key);
    case 'ecdsa-sha384': return crypto.sign('sha384', tbs, key);
    case 'ed25519': return crypto.sign(null, tbs, key);
    default: throw new Error(`cannot sign with ${sig}`);
  }
}

function verifyBytes(sig, tbs, publicKey, signature) {
  switch (sig) {
    case 'pss': return crypto.verify('sha256', tbs, { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    case 'ecdsa-sha256': return crypto.verify('sha256', tbs, publicKey, signature);
    case 'ecdsa-sha384': return crypto.verify('sha384', tbs, publicKey, signature);
    default: return false;
  }
}
const RANDOMIZED = new Set(['pss', 'ecdsa-sha256', 'ecdsa-sha384']);

// ---------- certificate ----------

const byName = new Map(PKI.map((def) => [def.name, def]));

function extensions(def, subjectKey, issuerKey, selfSigned) {
  const list = [];
  if (def.ca === false) list.push(ext(OIDS.basicConstraints, false, d.seq()));
  else if (def.ca) {
    const inner = [d.bool(true)];
    if (def.ca.pathLen !== undefined) inner.push(d.int(def.ca.pathLen));
    list.push(ext(OIDS.basicConstraints, true, d.seq(...inner)));
  }
  if (def.ku) list.push(ext(OIDS.keyUsage, true, d.namedBits(def.ku.map((k) => KU_BITS[k]))));
  if (def.eku) list.push(ext(OIDS.extKeyUsage, false, d.seq(...def.eku.map((e) => d.oid(OIDS[e])))));
  if (def.san) {
    const names = def.san.map(generalName);
    list.push(ext(OIDS.subjectAltName, false, def.tamper === 'san-as-set' ? d.set(...names) : d.seq(...names)));
  }
  if (def.nc) {
    const subtrees = (specs) => specs.map((s) => d.seq(generalName(s)));
    const parts = [];
    if (def.nc.permitted?.length) parts.push(d.implicitConstructed(0, ...subtrees(def.nc.permitted)));
    if (def.nc.excluded?.length) parts.push(d.implicitConstructed(1, ...subtrees(def.nc.excluded)));
    list.push(ext(OIDS.nameConstraints, true, d.seq(...parts)));
  }
  if (!def.noSki) list.push(ext(OIDS.subjectKeyIdentifier, false, d.octet(subjectKey.ski)));
  if (!selfSigned && !def.noAki) list.push(ext(OIDS.authorityKeyIdentifier, false, d.seq(d.implicit(0, issuerKey.ski))));
  for (const x of def.extra ?? []) list.push(ext(x.oid, x.critical, Buffer.from(x.valueHex, 'hex')));
  return list;
}

function readPrevious(file) {
  try {
    const der = fs.readFileSync(file);
    const [cert] = d.children(der);
    const [tbs, alg, sig] = d.children(der, cert.valueStart, cert.end);
    return {
      tbs: der.subarray(tbs.start, tbs.end),
      alg: der.subarray(alg.start, alg.end),
      signature: der.subarray(sig.valueStart + 1, sig.end),
    };
  } catch {
    return null;
  }
}

function buildCert(def) {
  const selfSigned = def.issuer === 'self';
  const issuerDef = selfSigned ? def : byName.get(def.issuer);
  if (!issuerDef) throw new Error(`${def.name}: unknown issuer ${def.issuer}`);
  const subjectKey = loadKey(def.key);
  const issuerKey = loadKey(issuerDef.key);
  const sig = def.sig ?? defaultSig(issuerKey.type);
  const outerAlg = algId(sig);
  const innerAlg = def.tamper === 'inner-sigalg' ? algId('sha384') : outerAlg;

  const tbsParts = [];
  if ((def.version ?? 3) === 3) tbsParts.push(d.explicit(0, d.int(2)));
  tbsParts.push(
    d.int(def.serial),
    innerAlg,
    encodeName(issuerDef.subject),
    d.seq(encodeTime(def.notBefore), encodeTime(def.notAfter)),
    encodeName(def.subject),
    subjectKey.spki,
  );
  if ((def.version ?? 3) === 3) {
    const exts = extensions(def, subjectKey, issuerKey, selfSigned);
    if (exts.length) tbsParts.push(d.explicit(3, d.seq(...exts)));
  }
  const tbs = d.seq(...tbsParts);

  let signature = null;
  if (RANDOMIZED.has(sig)) {
    const prev = readPrevious(derPath(def));
    const publicKey = crypto.createPublicKey(issuerKey.privateKey);
    if (prev && prev.tbs.equals(tbs) && prev.alg.equals(outerAlg) && verifyBytes(sig, tbs, publicKey, prev.signature)) {
      signature = Buffer.from(prev.signature);
    }
  }
  signature ??= signBytes(sig, tbs, issuerKey.privateKey);
  if (def.tamper === 'flip-sig') signature[signature.length - 1] ^= 0x01;

  let der = d.seq(tbs, outerAlg, d.bitstring(signature));
  if (def.tamper === 'trailing') der = Buffer.concat([der, Buffer.from('deadbeef', 'hex')]);
  return { der, sig, issuerDef };
}

const derPath = (def) => path.join(PKI_DIR, `${def.name}.der`);

function pem(der) {
  const b64 = der.toString('base64').match(/.{1,64}/g).join('\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

const differences = [];

/** Write only when the bytes differ, so reruns touch nothing. */
function writeIfChanged(file, data) {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (fs.existsSync(file) && fs.readFileSync(file).equals(buf)) return false;
  if (CHECK) { differences.push(file); return true; }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buf);
  return true;
}

function main() {
  const started = performance.now();
  fs.mkdirSync(PKI_DIR, { recursive: true });
  fs.mkdirSync(HOSTILE_DIR, { recursive: true });
  const rel = (p) => path.relative(REPO, p).split(path.sep).join('/');
  const built = new Map();
  const index = {};
  const expected = new Set();
  let changed = 0;

  for (const def of PKI) {
    const { der, sig, issuerDef } = buildCert(def);
    built.set(def.name, der);
    const entry = {
      key: rel(path.join(KEYS_DIR, `${def.key}.key.pem`)),
      keyType: keyType(def.key),
      subject: nameText(def.subject),
      issuer: nameText(issuerDef.subject),
      issuerCert: def.issuer === 'self' ? def.name : def.issuer,
      serial: def.serial,
      notBefore: def.notBefore.slice(2),
      notAfter: def.notAfter.slice(2),
      signature: sig,
      sha256: crypto.createHash('sha256').update(der).digest('hex'),
    };
    if (def.bundle) {
      entry.bundle = rel(path.join(HOSTILE_DIR, `${def.bundle}.pem`));
      entry.position = BUNDLES[def.bundle].indexOf(def.name);
    } else {
      const pemFile = path.join(PKI_DIR, `${def.name}.pem`);
      entry.pem = rel(pemFile);
      entry.der = rel(derPath(def));
      changed += writeIfChanged(pemFile, pem(der));
      changed += writeIfChanged(derPath(def), der);
      expected.add(pemFile).add(derPath(def));
    }
    if (def.tamper) entry.tamper = def.tamper;
    if (def.notes) entry.notes = def.notes;
    index[def.name] = entry;
  }

  for (const [bundle, members] of Object.entries(BUNDLES)) {
    const file = path.join(HOSTILE_DIR, `${bundle}.pem`);
    changed += writeIfChanged(file, members.map((m) => {
      const der = built.get(m);
      if (!der) throw new Error(`bundle ${bundle}: unknown member ${m}`);
      return pem(der);
    }).join(''));
    expected.add(file);
  }

  const indexFile = path.join(PKI_DIR, 'index.json');
  changed += writeIfChanged(indexFile, JSON.stringify({ certificates: index, bundles: BUNDLES }, null, 2) + '\n');
  expected.add(indexFile);

  // Outputs of definitions that no longer exist would otherwise linger and mislead.
  let removed = 0;
  for (const dir of [PKI_DIR, HOSTILE_DIR]) {
    for (const f of fs.readdirSync(dir)) {
      const full = path.join(dir, f);
      if (expected.has(full)) continue;
      if (CHECK) differences.push(full);
      else fs.rmSync(full);
      removed++;
    }
  }

  const ms = Math.round(performance.now() - started);
  if (CHECK) {
    for (const f of differences) console.log(`differs: ${path.relative(REPO, f)}`);
    console.log(`certs --check: ${PKI.length} certificates; ${differences.length} file(s) differ; ${ms} ms`);
    process.exitCode = differences.length ? 1 : 0;
    return;
  }
  console.log(`certs: ${PKI.length} certificates, ${Object.keys(BUNDLES).length} bundles; ` +
    `${changed} files written, ${removed} removed, ${keysCreated} keys created; ${ms} ms`);
}

main();
