/**
 * Differential test: certcheck's accept/reject against `openssl verify` (OpenSSL 3.0, the gateway's
 * verifier) on the same served list, trust store, clock and host. Sources: the scenario table, the
 * table re-judged at other instants and hosts, and seeded byte-level mutations of healthy chains.
 * Healthy ⇔ openssl OK; certcheck Unknown counts as reject. Every disagreement fails unless it is
 * listed in DELIBERATE below (mirrored, with reasons, in certs/DIFFERENCES.md).
 *
 * Knobs (environment): CERTCHECK_DIFF_SEED=<n> another mutant seed (the failure message prints the
 * seed in use; allow-listed mutant ids belong to the default seed); CERTCHECK_DIFF_FULL=1 every
 * scenario at every instant and host; CERTCHECK_DIFF_VERBOSE=1 accept/reject counts per source;
 * CERTCHECK_DIFF_KEEP=1 keeps the per-case PEM files for a look with openssl.
 */
import { execFile } from 'node:child_process';
import { constants, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keyPathFor, loadCert, loadRoots, loadServed, scenarios, toPem, type Scenario } from '../../certs/scenarios.mjs';
import { verifyChain } from '../../src/verify.js';
import { PARITY_AT, parityCorpus } from '../oracles/parity-corpus.js';
import {
  appendGarbage, certLayout, editResigned, extensionValueOffset, flipAnywhere, flipSignature, flipTbsContent, flipTbsResigned,
  indexOfBytes, makeRng, resign, tbsFields, truncate, type Mutant, type Rng,
} from '../helpers/mutate.js';

const DEFAULT_SEED = 0x5eed_c3c4;
const SEED = process.env.CERTCHECK_DIFF_SEED ? Number(process.env.CERTCHECK_DIFF_SEED) : DEFAULT_SEED;
const OPENSSL_CONCURRENCY = 4;
/** CERTCHECK_DIFF_FULL=1: every scenario at every other instant and host (exploration, ~1000 chains). */
const FULL = process.env.CERTCHECK_DIFF_FULL === '1';

/** Other instants: before the CAs, CAs valid but leaves not yet, the last second of the leaves, leaves expired, all expired. */
const RETIMES = ['2019-06-01T00:00:00Z', '2024-01-01T00:00:00Z', '2034-12-31T23:59:59Z', '2036-01-01T00:00:00Z', '2046-01-01T00:00:00Z'];
const REHOSTS = ['www.backend.test', 'other.test', '127.0.0.1', '::1'];

type Verdict = 'accept' | 'reject';

interface DiffCase {
  id: string;
  source: 'scenario' | 'retime' | 'rehost' | 'directed' | 'mutant';
  served: Uint8Array[];
  roots: Uint8Array[];
  mode: 'uploaded' | 'wellknown';
  host: string;
  at: string;
}

interface Outcome {
  c: DiffCase;
  certcheck: Verdict;
  /** Healthy / Unhealthy / Unknown, or "threw: ..." */
  status: string;
  codes: string[];
  openssl: Verdict;
  opensslError: number | null;
  opensslOutput: string;
  ms: number;
}

// ---------- deliberate differences (keep in step with certs/DIFFERENCES.md) ----------

const WHY = {
  notAfterInclusive: 'RFC 5280 validity is inclusive (catalog 49); OpenSSL X509_cmp_time treats at == notAfter as expired',
  wildcardOverExcluded: 'a wildcard SAN that could cover an excluded subtree is rejected (catalog 31, CVE-2025-61727); OpenSSL 3.0 compares it literally',
  sanIpOnlyCnFallback: 'OpenSSL falls back to the CN when the SAN has no DNS entry; the gateway (RFC 6125) checks only the SAN when one exists',
  selfSignedLeafAsRoot: 'OpenSSL accepts a self-signed end-entity that is itself trusted; the gateway docs (TS-2024) say M8 for a non-CA self-signed certificate',
  intermediateInStore: 'OpenSSL completes the chain from its store; the gateway judges only what the backend sent (catalog 19)',
  depthBudget: 'certcheck caps path building at depth 10 and says Unknown; OpenSSL\'s default depth is 100 (the gateway depth is undocumented)',
} as const;

