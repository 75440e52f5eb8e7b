/**
 * TLS 1.3 record protection for the capture tap (RFC 8446 §7): the key schedule's
 * HKDF-Expand-Label, the server handshake traffic key and IV from the secret Node's 'keylog'
 * event hands us, and AEAD decryption of one protected record. This is on the sweep's hot path:
 * one HMAC per key, one decipher per record, no extra copies.
 */
import { createDecipheriv, createHmac } from 'node:crypto';
import { TlsParseError } from './tls-framing.js';

interface SuiteParams {
  hash: 'sha256' | 'sha384';
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm';
  keyLen: number;
  tagLen: number;
}

const TLS13_SUITES: Readonly<Record<number, SuiteParams>> = {
  0x1301: { hash: 'sha256', cipher: 'aes-128-gcm', keyLen: 16, tagLen: 16 },
  0x1302: { hash: 'sha384', cipher: 'aes-256-gcm', keyLen: 32, tagLen: 16 },
  0x1303: { hash: 'sha256', cipher: 'chacha20-poly1305', keyLen: 32, tagLen: 16 },
  0x1304: { hash: 'sha256', cipher: 'aes-128-ccm', keyLen: 16, tagLen: 16 },
  0x1305: { hash: 'sha256', cipher: 'aes-128-ccm', keyLen: 16, tagLen: 8 },
};

/** RFC 5869 HKDF-Expand only: crypto.hkdfSync always runs Extract first, which TLS 1.3 must not. */
export function hkdfExpand(hash: string, prk: Buffer, info: Buffer, length: number): Buffer {
  // T(1) alone covers every TLS 1.3 key and IV: one HMAC and no joining on the hot path.
  let prev = createHmac(hash, prk).update(info).update(Buffer.from([1])).digest();
  if (length <= prev.length) return prev.subarray(0, length);
  const blocks: Buffer[] = [prev];
  let got = prev.length;
  for (let i = 2; got < length; i++) {
    prev = createHmac(hash, prk).update(prev).update(info).update(Buffer.from([i])).digest();
    blocks.push(prev);
    got += prev.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** RFC 8446 §7.1 HKDF-Expand-Label. */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, context: Buffer, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([context.length]),
    context,
  ]);
  return hkdfExpand(hash, secret, info, length);
}

/** The traffic key and IV of one direction, with the suite they belong to. */
export interface Tls13Keys {
  suite: number;
  params: SuiteParams;
  key: Buffer;
  iv: Buffer;
}

/** RFC 8446 §7.3: the key and IV derived from a traffic secret for `suite`. */
export function tls13TrafficKeys(suite: number, secret: Buffer): Tls13Keys {
  const params = TLS13_SUITES[suite];
  if (params === undefined) throw new TlsParseError(`unknown TLS 1.3 cipher suite 0x${suite.toString(16)}`);
  const empty = Buffer.alloc(0);
  return {
    suite,
    params,
    key: hkdfExpandLabel(params.hash, secret, 'key', empty, params.keyLen),
    iv: hkdfExpandLabel(params.hash, secret, 'iv', empty, 12),
  };
}

/** Decrypts one TLSCiphertext; returns the inner content type and the content without padding. */
export function decryptTls13Record(keys: Tls13Keys, seq: bigint, header: Buffer, body: Buffer): { type: number; content: Buffer } {
  const { params } = keys;
  if (body.length < params.tagLen + 1) throw new TlsParseError('encrypted record shorter than its tag');
  const nonce = Buffer.from(keys.iv);
  const seqBuf = Buffer.alloc(8);
  seqBuf.writeBigUInt64BE(seq);
  for (let i = 0; i < 8; i++) nonce[4 + i]! ^= seqBuf[i]!;
  const ct = body.subarray(0, body.length - params.tagLen);
  const tag = body.subarray(body.length - params.tagLen);
  let plain: Buffer;
  try {
    if (params.cipher === 'aes-128-ccm') {
      const d = createDecipheriv('aes-128-ccm', keys.key, nonce, { authTagLength: params.tagLen });
      d.setAuthTag(tag);
      d.setAAD(header, { plaintextLength: ct.length });
      plain = aeadOpen(d, ct);
    } else if (params.cipher === 'chacha20-poly1305') {
      const d = createDecipheriv('chacha20-poly1305', keys.key, nonce, { authTagLength: 16 });
      d.setAAD(header, { plaintextLength: ct.length });
      d.setAuthTag(tag);
      plain = aeadOpen(d, ct);
    } else {
      const d = createDecipheriv(params.cipher, keys.key, nonce, { authTagLength: 16 });
      d.setAAD(header);
      d.setAuthTag(tag);
      plain = aeadOpen(d, ct);
    }
  } catch {
    throw new DecryptError('decrypt failed (record authentication)');
  }
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  if (end === 0) throw new TlsParseError('encrypted record has no content type');
  return { type: plain[end - 1]!, content: plain.subarray(0, end - 1) };
}

/** A record that does not authenticate under the keys (wrong secret or corrupt record). */
export class DecryptError extends TlsParseError {}

/** update + final (which authenticates); AEAD modes return everything from update, so no copy. */
function aeadOpen(d: ReturnType<typeof createDecipheriv>, ct: Buffer): Buffer {
  const out = d.update(ct);
  const rest = d.final();
  return rest.length === 0 ? out : Buffer.concat([out, rest]);
}
