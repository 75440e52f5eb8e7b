/**
 * Whether a certificate counts as a CA where OpenSSL asks X509_check_ca outside path validation:
 * the `ca` of each certificate in the report, and which presented certificate is the leaf.
 */
import type { ParsedCert } from '../x509/types.js';
import { isCA } from './path-rules.js';

/**
 * OpenSSL's X509_check_ca (v3_purp.c check_ca), as far as certcheck applies it: a keyUsage that is
 * present without keyCertSign makes any certificate no CA (ku_reject comes first), otherwise the
 * judge's isCA. Measured with `openssl x509 -purpose` ("SSL server CA : No" for cA:TRUE with
 * keyUsage digitalSignature) and `openssl verify` (such a certificate served first is the leaf and
 * the chain verifies). X509_check_ca's tolerated CAs without basicConstraints (keyCertSign alone,
 * Netscape cert types) stay no CA, as isCA has them: OpenSSL 3.0 refuses them as intermediates.
 */
export function actsAsCA(c: ParsedCert): boolean {
  if (c.keyUsage !== undefined && !c.keyUsage.includes('keyCertSign')) return false;
  return isCA(c);
}
