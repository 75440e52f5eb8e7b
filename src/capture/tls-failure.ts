/**
 * Why a TLS handshake failed, named from what the tap and Node's TLS stack observed. A pure
 * function of the observed facts, so every case is tested without a socket; the tap in tls.ts
 * only collects the facts.
 */
import { describeAlert, type ServerStopReason } from './tlsrecords.js';

/** How a failed handshake failed, as the probe reports it. */
export interface TlsFailure {
  kind: 'timeout' | 'reset' | 'closed' | 'alert' | 'plaintext' | 'cert-too-large' | 'protocol' | 'other';
  /** Node error code, e.g. ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE, ECONNRESET. */
  code?: string;
  /** TLS alert number when known (40, 70, 112, ...). */
  alert?: number;
  /** Who sent `alert`: the server (kind 'alert'), or our client rejecting the server (kind 'protocol'). */
  alertFrom?: 'server' | 'client';
  /** One line, human readable. */
  message: string;
}

/** An error seen on a socket: its Node code, when it has one, and its message on one line. */
export interface ObservedError {
  code?: string;
  message: string;
}

/** Everything the handshake's failure is classified from. */
export interface TlsFailureFacts {
  /** The probe's deadline passed before the handshake settled. */
  timedOut: boolean;
  /** The first error the TLS socket emitted. */
  tlsError?: ObservedError;
  /** The first error the TCP socket emitted. */
  rawError?: ObservedError;
  /** The server ended its side of the TCP connection. */
  rawEnded: boolean;
  /** The alert the server sent, as the tap read it from the wire. */
  serverAlert?: { level: number; description: number };
  /** Why the tap stopped reading the server's flight, if it did. */
  serverStopped?: ServerStopReason;
  /** The first byte the server sent. */
  firstByte?: number;
  /** The alert description our own client sent (rejecting the server). */
  clientAlert?: number;
}

/** OpenSSL reason strings for received alerts (reason code 1000 + alert) as Node spells them. */
const ALERT_REASONS: Readonly<Record<string, number>> = {
  SSLV3_ALERT_UNEXPECTED_MESSAGE: 10,
  SSLV3_ALERT_BAD_RECORD_MAC: 20,
  TLSV1_ALERT_DECRYPTION_FAILED: 21,
  TLSV1_ALERT_RECORD_OVERFLOW: 22,
  SSLV3_ALERT_DECOMPRESSION_FAILURE: 30,
  SSLV3_ALERT_HANDSHAKE_FAILURE: 40,
  SSLV3_ALERT_NO_CERTIFICATE: 41,
  SSLV3_ALERT_BAD_CERTIFICATE: 42,
  SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 43,
  SSLV3_ALERT_CERTIFICATE_REVOKED: 44,
  SSLV3_ALERT_CERTIFICATE_EXPIRED: 45,
  SSLV3_ALERT_CERTIFICATE_UNKNOWN: 46,
  SSLV3_ALERT_ILLEGAL_PARAMETER: 47,
  TLSV1_ALERT_UNKNOWN_CA: 48,
  TLSV1_ALERT_ACCESS_DENIED: 49,
  TLSV1_ALERT_DECODE_ERROR: 50,
  TLSV1_ALERT_DECRYPT_ERROR: 51,
  TLSV1_ALERT_EXPORT_RESTRICTION: 60,
  TLSV1_ALERT_PROTOCOL_VERSION: 70,
  TLSV1_ALERT_INSUFFICIENT_SECURITY: 71,
  TLSV1_ALERT_INTERNAL_ERROR: 80,
  TLSV1_ALERT_INAPPROPRIATE_FALLBACK: 86,
  TLSV1_ALERT_USER_CANCELLED: 90,
  TLSV1_ALERT_NO_RENEGOTIATION: 100,
  TLSV13_ALERT_MISSING_EXTENSION: 109,
  TLSV1_UNSUPPORTED_EXTENSION: 110,
  TLSV1_CERTIFICATE_UNOBTAINABLE: 111,
  TLSV1_UNRECOGNIZED_NAME: 112,
  TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE: 113,
  TLSV1_BAD_CERTIFICATE_HASH_VALUE: 114,
  TLSV1_ALERT_UNKNOWN_PSK_IDENTITY: 115,
  TLSV13_ALERT_CERTIFICATE_REQUIRED: 116,
  TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 120,
};

