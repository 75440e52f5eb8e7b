/**
 * certcheck rotate against loopback backends: the prediction for a new certificate, compared with
 * what the backend serves today, and checked against reality by installing the new certificate on
 * a second loopback server and probing it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CERTS_DIR, fixtureKey, fixturePem, startBackend, type RunningBackend } from '../../src/fixtures.js';
import { GATEWAY_MESSAGES } from '../../src/model/messages.js';
import type { VerifyReport } from '../../src/model/report.js';
import { probeBackend } from '../../src/probe.js';
import type { RotationInfo } from '../../src/rotate.js';
import { assertValidReport } from '../helpers/report-schema.js';
import { runCli } from '../helpers/ci-cli.js';

const PKI = `${CERTS_DIR}out/pki`;
const KEYS = `${CERTS_DIR}keys`;
const PASS = 'rotate-test-pass';
const A3 = 'CN=certcheck Test Intermediate A3, O=certcheck test';
const soon = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');

let dir: string;
let today: RunningBackend;
const servers: { close(): Promise<void> }[] = [];
const f = (name: string) => join(dir, name);

function ossl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
}

/** A TLS server on 127.0.0.1 that sends exactly this PEM list with this key, then answers 200. */
async function serve(certPem: string, keyPem: string): Promise<number> {
  const sockets = new Set<net.Socket>();
  const app = http.createServer((_q, res) => { res.writeHead(200, { connection: 'close' }); res.end('ok\n'); });
  const server = tls.createServer({ key: keyPem, cert: certPem }, (s) => { app.emit('connection', s); });
  server.on('tlsClientError', () => undefined);
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r, j) => { server.once('error', j); server.listen(0, '127.0.0.1', () => r()); });
  servers.push({ close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) });
  return (server.address() as net.AddressInfo).port;
}

