// runDemo, the demo's runner: loopback backends for the common reasons a probe fails, each probed
// as the gateway would (`certcheck demo`, `npm run demo`).
import { probeBackend, type ProbeOptions } from './probe.js';
import { closedPort, fixturePem, startBackend, type BackendSpec, type RunningBackend } from './fixtures.js';
import type { ProbeReport } from './model/report.js';

/** One demo case: a loopback backend (or a closed port) and the probe sent to it. */
export interface DemoCase {
  name: string;
  what: string;
  backend: BackendSpec | 'closed-port';
  probe: Omit<ProbeOptions, 'target'>;
}

const uploadedRootA = () => [fixturePem('root-a')];

/** The embedded default: one loopback backend per common reason for Unhealthy. */
export function demoCases(): DemoCase[] {
  const v2 = (extra: Partial<ProbeOptions> = {}) => ({ sni: 'backend.test', trustedRoots: uploadedRootA(), ...extra });
  return [
    { name: 'healthy', what: 'leaf + intermediate, root uploaded', backend: { served: ['leaf-a', 'int-a'] }, probe: v2() },
    { name: 'missing-intermediate', what: 'server sends only its leaf', backend: { served: ['leaf-a'] }, probe: v2() },
    { name: 'wrong-order', what: 'intermediate sent before the leaf', backend: { served: ['int-a', 'leaf-a'] }, probe: v2() },
    { name: 'expired', what: 'leaf expired in 2021', backend: { served: ['leaf-expired', 'int-a'] }, probe: v2() },
    { name: 'name-mismatch', what: 'certificate for other.test', backend: { served: ['leaf-wrongname', 'int-a'] }, probe: v2() },
    { name: 'untrusted-root', what: 'chain to another root, root sent', backend: { served: ['leaf-b', 'int-b', 'root-b'] }, probe: v2() },
    { name: 'root-not-uploaded', what: 'private CA, no root sent, nothing uploaded', backend: { served: ['leaf-a', 'int-a'] }, probe: { sni: 'backend.test' } },
    { name: 'default-probe-host', what: 'IP target without a host name: probe host 127.0.0.1', backend: { served: ['leaf-a', 'int-a'] }, probe: { trustedRoots: uploadedRootA() } },
    { name: 'wrong-status', what: 'health path answers 404', backend: { served: ['leaf-a', 'int-a'], status: 404 }, probe: v2({ path: '/health' }) },
    { name: 'body-mismatch', what: 'body lacks "status":"ok"', backend: { served: ['leaf-a', 'int-a'], body: '{"status":"degraded"}' }, probe: v2({ body: '"status":"ok"' }) },
    { name: 'port-closed', what: 'nothing listens on the port', backend: 'closed-port', probe: v2() },
    { name: 'silent', what: 'accepts TCP, never answers (2 s timeout)', backend: { served: [], behaviour: 'silent' }, probe: v2({ timeoutSeconds: 2 }) },
  ];
}

/** A demo case and the report its probe produced. */
export interface DemoResult { c: DemoCase; report: ProbeReport }

/** Start each case's loopback backend on 127.0.0.1, probe them all, and stop them. */
export async function runDemo(cases = demoCases()): Promise<DemoResult[]> {
  const running: RunningBackend[] = [];
  try {
    const ports: number[] = [];
    for (const c of cases) {
      if (c.backend === 'closed-port') { ports.push(await closedPort()); continue; }
      const b = await startBackend(c.backend);
      running.push(b);
      ports.push(b.port);
    }
    return await Promise.all(cases.map(async (c, i) => ({ c, report: await probeBackend({ ...c.probe, target: `127.0.0.1:${ports[i]}` }) })));
  } finally {
    await Promise.all(running.map((b) => b.close()));
  }
}
