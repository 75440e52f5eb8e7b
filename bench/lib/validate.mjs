// Child process: in-process validation throughput (row 4). certcheck parses and judges the chain a
// backend sends (leaf-a, int-a) with root-a as the anchor, once against a store of the 144
// bundled Mozilla roots plus root-a and once against root-a alone; the baseline parses the same
// two certificates with node:crypto and checks both signatures (the anchor, like a store's, is
// parsed once). Rounds alternate the three loops, each bounded in time and count.
//
// argv: ROUNDS BATCH_MS. Prints one JSON line.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PKI, ROOT, median, spread } from './util.mjs';

const rounds = Math.max(1, Math.min(50, Number(process.argv[2] ?? 7)));
const batchMs = Math.max(20, Math.min(5000, Number(process.argv[3] ?? 250)));
const der = (n) => new Uint8Array(readFileSync(`${PKI}${n}.der`));
const [leafDer, intDer, rootDer] = ['leaf-a', 'int-a', 'root-a'].map(der);

const importStart = performance.now();
const { parseCertificate } = await import(`${ROOT}dist/x509/cert.js`);
const { makeStore, mozillaStore } = await import(`${ROOT}dist/x509/store.js`);
// The uncached judgement: judgeChain remembers (list, plan) answers for sweeps, which here would
// measure a map lookup, not a validation.
const { judgeChainUncached: judgeChain } = await import(`${ROOT}dist/checks/chain.js`);
const { makePlan } = await import(`${ROOT}dist/verify.js`);
const { parseHostRef } = await import(`${ROOT}dist/x509/names.js`);
const importMs = performance.now() - importStart;

const storeStart = performance.now();
const mozilla = mozillaStore();
const mozillaStoreMs = performance.now() - storeStart;
const rootA = parseCertificate(rootDer);
const fullStore = makeStore('mozilla', `bench: ${mozilla.anchors.length} bundled roots + root-a`, [...mozilla.anchors, rootA]);
const oneStore = makeStore('mozilla', 'bench: root-a only', [rootA]);

const { plan } = makePlan({
  sku: 'v2', profile: 'gateway', purpose: 'serverAuth', at: new Date(), host: parseHostRef('backend.test'),
  caStore: 'mozilla', validateChainAndExpiry: true, warnDays: 30,
});
const planWith = (store) => ({ ...plan, trust: { mode: 'wellknown', store } });
const fullPlan = planWith(fullStore);
const onePlan = planWith(oneStore);

const rootX = new X509Certificate(rootDer);
const variants = {
  full: () => judgeChain([leafDer, intDer], fullPlan),
  one: () => judgeChain([leafDer, intDer], onePlan),
  bare: () => {
    const leaf = new X509Certificate(leafDer);
    const int = new X509Certificate(intDer);
    return leaf.verify(int.publicKey) && int.verify(rootX.publicKey);
  },
};

// A fast loop over a broken chain proves nothing: every variant must accept the chain first.
const problems = [];
for (const [name, p] of [['full', fullPlan], ['one', onePlan]]) {
  const j = judgeChain([leafDer, intDer], p);
  const errs = j.findings.filter((f) => f.severity === 'error' || f.severity === 'unknown');
  if (!j.chain.pathValid || !j.chain.anchored || errs.length) {
    problems.push(`${name}: pathValid=${j.chain.pathValid} anchored=${j.chain.anchored} ${errs.map((f) => f.code).join(',')}`);
  }
}
if (!variants.bare()) problems.push('bare: signature check failed');

function batch(fn, ms) {
  const t0 = performance.now();
  let n = 0, now = t0;
  while (n < 5_000_000) {
    for (let k = 0; k < 8; k++) fn();
    n += 8;
    now = performance.now();
    if (now - t0 >= ms) break;
  }
  return (n / (now - t0)) * 1000;
}

const names = Object.keys(variants);
for (const n of names) batch(variants[n], Math.min(200, batchMs)); // JIT warm-up
const rates = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < names.length; k++) {
    const n = names[(r + k) % names.length];
    rates[n].push(batch(variants[n], batchMs));
  }
}
const sample = judgeChain([leafDer, intDer], fullPlan).chain.stats;
process.stdout.write(`${JSON.stringify({
  problems, importMs, mozillaStoreMs, anchors: { full: fullStore.anchors.length, one: oneStore.anchors.length },
  fullStats: sample,
  median: Object.fromEntries(names.map((n) => [n, median(rates[n])])),
  spread: Object.fromEntries(names.map((n) => [n, spread(rates[n])])),
})}\n`);
