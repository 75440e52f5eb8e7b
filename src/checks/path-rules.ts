/**
 * RFC 5280 path rules as OpenSSL 3.0's X509_verify_cert applies them to a TLS server
 * (purpose sslserver, security level 1), written as pure functions over one candidate path.
 * Each rule returns issues with a code and evidence data; the catalog words them.
 */
import { OID, opensslHandlesCritical } from '../x509/cert.js';
import { publicKeyOf, sigAlgInfo } from '../x509/signature.js';
import { nameConstraintIssues } from './name-constraints.js';
import type { CandidatePath } from '../x509/path.js';
import type { ParsedCert } from '../x509/types.js';
import type { Evidence, FindingCode, Severity } from '../model/findings.js';
import type { OpenSslErrorName } from '../model/openssl.js';
import type { Profile, Purpose } from '../model/plan.js';
import type { InvalidCaReason, StrictRuleId } from '../model/catalog.js';
import { reportTime } from '../model/time.js';

export type { Profile, Purpose } from '../model/plan.js';

/** One rule's verdict on one certificate of a candidate path, before it becomes a finding. */
export interface PathIssue {
  code: FindingCode;
  /** Position in the path (0 = leaf). */
  pathIndex: number;
  openssl?: OpenSslErrorName;
  severity: Severity;
  evidence: Evidence;
}

/** What the path rules read from the plan. */
export interface RuleContext {
  at: Date;
  purpose: Purpose;
  profile: Profile;
  checkDates: boolean;
}

/** OpenSSL's X509_check_ca: is this certificate allowed to act as a CA? */
export function isCA(c: ParsedCert): boolean {
  // OpenSSL 3.0 (measured): without basicConstraints only a self-signed v1 root counts as a CA;
  // keyCertSign alone does not make one (error 79 even without -x509_strict).
  if (c.basicConstraints) return c.basicConstraints.ca;
  return c.version === 1 && c.selfIssued;
}

function certEv(c: ParsedCert, extra: Evidence = {}): Evidence {
  return { subject: c.subject.text || '(empty subject)', sha256: c.sha256, ...extra };
}

/**
 * RFC 5280 §4.1.2.5 validity: an invalid time, a certificate never valid, not yet valid or expired
 * at the plan's `at` (OpenSSL's check_cert_time).
 */
export function dateIssues(c: ParsedCert, i: number, at: Date): PathIssue[] {
  const out: PathIssue[] = [];
  const ev = (extra: Evidence) => certEv(c, { notBefore: c.notBefore.raw && reportTime(c.notBefore.date), notAfter: reportTime(c.notAfter.date), at: reportTime(at), ...extra });
  for (const [field, t, err] of [['notBefore', c.notBefore, 'ERROR_IN_CERT_NOT_BEFORE_FIELD'], ['notAfter', c.notAfter, 'ERROR_IN_CERT_NOT_AFTER_FIELD']] as const) {
    if (!t.date) out.push({ code: 'CERT_BAD_TIME', pathIndex: i, openssl: err, severity: 'error', evidence: ev({ field, raw: t.raw, detail: t.error ?? 'invalid time' }) });
  }
  if (out.length) return out;
  const nb = c.notBefore.date!, na = c.notAfter.date!;
  if (nb > na) out.push({ code: 'CERT_NEVER_VALID', pathIndex: i, openssl: 'CERT_HAS_EXPIRED', severity: 'error', evidence: ev({}) });
  else if (at < nb) out.push({ code: 'CERT_NOT_YET_VALID', pathIndex: i, openssl: 'CERT_NOT_YET_VALID', severity: 'error', evidence: ev({}) });
  else if (at > na) out.push({ code: 'CERT_EXPIRED', pathIndex: i, openssl: 'CERT_HAS_EXPIRED', severity: 'error', evidence: ev({}) });
  return out;
}

const TLS_SERVER_KU = ['digitalSignature', 'keyEncipherment', 'keyAgreement'];

