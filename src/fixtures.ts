import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

/**
 * Loopback backends built from the committed test PKI (certs/out, certs/keys). Used by
 * `certcheck demo` and by the integration tests, so the demo shows exactly what the tests check.
 * The keys are test-only and were generated for this repository.
 */
export const CERTS_DIR = fileURLToPath(new URL('../certs/', import.meta.url));

interface IndexEntry { key: string; pem?: string }
let index: Record<string, IndexEntry> | undefined;

function entry(name: string): IndexEntry {
  index ??= (JSON.parse(readFileSync(`${CERTS_DIR}out/pki/index.json`, 'utf8')) as { certificates: Record<string, IndexEntry> }).certificates;
  const e = index[name];
  if (!e) throw new Error(`no fixture certificate named ${name}`);
  return e;
}

export function fixturePem(name: string): string {
  return readFileSync(`${CERTS_DIR}out/pki/${name}.pem`, 'utf8');
}

export function fixtureKey(name: string): string {
  return readFileSync(`${CERTS_DIR}${entry(name).key.replace(/^certs\//, '')}`, 'utf8');
}

/** A loopback TLS backend built from the repository's test PKI: what it serves and how it answers. */
export interface BackendSpec {
  /** Certificates in the order the server sends them; the first one's key is used. */
  served: string[];
  /** HTTP behaviour once TLS is up. */
  status?: number;
  body?: string;
  /** 'silent': accept TCP and never answer. */
  behaviour?: 'normal' | 'silent';
  tlsVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface RunningBackend {
  port: number;
  close(): Promise<void>;
}

/** A TLS server on 127.0.0.1 that sends exactly `served`, then answers HTTP. */
export async function startBackend(spec: BackendSpec): Promise<RunningBackend> {
  const sockets = new Set<net.Socket>();
  let server: net.Server;
  if (spec.behaviour === 'silent') {
    server = net.createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); });
  } else {
    const [first, ...rest] = spec.served;
    const app = http.createServer((_req, res) => {
      res.writeHead(spec.status ?? 200, { 'content-type': 'text/plain', connection: 'close' });
      res.end(spec.body ?? 'ok\n');
    });
    server = tls.createServer({
      key: fixtureKey(first!),
      cert: [fixturePem(first!), ...rest.map(fixturePem)].join(''),
      ...(spec.tlsVersion ? { minVersion: spec.tlsVersion, maxVersion: spec.tlsVersion } : {}),
    }, (s) => { app.emit('connection', s); });
    server.on('tlsClientError', () => undefined);
    server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
