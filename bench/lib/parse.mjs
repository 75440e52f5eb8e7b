// Child process: what parsing one certificate costs (row 4p, issue 19). The same DER certificates
// (the 144 bundled Mozilla roots, a realistic mix of RSA and EC) are decoded by certcheck's own
// parser, by @peculiar/x509 and pkijs (the field's standard libraries, which certcheck keeps as
// test oracles rather than at runtime), and by node:crypto's X509Certificate (OpenSSL underneath).
// Rounds alternate the four loops; each loop parses every certificate once. Prints one JSON line:
// the median microseconds per certificate for each.
//
// argv: ROUNDS. devDependencies must be installed (npm ci); a missing library is reported as null.
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { ROOT, median } from './util.mjs';

const rounds = Math.max(1, Math.min(50, Number(process.argv[2] ?? 5)));
const ders = rootCertificates.map((pem) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ''), 'base64')));
const { parseCertificate } = await import(`${ROOT}dist/x509/cert.js`);

const parsers = { certcheck: (d) => parseCertificate(d), nodeCrypto: (d) => new X509Certificate(d) };
try {
  await import('reflect-metadata');
  const px = await import('@peculiar/x509');
  // Touch the fields a report shows, so a lazily decoding library pays for them too.
  parsers.peculiar = (d) => { const c = new px.X509Certificate(d); return [c.subject, c.issuer, c.notAfter, c.extensions.length]; };
} catch { parsers.peculiar = null; }
try {
  const pkijs = await import('pkijs');
  parsers.pkijs = (d) => { const c = pkijs.Certificate.fromBER(d); return [c.subject.typesAndValues.length, c.notAfter.value, c.extensions?.length]; };
} catch { parsers.pkijs = null; }

const times = Object.fromEntries(Object.keys(parsers).map((k) => [k, []]));
for (let r = 0; r < rounds + 1; r++) {
  for (const [name, parse] of Object.entries(parsers)) {
    if (!parse) continue;
    const t0 = performance.now();
    for (const d of ders) parse(d);
    const us = ((performance.now() - t0) * 1000) / ders.length;
    if (r > 0) times[name].push(us); // round 0 warms the JIT
  }
}
const out = { certificates: ders.length, rounds, usPerCert: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.length ? median(v) : null])) };
process.stdout.write(`${JSON.stringify(out)}\n`);
