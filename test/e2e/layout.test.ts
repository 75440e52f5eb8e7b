/**
 * Issue 18, item 3: every text view fits the terminal. On a terminal (an io with stdoutIsTTY and
 * its columns, or a real pty through util-linux `script`) each line is broken between words to the
 * terminal's width, continuation lines indented to where the value starts; with no terminal
 * nothing wraps, so a long DN or a list of names stays one line for grep and diff.
 *
 * The check that no word is split: the wrapped output and the unwrapped one hold the same words in
 * the same order (wrapping only turns a space into a line break and an indent).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { closedPort, startBackend, type RunningBackend } from '../../src/fixtures.js';
import { AT, LONG_HOST, LONG_SANS, PKI, writeLongLeaf } from '../helpers/layout-certs.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'certcheck.js');
const GW = join(import.meta.dirname, '..', 'fixtures', 'gateway');
const KEYS = join(PKI, '..', '..', 'keys');
let dir: string, chain: string;
let leafOnly: RunningBackend, healthy: RunningBackend;

beforeAll(async () => {
  ({ dir, chain } = writeLongLeaf());
  leafOnly = await startBackend({ served: ['leaf-a'] });
  healthy = await startBackend({ served: ['leaf-a', 'int-a'] });
});
afterAll(async () => {
  await leafOnly.close();
  await healthy.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI in-process: `columns` makes stdout a terminal that wide; colour only when asked. */
async function cli(argv: string[], o: { columns?: number; color?: boolean; env?: Record<string, string> } = {}): Promise<string> {
  let out = '';
  const tty = o.columns !== undefined;
  const io: CliIo = {
    stdout: (s) => { out += s; }, stderr: (s) => { out += s; },
    env: { ...(o.color ? {} : { NO_COLOR: '1' }), ...o.env },
    stdoutIsTTY: tty, ...(tty ? { stdoutColumns: o.columns } : {}), stdinIsTTY: false,
  };
  await main(argv, io);
  return out;
}

const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');
const words = (s: string) => strip(s).split(/\s+/).filter(Boolean);
/** Columns of a line without colour: one per code point (the outputs here have no wide characters). */
const cols = (s: string) => [...strip(s)].length;

interface Group { plain: string; lines: string[] }

/**
 * The wrapped output against the unwrapped one: every line within `width`, the same words in the
 * same order, and each unwrapped line's continuation lines indented (but `prose`). Returns each unwrapped line
 * with the physical lines it became.
 */
function expectFitted(wrapped: string, plain: string, width: number, prose?: RegExp): Group[] {
  const phys = strip(wrapped).split('\n');
  for (const l of phys) expect(cols(l), `longer than ${width}: ${l}`).toBeLessThanOrEqual(width);
  expect(words(wrapped)).toEqual(words(plain));
  const groups: Group[] = [];
  let i = 0;
  for (const pl of strip(plain).split('\n')) {
    const want = words(pl);
    const lines = [phys[i++]!];
    let got = words(lines[0]!);
    while (got.length < want.length) { lines.push(phys[i++]!); got = [...got, ...words(lines.at(-1)!)]; }
    expect(got).toEqual(want);
    groups.push({ plain: pl, lines });
  }
  // Prose (the demo's sentences) wraps flush left; everything laid out in columns hangs.
  for (const g of groups) if (!prose?.test(g.plain)) for (const c of g.lines.slice(1)) expect(c, `continuation of: ${g.plain}`).toMatch(/^ +\S/);
  return groups;
}

const groupOf = (gs: Group[], start: RegExp) => {
  const g = gs.find((x) => start.test(x.plain));
  expect(g, String(start)).toBeDefined();
  return g!;
};
const indentOf = (l: string) => /^ */.exec(l)![0].length;

const verifyArgs = () => ['verify', chain, '--host', LONG_HOST, '--trusted-root', `${PKI}/root-a.pem`, '--at', AT];

