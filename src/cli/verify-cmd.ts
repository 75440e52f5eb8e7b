/**
 * `certcheck verify FILES...`: flags → VerifyChainOptions → the library's verifyChain → a
 * renderer. Whatever the command reports is the library's report: nothing is judged here.
 */
import { Command, Option } from 'commander';
import { InputError } from '../model/errors.js';
import { verifyChain } from '../verify.js';
import { withExamples, addRevocationOptions, addTrustOptions, emit, loadAnchors, loadCertFile, loadRevocationInputs, parseAt, passwordOpts, thresholds, type TrustFlags } from './options.js';
import type { CliIo } from './io.js';

interface VerifyFlags extends TrustFlags {
  host?: string;
  purpose: 'serverAuth' | 'clientAuth' | 'any';
}

/** Builds the `verify` command; `setExit` receives the report's exit status. */
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
    const pw = passwordOpts(flags);
    const limits = thresholds(flags);
    const served: Uint8Array[] = [];
    const inputNotes: string[] = [];
    for (const f of files) {
      const d = await loadCertFile(f, io, pw);
      served.push(...d.certificates);
      inputNotes.push(...d.notes.map((n) => `${f}: ${n}`));
    }
    // Decoded here as well, so an undecodable root is reported with its file's name.
    const trustedRoots = await loadAnchors(flags.trustedRoot, io, pw);
    const wellKnownRoots = await loadAnchors(flags.wellKnownRoot, io, pw);
    const authCerts = await loadAnchors(flags.authCert, io, pw);
    if (flags.sku === 'v1' && !authCerts) throw new InputError('--sku v1 needs --auth-cert FILE: the v1 gateway trusts only uploaded authentication certificates');
    const revInputs = await loadRevocationInputs(flags);
    const der = (l: { der: Uint8Array }[] | undefined) => l?.map((c) => c.der);
    const [leaf, ...intermediates] = served;
    if (!leaf) throw new InputError(`${files.join(', ')}: no certificate`);
    const report = await verifyChain({
      leaf, intermediates, inputs: files, inputNotes,
      ...(flags.host !== undefined ? { host: flags.host } : {}),
      sku: flags.sku, profile: flags.profile, purpose: flags.purpose, at, caStore: flags.caStore, ...limits,
      ...(trustedRoots ? { trustedRoots: der(trustedRoots)! } : {}), ...(authCerts ? { authCerts: der(authCerts)! } : {}),
      ...(wellKnownRoots ? { wellKnownRoots: der(wellKnownRoots)! } : {}),
      ...revInputs,
    });
    setExit(emit(report, io, flags));
  });
  return withExamples(cmd, ["certcheck verify fullchain.pem --host orders.corp.example.net --trusted-root root.cer", "certcheck verify backend.pfx --password-env PFX_PASS --host orders.corp.example.net", "certcheck verify leaf.pem intermediate.pem --at 2027-01-15T00:00:00Z --json"]);
}
