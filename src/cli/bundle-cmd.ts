/**
 * `certcheck bundle LEAF|HOST:PORT`: a chain file or a live backend's chain (captureChain) →
 * makeBundle → the chain written as PEM or PKCS#12, with a summary.
 */
import { Command, Option } from 'commander';
import { AIA_MAX_FETCHES, AIA_OVERALL_MS, AIA_PER_FETCH_MS, makeBundle, type AiaFetch, type BundleResult } from '../bundle.js';
import { ROOT_SERVING } from '../model/catalog.js';
import { InputError } from '../model/errors.js';
import { neutralize } from '../render/junit.js';
import type { ParsedCert } from '../x509/types.js';
import { VERSION } from '../version.js';
import { withExamples, addSourceOptions, allowInternalFetchOption, chosenFormat, loadChainOrBackend, loadPrivateKey, parseAt, parseResolve, passwordOpts, passwordProvider, verboseOption, type SourceFlags } from './options.js';
import type { CliIo } from './io.js';
import { checkOutputPath, writeOutputFile } from './write-output.js';

function role(c: ParsedCert, i: number, r: BundleResult): string {
  return i === 0 ? 'leaf' : c === r.root ? 'root' : 'intermediate';
}

function aiaLine(a: AiaFetch): string {
  const got = a.status !== null ? `HTTP ${a.status}${a.bytes !== null ? `, ${a.bytes} bytes` : ''}` : '';
  const result = a.error !== null ? a.error : `${a.certificates} certificate${a.certificates === 1 ? '' : 's'}`;
  return `${a.fetched ? 'GET' : 'skipped'} ${a.url} (for "${a.for}"): ${got ? `${got}, ` : ''}${result}`;
}

interface BundleFlags extends SourceFlags {
  intermediates?: string;
  includeRoot?: boolean;
  output?: string;
  at?: string;
  json?: boolean;
  aia?: boolean;
  allowInternalFetch?: boolean;
  format: string;
  key?: string;
  verbose?: boolean;
}

const BUNDLE_FORMATS = ['pem', 'pfx', 'json'] as const;

/** --format pfx: check every flag before any file is read or backend probed, so a usage error costs nothing. */
function checkPfxFlags(flags: BundleFlags, format: (typeof BUNDLE_FORMATS)[number]): void {
  if (format !== 'pfx') {
    if (flags.key !== undefined) throw new InputError('--key: only with --format pfx');
    return;
  }
  // A PFX is binary and holds the key: never to a terminal or a pipe by accident.
  if (flags.output === undefined || flags.output === '') throw new InputError('--format pfx: --output FILE is required');
  if (flags.key === undefined) throw new InputError('--format pfx: --key FILE is required (the leaf\'s private key)');
  // Explicitly from the environment or a file: a typed-once prompt could seal the key with a typo.
  if (!flags.passwordEnv && !flags.passwordFile) throw new InputError('--format pfx: the PFX password comes from --password-env VAR or --password-file FILE');
}

