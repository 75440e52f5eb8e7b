/**
 * The PKCS#12 key-derivation and decryption code, run in a worker_threads Worker so that a deadline
 * can stop it (reliability-catalog §0.5: the RFC 7292 KDF is a synchronous loop, up to 10,000,000
 * iterations are allowed, and nothing on the main thread could interrupt it). It is kept as plain
 * JavaScript source and started with `eval: true`, because Node 20 cannot start a `.ts` worker and
 * the file must work unchanged under vitest and from the tsc build. It needs only node:crypto.
 *
 * Protocol (one request at a time; every reply has the request's `id`):
 *   { op: 'mac', hash, salt, iterations, data, expected, candidates: [{ password, nullForm }] }
 *     → { id, ok: true, index }   index of the first candidate whose HMAC matches, or -1
 *   { op: 'decrypt', password, nullForm, items: [{ alg, data }] }
 *     → { id, ok: true, results } one Uint8Array per item, or null where decryption failed
 *   any failure → { id, ok: false, error }  (never contains the password)
 *
 * `nullForm` mirrors OpenSSL's two readings of an empty password: a zero-length password
 * (PKCS12_verify_mac(p12, NULL)) rather than the two-byte BMP terminator of "".
 */
export const PKCS_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');

// [digest bytes u, block bytes v] per RFC 7292 B.2.
const HASH = { sha1: [20, 64], sha224: [28, 64], sha256: [32, 64], sha384: [48, 128], sha512: [64, 128] };
const digest = typeof crypto.hash === 'function'
  ? (alg, data) => crypto.hash(alg, data, 'buffer')
  : (alg, data) => crypto.createHash(alg).update(data).digest();

