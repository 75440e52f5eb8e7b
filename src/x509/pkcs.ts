/**
 * PKCS#12 (PFX) decoding. The whole structure is read with our bounded DER reader first, so every
 * KDF iteration count (the MAC's and every PBES2/PBKDF2 or PKCS#12-PBE one) is known and capped
 * before anything is derived (reliability-catalog §0.5: pkijs runs the MAC KDF as a synchronous
 * loop; 2^31-1 iterations would block for about half an hour). All derivation and decryption then
 * runs in a worker_threads Worker that is terminate()d at the deadline.
 *
 * Supported: OpenSSL 3 default (PBES2 AES-CBC + PBKDF2-HMAC-SHA*, SHA-2 MAC), `-legacy`
 * (pbeWithSHAAnd40BitRC2-CBC certificates, 3-key 3DES key, SHA-1 MAC), older Windows 3DES exports,
 * `-nomac`, empty passwords. Not supported: RC4, PBES1 DES, public-key privacy/integrity modes,
 * PBMAC1, BER indefinite lengths; each gives its own InputError.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { InputError } from '../model/errors.js';
import { DerError, bytesEqual, children, parseOid, readTlv, value, whole, type Tlv } from './der.js';
import {
  DEFAULT_DEADLINE_MS, DEFAULT_MAX_ITERATIONS, addNote, derShape, formatCount, matchKey, walkDer,
  type DecodeContext,
} from './der-walk.js';
import { PKCS_WORKER_SOURCE } from './pkcs-worker.js';
import { nowMs } from '../clock.js';

/** The certificates of a PKCS#12 file and, when it holds one, the leaf's private key. */
export interface Pkcs12Result {
  /** DER, the leaf (the certificate of the private key) first, then the others in file order. */
  certificates: Uint8Array[];
  privateKey?: KeyObject;
}

/** What the worker needs to decrypt one blob. Plain data: it is posted across threads. */
export type EncAlg =
  | { kind: 'pbes2'; prf: string; salt: Uint8Array; iterations: number; keyLength: number; cipher: string; iv: Uint8Array }
  | { kind: 'pkcs12pbe'; salt: Uint8Array; iterations: number; keyLength: number; ivLength: number; cipher: string };

interface MacInfo { hash: string; digest: Uint8Array; salt: Uint8Array; iterations: number }

interface Bag {
  type: 'cert' | 'key' | 'shrouded';
  der: Uint8Array;          // certificate, PrivateKeyInfo, or the encrypted key
  alg?: EncAlg;             // shrouded only
  localKeyId?: Uint8Array;
}

interface Segment {
  bags: Bag[];
  encrypted?: { alg: EncAlg; data: Uint8Array };
}

const OID = {
  data: '1.2.840.113549.1.7.1', signedData: '1.2.840.113549.1.7.2', envelopedData: '1.2.840.113549.1.7.3',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1', shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3', crlBag: '1.2.840.113549.1.12.10.1.4',
  secretBag: '1.2.840.113549.1.12.10.1.5', safeContentsBag: '1.2.840.113549.1.12.10.1.6',
  x509Certificate: '1.2.840.113549.1.9.22.1', localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13', pbkdf2: '1.2.840.113549.1.5.12', pbmac1: '1.2.840.113549.1.5.14',
} as const;

const MAC_HASH: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.4': 'sha224', '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};
const PRF: Record<string, string> = {
  '1.2.840.113549.2.7': 'sha1', '1.2.840.113549.2.8': 'sha224', '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384', '1.2.840.113549.2.11': 'sha512',
};
const PBES2_CIPHER: Record<string, { cipher: string; keyLength: number; ivLength: number }> = {
  '2.16.840.1.101.3.4.1.2': { cipher: 'aes-128-cbc', keyLength: 16, ivLength: 16 },
  '2.16.840.1.101.3.4.1.22': { cipher: 'aes-192-cbc', keyLength: 24, ivLength: 16 },
  '2.16.840.1.101.3.4.1.42': { cipher: 'aes-256-cbc', keyLength: 32, ivLength: 16 },
  '1.2.840.113549.3.7': { cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
};
const PKCS12_PBE: Record<string, { cipher: string; keyLength: number; ivLength: number } | string> = {
  '1.2.840.113549.1.12.1.1': 'RC4-128',
  '1.2.840.113549.1.12.1.2': 'RC4-40',
  '1.2.840.113549.1.12.1.3': { cipher: 'des-ede3-cbc', keyLength: 24, ivLength: 8 },
  '1.2.840.113549.1.12.1.4': { cipher: 'des-ede-cbc', keyLength: 16, ivLength: 8 },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2-cbc', keyLength: 16, ivLength: 8 },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2-cbc', keyLength: 5, ivLength: 8 },
};
const PBES1: Record<string, string> = {
  '1.2.840.113549.1.5.1': 'MD2-DES', '1.2.840.113549.1.5.3': 'MD5-DES', '1.2.840.113549.1.5.4': 'MD2-RC2',
  '1.2.840.113549.1.5.6': 'MD5-RC2', '1.2.840.113549.1.5.10': 'SHA1-DES', '1.2.840.113549.1.5.11': 'SHA1-RC2',
};

