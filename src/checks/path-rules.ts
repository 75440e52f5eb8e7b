import { OID, opensslHandlesCritical } from '../x509/cert.js';
import { publicKeyOf, sigAlgInfo } from '../x509/signature.js';
import { wildcardCovers } from '../x509/names.js';
import type { CandidatePath } from '../x509/path.js';
import type { GeneralName, ParsedCert } from '../x509/types.js';
import type { Evidence, FindingCode, Severity } from '../model/findings.js';
import type { OpenSslErrorName } from '../model/openssl.js';

/**
 * RFC 5280 path rules as OpenSSL 3.0's X509_verify_cert applies them to a TLS server
 * (purpose sslserver, security level 1), written as pure functions over one candidate path.
 */

/** `gateway`: only what the gateway enforces decides; `strict`: certcheck's stricter policy is reported too, labelled as ours. */
export type Profile = 'gateway' | 'strict';
/** The extended key usage the leaf is checked for (the gateway checks serverAuth). */
export type Purpose = 'serverAuth' | 'clientAuth' | 'any';

export interface PathIssue {
  code: FindingCode;
  /** Position in the path (0 = leaf). */
  pathIndex: number;
  openssl?: OpenSslErrorName;
  severity: Severity;
  evidence: Evidence;
}

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

export function iso(d: Date | null): string {
  return d ? d.toISOString().replace('.000Z', 'Z') : 'invalid';
}

function certEv(c: ParsedCert, extra: Evidence = {}): Evidence {
  return { subject: c.subject.text || '(empty subject)', sha256: c.sha256, ...extra };
}

export function dateIssues(c: ParsedCert, i: number, at: Date): PathIssue[] {
  const out: PathIssue[] = [];
  const ev = (extra: Evidence) => certEv(c, { notBefore: c.notBefore.raw && iso(c.notBefore.date), notAfter: iso(c.notAfter.date), at: iso(at), ...extra });
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
      evidence: certEv(c, { detail: `extendedKeyUsage is ${eku.map(ekuName).join(', ')}, without ${ekuName(want)}`, extKeyUsage: eku.map(ekuName) }) };
  }
  if (i === 0 && purpose === 'serverAuth' && c.keyUsage && !c.keyUsage.some((k) => TLS_SERVER_KU.includes(k))) {
    return { code: 'INVALID_PURPOSE', pathIndex: i, openssl: 'INVALID_PURPOSE', severity: 'error',
      evidence: certEv(c, { detail: `keyUsage ${c.keyUsage.join(', ') || '(empty)'} allows none of digitalSignature, keyEncipherment, keyAgreement` }) };
  }
  return undefined;
}

export function ekuName(oid: string): string {
  return ({ [OID.ekuServerAuth]: 'serverAuth', [OID.ekuClientAuth]: 'clientAuth', [OID.ekuAny]: 'anyExtendedKeyUsage',
    '1.3.6.1.5.5.7.3.3': 'codeSigning', '1.3.6.1.5.5.7.3.4': 'emailProtection', '1.3.6.1.5.5.7.3.8': 'timeStamping',
    '1.3.6.1.5.5.7.3.9': 'OCSPSigning' } as Record<string, string>)[oid] ?? oid;
}

function dnsWithin(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, ''), b = base.toLowerCase().replace(/\.$/, '');
  if (b === '') return true;
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

function ipWithin(ip: Uint8Array, range: Uint8Array): boolean {
  const half = range.length / 2;
  if (ip.length !== half) return false;
  for (let k = 0; k < half; k++) if ((ip[k]! & range[half + k]!) !== (range[k]! & range[half + k]!)) return false;
  return true;
}

/** Names a certificate asserts for constraint checking: SAN dNSName/iPAddress, or a host-like CN without SAN. */
function constrainedNames(c: ParsedCert, isLeaf: boolean): GeneralName[] {
  if (c.subjectAltName) return c.subjectAltName.filter((g) => g.type === 'dns' || g.type === 'ip');
  if (!isLeaf) return [];
  return c.subject.rdns.flat().filter((a) => a.short === 'CN' && /^[A-Za-z0-9*][A-Za-z0-9.*-]*\.[A-Za-z0-9-]+$/.test(a.value))
    .map((a) => ({ type: 'dns' as const, value: a.value }));
}

