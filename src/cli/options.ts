/**
 * The CLI's one shared module: flag parsing (dates, numbers, passwords, trust and revocation
 * flags, --resolve, key and chain files) into the options the library calls take, and the
 * report's way out (emit, exit status). Every command uses it side by side; commands never
 * import each other.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import { Command, Option } from 'commander';
import { InputError } from '../model/errors.js';
import type { Report } from '../model/report.js';
import { renderReport, resolveFormat, summaryLine } from '../render/format.js';
import { ALLOW_INTERNAL_FETCH_FLAG, FETCH_ALLOWED_PORTS, REVOCATION_MODES, validateRevocationInputs, type OfflineInput, type RevocationMode } from '../revocation/check.js';
import { parseCertificate } from '../x509/cert.js';
import { decodeCertificates, readInputFile, type DecodedInput } from '../x509/decode.js';
import type { ParsedCert } from '../x509/types.js';
import type { CliIo } from './io.js';
import { readPasswordFile } from './password-file.js';
import { writeOutputFile } from './write-output.js';

/**
 * The exit statuses the code returns, by name (what each means, per command: EXIT_MEANINGS).
 * `policy`: Healthy as the gateway sees it but certcheck's policy (--min-days, --profile strict) failed.
 */
export const EXIT = { healthy: 0, unhealthy: 1, usage: 2, unknown: 3, policy: 4 } as const;

/** The exit status for a report's verdict and, when the gateway would say Healthy, its policy. */
export function exitFor(r: Pick<Report, 'status' | 'policy'>): number {
  if (r.status === 'Healthy') return r.policy.ok ? EXIT.healthy : EXIT.policy;
  return r.status === 'Unknown' ? EXIT.unknown : EXIT.unhealthy;
}

/** Colour: --color / --no-color when given; else never with NO_COLOR, always with FORCE_COLOR, and otherwise only on a terminal. */
export function useColor(io: CliIo, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  // FORCE_COLOR (as Node and most CLIs read it): colour in a CI log that renders it.
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  return io.stdoutIsTTY;
}

/**
 * The kinds of command by what their exit statuses mean: the verdict commands (verify, probe,
 * rotate, gateway, targets) and each tool command. The README's exit table has one column each.
 */
export type ExitGroup = 'verdict' | 'bundle' | 'export-root' | 'demo' | 'completion';

/**
 * Every exit status and what it means for each kind of command: the one table every --help's
 * "Exit status:" line is made from (and test/e2e/readme-help.test.ts holds the README's exit table
 * to). A new status is one entry here plus one row in the README; a group it does not name never
 * exits with it.
 */
export const EXIT_MEANINGS: readonly { status: number; meaning: Partial<Record<ExitGroup, string>> }[] = [
  { status: 0, meaning: { verdict: 'Healthy', bundle: 'the bundle was written', 'export-root': 'the root was written', demo: 'every case produced a verdict (the verdicts are the show)', completion: 'the script was printed' } },
  { status: 1, meaning: { verdict: 'Unhealthy', bundle: 'no complete chain could be built', 'export-root': 'no root could be found or captured' } },
  { status: 2, meaning: { verdict: 'usage or input error', bundle: 'usage or input error', 'export-root': 'usage or input error', demo: 'usage or input error', completion: 'usage or input error' } },
  { status: 3, meaning: { verdict: 'Unknown' } },
  { status: 4, meaning: { verdict: 'Healthy as the gateway sees it, but certcheck\'s policy failed (--min-days, --profile strict)' } },
  { status: 130, meaning: { verdict: 'stopped by Ctrl-C (gateway and targets print the results so far and the tally; a second Ctrl-C quits at once)' } },
];

/** The "Exit status:" line of a group's --help, from EXIT_MEANINGS. */
export function exitStatusLine(group: ExitGroup): string {
  return `Exit status: ${EXIT_MEANINGS.filter((e) => e.meaning[group] !== undefined).map((e) => `${e.status} ${e.meaning[group]!}`).join(', ')}.`;
}

