import { Command, Option } from 'commander';
import { InputError } from '../model/errors.js';
import { parseCertificate } from '../x509/cert.js';
import { parseHostRef } from '../x509/names.js';
import type { ParsedCert } from '../x509/types.js';
import { judgeChain } from '../checks/chain.js';
import { assembleReport, makePlan, revocationFor, CERT_STAGE_OK } from '../verify.js';
import { REVOCATION_MODES, validateRevocationInputs, type OfflineInput, type RevocationMode } from '../revocation/check.js';
import { readInputFile } from '../x509/decode.js';
import { emit, loadCertFile, parseAt, parseIntOpt, type PasswordOpts } from './common.js';
import type { CliIo } from './io.js';

export interface VerifyFlags extends PasswordOpts {
  host?: string;
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
  purpose: 'serverAuth' | 'clientAuth' | 'any';
  revocation?: RevocationMode;
  crl?: string[];
  ocspResponse?: string[];
}

/** Revocation flags, for verify and probe only (rotate has no path to check). */
export function addRevocationOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--revocation <mode>', 'revocation checks: off; staple (judge a stapled OCSP response, fetch nothing); ocsp / crl / all (also fetch from the certificates\' http:// URLs, 5 s each, soft-fail)').choices([...REVOCATION_MODES]).default('staple'))
    .option('--crl <file>', 'an issuer\'s CRL (DER or PEM) to check the path against, offline (repeatable)', collect, [])
    .option('--ocsp-response <file>', 'an OCSP response (DER) to check the path against, offline (repeatable)', collect, []);
}

/** Read --crl / --ocsp-response files and check they parse (a bad file is a usage error). */
export async function loadRevocationInputs(flags: Pick<VerifyFlags, 'revocation' | 'crl' | 'ocspResponse'>): Promise<{ revocation?: RevocationMode; crls?: OfflineInput[]; ocspResponses?: OfflineInput[] }> {
  const read = async (files: string[] | undefined) => {
    const out: OfflineInput[] = [];
    for (const f of files ?? []) out.push({ name: f, data: await readInputFile(f) });
    return out.length ? out : undefined;
  };
  const crls = await read(flags.crl);
  const ocspResponses = await read(flags.ocspResponse);
  validateRevocationInputs(flags.revocation, crls, ocspResponses);
  return { ...(flags.revocation ? { revocation: flags.revocation } : {}), ...(crls ? { crls } : {}), ...(ocspResponses ? { ocspResponses } : {}) };
}

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

export function addTrustOptions(cmd: Command): Command {
  return cmd
    .option('--trusted-root <file>', 'uploaded trusted root (repeatable; PEM, DER, Base-64 .cer, PKCS#7): switches to the gateway\'s custom-root mode', collect, [])
    .option('--well-known-root <file>', 'replace the well-known CA store with these roots (repeatable): an organisation\'s own list of public roots', collect, [])
    .addOption(new Option('--ca-store <store>', 'default trust store for well-known CA mode').choices(['mozilla', 'system']).default('mozilla'))
    .addOption(new Option('--sku <sku>', 'gateway SKU rules').choices(['v1', 'v2']).default('v2'))
    .option('--auth-cert <file>', 'v1: uploaded authentication certificate (repeatable)', collect, [])
    .addOption(new Option('--profile <profile>', 'gateway: what the gateway decides; strict: RFC 5280 + CA/B Forum rules as errors').choices(['gateway', 'strict']).default('gateway'))
    .option('--at <iso-8601>', 'check validity at this time instead of now, e.g. 2027-01-15T00:00:00Z')
    .option('--warn-days <n>', 'warn when a certificate on the path expires within N days', '30')
    .option('--min-days <n>', 'error when a certificate on the path expires within N days')
    .option('--password-env <var>', 'PKCS#12 password from this environment variable')
    .option('--password-file <file>', 'PKCS#12 password from the first line of this file')
    .addOption(new Option('--format <format>', 'report format: text, json (schemaVersion 1, schema/report.schema.json), junit (XML, one test case per target), github (workflow annotations)').choices(['text', 'json', 'junit', 'github']))
    .option('--json', 'the same as --format json')
    .option('--output <file>', 'write the report to this file (stdout then prints a one-line summary)')
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .option('-v, --verbose', 'show info-level findings too');
}

export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function verifyCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('verify')
    .description('judge a certificate chain file as the gateway would if a backend served it (files in the order the backend would send them)')
    .argument('<files...>', 'chain files: PEM, DER, Base-64 .cer, PKCS#7 .p7b, PKCS#12 .pfx; "-" reads stdin')
    .option('--host <name>', 'the host name the gateway checks (probe host / backend setting host name), DNS name or IP')
    .addOption(new Option('--purpose <purpose>').choices(['serverAuth', 'clientAuth', 'any']).default('serverAuth').hideHelp());
  addTrustOptions(cmd);
  addRevocationOptions(cmd);
  cmd.action(async (files: string[], flags: VerifyFlags) => {
    const at = parseAt(flags.at);
    const pw: PasswordOpts = { ...(flags.passwordEnv ? { passwordEnv: flags.passwordEnv } : {}), ...(flags.passwordFile ? { passwordFile: flags.passwordFile } : {}) };
    const host = flags.host !== undefined ? parseHostRef(flags.host) : null;
    const warnDays = parseIntOpt('--warn-days', flags.warnDays, 0, 100_000) ?? 30;
    const minDays = parseIntOpt('--min-days', flags.minDays, 0, 100_000);
    const served: Uint8Array[] = [];
    const inputNotes: string[] = [];
    for (const f of files) {
      const d = await loadCertFile(f, io, pw);
      served.push(...d.certificates);
      inputNotes.push(...d.notes.map((n) => `${f}: ${n}`));
    }
    const trustedRoots = await loadAnchors(flags.trustedRoot, io, pw);
    const wellKnownRoots = await loadAnchors(flags.wellKnownRoot, io, pw);
    const authCerts = await loadAnchors(flags.authCert, io, pw);
    if (flags.sku === 'v1' && !authCerts) throw new InputError('--sku v1 needs --auth-cert FILE: the v1 gateway trusts only uploaded authentication certificates');
    const { plan, trust, inputFindings } = makePlan({
      sku: flags.sku, profile: flags.profile, purpose: flags.purpose, at, host,
      hostSkippedReason: 'no --host given: the name the gateway checks was not compared',
      ...(trustedRoots ? { trustedRoots } : {}), ...(authCerts ? { authCerts } : {}), ...(wellKnownRoots ? { wellKnownRoots } : {}),
      caStore: flags.caStore, validateChainAndExpiry: true, warnDays, ...(minDays !== undefined ? { minDays } : {}),
    });
    const revInputs = await loadRevocationInputs(flags);
    const j = judgeChain(served, plan);
    const rev = await revocationFor(served, j.chain, plan, revInputs);
    const report = assembleReport({ kind: 'verify', plan, trust, chain: j.chain, findings: [...inputFindings, ...j.findings, ...(rev?.findings ?? [])],
      successMessage: CERT_STAGE_OK, successMessageId: null, extra: { inputs: files, inputNotes, ...(rev ? { revocation: rev.report } : {}) } });
    setExit(emit(report, io, flags));
  });
  return cmd;
}
