/**
 * probeBackend against `openssl s_server`, an independent TLS peer, for the chain-shape scenarios
 * of certs/scenarios.mjs, over TLS 1.2 and 1.3. Three views of the wire must agree: the list we
 * told s_server to send, what `openssl s_client -showcerts` received, and report.chain.presented.
 * The verdict must be the one the scenario table expects.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { certPath, loadServed, scenarioByName, servedKeyPath } from '../../certs/scenarios.mjs';
import { fixturePem } from '../../src/fixtures.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';
import { probeBackend } from '../../src/probe.js';
import { showcerts, startSServer } from '../helpers/s_server.js';

const hex = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

/** Shape label → scenario (root-a uploaded, host backend.test). U is int-b, unrelated to chain A. */
const SHAPES: [label: string, scenario: string][] = [
  ['L', 'only-leaf-uploaded'],
  ['L,I', 'ok-li-uploaded'],
  ['L,I,R', 'ok-lir-uploaded'],
  ['I,L (server holds int-a\'s key)', 'leaf-not-first'],
  ['L,R,I', 'out-of-order'],
  ['L,I,I', 'duplicate-intermediate'],
  ['L,I,U', 'extra-unrelated'],
];

describe.each(['1.2', '1.3'] as const)('probe vs openssl s_server, TLS %s', (version) => {
  it.each(SHAPES)('%s (%s)', async (_label, name) => {
    const s = scenarioByName(name);
    expect(s.trust).toEqual({ mode: 'uploaded', roots: ['root-a'] });
    const served = loadServed(s);
    const [first, ...rest] = s.served;
    const srv = await startSServer({
      cert: certPath(first!), key: servedKeyPath(s), chain: rest.map((n) => fixturePem(n)), tls: version,
    });
    try {
      const [report, oracle] = await Promise.all([
        probeBackend({ target: `127.0.0.1:${srv.port}`, sni: 'backend.test', trustedRoots: [fixturePem('root-a')], at: new Date(s.at), timeoutSeconds: 5 }),
        showcerts(srv.port, 'backend.test', version),
      ]);
      const want = served.map((c) => hex(c.der));
      expect(oracle.map(hex), 'openssl s_client saw what s_server was told to send').toEqual(want);
      expect(report.chain?.presented.map((c) => c.sha256.replace(/:/g, '').toLowerCase())).toEqual(want);
      expect((report.tls as { protocol: string }).protocol).toBe(`TLSv${version}`);
      expect((report.tls as { sniSent: string | null }).sniSent).toBe('backend.test');

      expect(report.status).toBe(s.expect.status);
      expect(report.messageId).toBe(s.expect.message);
      if (s.expect.message === 'OK') {
        // s_server -www answers GET / with its status page.
        expect(report.message).toBe('Success. Received 200 status code');
      } else {
        expect(report.message).toBe(GATEWAY_MESSAGES[s.expect.message].text);
      }
      const codes = report.findings.map((f) => f.code);
      for (const c of [...s.expect.codes, ...s.expect.warnings]) expect(codes).toContain(c);
    } finally {
      await srv.stop();
    }
  });
});
