/**
 * Where a plan row's values came from when they were not written literally in the document: a
 * template parameter (its default, a parameters file, the command line), a variable, the
 * deployment context. Appended to the row's reasons, so `--plan` says it beside the gateway's rules.
 */
import type { BackendSetting, PoolMember } from './config.js';

/** The parts of a plan row this reads and extends (the plan's own type lives in plan.ts). */
export interface PlanRowSources {
  host: string;
  port: number;
  path: string;
  address: string;
  sniName: string | null;
  why: { protocol: string; port: string; host: string; sni: string; path: string; timeout: string; match: string; trust: string };
  notes: string[];
}

const from = (list: (string | undefined)[]) => {
  const uniq = [...new Set(list.filter((x): x is string => !!x))];
  return uniq.length ? ` [from ${uniq.join('; ')}]` : '';
};

/** Add "[from parameter X (parameters file f.json)]" to the reasons whose values came from inputs. */
export function annotateSources(row: PlanRowSources, s: BackendSetting, m: PoolMember): void {
  const p = s.probe;
  const ps = p?.sources ?? {};
  const ss = s.sources ?? {};
  const hostFrom = p?.host && row.host === p.host ? ps.host
    : s.hostName && row.host === s.hostName ? ss.hostName
      : row.host === m.address ? m.source : undefined;
  row.why.host += from([hostFrom]);
  row.why.protocol += from([ps.protocol, ss.protocol]);
  row.why.port += from([p?.port === row.port ? ps.port : undefined, s.port === row.port ? ss.port : undefined]);
  row.why.path += from([ps.path]);
  row.why.timeout += from([ps.timeout]);
  row.why.match += from([ps.match, ps.statusCodes, ps.body]);
  row.why.trust += from([ss.trustedRootCertificates, ss.authenticationCertificates, ss.validateCertChainAndExpiry]);
  row.why.sni += from([row.sniName ? ss.sniName : hostFrom]);
  if (m.source && row.host !== m.address) row.notes.push(`the address ${m.address} comes from ${m.source}`);
}
