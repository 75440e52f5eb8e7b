import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { isIPv4, isIPv6 } from '../../src/x509/ip.js';

/** src/x509/ip.ts stands in for node:net's checks (so verify loads no networking): it must agree with them. */
describe('isIPv4 / isIPv6 agree with node:net', () => {
  const same = (s: string) => {
    expect(isIPv4(s), `isIPv4(${JSON.stringify(s)})`).toBe(net.isIPv4(s));
    expect(isIPv6(s), `isIPv6(${JSON.stringify(s)})`).toBe(net.isIPv6(s));
  };

  it('on hand-picked edge cases', () => {
    for (const s of ['', '1.2.3.4', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', ' 1.2.3.4', '1.2.3.4\n',
      '::', '::1', '1::', 'fe80::1%eth0', 'fe80::1%', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:1.2.3.4',
      '12345::', 'g::1', ':::', '1::2::3', '[::1]', 'backend.test', 'localhost', '0x7f.0.0.1',
      '1.2.3.4::', '::1.2.3.4', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '1::2:3:4:5:6:7:8', '1:2:3:4:5:6::1.2.3.4', '1:2:3:4:5::1.2.3.4',
      '::%a', '%a', '1::%', 'a:b:c:d:e:f:1.2.3.4%x:y', ':1', '1:', ':1:2:3:4:5:6:7:8', '::1::', '1:2:3:4:5:6:7:8::', '::1\n', '1.2.3.4:1::']) same(s);
  });

  it('on generated addresses and near-misses', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '999', ''));
    const v4 = fc.array(octet, { minLength: 2, maxLength: 5 }).map((a) => a.join('.'));
    const group = fc.oneof(fc.integer({ min: 0, max: 0xfffff }).map((n) => n.toString(16)), fc.constantFrom('', 'G', '1.2.3.4'));
    const v6 = fc.array(group, { minLength: 1, maxLength: 10 }).map((a) => a.join(':'));
    const zone = fc.option(fc.stringMatching(/^%[a-z0-9.:-]{0,4}$/), { nil: '' });
    // Near-valid IPv6: n groups, an optional "::" somewhere, an optional IPv4 tail.
    const shaped = fc.tuple(fc.array(fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)), { minLength: 0, maxLength: 9 }), fc.integer({ min: -1, max: 9 }), fc.boolean(), zone)
      .map(([gs, cut, v4tail, z]) => {
        const g = v4tail ? [...gs, '10.0.0.1'] : gs;
        return (cut >= 0 && cut <= g.length ? `${g.slice(0, cut).join(':')}::${g.slice(cut).join(':')}` : g.join(':')) + z;
      });
    fc.assert(fc.property(fc.oneof(v4, fc.tuple(v6, zone).map(([a, z]) => a + z), shaped, fc.string({ maxLength: 12 })), (s) => { same(s); }), { numRuns: 20000 });
  });
});