/**
 * The width text views wrap to on a terminal: COLUMNS when it is a number (as ls reads it), else
 * the terminal's, else 80. Undefined off a terminal: a pipe, a file or a CI log gets whole lines.
 */
export function textWidth(io: CliIo): number | undefined {
  if (!io.stdoutIsTTY) return undefined;
  const env = Number(io.env.COLUMNS);
  return Number.isInteger(env) && env > 0 ? env : io.stdoutColumns ?? 80;
}

/** How every command's --help ends: examples, then the exit statuses (smallstep's habit). */
export function withExamples(cmd: Command, examples: string[], group: ExitGroup = 'verdict'): Command {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}\n\n${exitStatusLine(group)}\n`);
}

/** -v on every command that has more to show; `what` says what it adds there. */
export function verboseOption(what: string): Option {
  return new Option('-v, --verbose', what);
}

/**
 * --json and --format of a command whose formats are not a report's (bundle, export-root, demo):
 * --json is --format json, and --json with any other --format is a usage error, as everywhere.
 */
export function chosenFormat<F extends string>(cmd: Command, flags: { json?: boolean; format?: string }, formats: readonly F[]): F {
  const f = flags.format;
  if (f !== undefined && !(formats as readonly string[]).includes(f)) throw new InputError(`--format: expected one of ${formats.join(', ')}, got "${f}"`);
  if (flags.json) {
    if (f !== undefined && f !== 'json' && cmd.getOptionValueSource('format') !== 'default') throw new InputError(`--json conflicts with --format ${f}`);
    return 'json' as F;
  }
  return (f ?? formats[0]!) as F;
}

/** --at as a Date (a date-time without a zone is UTC); now when absent. */
export function parseAt(s: string | undefined): Date {
  if (s === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s)) {
    throw new InputError(`--at: "${s}" is not an ISO-8601 date (e.g. 2027-01-15T00:00:00Z)`);
  }
  const d = new Date(/T/.test(s) && !/(Z|[+-]\d{2}:\d{2})$/.test(s) ? `${s}Z` : s);
  if (Number.isNaN(d.getTime())) throw new InputError(`--at: "${s}" is not a real date`);
  return d;
}

/** A whole-number flag within [min, max]; undefined when absent. */
export function parseIntOpt(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InputError(`${name}: expected a whole number from ${min} to ${max}, got "${v}"`);
  return Number(v);
}

/** Where a PKCS#12 or key password comes from. */
export interface PasswordOpts { passwordEnv?: string; passwordFile?: string }

// A FIFO or /dev/stdin can be read once: every file of one run (a PFX, an encrypted key, the PFX
// written) gets the password read the first time. Keyed by the run's io, so runs never share it.
const passwordFiles = new WeakMap<CliIo, Map<string, Promise<string>>>();

function passwordFromFile(io: CliIo, path: string): Promise<string> {
  let byPath = passwordFiles.get(io);
  if (!byPath) passwordFiles.set(io, byPath = new Map());
  let p = byPath.get(path);
  if (!p) byPath.set(path, p = readPasswordFile(path));
  return p;
}

/**
 * The password for `file`: from the environment variable, the first line of the password file
 * (a pipe or FIFO too), or a terminal prompt, in that order.
 */
export function passwordProvider(o: PasswordOpts, io: CliIo, file: string): () => Promise<string> {
  return async () => {
    if (o.passwordEnv) {
      const v = io.env[o.passwordEnv];
      if (v === undefined) throw new InputError(`--password-env: environment variable ${o.passwordEnv} is not set`);
      return v;
    }
    if (o.passwordFile) return passwordFromFile(io, o.passwordFile);
    if (io.promptSecret && io.stdinIsTTY) return io.promptSecret(`Password for ${file}: `);
    throw new InputError(`${file}: PKCS#12 needs a password (use --password-env VAR or --password-file FILE)`);
  };
}

