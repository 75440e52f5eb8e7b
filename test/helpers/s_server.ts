/**
 * `openssl s_server` as an independent TLS peer for integration tests, and `openssl s_client
 * -showcerts` as the oracle for what such a peer sends. Every server started here is killed in
 * `stop()`, which resolves only once the process and its stdio pipes are gone.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SServerOptions {
  /** PEM file of the certificate sent first. */
  cert: string;
  /** PEM private key matching `cert`. */
  key: string;
  /** PEM certificates sent after `cert`, in this order (`-cert_chain`); omit to send `cert` alone. */
  chain?: string[];
  tls?: '1.2' | '1.3';
  /** Milliseconds to wait for ACCEPT. */
  startTimeoutMs?: number;
}

export interface SServer {
  port: number;
  /** Everything s_server wrote to stderr so far (diagnostics for a failing test). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resolves when a TCP connect to the port succeeds, false after `ms`. */
async function accepts(port: number, ms: number, alive: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && alive()) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => { s.destroy(); resolve(false); });
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/**
 * Start `openssl s_server -www` on 127.0.0.1 with exactly `cert` + `chain` as the certificate
 * list. The chain goes through a temp file because -cert_chain takes one file; no CA store is
 * loaded so openssl cannot add or reorder anything. Retries on a port race (another process took
 * the free port between our probe and openssl's bind).
 */
export async function startSServer(o: SServerOptions): Promise<SServer> {
  const dir = mkdtempSync(join(tmpdir(), 'certcheck-sserver-'));
  let chainFile: string | undefined;
  if (o.chain?.length) {
    chainFile = join(dir, 'chain.pem');
    writeFileSync(chainFile, o.chain.join(''));
  }
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const args = ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', o.cert, '-key', o.key,
        ...(chainFile ? ['-cert_chain', chainFile] : []),
        '-no-CAfile', '-no-CApath', '-no-CAstore', '-www', '-quiet',
        ...(o.tls === '1.2' ? ['-tls1_2'] : o.tls === '1.3' ? ['-tls1_3'] : [])];
      const proc: ChildProcess = spawn('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
      proc.on('error', (e) => { err += String(e); });
      // 'close' also waits for the stdio pipes, so no handle outlives stop().
      const closed = new Promise<void>((r) => proc.once('close', () => r()));
      const alive = () => proc.exitCode === null && proc.signalCode === null;
      let stopped: Promise<void> | undefined;
      const stop = (): Promise<void> => {
        stopped ??= (async () => {
          if (alive()) proc.kill('SIGTERM');
          const t = setTimeout(() => { if (alive()) proc.kill('SIGKILL'); }, 2000);
          await closed;
          clearTimeout(t);
        })();
        return stopped;
      };
      if (await accepts(port, o.startTimeoutMs ?? 10_000, alive)) {
        return { port, stderr: () => err, stop: async () => { await stop(); cleanupDir(); } };
      }
      await stop();
      if (!/in use|bind/i.test(err)) throw new Error(`s_server did not start: ${err.trim() || 'no output'}`);
    }
    throw new Error('s_server: no free port after 3 attempts');
  } catch (e) {
    cleanupDir();
    throw e;
  }
}

/** DER of every CERTIFICATE block in `text`, in order. */
export function pemBlocks(text: string): Buffer[] {
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)]
    .map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

/** What `openssl s_client -showcerts` received from 127.0.0.1:port, as DER in wire order. */
export function showcerts(port: number, servername = 'backend.test', tlsVersion?: '1.2' | '1.3'): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-showcerts', '-servername', servername,
        ...(tlsVersion === '1.2' ? ['-tls1_2'] : tlsVersion === '1.3' ? ['-tls1_3'] : [])],
      { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout) => {
        const certs = pemBlocks(stdout);
        if (certs.length === 0) reject(err ?? new Error('s_client printed no certificates'));
        else resolve(certs);
      });
    child.stdin?.end();
  });
}
