/**
 * captureChain against loopback backends: the list exactly as sent (order kept, TLS 1.2 and 1.3),
 * the SNI choice, and backend failures reported as data, never thrown.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { captureChain } from '../../src/capture-chain.js';
import { CERTS_DIR, closedPort, startBackend, type BackendSpec, type RunningBackend } from '../../src/fixtures.js';
import { isInputError } from '../../src/model/errors.js';

const der = (name: string) => new Uint8Array(readFileSync(`${CERTS_DIR}out/pki/${name}.der`));
const running: RunningBackend[] = [];
async function backend(spec: BackendSpec): Promise<number> {
  const b = await startBackend(spec);
  running.push(b);
  return b.port;
}

afterAll(async () => { await Promise.all(running.map((b) => b.close())); });

describe('captureChain', () => {
  for (const tlsVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    test(`${tlsVersion}: the list as sent, in the order sent, wrong order included`, async () => {
      const port = await backend({ served: ['int-a', 'leaf-a'], tlsVersion });
      const c = await captureChain({ target: `127.0.0.1:${port}`, sni: 'backend.test', timeoutSeconds: 5 });
      expect(c.failure).toBeNull();
      expect(c.certificates.map((d) => Buffer.from(d).toString('hex'))).toEqual([der('int-a'), der('leaf-a')].map((d) => Buffer.from(d).toString('hex')));
      expect(c.sniSent).toBe('backend.test');
      expect(c.tls).toMatchObject({ ok: true, protocol: tlsVersion });
      expect(c.target).toEqual({ host: '127.0.0.1', port, address: '127.0.0.1' });
    });
  }

  test('SNI: the target\'s DNS name by default (via resolve), none for an IP target or with noSni', async () => {
    const port = await backend({ served: ['leaf-a', 'int-a'] });
    const byName = await captureChain({ target: `backend.test:${port}`, resolve: new Map([['backend.test', '127.0.0.1']]), timeoutSeconds: 5 });
    expect(byName.sniSent).toBe('backend.test');
    expect(byName.certificates).toHaveLength(2);
    const byIp = await captureChain({ target: `127.0.0.1:${port}`, timeoutSeconds: 5 });
    expect(byIp.sniSent).toBeNull();
    const none = await captureChain({ target: `backend.test:${port}`, resolve: new Map([['backend.test', '127.0.0.1']]), noSni: true, timeoutSeconds: 5 });
    expect(none.sniSent).toBeNull();
  });

  test('a closed port and a silent backend are failures in the result, with nothing captured', async () => {
    const closed = await captureChain({ target: `127.0.0.1:${await closedPort()}`, timeoutSeconds: 5 });
    expect(closed.certificates).toEqual([]);
    expect(closed.tls).toBeNull();
    expect(closed.failure).toMatchObject({ stage: 'tcp', kind: 'refused' });
    const silent = await captureChain({ target: `127.0.0.1:${await backend({ served: [], behaviour: 'silent' })}`, timeoutSeconds: 1 });
    expect(silent.certificates).toEqual([]);
    expect(silent.failure).toMatchObject({ stage: 'tls', kind: 'timeout' });
  });

  test('a malformed call throws an InputError', async () => {
    const e = await captureChain({ target: '127.0.0.1:443', timeoutSeconds: 0 }).catch((x: unknown) => x);
    expect(isInputError(e)).toBe(true);
  });
});
