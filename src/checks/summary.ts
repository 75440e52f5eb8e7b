/**
 * A certificate as the report lists it (CertSummary): the facts a reader needs to recognise it,
 * taken from the parsed certificate without judging it.
 */
import { certPem, escapeText, toPem } from '../x509/cert.js';
import { sigAlgInfo } from '../x509/signature.js';
import type { GeneralName, ParsedCert } from '../x509/types.js';
import type { CertSummary } from '../model/report.js';
import { reportTime } from '../model/time.js';
import { actsAsCA } from './ca-flag.js';

/** Whole days from `at` to the certificate's notAfter (negative once expired); null when notAfter is invalid. */
export function daysLeft(c: ParsedCert, at: Date): number | null {
  return c.notAfter.date ? Math.floor((c.notAfter.date.getTime() - at.getTime()) / 86_400_000) : null;
}

/** One subjectAltName entry as the report writes it ("DNS:backend.test", "IP:10.0.0.5"). */
export function sanEntryText(g: GeneralName): string {
  switch (g.type) {
    case 'dns': return `DNS:${escapeText(g.value)}`;
    case 'ip': case 'ipRange': return `IP:${g.value}`;
    case 'email': return `email:${escapeText(g.value)}`;
    case 'uri': return `URI:${escapeText(g.value)}`;
    case 'dirName': return `DirName:${g.value.text}`;
    default: return `other:${g.tag}`;
  }
}

function sanText(c: ParsedCert): string[] {
  return (c.subjectAltName ?? []).map(sanEntryText);
}

/** The report's entry for certificate `index` of a list, with days left counted from `at`. */
export function summarize(c: ParsedCert, index: number, at: Date): CertSummary {
  const k = c.publicKey;
  return {
    index,
    subject: c.subject.text || '(empty subject)',
    issuer: c.issuer.text || '(empty issuer)',
    serial: c.serialHex,
    notBefore: c.notBefore.date ? reportTime(c.notBefore.date) : `invalid: ${escapeText(c.notBefore.raw)}`,
    notAfter: c.notAfter.date ? reportTime(c.notAfter.date) : `invalid: ${escapeText(c.notAfter.raw)}`,
    daysLeft: daysLeft(c, at),
    sha256: c.sha256,
    selfSigned: c.selfIssued,
    ca: actsAsCA(c),
    key: k.algorithm === 'ec' ? `EC ${k.curve}` : k.bits ? `${k.algorithm.toUpperCase()} ${k.bits}` : k.algorithm.toUpperCase(),
    signatureAlgorithm: sigAlgInfo(c.signatureAlgorithm)?.name ?? c.signatureAlgorithm.oid,
    subjectAltName: sanText(c),
    pem: certPem(c),
  };
}

/** The report's entry for a presented certificate that does not decode. */
export function undecodable(der: Uint8Array, index: number, error: string): CertSummary {
  return { index, subject: '(does not decode)', issuer: '', serial: '', notBefore: '', notAfter: '', daysLeft: null,
    sha256: '', selfSigned: false, ca: false, key: '', signatureAlgorithm: '', subjectAltName: [], pem: toPem(der), error };
}