const MAX_SAFE_CONTENTS_NESTING = 4;

class Pkcs12Parser {
  readonly iterationCounts: number[] = [];
  constructor(private readonly ctx: DecodeContext, private readonly maxIterations: number) {}

  fail(msg: string): never {
    throw new InputError(`${this.ctx.name}: ${msg}`);
  }

  /** Checks the cap as soon as a count is read, so nothing later can derive with it. */
  iterations(t: Tlv | undefined, dflt?: number): number {
    if (!t) {
      if (dflt !== undefined) return dflt;
      this.fail('corrupt PKCS#12 (missing iteration count)');
    }
    if (t.tag !== 0x02) this.fail('corrupt PKCS#12 (iteration count is not an INTEGER)');
    const v = value(t);
    if (v.length === 0 || (v[0]! & 0x80) !== 0) this.fail('corrupt PKCS#12 (negative iteration count)');
    let n = 0n;
    for (const b of v) n = n * 256n + BigInt(b);
    if (n === 0n) this.fail('corrupt PKCS#12 (iteration count 0)');
    if (n > BigInt(this.maxIterations)) {
      this.fail(`PKCS#12 KDF iteration count ${n} exceeds ${formatCount(this.maxIterations)}`);
    }
    const count = Number(n);
    this.iterationCounts.push(count);
    return count;
  }

  octets(t: Tlv | undefined, what: string): Uint8Array {
    if (t && t.tag === 0x04) return value(t);
    // A constructed OCTET STRING (BER, definite lengths) is the concatenation of its segments.
    if (t && t.tag === 0x24) {
      const parts = children(t).map((c) => {
        if (c.tag !== 0x04) this.fail(`corrupt PKCS#12 (${what})`);
        return value(c);
      });
      return new Uint8Array(Buffer.concat(parts));
    }
    this.fail(`corrupt PKCS#12 (${what} is not an OCTET STRING)`);
  }

  oid(t: Tlv | undefined): string {
    if (!t || t.tag !== 0x06) this.fail('corrupt PKCS#12 (expected an OID)');
    return parseOid(value(t));
  }

  seq(t: Tlv | undefined, what: string): Tlv[] {
    if (!t || t.tag !== 0x30) this.fail(`corrupt PKCS#12 (${what})`);
    return children(t);
  }

  /** The single element inside an [0] EXPLICIT. */
  explicit0(t: Tlv | undefined, what: string): Tlv {
    if (!t || t.tag !== 0xa0) this.fail(`corrupt PKCS#12 (${what})`);
    const c = children(t);
    if (c.length !== 1) this.fail(`corrupt PKCS#12 (${what})`);
    return c[0]!;
  }