const DELIBERATE: Record<string, { certcheck: Verdict; reason: string }> = {
  'scenario:at-equals-notafter': { certcheck: 'accept', reason: WHY.notAfterInclusive },
  'scenario:nc-wildcard-over-excluded': { certcheck: 'reject', reason: WHY.wildcardOverExcluded },
  'scenario:san-ip-only-cn-host': { certcheck: 'reject', reason: WHY.sanIpOnlyCnFallback },
  'scenario:selfsigned-leaf-uploaded-itself': { certcheck: 'reject', reason: WHY.selfSignedLeafAsRoot },
  'scenario:only-leaf-int-in-store': { certcheck: 'reject', reason: WHY.intermediateInStore },
  'scenario:deep-chain': { certcheck: 'reject', reason: WHY.depthBudget },
};

/** A scenario's deliberate difference also covers its re-timed and re-hosted variants (same direction). */
function deliberateFor(id: string): { certcheck: Verdict; reason: string } | undefined {
  const base = /^(?:retime|rehost):(.+)@[^@]+$/.exec(id)?.[1];
  return DELIBERATE[id] ?? (base ? DELIBERATE[`scenario:${base}`] : undefined);
}

// ---------- case generation ----------

function scenarioCase(s: Scenario, source: DiffCase['source'], id: string, over: { at?: string; host?: string } = {}): DiffCase {
  return {
    id, source,
    served: loadServed(s).map((x) => new Uint8Array(x.der)),
    roots: loadRoots(s).map((x) => new Uint8Array(x.der)),
    mode: s.trust.mode, host: over.host ?? s.host, at: over.at ?? s.at,
  };
}

function tableCases(full = FULL): DiffCase[] {
  const out: DiffCase[] = [];
  const table = scenarios.filter((s) => s.trust.mode === 'uploaded' || s.trust.mode === 'wellknown');
  table.forEach((s, i) => {
    out.push(scenarioCase(s, 'scenario', `scenario:${s.name}`));
    // Rotate so each scenario gets two other instants and one other host, and each instant/host
    // is used by a fair share of the table.
    const ats = full ? RETIMES : [RETIMES[i % RETIMES.length]!, RETIMES[(i + 2) % RETIMES.length]!];
    for (const at of ats) {
      if (at !== s.at) out.push(scenarioCase(s, 'retime', `retime:${s.name}@${at.slice(0, 10)}`, { at }));
    }
    for (const host of full ? REHOSTS : [REHOSTS[i % REHOSTS.length]!]) {
      if (host !== s.host) out.push(scenarioCase(s, 'rehost', `rehost:${s.name}@${host}`, { host }));
    }
  });
  return out;
}

const der = (name: string): Uint8Array => new Uint8Array(loadCert(name));

/** Signs as `name` signs its children: RSA PKCS#1 v1.5 (or PSS, salt 32) / ECDSA with SHA-256, or Ed25519. */
function signerFor(name: string, pss = false): (tbs: Uint8Array) => Uint8Array {
  const key = createPrivateKey(readFileSync(keyPathFor(name)));
  const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return (tbs) => new Uint8Array(cryptoSign(alg, tbs, pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : key));
}

interface Base { name: string; leaf: string; int: string; root: string }
const BASES: Base[] = [
  { name: 'rsa', leaf: 'leaf-a', int: 'int-a', root: 'root-a' },
  { name: 'ecdsa', leaf: 'leaf-ec', int: 'int-ec', root: 'root-ec' },
  { name: 'ed25519', leaf: 'leaf-ed', int: 'int-ed', root: 'root-ed' },
  { name: 'pss', leaf: 'leaf-pss', int: 'int-a', root: 'root-a' },
];

