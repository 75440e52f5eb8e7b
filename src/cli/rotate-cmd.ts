import { createPrivateKey, type KeyObject } from 'node:crypto';
import net from 'node:net';
import { Command } from 'commander';
import { InputError } from '../model/errors.js';
import { splitTarget } from '../gateway/target.js';
import type { ParsedCert } from '../x509/types.js';
import { readInputFile } from '../x509/decode.js';
import { emit, loadCertFile, parseAt, parseIntOpt, passwordProvider, type PasswordOpts } from './common.js';
import type { CliIo } from './io.js';
import { parseResolve } from './probe-cmd.js';
import { addTrustOptions, collect, loadAnchors, type VerifyFlags } from './verify-cmd.js';

interface RotateFlags extends Omit<VerifyFlags, 'host' | 'purpose'> {
  backend?: string;
  gateway?: string;
  backendSetting?: string;
  pool?: string;
  sni?: string;
  key?: string;
  timeout: string;
  resolve: string[];
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

/**
 * --gateway + --backend-setting: the gateway's own plan for that setting gives the name it checks,
 * the roots it trusts and today's backend, so the pre-flight uses exactly what the probe will.
 */
async function gatewaySetting(flags: RotateFlags): Promise<{ host: string; backend: string; trustedRoots: ParsedCert[] } | undefined> {
  if (!flags.gateway && !flags.backendSetting) return undefined;
  if (!flags.gateway || !flags.backendSetting) throw new InputError('rotate: --gateway and --backend-setting go together');
  const [{ loadGatewayConfig }, { planGateway }] = await Promise.all([import('../gateway/config.js'), import('../gateway/plan.js')]);
  const cfg = await loadGatewayConfig(flags.gateway);
  const { plans } = planGateway(cfg, { settings: [flags.backendSetting], ...(flags.pool ? { pools: [flags.pool] } : {}), allPairs: true });
  const plan = plans.find((p) => p.protocol === 'https');
  if (!plan) throw new InputError(`${flags.gateway}: no Https backend setting named "${flags.backendSetting}"${flags.pool ? ` with pool "${flags.pool}"` : ''}`);
  if (plan.sku === 'v1') throw new InputError('rotate: only the v2 SKU is supported (a v1 gateway needs the new leaf uploaded as an authentication certificate first)');
  const roots = (plan.options.trustedRoots ?? []).filter((c): c is ParsedCert => typeof c === 'object' && 'sha256' in c);
  return { host: plan.checkedName ?? plan.host, backend: `${plan.address.includes(':') ? `[${plan.address}]` : plan.address}:${plan.port}`, trustedRoots: roots };
}

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
    const pw: PasswordOpts = { ...(flags.passwordEnv ? { passwordEnv: flags.passwordEnv } : {}), ...(flags.passwordFile ? { passwordFile: flags.passwordFile } : {}) };
    const fromGateway = await gatewaySetting(flags);
    if (fromGateway) {
      flags.sni ??= fromGateway.host;
      flags.backend ??= fromGateway.backend;
    }
    let host = flags.sni;
    if (host === undefined && flags.backend) {
      const t = splitTarget(flags.backend).host;
      if (net.isIP(t) === 0) host = t;
    }
    if (host === undefined) throw new InputError('rotate: --sni NAME is required (the host name the gateway checks the certificate against)');
    const at = parseAt(flags.at);
    const decoded = await loadCertFile(file, io, pw);
    const privateKey = flags.key ? await loadPrivateKey(flags.key, io, pw) : decoded.privateKey;
    const trustedRoots = [...(await loadAnchors(flags.trustedRoot, io, pw) ?? []), ...(fromGateway?.trustedRoots ?? [])];
    const minDays = parseIntOpt('--min-days', flags.minDays, 0, 100_000);
    const { planRotation } = await import('../rotate.js');
    const report = await planRotation({
      newCerts: decoded.certificates, newKind: decoded.kind, newSource: file, host, at,
      ...(privateKey ? { privateKey } : {}),
      ...(flags.backend ? { backend: flags.backend } : {}),
      ...(trustedRoots.length ? { trustedRoots } : {}),
      caStore: flags.caStore, profile: flags.profile,
      warnDays: parseIntOpt('--warn-days', flags.warnDays, 0, 100_000) ?? 30,
      ...(minDays !== undefined ? { minDays } : {}),
      timeoutSeconds: parseIntOpt('--timeout', flags.timeout, 1, 86400)!,
      resolve: parseResolve(flags.resolve),
    });
    setExit(emit(report, io, flags));
  });
  return cmd;
}