/** A certificate file (PEM, DER, Base-64, PKCS#7, PKCS#12; "-" for stdin) decoded, with its notes. */
export async function loadCertFile(path: string, io: CliIo, pw: PasswordOpts): Promise<DecodedInput> {
  const bytes = await readInputFile(path);
  return decodeCertificates(bytes, path, { password: passwordProvider(pw, io, path), passwordKnown: !!(pw.passwordEnv || pw.passwordFile) });
}

/** The report flags every single-report command shares. */
export interface EmitOptions {
  /** text | json | junit | github | azure (checked here, so every command gets the same message). */
  format?: string;
  /** Alias of format json. */
  json?: boolean;
  /** Write the rendered report to this file; stdout then gets a one-line summary. */
  output?: string;
  color?: boolean;
  verbose?: boolean;
}

/** Render the report as asked, print or write it, and return the exit status. */
export function emit(report: Report, io: CliIo, o: EmitOptions): number {
  const format = resolveFormat(o);
  if (o.output !== undefined) {
    // A file never gets colour: CI systems read it, not a terminal.
    writeOutputFile(o.output, renderReport(report, format, { color: false, verbose: !!o.verbose }));
    io.stdout(summaryLine(report, format, o.output));
  } else {
    io.stdout(renderReport(report, format, { color: format === 'text' && useColor(io, o.color), verbose: !!o.verbose, width: textWidth(io) }));
  }
  return exitFor(report);
}

/** `--password-env` / `--password-file` as the password options every file loader takes. */
export function passwordOpts(flags: PasswordOpts): PasswordOpts {
  return { ...(flags.passwordEnv ? { passwordEnv: flags.passwordEnv } : {}), ...(flags.passwordFile ? { passwordFile: flags.passwordFile } : {}) };
}

/** commander's collector for a repeatable option. */
export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

/** --resolve NAME=ADDRESS (repeatable) as the map the library calls take. */
export function parseResolve(list: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of list) {
    const i = r.indexOf('=');
    if (i <= 0 || i === r.length - 1) throw new InputError(`--resolve: expected NAME=ADDRESS, got "${r}"`);
    m.set(r.slice(0, i), r.slice(i + 1));
  }
  return m;
}

/** The trust and report flags verify, probe and rotate share (addTrustOptions, addRevocationOptions). */
export interface TrustFlags extends PasswordOpts {
  trustedRoot?: string[];
  wellKnownRoot?: string[];
  authCert?: string[];
  caStore: 'mozilla' | 'system';
  profile: 'gateway' | 'strict';
  sku: 'v1' | 'v2';
  at?: string;
  json?: boolean;
  format?: string;
  output?: string;
  color?: boolean;
  verbose?: boolean;
  warnDays?: string;
  minDays?: string;
  revocation?: RevocationMode;
  crl?: string[];
  ocspResponse?: string[];
  allowInternalFetch?: boolean;
}

/**
 * --allow-internal-fetch, one wording for the revocation flags and bundle --aia: certificate-named
 * URLs are otherwise fetched from public addresses on ports 80 and 8080 only.
 */
export function allowInternalFetchOption(): Option {
  return new Option(ALLOW_INTERNAL_FETCH_FLAG, `let URLs named in certificates (CA Issuers, OCSP, CRL) be fetched from loopback, private (RFC 1918, CGNAT, ULA), link-local (cloud metadata), unspecified and multicast addresses and from ports other than ${FETCH_ALLOWED_PORTS.join(' and ')} (internal PKIs); without it such fetches are refused, after DNS and --resolve`);
}

/** Revocation flags, for verify and probe only (rotate has no path to check). */
export function addRevocationOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--revocation <mode>', 'revocation checks: off; staple (judge a stapled OCSP response, fetch nothing); ocsp / crl / all (also fetch from the certificates\' http:// URLs, 5 s each, soft-fail)').choices([...REVOCATION_MODES]).default('staple'))
    .option('--crl <file>', 'an issuer\'s CRL (DER or PEM) to check the path against, offline (repeatable)', collect, [])
    .option('--ocsp-response <file>', 'an OCSP response (DER) to check the path against, offline (repeatable)', collect, [])
    .addOption(allowInternalFetchOption());
}

