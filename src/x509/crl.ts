/**
 * X.509 CRLs (RFC 5280 §5): bytes to a ParsedCrl with the bounded DER reader. Only decoding
 * lives here; whether a CRL is usable for a certificate is revocation/crl.ts's question.
 */
import { DerError, bitString, children, expectTag, readOid, readTlv, value, whole, type Tlv } from './der.js';
import { parseTime } from './cert.js';
import { derFromInput, parseAlgId, serialKey } from './pkix.js';
import type { AlgorithmIdentifier, TimeValue } from './types.js';

/** CRLReason names by code (RFC 5280 §5.3.1); OCSP's RevokedInfo uses the same list. */
export const CRL_REASONS: Record<number, string> = {
  0: 'unspecified', 1: 'keyCompromise', 2: 'cACompromise', 3: 'affiliationChanged', 4: 'superseded',
  5: 'cessationOfOperation', 6: 'certificateHold', 8: 'removeFromCRL', 9: 'privilegeWithdrawn', 10: 'aACompromise',
};

const OID_REASON = '2.5.29.21';
const OID_DELTA = '2.5.29.27';
const OID_IDP = '2.5.29.28';
const OID_CRL_NUMBER = '2.5.29.20';

/** One revokedCertificates entry. */
export interface CrlEntry {
  revocationDate: TimeValue;
  reason?: string;
}

/** A decoded CertificateList. */
export interface ParsedCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  issuerDer: Uint8Array;
  thisUpdate: TimeValue;
  nextUpdate?: TimeValue;
  signatureAlgorithm: AlgorithmIdentifier;
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  /** serialKey() → entry. */
  revoked: Map<string, CrlEntry>;
  crlNumber?: string;
  delta: boolean;
  /** An issuingDistributionPoint restricting scope (indirect CRL, only some reasons/certs). */
  scope?: string;
}

/** More entries than any real CRL we need to judge; bounds memory for hostile input. */
export const MAX_CRL_ENTRIES = 1_000_000;

function isTime(t: Tlv | undefined): t is Tlv {
  return !!t && (t.tag === 0x17 || t.tag === 0x18);
}

function extensionsOf(t: Tlv): { oid: string; critical: boolean; value: Uint8Array }[] {
  return children(expectTag(t, 0x30, 'Extensions')).map((e) => {
    const k = children(e);
    const oidT = k[0];
    const valT = k[k.length - 1];
    if (!oidT || !valT || k.length < 2) throw new DerError('bad Extension');
    const critical = k.length === 3 && k[1]!.tag === 0x01 && value(k[1]!)[0] !== 0;
    return { oid: readOid(oidT), critical, value: value(expectTag(valT, 0x04, 'extnValue')) };
  });
}

/** Parse a CRL from DER or PEM ("X509 CRL"). Throws DerError when it does not decode. */
export function parseCrl(input: Uint8Array): ParsedCrl {
  const der = derFromInput(input, ['X509 CRL']);
  const top = expectTag(readTlv(der, 0), 0x30, 'CertificateList');
  const [tbsT, algT, sigT] = children(top);
  if (!tbsT || !algT || !sigT) throw new DerError('CertificateList is incomplete');
  const k = children(expectTag(tbsT, 0x30, 'TBSCertList'));
  let i = 0;
  if (k[0]?.tag === 0x02) i++; // version v2
  const sigAlgT = k[i++], issuerT = k[i++], thisT = k[i++];
  if (!sigAlgT || !issuerT || !isTime(thisT)) throw new DerError('TBSCertList is incomplete');
  const crl: ParsedCrl = {
    der: der.subarray(0, top.end), tbs: whole(tbsT), issuerDer: whole(expectTag(issuerT, 0x30, 'issuer')),
    thisUpdate: parseTime(thisT), signatureAlgorithm: parseAlgId(algT), tbsSignatureAlgorithm: parseAlgId(sigAlgT),
    signature: bitString(sigT).bytes, revoked: new Map(), delta: false,
  };
  if (isTime(k[i])) crl.nextUpdate = parseTime(k[i++]!);
  if (k[i]?.tag === 0x30) {
    const list = k[i++]!;
    let p = list.valueStart, n = 0;
    while (p < list.end) {
      const e = readTlv(list.buf, p, list.end);
      p = e.end;
      if (++n > MAX_CRL_ENTRIES) throw new DerError(`more than ${MAX_CRL_ENTRIES} revoked entries`);
      const [serT, dateT, extT] = children(expectTag(e, 0x30, 'revokedCertificate'));
      if (!serT || !isTime(dateT)) throw new DerError('revokedCertificate is incomplete');
      const entry: CrlEntry = { revocationDate: parseTime(dateT) };
      if (extT) {
        for (const x of extensionsOf(extT)) {
          if (x.oid === OID_REASON) {
            const r = readTlv(x.value, 0);
            const code = value(expectTag(r, 0x0a, 'reasonCode'))[0] ?? 0;
            entry.reason = CRL_REASONS[code] ?? `reason ${code}`;
          }
        }
      }
      crl.revoked.set(serialKey(serT), entry);
    }
  }
  if (k[i]?.tag === 0xa0) {
    for (const x of extensionsOf(children(k[i]!)[0] ?? k[i]!)) {
      if (x.oid === OID_DELTA) crl.delta = true;
      else if (x.oid === OID_CRL_NUMBER) crl.crlNumber = Buffer.from(value(readTlv(x.value, 0))).toString('hex');
      else if (x.oid === OID_IDP) {
        // Only a plain distributionPoint name keeps the CRL complete; any other field narrows it.
        // A malformed one leaves the CRL readable (OpenSSL decodes it and flags it invalid), but
        // its scope unknown: it then answers for no certificate (CRL_SCOPE), rather than the
        // whole file being refused.
        try {
          const fields = children(expectTag(readTlv(x.value, 0), 0x30, 'IssuingDistributionPoint')).filter((f) => f.tag !== 0xa0);
          const names: Record<number, string> = { 0x81: 'only user certificates', 0x82: 'only CA certificates', 0xa3: 'only some reasons', 0x84: 'indirect CRL', 0x85: 'only attribute certificates' };
          const narrowing = fields.filter((f) => !(f.tag === 0x81 || f.tag === 0x82) || value(f)[0] !== 0);
          if (narrowing.length) crl.scope = narrowing.map((f) => names[f.tag] ?? `field 0x${f.tag.toString(16)}`).join(', ');
        } catch (e) {
          if (!(e instanceof DerError)) throw e;
          crl.scope = 'a malformed issuingDistributionPoint';
        }
      }
    }
  }
  return crl;
}