function purposeIssue(c: ParsedCert, i: number, purpose: Purpose): PathIssue | undefined {
  if (purpose === 'any') return undefined;
  const want = purpose === 'serverAuth' ? OID.ekuServerAuth : OID.ekuClientAuth;
  const eku = c.extKeyUsage;
  // OpenSSL's xku_reject: an EKU that lacks the purpose (or SGC for servers) fails, anyExtendedKeyUsage included.
  if (eku && !eku.includes(want) && !(purpose === 'serverAuth' && (eku.includes(OID.nsSGC) || eku.includes(OID.msSGC)))) {
    return { code: 'INVALID_PURPOSE', pathIndex: i, openssl: 'INVALID_PURPOSE', severity: 'error',
      evidence: certEv(c, { reason: 'extended-key-usage', extKeyUsage: eku.map(ekuName), purpose: ekuName(want) }) };
  }
  if (i === 0 && purpose === 'serverAuth' && c.keyUsage && !c.keyUsage.some((k) => TLS_SERVER_KU.includes(k))) {
    return { code: 'INVALID_PURPOSE', pathIndex: i, openssl: 'INVALID_PURPOSE', severity: 'error',
      evidence: certEv(c, { reason: 'key-usage', keyUsage: c.keyUsage }) };
  }
  return undefined;
}

/** The short name of an extended key usage OID (as OpenSSL prints it), or the OID itself. */
export function ekuName(oid: string): string {
  return ({ [OID.ekuServerAuth]: 'serverAuth', [OID.ekuClientAuth]: 'clientAuth', [OID.ekuAny]: 'anyExtendedKeyUsage',
    '1.3.6.1.5.5.7.3.3': 'codeSigning', '1.3.6.1.5.5.7.3.4': 'emailProtection', '1.3.6.1.5.5.7.3.8': 'timeStamping',
    '1.3.6.1.5.5.7.3.9': 'OCSPSigning' } as Record<string, string>)[oid] ?? oid;
}

function ncIssues(path: ParsedCert[]): PathIssue[] {
  return nameConstraintIssues(path).map((n) => ({ code: 'NAME_CONSTRAINTS_VIOLATION', pathIndex: n.pathIndex, openssl: n.openssl, severity: 'error',
    evidence: certEv(path[n.pathIndex]!, n.evidence) }));
}