function mutantCases(seed: number): DiffCase[] {
  const rng = makeRng(seed);
  const out: DiffCase[] = [];
  const at = '2030-06-01T00:00:00Z';
  const host = 'backend.test';
  const add = (id: string, served: Uint8Array[], roots: Uint8Array[], mode: DiffCase['mode'] = 'uploaded', h = host) =>
    out.push({ id: `mutant:${id}`, source: 'mutant', served, roots, mode, host: h, at });

  for (const b of BASES) {
    const leaf = der(b.leaf), int = der(b.int), root = der(b.root);
    const main = b.name === 'rsa';
    const n = (k: number) => (main ? k : Math.max(1, Math.round(k / 4)));
    const each = (label: string, count: number, fn: (r: Rng) => { served: Uint8Array[]; detail: string; roots?: Uint8Array[] }) => {
      for (let k = 0; k < count; k++) {
        const m = fn(rng);
        add(`${b.name}/${label}/${k}:${m.detail}`, m.served, m.roots ?? [root]);
      }
    };
    const on = (m: Mutant, build: (d: Uint8Array) => Uint8Array[]) => ({ served: build(m.der), detail: m.detail });
    each('leaf-sig', n(10), (r) => on(flipSignature(leaf, r), (d) => [d, int]));
    each('leaf-tbs', n(12), (r) => on(flipTbsContent(leaf, r), (d) => [d, int]));
    each('leaf-any', n(6), (r) => on(flipAnywhere(leaf, r), (d) => [d, int]));
    each('leaf-trunc', n(5), (r) => on(truncate(leaf, r), (d) => [d, int]));
    // Re-signed by the real issuer: the change reaches the parser and the path rules.
    const signLeaf = signerFor(b.int, b.name === 'pss'), signInt = signerFor(b.root);
    each('leaf-resigned', n(30), (r) => on(flipTbsResigned(leaf, r, signLeaf), (d) => [d, int]));
    each('leaf-ext-resigned', n(20), (r) => on(flipTbsResigned(leaf, r, signLeaf, 'extensions'), (d) => [d, int]));
    each('int-resigned', n(12), (r) => on(flipTbsResigned(int, r, signInt), (d) => [leaf, d]));
    each('int-sig', n(3), (r) => on(flipSignature(int, r), (d) => [leaf, d]));
    each('int-tbs', n(4), (r) => on(flipTbsContent(int, r), (d) => [leaf, d]));
    each('int-trunc', n(2), (r) => on(truncate(int, r), (d) => [leaf, d]));
    each('leaf-trailing', n(2), (r) => on(appendGarbage(leaf, r), (d) => [d, int]));
    // A trust anchor's own signature is never checked (by OpenSSL or by us): both must still accept.
    each('root-sig-in-store', n(2), (r) => { const m = flipSignature(root, r); return { served: [leaf, int], roots: [m.der], detail: m.detail }; });
    // The root sent with a broken self-signature: the stored anchor wins (trusted first).
    each('root-sig-sent', n(2), (r) => on(flipSignature(root, r), (d) => [leaf, int, d]));
    add(`${b.name}/drop-int`, [leaf], [root]);
    add(`${b.name}/dup-int`, [leaf, int, int], [root]);
    add(`${b.name}/swap`, [int, leaf], [root]);
    if (main) {
      add(`${b.name}/dup-leaf`, [leaf, leaf, int], [root]);
      add(`${b.name}/root-sent`, [leaf, int, root], [root]);
      add(`${b.name}/root-first-after-leaf`, [leaf, root, int], [root]);
      for (const extra of ['int-b', 'root-b', 'leaf-b', 'root-ec', 'int-a2', 'root-a-by-old']) add(`${b.name}/append-${extra}`, [leaf, int, der(extra)], [root]);
      add(`${b.name}/prepend-unrelated`, [der('leaf-b'), leaf, int], [root]);
      add(`${b.name}/wrong-root`, [leaf, int], [der('root-b')]);
      add(`${b.name}/wellknown`, [leaf, int], [root], 'wellknown');
    }
  }

  // Random compositions: the shape of the served list and of the store is what varies.
  const pool = ['int-a', 'int-a2', 'int-b', 'root-a', 'root-b', 'root-a-by-old', 'leaf-b', 'int-ec', 'root-old'];
  const storePool = ['root-a', 'root-b', 'root-old', 'root-ec'];
  for (let k = 0; k < 30; k++) {
    const names = Array.from({ length: rng.int(0, 3) }, () => rng.pick(pool));
    // Mostly keep the real issuer and anchor somewhere, or nearly every mix would be a plain reject.
    if (rng.next() < 0.75) names.splice(rng.int(0, names.length), 0, 'int-a');
    if (rng.next() < 0.85) names.unshift('leaf-a'); else names.splice(rng.int(0, names.length), 0, 'leaf-a');
    const roots = storePool.filter((r) => rng.next() < (r === 'root-a' ? 0.75 : 0.35));
    if (!roots.length) roots.push(rng.pick(storePool));
    const mode = rng.next() < 0.5 ? 'uploaded' : 'wellknown';
    const h = rng.pick(['backend.test', 'www.backend.test', 'other.test']);
    add(`mix/${k}:[${names.join(',')}]/${mode}(${roots.join(',')})@${h}`, names.map(der), roots.map(der), mode, h);
  }
  return out;
}

