/**
 * The parsed view of one certificate. Produced by our own DER walker (src/x509/cert.ts), not by
 * @peculiar/x509 or pkijs: those normalise impossible dates and throw away a whole certificate for
 * one bad extension (reliability-catalog §0.4, §0.9). Every field keeps enough of the raw bytes
 * that the judge can say exactly what was presented.
 */

export interface TimeValue {
  /** The characters as encoded, e.g. "230230000000Z". */
  raw: string;
  tag: 'UTCTime' | 'GeneralizedTime' | 'other';
  /** null when the text is not a real instant (month 13, Feb 30, second 60, no Z, ...). */
  date: Date | null;
  /** Why `date` is null, or a lint such as "GeneralizedTime used before 2050". */
  error?: string;
  lint?: string;
}

/** One attribute of a distinguished name. */
export interface NameAttribute {
  oid: string;
  /** Short name when known: CN, O, OU, C, L, ST, emailAddress, ... */
  short?: string;
  /** Decoded string value (UTF-8/PrintableString/IA5/BMP/Teletex as latin1). */
  value: string;
  /** ASN.1 tag of the value (12 UTF8String, 19 PrintableString, 22 IA5String, 30 BMPString, ...). */
  tag: number;
}

/** A Name: its encoding, attributes and display text. */
export interface DistinguishedName {
  /** The encoded Name, byte-exact; equality of names is compared on a canonical form (see cert.ts). */
  der: Uint8Array;
  /** RDNs in encoded order; each RDN may be multi-valued. */
  rdns: NameAttribute[][];
  /** Display text, RFC 4514 style, most significant RDN first reversed as OpenSSL's oneline? No: "CN=a, O=b" in encoded order reversed (like RFC 4514). Control characters escaped. */
  text: string;
}

/** A GeneralName (RFC 5280 §4.2.1.6), as the name checks use it. */
export type GeneralName =
  | { type: 'dns'; value: string }
  | { type: 'ip'; bytes: Uint8Array; value: string }
  | { type: 'ipRange'; bytes: Uint8Array; value: string } // only in name constraints: address + mask
  | { type: 'email'; value: string }
  | { type: 'uri'; value: string }
  | { type: 'dirName'; value: DistinguishedName }
  | { type: 'other'; tag: number; der: Uint8Array };

/** One extension as encoded: OID, criticality and value. */
export interface CertExtension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING contents. */
  value: Uint8Array;
  /** True when certcheck understands and enforces this extension. */
  known: boolean;
  /** Set when the extension is known but its value does not decode. */
  error?: string;
}

/** A certificate's public key: algorithm, size and curve. */
export interface PublicKeyInfo {
  algorithm: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';
  oid: string;
  /** RSA modulus bits, EC field bits. */
  bits?: number;
  /** EC named curve: P-256, P-384, P-521, or the OID when unknown; "explicit" for explicit parameters. */
  curve?: string;
}

/** An AlgorithmIdentifier: OID and encoded parameters. */
export interface AlgorithmIdentifier {
  oid: string;
  /** Encoded parameters, if any. */
  params?: Uint8Array;
}

/** A nameConstraints extension (RFC 5280 §4.2.1.10). */
export interface NameConstraints {
  permitted: GeneralName[];
  excluded: GeneralName[];
  /** Indexes into `permitted`/`excluded` of subtrees with a minimum other than 0 or a maximum (RFC 5280 §4.2.1.10). */
  badMinMax?: { permitted: number[]; excluded: number[] };
}

/** One certificate as the judge reads it; produced by parseCertificate. */
export interface ParsedCert {
  der: Uint8Array;
  /** Lowercase hex SHA-256 of `der`. */
  sha256: string;
  version: number; // 1, 2, 3
  serialHex: string;
  tbs: Uint8Array;
  tbsSignatureAlgorithm: AlgorithmIdentifier;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
  issuer: DistinguishedName;
  subject: DistinguishedName;
  notBefore: TimeValue;
  notAfter: TimeValue;
  /** The SubjectPublicKeyInfo, DER. */
  spki: Uint8Array;
  publicKey: PublicKeyInfo;
  extensions: CertExtension[];
  basicConstraints?: { ca: boolean; pathLen?: number };
  /** Named bits: digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly. */
  keyUsage?: string[];
  /** EKU OIDs. */
  extKeyUsage?: string[];
  subjectAltName?: GeneralName[];
  nameConstraints?: NameConstraints;
  authorityKeyId?: { keyId?: string; issuer?: GeneralName[]; serialHex?: string };
  subjectKeyId?: string;
  /**
   * Authority Information Access URIs (RFC 5280 §4.2.2.1), escaped with escapeText for display;
   * `raw` holds the decoded bytes (latin1) at the same indices, for fetching only. Without `raw` (a
   * hand-built value) the lists are taken as decoded: fetched as they are, escaped for display.
   */
  aia?: { ocsp: string[]; caIssuers: string[]; raw?: { ocsp: string[]; caIssuers: string[] } };
  /** CRL distribution point URIs (RFC 5280 §4.2.1.13), escaped with escapeText for display. */
  crlDistributionPoints?: string[];
  /** The same URIs as decoded (latin1), at the same indices, for fetching only; without it, as for `aia.raw`. */
  crlDistributionPointsRaw?: string[];
  /** subject == issuer (canonical comparison). */
  selfIssued: boolean;
  /** Bytes after the outer certificate SEQUENCE in the input it was read from. */
  trailingBytes: number;
  /** Parse-level problems that did not stop parsing (malformed non-critical extension, ...). */
  problems: string[];
}
