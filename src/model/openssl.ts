import type { OpenSslError } from './findings.js';

/**
 * X509_V_ERR numbers and strings. The gateway's OpenSSL version is unpublished; v2 looks
 * nginx-based and most likely 1.1.1, so `code` uses 1.1.1 numbering (appgw-spec §6). The only
 * number that moved in 3.0 is INVALID_CA (24 → 79); `code30` records that.
 */
const T = {
  UNSPECIFIED: [1, 'unspecified certificate verification error'],
  UNABLE_TO_GET_ISSUER_CERT: [2, 'unable to get issuer certificate'],
  CERT_SIGNATURE_FAILURE: [7, 'certificate signature failure'],
  CERT_NOT_YET_VALID: [9, 'certificate is not yet valid'],
  CERT_HAS_EXPIRED: [10, 'certificate has expired'],
  ERROR_IN_CERT_NOT_BEFORE_FIELD: [13, "format error in certificate's notBefore field"],
  ERROR_IN_CERT_NOT_AFTER_FIELD: [14, "format error in certificate's notAfter field"],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, 'self-signed certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: [19, 'self-signed certificate in certificate chain'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, 'unable to get local issuer certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, 'unable to verify the first certificate'],
  CERT_CHAIN_TOO_LONG: [22, 'certificate chain too long'],
  CERT_REVOKED: [23, 'certificate revoked'],
  INVALID_CA: [24, 'invalid CA certificate'],
  PATH_LENGTH_EXCEEDED: [25, 'path length constraint exceeded'],
  INVALID_PURPOSE: [26, 'unsuitable certificate purpose'],
  CERT_UNTRUSTED: [27, 'certificate not trusted'],
  KEYUSAGE_NO_CERTSIGN: [32, 'key usage does not include certificate signing'],
  UNHANDLED_CRITICAL_EXTENSION: [34, 'unhandled critical extension'],
  INVALID_EXTENSION: [41, 'invalid or inconsistent certificate extension'],
  INVALID_NON_CA: [37, 'invalid non-CA certificate (has CA markings)'],
  PERMITTED_VIOLATION: [47, 'permitted subtree violation'],
  EXCLUDED_VIOLATION: [48, 'excluded subtree violation'],
  SUBTREE_MINMAX: [49, 'name constraints minimum and maximum not supported'],
  UNSUPPORTED_CONSTRAINT_TYPE: [51, 'unsupported name constraint type'],
  UNSUPPORTED_NAME_SYNTAX: [53, 'unsupported or invalid name syntax'],
  HOSTNAME_MISMATCH: [62, 'hostname mismatch'],
  IP_ADDRESS_MISMATCH: [64, 'IP address mismatch'],
  EE_KEY_TOO_SMALL: [66, 'EE certificate key too weak'],
  CA_KEY_TOO_SMALL: [67, 'CA certificate key too weak'],
  CA_MD_TOO_WEAK: [68, 'CA signature digest algorithm too weak'],
  UNSUPPORTED_SIGNATURE_ALGORITHM: [73, 'Cannot find certificate signature algorithm'],
  SIGNATURE_ALGORITHM_MISMATCH: [76, 'subject signature algorithm and issuer public key algorithm mismatch'],
  MISSING_AUTHORITY_KEY_IDENTIFIER: [85, 'Missing Authority Key Identifier'],
  MISSING_SUBJECT_KEY_IDENTIFIER: [86, 'Missing Subject Key Identifier'],
} as const satisfies Record<string, readonly [number, string]>;

/** An X509_V_ERR constant name without its prefix, as this table knows them. */
export type OpenSslErrorName = keyof typeof T;

/** The OpenSSL verify error of that name, numbered as the gateway's OpenSSL would (1.1.1). */
export function opensslError(name: OpenSslErrorName): OpenSslError {
  const [code, text] = T[name];
  return { code, name, text };
}

/** OpenSSL 3.x number where it differs from 1.1.1. */
export function opensslCode30(name: OpenSslErrorName): number {
  return name === 'INVALID_CA' ? 79 : T[name][0];
}