/** The OpenSSL-parity corpus (issue 14 item 1): name constraints and RFC 5280 structure, built in memory. */
function parityCases(): DiffCase[] {
  return parityCorpus().map((p) => ({ id: `directed:parity/${p.name}`, source: 'directed', served: [p.leaf.der, ...p.ints.map((i) => i.der)],
    roots: [p.root.der], mode: 'uploaded', host: p.host, at: PARITY_AT.toISOString() }));
}

/**
 * Hand-made, re-signed edits: one per parser/rule difference the random mutants turned up, so each
 * stays covered whatever the seed, plus controls that must still pass on both sides.
 */
function directedCases(): DiffCase[] {
  const out: DiffCase[] = [];
  const add = (id: string, served: Uint8Array[], root: string) =>
    out.push({ id: `directed:${id}`, source: 'directed', served, roots: [der(root)], mode: 'uploaded', host: 'backend.test', at: '2030-06-01T00:00:00Z' });
  const leafA = der('leaf-a'), intA = der('int-a'), signA = signerFor('int-a');
  const KU = [0x55, 0x1d, 0x0f], AKID = [0x55, 0x1d, 0x23], SAN = [0x55, 0x1d, 0x11];
  const rsaEncryption = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
  const { tbs } = certLayout(leafA);
  const leafEdit = (edit: (d: Uint8Array) => string | undefined): Uint8Array => editResigned(leafA, signA, edit).der;

  // Control: re-signing by itself changes nothing either judge cares about.
  add('resigned-unchanged', [resign(leafA, leafA.subarray(tbs.start, tbs.end), signA), intA], 'root-a');
  add('keyusage-unused-bits-set', [leafEdit((d) => {
    const v = extensionValueOffset(d, KU); // 03 02 05 a0: digitalSignature, keyEncipherment; 5 unused bits
    if (v < 0 || d[v + 3] !== 0xa0) return undefined;
    d[v + 3] = 0xa1; // a set bit among the unused ones: OpenSSL masks it off
    return 'KU 030205a1';
  }), intA], 'root-a');
  add('keyusage-no-bits', [leafEdit((d) => {
    const v = extensionValueOffset(d, KU);
    if (v < 0 || d[v + 3] !== 0xa0) return undefined;
    d[v + 3] = 0x00;
    return 'KU 03020500';
  }), intA], 'root-a');
  add('keyusage-only-unused-bits', [leafEdit((d) => {
    const v = extensionValueOffset(d, KU);
    if (v < 0 || d[v + 3] !== 0xa0) return undefined;
    d[v + 2] = 0x07; d[v + 3] = 0x71; // 7 unused bits: after masking nothing is left
    return 'KU 03020771';
  }), intA], 'root-a');
  add('subject-invalid-utf8', [leafEdit((d) => {
    const f = tbsFields(d).subject!;
    const i = indexOfBytes(d, [0x0c, 0x0e, ...Buffer.from('certcheck test')], f.valueStart, f.end);
    if (i < 0) return undefined;
    d[i + 2] = 0xc3; d[i + 3] = 0x28; // a lead byte followed by a non-continuation byte
    return 'subject O=UTF8String c3 28 ...';
  }), intA], 'root-a');
  add('akid-unknown-field', [leafEdit((d) => {
    const v = extensionValueOffset(d, AKID); // 30 16 80 14 <keyid>
    if (v < 0 || d[v + 2] !== 0x80) return undefined;
    d[v + 2] = 0x85; // [5] is not a field of AuthorityKeyIdentifier
    return 'AKID [0] -> [5]';
  }), intA], 'root-a');
  add('spki-unknown-key-algorithm', [leafEdit((d) => {
    const f = tbsFields(d).spki!;
    const i = indexOfBytes(d, rsaEncryption, f.valueStart, f.end);
    if (i < 0) return undefined;
    d[i + rsaEncryption.length - 1] = 0x7f; // 1.2.840.113549.1.1.127
    return 'SPKI algorithm 1.2.840.113549.1.1.127';
  }), intA], 'root-a');
  add('san-element-not-a-generalname', [leafEdit((d) => {
    const v = extensionValueOffset(d, SAN); // 30 20 82 0c backend.test 82 10 www.backend.test
    if (v < 0 || d[v + 2] !== 0x82) return undefined;
    const second = v + 4 + d[v + 3]!;
    if (d[second] !== 0x82) return undefined;
    d[second] = 0x16; // IA5String: a universal tag is not a GeneralName choice
    return 'SAN element 2: [2] -> IA5String';
  }), intA], 'root-a');
  const leafEd = der('leaf-ed');
  add('ed25519-key-bitstring-unused-bits', [editResigned(leafEd, signerFor('int-ed'), (d) => {
    const f = tbsFields(d).spki!;
    const bit = f.end - 33; // BIT STRING contents: unused-bits octet + 32 key bytes
    if (d[bit - 2] !== 0x03 || d[bit] !== 0x00) return undefined;
    d[bit] = 0x30; // more than 7 unused bits is not a BIT STRING
    return 'SPKI BIT STRING unused bits 0x30';
  }).der, der('int-ed')], 'root-ed');
  const leafEc = der('leaf-ec');
  add('ec-point-off-curve', [editResigned(leafEc, signerFor('int-ec'), (d) => {
    const f = tbsFields(d).spki!;
    d[f.end - 1] = d[f.end - 1]! ^ 0x01; // last byte of y: the point leaves the curve
    return 'EC point y ^ 1';
  }).der, der('int-ec')], 'root-ec');
  return out;
}

