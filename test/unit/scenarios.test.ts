import { describe, expect, test } from 'vitest';
import { scenarios, loadServed, loadRoots } from '../../certs/scenarios.mjs';
import { verifyChain } from '../../src/verify.js';

/**
 * The scenario table drives the judge: every scenario's served list, trust and clock go through
 * verifyChain, and the verdict, the gateway message and the error codes must be what the table says.
 */
describe('scenario table through verifyChain', () => {
  for (const s of scenarios) {
    test(s.name, async () => {
      const served = loadServed(s).map((x) => x.der);
      const roots = loadRoots(s).map((x) => x.der);
      const t0 = performance.now();
      const r = await verifyChain({
        leaf: served[0]!, intermediates: served.slice(1),
        ...(s.trust.mode === 'uploaded' ? { trustedRoots: roots } : { wellKnownRoots: roots }),
        host: s.host, at: new Date(s.at),
      });
      const ms = performance.now() - t0;
      const errorCodes = r.findings.filter((f) => f.severity === 'error' || f.severity === 'unknown').map((f) => f.code);
      const warningCodes = r.findings.filter((f) => f.severity === 'warning' || f.severity === 'info').map((f) => f.code);
      const ctx = `${s.name}: ${r.status} ${r.messageId} [${errorCodes.join(',')}]`;
      if (s.orUnknown && r.status === 'Unknown') {
        expect(errorCodes, ctx).toContain('PATH_BUDGET_EXHAUSTED');
      } else {
        expect(r.status, ctx).toBe(s.expect.status);
        if (s.expect.status === 'Healthy') expect(errorCodes, ctx).toEqual([]);
        else expect(r.messageId ?? null, ctx).toBe(s.expect.message === 'OK' ? null : s.expect.message);
        for (const c of s.expect.codes) expect(errorCodes, ctx).toContain(c);
        for (const w of s.expect.warnings ?? []) expect([...warningCodes, ...errorCodes], ctx).toContain(w);
        if (s.expect.errorCode != null && r.messageId === 'M15') expect(r.primary?.openssl?.code, ctx).toBe(s.expect.errorCode);
      }
      expect(ms, `${s.name} took ${ms.toFixed(0)} ms`).toBeLessThan(s.maxMs ?? 1000);
    });
  }
});
