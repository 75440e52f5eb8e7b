/**
 * TLS handshake message parsers for the capture tap: the ClientHello we sent, the ServerHello
 * (incl. HelloRetryRequest), Certificate (TLS 1.2 and 1.3 with entry extensions) and
 * CertificateStatus. Pure functions over one reassembled message body; each throws
 * TlsParseError on a malformed body.
 */
import { Reader, TlsParseError } from './tls-framing.js';

/** Handshake message types (RFC 8446 §4, RFC 5246 §7.4, RFC 6066 §8, RFC 8879). */
export const HandshakeType = {
  ClientHello: 1,
  ServerHello: 2,
  NewSessionTicket: 4,
  EncryptedExtensions: 8,
  Certificate: 11,
  ServerKeyExchange: 12,
  CertificateRequest: 13,
  ServerHelloDone: 14,
  CertificateVerify: 15,
  Finished: 20,
  CertificateStatus: 22,
  CompressedCertificate: 25,
} as const;

/** SHA-256("HelloRetryRequest"), the ServerHello.random that marks an HRR (RFC 8446 §4.1.3). */
export const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** One hello extension: its type and raw data. */
export interface Extension {
  type: number;
  data: Buffer;
}

function parseExtensions(r: Reader, what: string): Extension[] {
  const out: Extension[] = [];
  if (r.remaining === 0) return out;
  const er = new Reader(r.vec16(), `${what} extensions`);
  while (er.remaining > 0) out.push({ type: er.u16(), data: er.vec16() });
  return out;
}

/** What our ClientHello offered (what the gateway would see from the probe). */
export interface ClientHelloInfo {
  legacyVersion: number;
  random: Buffer;
  /** host_name from server_name (0), or null when we sent no SNI. */
  sni: string | null;
  alpn: string[] | null;
  /** compress_certificate (27) algorithms offered, or null when not offered. */
  compressCertificate: number[] | null;
  supportedVersions: number[] | null;
  extensionTypes: number[];
  cipherSuites: number[];
}

/** ClientHello body (RFC 8446 §4.1.2). */
export function parseClientHello(body: Buffer): ClientHelloInfo {
  const r = new Reader(body, 'ClientHello');
  const legacyVersion = r.u16();
  const random = Buffer.from(r.bytes(32));
  r.vec8(); // legacy_session_id
  const suitesRaw = new Reader(r.vec16(), 'cipher_suites');
  const cipherSuites: number[] = [];
  while (suitesRaw.remaining >= 2) cipherSuites.push(suitesRaw.u16());
  r.vec8(); // compression methods
  const exts = parseExtensions(r, 'ClientHello');
  let sni: string | null = null;
  let alpn: string[] | null = null;
  let compressCertificate: number[] | null = null;
  let supportedVersions: number[] | null = null;
  for (const e of exts) {
    if (e.type === 0 && e.data.length > 0) {
      const sr = new Reader(new Reader(e.data, 'server_name').vec16(), 'server_name list');
      while (sr.remaining > 0) {
        const nameType = sr.u8();
        const name = sr.vec16();
        if (nameType === 0 && sni === null) sni = name.toString('latin1');
      }
    } else if (e.type === 16) {
      alpn = [];
      const ar = new Reader(new Reader(e.data, 'ALPN').vec16(), 'ALPN list');
      while (ar.remaining > 0) alpn.push(ar.vec8().toString('latin1'));
    } else if (e.type === 27) {
      compressCertificate = [];
      const cr = new Reader(new Reader(e.data, 'compress_certificate').vec8(), 'compress_certificate list');
      while (cr.remaining >= 2) compressCertificate.push(cr.u16());
    } else if (e.type === 43) {
      supportedVersions = [];
      const vr = new Reader(new Reader(e.data, 'supported_versions').vec8(), 'supported_versions list');
      while (vr.remaining >= 2) supportedVersions.push(vr.u16());
    }
  }
  return {
    legacyVersion,
    random,
    sni,
    alpn,
    compressCertificate,
    supportedVersions,
    extensionTypes: exts.map((e) => e.type),
    cipherSuites,
  };
}

/** What the server chose in its ServerHello. */
export interface ServerHelloInfo {
  legacyVersion: number;
  /** Negotiated version: supported_versions (43) when present, else legacy_version. */
  version: number;
  cipherSuite: number;
  helloRetryRequest: boolean;
  extensionTypes: number[];
}

/** ServerHello body (RFC 8446 §4.1.3); a HelloRetryRequest is recognised by its random. */
export function parseServerHello(body: Buffer): ServerHelloInfo {
  const r = new Reader(body, 'ServerHello');
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  r.vec8(); // legacy_session_id_echo
  const cipherSuite = r.u16();
  r.u8(); // compression
  const exts = parseExtensions(r, 'ServerHello');
  let version = legacyVersion;
  for (const e of exts) if (e.type === 43 && e.data.length === 2) version = e.data.readUInt16BE(0);
  return {
    legacyVersion,
    version,
    cipherSuite,
    helloRetryRequest: random.equals(HRR_RANDOM),
    extensionTypes: exts.map((e) => e.type),
  };
}

/** One certificate of the Certificate message, exactly as sent. */
export interface CertificateEntry {
  der: Uint8Array;
  /** TLS 1.3 CertificateEntry extensions (5 = OCSP status, 18 = SCT list); empty for TLS 1.2. */
  extensions: { type: number; data: Uint8Array }[];
}

/** Certificate message body (RFC 5246 §7.4.2 or RFC 8446 §4.4.2). DER bytes are copied. */
export function parseCertificateMessage(body: Buffer, tls13: boolean): CertificateEntry[] {
  const r = new Reader(body, 'Certificate');
  if (tls13) r.vec8(); // certificate_request_context
  const list = new Reader(r.vec24(), 'certificate_list');
  r.end();
  const out: CertificateEntry[] = [];
  while (list.remaining > 0) {
    const der = new Uint8Array(list.vec24());
    const extensions: CertificateEntry['extensions'] = [];
    if (tls13) {
      const er = new Reader(list.vec16(), 'CertificateEntry extensions');
      while (er.remaining > 0) {
        const type = er.u16();
        extensions.push({ type, data: new Uint8Array(er.vec16()) });
      }
    }
    out.push({ der, extensions });
  }
  return out;
}

/** CertificateStatus (TLS 1.2) or the body of a 1.3 entry's status_request (5) extension. */
export function parseCertificateStatus(body: Uint8Array): Uint8Array {
  const r = new Reader(Buffer.from(body.buffer, body.byteOffset, body.byteLength), 'CertificateStatus');
  const statusType = r.u8();
  if (statusType !== 1) throw new TlsParseError(`CertificateStatus type ${statusType} is not ocsp(1)`);
  const der = new Uint8Array(r.vec24());
  r.end();
  return der;
}
