import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { actsAsCA } from '../../src/checks/ca-flag.js';
import { isCA } from '../../src/checks/path-rules.js';
import { summarize } from '../../src/checks/summary.js';
import { parseCertificate } from '../../src/x509/cert.js';

const cert = (name: string) => parseCertificate(new Uint8Array(readFileSync(`certs/out/pki/${name}.der`)));
const AT = new Date('2030-06-01T00:00:00Z');

describe('the ca of a certificate summary follows X509_check_ca (issue 15 item 7)', () => {
  it('cA:TRUE with a keyUsage lacking keyCertSign is no CA; the path rules still see cA:TRUE', () => {
    const c = cert('int-nokeycertsign');
    expect(c.basicConstraints?.ca).toBe(true);
    expect(isCA(c)).toBe(true);
    expect(actsAsCA(c)).toBe(false);
    expect(summarize(c, 1, AT).ca).toBe(false);
  });
  it('an ordinary CA, a leaf and a keyCertSign-only certificate without basicConstraints', () => {
    expect(summarize(cert('int-a'), 1, AT).ca).toBe(true);
    expect(summarize(cert('root-a'), 2, AT).ca).toBe(true);
    expect(summarize(cert('leaf-a'), 0, AT).ca).toBe(false);
    expect(actsAsCA(cert('int-nobc-ku'))).toBe(false);
  });
});
