/**
 * `certcheck export-root TARGET|FILE`: a chain file or a live backend's chain (captureChain) →
 * findRoot (the given roots, then the store) → the root written as a Base-64 .cer.
 */
import { Command, Option } from 'commander';
import { findRoot } from '../bundle.js';
import { SELF_SIGNED_NOT_CA } from '../model/catalog.js';
import { neutralize } from '../render/junit.js';
import { VERSION } from '../version.js';
import { withExamples, addSourceOptions, chosenFormat, collect, loadAnchors, loadChainOrBackend, passwordOpts, verboseOption, type SourceFlags } from './options.js';
import type { CliIo } from './io.js';
import { checkOutputPath, writeOutputFile } from './write-output.js';

interface ExportRootFlags extends SourceFlags {
  output?: string;
  trustedRoot: string[];
  caStore: 'mozilla' | 'system';
  json?: boolean;
  format: string;
  verbose?: boolean;
}

const EXPORT_FORMATS = ['pem', 'json'] as const;

/** Builds the `export-root` command. */
export function exportRootCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('export-root')
    .description('write the root of the backend\'s chain as the Base-64 .cer the gateway accepts (the portal/certmgr export steps in one command)')
    .argument('<target-or-file>', 'HOST:PORT of a live backend, or a chain file')
    .option('--output <file>', 'write the .cer here, replacing the file whole (default: stdout); a symbolic link there is refused; stdout then gets the summary (or the JSON document)')
    .option('--trusted-root <file>', 'a root you already have (repeatable): used when the backend does not send its root', collect, [])
    .addOption(new Option('--ca-store <store>', 'store to look the root up in when the backend does not send it').choices(['mozilla', 'system']).default('mozilla'))
    .addOption(new Option('--format <format>', 'pem: the root as a Base-64 .cer (to stdout, or --output with the summary on stdout); json: stdout carries only a JSON document (schema/export-root.schema.json) with the .cer text as its "pem" field (and --output still gets the .cer)').choices([...EXPORT_FORMATS]).default('pem'))
    .option('--json', 'the same as --format json')
    .addOption(verboseOption('the summary also shows the root\'s validity and the store it was looked up in'));
  addSourceOptions(cmd);
  cmd.action(async (arg: string, flags: ExportRootFlags) => {
    const json = chosenFormat(cmd, flags, EXPORT_FORMATS) === 'json';
    const pw = passwordOpts(flags);
    // Before the backend is probed: a refused --output path should cost nothing.
    if (flags.output !== undefined) checkOutputPath(flags.output);
    const src = await loadChainOrBackend(arg, io, flags);
    // Decoded here too, so an undecodable root is reported with its file's name.
    const given = (await loadAnchors(flags.trustedRoot, io, pw)) ?? [];
    const r = findRoot({ certs: src.certs, trustedRoots: given.map((c) => c.der), caStore: flags.caStore });
    // With no --output the .cer owns stdout, so the text summary goes to stderr; JSON is stdout's only content.
    const say = flags.output !== undefined || json ? io.stdout : io.stderr;
    const doc = (o: Record<string, unknown>) => say(`${JSON.stringify({ schemaVersion: 1, tool: { name: 'certcheck', version: VERSION }, kind: 'export-root', ...o }, null, 2)}\n`);
    const what = src.from === 'backend' ? 'server' : 'file';
    if (!r.root) {
      // A lone self-signed certificate was sent, so saying "the root was not sent" would be false:
      // it is the root, only one the gateway refuses when it is not a CA.
      const msg = r.selfSigned
        ? `the ${what}'s only certificate "${r.selfSigned.subject}" is self-signed but not a CA, so nothing was written: uploading it as a trusted root will not make the backend healthy, because ${SELF_SIGNED_NOT_CA.why}. ${SELF_SIGNED_NOT_CA.fix}`
        : `the ${what} does not send the root and it is in no store given: "${r.topSubject}" is issued by "${r.missingIssuer}", which is neither sent, nor a --trusted-root, nor in ${r.store}. Get that root from the CA (or pass it with --trusted-root) and rerun.`;
      if (json) doc({ output: null, root: null, missingIssuer: r.missingIssuer, ...(r.selfSigned ? { selfSigned: r.selfSigned } : {}), notes: [], warnings: [msg], pem: null });
      else io.stderr(`${neutralize(`certcheck export-root: warning: ${msg}`)}\n`);
      setExit(1);
      return;
    }
    const root = r.root;
    const notes: string[] = [];
    if (r.selfSigned) notes.push(`the ${what} sends a single self-signed CA certificate: it is its own root, and that certificate is what was exported`);
    if (!r.sent) notes.push(`the ${what} does not send the root; it was taken from ${r.fromTrustedRoots ? 'the --trusted-root file' : r.store}`);
    if (r.inStore) notes.push('this root is in the well-known store: with "Use well known CA certificate" the gateway trusts it already; upload it only for custom-root mode');
    else notes.push('upload this file to the backend setting\'s trusted root certificates ("Use well known CA certificate": No)');
    if (r.problems.length) notes.push(...r.problems.map((p) => `path problem: ${p}`));
    // Base-64 DER in PEM armour is what the portal calls "Base-64 encoded X.509 (.CER)".
    const cer = root.pem;
    if (flags.output !== undefined) writeOutputFile(flags.output, cer);
    if (json) {
      doc({ output: flags.output ?? null, root: { subject: root.subject, sha256: root.sha256, notAfter: root.notAfter, sent: r.sent, inStore: r.inStore, ...(r.selfSigned ? { selfSigned: true } : {}) }, missingIssuer: null, notes, warnings: [], pem: cer });
    } else {
      const lines = [`certcheck export-root: ${flags.output !== undefined ? `wrote ${flags.output}` : 'root'}: ${root.subject}`, `  sha256 ${root.sha256}`];
      if (flags.verbose) lines.push(`  valid until ${root.notAfter ?? '(not a real date)'}`, `  looked up in ${r.store}`);
      lines.push(...notes.map((n) => `  note: ${n}`));
      say(`${lines.map(neutralize).join('\n')}\n`);
      if (flags.output === undefined) io.stdout(cer);
    }
    setExit(0);
  });
  return withExamples(cmd, ["certcheck export-root 10.20.4.11:443 --sni orders.corp.example.net --output root.cer", "certcheck export-root fullchain.pem --json"], 'export-root');
}