async function rotate(args: string[], env: Record<string, string> = {}): Promise<{ code: number; report: VerifyReport; rotation: RotationInfo; stderr: string }> {
  const r = await runCli(['rotate', ...args, '--format', 'json'], env);
  if (r.code === 2) throw new Error(`rotate failed: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as VerifyReport;
  assertValidReport(report, `rotate ${args[0]}`);
  return { code: r.code, report, rotation: report.rotation as RotationInfo, stderr: r.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'certcheck-rotate-'));
  // A new intermediate under the unchanged Root A (its committed test key), and a new leaf + key under it.
  writeFileSync(f('ca.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  writeFileSync(f('leaf.ext'), 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:backend.test\nauthorityKeyIdentifier=keyid\n');
  ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'a3.key']);
  ossl(['req', '-new', '-key', 'a3.key', '-subj', '/O=certcheck test/CN=certcheck Test Intermediate A3', '-out', 'a3.csr']);
  ossl(['x509', '-req', '-in', 'a3.csr', '-CA', `${PKI}/root-a.pem`, '-CAkey', `${KEYS}/root-a.key.pem`, '-set_serial', '0x7a01', '-days', '3650', '-sha256', '-extfile', 'ca.ext', '-out', 'a3.pem']);
  ossl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'new.key']);
  ossl(['req', '-new', '-key', 'new.key', '-subj', '/O=certcheck test/CN=backend.test', '-out', 'new.csr']);
  ossl(['x509', '-req', '-in', 'new.csr', '-CA', 'a3.pem', '-CAkey', 'a3.key', '-set_serial', '0x7a02', '-days', '397', '-sha256', '-extfile', 'leaf.ext', '-out', 'new.pem']);
  // The PFX lists the root before the intermediate: a PFX's order means nothing.
  writeFileSync(f('cas.pem'), fixturePem('root-a') + readFileSync(f('a3.pem'), 'utf8'));
  ossl(['pkcs12', '-export', '-inkey', 'new.key', '-in', 'new.pem', '-certfile', 'cas.pem', '-passout', `pass:${PASS}`, '-out', 'new.pfx']);
  writeFileSync(f('new-chain.pem'), readFileSync(f('new.pem'), 'utf8') + readFileSync(f('a3.pem'), 'utf8'));
  // Under Root B, which the gateway does not have: without and with the root in the file.
  writeFileSync(f('b-chain.pem'), fixturePem('leaf-b') + fixturePem('int-b'));
  writeFileSync(f('b-chain-root.pem'), fixturePem('leaf-b') + fixturePem('int-b') + fixturePem('root-b'));
  writeFileSync(f('a-wrong-key.pem'), fixturePem('leaf-a') + fixturePem('int-a') + fixtureKey('leaf-b'));
  today = await startBackend({ served: ['leaf-a', 'int-a'] });
}, 60_000);

afterAll(async () => {
  await today?.close();
  for (const s of servers) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rotate: new intermediate, same root', () => {
  test('predicts Healthy, sees the new intermediate and the unchanged root, and the prediction holds', async () => {
    const { code, report, rotation } = await rotate([f('new.pfx'), '--password-env', 'PFX_PASS', '--backend', `127.0.0.1:${today.port}`,
      '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--at', soon], { PFX_PASS: PASS });
    expect(code).toBe(0);
    expect(report.status).toBe('Healthy');
    expect(rotation.keyCheck).toBe('match');
    expect(rotation.servedOrder).toBe('issuer-order');
    expect(rotation.served.map((c) => c.subject)).toEqual(['CN=backend.test, O=certcheck test', A3, 'CN=certcheck Test Root A, O=certcheck test']);
    expect(rotation.current).toMatchObject({ status: 'Healthy', root: { subject: 'CN=certcheck Test Root A, O=certcheck test' } });
    expect(rotation.comparison).toEqual({ sameRoot: true, newIntermediates: [A3], removedIntermediates: ['CN=certcheck Test Intermediate A, O=certcheck test'], newRoot: null, sameLeafKey: false });
    expect(rotation.rootToUpload).toBeNull();
    expect(rotation.steps.map((s) => s.where)).toEqual(['backend', 'check']);
    expect(rotation.steps[0]!.action).toContain('(checked: it matches the leaf)');
    expect(rotation.steps[0]!.action).toContain(`1) CN=backend.test, O=certcheck test, 2) ${A3}`);

    // Reality: serve the new chain and probe it as the gateway would.
    const port = await serve(readFileSync(f('new-chain.pem'), 'utf8'), readFileSync(f('new.key'), 'utf8'));
    const after = await probeBackend({ target: `127.0.0.1:${port}`, sni: 'backend.test', trustedRoots: [fixturePem('root-a')], timeoutSeconds: 5 });
    expect(after.status).toBe('Healthy');
  });
});

describe('rotate: a root the gateway does not have', () => {
  test('root in the chain: predicts M13, says to upload Root B first, and Healthy after that', async () => {
    const { code, report, rotation } = await rotate([f('b-chain-root.pem'), '--key', `${KEYS}/leaf-b.key.pem`, '--backend', `127.0.0.1:${today.port}`,
      '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`]);
    expect(code).toBe(1);
    expect(report.messageId).toBe('M13');
    expect(report.message).toBe(GATEWAY_MESSAGES.M13.text);
    const rootB = readFileSync(`${PKI}/root-b.der`);
    const { createHash } = await import('node:crypto');
    expect(rotation.rootToUpload).toEqual({ subject: 'CN=certcheck Test Root B, O=certcheck test', sha256: createHash('sha256').update(rootB).digest('hex'), available: true });
    expect(rotation.afterUpload).toMatchObject({ status: 'Healthy' });
    expect(rotation.comparison).toMatchObject({ sameRoot: false, newRoot: 'CN=certcheck Test Root B, O=certcheck test' });
    expect(rotation.steps[0]!.where).toBe('gateway');
    expect(rotation.steps[0]!.action).toMatch(/^Upload the new root "CN=certcheck Test Root B, O=certcheck test" \(sha256 [0-9a-f]{16}…\) to the backend setting.s trusted root certificates\. Write it as a \.cer with: certcheck export-root .*Keep the current root "CN=certcheck Test Root A, O=certcheck test" uploaded/);
    expect(rotation.steps.map((s) => s.where)).toEqual(['gateway', 'backend', 'check', 'gateway']);

    // Reality: the same chain served today would get exactly that message.
    const port = await serve(readFileSync(f('b-chain-root.pem'), 'utf8'), fixtureKey('leaf-b'));
    const actual = await probeBackend({ target: `127.0.0.1:${port}`, sni: 'backend.test', trustedRoots: [fixturePem('root-a')], timeoutSeconds: 5 });
    expect(actual.messageId).toBe('M13');
    const uploaded = await probeBackend({ target: `127.0.0.1:${port}`, sni: 'backend.test', trustedRoots: [fixturePem('root-a'), fixturePem('root-b')], timeoutSeconds: 5 });
    expect(uploaded.status).toBe(rotation.afterUpload!.status);
  });

  test('root not in the chain: predicts M12 and names the root to get from the CA', async () => {
    const { code, report, rotation } = await rotate([f('b-chain.pem'), '--key', `${KEYS}/leaf-b.key.pem`, '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`]);
    expect(code).toBe(1);
    expect(report.messageId).toBe('M12');
    expect(rotation.current).toBeNull();
    expect(rotation.rootToUpload).toEqual({ subject: 'CN=certcheck Test Root B, O=certcheck test', sha256: null, available: false });
    expect(rotation.afterUpload).toBeNull();
    expect(rotation.steps[0]).toMatchObject({ order: 1, where: 'gateway' });
    expect(rotation.steps[0]!.action).toMatch(/named "CN=certcheck Test Root B, O=certcheck test" to the backend setting's trusted root certificates\. It is not in .*b-chain\.pem: get it from the CA\./);
  });

  test('well-known mode: a private root means switching the setting and keeping today\'s root', async () => {
    const { report, rotation } = await rotate([f('b-chain-root.pem'), '--key', `${KEYS}/leaf-b.key.pem`, '--backend', `127.0.0.1:${today.port}`, '--sni', 'backend.test']);
    expect(report.messageId).toBe('M10');
    expect(rotation.current?.status).toBe('Unhealthy'); // today's private Root A is not well known either
    expect(rotation.steps[0]!.action).toContain('set "Use well known CA certificate" to No and upload the new root "CN=certcheck Test Root B, O=certcheck test"');
  });
});

describe('rotate: inputs and other predictions', () => {
  test('a key that does not match the leaf is an input error', async () => {
    for (const args of [[f('a-wrong-key.pem')], [f('new-chain.pem'), '--key', `${KEYS}/leaf-b.key.pem`]]) {
      const r = await runCli(['rotate', ...args, '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/the private key does not match the leaf certificate "CN=backend.test, O=certcheck test"/);
      expect(r.stderr).not.toMatch(/PRIVATE KEY|MII/);
    }
  });

  test('validity at the cut-over time and --min-days', async () => {
    const base = [f('new-chain.pem'), '--key', f('new.key'), '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`];
    const expiredAt = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const late = await rotate([...base, '--at', expiredAt]);
    expect(late.report.messageId).toBe('M7');
    expect(late.rotation.steps[0]!.action).toMatch(/^Do not install .*CERT_EXPIRED/);
    const thin = await rotate([...base, '--at', soon, '--min-days', '395']);
    // Healthy as the gateway sees it; --min-days is certcheck's policy: exit 4.
    expect(thin.code).toBe(4);
    expect(thin.report.status).toBe('Healthy');
    expect(thin.report.policy.failures[0]).toMatchObject({ check: 'min-days', code: 'CERT_EXPIRES_SOON', threshold: 395, certIndex: 0 });
    const ok = await rotate([...base, '--at', soon, '--min-days', '300']);
    expect(ok.code).toBe(0);
    expect(ok.rotation.servedOrder).toBe('as-given');
  });

  test('the name is checked against --sni; no --sni and no backend name is an input error', async () => {
    const { report } = await rotate([f('new-chain.pem'), '--key', f('new.key'), '--sni', 'other.test', '--trusted-root', `${PKI}/root-a.pem`]);
    expect(report.messageId).toBe('M6');
    const r = await runCli(['rotate', f('new-chain.pem'), '--trusted-root', `${PKI}/root-a.pem`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sni NAME is required');
  });

  test('an incomplete new chain says to complete it; text and github formats carry the steps', async () => {
    writeFileSync(f('new-only.pem'), readFileSync(f('new.pem'), 'utf8'));
    const { report, rotation } = await rotate([f('new-only.pem'), '--key', f('new.key'), '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--backend', `127.0.0.1:${today.port}`]);
    expect(report.primary?.code).toBe('CHAIN_ONLY_LEAF');
    expect(rotation.rootToUpload).toBeNull();
    // The root above a missing intermediate is unknown: no claim either way.
    expect(rotation.comparison).toMatchObject({ sameRoot: null, newRoot: null, newIntermediates: [] });
    expect(rotation.steps[1]!.action).toMatch(/^Then install /);
    expect(rotation.steps[0]!.action).toMatch(/^Complete the chain first: .*certcheck bundle /);
    const text = await runCli(['rotate', f('new-only.pem'), '--key', f('new.key'), '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--no-color']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Rotation pre-flight:');
    expect(text.stdout).toMatch(/Steps, in order:\n {2}1\. \[backend\] Complete the chain first/);
    const gh = await runCli(['rotate', f('new-only.pem'), '--key', f('new.key'), '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--format', 'github']);
    expect(gh.stdout).toMatch(/^::error title=certcheck rotate .*new-only\.pem for backend\.test%3A Unhealthy::/);
    expect(gh.stdout).toContain('::notice title=certcheck rotation step 1 (backend)::Complete the chain first');
  });
});

describe('rotate --gateway: the setting\'s own probe host, roots and backend', () => {
  test('takes backend.test, root-a and 127.0.0.1:PORT from the configuration and predicts Healthy', async () => {
    const rootData = readFileSync(`${PKI}/root-a.der`).toString('base64');
    const cfg = {
      name: 'agw-rotate', sku: { name: 'Standard_v2', tier: 'Standard_v2' },
      backendAddressPools: [{ name: 'pool-r', id: '/x/backendAddressPools/pool-r', backendAddresses: [{ ipAddress: '127.0.0.1' }] }],
      backendHttpSettingsCollection: [{ name: 'bes-r', id: '/x/backendHttpSettingsCollection/bes-r', port: today.port, protocol: 'Https',
        hostName: 'backend.test', pickHostNameFromBackendAddress: false, trustedRootCertificates: [{ id: '/x/trustedRootCertificates/root-a' }] }],
      probes: [],
      trustedRootCertificates: [{ name: 'root-a', id: '/x/trustedRootCertificates/root-a', data: rootData }],
    };
    writeFileSync(f('agw.json'), JSON.stringify(cfg));
    const { code, report, rotation } = await rotate([f('new.pfx'), '--password-env', 'PFX_PASS', '--gateway', f('agw.json'), '--backend-setting', 'bes-r', '--at', soon], { PFX_PASS: PASS });
    expect(code).toBe(0);
    expect(report.status).toBe('Healthy');
    expect(report.host).toBe('backend.test');
    expect(rotation.current).toMatchObject({ status: 'Healthy' });
    expect(rotation.comparison).toMatchObject({ sameRoot: true });
    const bad = await runCli(['rotate', f('new.pfx'), '--password-env', 'PFX_PASS', '--gateway', f('agw.json'), '--backend-setting', 'no-such'], { PFX_PASS: PASS });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no-such/);
    const half = await runCli(['rotate', f('new.pfx'), '--gateway', f('agw.json')], {});
    expect(half.code).toBe(2);
  });
});
