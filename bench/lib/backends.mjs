// Child process: one TLS + HTTP backend reachable on N loopback ports (leaf-a + int-a, RSA-2048,
// as served by the project's fixtures). Started with fork() so it has its own event loop and
// cores to fight for, like a real backend. It counts what it served, which gives the parent a
// progress figure for any client, even one that is killed before it reports.
//
// argv: PORTS. IPC: sends {type:'ready', ports}; answers {cmd:'stats'} with {type:'stats', ...}.
// Exits when the parent disconnects, so it cannot outlive the benchmark.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { PKI, ROOT, vmHwmKb } from './util.mjs';

const count = Math.max(1, Math.min(2000, Number(process.argv[2] ?? 1)));
const index = JSON.parse(readFileSync(`${PKI}index.json`, 'utf8')).certificates;
const key = readFileSync(`${ROOT}${index['leaf-a'].key}`, 'utf8');
const cert = readFileSync(`${PKI}leaf-a.pem`, 'utf8') + readFileSync(`${PKI}int-a.pem`, 'utf8');

const stats = { handshakes: 0, requests: 0, tlsErrors: 0, connections: 0 };
const app = http.createServer({ keepAliveTimeout: 1000 }, (_req, res) => {
  stats.requests++;
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
  res.end('ok\n');
});
// One TLS server (one SSL_CTX) behind all the ports: the listeners only hand sockets over.
const tlsServer = tls.createServer({ key, cert }, (s) => {
  stats.handshakes++;
  s.on('error', () => undefined);
  app.emit('connection', s);
});
tlsServer.on('tlsClientError', () => { stats.tlsErrors++; });

const listeners = [];
for (let i = 0; i < count; i++) {
  const srv = net.createServer((sock) => {
    stats.connections++;
    sock.on('error', () => undefined);
    tlsServer.emit('connection', sock);
  });
  listeners.push(new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () => resolve(srv.address().port));
  }));
}
const ports = await Promise.all(listeners);

process.on('message', (m) => {
  if (m?.cmd === 'stats') process.send({ type: 'stats', ...stats, hwmKb: vmHwmKb() });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', ports });