/** Read --crl / --ocsp-response files and check they parse (a bad file is a usage error); carry --allow-internal-fetch. */
export async function loadRevocationInputs(flags: Pick<TrustFlags, 'revocation' | 'crl' | 'ocspResponse' | 'allowInternalFetch'>): Promise<{ revocation?: RevocationMode; crls?: OfflineInput[]; ocspResponses?: OfflineInput[]; allowInternalFetch?: boolean }> {
  const read = async (files: string[] | undefined) => {
    const out: OfflineInput[] = [];
    for (const f of files ?? []) out.push({ name: f, data: await readInputFile(f) });
    return out.length ? out : undefined;
  };
  const crls = await read(flags.crl);
  const ocspResponses = await read(flags.ocspResponse);
  validateRevocationInputs(flags.revocation, crls, ocspResponses);
  return { ...(flags.revocation ? { revocation: flags.revocation } : {}), ...(crls ? { crls } : {}), ...(ocspResponses ? { ocspResponses } : {}),
    ...(flags.allowInternalFetch ? { allowInternalFetch: true } : {}) };
}

/** Certificate files given as roots or authentication certificates, decoded; an undecodable one is a usage error naming its file. */
export async function loadAnchors(files: string[] | undefined, io: CliIo, pw: PasswordOpts): Promise<ParsedCert[] | undefined> {
  if (!files?.length) return undefined;
  const out: ParsedCert[] = [];
  for (const f of files) {
    const d = await loadCertFile(f, io, pw);
    for (const der of d.certificates) {
      try { out.push(parseCertificate(der)); } catch (e) { throw new InputError(`${f}: certificate does not decode (${(e as Error).message})`); }
    }
  }
  return out;
}

/** The trust-store, profile, threshold and report flags of verify, probe and rotate. */
export function addTrustOptions(cmd: Command): Command {
  return cmd
    .option('--trusted-root <file>', 'uploaded trusted root (repeatable; PEM, DER, Base-64 .cer, PKCS#7): switches to the gateway\'s custom-root mode', collect, [])
    .option('--well-known-root <file>', 'replace the well-known CA store with these roots (repeatable): an organisation\'s own list of public roots', collect, [])
    .addOption(new Option('--ca-store <store>', 'default trust store for well-known CA mode').choices(['mozilla', 'system']).default('mozilla'))
    .addOption(new Option('--sku <sku>', 'gateway SKU rules').choices(['v1', 'v2']).default('v2'))
    .option('--auth-cert <file>', 'v1: uploaded authentication certificate (repeatable)', collect, [])
    .addOption(new Option('--profile <profile>', 'gateway: what the gateway decides; strict: also certcheck\'s strict validator (RFC 5280 + CA/B Forum rules), as policy beside the gateway\'s verdict (exit 4 when only it fails)').choices(['gateway', 'strict']).default('gateway'))
    .option('--at <iso-8601>', 'check validity at this time instead of now, e.g. 2027-01-15T00:00:00Z')
    .option('--warn-days <n>', 'warn when a certificate on the path expires within N days', '30')
    .option('--min-days <n>', 'certcheck policy, beside the gateway\'s verdict: fail (exit 4 when the gateway says Healthy) when a certificate on the path expires within N days')
    .option('--password-env <var>', 'PKCS#12 password from this environment variable')
    .option('--password-file <file>', 'PKCS#12 password from the first line of this file (a pipe or FIFO too, e.g. <(pass show pfx))')
    .addOption(new Option('--format <format>', 'report format: text, json (schemaVersion 1, schema/report.schema.json), junit (XML, one test case per target), github (workflow annotations), azure (Azure Pipelines logging commands)').choices(['text', 'json', 'junit', 'github', 'azure']))
    .option('--json', 'the same as --format json')
    .option('--output <file>', 'write the report to this file (stdout then prints a one-line summary)')
    .option('--color', 'colour even off a terminal (also: FORCE_COLOR)')
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .option('-v, --verbose', 'show info-level findings too');
}