// The KDF's inner loop hashes its own digest again and again: up to 10,000,000 times per
// derivation. For SHA-256 and SHA-1 (every PKCS#12 MAC and legacy PBE we meet) the message is one
// block of fixed shape, so the compression function runs on words with no allocation and no call
// into C++ per round: about 2x faster than crypto.hash per iteration on this machine, which is what
// lets a 2,500,000-iteration file open well inside the deadline. Other hashes take the native loop.
const K256 = new Int32Array([0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb,
  0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f,
  0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
const IV256 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

function iterateSha256(h, n) {
  const W = new Int32Array(64);
  for (let it = 0; it < n; it++) {
    for (let i = 0; i < 8; i++) W[i] = h[i];
    W[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) W[i] = 0;
    W[15] = 256;
    for (let i = 16; i < 64; i++) {
      const x = W[i - 15], y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    let a = IV256[0] | 0, b = IV256[1] | 0, c = IV256[2] | 0, d = IV256[3] | 0, e = IV256[4] | 0, f = IV256[5] | 0, g = IV256[6] | 0, k = IV256[7] | 0;
    for (let i = 0; i < 64; i++) {
      const t1 = (k + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K256[i] + W[i]) | 0;
      const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (IV256[0] + a) | 0; h[1] = (IV256[1] + b) | 0; h[2] = (IV256[2] + c) | 0; h[3] = (IV256[3] + d) | 0;
    h[4] = (IV256[4] + e) | 0; h[5] = (IV256[5] + f) | 0; h[6] = (IV256[6] + g) | 0; h[7] = (IV256[7] + k) | 0;
  }
}

const IV1 = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
function iterateSha1(h, n) {
  const W = new Int32Array(80);
  for (let it = 0; it < n; it++) {
    for (let i = 0; i < 5; i++) W[i] = h[i];
    W[5] = 0x80000000 | 0;
    for (let i = 6; i < 15; i++) W[i] = 0;
    W[15] = 160;
    for (let i = 16; i < 80; i++) { const x = W[i - 3] ^ W[i - 8] ^ W[i - 14] ^ W[i - 16]; W[i] = (x << 1) | (x >>> 31); }
    let a = IV1[0] | 0, b = IV1[1] | 0, c = IV1[2] | 0, d = IV1[3] | 0, e = IV1[4] | 0;
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? ((b & c) | (~b & d)) + 0x5a827999 : i < 40 ? (b ^ c ^ d) + 0x6ed9eba1 : i < 60 ? ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdc : (b ^ c ^ d) + 0xca62c1d6;
      const t = (((a << 5) | (a >>> 27)) + f + e + W[i]) | 0;
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
    }
    h[0] = (IV1[0] + a) | 0; h[1] = (IV1[1] + b) | 0; h[2] = (IV1[2] + c) | 0; h[3] = (IV1[3] + d) | 0; h[4] = (IV1[4] + e) | 0;
  }
}

/** Hashes the digest A with alg n more times. */
function iterate(alg, A, n) {
  const words = alg === 'sha256' ? iterateSha256 : alg === 'sha1' ? iterateSha1 : null;
  if (!words) {
    for (let r = 0; r < n; r++) A = digest(alg, A);
    return A;
  }
  const h = new Int32Array(A.length / 4);
  for (let i = 0; i < h.length; i++) h[i] = A.readInt32BE(i * 4);
  words(h, n);
  const out = Buffer.alloc(A.length);
  for (let i = 0; i < h.length; i++) out.writeInt32BE(h[i], i * 4);
  return out;
}

function bmpPassword(password, nullForm) {
  if (nullForm) return Buffer.alloc(0);
  const out = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) out.writeUInt16BE(password.charCodeAt(i), i * 2);
  return out;
}

function repeatToBlocks(x, v) {
  if (x.length === 0) return Buffer.alloc(0);
  const out = Buffer.alloc(v * Math.ceil(x.length / v));
  for (let i = 0; i < out.length; i++) out[i] = x[i % x.length];
  return out;
}

// RFC 7292 Appendix B.2.
function pkcs12Kdf(alg, pass, salt, id, iterations, n) {
  const hv = HASH[alg];
  if (!hv) throw new Error('unsupported KDF hash');
  const u = hv[0], v = hv[1];
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([repeatToBlocks(salt, v), repeatToBlocks(pass, v)]);
  const out = Buffer.alloc(n);
  let off = 0;
  for (;;) {
    let A = iterate(alg, digest(alg, Buffer.concat([D, I])), iterations - 1);
    A.copy(out, off, 0, Math.min(u, n - off));
    off += u;
    if (off >= n) return out;
    const B = Buffer.alloc(v);
    for (let i = 0; i < v; i++) B[i] = A[i % u];
    for (let j = 0; j < I.length; j += v) {
      let c = 1;
      for (let k = v - 1; k >= 0; k--) {
        c += I[j + k] + B[k];
        I[j + k] = c & 0xff;
        c >>>= 8;
      }
    }
  }
}

// RC2 (RFC 2268), decryption only. Node's OpenSSL 3 has no legacy provider loaded, and
// "openssl pkcs12 -legacy" (and older Windows exports) encrypt the certificates with RC2-40.
const PITABLE = Uint8Array.from([
  0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
  0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
  0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
  0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
  0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
  0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
  0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
  0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
  0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
  0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
  0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
  0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
  0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
  0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
  0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
  0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
]);

function rc2Expand(key, bits) {
  const L = new Uint8Array(128);
  L.set(key.subarray(0, 128));
  const T = Math.min(key.length, 128);
  for (let i = T; i < 128; i++) L[i] = PITABLE[(L[i - 1] + L[i - T]) & 0xff];
  const T8 = (bits + 7) >> 3;
  const TM = 0xff >> (8 * T8 - bits);
  L[128 - T8] = PITABLE[L[128 - T8] & TM];
  for (let i = 127 - T8; i >= 0; i--) L[i] = PITABLE[L[i + 1] ^ L[i + T8]];
  const K = new Uint16Array(64);
  for (let i = 0; i < 64; i++) K[i] = L[2 * i] | (L[2 * i + 1] << 8);
  return K;
}

function rc2DecryptBlock(K, b, out, o) {
  const R = [b[o] | (b[o + 1] << 8), b[o + 2] | (b[o + 3] << 8), b[o + 4] | (b[o + 5] << 8), b[o + 6] | (b[o + 7] << 8)];
  const S = [1, 2, 3, 5];
  let j = 63;
  const rmix = () => {
    for (let i = 3; i >= 0; i--) {
      const r = R[i];
      R[i] = ((r >>> S[i]) | (r << (16 - S[i]))) & 0xffff;
      const a = R[(i + 3) & 3], c = R[(i + 2) & 3], d = R[(i + 1) & 3];
      R[i] = (R[i] - K[j] - (a & c) - (~a & d)) & 0xffff;
      j--;
    }
  };
  const rmash = () => {
    for (let i = 3; i >= 0; i--) R[i] = (R[i] - K[R[(i + 3) & 3] & 63]) & 0xffff;
  };
  for (let n = 0; n < 5; n++) rmix();
  rmash();
  for (let n = 0; n < 6; n++) rmix();
  rmash();
  for (let n = 0; n < 5; n++) rmix();
  for (let i = 0; i < 4; i++) { out[2 * i] = R[i] & 0xff; out[2 * i + 1] = R[i] >>> 8; }
}

function rc2CbcDecrypt(key, bits, iv, data) {
  if (data.length === 0 || data.length % 8) return null;
  const K = rc2Expand(key, bits);
  const out = Buffer.alloc(data.length);
  const blk = new Uint8Array(8);
  for (let o = 0; o < data.length; o += 8) {
    rc2DecryptBlock(K, data, blk, o);
    for (let i = 0; i < 8; i++) out[o + i] = blk[i] ^ (o === 0 ? iv[i] : data[o - 8 + i]);
  }
  const pad = out[out.length - 1];
  if (pad < 1 || pad > 8) return null;
  for (let i = out.length - pad; i < out.length; i++) if (out[i] !== pad) return null;
  return out.subarray(0, out.length - pad);
}

function decryptOne(alg, data, password, nullForm) {
  if (alg.kind === 'pbes2') {
    const pass = nullForm ? Buffer.alloc(0) : Buffer.from(password, 'utf8');
    const key = crypto.pbkdf2Sync(pass, Buffer.from(alg.salt), alg.iterations, alg.keyLength, alg.prf);
    try {
      const d = crypto.createDecipheriv(alg.cipher, key, Buffer.from(alg.iv));
      return Buffer.concat([d.update(data), d.final()]);
    } catch {
      return null;
    }
  }
  if (alg.kind === 'pkcs12pbe') {
    const pass = bmpPassword(password, nullForm);
    const key = pkcs12Kdf('sha1', pass, Buffer.from(alg.salt), 1, alg.iterations, alg.keyLength);
    const iv = alg.ivLength ? pkcs12Kdf('sha1', pass, Buffer.from(alg.salt), 2, alg.iterations, alg.ivLength) : null;
    if (alg.cipher === 'rc2-cbc') return rc2CbcDecrypt(key, alg.keyLength * 8, iv, data);
    try {
      const d = crypto.createDecipheriv(alg.cipher, key, iv);
      return Buffer.concat([d.update(data), d.final()]);
    } catch {
      return null;
    }
  }
  throw new Error('unsupported algorithm kind');
}

parentPort.on('message', (m) => {
  try {
    if (m.op === 'mac') {
      const u = HASH[m.hash][0];
      let index = -1;
      for (let i = 0; i < m.candidates.length && index < 0; i++) {
        const c = m.candidates[i];
        const key = pkcs12Kdf(m.hash, bmpPassword(c.password, c.nullForm), Buffer.from(m.salt), 3, m.iterations, u);
        const mac = crypto.createHmac(m.hash, key).update(m.data).digest();
        if (mac.length === m.expected.length && crypto.timingSafeEqual(mac, Buffer.from(m.expected))) index = i;
      }
      parentPort.postMessage({ id: m.id, ok: true, index });
    } else if (m.op === 'decrypt') {
      const results = m.items.map((it) => {
        const r = decryptOne(it.alg, Buffer.from(it.data), m.password, m.nullForm);
        return r ? new Uint8Array(r) : null;
      });
      parentPort.postMessage({ id: m.id, ok: true, results });
    } else {
      parentPort.postMessage({ id: m.id, ok: false, error: 'unknown op' });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String(e && e.message || e) });
  }
});
`;