  encAlg(t: Tlv | undefined): EncAlg {
    const [oidT, paramsT] = this.seq(t, 'AlgorithmIdentifier');
    const oid = this.oid(oidT);
    if (oid === OID.pbes2) {
      const [kdfT, encT] = this.seq(paramsT, 'PBES2 parameters');
      const [kdfOidT, kdfParamsT] = this.seq(kdfT, 'PBES2 KDF');
      const kdfOid = this.oid(kdfOidT);
      if (kdfOid !== OID.pbkdf2) this.fail(`unsupported PKCS#12 key derivation (OID ${kdfOid})`);
      const kp = this.seq(kdfParamsT, 'PBKDF2 parameters');
      const salt = kp[0]?.tag === 0x04 ? value(kp[0]) : this.fail('unsupported PBKDF2 salt source');
      const iterations = this.iterations(kp[1]);
      let i = 2;
      let keyLength: number | undefined;
      if (kp[i]?.tag === 0x02) {
        const kl = value(kp[i]!);
        keyLength = kl.length <= 2 ? kl.reduce((a, b) => a * 256 + b, 0) : 0;
        i++;
      }
      let prf = 'sha1';
      if (kp[i]) {
        const prfOid = this.oid(this.seq(kp[i], 'PBKDF2 PRF')[0]);
        const p = PRF[prfOid];
        if (!p) this.fail(`unsupported PBKDF2 PRF (OID ${prfOid})`);
        prf = p;
      }
      const [encOidT, ivT] = this.seq(encT, 'PBES2 encryption scheme');
      const encOid = this.oid(encOidT);
      const c = PBES2_CIPHER[encOid];
      if (!c) this.fail(`unsupported PKCS#12 encryption (OID ${encOid}); re-export with AES`);
      const iv = this.octets(ivT, 'PBES2 IV');
      if (iv.length !== c.ivLength) this.fail('corrupt PKCS#12 (PBES2 IV length)');
      if (keyLength !== undefined && keyLength !== c.keyLength) this.fail('corrupt PKCS#12 (PBES2 key length)');
      return { kind: 'pbes2', prf, salt, iterations, keyLength: c.keyLength, cipher: c.cipher, iv };
    }
    const legacy = PKCS12_PBE[oid];
    if (legacy !== undefined) {
      if (typeof legacy === 'string') this.fail(`unsupported legacy PKCS#12 encryption (${legacy}); re-export with AES`);
      const [saltT, iterT] = this.seq(paramsT, 'PKCS#12 PBE parameters');
      const salt = this.octets(saltT, 'PBE salt');
      const iterations = this.iterations(iterT);
      return { kind: 'pkcs12pbe', salt, iterations, ...legacy };
    }
    if (PBES1[oid]) this.fail(`unsupported legacy PKCS#12 encryption (PBES1 ${PBES1[oid]}); re-export with AES`);
    this.fail(`unsupported PKCS#12 encryption (OID ${oid})`);
  }

  mac(t: Tlv | undefined): MacInfo | undefined {
    if (!t) return undefined;
    const [digestInfoT, saltT, iterT] = this.seq(t, 'MacData');
    const [algT, digestT] = this.seq(digestInfoT, 'MAC DigestInfo');
    const oid = this.oid(this.seq(algT, 'MAC algorithm')[0]);
    if (oid === OID.pbmac1) this.fail('unsupported PKCS#12 MAC (PBMAC1); re-export with a SHA-256 MAC');
    const hash = MAC_HASH[oid];
    if (!hash) this.fail(`unsupported PKCS#12 MAC algorithm (OID ${oid})`);
    const digest = this.octets(digestT, 'MAC digest');
    const salt = this.octets(saltT, 'MAC salt');
    const iterations = this.iterations(iterT, 1);
    return { hash, digest, salt, iterations };
  }

  /** SafeContents ::= SEQUENCE OF SafeBag; appends to `bags` in order. */
  safeContents(der: Uint8Array, bags: Bag[], depth = 0): void {
    if (depth > MAX_SAFE_CONTENTS_NESTING) this.fail('corrupt PKCS#12 (SafeContents nested too deep)');
    const end = walkDer(this.ctx, der, 0);
    for (const bagT of this.seq(readTlv(der, 0, end), 'SafeContents')) {
      const [idT, valT, attrsT] = this.seq(bagT, 'SafeBag');
      const id = this.oid(idT);
      const v = this.explicit0(valT, 'SafeBag value');
      let localKeyId: Uint8Array | undefined;
      if (attrsT?.tag === 0x31) {
        for (const a of children(attrsT)) {
          const [aOid, aVals] = this.seq(a, 'bag attribute');
          if (this.oid(aOid) === OID.localKeyId && aVals?.tag === 0x31) {
            const first = children(aVals)[0];
            if (first?.tag === 0x04) localKeyId = value(first);
          }
        }
      }
      const withId = <B extends Bag>(b: B): B => (localKeyId ? { ...b, localKeyId } : b);
      switch (id) {
        case OID.certBag: {
          const [typeT, certT] = this.seq(v, 'CertBag');
          const type = this.oid(typeT);
          if (type !== OID.x509Certificate) { addNote(this.ctx, 'non-X.509 certificate bag ignored'); break; }
          const der = this.octets(this.explicit0(certT, 'CertBag value'), 'certificate');
          const certEnd = walkDer(this.ctx, der, 0);
          if (derShape(readTlv(der, 0, certEnd)) !== 'certificate') this.fail('corrupt PKCS#12 (a certificate bag does not hold a certificate)');
          bags.push(withId({ type: 'cert', der: der.subarray(0, certEnd) }));
          break;
        }
        case OID.keyBag:
          bags.push(withId({ type: 'key', der: whole(v) }));
          break;
        case OID.shroudedKeyBag: {
          const [algT, dataT] = this.seq(v, 'EncryptedPrivateKeyInfo');
          bags.push(withId({ type: 'shrouded', alg: this.encAlg(algT), der: this.octets(dataT, 'encrypted key') }));
          break;
        }
        case OID.crlBag: addNote(this.ctx, 'CRL ignored'); break;
        case OID.secretBag: addNote(this.ctx, 'secret bag ignored (not printed)'); break;
        case OID.safeContentsBag: this.safeContents(whole(v), bags, depth + 1); break;
        default: addNote(this.ctx, `unknown PKCS#12 bag ${id} ignored`);
      }
    }
  }

