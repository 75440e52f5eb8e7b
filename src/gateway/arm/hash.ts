/**
 * The two hashing template functions whose values end up in resource names and host names:
 * `uniqueString()` (a 64-bit Murmur variant of the '-'-joined UTF-8 arguments, written as 13
 * base-32 characters) and `guid()` (a version-5 UUID in ARM's namespace over the same joined text).
 * Both must match ARM exactly: a web app named `concat('app', uniqueString(...))` is a backend FQDN.
 */
import { createHash } from 'node:crypto';

const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const le32 = (b: Uint8Array, o: number, n: number) => {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = (v << 8) | b[o + k]!;
  return v >>> 0;
};
const C1 = 2869860233, C2 = 597399067;

function fmix(h: number): number {
  h = mul(h ^ (h >>> 16), 2246822507);
  h = mul(h ^ (h >>> 13), 3266489909);
  return (h ^ (h >>> 16)) >>> 0;
}

/** ARM's 64-bit Murmur variant; returns [high, low] 32-bit halves. */
function murmur64(data: Uint8Array): [number, number] {
  const len = data.length;
  let h1 = 0, h2 = 0, i = 0;
  for (; i + 7 < len; i += 8) {
    const k1 = mul(rotl(mul(le32(data, i, 4), C2), 15), C1);
    const k2 = mul(rotl(mul(le32(data, i + 4, 4), C1), 17), C2);
    h1 = (rotl((h1 ^ k1) >>> 0, 19) + h2) >>> 0;
    h1 = (mul(h1, 5) + 1444728091) >>> 0;
    h2 = (rotl((h2 ^ k2) >>> 0, 13) + h1) >>> 0;
    h2 = (mul(h2, 5) + 197830471) >>> 0;
  }
  const tail = len - i;
  if (tail > 0) {
    h1 = (h1 ^ mul(rotl(mul(le32(data, i, Math.min(tail, 4)), C2), 15), C1)) >>> 0;
    if (tail > 4) h2 = (h2 ^ mul(rotl(mul(le32(data, i + 4, tail - 4), C1), 17), C2)) >>> 0;
  }
  h1 = (h1 ^ len) >>> 0;
  h2 = (h2 ^ len) >>> 0;
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return [h2, h1];
}

/** ARM `uniqueString(a, b, ...)`. */
export function uniqueString(...values: string[]): string {
  const [hi, lo] = murmur64(new TextEncoder().encode(values.join('-')));
  let v = (BigInt(hi) << 32n) | BigInt(lo);
  const alpha = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (let k = 0; k < 13; k++) {
    out += alpha[Number(v >> 59n)];
    v = (v << 5n) & 0xffffffffffffffffn;
  }
  return out;
}

// ARM's namespace for guid(), in RFC 4122 (big-endian) byte order.
const ARM_GUID_NAMESPACE = Buffer.from('11fb06fb712d4ddd98c7e71bbd588830', 'hex');

/** ARM `guid(a, b, ...)`: UUID v5 (SHA-1) over the '-'-joined arguments. */
export function armGuid(...values: string[]): string {
  const h = createHash('sha1').update(ARM_GUID_NAMESPACE).update(values.join('-'), 'utf8').digest();
  const b = Buffer.from(h.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const x = b.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
