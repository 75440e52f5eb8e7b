/**
 * The gateway's trust-store choice (appgw-spec §3.1, §3.2): v2 uses the uploaded trusted roots when
 * a backend setting has any, else the well-known CA store; v1 trusts only uploaded authentication
 * certificates. Turns plan inputs into the judge's plan, the report's trust section and the
 * findings about the uploaded roots themselves.
 */
import { mozillaStore, systemStore, trustedStore, type TrustStore } from '../x509/store.js';
import type { ParsedCert } from '../x509/types.js';
import { summarize } from '../checks/summary.js';
import { isCA } from '../checks/path-rules.js';
import { makeFinding } from '../model/catalog.js';
import type { Finding } from '../model/findings.js';
import type { CertPlan, PlanInputs } from '../model/plan.js';
import type { TrustReport } from '../model/report.js';

export type { PlanInputs } from '../model/plan.js';

/**
 * Every probe of a sweep makes its plan from the same root objects; building the store once per
 * list also keeps its identity stable, which the judge's memo keys on. A few recent lists only.
 */
const recentStores: { kind: 'uploaded' | 'replacement'; roots: ParsedCert[]; store: TrustStore }[] = [];
function storeFor(kind: 'uploaded' | 'replacement', roots: ParsedCert[], make: () => TrustStore): TrustStore {
  const hit = recentStores.find((e) => e.kind === kind && e.roots.length === roots.length && e.roots.every((r, i) => r === roots[i]));
  if (hit) return hit.store;
  const store = make();
  recentStores.unshift({ kind, roots: [...roots], store });
  if (recentStores.length > 8) recentStores.pop();
  return store;
}

/**
 * Choose the trust store for `p` and make the judge's plan. Stores built from the same root
 * objects are reused, so the judge's memo (keyed on the store's identity) hits across a sweep.
 */
export function makePlan(p: PlanInputs): { plan: CertPlan; trust: TrustReport; inputFindings: Finding[] } {
  const inputFindings: Finding[] = [];
  let store: TrustStore;
  let trust: TrustReport;
  if (p.trustedRoots && p.trustedRoots.length) {
    const roots = p.trustedRoots;
    store = storeFor('uploaded', roots, () => trustedStore('uploaded', `uploaded trusted root certificates (${roots.length})`, roots));
    trust = { mode: 'uploaded', store: store.description, anchors: store.anchors.length, uploaded: p.trustedRoots.map((r, i) => summarize(r, i, p.at)) };
    for (const r of p.trustedRoots) {
      if (!r.selfIssued) inputFindings.push(makeFinding('UPLOADED_ROOT_NOT_SELF_SIGNED', { subject: r.subject.text, issuer: r.issuer.text }, { certSha256: r.sha256 }));
      else if (!isCA(r)) inputFindings.push(makeFinding('UPLOADED_ROOT_NOT_CA', { subject: r.subject.text }, { certSha256: r.sha256 }));
    }
  } else {
    // Only self-signed roots anchor: a store never completes what the backend failed to send. A
    // non-self-signed entry still shadows the served chain as in OpenSSL's store (trustedStore).
    const wk = p.wellKnownRoots;
    store = wk ? storeFor('replacement', wk, () => trustedStore('mozilla', `a replacement well-known store (${wk.length} roots)`, wk))
      : p.caStore === 'system' ? systemStore() : mozillaStore();
    trust = { mode: p.sku === 'v1' ? 'v1-auth-cert' : 'wellknown', store: store.description, anchors: store.anchors.length };
  }
  const { trustedRoots: _t, caStore: _c, wellKnownRoots: _w, ...rest } = p;
  const plan: CertPlan = { ...rest, trust: { mode: p.trustedRoots?.length ? 'uploaded' : 'wellknown', store } };
  return { plan, trust, inputFindings };
}