  /** PFX -> authSafe bytes (what the MAC covers), MAC, and the segments in order. */
  pfx(der: Uint8Array): { authSafe: Uint8Array; mac?: MacInfo; segments: Segment[] } {
    const [verT, authT, macT] = this.seq(readTlv(der, 0), 'PFX');
    if (!verT || verT.tag !== 0x02 || value(verT).length !== 1 || value(verT)[0] !== 3) this.fail('unsupported PKCS#12 version');
    const [ctT, contentT] = this.seq(authT, 'authSafe');
    const ct = this.oid(ctT);
    if (ct === OID.signedData) this.fail('unsupported PKCS#12 integrity mode (public-key signature); re-export with a password');
    if (ct !== OID.data) this.fail(`corrupt PKCS#12 (authSafe content type ${ct})`);
    const authSafe = this.octets(this.explicit0(contentT, 'authSafe content'), 'authSafe');
    const mac = this.mac(macT);
    const end = walkDer(this.ctx, authSafe, 0);
    const segments: Segment[] = [];
    for (const ciT of this.seq(readTlv(authSafe, 0, end), 'AuthenticatedSafe')) {
      const [oidT, cT] = this.seq(ciT, 'ContentInfo');
      const oid = this.oid(oidT);
      if (oid === OID.data) {
        const seg: Segment = { bags: [] };
        this.safeContents(this.octets(this.explicit0(cT, 'data'), 'SafeContents'), seg.bags);
        segments.push(seg);
      } else if (oid === OID.encryptedData) {
        const [, eciT] = this.seq(this.explicit0(cT, 'EncryptedData'), 'EncryptedData');
        const [, algT, dataT] = this.seq(eciT, 'EncryptedContentInfo');
        const alg = this.encAlg(algT);
        if (!dataT) { segments.push({ bags: [] }); continue; }
        let data: Uint8Array;
        if (dataT.tag === 0x80) data = value(dataT);
        else if (dataT.tag === 0xa0) data = new Uint8Array(Buffer.concat(children(dataT).map((c) => value(c))));
        else this.fail('corrupt PKCS#12 (encrypted content)');
        segments.push({ bags: [], encrypted: { alg, data } });
      } else if (oid === OID.envelopedData) {
        this.fail('unsupported PKCS#12 privacy mode (public-key envelopedData)');
      } else {
        this.fail(`corrupt PKCS#12 (content type ${oid})`);
      }
    }
    return { authSafe, ...(mac ? { mac } : {}), segments };
  }
}

interface Password { password: string; nullForm: boolean }

interface WorkerReply { id: number; ok: boolean; error?: string; index?: number; results?: (Uint8Array | null)[] }

/** One worker per decode, created on first use, terminated at the deadline or when done. */
class KdfRunner {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly started = nowMs();
  constructor(private readonly ctx: DecodeContext, private readonly deadlineMs: number) {}

  private deadlineError(): InputError {
    return new InputError(`${this.ctx.name}: PKCS#12 key derivation did not finish within ${formatCount(this.deadlineMs)} ms`);
  }

