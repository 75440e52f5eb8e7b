/**
 * The SNI goes out exactly as configured (issue 15 item 4): case, a trailing dot and U-labels are
 * not rewritten. Node's tls.connect sends the servername bytes unchanged (measured); the ClientHello
 * tap reports what was on the wire and the loopback server sees the same name.
 */
import { readFileSync } from 'node:fs';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureChain } from '../../src/capture-chain.js';

let server: tls.Server;
let port = 0;
const seen: (string | false | null)[] = [];

beforeAll(async () => {
  server = tls.createServer({ key: readFileSync('certs/keys/leaf-a.key.pem'), cert: readFileSync('certs/out/pki/leaf-a.pem') }, (s) => {
    seen.push(s.servername);
    s.on('error', () => {});
    s.end();
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('captureChain sends the SNI as configured', () => {
  for (const sni of ['WWW.Backend.TEST', 'www.backend.test.', 'xn--bcher-kva.example']) {
    it(`--sni ${sni}`, async () => {
      seen.length = 0;
      const c = await captureChain({ target: `127.0.0.1:${port}`, sni, timeoutSeconds: 5 });
      expect(c.failure).toBeNull();
      expect(c.sniSent).toBe(sni);
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      // OpenSSL on the server side hands the name over as sent.
      expect(seen).toEqual([sni]);
    });
  }
});