function weakIssues(c: ParsedCert, i: number, anchored: boolean, last: boolean, profile: Profile): PathIssue[] {
  const out: PathIssue[] = [];
  const isAnchorTop = anchored && last;
  const info = sigAlgInfo(c.signatureAlgorithm);
  if (!isAnchorTop && info?.hash === 'md5') {
    out.push({ code: 'WEAK_SIGNATURE', pathIndex: i, openssl: 'CA_MD_TOO_WEAK', severity: 'error', evidence: certEv(c, { algorithm: info.name }) });
  } else if (!isAnchorTop && info?.hash === 'sha1') {
    // OpenSSL 3.0 counts SHA-1 signatures as 63 bits, below level 1's 80: rejected like MD5.
    out.push({ code: 'WEAK_SIGNATURE', pathIndex: i, openssl: 'CA_MD_TOO_WEAK', severity: 'error', evidence: certEv(c, { algorithm: info.name }) });
  }
  const k = c.publicKey;
  const key = publicKeyOf(c);
  if (key instanceof Error || k.algorithm === 'unknown') {
    // OpenSSL cannot use such a key and fails the certificate's security level check (66/67).
    out.push({ code: 'UNSUPPORTED_ALGORITHM', pathIndex: i, openssl: i === 0 ? 'EE_KEY_TOO_SMALL' : 'CA_KEY_TOO_SMALL', severity: 'error',
      evidence: certEv(c, { detail: key instanceof Error ? key.message : `unknown public key algorithm ${k.oid}` }) });
    return out;
  }
  if ((k.algorithm === 'rsa' || k.algorithm === 'rsa-pss' || k.algorithm === 'dsa') && k.bits !== undefined) {
    if (k.bits < 1024) {
      out.push({ code: 'WEAK_KEY', pathIndex: i, openssl: i === 0 ? 'EE_KEY_TOO_SMALL' : 'CA_KEY_TOO_SMALL', severity: 'error', evidence: certEv(c, { bits: k.bits, algorithm: k.algorithm.toUpperCase() }) });
    } else if (k.bits > 8192) {
      // Legal, but slow to verify; Go refuses TLS RSA keys above 8192 bits (CVE-2023-29409).
      out.push({ code: 'STRICT_VIOLATION', pathIndex: i, severity: profile === 'strict' ? 'error' : 'warning',
        evidence: certEv(c, { bits: k.bits, rule: 'rsa-key-too-large' satisfies StrictRuleId }) });
    } else if (k.bits < 2048) {
      // Security level 1 accepts 1024 bits; level 2 (Debian's default) and the CA/B Forum do not.
      out.push({ code: 'WEAK_KEY', pathIndex: i, openssl: i === 0 ? 'EE_KEY_TOO_SMALL' : 'CA_KEY_TOO_SMALL', severity: profile === 'strict' ? 'error' : 'warning',
        evidence: certEv(c, { bits: k.bits, algorithm: k.algorithm.toUpperCase() }) });
    }
  }
  if (k.algorithm === 'ec' && k.bits !== undefined && k.bits < 224) {
    // P-192 gives 96 bits of security: enough for level 1 (80), below level 2's 112, as RSA-1024 (measured: 66 at -auth_level 2).
    out.push({ code: 'WEAK_KEY', pathIndex: i, openssl: i === 0 ? 'EE_KEY_TOO_SMALL' : 'CA_KEY_TOO_SMALL', severity: profile === 'strict' ? 'error' : 'warning',
      evidence: certEv(c, { bits: k.bits, algorithm: `EC ${k.curve ?? ''}`.trim() }) });
  }
  if (k.algorithm === 'ec' && k.curve === 'explicit') {
    out.push({ code: 'UNSUPPORTED_ALGORITHM', pathIndex: i, severity: 'error', evidence: certEv(c, { detail: 'EC key with explicit curve parameters' }) });
  }
  return out;
}

/** The CA/Browser Forum's cap on a server certificate's validity, for certificates issued since 2020-09-01. */
const MAX_VALIDITY_DAYS = 398;

/**
 * What strict clients refuse and the gateway accepts (RFC 5280 §4.1.2.2, §4.1.2.5, §4.2.1.1,
 * §4.2.1.2, §4.2.1.9; CA/Browser Forum Baseline Requirements §7.1.2.3, §6.3.2): warnings, errors
 * only under the strict profile. Each carries its rule's id; the catalog words it.
 */
function strictIssues(c: ParsedCert, i: number, last: boolean, profile: Profile): PathIssue[] {
  const sev: Severity = profile === 'strict' ? 'error' : 'warning';
  const out: PathIssue[] = [];
  const add = (rule: StrictRuleId, data: Evidence = {}) => out.push({ code: 'STRICT_VIOLATION', pathIndex: i, severity: sev, evidence: certEv(c, { rule, ...data }) });
  if (c.version !== 3) add('x509-version', { version: c.version });
  if (i > 0 && !(c.basicConstraints?.ca)) add('ca-without-basic-constraints');
  if (i > 0 && c.basicConstraints?.ca && !c.extensions.find((e) => e.oid === OID.basicConstraints)?.critical) add('basic-constraints-not-critical');
  if (i > 0 && !c.subjectKeyId) add('ca-without-ski');
  if (!(last && c.selfIssued) && !c.authorityKeyId?.keyId) add('no-aki');
  for (const t of [c.notBefore, c.notAfter]) if (t.lint) add('time-encoding', { detail: t.lint });
  if (i === 0) {
    if (!c.subjectAltName) add('no-san');
    if (!c.extKeyUsage) add('no-eku');
    if (c.extKeyUsage?.includes(OID.ekuAny)) add('any-eku');
    if (c.notBefore.date && c.notAfter.date) {
      const days = (c.notAfter.date.getTime() - c.notBefore.date.getTime()) / 86_400_000;
      if (days > MAX_VALIDITY_DAYS && c.notBefore.date >= new Date('2020-09-01T00:00:00Z')) add('validity-too-long', { days: Math.round(days), maxDays: MAX_VALIDITY_DAYS });
    }
  }
  if (c.serialHex.length > 40) add('serial-too-long');
  // RFC 5280's structure rules that OpenSSL enforces only with -x509_strict, so the gateway does
  // not: in the strict profile they are errors, as Go's and webpki's parsers treat them.
  if (c.subject.rdns.length === 0 && c.subjectAltName && !c.extensions.find((e) => e.oid === OID.subjectAltName)?.critical) add('empty-subject-san-not-critical');
  // (On an intermediate the same fault is already INVALID_CA, an error in both profiles.)
  if (i === 0 && c.keyUsage?.includes('keyCertSign') && !c.basicConstraints?.ca) add('key-cert-sign-not-ca');
  return out;
}

