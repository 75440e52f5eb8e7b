import { Command, Option } from 'commander';
import { withExamples, addRevocationOptions, addTrustOptions, collect, emit, loadAnchors, loadRevocationInputs, parseAt, parseIntOpt, parseResolve, passwordOpts, thresholds, type TrustFlags } from './options.js';
import type { CliIo } from './io.js';
import { parseTargetArg } from '../gateway/target.js';

interface ProbeFlags extends TrustFlags {
  sni?: string | false;
  hostHeader?: string;
  path: string;
  status: string;
  body?: string;
  timeout: string;
  resolve: string[];
  protocol: 'https' | 'http';
}

/** Builds the `probe` command (the default one): flags → ProbeOptions → probeBackend → a renderer. */
export function probeCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('probe')
    .description('probe a backend like the gateway\'s health probe (DNS → TCP → TLS → certificates → HTTP GET); the default command: certcheck HOST:PORT [options]')
    .argument('<target>', 'backend address: host:port (port defaults to 443), an IP, or a URL https://host[:port]/path (http:// for the Http protocol)')
    .option('--sni <name>', 'v2: the probe host (SNI, Host header and the name checked); v1: Host header only')
    .option('--no-sni', 'send no SNI')
    .option('--host-header <name>', 'Host header to send (default: the probe host)')
    .option('--path <path>', 'probe path', '/')
    .option('--status <codes>', 'healthy status codes: single codes, ranges, comma lists', '200-399')
    .option('--body <text>', 'the response body must contain this text (at most 4090 characters)')
    .option('--timeout <seconds>', 'probe timeout for the whole probe, like the gateway\'s', '30')
    .option('--resolve <name=address>', 'use this address for this name (repeatable), like curl --resolve', collect, [])
    .addOption(new Option('--protocol <protocol>', 'backend setting protocol').choices(['https', 'http']).default('https'));
  addTrustOptions(cmd);
  addRevocationOptions(cmd);
  cmd.action(async (targetArg: string, flags: ProbeFlags, command: Command) => {
    // https://host[:port]/path → target and path; http:// → the Http protocol. An explicit
    // --path or --protocol still wins.
    const url = parseTargetArg(targetArg);
    const target = url.target;
    if (url.path !== undefined && command.getOptionValueSource('path') === 'default') flags.path = url.path;
    if (url.protocol !== undefined && command.getOptionValueSource('protocol') === 'default') flags.protocol = url.protocol;
    const pw = passwordOpts(flags);
    const timeout = parseIntOpt('--timeout', flags.timeout, 1, 86400)!;
    const trustedRoots = await loadAnchors(flags.trustedRoot, io, pw);
    const wellKnownRoots = await loadAnchors(flags.wellKnownRoot, io, pw);
    const authCerts = await loadAnchors(flags.authCert, io, pw);
    const limits = thresholds(flags);
    const revInputs = await loadRevocationInputs(flags);
    // Loaded when the command runs: `verify` and `--help` should not pay for TLS, HTTP and the probe.
    const { probeBackend } = await import('../probe.js');
    const report = await probeBackend({
      ...revInputs,
      target, protocol: flags.protocol,
      ...(typeof flags.sni === 'string' ? { sni: flags.sni } : {}),
      // --no-sni arrives as sni === false
      ...(flags.sni === false ? { noSni: true } : {}),
      ...(flags.hostHeader ? { hostHeader: flags.hostHeader } : {}),
      path: flags.path, status: flags.status, ...(flags.body !== undefined ? { body: flags.body } : {}),
      timeoutSeconds: timeout, sku: flags.sku, caStore: flags.caStore, profile: flags.profile, at: parseAt(flags.at),
      ...(trustedRoots ? { trustedRoots } : {}), ...(authCerts ? { authCerts } : {}), ...(wellKnownRoots ? { wellKnownRoots } : {}),
      resolve: parseResolve(flags.resolve), ...limits,
    });
    setExit(emit(report, io, flags));
  });
  return withExamples(cmd, ["certcheck 10.20.4.11:443 --sni orders.corp.example.net --path /health/ready", "certcheck https://orders-a.corp.example.net:8443/health --trusted-root corp-root.cer", "certcheck 10.20.4.11:443 --sku v1 --auth-cert orders-leaf.cer --format junit --output certcheck.xml"]);
}