describe('every text view fits the terminal', () => {
  it('a single report (verify -v) at 80 and 160 columns: hanging indents, no word split, the width used', async () => {
    const plain = await cli([...verifyArgs(), '-v']);
    const at80 = expectFitted(await cli([...verifyArgs(), '-v'], { columns: 80 }), plain, 80);
    const at160 = expectFitted(await cli([...verifyArgs(), '-v'], { columns: 160 }), plain, 160);
    // The names continue under the first name, the subject under the subject.
    const names80 = groupOf(at80, /^ {6}names {4}/);
    expect(names80.lines.length).toBeGreaterThan(3);
    for (const l of names80.lines.slice(1)) expect(indentOf(l)).toBe(15);
    const subject80 = groupOf(at80, /^ {2}\[0\] CN=backend\.test, L=/);
    expect(subject80.lines.length).toBeGreaterThan(1);
    for (const l of subject80.lines.slice(1)) expect(indentOf(l)).toBe(6);
    // A list breaks after its ", ": every line but the last ends with a comma.
    for (const l of names80.lines.slice(0, -1)) expect(l).toMatch(/,$/);
    // 160 columns are used, not a fixed 100.
    const names160 = groupOf(at160, /^ {6}names {4}/);
    expect(names160.lines.length).toBeLessThan(names80.lines.length);
    expect(Math.max(...names160.lines.map(cols))).toBeGreaterThan(120);
    // The explanation of a finding continues under itself, its Fix under the fix.
    for (const g of at80.filter((x) => /^ {10}\S/.test(x.plain))) for (const l of g.lines.slice(1)) expect(indentOf(l)).toBeGreaterThanOrEqual(10);
  });

  it('with no terminal nothing wraps: the long DN and all 20 names stay on one line each', async () => {
    const plain = await cli([...verifyArgs(), '-v']);
    const lines = plain.split('\n');
    expect(lines).toContain('  [0] CN=backend.test, L=Amsterdam-Zuidoost Datacenter Campus, OU=Certificate Lifecycle Automation Working Group, OU=Platform Engineering and Reliability Operations, O=certcheck test');
    expect(lines.find((l) => l.startsWith('      names    '))).toBe(`      names    ${LONG_SANS.map((n) => (n === 'DNS:*.backend.test' ? `${n} (matched)` : n)).join(', ')}`);
    // COLUMNS is a terminal's setting: off a terminal it changes nothing.
    expect(await cli([...verifyArgs(), '-v'], { env: { COLUMNS: '40' } })).toBe(plain);
    // Nor does --output on a terminal: the file is for a reader of files.
    const file = join(dir, 'report.txt');
    await cli([...verifyArgs(), '-v', '--output', file], { columns: 60 });
    expect(readFileSync(file, 'utf8')).toBe(plain);
  });

  it('COLUMNS, when a number, wins over the width the terminal reports (as ls reads it)', async () => {
    const plain = await cli(verifyArgs());
    expectFitted(await cli(verifyArgs(), { columns: 160, env: { COLUMNS: '72' } }), plain, 72);
    expectFitted(await cli(verifyArgs(), { columns: 90, env: { COLUMNS: 'wide' } }), plain, 90);
  });

  it('colour codes take no columns, and a line broken inside a colour closes it and opens it again', async () => {
    const plain = await cli([...verifyArgs(), '-v']);
    const out = await cli([...verifyArgs(), '-v'], { columns: 80, color: true });
    expect(out).toContain('\u001b[');
    expectFitted(out, plain, 80);
    // Raw, some lines are longer than 80 characters: the escapes are there but not counted.
    expect(out.split('\n').some((l) => l.length > 80)).toBe(true);
    for (const l of out.split('\n')) expect(l, JSON.stringify(l)).not.toMatch(/\u001b\[(?!0m)[0-9;]*m(?:(?!\u001b\[0m).)*$/);
  });

  it('a live probe and a targets sweep at 80 columns', async () => {
    const norm = (s: string) => s.replace(/\d+\.\d(?= ms)/g, 'T').replace(/\d+\.\d s with/g, 'T s with');
    const probe = [`127.0.0.1:${leafOnly.port}`, '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--at', AT];
    const p80 = expectFitted(norm(await cli(probe, { columns: 80 })), norm(await cli(probe)), 80);
    expect(p80.some((g) => g.lines.length > 1)).toBe(true);
    const closed = await closedPort();
    const targets = join(dir, 'targets.txt');
    writeFileSync(targets, [`127.0.0.1:${healthy.port} backend.test`, `127.0.0.1:${leafOnly.port} backend.test`, `127.0.0.1:${closed}`].join('\n'));
    const sweep = ['targets', targets, '--trusted-root', `${PKI}/root-a.pem`, '--timeout', '5', '--at', AT];
    const t80 = expectFitted(norm(await cli(sweep, { columns: 80 })), norm(await cli(sweep)), 80);
    // The Details column wraps under itself.
    const row = groupOf(t80, new RegExp(`^127\\.0\\.0\\.1:${leafOnly.port} \\(SNI backend\\.test\\) +Unhealthy`));
    const col = row.plain.indexOf('The Intermediate');
    expect(row.lines.length).toBeGreaterThan(1);
    for (const l of row.lines.slice(1)) expect(indentOf(l)).toBe(col);
  });

  it('a targets sweep whose server column leaves Details too narrow puts each row\'s details under it', async () => {
    const norm = (s: string) => s.replace(/\d+\.\d s with/g, 'T s with');
    const targets = join(dir, 'targets-long.txt');
    // A URL target with its SNI: a 50-column server name, 19 columns left for Details at 80.
    writeFileSync(targets, [`https://127.0.0.1:${healthy.port}/health/ready backend.test`, `127.0.0.1:${leafOnly.port} backend.test`].join('\n'));
    const sweep = ['targets', targets, '--trusted-root', `${PKI}/root-a.pem`, '--timeout', '5', '--at', AT];
    const t80 = expectFitted(norm(await cli(sweep, { columns: 80 })), norm(await cli(sweep)), 80);
    const row = groupOf(t80, new RegExp(`^127\\.0\\.0\\.1:${leafOnly.port} \\(SNI backend\\.test\\) +Unhealthy +The Intermediate`));
    // The server and its health on the first line, the health under its heading; the details below, indented by four, with the width.
    expect(strip(row.lines[0]!)).toMatch(/^127\.0\.0\.1:\d+ \(SNI backend\.test\) +Unhealthy$/);
    const heading = t80.find((g) => /^SERVER +HEALTH +DETAILS$/.test(g.plain))!;
    expect(strip(row.lines[0]!).indexOf('Unhealthy')).toBe(heading.plain.indexOf('HEALTH'));
    expect(strip(row.lines[1]!)).toMatch(/^ {4}The Intermediate certificate is missing from the certificate chain/);
    expect(Math.max(...row.lines.slice(1, 3).map((l) => cols(l)))).toBeGreaterThan(60);
  });

  it('a gateway sweep at 80 columns', async () => {
    type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const doc = JSON.parse(readFileSync(join(GW, 'v2-cli.json'), 'utf8')) as J;
    const setting = (name: string): J => { const x = (doc.backendHttpSettingsCollection as J[]).find((s) => s.name === name)!; return x.properties ?? x; };
    setting('bes-override').port = healthy.port;
    setting('bes-probehost').port = leafOnly.port;
    const file = join(dir, 'agw.json');
    writeFileSync(file, JSON.stringify(doc));
    const norm = (s: string) => s.replace(/\d+\.\d s with/g, 'T s with').replace(/ at \d{4}-[\d:.TZ-]+/g, ' at TIME');
    const args = ['gateway', file, '--resolve', 'backend.test=127.0.0.1', '--setting', 'bes-override', '--setting', 'bes-probehost', '--at', AT];
    const g = expectFitted(norm(await cli(args, { columns: 80 })), norm(await cli(args)), 80);
    const row = g.find((x) => / Unhealthy +The Intermediate/.test(x.plain))!;
    expect(row.lines.length).toBeGreaterThan(1);
    for (const l of row.lines.slice(1)) expect(indentOf(l)).toBe(row.plain.indexOf('The Intermediate'));
  });

  it('gateway --plan and rotate at 80 columns', async () => {
    const plan = ['gateway', join(GW, 'v2-cli.json'), '--plan'];
    const g = expectFitted(await cli(plan, { columns: 80 }), await cli(plan), 80);
    expect(g.some((x) => x.lines.length > 1)).toBe(true);
    const rotate = ['rotate', `${PKI}/leaf-a.pem`, '--key', `${KEYS}/leaf-a.key.pem`, '--sni', 'backend.test', '--trusted-root', `${PKI}/root-a.pem`, '--at', AT];
    const r = expectFitted(await cli(rotate, { columns: 80 }), await cli(rotate), 80);
    // A step continues under its action, after "1. [backend] ".
    const step = groupOf(r, /^ {2}1\. \[\w+\] /);
    const at = /^ {2}1\. \[\w+\] /.exec(step.plain)![0].length;
    expect(step.lines.length).toBeGreaterThan(1);
    for (const l of step.lines.slice(1)) expect(indentOf(l)).toBe(at);
  });

  it('the demo table: 80 columns wrap the Details column, no terminal leaves each row whole', async () => {
    const norm = (s: string) => s.replace(/127\.0\.0\.1:\d+/g, 'ADDR').replace(/(port\s+)\d+/g, '$1P').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME');
    const plain = norm(await cli(['demo']));
    const g = expectFitted(norm(await cli(['demo'], { columns: 80 })), plain, 80, /^(certcheck demo:|Every row|Next:|\(only the leaf)/);
    const missing = groupOf(g, /^missing-intermediate /);
    expect(missing.lines.length).toBeGreaterThan(2);
    const details = groupOf(g, /^CASE +SERVER +HEALTH +DETAILS$/).plain.indexOf('DETAILS');
    for (const l of missing.lines.slice(1)) expect(indentOf(l)).toBe(details);
    // Unwrapped, each gateway message is one line.
    expect(plain).toMatch(/^missing-intermediate +ADDR +Unhealthy +The Intermediate certificate is missing from the certificate chain presented by the backend server\. Ensure the certificate chain is complete and correctly ordered on the backend server\.$/m);
  });
});

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasScript)('on a real terminal (util-linux script)', () => {
  const inPty = (cmd: string, env: Record<string, string> = {}) => execFileSync('script', ['-qec', cmd, '/dev/null'], {
    encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000,
  }).replace(/\r\n/g, '\n');
  const q = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const verifyCmd = () => `node ${q(BIN)} ${[...verifyArgs(), '-v'].map(q).join(' ')}`;

  it('COLUMNS=80 in a pty: every line fits, no word split; piped, the same words on whole lines', () => {
    const { COLUMNS: _c, ...env } = process.env;
    const piped = execFileSync('node', [BIN, ...verifyArgs(), '-v'], { encoding: 'utf8', env: { ...env, NO_COLOR: '1' } });
    expect(piped).toContain(`      names    ${LONG_SANS[0]}, ${LONG_SANS[1]}`);
    const g = expectFitted(inPty(verifyCmd(), { COLUMNS: '80' }), piped, 80);
    expect(groupOf(g, /^ {6}names /).lines.length).toBeGreaterThan(3);
  });

  it('without COLUMNS, the width the terminal reports (stty cols 100)', () => {
    const out = inPty(`stty cols 100; unset COLUMNS; ${verifyCmd()}`);
    const piped = execFileSync('node', [BIN, ...verifyArgs(), '-v'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const g = expectFitted(out, piped, 100);
    expect(Math.max(...g.flatMap((x) => x.lines).map(cols))).toBeGreaterThan(80);
  });
});
