/**
 * Issue 15 items 2 and 6: every --output goes through one writer (a temporary file beside the
 * target, renamed over it), a symbolic link at the path is refused with nothing written, a PFX
 * holding its key is 0600 even over an existing 0644 file, a sweep's file appears whole; and
 * --password-file takes the first line only, from a regular file, a FIFO or a pipe, up to a cap.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { PASSWORD_FILE_MAX_BYTES, readPasswordFile } from '../../src/cli/password-file.js';
import { openOutputFile, writeOutputFile } from '../../src/cli/write-output.js';
import { CERTS_DIR } from '../../src/fixtures.js';

const PKI = `${CERTS_DIR}out/pki`;
const KEYS = `${CERTS_DIR}keys`;
const FORMATS = `${CERTS_DIR}out/formats`;
const PFX_PASS = 'test-only-pass';
const OUT_PASS = 'out-pass';

let dir: string;
let chainPem: string;
const f = (name: string) => join(dir, name);
const closers: (() => Promise<void>)[] = [];

interface Run { code: number; stdout: string; stderr: string }
async function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (s) => { out.push(s); }, stderr: (s) => { err.push(s); }, env, stdoutIsTTY: false, stdinIsTTY: false, stderrIsTTY: false };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** Files in the test directory that look like our temporary files: none may outlive a run. */
const leftovers = () => readdirSync(dir).filter((n) => n.includes('.certcheck-') && n.endsWith('.tmp'));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certcheck-output-'));
  chainPem = f('in.pem');
  writeFileSync(chainPem, ['leaf-a', 'int-a', 'root-a'].map((n) => readFileSync(`${PKI}/${n}.pem`, 'utf8')).join(''));
});

afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  rmSync(dir, { recursive: true, force: true });
});

const pfxArgs = (out: string) => ['bundle', chainPem, '--format', 'pfx', '--key', `${KEYS}/leaf-a.key.pem`, '--password-env', 'OUT_PASS', '--output', out];

