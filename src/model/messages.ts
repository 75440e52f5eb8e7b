/**
 * The gateway's own backend-health texts (appgw-spec.md §1), canonical forms exactly as marked
 * there. Placeholders are kept as the docs write them and filled by `fillMessage`.
 * Aliases are other wordings seen in docs or real output, kept so that pasted gateway output can
 * be matched back to a message id.
 */
export type GatewayMessageId =
  | 'M1' | 'M2' | 'M3' | 'M4' | 'M5' | 'M6' | 'M6v1' | 'M7' | 'M8' | 'M8leaf' | 'M9' | 'M10' | 'M11'
  | 'M12' | 'M13' | 'M14' | 'M15' | 'M16' | 'V1a' | 'V1b' | 'U1' | 'OK';

/** One of the gateway's backend-health texts: its id, a short title, the canonical text, other wordings seen. */
export interface GatewayMessage {
  id: GatewayMessageId;
  title: string;
  text: string;
  aliases: string[];
}

const m = (id: GatewayMessageId, title: string, text: string, aliases: string[] = []): GatewayMessage =>
  ({ id, title, text, aliases });

/** Every backend-health text the gateway shows, by id. */
export const GATEWAY_MESSAGES: Readonly<Record<GatewayMessageId, GatewayMessage>> = {
  M1: m('M1', 'Backend server timeout',
    "Time taken by the backend to respond to application gateway's health probe is more than the timeout threshold in the probe setting."),
  M2: m('M2', 'DNS resolution error',
    'Application Gateway could not create a probe for this backend. This usually happens when the FQDN of the backend has not been entered correctly.',
    ['Application Gateway could not create a probe for this backend. This usually happens when the FQDN of the backend is not entered correctly.']),
  M3: m('M3', 'TCP connect error',
    'Application Gateway could not connect to the backend. Check that the backend responds on the port used for the probe. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port of this backend.',
    ['Application Gateway could not connect to the backend. Please check that the backend responds on the port used for the probe. Also check whether any NSG/UDR/Firewall is blocking access to the Ip and port of this backend']),
  M4: m('M4', 'HTTP status code mismatch',
    "Status code of the backend's HTTP response did not match the probe setting. Expected:{HTTPStatusCode0} Received:{HTTPStatusCode1}."),
  M5: m('M5', 'HTTP response body mismatch',
    "Body of the backend's HTTP response did not match the probe setting. Received response body doesn't contain {string}.",
    ["Body of the backend's HTTP response did not match the probe setting. Received response body does not contain {string}."]),
  M6: m('M6', 'Common Name mismatch',
    'The Common Name of the leaf certificate presented by the backend server does not match the Probe or Backend Setting hostname of the application gateway.',
    ['The Common Name (CN) of the backend certificate does not match the host header of the probe.',
      'The Common Name (CN) of the backend certificate does not match the host header entered in the health probe configuration']),
  M6v1: m('M6v1', 'Common Name mismatch (v1)',
    "The Common Name (CN) of the backend certificate doesn't match.",
    ['The Common Name (CN) of the backend certificate doesn\u2019t match.']),
  M7: m('M7', 'Backend certificate expired or not yet valid',
    'Backend certificate is invalid. Current date is not within the "Valid from" and "Valid to" date range on the certificate.',
    ['Backend certificate is invalid. Current date isn\'t within the "Valid from" and "Valid to" date range on the certificate.']),
  M8: m('M8', 'Intermediate certificate missing',
    'The Intermediate certificate is missing from the certificate chain presented by the backend server. Ensure the certificate chain is complete and correctly ordered on the backend server.'),
  M8leaf: m('M8leaf', 'Incomplete chain: only the leaf',
    'The backend server is presenting an incomplete certificate chain, including only the leaf certificate. Please ensure that the certificate chain is fully configured with all necessary certificates in the correct order.'),
  M9: m('M9', 'Leaf certificate missing',
    'The Leaf certificate is missing from the certificate chain presented by the backend server. Ensure the chain is complete and correctly ordered on the backend server.',
    ['The leaf certificate is missing from the certificate chain presented by the backend server. Please ensure that the certificate chain is complete and correctly ordered.']),
  M10: m('M10', 'Server certificate not issued by a publicly known CA',
    'The backend Server certificate is not signed by a well-known Certificate Authority (CA). To use unknown CA certificates, its Root certificate must be uploaded to the Backend Setting of the application gateway.',
    ['The server certificate used by the backend is not signed by a well-known Certificate Authority (CA). Allow the backend on the Application Gateway by uploading the root certificate of the server certificate used by the backend.',
      "The backend Server certificate isn't signed by a well-known Certificate Authority (CA). To use unknown CA certificates, its Root certificate must be uploaded to the Backend Setting of the application gateway."]),
  M11: m('M11', 'Intermediate certificate not signed by a publicly known CA',
    'The Intermediate certificate is not signed by a well-known Certificate Authority (CA). Ensure the certificate chain is complete and correctly ordered on the backend server.',
    ["The Intermediate certificate isn't signed by a well-known Certificate Authority (CA). Ensure the certificate chain is complete and correctly ordered on the backend server."]),
  M12: m('M12', 'Trusted root certificate mismatch (no root certificate in the chain)',
    'The Intermediate certificate not signed by any Root certificates uploaded to the application gateway. Ensure the certificate chain is complete and correctly ordered on the backend server.',
    ['The intermediate certificate not signed by any root certificates uploaded to the application gateway. Ensure the certificate chain is complete and correctly ordered on the backend server.']),
  M13: m('M13', 'Trusted root certificate mismatch (root certificate in the chain)',
    'The root certificate of the server certificate used by the backend does not match the trusted root certificate added to the application gateway. Ensure that you add the correct root certificate to allowlist the backend.',
    ['The root certificate of the server certificate used by the backend does not match the trusted root certificate added to the application gateway. Ensure that you add the correct root certificate to whitelist the backend',
      "The root certificate of the server certificate used by the backend doesn't match the trusted root certificate added to the application gateway. Ensure that you add the correct root certificate to allowlist the backend."]),
  M14: m('M14', 'Leaf certificate is not topmost in the chain',
    'The Leaf certificate is not the topmost certificate in the chain presented by the backend server. Ensure the certificate chain is correctly ordered on the backend server.',
    ["The Leaf certificate isn't the topmost certificate in the chain presented by the backend server. Ensure the certificate chain is correctly ordered on the backend server."]),
  M15: m('M15', 'Backend certificate verification failed',
    'The validity of the backend certificate could not be verified. To find out the reason, check OpenSSL diagnostics for the message associated with error code {errorCode}'),
  M16: m('M16', 'Proxy protocol unsupported',
    'Verify that the backend server is set up to accept the Proxy protocol header sent by the probes.'),
  V1a: m('V1a', 'Backend server certificate not allow-listed (v1)',
    'Backend server certificate is not whitelisted with Application Gateway. Make sure that the certificate uploaded to Application Gateway matches with the certificate configured in your backend server. To learn more visit - https://aka.ms/authcertificatemismatch'),
  V1b: m('V1b', 'Backend certificate marked invalid (v1)',
    'Backend certificate has been marked invalid. Either the certificate is not within its validity period, or it has been revoked by the issuing authority, or there is a problem with the certificate chain.'),
  U1: m('U1', 'Backend health unknown',
    'The backend health status could not be retrieved. This happens when an NSG/UDR/Firewall on the application gateway subnet is blocking traffic on ports 65503-65534 in case of v1 SKU, and ports 65200-65535 in case of the v2 SKU or if the FQDN configured in the backend pool could not be resolved to an IP address. To learn more visit - https://aka.ms/UnknownBackendHealth.'),
  OK: m('OK', 'Success', 'Success. Received {HTTPStatusCode} status code'),
};

/** Fill `{placeholder}` slots; unknown slots are left as written so a missing value is visible. */
export function fillMessage(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{([A-Za-z0-9]+)\}/g, (whole, key: string) =>
    Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole);
}

/** Map a pasted gateway text (any known wording, bold markup stripped) back to its id. */
export function identifyGatewayMessage(text: string): GatewayMessageId | undefined {
  const norm = (s: string) => s.replace(/\*\*/g, '').replace(/\u2019/g, "'").replace(/\s+/g, ' ').trim();
  const t = norm(text);
  for (const msg of Object.values(GATEWAY_MESSAGES)) {
    for (const cand of [msg.text, ...msg.aliases]) {
      const pattern = norm(cand).replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[A-Za-z0-9]+\\?\}/g, '.*');
      if (new RegExp(`^${pattern}\\.?$`).test(t)) return msg.id;
    }
  }
  return undefined;
}