/** --warn-days / --min-days as the thresholds the library calls take. */
export function thresholds(flags: { warnDays?: string; minDays?: string }): { warnDays: number; minDays?: number } {
  const minDays = parseIntOpt('--min-days', flags.minDays, 0, 100_000);
  return { warnDays: parseIntOpt('--warn-days', flags.warnDays, 0, 100_000) ?? 30, ...(minDays !== undefined ? { minDays } : {}) };
}

/** A private key file: PEM (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8 with the password options) or DER. */
export async function loadPrivateKey(file: string, io: CliIo, pw: PasswordOpts): Promise<KeyObject> {
  const buf = Buffer.from(await readInputFile(file));
  const text = buf.toString('latin1');
  const pem = text.includes('-----BEGIN ');
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text);
  const passphrase = encrypted ? await passwordProvider(pw, io, file)() : undefined;
  try {
    if (pem) return createPrivateKey({ key: text, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
    for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
      try { return createPrivateKey({ key: buf, format: 'der', type }); } catch { /* next encoding */ }
    }
  } catch { /* reported below, without echoing anything from the file */ }
  throw new InputError(`--key ${file}: not a private key${encrypted ? ' (or the password is wrong)' : ''}`);
}

/** The flags of a command that takes a chain file or a live backend (bundle, export-root). */
export interface SourceFlags extends PasswordOpts {
  sni?: string;
  timeout: string;
  resolve: string[];
}

function exists(path: string): boolean {
  try { return statSync(path, { throwIfNoEntry: false }) !== undefined; } catch { return false; }
}

const TARGET_RE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/;

/**
 * A chain file, or (when no such file exists and the argument looks like HOST:PORT) the list a
 * live backend sends, captured exactly as sent (the library's captureChain).
 */
export async function loadChainOrBackend(arg: string, io: CliIo, flags: SourceFlags): Promise<{ certs: Uint8Array[]; from: 'file' | 'backend' }> {
  // Synchronous: node:fs/promises would be one more module on every command's cold start.
  const isFile = arg === '-' || exists(arg);
  if (isFile || !TARGET_RE.test(arg)) return { certs: (await loadCertFile(arg, io, passwordOpts(flags))).certificates, from: 'file' };
  // Loaded only for a live backend: a file never pays for DNS, TCP and TLS.
  const { captureChain } = await import('../capture-chain.js');
  const cap = await captureChain({
    target: arg, ...(flags.sni !== undefined ? { sni: flags.sni } : {}),
    timeoutSeconds: parseIntOpt('--timeout', flags.timeout, 1, 86400)!, resolve: parseResolve(flags.resolve),
  });
  // The backend, not the user, is at fault here: exit 1 as for an Unhealthy verdict.
  if (!cap.certificates.length) throw new InputError(`${arg}: no certificate chain captured (${captureFailureText(cap)})`, 1);
  return { certs: cap.certificates, from: 'backend' };
}

/** Why nothing was captured, in one line: the stage and what Node or the TLS tap said. */
function captureFailureText(cap: { failure: { stage: string; kind: string; code: string | null; message: string } | null; notCapturedReason: string | null }): string {
  const f = cap.failure;
  if (!f) return cap.notCapturedReason ?? 'no Certificate message seen';
  return `${f.stage.toUpperCase()} ${f.kind}${f.code ? ` ${f.code}` : ''}: ${f.message}${cap.notCapturedReason ? `; ${cap.notCapturedReason}` : ''}`;
}

/** The live-backend and password flags of bundle and export-root. */
export function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('--sni <name>', 'for a live backend: the SNI to send')
    .option('--timeout <seconds>', 'for a live backend: timeout', '30')
    .option('--resolve <name=address>', 'for a live backend: use this address for this name (repeatable)', collect, [])
    .option('--password-env <var>', 'PKCS#12 password from this environment variable')
    .option('--password-file <file>', 'PKCS#12 password from the first line of this file (a pipe or FIFO too, e.g. <(pass show pfx))');
}
