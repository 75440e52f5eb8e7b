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
  /**
   * Placeholder values worded from the evidence, for findings whose sentence depends on which
   * case the evidence names (a strict rule's id, where the path parts): rules emit the data, the
   * words stay here.
   */
  words?: (ev: Evidence) => Record<string, string>;
}

/** The strict-profile rules (STRICT_VIOLATION's `rule` evidence): what each says and how to fix it. */
export const STRICT_RULES = {
  'x509-version': { text: 'X.509 version {version} certificate (RFC 5280 requires v3 for certificates with extensions and for CAs)', fix: 'Reissue as an X.509 v3 certificate.' },
  'ca-without-basic-constraints': { text: 'CA certificate without basicConstraints CA:TRUE (RFC 5280 §4.2.1.9)', fix: 'Reissue the CA with basicConstraints CA:TRUE, critical.' },
  'basic-constraints-not-critical': { text: 'basicConstraints not marked critical on a CA (RFC 5280 §4.2.1.9)', fix: 'Mark basicConstraints critical.' },
  'ca-without-ski': { text: 'CA certificate without subjectKeyIdentifier (RFC 5280 §4.2.1.2)', fix: 'Reissue with a subjectKeyIdentifier.' },
  'no-aki': { text: 'no authorityKeyIdentifier (RFC 5280 §4.2.1.1)', fix: 'Reissue with an authorityKeyIdentifier.' },
  'time-encoding': { text: '{detail}', fix: 'Reissue with UTCTime for dates before 2050.' },
  'no-san': { text: 'no subjectAltName; browsers and the CA/Browser Forum ignore the Common Name', fix: 'Reissue with the host names in subjectAltName.' },
  'no-eku': { text: 'no extendedKeyUsage; the CA/Browser Forum requires serverAuth', fix: 'Reissue with extendedKeyUsage serverAuth.' },
  'any-eku': { text: 'anyExtendedKeyUsage on a server certificate (CA/Browser Forum)', fix: 'Reissue with extendedKeyUsage serverAuth only.' },
  'validity-too-long': { text: 'validity of {days} days exceeds the {maxDays} days browsers accept', fix: 'Reissue with a validity of at most {maxDays} days.' },
  'serial-too-long': { text: 'serial number longer than 20 octets (RFC 5280 §4.1.2.2)', fix: 'Reissue with a shorter serial number.' },
  'rsa-key-too-large': { text: 'RSA key of {bits} bits; Go and some clients refuse RSA keys above 8192 bits', fix: 'Reissue with a 2048-4096-bit RSA key or an EC key.' },
  'empty-subject-san-not-critical': { text: 'an empty subject with a subjectAltName that is not critical (RFC 5280 §4.1.2.6, §4.2.1.6)', fix: 'Mark the subjectAltName critical, or give the certificate a subject.' },
  'key-cert-sign-not-ca': { text: 'keyCertSign in keyUsage on a certificate that is not a CA (RFC 5280 §4.2.1.3: keyCertSign requires basicConstraints CA:TRUE)', fix: 'Reissue without keyCertSign, or as a CA with basicConstraints CA:TRUE.' },
} as const satisfies Record<string, { text: string; fix: string }>;
/** The id of a strict-profile rule. */
export type StrictRuleId = keyof typeof STRICT_RULES;

/** Fill `{name}` placeholders from evidence values; unknown names stay as written. */
function fillFrom(template: string, ev: Evidence): string {
  return template.replace(/\{([A-Za-z0-9]+)\}/g, (w, k: string) => (ev[k] === undefined ? w : fmt(ev[k])));
}

/** Why a certificate on the path is not a CA (INVALID_CA's `reason` evidence), as OpenSSL's X509_check_ca sees it. */
export const INVALID_CA_REASONS = {
  'ca-false': 'basicConstraints says CA:FALSE',
  'v1-not-self-signed': 'X.509 v1 certificate that is not self-signed',
  'key-cert-sign-only': 'no basicConstraints extension (keyCertSign alone does not make a CA for OpenSSL)',
  'no-basic-constraints': 'no basicConstraints extension',
} as const;
/** The id of a reason a certificate is not a CA. */
export type InvalidCaReason = keyof typeof INVALID_CA_REASONS;

/** A list from the evidence, comma-separated, or `empty` when it has nothing. */
function list(v: unknown, empty: string): string {
  return Array.isArray(v) && v.length ? v.join(', ') : empty;
}

/**
 * A failed handshake has no X509 error; M15's {errorCode} slot says so instead (a TLS finding
 * carries no `errorCode` evidence of its own).
 */
function handshakeWords(): Record<string, string> {
  return { errorCode: 'none (the TLS handshake failed before certificate verification)' };
}

/** CHAIN_PATH_NOT_TAKEN: an issuer by name and where it came from, or that there was none. */
function issuerAt(subject: unknown, index: unknown): string {
  if (typeof subject !== 'string') return 'no issuer at all';
  return `"${subject}" ${typeof index === 'number' ? `sent at position ${index}` : 'from the trust store'}`;
}

/**
 * Serving the root: one position everywhere certcheck speaks of it (findings, bundle, rotate).
 * Microsoft Learn, "Troubleshoot backend health issues in Application Gateway" (TS-2024, "The
 * intermediate certificate was not found", "Leaf must be topmost in chain"): "We recommend
 * installing the complete chain on the backend server, including the Root CA certificate"; and
 * "Overview of TLS termination and end to end TLS with Application Gateway" (v2 note): "it is
 * recommended the backend server certificate contain both the root and intermediate CAs". It is a
 * recommendation, not a condition: the gateway checks the chain against its own copy of the root
 * (an uploaded trusted root or its well-known store), and the same page's M12 case is a backend
 * with "only Leaf and Intermediate certificates installed" that is healthy once the right root is
 * uploaded.
 */
