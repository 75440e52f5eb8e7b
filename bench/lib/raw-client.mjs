// Child process: the raw Node handshake rate, the ceiling a sweep is compared with. Capture mode
// (perf-notes §6): one shared SecureContext with no trust anchors, so OpenSSL's verification fails
// fast and Node skips getPeerCertificate(true) + checkServerIdentity. The socket is ended (not
// destroyed) once the handshake completes, so the server finishes its side too, as it does for a
// probe; a slot is free again when the socket has closed. Same targets and concurrency as the sweep.
//
// argv: TARGETS_FILE CONCURRENCY DEADLINE_MS. Prints one JSON line.
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { vmHwmKb } from './util.mjs';

const [file, concArg, deadlineArg] = process.argv.slice(2);
const targets = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
  const [hp, sni] = l.trim().split(/\s+/);
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)), sni };
});
const concurrency = Math.max(1, Math.min(4096, Number(concArg)));
const deadline = Date.now() + Math.max(1000, Number(deadlineArg));
const secureContext = tls.createSecureContext({ ca: [] });

let next = 0, ok = 0, failed = 0;
const errors = new Map();
function one(t) {
  return new Promise((resolve) => {
    const s = tls.connect({ host: t.host, port: t.port, servername: t.sni, secureContext, rejectUnauthorized: false });
    const timer = setTimeout(() => { s.destroy(new Error('handshake timeout')); }, 10_000);
    let done = false;
    s.once('secureConnect', () => { done = true; ok++; s.end(); });
    s.on('error', (e) => {
      if (done) return; // after the handshake (a reset while closing) it still counts
      done = true; failed++;
      errors.set(e.code ?? e.message, (errors.get(e.code ?? e.message) ?? 0) + 1);
    });
    s.once('close', () => { clearTimeout(timer); resolve(); });
  });
}
const t0 = performance.now();
await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, async () => {
  while (next < targets.length && Date.now() < deadline) await one(targets[next++]);
}));
const elapsedMs = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ total: targets.length, done: ok + failed, ok, failed, errors: Object.fromEntries(errors), elapsedMs, capped: next < targets.length, hwmKb: vmHwmKb() })}\n`);
