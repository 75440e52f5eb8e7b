import type { Evidence, Finding, FindingCode, OpenSslError, Severity, Stage } from './findings.js';
import { GATEWAY_MESSAGES, fillMessage, type GatewayMessageId } from './messages.js';

/**
 * One voice: every word certcheck says about a finding lives here. Checks emit a code plus
 * evidence; this table turns them into the gateway's message, our explanation and the fix.
 */
export interface Entry {
  stage: Stage;
  severity: Severity;
  /** Gateway message on the v2 SKU (and v1 unless `v1` says otherwise). */
  message?: GatewayMessageId;
  v1?: GatewayMessageId;
  explain: string;
  fix?: string;
}

const E: Record<FindingCode, Entry> = {
  DNS_FAILED: { stage: 'dns', severity: 'error', message: 'M2',
    explain: 'The name {name} did not resolve ({code}: {detail}).',
    fix: 'Check the backend FQDN and its DNS records as seen from the gateway\'s VNet (custom DNS or Azure DNS). After a DNS change, stop and start the gateway.' },
  TCP_REFUSED: { stage: 'tcp', severity: 'error', message: 'M3',
    explain: '{address} port {port} refused the connection: nothing listens there.',
    fix: 'Start the service on that port, or fix the port in the backend setting / probe.' },
  TCP_UNREACHABLE: { stage: 'tcp', severity: 'error', message: 'M3',
    explain: '{address} port {port} is unreachable ({code}).',
    fix: 'Check NSGs, UDRs, firewalls and the backend\'s own firewall between the gateway subnet and the backend.' },
  TCP_FAILED: { stage: 'tcp', severity: 'error', message: 'M3',
    explain: 'Connecting to {address} port {port} failed: {detail}.',
    fix: 'Check that the backend listens on the probe port and that nothing in the path blocks it.' },
  PROBE_TIMEOUT: { stage: 'http', severity: 'error', message: 'M1',
    explain: 'The {during} stage did not finish within the probe timeout of {timeoutSeconds} s.',
    fix: 'Find out why the backend is slow to answer, or raise the timeout in a custom probe.' },
  TLS_ALERT: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The backend ended the TLS handshake with alert {alert} ({alertName}): {detail}.',
    fix: 'Check the backend\'s TLS configuration: protocol versions (TLS 1.2 or 1.3), cipher suites, and whether it needs a particular SNI.' },
  TLS_RESET: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The connection was reset during the TLS handshake.',
    fix: 'Check that the port serves TLS and accepts the SNI the gateway sends (or none, for an IP host).' },
  TLS_CLOSED: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The backend closed the connection before the TLS handshake finished.',
    fix: 'Check that the port serves TLS and accepts the SNI the gateway sends (or none, for an IP host).' },
  TLS_PLAINTEXT: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The backend answered in plain HTTP on a port the probe uses for HTTPS.',
    fix: 'Use protocol Http in the backend setting for this port, or enable TLS on the backend.' },
  TLS_CERT_MESSAGE_TOO_LARGE: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The backend\'s certificate message is larger than OpenSSL accepts (100 KiB).',
    fix: 'Serve a smaller chain: the leaf and its intermediates only, without hundreds of SANs or extra certificates.' },
  TLS_FAILED: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The TLS handshake failed: {detail}.',
    fix: 'Check the backend\'s TLS configuration.' },
  CHAIN_NOT_CAPTURED: { stage: 'tls', severity: 'unknown',
    explain: 'The certificate list the backend sent could not be captured: {reason}. certcheck does not substitute a rebuilt chain.',
    fix: 'Retry; if it persists, compare with `openssl s_client -showcerts`.' },
  CHAIN_EMPTY: { stage: 'certificate', severity: 'error', message: 'M9',
    explain: 'No certificate was presented.',
    fix: 'Configure the server certificate and its chain on the backend.' },
  CHAIN_NO_LEAF: { stage: 'certificate', severity: 'error', message: 'M9',
    explain: 'Every presented certificate is a CA certificate; there is no server (leaf) certificate.',
    fix: 'Configure the backend to send its server certificate first, then the intermediates.' },
  CHAIN_LEAF_NOT_FIRST: { stage: 'certificate', severity: 'error', message: 'M14',
    explain: 'The server certificate is at position {leafIndex}; position 0 holds {firstSubject}.',
    fix: 'Order the chain file as leaf, intermediate(s), root.' },
  CHAIN_ONLY_LEAF: { stage: 'certificate', severity: 'error', message: 'M8', v1: 'V1b',
    explain: 'The backend sent only its server certificate; its issuer "{issuer}" is neither sent nor a trusted root.',
    fix: 'Install the intermediate certificate(s) from your CA on the backend and serve the full chain: leaf, intermediate(s), root.' },
  CHAIN_INCOMPLETE: { stage: 'certificate', severity: 'error', message: 'M8', v1: 'V1b',
    explain: 'The issuer "{issuer}" of certificate {certIndex} ({subject}) is missing from the presented chain.',
    fix: 'Add the missing intermediate certificate to the chain the backend serves.' },
  CHAIN_ROOT_NOT_SENT: { stage: 'certificate', severity: 'info',
    explain: 'The backend does not send the root certificate; the gateway uses its own copy ({anchor}).',
    fix: 'The gateway\'s documentation recommends serving the root too.' },
  CHAIN_DUPLICATE: { stage: 'certificate', severity: 'warning',
    explain: 'Certificate {certIndex} ({subject}) is sent more than once.',
    fix: 'Remove the duplicate from the chain file.' },
  CHAIN_EXTRA_CERT: { stage: 'certificate', severity: 'warning',
    explain: 'Certificate {certIndex} ({subject}) is not part of the validated path.',
    fix: 'Remove certificates that do not belong to this server\'s chain.' },
  CHAIN_OUT_OF_ORDER: { stage: 'certificate', severity: 'warning',
    explain: 'The certificates after the leaf are not in issuer order (sent: {sentOrder}; path: {pathOrder}).',
    fix: 'Order the chain file as leaf, then each issuer in turn.' },
  CHAIN_TOO_MANY_CERTS: { stage: 'certificate', severity: 'warning',
    explain: 'The backend sent {count} certificates; only the first {limit} were considered.',
    fix: 'Serve only the leaf and its intermediates.' },
  CHAIN_PATH_NOT_TAKEN: { stage: 'certificate', severity: 'warning',
    explain: 'A valid path exists ({validPath}), but the gateway\'s OpenSSL builds one chain without trying alternatives: as the issuer of "{subject}" it takes {taken}, not {alternative}.',
    fix: '{action}' },
  UNTRUSTED_ROOT: { stage: 'certificate', severity: 'error', message: 'M10', v1: 'V1b',
    explain: 'The chain ends at "{root}", which is not in the trust store ({store}).',
    fix: 'Set "Use well known CA certificate" to No in the backend setting and upload this root (.CER), or use a certificate from a public CA.' },
  UNTRUSTED_INTERMEDIATE: { stage: 'certificate', severity: 'error', message: 'M11', v1: 'V1b',
    explain: 'The top presented certificate "{subject}" is issued by "{issuer}", which is not in the trust store ({store}).',
    fix: 'Check that the intermediate belongs to a public CA and that the chain is complete; for a private CA upload its root to the backend setting.' },
  UPLOADED_ROOT_NOT_ISSUER: { stage: 'certificate', severity: 'error', message: 'M12',
    explain: 'No uploaded trusted root signed "{subject}" (issuer "{issuer}"). Uploaded: {uploaded}.',
    fix: 'Upload the root certificate that issued this chain ("{issuer}") to the backend setting.' },
  UPLOADED_ROOT_MISMATCH: { stage: 'certificate', severity: 'error', message: 'M13',
    explain: 'The backend\'s chain ends at "{root}", which is not one of the uploaded trusted roots: {uploaded}.',
    fix: 'Upload "{root}" as a trusted root in the backend setting, or serve a certificate issued under an uploaded root.' },
  UPLOADED_ROOT_NOT_CA: { stage: 'input', severity: 'warning',
    explain: 'The uploaded trusted root "{subject}" is not a CA certificate (basicConstraints CA:TRUE missing).',
    fix: 'Upload the root CA certificate, not the server certificate.' },
  UPLOADED_ROOT_NOT_SELF_SIGNED: { stage: 'input', severity: 'warning',
    explain: 'The uploaded trusted root "{subject}" is not self-signed (issuer "{issuer}"); the gateway does not use intermediates as anchors.',
    fix: 'Upload the self-signed root at the top of the chain.' },
  CERT_EXPIRED: { stage: 'certificate', severity: 'error', message: 'M7', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) expired on {notAfter} ({at} is the check time).',
    fix: 'Renew the certificate and install it with its chain; for a v1 gateway re-upload the renewed leaf.' },
  CERT_NOT_YET_VALID: { stage: 'certificate', severity: 'error', message: 'M7', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) is not valid before {notBefore} ({at} is the check time).',
    fix: 'Check the backend\'s clock and the certificate\'s dates.' },
  CERT_BAD_TIME: { stage: 'certificate', severity: 'error', message: 'M7', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) has an invalid {field}: {detail}.',
    fix: 'Reissue the certificate; its validity dates are not a real time.' },
  CERT_NEVER_VALID: { stage: 'certificate', severity: 'error', message: 'M7', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) has notBefore {notBefore} after notAfter {notAfter}: it is never valid.',
    fix: 'Reissue the certificate with correct dates.' },
  CERT_EXPIRES_SOON: { stage: 'certificate', severity: 'warning',
    explain: 'Certificate {certIndex} ({subject}) expires on {notAfter}, in {daysLeft} days.',
    fix: 'Plan the renewal.' },
  NAME_MISMATCH: { stage: 'certificate', severity: 'error', message: 'M6', v1: 'M6v1',
    explain: 'The leaf certificate does not name {host}; it presents {presented}. {reason}',
    fix: 'Set the probe or backend-setting host name to a name the certificate carries, or reissue the certificate with {host} in its Subject Alternative Name.' },
  NAME_CN_ONLY: { stage: 'certificate', severity: 'info',
    explain: 'The leaf has no Subject Alternative Name; it matched by its Common Name, which browsers and strict clients ignore.',
    fix: 'Reissue with the host name in the Subject Alternative Name extension.' },
  NAME_NOT_CHECKED: { stage: 'certificate', severity: 'info',
    explain: 'The host name was not checked: {reason}.' },
  NAME_NOTE: { stage: 'certificate', severity: 'warning',
    explain: 'Leaf name entry: {note}.' },
  BAD_SIGNATURE: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The signature on certificate {certIndex} ({subject}) does not verify with the key of "{issuer}": {detail}.',
    fix: 'The certificate is corrupt or was not issued by that CA; reinstall the certificate as issued.' },
  INVALID_CA: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) issues other certificates but is not a valid CA: {detail}.',
    fix: 'Reissue the CA certificate with basicConstraints CA:TRUE (critical) and keyUsage keyCertSign.' },
  PATH_LENGTH_EXCEEDED: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) allows {pathLen} intermediate CA(s) below it, the path has {below}.',
    fix: 'Reissue the CA with a larger pathLenConstraint, or issue the leaf from a CA higher up.' },
  KEYUSAGE_NO_CERTSIGN: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'CA certificate {certIndex} ({subject}) has a keyUsage without keyCertSign.',
    fix: 'Reissue the CA certificate with keyUsage keyCertSign.' },
  INVALID_PURPOSE: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) is not valid for TLS server authentication: {detail}.',
    fix: 'Reissue the certificate with extendedKeyUsage serverAuth (and a keyUsage that allows TLS).' },
  UNHANDLED_CRITICAL_EXTENSION: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) carries a critical extension {oid} that OpenSSL does not handle{detail}.',
    fix: 'Reissue the certificate without that extension, or with it non-critical.' },
  NAME_CONSTRAINTS_VIOLATION: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Name {name} in certificate {certIndex} ({subject}) violates the name constraints of "{constrainedBy}": {detail}.',
    fix: 'Issue the certificate from a CA whose name constraints permit this name.' },
  WEAK_SIGNATURE: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) is signed with {algorithm}, which OpenSSL rejects at security level 1.',
    fix: 'Reissue the certificate with SHA-256 or better.' },
  WEAK_KEY: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) has a {bits}-bit {algorithm} key; OpenSSL rejects RSA keys under 1024 bits at security level 1 and under 2048 at level 2.',
    fix: 'Reissue with an RSA key of at least 2048 bits or an EC P-256 key.' },
  UNSUPPORTED_ALGORITHM: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}): {detail}.',
    fix: 'Reissue with RSA, ECDSA (P-256/384/521) or Ed25519.' },
  CHAIN_TOO_LONG: { stage: 'certificate', severity: 'unknown',
    explain: 'The path is longer than {maxDepth} certificates, certcheck\'s path-building limit; OpenSSL allows up to 100, so the gateway may still accept it.',
    fix: 'Use a shorter chain.' },
  MALFORMED_CERT: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} does not decode: {detail}.',
    fix: 'Reinstall the certificate as issued.' },
  MALFORMED_EXTENSION: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) has a malformed extension: {detail}.',
    fix: 'Reissue the certificate.' },
  PATH_BUDGET_EXHAUSTED: { stage: 'certificate', severity: 'unknown',
    explain: 'Path building stopped after {signatureChecks} signature checks and {calls} steps ({limit}) without finding a valid path; the presented set is pathological.',
    fix: 'Serve only the leaf and its intermediates.' },
  STRICT_VIOLATION: { stage: 'certificate', severity: 'warning',
    explain: 'Certificate {certIndex} ({subject}): {rule}. The gateway accepts this; strict clients (browsers, Go, rustls) do not.',
    fix: '{fixHint}' },
  TRAILING_DATA: { stage: 'input', severity: 'warning',
    explain: 'Certificate {certIndex} is followed by {bytes} bytes of trailing data.',
    fix: 'Re-export the certificate.' },
  V1_AUTH_CERT_MISMATCH: { stage: 'certificate', severity: 'error', message: 'V1a',
    explain: 'The backend\'s leaf ({subject}, SHA-256 {sha256}) matches none of the uploaded authentication certificates: {uploaded}.',
    fix: 'Export the backend\'s leaf certificate as Base-64 .CER and upload it as the authentication certificate of the backend setting.' },
  V1_AUTH_CERT_PUBLIC_KEY_ONLY: { stage: 'certificate', severity: 'warning',
    explain: 'Uploaded authentication certificate {name} has the same public key as the backend\'s leaf but is a different certificate.',
    fix: 'Upload the exact certificate the backend serves.' },
  HTTP_STATUS_MISMATCH: { stage: 'http', severity: 'error', message: 'M4',
    explain: 'GET {path} answered {status}; the probe accepts {expected}.',
    fix: 'Probe a path that answers within the match (401: allow it or probe an unauthenticated path; 403/404: fix the path or host; 5xx: fix the backend), or change the status match in a custom probe.' },
  HTTP_BODY_MISMATCH: { stage: 'http', severity: 'error', message: 'M5',
    explain: 'The first {searched} bytes of the response body do not contain {expectedBody}.',
    fix: 'Look at what the backend returns and correct the probe\'s body match.' },
  HTTP_INVALID_RESPONSE: { stage: 'http', severity: 'error', message: 'M1',
    explain: 'The backend\'s HTTP response is invalid: {detail}.',
    fix: 'Fix the backend\'s HTTP response.' },
  HTTP_FAILED: { stage: 'http', severity: 'error', message: 'M1',
    explain: 'The HTTP request failed: {detail}.',
    fix: 'Check the backend application.' },
  HTTP_REDIRECT_NOT_FOLLOWED: { stage: 'http', severity: 'info',
    explain: 'The backend redirects to {location}; the probe does not follow redirects and judges the {status} itself.' },
  CERT_REVOKED: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'The {cert} ({subject}, serial {serial}) is revoked: {detail} (source: {source}).',
    fix: 'Have the CA issue a new certificate, install it with its chain on the backend (v1: upload the new leaf as the authentication certificate), and find out why it was revoked.' },
  REVOCATION_UNKNOWN: { stage: 'certificate', severity: 'warning',
    explain: 'The revocation status of the {cert} ({subject}) could not be established: {detail}.',
    fix: 'Check that the OCSP responder and CRL named in the certificate answer for it with a current response signed by its issuer.' },
  REVOCATION_UNREACHABLE: { stage: 'certificate', severity: 'warning',
    explain: 'The {what} {url} for the {cert} ({subject}) gave no answer: {detail}.',
    fix: 'The gateway needs public DNS and outbound HTTP to reach OCSP and CRL endpoints; if it cannot reach a CRL endpoint it may report the backend as Unknown. Check that the URL resolves and answers from the gateway\'s subnet.' },
  OCSP_STAPLE_INVALID: { stage: 'certificate', severity: 'warning',
    explain: 'The backend staples an OCSP response that cannot be used: {detail}.',
    fix: 'Check the backend\'s OCSP stapling: it should staple a current response from its CA\'s responder for the certificate it serves (or staple nothing).' },
  REVOCATION_GOOD: { stage: 'certificate', severity: 'info',
    explain: 'The {cert} ({subject}) is not revoked according to {sources}.' },
};