/** The alert number a Node error code names, when it is a received-alert code. */
export function alertFromErrorCode(code: string | undefined): number | undefined {
  if (code === undefined || !code.startsWith('ERR_SSL_')) return undefined;
  return ALERT_REASONS[code.slice('ERR_SSL_'.length)];
}

/**
 * Classify a failed handshake. The order matters: what the wire shows (an alert, bytes that are
 * not TLS) outranks what the sockets' errors say, since Node often reports a server's alert or a
 * plaintext answer only as a generic error or a reset.
 */
export function classifyTlsFailure(f: TlsFailureFacts): TlsFailure {
  if (f.timedOut) return { kind: 'timeout', message: 'TLS handshake did not complete before the deadline' };
  const tlsCode = f.tlsError?.code;
  const rawCode = f.rawError?.code;
  const alert = f.serverAlert;
  // A warning-level alert alone does not end a handshake, unless the tap stopped on it.
  if (alert !== undefined && (alert.level !== 1 || f.serverStopped === 'alert')) {
    const r: TlsFailure = { kind: 'alert', alert: alert.description, alertFrom: 'server', message: `server sent TLS alert ${describeAlert(alert.description)}` };
    if (tlsCode !== undefined) r.code = tlsCode;
    return r;
  }
  if (f.serverStopped === 'not-tls' || tlsCode === 'ERR_SSL_WRONG_VERSION_NUMBER') {
    const b = f.firstByte;
    const looksHttp = b !== undefined && b >= 0x41 && b <= 0x5a;
    const r: TlsFailure = {
      kind: 'plaintext',
      message: looksHttp ? 'server answered in plaintext (looks like HTTP), not TLS' : 'server answered with bytes that are not TLS',
    };
    if (tlsCode !== undefined) r.code = tlsCode;
    return r;
  }
  if (rawCode === 'ECONNRESET' || rawCode === 'EPIPE') {
    return { kind: 'reset', code: rawCode, message: 'connection reset during the TLS handshake' };
  }
  if (tlsCode === 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE' || f.serverStopped === 'too-large') {
    const r: TlsFailure = { kind: 'cert-too-large', message: 'server certificate message too large (over the client limit of about 100 KiB)' };
    if (tlsCode !== undefined) r.code = tlsCode;
    return r;
  }
  const codeAlert = alertFromErrorCode(tlsCode);
  if (codeAlert !== undefined) {
    return { kind: 'alert', code: tlsCode!, alert: codeAlert, alertFrom: 'server', message: `server sent TLS alert ${describeAlert(codeAlert)}` };
  }
  if (f.rawEnded) {
    const r: TlsFailure = { kind: 'closed', message: 'server closed the connection during the TLS handshake' };
    if (tlsCode !== undefined) r.code = tlsCode;
    return r;
  }
  if (tlsCode === 'ECONNRESET') return { kind: 'reset', code: tlsCode, message: 'connection reset during the TLS handshake' };
  if (tlsCode !== undefined && tlsCode.startsWith('ERR_SSL_')) {
    const r: TlsFailure = { kind: 'protocol', code: tlsCode, message: `TLS handshake failed: ${f.tlsError!.message}` };
    if (f.clientAlert !== undefined) {
      r.alert = f.clientAlert;
      r.alertFrom = 'client';
    }
    return r;
  }
  if (f.tlsError === undefined && f.rawError === undefined) {
    return { kind: 'closed', message: 'connection closed during the TLS handshake' };
  }
  const r: TlsFailure = { kind: 'other', message: `TLS handshake failed: ${(f.tlsError ?? f.rawError)!.message}` };
  const code = tlsCode ?? rawCode;
  if (code !== undefined) r.code = code;
  return r;
}