describe('--output: one writer', () => {
  it('bundle --format pfx over an existing 0644 file leaves it 0600', async () => {
    const out = f('existing.pfx');
    writeFileSync(out, 'old');
    chmodSync(out, 0o644);
    const r = await run(pfxArgs(out), { OUT_PASS });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out).subarray(0, 1)[0]).toBe(0x30);
    expect(leftovers()).toEqual([]);
  });

  it('a symbolic link at the path is refused for every command: exit 2, one line, the link and its target untouched', async () => {
    const target = f('victim.txt');
    const link = f('link.out');
    writeFileSync(target, 'precious\n');
    chmodSync(target, 0o644);
    symlinkSync(target, link);
    const runs: [string, Run][] = [
      ['bundle pfx', await run(pfxArgs(link), { OUT_PASS })],
      ['bundle pem', await run(['bundle', chainPem, '--output', link])],
      ['export-root', await run(['export-root', chainPem, '--output', link])],
      ['verify', await run(['verify', chainPem, '--output', link, '--format', 'json'])],
    ];
    for (const [what, r] of runs) {
      expect(r.code, what).toBe(2);
      expect(r.stderr, what).toBe(`certcheck: --output: ${link} is a symbolic link; refusing to write through it (give the file's own path)\n`);
      expect(r.stdout, what).toBe('');
    }
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(target);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
    expect(leftovers()).toEqual([]);
  });

  it('a sweep refuses a symbolic link before the first probe', async () => {
    const { port, accepted } = await listener(false);
    const list = f('one-target.txt');
    writeFileSync(list, `127.0.0.1:${port}\n`);
    const target = f('sweep-victim.txt');
    writeFileSync(target, 'precious\n');
    symlinkSync(target, f('sweep-link.out'));
    const r = await run(['targets', list, '--output', f('sweep-link.out'), '--timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`certcheck: --output: ${f('sweep-link.out')} is a symbolic link; refusing to write through it (give the file's own path)\n`);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(accepted()).toBe(0);
  });

  it('a directory at the path is a clear one-line error', async () => {
    const d = f('a-dir');
    mkdirSync(d);
    for (const argv of [pfxArgs(d), ['bundle', chainPem, '--output', d], ['export-root', chainPem, '--output', d], ['verify', chainPem, '--output', d]]) {
      const r = await run(argv, { OUT_PASS });
      expect(r.code, argv[0]).toBe(2);
      expect(r.stderr, argv[0]).toBe(`certcheck: --output: ${d} is a directory; give a file name\n`);
    }
    expect(readdirSync(d)).toEqual([]);
  });

  it('a report replacing a file keeps its mode; a new one gets 0666 less the umask; /dev/null is written, not replaced', async () => {
    const kept = f('kept.json');
    writeFileSync(kept, 'old');
    chmodSync(kept, 0o640);
    expect((await run(['verify', chainPem, '--output', kept, '--format', 'json'])).code).not.toBe(2);
    expect(statSync(kept).mode & 0o777).toBe(0o640);
    expect(JSON.parse(readFileSync(kept, 'utf8')).schemaVersion).toBe(1);
    const fresh = f('fresh.cer');
    const umask = process.umask();
    expect((await run(['export-root', chainPem, '--output', fresh])).code).toBe(0);
    expect(statSync(fresh).mode & 0o777).toBe(0o666 & ~umask);
    expect(readFileSync(fresh, 'utf8')).toBe(readFileSync(`${PKI}/root-a.pem`, 'utf8'));
    expect((await run(['verify', chainPem, '--output', '/dev/null'])).code).not.toBe(2);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    // A key is never sent to a device or FIFO, whose mode is not ours to set.
    const r = await run(pfxArgs('/dev/null'), { OUT_PASS });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('certcheck: --output: /dev/null is not a regular file; a file holding a private key is written only to a regular file\n');
    expect(leftovers()).toEqual([]);
  });

  it('openOutputFile: nothing at the target until commit; abort leaves the old file and no temporary file', () => {
    const out = f('stream.txt');
    writeFileSync(out, 'old\n');
    const a = openOutputFile(out);
    a.write('half');
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(leftovers()).toHaveLength(1);
    a.abort();
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(leftovers()).toEqual([]);
    const b = openOutputFile(out, { secret: true });
    b.write('new\n');
    b.commit();
    b.abort();
    expect(readFileSync(out, 'utf8')).toBe('new\n');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(() => writeOutputFile('', 'x')).toThrow('--output: empty file name');
    expect(() => writeOutputFile(f('no-such-dir/x'), 'x')).toThrow(`--output: cannot write ${f('no-such-dir/x')} (ENOENT)`);
  });

  it('a sweep\'s --output appears whole: the old file stays until the last server is judged', async () => {
    const fast = await listener(false);
    const held = await listener(true);
    const list = f('two-targets.txt');
    writeFileSync(list, `127.0.0.1:${fast.port}\n127.0.0.1:${held.port}\n`);
    const out = f('sweep.jsonl');
    writeFileSync(out, 'previous run\n');
    const running = run(['targets', list, '--format', 'jsonl', '--output', out, '--timeout', '2', '--concurrency', '2']);
    // The fast target is judged at once and jsonl writes its line at once; the held one takes 2 s.
    await waitFor(() => held.accepted() === 1 && leftovers().length === 1 && readFileSync(join(dir, leftovers()[0]!), 'utf8').length > 0);
    expect(readFileSync(out, 'utf8')).toBe('previous run\n');
    const r = await running;
    expect(r.code).not.toBe(2);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toHaveProperty('summary');
    expect(leftovers()).toEqual([]);
  });
});

describe('--password-file', () => {
  const pfx = `${FORMATS}/chain.pfx`;

  it('takes the first line: a second line, CRLF, no newline at all', async () => {
    const cases: [string, string][] = [['two-lines', `${PFX_PASS}\nsecond line\n`], ['crlf', `${PFX_PASS}\r\nmore\r\n`], ['bare', PFX_PASS]];
    for (const [name, content] of cases) {
      writeFileSync(f(`pw-${name}`), content);
      const r = await run(['verify', pfx, '--password-file', f(`pw-${name}`), '--format', 'json']);
      expect(r.stderr, name).toBe('');
      expect(r.code, name).not.toBe(2);
      expect(JSON.parse(r.stdout).chain.presented.length, name).toBe(3);
    }
    writeFileSync(f('pw-wrong'), `nope\n${PFX_PASS}\n`);
    const wrong = await run(['verify', pfx, '--password-file', f('pw-wrong')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout + wrong.stderr).not.toContain(PFX_PASS);
    expect(wrong.stdout + wrong.stderr).not.toContain('nope');
  });

  it('reads a FIFO, once for every file of the run (the PFX read and the PFX written)', async () => {
    const fifo = f('pw.fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer opens the FIFO the way `<(echo pw)` does: blocking until certcheck opens it to read.
    const writer = spawn('sh', ['-c', 'printf "%s\\n" "$1" > "$2"', 'sh', PFX_PASS, fifo], { stdio: 'ignore' });
    const exited = new Promise((res) => writer.once('exit', res));
    closers.push(async () => { writer.kill(); });
    const out = f('from-fifo.pfx');
    const r = await run(['bundle', pfx, '--format', 'pfx', '--key', `${FORMATS}/leaf.key`, '--password-file', fifo, '--output', out]);
    await exited;
    expect(r.stderr).toBe('');
    expect(r.code).not.toBe(2);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    // The written PFX is sealed with the same password, read from the FIFO only once.
    const back = await run(['verify', out, '--password-env', 'P', '--format', 'json'], { P: PFX_PASS });
    expect(back.code).not.toBe(2);
  });

  it('an empty file or line is the empty password; a writer that never stops is read up to its first newline', async () => {
    expect(await readPasswordFile('/dev/null')).toBe('');
    writeFileSync(f('pw-empty'), '');
    expect(await readPasswordFile(f('pw-empty'))).toBe('');
    writeFileSync(f('pw-nl'), '\n');
    expect(await readPasswordFile(f('pw-nl'))).toBe('');
    const fifo = f('pipe.fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer that never stops: reading ends at the first newline, so certcheck does not wait for it.
    const writer = spawn('sh', ['-c', 'yes "$1" > "$2"', 'sh', 'first', fifo], { stdio: 'ignore' });
    closers.push(async () => { writer.kill(); });
    expect(await readPasswordFile(fifo)).toBe('first');
  });

  it('a first line over the cap is a one-line error that quotes nothing of the file', async () => {
    writeFileSync(f('pw-big'), 'x'.repeat(PASSWORD_FILE_MAX_BYTES + 1));
    const r = await run(['verify', pfx, '--password-file', f('pw-big')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`certcheck: --password-file ${f('pw-big')}: the first line is longer than 64 KiB; expected a password\n`);
    writeFileSync(f('pw-cap'), `${'y'.repeat(PASSWORD_FILE_MAX_BYTES)}\nrest`);
    expect(await readPasswordFile(f('pw-cap'))).toHaveLength(PASSWORD_FILE_MAX_BYTES);
    const missing = await run(['verify', pfx, '--password-file', f('no-such-pw')]);
    expect(missing.stderr).toBe(`certcheck: --password-file ${f('no-such-pw')}: no such file\n`);
  });
});

/** A loopback TCP listener: `hold` keeps each connection open silently (a probe waits for its timeout), otherwise closes it. */
async function listener(hold: boolean): Promise<{ port: number; accepted: () => number }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (!hold) s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
  return { port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}