/** Every finding code's stage, severity, gateway message and wording (explanation and fix templates). */
export const CATALOG: Readonly<Record<FindingCode, Readonly<Entry>>> = E;

/** What `makeFinding` needs beyond code and evidence: which certificate, an OpenSSL error, a severity or message override, the SKU. */
export interface FindingOptions {
  certIndex?: number;
  certSha256?: string;
  openssl?: OpenSslError;
  severity?: Severity;
  sku?: 'v1' | 'v2';
  /** Override the gateway message id (e.g. when the catch-all carries an error code). */
  message?: GatewayMessageId;
}

function fmt(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.join(', ') : '(none)';
  if (v === null || v === undefined) return '';
  return String(v);
}

/** A finding worded from the catalog: the code's explanation, fix and gateway message with the evidence filled in. */
export function makeFinding(code: FindingCode, evidence: Evidence, opts: FindingOptions = {}): Finding {
  const e = E[code];
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(evidence)) values[k] = fmt(v);
  if (opts.certIndex !== undefined && values.certIndex === undefined) values.certIndex = String(opts.certIndex);
  const fill = (s: string) => s.replace(/\{([A-Za-z0-9]+)\}/g, (w, k: string) => values[k] ?? w).replace(/\s+$/, '');
  const severity = opts.severity ?? e.severity;
  const f: Finding = { code, severity, stage: e.stage, explanation: fill(e.explain), evidence };
  const msgId = opts.message ?? (opts.sku === 'v1' && e.v1 ? e.v1 : e.message);
  if (msgId && (severity === 'error' || severity === 'unknown')) {
    f.gatewayMessageId = msgId;
    const placeholders: Record<string, string | number> = { ...values };
    if (opts.openssl) placeholders.errorCode = opts.openssl.code;
    else if (placeholders.errorCode === undefined && msgId === 'M15') placeholders.errorCode = 'unknown';
    f.gatewayMessage = fillMessage(GATEWAY_MESSAGES[msgId].text, placeholders);
  }
  if (e.fix) f.fix = fill(e.fix);
  if (opts.certIndex !== undefined) f.certIndex = opts.certIndex;
  if (opts.certSha256) f.certSha256 = opts.certSha256;
  if (opts.openssl) f.openssl = opts.openssl;
  return f;
}