/** Every rule violation on one candidate path (signatures were checked while building it). */
export function evaluatePathRules(p: CandidatePath, ctx: RuleContext): PathIssue[] {
  const path = p.certs;
  const out: PathIssue[] = [];
  let caBelow = 0; // non-self-issued intermediates below the current certificate
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const last = i === path.length - 1;
    if (ctx.checkDates) out.push(...dateIssues(c, i, ctx.at));
    for (const e of c.extensions) {
      if (e.error) {
        // OpenSSL marks such a certificate invalid and then finds no issuer for it (measured: 20).
        out.push({ code: 'MALFORMED_EXTENSION', pathIndex: i, openssl: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', severity: 'error', evidence: certEv(c, { oid: e.oid, critical: e.critical, error: e.error }) });
      } else if (e.critical && !opensslHandlesCritical(e.oid)) {
        out.push({ code: 'UNHANDLED_CRITICAL_EXTENSION', pathIndex: i, openssl: 'UNHANDLED_CRITICAL_EXTENSION', severity: 'error', evidence: certEv(c, { oid: e.oid, detail: '' }) });
      }
    }
    if (i > 0) {
      if (!isCA(c)) {
        out.push({ code: 'INVALID_CA', pathIndex: i, openssl: 'INVALID_CA', severity: 'error', evidence: certEv(c, {
          reason: (c.basicConstraints ? 'ca-false' : c.version === 1 ? 'v1-not-self-signed' : c.keyUsage?.includes('keyCertSign') ? 'key-cert-sign-only' : 'no-basic-constraints') satisfies InvalidCaReason }) });
      } else if (c.keyUsage && !c.keyUsage.includes('keyCertSign')) {
        // OpenSSL reports this as an invalid CA first (measured: 79, 24 in 1.1.1 numbering).
        out.push({ code: 'KEYUSAGE_NO_CERTSIGN', pathIndex: i, openssl: 'INVALID_CA', severity: 'error', evidence: certEv(c, { keyUsage: c.keyUsage }) });
      }
      const pl = c.basicConstraints?.pathLen;
      if (pl !== undefined && caBelow > pl) {
        out.push({ code: 'PATH_LENGTH_EXCEEDED', pathIndex: i, openssl: 'PATH_LENGTH_EXCEEDED', severity: 'error', evidence: certEv(c, { pathLen: pl, below: caBelow }) });
      }
      if (!c.selfIssued) caBelow++;
    }
    if (!(p.anchored && last)) {
      const pi = purposeIssue(c, i, ctx.purpose);
      if (pi) out.push(pi);
    }
    out.push(...weakIssues(c, i, p.anchored, last, ctx.profile));
    out.push(...strictIssues(c, i, last, ctx.profile));
  }
  out.push(...ncIssues(path));
  return out;
}