/** Go's limit on name-constraint comparisons; OpenSSL refuses far earlier (NAME_CHECK_MAX). */
export const MAX_NC_COMPARISONS = 250_000;

function ncIssues(path: ParsedCert[]): PathIssue[] {
  const out: PathIssue[] = [];
  let work = 0;
  for (let ci = 1; ci < path.length; ci++) {
    const nc = path[ci]!.nameConstraints;
    if (!nc) continue;
    for (let j = 0; j < ci; j++) work += constrainedNames(path[j]!, j === 0).length * (nc.permitted.length + nc.excluded.length);
  }
  if (work > MAX_NC_COMPARISONS) {
    const c = path[0]!;
    return [{ code: 'NAME_CONSTRAINTS_VIOLATION', pathIndex: 0, openssl: 'UNSPECIFIED', severity: 'error',
      evidence: certEv(c, { name: '(all names)', constrainedBy: 'the CAs on the path', detail: `checking would take ${work} name/constraint comparisons, over the budget of ${MAX_NC_COMPARISONS}; OpenSSL refuses such chains too` }) }];
  }
  for (let ci = 1; ci < path.length; ci++) {
    const nc = path[ci]!.nameConstraints;
    if (!nc) continue;
    for (let j = 0; j < ci; j++) {
      const c = path[j]!;
      if (j > 0 && c.selfIssued) continue;
      for (const n of constrainedNames(c, j === 0)) {
        const v = n.type === 'dns' ? n.value : n.type === 'ip' ? n.value : '';
        let problem: string | undefined;
        let err: OpenSslErrorName = 'PERMITTED_VIOLATION';
        if (n.type === 'dns') {
          const ex = nc.excluded.find((e) => e.type === 'dns' && (dnsWithin(n.value.replace(/^\*\./, 'x.'), e.value) ||
            (n.value.startsWith('*.') && (dnsWithin(e.value, n.value.slice(2)) || wildcardCovers(n.value, e.value.replace(/^\./, ''))))));
          if (ex && ex.type === 'dns') { problem = `excluded subtree ${ex.value}${n.value.startsWith('*.') ? ' (a wildcard that could cover an excluded name is rejected)' : ''}`; err = 'EXCLUDED_VIOLATION'; }
          const perm = nc.permitted.filter((p) => p.type === 'dns');
          if (!problem && perm.length && !perm.some((p) => p.type === 'dns' && dnsWithin(n.value.replace(/^\*\./, 'x.'), p.value))) {
            problem = `not within permitted subtrees ${perm.map((p) => (p as { value: string }).value).join(', ')}`;
          }
        } else if (n.type === 'ip') {
          const ex = nc.excluded.find((e) => e.type === 'ipRange' && ipWithin(n.bytes, e.bytes));
          if (ex) { problem = `excluded subtree ${ex.type === 'ipRange' ? ex.value : ''}`; err = 'EXCLUDED_VIOLATION'; }
          const perm = nc.permitted.filter((p) => p.type === 'ipRange');
          if (!problem && perm.length && !perm.some((p) => p.type === 'ipRange' && ipWithin(n.bytes, p.bytes))) problem = 'not within the permitted IP ranges';
        }
        if (problem) out.push({ code: 'NAME_CONSTRAINTS_VIOLATION', pathIndex: j, openssl: err, severity: 'error',
          evidence: certEv(c, { name: v, constrainedBy: path[ci]!.subject.text, detail: problem }) });
      }
    }
  }
  return out;
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
        evidence: certEv(c, { bits: k.bits, rule: `RSA key of ${k.bits} bits; Go and some clients refuse RSA keys above 8192 bits`, fixHint: 'Reissue with a 2048-4096-bit RSA key or an EC key.' }) });
    } else if (k.bits < 2048) {
      // Security level 1 accepts 1024 bits; level 2 (Debian's default) and the CA/B Forum do not.
      out.push({ code: 'WEAK_KEY', pathIndex: i, openssl: i === 0 ? 'EE_KEY_TOO_SMALL' : 'CA_KEY_TOO_SMALL', severity: profile === 'strict' ? 'error' : 'warning',
        evidence: certEv(c, { bits: k.bits, algorithm: k.algorithm.toUpperCase() }) });
    }
  }
  if (k.algorithm === 'ec' && k.curve === 'explicit') {
    out.push({ code: 'UNSUPPORTED_ALGORITHM', pathIndex: i, severity: 'error', evidence: certEv(c, { detail: 'EC key with explicit curve parameters' }) });
  }
  return out;
}