export const ROOT_SERVING = 'the gateway\'s documentation recommends serving the root too, after the intermediates; the verdict does not depend on it, as the gateway checks the chain against its own copy of the root, uploaded or well-known';

/**
 * A self-signed certificate that is not a CA, as the gateway sees it: why it fails even when
 * uploaded as its own trusted root, and what works instead. Troubleshoot backend health issues
 * (TS-2024, "The intermediate certificate was not found"): "A self-signed certificate which is NOT
 * a Certificate Authority will also result in the same error. This is because application gateway
 * considers such self-signed certificate as 'Leaf' certificate and looks for its signing
 * Intermediate certificate"; the fix follows "Generate an Azure Application Gateway self-signed
 * certificate with a custom root CA" (and azure-docs#60015: the root needs basicConstraints CA:TRUE).
 */
export const SELF_SIGNED_NOT_CA = {
  why: 'the gateway treats a self-signed certificate that is not a CA (no basicConstraints CA:TRUE) as a leaf and looks for the intermediate that issued it, even when the certificate itself is uploaded as a trusted root',
  fix: 'Issue the backend\'s certificate from a CA of your own: create a root CA certificate with basicConstraints CA:TRUE, sign the server certificate with it, serve the server certificate (and the root), and upload the root (.CER) to the backend setting\'s trusted root certificates (Microsoft Learn: "Generate an Azure Application Gateway self-signed certificate with a custom root CA"). Or reissue the self-signed certificate with basicConstraints CA:TRUE (and a keyUsage, if any, with both keyCertSign and digitalSignature) and upload that. A certificate from a well-known CA needs no upload.',
} as const;