// ---------- the two judges ----------

async function runCertcheck(c: DiffCase): Promise<Pick<Outcome, 'certcheck' | 'status' | 'codes'>> {
  try {
    const r = await verifyChain({
      leaf: c.served[0]!, intermediates: c.served.slice(1),
      ...(c.mode === 'uploaded' ? { trustedRoots: c.roots } : { wellKnownRoots: c.roots }),
      host: c.host, at: new Date(c.at),
    });
    const codes = r.findings.filter((f) => f.severity === 'error' || f.severity === 'unknown').map((f) => f.code);
    return { certcheck: r.status === 'Healthy' ? 'accept' : 'reject', status: r.status, codes };
  } catch (e) {
    // An input certcheck refuses outright is a reject; the status string makes it visible.
    return { certcheck: 'reject', status: `threw: ${(e as Error).message}`, codes: [] };
  }
}

function execOpenssl(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, { timeout: 10_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

async function runOpenssl(c: DiffCase, dir: string): Promise<Pick<Outcome, 'openssl' | 'opensslError' | 'opensslOutput'>> {
  await mkdir(dir, { recursive: true });
  const leaf = path.join(dir, 'leaf.pem');
  const rest = path.join(dir, 'untrusted.pem');
  const ca = path.join(dir, 'roots.pem');
  await writeFile(leaf, toPem(c.served[0]!));
  await writeFile(ca, c.roots.map((d) => toPem(d)).join(''));
  const args = ['verify', '-auth_level', '1', '-purpose', 'sslserver',
    ...(net.isIP(c.host) ? ['-verify_ip', c.host] : ['-verify_hostname', c.host]),
    '-attime', String(Math.floor(Date.parse(c.at) / 1000)),
    '-no-CAfile', '-no-CApath', '-no-CAstore', '-CAfile', ca];
  if (c.served.length > 1) {
    await writeFile(rest, c.served.slice(1).map((d) => toPem(d)).join(''));
    args.push('-untrusted', rest);
  }
  args.push(leaf);
  const { code, output } = await execOpenssl(args);
  const m = /error (\d+) at \d+ depth lookup/.exec(output);
  const ok = code === 0 && /: OK\s*$/m.test(output);
  return { openssl: ok ? 'accept' : 'reject', opensslError: m ? Number(m[1]) : null, opensslOutput: output.trim() };
}

async function runAll(cases: DiffCase[], tmp: string): Promise<Outcome[]> {
  const out: Outcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < cases.length; i = next++) {
      const c = cases[i]!;
      const t0 = performance.now();
      const cc = await runCertcheck(c);
      const ms = performance.now() - t0;
      const os_ = await runOpenssl(c, path.join(tmp, `case-${i}`));
      out[i] = { c, ...cc, ...os_, ms };
    }
  };
  await Promise.all(Array.from({ length: OPENSSL_CONCURRENCY }, worker));
  return out;
}

