/**
 * X.509 CRLs (RFC 5280 §5): parsing with the bounded DER walker, and validation as OpenSSL's
 * check_crl does for a full CRL: issued under the certificate's issuer name, signed by the
 * issuer's key (cRLSign when keyUsage is present), current at `at`. Delta and indirect CRLs are
 * recognised and refused as authoritative rather than half-applied.
 */
import { DerError, bitString, children, expectTag, readOid, readTlv, value, whole, type Tlv } from '../x509/der.js';
import { parseTime } from '../x509/cert.js';
import type { AlgorithmIdentifier, ParsedCert, TimeValue } from '../x509/types.js';
import { DEFAULT_SKEW_SECONDS, derFromInput, iso, nameKeyOfDer, parseAlgId, rawSerial, sameName, serialKey, verifySignedData } from './common.js';
import { CRL_REASONS } from './ocsp.js';

const OID_REASON = '2.5.29.21';
const OID_DELTA = '2.5.29.27';
const OID_IDP = '2.5.29.28';
const OID_CRL_NUMBER = '2.5.29.20';

/** One revoked certificate in a CRL. */
export interface CrlEntry {
  revocationDate: TimeValue;
  reason?: string;
}

/** A decoded CRL (RFC 5280 §5). */
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

/** What a CRL says about one certificate. */
export interface CrlVerdict {
  /** invalid: the CRL is not usable for this certificate (never a revocation). */
  status: 'good' | 'revoked' | 'invalid';
  detail: string;
  thisUpdate?: string | null;
  nextUpdate?: string | null;
  revocationTime?: string | null;
  reason?: string;
}

/** More entries than any real CRL we need to judge; bounds memory for hostile input. */
export const MAX_CRL_ENTRIES = 1_000_000;

function sameAlg(a: AlgorithmIdentifier, b: AlgorithmIdentifier): boolean {
  return a.oid === b.oid && Buffer.compare(Buffer.from(a.params ?? []), Buffer.from(b.params ?? [])) === 0;
}

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
        const fields = children(expectTag(readTlv(x.value, 0), 0x30, 'IssuingDistributionPoint')).filter((f) => f.tag !== 0xa0);
        const names: Record<number, string> = { 0x81: 'only user certificates', 0x82: 'only CA certificates', 0xa3: 'only some reasons', 0x84: 'indirect CRL', 0x85: 'only attribute certificates' };
        const narrowing = fields.filter((f) => !(f.tag === 0x81 || f.tag === 0x82) || value(f)[0] !== 0);
        if (narrowing.length) crl.scope = narrowing.map((f) => names[f.tag] ?? `field 0x${f.tag.toString(16)}`).join(', ');
      }
    }
  }
  return crl;
}

/** The clock and the tolerated clock skew for `checkCrl`. */
export interface CrlValidateOptions {
  at: Date;
  skewSeconds?: number;
}

/** Does this CRL claim to cover certificates issued by `issuer` (by name)? */
export function crlIsFrom(crl: ParsedCrl, issuer: ParsedCert): boolean {
  return sameName(crl.issuerDer, issuer.subject.der);
}

/** Validate `crl` as the issuer's CRL and look `cert` up in it. */
export function checkCrl(crl: ParsedCrl, cert: ParsedCert, issuer: ParsedCert, o: CrlValidateOptions): CrlVerdict {
  const base = { thisUpdate: iso(crl.thisUpdate.date), nextUpdate: iso(crl.nextUpdate?.date ?? null) };
  if (!sameName(crl.issuerDer, cert.issuer.der)) {
    return { status: 'invalid', ...base, detail: `the CRL is issued by "${nameKeyOfDer(crl.issuerDer)}", not by the certificate's issuer` };
  }
  if (crl.delta) return { status: 'invalid', ...base, detail: 'a delta CRL is not a complete list; the base CRL is needed' };
  if (crl.scope) {
    const certIsCa = !!cert.basicConstraints?.ca;
    const ok = (crl.scope === 'only user certificates' && !certIsCa) || (crl.scope === 'only CA certificates' && certIsCa);
    if (!ok) return { status: 'invalid', ...base, detail: `the CRL's issuing distribution point limits its scope (${crl.scope})` };
  }
  if (!sameAlg(crl.signatureAlgorithm, crl.tbsSignatureAlgorithm)) {
    return { status: 'invalid', ...base, detail: 'the CRL\'s outer and inner signature algorithms differ' };
  }
  if (issuer.keyUsage && !issuer.keyUsage.includes('cRLSign')) {
    return { status: 'invalid', ...base, detail: `the issuer "${issuer.subject.text}" has a keyUsage without cRLSign` };
  }
  const sig = verifySignedData(issuer, crl.signatureAlgorithm, crl.tbs, crl.signature);
  if (!sig.ok) return { status: 'invalid', ...base, detail: `the CRL signature does not verify: ${sig.detail}` };
  const skew = (o.skewSeconds ?? DEFAULT_SKEW_SECONDS) * 1000;
  const now = o.at.getTime();
  if (!crl.thisUpdate.date) return { status: 'invalid', ...base, detail: `thisUpdate is not a valid time (${crl.thisUpdate.error ?? crl.thisUpdate.raw})` };
  if (crl.thisUpdate.date.getTime() > now + skew) return { status: 'invalid', ...base, detail: `the CRL is not yet valid: thisUpdate ${base.thisUpdate} is after ${iso(o.at)}` };
  if (crl.nextUpdate) {
    if (!crl.nextUpdate.date) return { status: 'invalid', ...base, detail: `nextUpdate is not a valid time (${crl.nextUpdate.error ?? crl.nextUpdate.raw})` };
    if (crl.nextUpdate.date.getTime() < now - skew) return { status: 'invalid', ...base, detail: `the CRL has expired: nextUpdate ${base.nextUpdate} is before ${iso(o.at)}` };
  }
  let key: string;
  try { key = serialKey(readTlv(rawSerial(cert), 0)); } catch (e) { return { status: 'invalid', ...base, detail: `serial number: ${(e as Error).message}` }; }
  const entry = crl.revoked.get(key);
  if (entry && entry.reason !== 'removeFromCRL') {
    const at = iso(entry.revocationDate.date);
    return { status: 'revoked', ...base, revocationTime: at, ...(entry.reason ? { reason: entry.reason } : {}),
      detail: `listed as revoked on ${at ?? 'an unknown date'}${entry.reason ? ` (${entry.reason})` : ''} in the CRL of ${base.thisUpdate}` };
  }
  return { status: 'good', ...base, detail: `not listed in the issuer's CRL of ${base.thisUpdate} (${crl.revoked.size} entries)` };
}