/** CHAIN_ONLY_LEAF: the sentence for a self-signed certificate that is not a CA, uploaded or not, or for a leaf whose issuer is missing. */
function onlyLeafWords(ev: Evidence): Record<string, string> {
  if (ev.selfSigned !== true) {
    return { situation: `its issuer "${fmt(ev.issuer)}" is neither sent nor a trusted root.`, action: 'Install the intermediate certificate(s) from your CA on the backend and serve the full chain: leaf, intermediate(s), root.' };
  }
  return {
    situation: ev.inTrustStore === true
      ? `it is self-signed and not a CA. It is itself a trusted root here (${fmt(ev.store)}), but ${SELF_SIGNED_NOT_CA.why}.`
      : `it is self-signed and not a CA, and ${SELF_SIGNED_NOT_CA.why}.`,
    action: SELF_SIGNED_NOT_CA.fix,
  };
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
    words: handshakeWords,
    explain: 'The backend ended the TLS handshake with alert {alert} ({alertName}): {detail}.',
    fix: 'Check the backend\'s TLS configuration: protocol versions (TLS 1.2 or 1.3), cipher suites, and whether it needs a particular SNI.' },
  TLS_RESET: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    words: handshakeWords,
    explain: 'The connection was reset during the TLS handshake.',
    fix: 'Check that the port serves TLS and accepts the SNI the gateway sends (or none, for an IP host).' },
  TLS_CLOSED: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    words: handshakeWords,
    explain: 'The backend closed the connection before the TLS handshake finished.',
    fix: 'Check that the port serves TLS and accepts the SNI the gateway sends (or none, for an IP host).' },
  TLS_PLAINTEXT: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    words: handshakeWords,
    explain: 'The backend answered in plain HTTP on a port the probe uses for HTTPS.',
    fix: 'Use protocol Http in the backend setting for this port, or enable TLS on the backend.' },
  TLS_CERT_MESSAGE_TOO_LARGE: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    words: handshakeWords,
    explain: 'The backend\'s certificate message is larger than OpenSSL accepts (100 KiB).',
    fix: 'Serve a smaller chain: the leaf, its intermediates and the root only, without hundreds of SANs or extra certificates.' },
  TLS_FAILED: { stage: 'tls', severity: 'error', message: 'M15', v1: 'V1b',
    words: handshakeWords,
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
    fix: 'Configure the backend to send its server certificate first, then the intermediates, then the root.' },
  CHAIN_LEAF_NOT_FIRST: { stage: 'certificate', severity: 'error', message: 'M14',
    explain: 'The server certificate is at position {leafIndex}; position 0 holds {firstSubject}.',
    fix: 'Order the chain file as leaf, intermediate(s), root.' },
  CHAIN_ONLY_LEAF: { stage: 'certificate', severity: 'error', message: 'M8', v1: 'V1b',
    explain: 'The backend sent only its server certificate; {situation}',
    words: onlyLeafWords,
    fix: '{action}' },
  CHAIN_INCOMPLETE: { stage: 'certificate', severity: 'error', message: 'M8', v1: 'V1b',
    explain: 'The issuer "{issuer}" of certificate {certIndex} ({subject}) is missing from the presented chain.',
    fix: 'Add the missing intermediate certificate to the chain the backend serves.' },
  CHAIN_ROOT_NOT_SENT: { stage: 'certificate', severity: 'info',
    explain: 'The backend does not send the root certificate; the gateway uses its own copy ({anchor}).',
    fix: `Optional: ${ROOT_SERVING}.` },
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
    fix: 'Serve only the leaf, its intermediates and the root.' },
  CHAIN_PATH_NOT_TAKEN: { stage: 'certificate', severity: 'warning',
    explain: 'A valid path exists ({validPath}), but the gateway\'s OpenSSL builds one chain without trying alternatives: as the issuer of "{subject}" it takes {taken}, not {alternative}.',
    fix: '{action}',
    words: (ev) => ({
      taken: issuerAt(ev.takenSubject, ev.takenIndex),
      alternative: issuerAt(ev.alternativeSubject, ev.alternativeIndex),
      action: typeof ev.takenSubject !== 'string' ? `Serve exactly the certificates of the valid path, in its order: ${fmt(ev.validPath)}.`
        : typeof ev.takenIndex === 'number' ? `Remove the certificate sent at position ${ev.takenIndex} ("${ev.takenSubject}") from the chain the backend serves, or send ${issuerAt(ev.alternativeSubject, ev.alternativeIndex)} before it.`
        : `Remove "${ev.takenSubject}" from the trusted roots; it has the issuer's name but not its key.`,
    }) },
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
    // The reason is a clause that may begin with a lowercase word or a host name: it goes in
    // brackets rather than after a full stop, where it would read as a sentence without a capital.
    words: (ev) => ({ reasonText: ev.reason ? ` (${fmt(ev.reason)})` : '' }),
    explain: 'The leaf certificate does not name {host}; it presents {presented}{reasonText}.',
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
    explain: 'Certificate {certIndex} ({subject}) issues other certificates but is not a valid CA: {reasonText}.',
    words: (ev) => ({ reasonText: INVALID_CA_REASONS[ev.reason as InvalidCaReason] ?? fmt(ev.reason) }),
    fix: 'Reissue the CA certificate with basicConstraints CA:TRUE (critical) and keyUsage keyCertSign.' },
  PATH_LENGTH_EXCEEDED: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) allows {pathLen} intermediate CA(s) below it, the path has {below}.',
    fix: 'Reissue the CA with a larger pathLenConstraint, or issue the leaf from a CA higher up.' },
  KEYUSAGE_NO_CERTSIGN: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'CA certificate {certIndex} ({subject}) has a keyUsage without keyCertSign.',
    fix: 'Reissue the CA certificate with keyUsage keyCertSign.' },
  INVALID_PURPOSE: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) is not valid for TLS server authentication: {reasonText}.',
    words: (ev) => ({ reasonText: ev.reason === 'key-usage'
      ? `keyUsage ${list(ev.keyUsage, '(empty)')} allows none of digitalSignature, keyEncipherment, keyAgreement`
      : `extendedKeyUsage is ${list(ev.extKeyUsage, '')}, without ${fmt(ev.purpose)}` }),
    fix: 'Reissue the certificate with extendedKeyUsage serverAuth (and a keyUsage that allows TLS).' },
  UNHANDLED_CRITICAL_EXTENSION: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) carries a critical extension {oid} that OpenSSL does not handle{detail}.',
    fix: 'Reissue the certificate without that extension, or with it non-critical.' },
  NAME_CONSTRAINTS_VIOLATION: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Name {nameText} in certificate {certIndex} ({subject}) violates the name constraints of "{constrainedByText}": {reasonText}.',
    words: (ev) => (ev.reason === 'budget'
      ? { nameText: '(all names)', constrainedByText: 'the CAs on the path',
        reasonText: `checking would take ${fmt(ev.comparisons)} name/constraint comparisons, over the budget of ${fmt(ev.budget)}; OpenSSL refuses such chains too` }
      : { nameText: fmt(ev.name), constrainedByText: fmt(ev.constrainedBy),
        reasonText: ev.reason === 'excluded' ? `excluded subtree ${fmt(ev.subtree)}${ev.wildcard === true ? ' (a wildcard that could cover an excluded name is rejected)' : ''}`
          : ev.reason === 'not-permitted' ? `not within permitted subtrees ${list(ev.permitted, '')}`
          : ev.reason === 'unsupported-name-syntax' ? `OpenSSL cannot compare it${ev.subtree !== undefined ? ` with subtree ${fmt(ev.subtree)}` : ''} (an iPAddress that is not 4 or 16 octets, a constraint that is not 8 or 32, or a malformed email or URI; RFC 5280 §4.2.1.10)`
          : ev.reason === 'unsupported-constraint-type' ? `OpenSSL does not support name constraints of this type (subtree ${fmt(ev.subtree)})`
          : ev.reason === 'subtree-minmax' ? `subtree ${fmt(ev.subtree)} has a minimum or maximum, which RFC 5280 §4.2.1.10 forbids and OpenSSL refuses`
          : 'not within the permitted IP ranges' }),
    fix: 'Issue the certificate from a CA whose name constraints permit this name.' },
  WEAK_SIGNATURE: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) is signed with {algorithm}, which OpenSSL rejects at security level 1.',
    fix: 'Reissue the certificate with SHA-256 or better.' },
  WEAK_KEY: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) has a {bits}-bit {algorithm} key; {levelText}.',
    words: (ev) => ({ levelText: String(ev.algorithm).startsWith('EC')
      ? 'OpenSSL rejects EC keys under 160 bits at security level 1 and under 224 (P-192 included) at level 2'
      : 'OpenSSL rejects RSA keys under 1024 bits at security level 1 and under 2048 at level 2' }),
    fix: 'Reissue with an RSA key of at least 2048 bits or an EC P-256 key.' },
  UNSUPPORTED_ALGORITHM: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}): {detail}.',
    fix: 'Reissue with RSA, ECDSA (P-256/384/521) or Ed25519.' },
  CHAIN_TOO_LONG: { stage: 'certificate', severity: 'unknown',
    explain: 'The path is longer than {maxDepth} certificates, certcheck\'s path-building limit; OpenSSL allows up to 100, so the gateway may still accept it.',
    fix: 'Keep every certificate of this path in the chain the backend sends; removing one breaks it. The gateway\'s own depth limit is undocumented: if it marks the backend unhealthy, the fix is a shorter issuance path, a leaf issued by a CA with fewer intermediate CAs between it and the root.' },
  MALFORMED_CERT: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} does not decode: {detail}.',
    fix: 'Reinstall the certificate as issued.' },
  MALFORMED_EXTENSION: { stage: 'certificate', severity: 'error', message: 'M15', v1: 'V1b',
    explain: 'Certificate {certIndex} ({subject}) has a malformed extension: {oid}{criticalText}: {error}.',
    words: (ev) => ({ criticalText: ev.critical === true ? ' (critical)' : '' }),
    fix: 'Reissue the certificate.' },
  PATH_BUDGET_EXHAUSTED: { stage: 'certificate', severity: 'unknown',
    explain: 'Path building stopped after {signatureChecks} signature checks and {calls} steps ({limit}) without finding a valid path; the presented set is pathological.',
    fix: 'Serve only the leaf, its intermediates and the root.' },
  STRICT_VIOLATION: { stage: 'certificate', severity: 'warning',
    explain: 'Certificate {certIndex} ({subject}): {ruleText}. The gateway accepts this; strict clients (browsers, Go, rustls) do not.',
    fix: '{ruleFix}',
    words: (ev) => {
      const r = STRICT_RULES[ev.rule as StrictRuleId] as { text: string; fix: string } | undefined;
      return r ? { ruleText: fillFrom(r.text, ev), ruleFix: fillFrom(r.fix, ev) } : { ruleText: fmt(ev.rule), ruleFix: '' };
    } },
  TRAILING_DATA: { stage: 'input', severity: 'warning',
    explain: 'Certificate {certIndex} is followed by {bytes} bytes of trailing data.',
    fix: 'Re-export the certificate.' },
  V1_AUTH_CERT_MISMATCH: { stage: 'certificate', severity: 'error', message: 'V1a',
    explain: 'The backend\'s leaf ({subject}, SHA-256 {sha256}) matches none of the uploaded authentication certificates: {uploadedText}.',
    words: (ev) => {
      const names = Array.isArray(ev.uploaded) ? ev.uploaded.map(String) : [];
      const hashes = Array.isArray(ev.uploadedSha256) ? ev.uploadedSha256.map(String) : [];
      return { uploadedText: list(names.map((n, i) => `${n} (${(hashes[i] ?? '').slice(0, 16)}…)`), '(none)') };
    },
    fix: 'Export the backend\'s leaf certificate as Base-64 .CER and upload it as the authentication certificate of the backend setting.' },
  V1_AUTH_CERT_PUBLIC_KEY_ONLY: { stage: 'certificate', severity: 'warning',
    explain: 'Uploaded authentication certificate {name} has the same public key as the backend\'s leaf but is a different certificate.',
    fix: 'Upload the exact certificate the backend serves.' },
  HTTP_STATUS_MISMATCH: { stage: 'http', severity: 'error', message: 'M4',
    explain: 'GET {path} answered {status}; the probe accepts {expected}.',
    fix: 'Probe a path that answers within the match (401: allow it or probe an unauthenticated path; 403/404: fix the path or host; 5xx: fix the backend), or change the status match in a custom probe.' },
  HTTP_BODY_MISMATCH: { stage: 'http', severity: 'error', message: 'M5',
    words: (ev) => ({ expectedBody: JSON.stringify(fmt(ev.string)) }),
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
  // Network path (issue 17). Documents cited: "Application Gateway infrastructure configuration"
  // (NSG and UDR requirements), "Troubleshoot backend health issues in Application Gateway"
  // (Unknown and TCP connect error), "How network security groups filter network traffic",
  // "Network security groups: default security rules", "Virtual network service tags",
  // "Virtual network traffic routing".
  NET_GATEWAY_MANAGER_BLOCKED: { stage: 'tcp', severity: 'unknown', message: 'U1',
    explain: 'NSG {nsg} on the gateway subnet {subnet} does not let inbound TCP {ports} from GatewayManager reach the gateway: {rule} (priority {priority}) {decision} (Application Gateway infrastructure configuration: the {sku} control ports must be open from GatewayManager; NSG rules are evaluated by ascending priority, first match wins). Without them the gateway cannot report backend health, so every server is Unknown.',
    fix: 'Add an inbound rule to {nsg} allowing TCP {ports} from source service tag GatewayManager to destination Any, with a priority number lower than {priority}.' },
  NET_DEFAULT_ROUTE_NOT_INTERNET: { stage: 'tcp', severity: 'unknown', message: 'U1',
    explain: 'The gateway subnet {subnet} sends 0.0.0.0/0 to {nextHop}{nextHopIp} through route {route} of route table {routeTable} (Application Gateway infrastructure configuration: a v2 gateway needs the default route to go to the Internet; Troubleshoot backend health: a UDR to another next hop makes the health Unknown).',
    fix: 'Route 0.0.0.0/0 of the gateway subnet to next hop Internet (or remove the route), and send only the backend prefixes through the appliance; or deploy the gateway with network isolation (private only).' },
  NET_CUSTOM_DNS: { stage: 'dns', severity: 'warning',
    explain: 'The gateway\'s VNet {vnet} uses custom DNS servers {dnsServers}: FQDN pool members and the certificate revocation endpoints are resolved through them (Troubleshoot backend health: custom DNS that cannot resolve public names makes the health Unknown). certcheck resolves names from where it runs instead.',
    fix: 'Make sure these DNS servers resolve the backend FQDNs and public names (or forward to Azure DNS, 168.63.129.16); after a DNS change, stop and start the gateway.' },
  NET_PROBE_BLOCKED: { stage: 'tcp', severity: 'error', message: 'M3',
    explain: 'NSG {nsg} ({where}) denies TCP from the gateway subnet {subnet} to {address} port {port}: {rule} (priority {priority}) is the first rule that matches (How network security groups filter network traffic: ascending priority, first match wins; inbound the subnet\'s NSG then the NIC\'s, outbound the NIC\'s then the subnet\'s). The gateway cannot connect, whatever a probe from here sees.',
    fix: 'Allow TCP from the gateway subnet {subnet} to {address} port {port} in {nsg} with a priority number lower than {priority}.' },
  NET_ROUTE_NONE: { stage: 'tcp', severity: 'error', message: 'M3',
    explain: 'The gateway subnet\'s effective route to {address} is {route} ({prefix}, {source} route) with next hop None: the traffic is dropped (Virtual network traffic routing: longest prefix match, a user route wins a tie).',
    fix: 'Change or remove route {route} so that {address} is reachable from the gateway subnet.' },
  NET_ROUTE_VIA_APPLIANCE: { stage: 'tcp', severity: 'warning',
    explain: 'The gateway subnet reaches {address} through route {route} ({prefix}) with next hop {nextHop}{nextHopIp} (Virtual network traffic routing). Whether the probe gets through depends on that appliance or gateway, which certcheck cannot see; the probe decides health.',
    fix: 'Make sure the appliance forwards TCP to {address} port {port} unchanged and routes the answer back (Troubleshoot backend health: an NVA that rewrites probes gives Unknown).' },
  NET_ROUTE_UNKNOWN: { stage: 'tcp', severity: 'warning',
    explain: '{address} is outside every address space and route in the documents given (on-premises, or a peering not exported); the route to it is unknown (Virtual network traffic routing).',
    fix: 'Export the peered VNet or the route table that carries this prefix with --network, or check the effective routes of the gateway subnet in Network Watcher.' },
  NET_INTERNET_OUTBOUND_BLOCKED: { stage: 'tcp', severity: 'warning',
    explain: 'NSG {nsg} on the gateway subnet {subnet} blocks outbound TCP {port} to the Internet: {rule} (priority {priority}) (Application Gateway infrastructure configuration: outbound Internet connectivity cannot be blocked).',
    fix: 'Remove or narrow {rule}, or allow outbound to the Internet service tag at a lower priority number.' },
  NET_AZURE_LB_BLOCKED: { stage: 'tcp', severity: 'warning',
    explain: 'NSG {nsg} on the gateway subnet {subnet} blocks inbound traffic from AzureLoadBalancer on the control ports: {rule} (priority {priority}) (Application Gateway infrastructure configuration: traffic from the AzureLoadBalancer tag must be allowed).',
    fix: 'Allow inbound from source service tag AzureLoadBalancer at a lower priority number than {priority}.' },
  NET_NOT_DETERMINED: { stage: 'tcp', severity: 'warning',
    explain: 'The network path for {what} could not be judged: {reason}.',
    fix: 'Export the missing resources with --network, or check them in Network Watcher (IP flow verify, effective security rules, effective routes).' },
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

/**
 * The short phrase that says which case of a code the evidence names (an INVALID_CA reason, a
 * name-constraint problem, a malformed extension, or a rule's own `detail`), for one-line lists
 * such as bundle's problems; undefined when the code has none.
 */
export function caseDetail(code: FindingCode, evidence: Evidence): string | undefined {
  const w = E[code].words?.(evidence);
  if (w?.reasonText !== undefined) return w.reasonText;
  if (code === 'MALFORMED_EXTENSION') return `${fmt(evidence.oid)}${w?.criticalText ?? ''}: ${fmt(evidence.error)}`;
  return typeof evidence.detail === 'string' && evidence.detail !== '' ? evidence.detail : undefined;
}

/** A finding worded from the catalog: the code's explanation, fix and gateway message with the evidence filled in. */
export function makeFinding(code: FindingCode, evidence: Evidence, opts: FindingOptions = {}): Finding {
  const e = E[code];
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(evidence)) values[k] = fmt(v);
  if (e.words) Object.assign(values, e.words(evidence));
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

// ---------------------------------------------------------------------------------------------
// Revocation (issue 13, one voice). An OCSP or CRL check says what it found as a code and its
// facts (evidence data); the words for each code live here. `detail` in the revocation report
// and in the revocation findings' evidence is this wording.

type Time = string | null;
type Signer = { signer: 'issuer' | 'delegated'; responder: string };

/** The facts each revocation outcome carries, by code. Every value is plain evidence data. */
export type RevocationFacts = {
  TIME_INVALID: { field: 'thisUpdate' | 'nextUpdate'; time: string };
  CRL_WRONG_ISSUER: { crlIssuer: string };
  CRL_DELTA: Record<string, never>;
  CRL_SCOPE: { scope: string };
  CRL_ALG_MISMATCH: Record<string, never>;
  CRL_ISSUER_NO_CRLSIGN: { issuer: string };
  CRL_BAD_SIGNATURE: { signatureDetail: string };
  CRL_NOT_YET_VALID: { thisUpdate: Time; at: Time };
  CRL_EXPIRED: { nextUpdate: Time; at: Time };
  CRL_BAD_SERIAL: { error: string };
  CRL_REVOKED: { revocationTime: Time; reason: string | null; thisUpdate: Time };
  CRL_GOOD: { thisUpdate: Time; entries: number };
  OCSP_NOT_SUCCESSFUL: { responseStatus: string };
  OCSP_NO_BASIC: Record<string, never>;
  OCSP_CERTID_ERROR: { error: string };
  OCSP_NOT_FOR_CERT: { serial: string; issuer: string; covered: string[] };
  OCSP_ISSUER_SIGNATURE_BAD: { signatureDetail: string };
  OCSP_RESPONDER_SIGNATURE_BAD: { responder: string; signatureDetail: string };
  /** signatureDetail null: the responder's certificate is not even issued under the issuer's name. */
  OCSP_RESPONDER_NOT_CERTIFIED: { responder: string; issuer: string; signatureDetail: string | null };
  OCSP_RESPONDER_NO_EKU: { responder: string };
  OCSP_RESPONDER_NOT_VALID: { responder: string };
  /** responderKey null: the response names its responder by Name. */
  OCSP_UNKNOWN_SIGNER: { responderKey: string | null };
  OCSP_NOT_YET_VALID: { thisUpdate: Time; at: Time };
  OCSP_STALE: { nextUpdate: Time; at: Time };
  OCSP_NEXT_BEFORE_THIS: Record<string, never>;
  OCSP_REVOKED: Signer & { revocationTime: Time; reason: string | null };
  OCSP_GOOD: Signer;
  OCSP_UNKNOWN: Signer;
  OCSP_UNDECODABLE: { error: string };
  OCSP_NO_URL: Record<string, never>;
  OCSP_REQUEST_ERROR: { error: string };
  CRL_UNDECODABLE: { error: string };
  CRL_NO_URL: Record<string, never>;
  CRL_NO_HTTP_URL: Record<string, never>;
  /** error null: the fetch gave neither a body nor a reason. */
  FETCH_FAILED: { error: string | null };
  STAPLE_NO_ISSUER: Record<string, never>;
  UNMATCHED_CRL: { name: string };
  UNMATCHED_OCSP: { name: string };
};

/** Stable codes of revocation outcomes (the `code` of a revocation report check). */
export type RevocationCode = keyof RevocationFacts;

const by = (f: Signer) => (f.signer === 'issuer' ? 'the issuer' : `delegated responder "${f.responder}"`);
const reasonText = (reason: string | null) => (reason ? ` (${reason})` : '');

const REVOCATION_WORDS: { [K in RevocationCode]: (f: RevocationFacts[K]) => string } = {
  TIME_INVALID: (f) => `${f.field} is not a valid time (${f.time})`,
  CRL_WRONG_ISSUER: (f) => `the CRL is issued by "${f.crlIssuer}", not by the certificate's issuer`,
  CRL_DELTA: () => 'a delta CRL is not a complete list; the base CRL is needed',
  CRL_SCOPE: (f) => `the CRL's issuing distribution point limits its scope (${f.scope})`,
  CRL_ALG_MISMATCH: () => 'the CRL\'s outer and inner signature algorithms differ',
  CRL_ISSUER_NO_CRLSIGN: (f) => `the issuer "${f.issuer}" has a keyUsage without cRLSign`,
  CRL_BAD_SIGNATURE: (f) => `the CRL signature does not verify: ${f.signatureDetail}`,
  CRL_NOT_YET_VALID: (f) => `the CRL is not yet valid: thisUpdate ${f.thisUpdate} is after ${f.at}`,
  CRL_EXPIRED: (f) => `the CRL has expired: nextUpdate ${f.nextUpdate} is before ${f.at}`,
  CRL_BAD_SERIAL: (f) => `serial number: ${f.error}`,
  CRL_REVOKED: (f) => `listed as revoked on ${f.revocationTime ?? 'an unknown date'}${reasonText(f.reason)} in the CRL of ${f.thisUpdate}`,
  CRL_GOOD: (f) => `not listed in the issuer's CRL of ${f.thisUpdate} (${f.entries} entries)`,
  OCSP_NOT_SUCCESSFUL: (f) => `the responder answered "${f.responseStatus}" instead of a status`,
  OCSP_NO_BASIC: () => 'the response carries no basic response',
  OCSP_CERTID_ERROR: (f) => `cannot compute the CertID: ${f.error}`,
  OCSP_NOT_FOR_CERT: (f) => `the response is not about this certificate (serial ${f.serial} of "${f.issuer}"; it covers serial(s) ${f.covered.join(', ') || 'none'})`,
  OCSP_ISSUER_SIGNATURE_BAD: (f) => `signed in the issuer's name, but ${f.signatureDetail}`,
  OCSP_RESPONDER_SIGNATURE_BAD: (f) => `responder "${f.responder}": ${f.signatureDetail}`,
  OCSP_RESPONDER_NOT_CERTIFIED: (f) => `responder "${f.responder}" is not certified by "${f.issuer}" (${f.signatureDetail ?? 'not issued by the certificate\'s issuer'})`,
  OCSP_RESPONDER_NO_EKU: (f) => `responder "${f.responder}" lacks the OCSPSigning extended key usage`,
  OCSP_RESPONDER_NOT_VALID: (f) => `responder certificate "${f.responder}" is outside its validity period`,
  OCSP_UNKNOWN_SIGNER: (f) => `signed by ${f.responderKey === null ? 'a responder named in the response' : `responder key ${f.responderKey.slice(0, 16)}…`}, which is neither the issuer nor a certificate included in the response`,
  OCSP_NOT_YET_VALID: (f) => `the response is not yet valid: thisUpdate ${f.thisUpdate} is after ${f.at}`,
  OCSP_STALE: (f) => `the response is stale: nextUpdate ${f.nextUpdate} is before ${f.at}`,
  OCSP_NEXT_BEFORE_THIS: () => 'nextUpdate is before thisUpdate',
  OCSP_REVOKED: (f) => `revoked at ${f.revocationTime ?? 'an unknown time'}${reasonText(f.reason)}, says ${by(f)}`,
  OCSP_GOOD: (f) => `good, says ${by(f)}`,
  OCSP_UNKNOWN: (f) => `the responder (${by(f)}) does not know this certificate`,
  OCSP_UNDECODABLE: (f) => `the response does not decode: ${f.error}`,
  OCSP_NO_URL: () => 'the certificate names no OCSP responder (AIA)',
  OCSP_REQUEST_ERROR: (f) => `cannot build the request: ${f.error}`,
  CRL_UNDECODABLE: (f) => `the CRL does not decode: ${f.error}`,
  CRL_NO_URL: () => 'the certificate names no CRL distribution point',
  CRL_NO_HTTP_URL: () => 'no http:// CRL distribution point (others are not fetched)',
  FETCH_FAILED: (f) => f.error ?? 'no response',
  STAPLE_NO_ISSUER: () => 'the leaf\'s issuer is not known, so the response cannot be checked',
  UNMATCHED_CRL: (f) => `CRL ${f.name} is issued by a CA that issued no certificate on the path`,
  UNMATCHED_OCSP: (f) => `OCSP response ${f.name} is about no certificate on the path`,
};

/** The words for one revocation outcome. */
export function revocationDetail<K extends RevocationCode>(code: K, facts: RevocationFacts[K]): string {
  return REVOCATION_WORDS[code](facts);
}

/** Where a revocation answer came from, as findings name it ("CRL http://…", "the stapled OCSP response"). */
export function revocationSourceText(source: 'staple' | 'ocsp' | 'crl' | 'ocsp-file' | 'crl-file', url?: string): string {
  switch (source) {
    case 'staple': return 'the stapled OCSP response';
    case 'ocsp': return `OCSP ${url ?? ''}`.trim();
    case 'crl': return `CRL ${url ?? ''}`.trim();
    case 'ocsp-file': return `OCSP response ${url ?? ''}`.trim();
    case 'crl-file': return `CRL ${url ?? ''}`.trim();
  }
}

/** The endpoint a fetch went to, as REVOCATION_UNREACHABLE names it. */
export function revocationEndpointText(source: 'ocsp' | 'crl'): string {
  return source === 'crl' ? 'CRL distribution point' : 'OCSP responder';
}

/** Which certificate a revocation finding is about: its place in the presented list, or the store. */
export function revocationCertText(presentedIndex: number | null): string {
  return presentedIndex !== null ? `certificate ${presentedIndex}` : 'the trust-store certificate';
}

/** Several sources' outcomes in one sentence: "source: detail; source: detail". */
export function revocationSummary(parts: readonly { source: string; detail: string }[]): string {
  return parts.map((p) => `${p.source}: ${p.detail}`).join('; ');
}

/** Evidence of the REVOCATION_UNKNOWN finding that says an offline input matched no certificate. */
export function revocationUnusedEvidence(code: 'UNMATCHED_CRL' | 'UNMATCHED_OCSP', facts: { name: string }): Evidence {
  return { cert: 'path', subject: 'offline input', serial: '', detail: `${revocationDetail(code, facts)}; it was not used`, check: code };
}

// ---------------------------------------------------------------------------------------------
// Briefs (issue 18 item 2): a few words per finding code for the places that have one line per
// server (the sweep tables), where the explanation is too long. Placeholders are filled from the
// same values as the explanation (evidence, the code's words, the certificate index).

const BRIEFS: Record<FindingCode, string> = {
  DNS_FAILED: '{name} did not resolve',
  TCP_REFUSED: 'connection refused',
  TCP_UNREACHABLE: 'unreachable ({code})',
  TCP_FAILED: 'connection failed',
  PROBE_TIMEOUT: 'timed out in {during}',
  TLS_ALERT: 'TLS alert {alertName}',
  TLS_RESET: 'reset in the TLS handshake',
  TLS_CLOSED: 'closed in the TLS handshake',
  TLS_PLAINTEXT: 'plain HTTP on an HTTPS port',
  TLS_CERT_MESSAGE_TOO_LARGE: 'certificate message too large',
  TLS_FAILED: 'TLS handshake failed',
  CHAIN_NOT_CAPTURED: 'chain not captured',
  CHAIN_EMPTY: 'no certificate sent',
  CHAIN_NO_LEAF: 'no server certificate sent',
  CHAIN_LEAF_NOT_FIRST: 'leaf at position {leafIndex}',
  CHAIN_ONLY_LEAF: 'only the leaf sent',
  CHAIN_INCOMPLETE: 'intermediate missing',
  CHAIN_ROOT_NOT_SENT: 'root not sent',
  CHAIN_DUPLICATE: 'certificate sent twice',
  CHAIN_EXTRA_CERT: 'extra certificate sent',
  CHAIN_OUT_OF_ORDER: 'chain out of order',
  CHAIN_TOO_MANY_CERTS: '{count} certificates sent',
  CHAIN_PATH_NOT_TAKEN: 'OpenSSL takes another issuer',
  UNTRUSTED_ROOT: 'root not trusted',
  UNTRUSTED_INTERMEDIATE: 'issuer not trusted',
  UPLOADED_ROOT_NOT_ISSUER: 'no uploaded root signed it',
  UPLOADED_ROOT_MISMATCH: 'root not uploaded',
  UPLOADED_ROOT_NOT_CA: 'uploaded root is not a CA',
  UPLOADED_ROOT_NOT_SELF_SIGNED: 'uploaded root not self-signed',
  CERT_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_BAD_TIME: 'invalid {field}',
  CERT_NEVER_VALID: 'certificate never valid',
  CERT_EXPIRES_SOON: 'expires in {daysLeft} days',
  NAME_MISMATCH: 'name {host} not in certificate',
  NAME_CN_ONLY: 'name only in the CN',
  NAME_NOT_CHECKED: 'name not checked',
  NAME_NOTE: 'unusual name entry',
  BAD_SIGNATURE: 'bad signature',
  INVALID_CA: 'issuer is not a valid CA',
  PATH_LENGTH_EXCEEDED: 'path length exceeded',
  KEYUSAGE_NO_CERTSIGN: 'CA without keyCertSign',
  INVALID_PURPOSE: 'not for server authentication',
  UNHANDLED_CRITICAL_EXTENSION: 'unhandled critical extension',
  NAME_CONSTRAINTS_VIOLATION: 'name constraints violated',
  WEAK_SIGNATURE: 'weak signature ({algorithm})',
  WEAK_KEY: 'weak {bits}-bit key',
  UNSUPPORTED_ALGORITHM: 'unsupported algorithm',
  CHAIN_TOO_LONG: 'path too long to judge',
  MALFORMED_CERT: 'certificate does not decode',
  MALFORMED_EXTENSION: 'malformed extension',
  PATH_BUDGET_EXHAUSTED: 'path building gave up',
  STRICT_VIOLATION: 'strict: {strictBrief}',
  TRAILING_DATA: 'trailing data',
  V1_AUTH_CERT_MISMATCH: 'authentication certificate mismatch',
  V1_AUTH_CERT_PUBLIC_KEY_ONLY: 'authentication certificate differs',
  HTTP_STATUS_MISMATCH: 'status {status}, expected {expected}',
  HTTP_BODY_MISMATCH: 'body does not match',
  HTTP_INVALID_RESPONSE: 'invalid HTTP response',
  HTTP_FAILED: 'HTTP request failed',
  HTTP_REDIRECT_NOT_FOLLOWED: 'redirect not followed',
  CERT_REVOKED: 'certificate revoked',
  REVOCATION_UNKNOWN: 'revocation status unknown',
  REVOCATION_UNREACHABLE: 'revocation endpoint unreachable',
  OCSP_STAPLE_INVALID: 'stapled OCSP response unusable',
  REVOCATION_GOOD: 'not revoked',
  NET_GATEWAY_MANAGER_BLOCKED: 'GatewayManager ports blocked',
  NET_DEFAULT_ROUTE_NOT_INTERNET: 'default route not to the Internet',
  NET_CUSTOM_DNS: 'custom DNS servers',
  NET_PROBE_BLOCKED: 'NSG {nsg} blocks the probe',
  NET_ROUTE_NONE: 'route drops the traffic',
  NET_ROUTE_VIA_APPLIANCE: 'routed through {nextHop}',
  NET_ROUTE_UNKNOWN: 'route unknown',
  NET_INTERNET_OUTBOUND_BLOCKED: 'outbound Internet blocked',
  NET_AZURE_LB_BLOCKED: 'AzureLoadBalancer blocked',
  NET_NOT_DETERMINED: 'network path not judged',
};

/** A strict-profile rule in a few words (STRICT_VIOLATION's brief). */
const STRICT_BRIEFS: Record<StrictRuleId, string> = {
  'x509-version': 'X.509 v{version}',
  'ca-without-basic-constraints': 'CA without basicConstraints',
  'basic-constraints-not-critical': 'basicConstraints not critical',
  'ca-without-ski': 'CA without subjectKeyIdentifier',
  'no-aki': 'no authorityKeyIdentifier',
  'time-encoding': 'time encoding',
  'no-san': 'no subjectAltName',
  'no-eku': 'no extendedKeyUsage',
  'any-eku': 'anyExtendedKeyUsage',
  'validity-too-long': 'valid {days} days (> {maxDays})',
  'serial-too-long': 'serial too long',
  'rsa-key-too-large': 'RSA key of {bits} bits',
  'empty-subject-san-not-critical': 'empty subject, SAN not critical',
  'key-cert-sign-not-ca': 'keyCertSign without CA',
};

/**
 * A finding in a few words ("expires in 9 days", "strict: valid 3652 days (> 398)"), for views
 * with one line per server; the explanation stays the full account.
 */
export function findingBrief(f: Pick<Finding, 'code' | 'evidence'>): string {
  const ev = f.evidence;
  const strict = f.code === 'STRICT_VIOLATION' ? STRICT_BRIEFS[ev.rule as StrictRuleId] : undefined;
  const values: Evidence = { ...ev, ...E[f.code].words?.(ev), strictBrief: strict !== undefined ? fillFrom(strict, ev) : fmt(ev.rule) };
  return fillFrom(BRIEFS[f.code] ?? f.code, values);
}
