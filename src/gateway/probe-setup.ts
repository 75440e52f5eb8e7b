/**
 * A probe's options made into what the gateway would do: the target, the names it sends and
 * checks (names.ts), the match (match.ts), the trust store (trust.ts), with every usage error
 * thrown here, before anything is contacted.
 */
import { parseCertificate } from '../x509/cert.js';
import { pemCertificates } from '../x509/store.js';
import type { ParsedCert } from '../x509/types.js';
import { InputError } from '../model/errors.js';
import type { CertInput, ProbeOptions, ProbeSetup } from '../model/plan.js';
import { validateRevocationInputs } from '../revocation/check.js';
import { DEFAULT_STATUS_MATCH_SPEC, parseStatusMatch, validateBodyMatch } from './match.js';
import { probeNames } from './names.js';
import { splitTarget } from './target.js';
import { makePlan } from './trust.js';

/** The gateway's default probe timeout in seconds (appgw-spec §2.1). */
const DEFAULT_TIMEOUT_SECONDS = 30;

function toParsed(list: (CertInput | ParsedCert)[] | undefined, what: string): ParsedCert[] | undefined {
  if (!list?.length) return undefined;
  return list.flatMap((x) => {
    if (typeof x === 'object' && 'sha256' in x) return [x];
    const ders = typeof x === 'string' ? pemCertificates(x) : [x];
    if (!ders.length) throw new InputError(`${what}: no PEM certificate found`);
    return ders.map((d) => { try { return parseCertificate(d); } catch (e) { throw new InputError(`${what}: certificate does not decode (${(e as Error).message})`); } });
  });
}

/**
 * Make one probe ready from its options (appgw-spec §2 for the probe, §3 for TLS). Throws
 * InputError for options the gateway would refuse or that cannot describe a probe.
 */
export function setUpProbe(o: ProbeOptions): ProbeSetup {
  const { host: targetHost, port } = splitTarget(o.target, o.port);
  const sku = o.sku ?? 'v2';
  const protocol = o.protocol ?? 'https';
  const timeoutSeconds = o.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= 86400)) throw new InputError('--timeout: seconds from 1 to 86400');
  const path = o.path ?? '/';
  if (!path.startsWith('/')) throw new InputError(`--path must start with "/": ${JSON.stringify(path)}`);
  const status = parseStatusMatch(o.status ?? DEFAULT_STATUS_MATCH_SPEC);
  const body = o.body !== undefined ? validateBodyMatch(o.body) : undefined;
  const at = o.at ?? new Date();
  const names = probeNames(o, targetHost);
  const trustedRoots = toParsed(o.trustedRoots, 'trusted root');
  const wellKnownRoots = toParsed(o.wellKnownRoots, 'well-known root');
  const authCerts = toParsed(o.authCerts, 'authentication certificate');
  validateRevocationInputs(o.revocation, o.crls, o.ocspResponses);
  if (sku === 'v1' && protocol === 'https' && !authCerts) throw new InputError('--sku v1 needs --auth-cert FILE: the v1 gateway trusts only uploaded authentication certificates');
  const { plan, trust, inputFindings } = makePlan({
    sku, profile: o.profile ?? 'gateway', purpose: 'serverAuth', at, host: names.host,
    ...(names.hostSkippedReason ? { hostSkippedReason: names.hostSkippedReason } : {}),
    ...(trustedRoots ? { trustedRoots } : {}), ...(authCerts ? { authCerts } : {}), ...(wellKnownRoots ? { wellKnownRoots } : {}),
    caStore: o.caStore ?? 'mozilla', validateChainAndExpiry: o.validateChainAndExpiry ?? true,
    warnDays: o.warnDays ?? 30, ...(o.minDays !== undefined ? { minDays: o.minDays } : {}),
  });
  return {
    targetHost, port, sku, protocol, timeoutSeconds, at, names,
    http: { path, status, ...(body !== undefined ? { body } : {}) },
    plan, trust, inputFindings,
  };
}
