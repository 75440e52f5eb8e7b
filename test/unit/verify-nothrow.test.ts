/**
 * Issue 14, item 3: the library never throws for a well-formed call. verifyChain gets arbitrary
 * host strings, check times, purposes, profiles and certificate bytes; it must return a report
 * every time, or fail with a documented usage error (InputError: an undecodable PEM, an invalid
 * date, a host that is no host name at all) — never any other exception. A host name OpenSSL's
 * host check takes (an underscore in it) is checked, not refused.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { verifyChain } from '../../src/verify.js';
import { fixturePem } from '../../src/fixtures.js';
import { isInputError } from '../../src/model/errors.js';

const leaf = fixturePem('leaf-a'), intA = fixturePem('int-a'), rootA = fixturePem('root-a');

describe('verifyChain never throws for a well-formed call', () => {
  test('a host name with an underscore is a finding, not a throw', async () => {
    const r = await verifyChain({ leaf, intermediates: [intA], trustedRoots: [rootA], host: 'foo_bar.example.com', at: new Date('2030-06-01T00:00:00Z') });
    expect(r.status).toBe('Unhealthy');
    expect(r.primary?.code).toBe('NAME_MISMATCH');
    expect(r.host).toBe('foo_bar.example.com');
  });

  test('arbitrary hosts, times, purposes, profiles and bytes: a report or an InputError', { timeout: 60_000 }, async () => {
    const hostChars = fc.constantFrom(...'abcXYZ019-._*:[]%/@ \u0000\u00fc\u0130\u202e'.split(''));
    const host = fc.oneof(fc.string({ unit: hostChars, maxLength: 40 }), fc.constantFrom('backend.test', 'foo_bar.example.com', '10.0.0.1', '::1', 'BACKEND.TEST.', 'xn--bcher-kva.example'));
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(new Uint8Array(Buffer.from(leaf.replace(/-----[^-]+-----|\s/g, ''), 'base64'))));
    await fc.assert(fc.asyncProperty(
      host, fc.date({ min: new Date(-8.64e15 + 1), max: new Date(8.64e15 - 1), noInvalidDate: false }),
      fc.constantFrom('serverAuth', 'clientAuth', 'any'), fc.constantFrom('gateway', 'strict'), fc.boolean(), bytes,
      async (h, at, purpose, profile, withChain, leafBytes) => {
        try {
          const r = await verifyChain({ leaf: withChain ? leaf : leafBytes, ...(withChain ? { intermediates: [intA] } : {}), trustedRoots: [rootA], host: h, at,
            purpose: purpose as 'serverAuth', profile: profile as 'gateway' });
          expect(['Healthy', 'Unhealthy', 'Unknown']).toContain(r.status);
        } catch (e) {
          if (!isInputError(e)) throw e;
        }
      }), { numRuns: 300 });
  });
});
