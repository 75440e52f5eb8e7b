/**
 * `certcheck targets FILE`: one "host:port [sni]" a line → ProbeOptions per target → the shared
 * sweep (sweep.ts) → the targets view.
 */
import { Command, Option } from 'commander';
import { InputError } from '../model/errors.js';
import type { ProbeOptions } from '../probe.js';
import { parseTargetArg, splitTarget } from '../gateway/target.js';
import { parseStatusMatch, validateBodyMatch } from '../gateway/match.js';
import { parseHostRef } from '../x509/names.js';
import { readInputFile, inputLabel } from '../x509/decode.js';
import type { TargetItem } from '../render/health.js';
import { withExamples, collect, loadAnchors, parseAt, parseIntOpt, passwordOpts, type PasswordOpts } from './options.js';
import type { CliIo } from './io.js';
import { addSweepOptions, resolveMap, runSweep, type SweepFlags } from './sweep.js';

/** Quote a piece of the targets file for an error line: short, and ASCII only (the file may be binary). */
function quoted(s: string): string {
  return JSON.stringify(s.slice(0, 60)).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One `host:port [sni]` a line; `#` starts a comment; blank lines are skipped. Each target is
 * parsed when the iteration reaches its line, and an InputError names the first bad line.
 */
export function* iterateTargets(text: string, label: string): Generator<TargetItem> {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let n = 1; start <= text.length; n++) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    start = end + 1;
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const fields = line.split(/\s+/);
    const where = `${label}:${n}`;
    if (fields.length > 2) throw new InputError(`${where}: expected "host:port [sni]" or "URL [sni]", got ${quoted(line)}`);
    try {
      splitTarget(parseTargetArg(fields[0]!).target);
      if (fields[1] !== undefined) parseHostRef(fields[1]);
    } catch (e) {
      throw new InputError(`${where}: ${(e as Error).message.replace(/[^\x20-\x7e]/g, '?').slice(0, 160)}`);
    }
    yield { line: n, target: fields[0]!, sni: fields[1] ?? null };
  }
}

/** Every target of a targets file (see iterateTargets). */
export function parseTargets(text: string, label: string): TargetItem[] {
  return [...iterateTargets(text, label)];
}

interface TargetsFlags extends SweepFlags, PasswordOpts {
  sku: 'v1' | 'v2';
  trustedRoot: string[];
  wellKnownRoot: string[];
  authCert: string[];
  path: string;
  status: string;
  body?: string;
  timeout: string;
  protocol: 'https' | 'http';
}

/** Builds the `targets` command. */
export function targetsCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('targets')
    .description('probe many backends at once, one "host:port [sni]" a line (# comments, "-" for stdin), as the gateway\'s probe would (exit 0 all Healthy, 1 any Unhealthy, 3 any Unknown, 4 none Unhealthy or Unknown but certcheck\'s policy failed, 130 stopped by Ctrl-C)')
    .argument('<file>', 'targets file, or "-" for stdin')
    .addOption(new Option('--sku <sku>', 'gateway SKU rules').choices(['v1', 'v2']).default('v2'))
    .option('--trusted-root <file>', 'uploaded trusted root (repeatable): custom-root mode', collect, [])
    .option('--well-known-root <file>', 'replace the well-known CA store with these roots (repeatable): an organisation\'s own list of public roots', collect, [])
    .option('--auth-cert <file>', 'v1: uploaded authentication certificate (repeatable)', collect, [])
    .option('--password-env <var>', 'PKCS#12 password (for a .pfx given as a root or certificate) from this environment variable')
    .option('--password-file <file>', 'PKCS#12 password from the first line of this file (a pipe or FIFO too)')
    .option('--path <path>', 'probe path', '/')
    .option('--status <codes>', 'healthy status codes', '200-399')
    .option('--body <text>', 'the response body must contain this text')
    .option('--timeout <seconds>', 'probe timeout per target', '30')
    .addOption(new Option('--protocol <protocol>', 'backend protocol').choices(['https', 'http']).default('https'));
  addSweepOptions(cmd);
  cmd.action(async (file: string, flags: TargetsFlags) => {
    const concurrency = parseIntOpt('--concurrency', flags.concurrency, 1, 1024)!;
    const timeoutSeconds = parseIntOpt('--timeout', flags.timeout, 1, 86400)!;
    const resolve = resolveMap(flags.resolve);
    const at = parseAt(flags.at);
    // Checked once here: inside the sweep the same mistake would become one Unknown row per target.
    parseStatusMatch(flags.status);
    if (flags.body !== undefined) validateBodyMatch(flags.body);
    if (!flags.path.startsWith('/')) throw new InputError(`--path must start with "/": ${JSON.stringify(flags.path)}`);
    const pw = passwordOpts(flags);
    const trustedRoots = await loadAnchors(flags.trustedRoot, io, pw);
    const wellKnownRoots = await loadAnchors(flags.wellKnownRoot, io, pw);
    const authCerts = await loadAnchors(flags.authCert, io, pw);
    if (flags.sku === 'v1' && flags.protocol === 'https' && !authCerts) throw new InputError('--sku v1 needs --auth-cert FILE: the v1 gateway trusts only uploaded authentication certificates');
    const text = Buffer.from(await readInputFile(file)).toString('utf8');
    const label = inputLabel(file);
    // The whole file is checked before the first probe (a bad line stops the command up front);
    // the sweep then reads it again, one target per free slot, so no list of targets is ever built.
    let total = 0;
    for (const _t of iterateTargets(text, label)) total++;
    const probeOptions = {
      protocol: flags.protocol, path: flags.path, status: flags.status, timeoutSeconds, sku: flags.sku,
      ...(flags.body !== undefined ? { body: flags.body } : {}),
      ...(trustedRoots ? { trustedRoots } : {}), ...(authCerts ? { authCerts } : {}), ...(wellKnownRoots ? { wellKnownRoots } : {}),
    };
    function* items(): Generator<TargetItem & { options: ProbeOptions }> {
      for (const t of iterateTargets(text, label)) {
        // A URL line (https://host/health) brings its own path and protocol.
        const url = parseTargetArg(t.target);
        yield { ...t, options: { ...probeOptions, target: url.target, ...(url.path ? { path: url.path } : {}), ...(url.protocol ? { protocol: url.protocol } : {}), ...(t.sni ? { sni: t.sni } : {}) } satisfies ProbeOptions };
      }
    }
    const notes = total ? [] : ['the targets file lists no targets'];
    const { renderTargetsText, targetsJson } = await import('../render/health.js');
    setExit(await runSweep(io, flags, {
      items: items(), total, notes, concurrency, resolve, at,
      ident: (t) => ({ line: t.line, target: t.target, sni: t.sni }),
      name: (t) => `${t.target}${t.sni ? ` (SNI ${t.sni})` : ''}`,
      keep: (t): TargetItem => ({ line: t.line, target: t.target, sni: t.sni }),
      render: (rows, meta, c, w) => (flags.format === 'json' ? `${JSON.stringify(targetsJson(rows, meta), null, 2)}\n` : renderTargetsText(rows, meta, c, w, !!flags.verbose)),
    }));
  });
  return withExamples(cmd, ["certcheck targets backends.txt --trusted-root corp-root.cer     # one \"host:port [sni]\" or URL a line", "certcheck targets backends.txt --quiet                            # only what is not Healthy, then the tally", "certcheck targets backends.txt --concurrency 32 --format jsonl > results.jsonl"]);
}
