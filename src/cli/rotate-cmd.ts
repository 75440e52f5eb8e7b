/**
 * `certcheck rotate NEW`: flags (and, with --gateway, the gateway's plan for one backend
 * setting) → RotateOptions → the library's planRotation → a renderer.
 */
import { Command } from 'commander';
import { InputError } from '../model/errors.js';
import { withExamples, addTrustOptions, collect, emit, loadAnchors, loadCertFile, loadPrivateKey, parseAt, parseIntOpt, parseResolve, passwordOpts, thresholds, type TrustFlags } from './options.js';
import type { CliIo } from './io.js';

interface RotateFlags extends TrustFlags {
  backend?: string;
  gateway?: string;
  backendSetting?: string;
  pool?: string;
  sni?: string;
  key?: string;
  timeout: string;
  resolve: string[];
}

/** Builds the `rotate` command. */
export function rotateCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('rotate')
    .description('pre-flight a certificate rotation: predict the gateway\'s verdict once NEW is installed, compare with what the backend serves today, and list the steps in order (gateway first, then backend)')
    .argument('<new>', 'the new certificate: PFX with its key, or a PEM chain (leaf first, key inside or with --key)')
    .option('--backend <host:port>', 'the backend as it is today (probed to compare roots and intermediates); without it the check is offline')
    .option('--sni <name>', 'the probe / backend-setting host name the gateway checks the certificate against')
    .option('--key <file>', 'the private key that will be installed with the new certificate (PEM or DER)')
    .option('--timeout <seconds>', 'timeout for probing today\'s backend', '30')
    .option('--resolve <name=address>', 'use this address for this name (repeatable)', collect, [])
    .option('--gateway <config.json>', 'take the probe host, trusted roots and backend from this gateway configuration (with --backend-setting)')
    .option('--backend-setting <name>', 'the backend setting whose probe the new certificate must pass (with --gateway)')
    .option('--pool <name>', 'with --gateway: the backend pool whose first member is today\'s backend');
  addTrustOptions(cmd);
  cmd.action(async (file: string, flags: RotateFlags) => {
    if (flags.sku === 'v1' || flags.authCert?.length) throw new InputError('rotate: only the v2 SKU is supported (a v1 gateway needs the new leaf uploaded as an authentication certificate first)');
    const pw = passwordOpts(flags);
    if (!!flags.gateway !== !!flags.backendSetting) throw new InputError('rotate: --gateway and --backend-setting go together');
    const gateway = flags.gateway && flags.backendSetting ? {
      config: await (await import('../gateway/config.js')).loadGatewayConfig(flags.gateway),
      backendSetting: flags.backendSetting, ...(flags.pool ? { pool: flags.pool } : {}),
    } : undefined;
    const at = parseAt(flags.at);
    const decoded = await loadCertFile(file, io, pw);
    const privateKey = flags.key ? await loadPrivateKey(flags.key, io, pw) : decoded.privateKey;
    const trustedRoots = (await loadAnchors(flags.trustedRoot, io, pw))?.map((c) => c.der);
    const limits = thresholds(flags);
    const { planRotation } = await import('../rotate.js');
    const report = await planRotation({
      newCerts: decoded.certificates, newKind: decoded.kind, newSource: file, ...(flags.sni !== undefined ? { host: flags.sni } : {}), at,
      ...(privateKey ? { privateKey } : {}),
      ...(flags.backend ? { backend: flags.backend } : {}),
      ...(trustedRoots?.length ? { trustedRoots } : {}), ...(gateway ? { gateway } : {}),
      caStore: flags.caStore, profile: flags.profile,
      ...limits,
      timeoutSeconds: parseIntOpt('--timeout', flags.timeout, 1, 86400)!,
      resolve: parseResolve(flags.resolve),
    });
    setExit(emit(report, io, flags));
  });
  return withExamples(cmd, ["certcheck rotate new-orders.pfx --password-env PFX_PASS --backend 10.20.4.11:443 --sni orders.corp.example.net --trusted-root corp-root.cer", "certcheck rotate new-orders.pfx --password-env PFX_PASS --gateway agw.json --backend-setting bes-orders-https"]);
}
