/**
 * Issue 18, item 6: detail on request. `-v` lists every subject alternative name and marks the one
 * the host matched (the judge records it as the chain's `matchedName`); the uploaded roots are
 * named by subject and SHA-256; a body that did not match is shown, escaped (the start of it, all
 * the report kept with -v); stage timings are tenths of a millisecond; and no explanation glues a
 * clause on as a sentence that starts in lowercase.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { startBackend, type RunningBackend } from '../../src/fixtures.js';
import type { ProbeReport, Report } from '../../src/model/report.js';
import { assertValidReport } from '../helpers/report-schema.js';
import { AT, LONG_HOST, LONG_SANS, PKI, writeLongLeaf } from '../helpers/layout-certs.js';

const ROOT_A = `${PKI}/root-a.pem`;
const BODY = `<html>\n<title>Down for maintenance</title>\u001b[31m${'lorem ipsum '.repeat(40)}</html>`;
let dir: string, chain: string;
let healthy: RunningBackend, maintenance: RunningBackend;

beforeAll(async () => {
  ({ dir, chain } = writeLongLeaf());
  healthy = await startBackend({ served: ['leaf-a', 'int-a'] });
  maintenance = await startBackend({ served: ['leaf-a', 'int-a'], body: BODY });
});
afterAll(async () => {
  await healthy.close();
  await maintenance.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIo = { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, env: { NO_COLOR: '1' }, stdoutIsTTY: false, stdinIsTTY: false };
  const code = await main(argv, io);
  return { code, out };
}

async function json<R extends Report = Report>(argv: string[]): Promise<R> {
  const r = JSON.parse((await cli([...argv, '--json'])).out) as R;
  assertValidReport(r, argv.join(' '));
  return r;
}

const namesLine = (text: string) => text.split('\n').find((l) => l.startsWith('      names    '));

describe('-v: every name, and the one that matched', () => {
  const args = () => ['verify', chain, '--host', LONG_HOST, '--trusted-root', ROOT_A, '--at', AT];

  it('lists all 20 names with -v, the wildcard that matched marked; without -v the first 8 and how to see the rest', async () => {
    const v = await cli([...args(), '-v']);
    expect(v.code).toBe(0);
    expect(namesLine(v.out)).toBe(`      names    ${LONG_SANS.map((n) => (n === 'DNS:*.backend.test' ? `${n} (matched)` : n)).join(', ')}`);
    const quiet = await cli(args());
    expect(namesLine(quiet.out)).toBe(`      names    ${LONG_SANS.slice(0, 8).join(', ')}, \u2026 (20 in all; -v lists them)`);
    expect(quiet.out).not.toContain('(matched)');
  });

  it('the report carries the matched name: DNS (a wildcard), IP, or the CN of a certificate without SAN', async () => {
    expect((await json(args())).chain?.matchedName).toBe('DNS:*.backend.test');
    expect((await json(['verify', `${PKI}/leaf-a-ip.pem`, `${PKI}/int-a.pem`, '--host', '127.0.0.1', '--trusted-root', ROOT_A, '--at', AT])).chain?.matchedName).toBe('IP:127.0.0.1');
    expect((await json(['verify', `${PKI}/leaf-a-ip.pem`, `${PKI}/int-a.pem`, '--host', '::1', '--trusted-root', ROOT_A, '--at', AT])).chain?.matchedName).toBe('IP:::1');
    const cnOnly = ['verify', `${PKI}/leaf-cn-only.pem`, `${PKI}/int-a.pem`, '--host', 'backend.test', '--trusted-root', ROOT_A, '--at', AT];
    expect((await json(cnOnly)).chain?.matchedName).toBe('CN:backend.test');
    expect((await cli([...cnOnly, '-v'])).out).toContain("      names    none; the host matched the subject's CN:backend.test (matched)");
    // Nothing matched, or nothing was checked: no matchedName.
    const miss = await json(['verify', chain, '--host', 'other.test', '--trusted-root', ROOT_A, '--at', AT]);
    expect(miss.primary?.code).toBe('NAME_MISMATCH');
    expect(miss.chain && 'matchedName' in miss.chain).toBe(false);
    const unchecked = await json(['verify', chain, '--trusted-root', ROOT_A, '--at', AT]);
    expect(unchecked.chain && 'matchedName' in unchecked.chain).toBe(false);
    expect((await cli(['verify', chain, '--trusted-root', ROOT_A, '--at', AT, '-v'])).out).not.toContain('(matched)');
  });

  it('a live probe says which name matched the probe host', async () => {
    const r = await json<ProbeReport>([`127.0.0.1:${healthy.port}`, '--sni', 'www.backend.test', '--trusted-root', ROOT_A, '--at', AT]);
    expect(r.status).toBe('Healthy');
    expect(r.chain?.matchedName).toBe('DNS:www.backend.test');
    const text = await cli([`127.0.0.1:${healthy.port}`, '--sni', 'www.backend.test', '--trusted-root', ROOT_A, '--at', AT, '-v']);
    expect(namesLine(text.out)).toBe('      names    DNS:backend.test, DNS:www.backend.test (matched)');
  });
});

describe('the uploaded trusted roots, by subject and fingerprint', () => {
  const args = ['verify', `${PKI}/leaf-a.pem`, `${PKI}/int-a.pem`, '--host', 'backend.test', '--trusted-root', ROOT_A, '--trusted-root', `${PKI}/root-b.pem`, '--at', AT];

  it('one line each (subject and the start of the SHA-256); -v each in full with the whole fingerprint', async () => {
    const r = await json(args);
    const [a, b] = r.trust.uploaded!;
    expect(a!.subject).toBe('CN=certcheck Test Root A, O=certcheck test');
    const text = (await cli(args)).out;
    expect(text).toContain(`Trust:   uploaded trusted root certificates (2)\n  root ${a!.subject}  sha256 ${a!.sha256.slice(0, 16)}\u2026\n  root ${b!.subject}  sha256 ${b!.sha256.slice(0, 16)}\u2026\n`);
    const v = (await cli([...args, '-v'])).out;
    for (const c of [a!, b!]) {
      const at = v.indexOf(`  root ${c.subject}\n`);
      expect(at).toBeGreaterThan(0);
      expect(v.slice(at)).toMatch(new RegExp(`^ {2}root [^\\n]*\\n(?: {6}[^\\n]*\\n)*? {6}sha256 {3}${c.sha256}\\n`));
    }
  });

  it('the well-known store lists no roots', async () => {
    const text = (await cli(['verify', `${PKI}/leaf-a.pem`, `${PKI}/int-a.pem`, '--host', 'backend.test', '--at', AT])).out;
    expect(text).not.toMatch(/^ {2}root /m);
  });
});

describe('a body that did not match', () => {
  const args = () => [`127.0.0.1:${maintenance.port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--at', AT, '--body', '"status":"ok"'];

  it('is shown escaped: the start of it, and with -v all the report kept', async () => {
    const r = await json<ProbeReport>(args());
    expect(r.primary?.code).toBe('HTTP_BODY_MISMATCH');
    const kept = r.http!.bodyPrefix;
    expect(kept).toMatch(/^<html>\\u000a<title>Down for maintenance<\/title>\\u001b\[31mlorem/);
    const short = await cli(args());
    expect(short.code).toBe(1);
    expect(short.out).not.toContain('\u001b');
    const line = short.out.split('\n').find((l) => l.startsWith('Body:    '))!;
    expect(line).toMatch(/^Body: {4}"<html>\\u000a<title>Down for maintenance<\/title>\\u001b\[31mlorem ipsum [^"]*"\u2026 \(the start; -v shows more\)$/);
    expect(line.length).toBeLessThan(180);
    const v = await cli([...args(), '-v']);
    expect(v.out).toContain(`Body:    "${kept}" (${r.http!.bodyBytesRead} bytes read; escaped)`);
  });

  it('is not shown when the body matched, or was not asked about', async () => {
    expect((await cli([`127.0.0.1:${maintenance.port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--at', AT, '--body', 'maintenance', '-v'])).out).not.toContain('Body:');
    expect((await cli([`127.0.0.1:${healthy.port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--at', AT, '-v'])).out).not.toContain('Body:');
  });
});

describe('timings to a tenth of a millisecond', () => {
  it('in the JSON (stages[].ms, timings) and in the text', async () => {
    const target = [`127.0.0.1:${healthy.port}`, '--sni', 'backend.test', '--trusted-root', ROOT_A, '--at', AT];
    const r = await json<ProbeReport>(target);
    const values = [...r.stages.map((s) => s.ms), ...Object.values(r.timings)];
    expect(values.length).toBeGreaterThan(5);
    for (const ms of values) expect(Number(ms.toFixed(1)), String(ms)).toBe(ms);
    const text = (await cli(target)).out;
    const stages = text.split('\n').filter((l) => /^ {2}(ok {2}|FAIL) /.test(l));
    expect(stages.map((l) => l.slice(7, 19).trim())).toEqual(['dns', 'tcp', 'tls', 'certificate', 'http']);
    for (const l of stages) expect(l).toMatch(/^ {2}(ok {2}|FAIL) \S+ +\d+\.\d ms {2}/);
  });
});

describe('no sentence glued on in lowercase', () => {
  it('a name mismatch gives its reason in brackets, not as a sentence without a capital', async () => {
    const cases: [string, string, string][] = [
      ['leaf-wrongname', 'backend.test', "The leaf certificate does not name backend.test; it presents DNS:other.test (backend.test is not among the certificate's dNSNames (DNS:other.test))."],
      ['leaf-wildcard', 'a.b.backend.test', 'The leaf certificate does not name a.b.backend.test; it presents DNS:*.backend.test (wildcard *.backend.test covers exactly one label; a.b.backend.test has two).'],
      ['leaf-a', '127.0.0.1', 'The leaf certificate does not name 127.0.0.1; it presents DNS:backend.test, DNS:www.backend.test (the subjectAltName has no iPAddress entries; IP addresses are matched against iPAddress SAN entries only).'],
    ];
    for (const [leaf, host, said] of cases) {
      const r = await json(['verify', `${PKI}/${leaf}.pem`, `${PKI}/int-a.pem`, '--host', host, '--trusted-root', ROOT_A, '--at', AT]);
      const f = r.findings.find((x) => x.code === 'NAME_MISMATCH')!;
      expect(f.explanation).toBe(said);
      for (const x of r.findings) expect(x.explanation, x.code).not.toMatch(/[.!?] [a-z]/);
    }
  });
});