/** Builds the `bundle` command. */
export function bundleCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('bundle')
    .description('write the chain the backend serves, as PEM: leaf, then intermediates in issuer order, then the root with --include-root, as the gateway\'s documentation recommends (missing issuers come from --intermediates DIR and, with --aia, from the certificates\' CA Issuers URLs over plain HTTP)')
    .argument('<leaf>', 'the leaf certificate file (PEM, DER, .cer, .p7b, .pfx), or HOST:PORT of a live backend')
    .option('--intermediates <dir>', 'directory of CA certificates to complete the chain from (every file, not recursive)')
    .option('--include-root', 'end the file with the self-signed root (recommended by the gateway\'s documentation; the verdict does not depend on it)')
    .option('--output <file>', 'write the chain here, replacing the file whole (default: stdout; required with --format pfx, then owner-only 0600); a symbolic link there is refused; stdout then gets the summary (or the JSON document)')
    .addOption(new Option('--format <format>', 'pem: the chain as PEM (to stdout, or --output with the summary on stdout); pfx: a PKCS#12 with --key, sealed with the --password-env / --password-file password (AES-256, SHA-256 MAC, as OpenSSL 3 writes it); json: stdout carries only a JSON document (schema/bundle.schema.json) with the chain\'s PEM as its "pem" field (and --output still gets the PEM)').choices([...BUNDLE_FORMATS]).default('pem'))
    .option('--key <file>', 'with --format pfx: the leaf\'s private key (PEM or DER; must match the leaf)')
    .option('--at <iso-8601>', 'prefer certificates valid at this time (default now)')
    .option('--aia', `while the chain is incomplete, GET the top certificate's CA Issuers URLs (http:// only, no redirects, 1 MiB cap, at most ${AIA_MAX_FETCHES} requests, ${AIA_PER_FETCH_MS / 1000} s each, ${AIA_OVERALL_MS / 1000} s in all; DER, PEM or PKCS#7; --resolve applies; public addresses on ports 80 and 8080 only unless --allow-internal-fetch)`)
    .addOption(allowInternalFetchOption())
    .option('--json', 'the same as --format json')
    .addOption(verboseOption('the summary shows each certificate\'s issuer, validity and whole SHA-256'));
  addSourceOptions(cmd);
  cmd.action(async (arg: string, flags: BundleFlags) => {
    const format = chosenFormat(cmd, flags, BUNDLE_FORMATS);
    checkPfxFlags(flags, format);
    // Before any file is read or backend probed: a refused --output path should cost nothing.
    if (flags.output !== undefined) checkOutputPath(flags.output, { secret: format === 'pfx' });
    const at = parseAt(flags.at);
    const src = await loadChainOrBackend(arg, io, flags);
    const pfx = format === 'pfx';
    const pw = passwordOpts(flags);
    const out = await makeBundle({
      certs: src.certs, at, includeRoot: !!flags.includeRoot,
      ...(flags.intermediates ? { intermediatesDir: flags.intermediates } : {}),
      ...(flags.aia ? { aia: true, resolve: parseResolve(flags.resolve), ...(flags.allowInternalFetch ? { allowInternalFetch: true } : {}) } : {}),
      ...(pfx ? { pfx: { key: await loadPrivateKey(flags.key!, io, pw), keySource: `--key ${flags.key}`, password: passwordProvider(pw, io, flags.output!) } } : {}),
    });
    const { result: r, chain, body, fetches } = out;
    const warnings = [...out.notes, ...r.problems];
    if (!r.complete) warnings.unshift(`the chain is incomplete: no certificate issued "${r.path[r.path.length - 1]!.subject.text}" (its issuer is "${r.missingIssuer}"); add it to --intermediates${flags.aia ? '' : ' or try --aia'}`);
    if (flags.output !== undefined) {
      // The PFX carries the private key: owner-only, like the key file it came from should be.
      writeOutputFile(flags.output, body, { secret: pfx });
    }
    if (format === 'json') {
      // stdout carries the JSON document and nothing else: the chain is in it as "pem".
      io.stdout(`${JSON.stringify({
        schemaVersion: 1, tool: { name: 'certcheck', version: VERSION }, kind: 'bundle',
        output: flags.output ?? null, format: 'pem', complete: r.complete, missingIssuer: r.missingIssuer, includeRoot: !!flags.includeRoot,
        chain: chain.map((c, i) => ({ role: role(c, i, r), subject: c.subject.text, issuer: c.issuer.text, notBefore: c.notBefore.date?.toISOString() ?? null, notAfter: c.notAfter.date?.toISOString() ?? null, sha256: c.sha256 })),
        root: r.root ? { subject: r.root.subject.text, sha256: r.root.sha256, included: !!flags.includeRoot } : null,
        ...(fetches ? { aia: fetches } : {}), warnings, pem: body as string,
      }, null, 2)}\n`);
    } else {
      // With no --output the PEM owns stdout, so the summary goes to stderr.
      const say = flags.output !== undefined ? io.stdout : io.stderr;
      const lines = [`certcheck bundle: ${flags.output !== undefined ? `wrote ${flags.output}` : 'chain'} (${pfx ? 'PKCS#12 with the private key, ' : ''}${chain.length} certificate${chain.length === 1 ? '' : 's'}, leaf first):`];
      chain.forEach((c, i) => {
        lines.push(`  ${i}. ${c.subject.text}  (${role(c, i, r)}, sha256 ${flags.verbose ? c.sha256 : `${c.sha256.slice(0, 16)}\u2026`})`);
        if (flags.verbose) lines.push(`     issuer ${c.issuer.text}`, `     valid  ${c.notBefore.date?.toISOString() ?? c.notBefore.raw} \u2192 ${c.notAfter.date?.toISOString() ?? c.notAfter.raw}`);
      });
      if (r.root && !flags.includeRoot) lines.push(`  root "${r.root.subject.text}" not included; --include-root adds it: ${ROOT_SERVING}`);
      if (fetches) {
        if (!fetches.length) lines.push(`aia: nothing fetched (${r.complete ? 'the chain was already complete' : 'no CA Issuers URL on the top certificate'})`);
        for (const a of fetches) lines.push(`aia: ${aiaLine(a)}`);
      }
      for (const w of warnings) lines.push(`warning: ${w}`);
      say(`${lines.map(neutralize).join('\n')}\n`);
      if (flags.output === undefined) io.stdout(body as string);
    }
    setExit(r.complete && !r.problems.length ? 0 : 1);
  });
  return withExamples(cmd, ["certcheck bundle leaf.pem --aia --output fullchain.pem", "certcheck bundle 10.20.4.11:443 --sni orders.corp.example.net --intermediates ./cas --json > bundle.json", "certcheck bundle leaf.pem --intermediates ./cas --format pfx --key leaf.key --password-env PFX_PASS --output backend.pfx"], 'bundle');
}