  private request(msg: Record<string, unknown>, excludedMs: number): Promise<WorkerReply> {
    const remaining = this.deadlineMs - (nowMs() - this.started - excludedMs);
    if (remaining <= 0) return Promise.reject(this.deadlineError());
    if (!this.worker) this.worker = new Worker(PKCS_WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 128 } });
    const w = this.worker;
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const drop = (): void => {
        this.worker = undefined;
        // A native PBKDF2 call cannot be interrupted; unref so it cannot hold the process open.
        w.unref();
        void w.terminate();
      };
      const timer = setTimeout(() => { cleanup(); drop(); reject(this.deadlineError()); }, remaining);
      const onMessage = (m: WorkerReply): void => {
        if (m.id !== id) return;
        cleanup();
        if (m.ok) resolve(m);
        else reject(new Error(`PKCS#12 worker failed: ${m.error ?? 'unknown error'}`));
      };
      const onError = (e: Error): void => { cleanup(); drop(); reject(e); };
      const onExit = (code: number): void => { cleanup(); this.worker = undefined; reject(new Error(`PKCS#12 worker exited (${code})`)); };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ ...msg, id });
    });
  }

  /** Time spent waiting for the user's password does not count against the deadline. */
  excludedMs = 0;

  async mac(mac: MacInfo, authSafe: Uint8Array, candidates: Password[]): Promise<number> {
    const r = await this.request({
      op: 'mac', hash: mac.hash, salt: mac.salt, iterations: mac.iterations, data: authSafe, expected: mac.digest, candidates,
    }, this.excludedMs);
    return r.index ?? -1;
  }

  async decrypt(items: { alg: EncAlg; data: Uint8Array }[], pw: Password): Promise<(Uint8Array | null)[]> {
    if (items.length === 0) return [];
    const r = await this.request({ op: 'decrypt', password: pw.password, nullForm: pw.nullForm, items }, this.excludedMs);
    return r.results ?? [];
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

function looksLikeDer(ctx: DecodeContext, b: Uint8Array | null | undefined): b is Uint8Array {
  if (!b || b.length === 0 || b[0] !== 0x30) return false;
  try {
    walkDer({ ...ctx, notes: [] }, b, 0);
    return true;
  } catch {
    return false;
  }
}

/** Decode a PKCS#12 file (DER, already walked) within the context's limits and deadline; InputError on failure. */
export async function decodePkcs12(ctx: DecodeContext, der: Uint8Array): Promise<Pkcs12Result> {
  const maxIterations = ctx.opts.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const parser = new Pkcs12Parser(ctx, maxIterations);
  let parsed: ReturnType<Pkcs12Parser['pfx']>;
  try {
    parsed = parser.pfx(der);
  } catch (e) {
    if (e instanceof DerError) throw new InputError(`${ctx.name}: corrupt PKCS#12 (${e.message})`);
    throw e;
  }
  const { authSafe, mac, segments } = parsed;
  const runner = new KdfRunner(ctx, ctx.opts.deadlineMs ?? DEFAULT_DEADLINE_MS);
  const fail: (msg: string) => never = (msg) => { throw new InputError(`${ctx.name}: ${msg}`); };

  const askPassword = async (): Promise<string> => {
    const provider = ctx.opts.password;
    if (!provider) fail('PKCS#12 needs a password (use --password-env VAR)');
    const t0 = nowMs();
    try {
      return String(await provider());
    } finally {
      runner.excludedMs += nowMs() - t0;
    }
  };

  try {
    // Everything encrypted that is visible before decrypting anything: the encrypted
    // SafeContents and the shrouded keys in plain SafeContents. Their counts are capped already.
    const encSegments = segments.filter((s) => s.encrypted);
    const plainShrouded = segments.flatMap((s) => s.bags.filter((b) => b.type === 'shrouded'));
    const firstItems = [
      ...encSegments.map((s) => s.encrypted!),
      ...plainShrouded.map((b) => ({ alg: b.alg!, data: b.der })),
    ];

    let pw: Password;
    let probePlain: Uint8Array | undefined;
    const empties: Password[] = [{ password: '', nullForm: false }, { password: '', nullForm: true }];
    if (mac) {
      const given: Password[] = ctx.opts.passwordKnown ? [{ password: await askPassword(), nullForm: false }] : [];
      const i = await runner.mac(mac, authSafe, [...given, ...empties]);
      if (i >= 0) {
        pw = [...given, ...empties][i]!;
      } else {
        pw = given[0] ?? { password: await askPassword(), nullForm: false };
        if (given.length || (await runner.mac(mac, authSafe, [pw])) < 0) {
          // A password that still decrypts the contents is right: then the file is what is wrong.
          const probe = firstItems[0];
          if (probe && looksLikeDer(ctx, (await runner.decrypt([probe], pw))[0])) {
            fail('corrupt PKCS#12 (MAC check failed although the password decrypts the contents)');
          }
          fail('wrong password (PKCS#12 MAC check failed)');
        }
      }
    } else {
      addNote(ctx, 'PKCS#12 has no MAC; its integrity was not checked');
      pw = empties[0]!;
      const probe = firstItems[0];
      if (probe) {
        // PBES2 uses the password's UTF-8 bytes, where "" and the zero-length form are the same.
        const given: Password[] = ctx.opts.passwordKnown ? [{ password: await askPassword(), nullForm: false }] : [];
        const tries = [...given, ...(probe.alg.kind === 'pbes2' ? empties.slice(0, 1) : empties)];
        for (const e of tries) {
          const p = (await runner.decrypt([probe], e))[0];
          if (looksLikeDer(ctx, p)) { pw = e; probePlain = p; break; }
        }
        if (!probePlain) {
          pw = given[0] ?? { password: await askPassword(), nullForm: false };
          const p = given.length ? undefined : (await runner.decrypt([probe], pw))[0];
          if (!looksLikeDer(ctx, p)) {
            fail('wrong password (PKCS#12 decryption failed; the file has no MAC to check it)');
          }
          probePlain = p;
        }
      }
    }

    // The probe already cost one full derivation; do not pay for it twice.
    const plain = probePlain
      ? [probePlain, ...(await runner.decrypt(firstItems.slice(1), pw))]
      : await runner.decrypt(firstItems, pw);
    const corrupt = (): never => fail('corrupt PKCS#12 (decryption failed although the password is correct)');
    encSegments.forEach((s, i) => {
      const p = plain[i];
      if (!looksLikeDer(ctx, p)) corrupt();
      s.bags = [];
      parser.safeContents(p!, s.bags);
    });
    plainShrouded.forEach((b, i) => {
      const p = plain[encSegments.length + i];
      if (!looksLikeDer(ctx, p)) corrupt();
      b.type = 'key';
      b.der = p!;
    });
    // Keys shrouded inside encrypted SafeContents: their counts were capped while parsing above.
    const late = encSegments.flatMap((s) => s.bags.filter((b) => b.type === 'shrouded'));
    const latePlain = await runner.decrypt(late.map((b) => ({ alg: b.alg!, data: b.der })), pw);
    late.forEach((b, i) => {
      const p = latePlain[i];
      if (!looksLikeDer(ctx, p)) corrupt();
      b.type = 'key';
      b.der = p!;
    });

    const bags = segments.flatMap((s) => s.bags);
    const certBags = bags.filter((b) => b.type === 'cert');
    if (certBags.length === 0) fail('PKCS#12 contains no certificates');
    if (certBags.length > ctx.maxCertificates) fail(`more than ${formatCount(ctx.maxCertificates)} certificates`);
    const keyBags = bags.filter((b) => b.type === 'key');
    const keys: { key: KeyObject; localKeyId?: Uint8Array }[] = [];
    for (const b of keyBags) {
      try {
        const key = createPrivateKey({ key: Buffer.from(b.der), format: 'der', type: 'pkcs8' });
        keys.push(b.localKeyId ? { key, localKeyId: b.localKeyId } : { key });
      } catch {
        addNote(ctx, 'a private key in the PKCS#12 could not be decoded');
      }
    }
    if (keyBags.length > 0) addNote(ctx, 'private key ignored (not printed)');

    let leaf = -1;
    let privateKey: KeyObject | undefined;
    for (const k of keys) {
      const id = k.localKeyId;
      const i = id ? certBags.findIndex((c) => c.localKeyId && bytesEqual(c.localKeyId, id)) : -1;
      if (i >= 0) { leaf = i; privateKey = k.key; break; }
    }
    if (leaf < 0 && keys.length > 0) {
      const m = matchKey(keys.map((k) => k.key), certBags.map((c) => c.der));
      if (m) { leaf = m.certIndex; privateKey = m.key; }
    }
    if (!privateKey && keys.length > 0) privateKey = keys[0]!.key;
    const certificates = certBags.map((c) => new Uint8Array(c.der));
    if (leaf > 0) certificates.unshift(...certificates.splice(leaf, 1));
    return privateKey ? { certificates, privateKey } : { certificates };
  } catch (e) {
    if (e instanceof DerError) throw new InputError(`${ctx.name}: corrupt PKCS#12 (${e.message})`);
    throw e;
  } finally {
    await runner.close();
  }
}