function strictIssues(c: ParsedCert, i: number, last: boolean, profile: Profile): PathIssue[] {
  const sev: Severity = profile === 'strict' ? 'error' : 'warning';
  const out: PathIssue[] = [];
  const add = (rule: string, fixHint: string) => out.push({ code: 'STRICT_VIOLATION', pathIndex: i, severity: sev, evidence: certEv(c, { rule, fixHint }) });
  if (c.version !== 3) add(`X.509 version ${c.version} certificate (RFC 5280 requires v3 for certificates with extensions and for CAs)`, 'Reissue as an X.509 v3 certificate.');
  if (i > 0 && !(c.basicConstraints?.ca)) add('CA certificate without basicConstraints CA:TRUE (RFC 5280 §4.2.1.9)', 'Reissue the CA with basicConstraints CA:TRUE, critical.');
  if (i > 0 && c.basicConstraints?.ca && !c.extensions.find((e) => e.oid === OID.basicConstraints)?.critical) add('basicConstraints not marked critical on a CA (RFC 5280 §4.2.1.9)', 'Mark basicConstraints critical.');
  if (i > 0 && !c.subjectKeyId) add('CA certificate without subjectKeyIdentifier (RFC 5280 §4.2.1.2)', 'Reissue with a subjectKeyIdentifier.');
  if (!(last && c.selfIssued) && !c.authorityKeyId?.keyId) add('no authorityKeyIdentifier (RFC 5280 §4.2.1.1)', 'Reissue with an authorityKeyIdentifier.');
  for (const t of [c.notBefore, c.notAfter]) if (t.lint) add(t.lint, 'Reissue with UTCTime for dates before 2050.');
  if (i === 0) {
    if (!c.subjectAltName) add('no subjectAltName; browsers and the CA/Browser Forum ignore the Common Name', 'Reissue with the host names in subjectAltName.');
    if (!c.extKeyUsage) add('no extendedKeyUsage; the CA/Browser Forum requires serverAuth', 'Reissue with extendedKeyUsage serverAuth.');
    if (c.extKeyUsage?.includes(OID.ekuAny)) add('anyExtendedKeyUsage on a server certificate (CA/Browser Forum)', 'Reissue with extendedKeyUsage serverAuth only.');
    if (c.notBefore.date && c.notAfter.date) {
      const days = (c.notAfter.date.getTime() - c.notBefore.date.getTime()) / 86_400_000;
      if (days > 398 && c.notBefore.date >= new Date('2020-09-01T00:00:00Z')) add(`validity of ${Math.round(days)} days exceeds the 398 days browsers accept`, 'Reissue with a validity of at most 398 days.');
    }
  }
  if (c.serialHex.length > 40) add('serial number longer than 20 octets (RFC 5280 §4.1.2.2)', 'Reissue with a shorter serial number.');
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
        out.push({ code: 'MALFORMED_EXTENSION', pathIndex: i, openssl: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', severity: 'error', evidence: certEv(c, { oid: e.oid, detail: `${e.oid}${e.critical ? ' (critical)' : ''}: ${e.error}` }) });
      } else if (e.critical && !opensslHandlesCritical(e.oid)) {
        out.push({ code: 'UNHANDLED_CRITICAL_EXTENSION', pathIndex: i, openssl: 'UNHANDLED_CRITICAL_EXTENSION', severity: 'error', evidence: certEv(c, { oid: e.oid, detail: '' }) });
      }
    }
    if (i > 0) {
      if (!isCA(c)) {
        out.push({ code: 'INVALID_CA', pathIndex: i, openssl: 'INVALID_CA', severity: 'error', evidence: certEv(c, {
          detail: c.basicConstraints ? 'basicConstraints says CA:FALSE' : c.version === 1 ? 'X.509 v1 certificate that is not self-signed' : c.keyUsage?.includes('keyCertSign') ? 'no basicConstraints extension (keyCertSign alone does not make a CA for OpenSSL)' : 'no basicConstraints extension' }) });
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