function describeOutcome(o: Outcome): string {
  return `${o.c.id}\n    host=${o.c.host} at=${o.c.at} ${o.c.mode}\n    certcheck=${o.certcheck} (${o.status}${o.codes.length ? ` [${o.codes.join(',')}]` : ''})` +
    `\n    openssl=${o.openssl}${o.opensslError !== null ? ` (error ${o.opensslError})` : ''}: ${o.opensslOutput.split('\n').slice(0, 3).join(' | ')}`;
}

// ---------- the test ----------

describe('certcheck vs openssl verify (differential)', () => {
  let tmp = '';
  let outcomes: Outcome[] = [];
  let wallMs = 0;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'certcheck-diff-'));
    const cases = [...tableCases(), ...directedCases(), ...parityCases(), ...mutantCases(SEED)];
    const t0 = performance.now();
    outcomes = await runAll(cases, tmp);
    wallMs = performance.now() - t0;
    if (process.env.CERTCHECK_DIFF_VERBOSE === '1') {
      const cat = (id: string) => (/^(mutant:mix|mutant:[^/]+\/[^/:]+|[a-z]+)/.exec(id)?.[1] ?? id);
      const by = new Map<string, [number, number]>();
      for (const o of outcomes) { const k = cat(o.c.id); const v = by.get(k) ?? [0, 0]; v[o.openssl === 'accept' ? 0 : 1]++; by.set(k, v); }
      console.log([...by].map(([k, [a, r]]) => `${k} ${a}/${r}`).join('\n'));
    }
  }, 90_000);

  afterAll(() => {
    // CERTCHECK_DIFF_KEEP=1 keeps the per-case files (case-<n>/leaf.pem, untrusted.pem, roots.pem) for a look.
    if (process.env.CERTCHECK_DIFF_KEEP === '1') console.log(`case files kept in ${tmp}`);
    else if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  test('same accept/reject on every chain, apart from the listed deliberate differences', () => {
    const differ = outcomes.filter((o) => o.certcheck !== o.openssl);
    const deliberate = differ.filter((o) => deliberateFor(o.c.id)?.certcheck === o.certcheck);
    const real = differ.filter((o) => !deliberate.includes(o));
    const agree = outcomes.length - differ.length;
    console.log(`${outcomes.length} chains, ${agree} agree, ${deliberate.length} deliberate differences` +
      `${real.length ? `, ${real.length} DISAGREEMENTS` : ''} (seed ${SEED}, ${(wallMs / 1000).toFixed(1)} s)`);
    if (process.env.CERTCHECK_DIFF_VERBOSE === '1') console.log(`deliberate differences:\n${deliberate.map(describeOutcome).join('\n')}`);
    if (real.length) console.log(`seed ${SEED}: disagreements\n${real.map(describeOutcome).join('\n')}`);
    expect(real.map((o) => o.c.id), `seed ${SEED}: certcheck and openssl disagree:\n${real.map(describeOutcome).join('\n')}`).toEqual([]);
  });

  test('the run is big enough and exercises both verdicts', () => {
    expect(outcomes.length).toBeGreaterThanOrEqual(200);
    expect(outcomes.filter((o) => o.c.source === 'mutant').length).toBeGreaterThanOrEqual(60);
    // A broken harness (bad openssl arguments, unreadable files) would make one side all-reject.
    expect(outcomes.filter((o) => o.openssl === 'accept').length).toBeGreaterThanOrEqual(50);
    expect(outcomes.filter((o) => o.openssl === 'reject').length).toBeGreaterThanOrEqual(50);
  });

  test('a certificate certcheck cannot decode never comes out Healthy, and openssl rejects it too', () => {
    const undecodable = outcomes.filter((o) => o.codes.includes('MALFORMED_CERT'));
    expect(undecodable.length).toBeGreaterThan(0);
    for (const o of undecodable) {
      expect(o.status, describeOutcome(o)).not.toBe('Healthy');
      expect(o.openssl, describeOutcome(o)).toBe('reject');
    }
  });

  test('every deliberate difference still differs (no stale allow-list entries)', () => {
    // Entries may name chains only CERTCHECK_DIFF_FULL=1 generates; a typo matches nothing at all.
    const known = new Set([...tableCases(true), ...directedCases(), ...mutantCases(DEFAULT_SEED)].map((c) => c.id));
    const byId = new Map(outcomes.map((o) => [o.c.id, o]));
    for (const [id, entry] of Object.entries(DELIBERATE)) {
      expect(known.has(id), `allow-list entry ${id} matches no chain`).toBe(true);
      const o = byId.get(id);
      if (!o) continue; // not generated in this configuration (another seed, or not FULL)
      expect(o!.certcheck, `${id}: ${entry.reason}\n${describeOutcome(o!)}`).toBe(entry.certcheck);
      expect(o!.openssl, `${id} no longer differs; remove it from DELIBERATE and certs/DIFFERENCES.md\n${describeOutcome(o!)}`).not.toBe(entry.certcheck);
    }
  });

  test('mutants are reproducible from the seed', () => {
    const a = mutantCases(SEED), b = mutantCases(SEED);
    expect(a.map((c) => c.id)).toEqual(b.map((c) => c.id));
    // ECDSA and RSA-PSS signatures are randomized: compare what was signed, not the signature.
    const signed = (d: Uint8Array): Buffer => {
      try { const { tbs } = certLayout(d); return Buffer.from(d.subarray(tbs.start, tbs.end)); } catch { return Buffer.from(d); }
    };
    const same = (x: DiffCase, y: DiffCase) => x.served.length === y.served.length && x.served.every((d, j) => signed(d).equals(signed(y.served[j]!)));
    expect(a.filter((c, i) => !same(c, b[i]!)).map((c) => c.id)).toEqual([]);
  });
});
