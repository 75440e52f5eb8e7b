// Child process: the sweep driven in-process through the library (probeBackend) with a plain pool
// of N workers. Used only while the CLI has no `targets` command; the benchmark says so in its
// output. Each probe is what `certcheck HOST:PORT --sni NAME --trusted-root root-a.pem` does.
//
// argv: TARGETS_FILE CONCURRENCY DEADLINE_MS ROOT_PEM. Prints one JSON line shaped like the CLI's
// `targets --format json` summary.
import { readFileSync } from 'node:fs';
import { ROOT, vmHwmKb } from './util.mjs';

const { probeBackend } = await import(`${ROOT}dist/index.js`);
const { parseCertificate } = await import(`${ROOT}dist/x509/cert.js`);

const [file, concArg, deadlineArg, rootPem] = process.argv.slice(2);
const targets = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/));
const concurrency = Math.max(1, Math.min(1024, Number(concArg)));
const deadline = Date.now() + Math.max(1000, Number(deadlineArg));
// Parsed once, as the CLI's loadAnchors does, not once per probe.
const der = Buffer.from(readFileSync(rootPem, 'utf8').replace(/-----[^-]+-----|\s+/g, ''), 'base64');
const trustedRoots = [parseCertificate(new Uint8Array(der))];

const counts = { total: targets.length, healthy: 0, unhealthy: 0, unknown: 0 };
const firstProblem = [];
let next = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, async () => {
  while (next < targets.length && Date.now() < deadline) {
    const [target, sni] = targets[next++];
    try {
      const r = await probeBackend({ target, sni, trustedRoots, timeoutSeconds: 10 });
      if (r.status === 'Healthy') counts.healthy++;
      else {
        if (r.status === 'Unhealthy') counts.unhealthy++; else counts.unknown++;
        if (firstProblem.length < 3) firstProblem.push(r.message);
      }
    } catch (e) {
      counts.unknown++;
      if (firstProblem.length < 3) firstProblem.push(String(e?.message ?? e));
    }
  }
}));
const elapsedMs = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ summary: { ...counts, elapsedMs, concurrency }, done: next, capped: next < targets.length, problems: firstProblem, hwmKb: vmHwmKb() })}\n`);
