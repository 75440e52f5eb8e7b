/**
 * A leaf made for reading at a terminal's width (issue 18, items 3 and 6): a subject DN longer than
 * 160 columns, 20 subject alternative names with the one that matches api.backend.test (a wildcard)
 * fifteenth, so past the eight a report lists without -v. Issued by the committed Intermediate A.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CERTS_DIR } from '../../src/fixtures.js';
import { fixturePemText, fixtureSigner, makeLeaf } from '../reliability/certgen.js';

export const PKI = `${CERTS_DIR}out/pki`;
export const AT = '2030-06-01T00:00:00Z';
export const LONG_HOST = 'api.backend.test';
export const LONG_SANS = [
  ...Array.from({ length: 14 }, (_, i) => `DNS:svc-${String(i + 1).padStart(2, '0')}.internal.example.net`),
  'DNS:*.backend.test',
  ...Array.from({ length: 5 }, (_, i) => `DNS:edge-${i + 1}.cdn.example.org`),
];
export const LONG_SUBJECT: [string, string][] = [
  ['O', 'certcheck test'],
  ['OU', 'Platform Engineering and Reliability Operations'],
  ['OU', 'Certificate Lifecycle Automation Working Group'],
  ['2.5.4.7', 'Amsterdam-Zuidoost Datacenter Campus'],
  ['CN', 'backend.test'],
];

/** Writes the long leaf (and Intermediate A after it) to a new directory; returns the chain file. */
export function writeLongLeaf(): { dir: string; chain: string } {
  const dir = mkdtempSync(join(tmpdir(), 'certcheck-layout-'));
  const leaf = makeLeaf(fixtureSigner('int-a'), { subject: LONG_SUBJECT, san: LONG_SANS });
  const chain = join(dir, 'long-chain.pem');
  writeFileSync(chain, leaf.pem + fixturePemText('int-a'));
  return { dir, chain };
}
