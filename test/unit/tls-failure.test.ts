import { describe, expect, it } from 'vitest';
import { classifyTlsFailure, type TlsFailureFacts } from '../../src/capture/tls-failure.js';

const base: TlsFailureFacts = { timedOut: false, rawEnded: false };
const facts = (f: Partial<TlsFailureFacts>): TlsFailureFacts => ({ ...base, ...f });

describe('classifyTlsFailure', () => {
  it('a deadline outranks everything else seen', () => {
    expect(classifyTlsFailure(facts({ timedOut: true, serverAlert: { level: 2, description: 40 }, rawEnded: true })))
      .toEqual({ kind: 'timeout', message: 'TLS handshake did not complete before the deadline' });
  });

  it('a fatal alert on the wire is the server\'s alert, with Node\'s code when there is one', () => {
    expect(classifyTlsFailure(facts({ serverAlert: { level: 2, description: 112 }, tlsError: { code: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME', message: 'x' } })))
      .toEqual({ kind: 'alert', alert: 112, alertFrom: 'server', code: 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME', message: 'server sent TLS alert 112 (unrecognized_name)' });
    expect(classifyTlsFailure(facts({ serverAlert: { level: 2, description: 40 }, rawEnded: true })))
      .toEqual({ kind: 'alert', alert: 40, alertFrom: 'server', message: 'server sent TLS alert 40 (handshake_failure)' });
  });

  it('a warning alert counts only when the tap stopped on it', () => {
    expect(classifyTlsFailure(facts({ serverAlert: { level: 1, description: 0 }, serverStopped: 'alert' })).kind).toBe('alert');
    expect(classifyTlsFailure(facts({ serverAlert: { level: 1, description: 112 }, rawEnded: true })).kind).toBe('closed');
  });

  it('bytes that are not TLS: plaintext, and whether they look like HTTP', () => {
    expect(classifyTlsFailure(facts({ serverStopped: 'not-tls', firstByte: 0x48 })))
      .toEqual({ kind: 'plaintext', message: 'server answered in plaintext (looks like HTTP), not TLS' });
    expect(classifyTlsFailure(facts({ tlsError: { code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' }, firstByte: 0x00 })))
      .toEqual({ kind: 'plaintext', code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'server answered with bytes that are not TLS' });
  });

  it('a reset on the TCP socket, or a reset reported by the TLS socket', () => {
    expect(classifyTlsFailure(facts({ rawError: { code: 'ECONNRESET', message: 'read ECONNRESET' }, rawEnded: true })))
      .toEqual({ kind: 'reset', code: 'ECONNRESET', message: 'connection reset during the TLS handshake' });
    expect(classifyTlsFailure(facts({ rawError: { code: 'EPIPE', message: 'write EPIPE' } })).kind).toBe('reset');
    expect(classifyTlsFailure(facts({ tlsError: { code: 'ECONNRESET', message: 'socket hang up' } })))
      .toEqual({ kind: 'reset', code: 'ECONNRESET', message: 'connection reset during the TLS handshake' });
  });

  it('a certificate message over the limit, by the tap or by OpenSSL', () => {
    expect(classifyTlsFailure(facts({ serverStopped: 'too-large' })).kind).toBe('cert-too-large');
    expect(classifyTlsFailure(facts({ tlsError: { code: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE', message: 'm' } })))
      .toEqual({ kind: 'cert-too-large', code: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE', message: 'server certificate message too large (over the client limit of about 100 KiB)' });
  });

  it('an alert known only from Node\'s error code', () => {
    expect(classifyTlsFailure(facts({ tlsError: { code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', message: 'm' } })))
      .toEqual({ kind: 'alert', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', alert: 70, alertFrom: 'server', message: 'server sent TLS alert 70 (protocol_version)' });
  });

  it('the server ending the connection, with or without a TLS error code', () => {
    expect(classifyTlsFailure(facts({ rawEnded: true }))).toEqual({ kind: 'closed', message: 'server closed the connection during the TLS handshake' });
    expect(classifyTlsFailure(facts({ rawEnded: true, tlsError: { code: 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING', message: 'm' } })))
      .toEqual({ kind: 'closed', code: 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING', message: 'server closed the connection during the TLS handshake' });
  });

  it('our client rejecting the server: a protocol failure carrying the alert we sent', () => {
    expect(classifyTlsFailure(facts({ tlsError: { code: 'ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED', message: 'unsafe legacy renegotiation disabled' }, clientAlert: 40 })))
      .toEqual({ kind: 'protocol', code: 'ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED', alert: 40, alertFrom: 'client', message: 'TLS handshake failed: unsafe legacy renegotiation disabled' });
    expect(classifyTlsFailure(facts({ tlsError: { code: 'ERR_SSL_NO_CIPHERS', message: 'no ciphers' } })))
      .toEqual({ kind: 'protocol', code: 'ERR_SSL_NO_CIPHERS', message: 'TLS handshake failed: no ciphers' });
  });

  it('a close with no error at all', () => {
    expect(classifyTlsFailure(base)).toEqual({ kind: 'closed', message: 'connection closed during the TLS handshake' });
  });

  it('anything else: other, with whichever code was seen', () => {
    expect(classifyTlsFailure(facts({ rawError: { code: 'EHOSTUNREACH', message: 'unreachable' } })))
      .toEqual({ kind: 'other', code: 'EHOSTUNREACH', message: 'TLS handshake failed: unreachable' });
    expect(classifyTlsFailure(facts({ tlsError: { message: 'odd' } }))).toEqual({ kind: 'other', message: 'TLS handshake failed: odd' });
  });
});
