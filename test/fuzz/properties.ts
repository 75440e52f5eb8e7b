/**
 * Property tests (fast-check) for issue 7 item 2: every decoder, the certificate parser, the name
 * matcher, the status match parser, the TLS record parser, the gateway config importer and the
 * judge. Each property says: only our own input error (or success), never another exception, and
 * never over its time budget. The judge's oracle property: never Healthy for a chain that
 * `openssl verify` rejects.
 *
 * The same definitions run bounded in the normal suite (test/fuzz/*.test.ts, `normalRuns` each)
 * and for a given time through `npm run fuzz` (test/fuzz/run.mjs, FUZZ_SECONDS / FUZZ_SEED).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseStatusMatch, statusMatches } from '../../src/gateway/match.js';
import { HttpParseError, ResponseParser, type ResponseHead } from '../../src/capture/http1.js';
import { ServerFlightParser } from '../../src/capture/tlsrecords.js';
import { InputError } from '../../src/model/errors.js';
import { suiteSeed } from '../helpers/seed.js';
import { verifyChain } from '../../src/verify.js';
import { DerError, parseCertificate } from '../../src/x509/cert.js';
import { decodeCertificates } from '../../src/x509/decode.js';
import { matchHost, parseHostRef, wildcardCovers, type NameSource } from '../../src/x509/names.js';
import type { DistinguishedName, GeneralName } from '../../src/x509/types.js';
import * as g from '../reliability/certgen.js';

export interface FuzzProperty {
  name: string;
  /** Runs in the normal (bounded) suite. */
  normalRuns: number;
  /** Share of the time in `npm run fuzz` (relative). */
  weight: number;
  /** Per-call time budget, ms: an input that takes longer fails the property. */
  budgetMs: number;
  property: () => fc.IAsyncPropertyWithHooks<unknown[]> | fc.IPropertyWithHooks<unknown[]>;
}

const PKI = join(g.CERTS_DIR, 'out/pki');
const FORMATS = join(g.CERTS_DIR, 'out/formats');
const PASS = 'test-only-pass';

class BudgetExceeded extends Error {}
function within<T>(budgetMs: number, what: string, ms: number, v: T): T {
  if (ms > budgetMs) throw new BudgetExceeded(`${what} took ${ms.toFixed(0)} ms (budget ${budgetMs} ms)`);
  return v;
}

/** Success, or exactly `allowed`; anything else is rethrown so the property fails with it. */
function onlyThrows(e: unknown, allowed: (e: unknown) => boolean, what: string): void {
  if (allowed(e)) return;
  const err = e as Error;
  throw new Error(`${what} threw ${err?.constructor?.name ?? typeof e}: ${err?.message ?? String(e)}`);
}

// ---- known bugs ---------------------------------------------------------------------------------


// ---- mutations --------------------------------------------------------------------------------

export type Mutation =
  | { k: 'flip'; at: number; bit: number }
  | { k: 'set'; at: number; byte: number }
  | { k: 'del'; at: number; len: number }
  | { k: 'ins'; at: number; bytes: Uint8Array }
  | { k: 'cut'; at: number }
  | { k: 'dup'; at: number; len: number; to: number }
  | { k: 'tlv'; which: number; field: 'tag' | 'len'; byte: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ k: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ k: fc.constant('del' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ k: fc.constant('ins' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ k: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 512 }), to: fc.nat() }),
  fc.record({
    k: fc.constant('tlv' as const), which: fc.nat(), field: fc.constantFrom('tag' as const, 'len' as const),
    byte: fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x13, 0x17, 0x18, 0x30, 0x31, 0x7f, 0x80, 0x81, 0x82, 0x84, 0x88, 0xa0, 0xa3, 0xff),
  }),
);

/** Offsets of every TLV header in a DER buffer (for structure-aware mutations); [] if not DER. */
export function tlvHeaders(buf: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (s: number, e: number, depth: number) => {
    if (depth > 20) return;
    for (const t of safeKids(buf, s, e)) {
      out.push(t.start);
      if (t.tag & 0x20) walk(t.vs, t.end, depth + 1);
      else if (t.tag === 0x04 || t.tag === 0x03) {
        const inner = t.tag === 0x03 ? t.vs + 1 : t.vs;
        if (buf[inner] === 0x30) walk(inner, t.end, depth + 1);
      }
    }
  };
  walk(0, buf.length, 0);
  return out;
}
function safeKids(buf: Uint8Array, s: number, e: number): { tag: number; start: number; vs: number; end: number }[] {
  try {
    const k = g.kids(buf, s, e);
    return k.every((x) => x.end <= e && x.vs <= x.end) ? k : [];
  } catch {
    return [];
  }
}

export function mutate(seed: Uint8Array, ms: Mutation[], headers?: number[]): Uint8Array {
  let b = Buffer.from(seed);
  for (const m of ms) {
    const n = Math.max(b.length, 1);
    switch (m.k) {
      case 'flip': if (b.length) b[m.at % n]! ^= 1 << m.bit; break;
      case 'set': if (b.length) b[m.at % n] = m.byte; break;
      case 'del': b = Buffer.concat([b.subarray(0, m.at % n), b.subarray((m.at % n) + m.len)]); break;
      case 'ins': b = Buffer.concat([b.subarray(0, m.at % n), Buffer.from(m.bytes), b.subarray(m.at % n)]); break;
      case 'cut': b = b.subarray(0, m.at % n); break;
      case 'dup': {
        const s = m.at % n;
        const piece = b.subarray(s, s + m.len);
        const to = m.to % n;
        b = Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
        break;
      }
      case 'tlv': {
        if (!headers?.length) break;
        const h = headers[m.which % headers.length]!;
        const at = m.field === 'tag' ? h : h + 1;
        if (at < b.length) b[at] = m.byte;
        break;
      }
    }
    if (b.length > 1024 * 1024) b = b.subarray(0, 1024 * 1024);
  }
  return new Uint8Array(b);
}

// ---- seeds ------------------------------------------------------------------------------------

const read = (p: string) => new Uint8Array(readFileSync(p));
const pkiNames = () => readdirSync(PKI).filter((f) => f.endsWith('.der')).map((f) => f.slice(0, -4)).sort();

let derSeedsCache: { name: string; der: Uint8Array; headers: number[] }[] | undefined;
function derSeeds() {
  return derSeedsCache ??= pkiNames().map((name) => { const der = read(join(PKI, `${name}.der`)); return { name, der, headers: tlvHeaders(der) }; });
}

let fileSeedsCache: { name: string; bytes: Uint8Array; headers: number[] }[] | undefined;
function fileSeeds(kind: 'text-der' | 'pfx') {
  fileSeedsCache ??= readdirSync(FORMATS).sort().map((name) => { const bytes = read(join(FORMATS, name)); return { name, bytes, headers: tlvHeaders(bytes) }; });
  return fileSeedsCache.filter((s) => (kind === 'pfx') === s.name.endsWith('.pfx'));
}

// ---- decoders -----------------------------------------------------------------------------------

const DECODE_BUDGET = 3000;
/** PKCS#12 key derivation is stopped at this deadline (a mutated count may be legal but slow). */
const PFX_DEADLINE = 1500;

async function decodeOnly(bytes: Uint8Array, what: string): Promise<void> {
  const t0 = performance.now();
  try {
    const r = await decodeCertificates(bytes, 'fuzz.bin', { password: () => PASS, deadlineMs: PFX_DEADLINE });
    if (!Array.isArray(r.certificates) || r.certificates.length === 0) throw new Error(`${what}: success without certificates`);
    for (const n of r.notes) if (n.includes(PASS)) throw new Error(`${what}: a note carries the password`);
  } catch (e) {
    if (e instanceof BudgetExceeded) throw e;
    onlyThrows(e, (x) => (x instanceof InputError && !x.message.includes(PASS) && !x.message.includes('\n')), what);
  }
  within(DECODE_BUDGET, what, performance.now() - t0, undefined);
}

const decodeRandom: FuzzProperty = {
  name: 'decode: random bytes', normalRuns: 300, weight: 1, budgetMs: DECODE_BUDGET,
  property: () => fc.asyncProperty(
    fc.oneof(
      fc.uint8Array({ maxLength: 4096 }),
      fc.uint8Array({ maxLength: 4096 }).map((b) => new Uint8Array([0x30, 0x82, (b.length >> 8) & 0xff, b.length & 0xff, ...b])),
      fc.string({ unit: 'binary-ascii', maxLength: 2048 }).map((s) => new Uint8Array(Buffer.from(`-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----\n`, 'latin1'))),
      fc.base64String({ maxLength: 4096 }).map((s) => new Uint8Array(Buffer.from(s))),
    ),
    (bytes) => decodeOnly(bytes, 'decodeCertificates(random)'),
  ),
};

const decodeMutated: FuzzProperty = {
  name: 'decode: mutated PEM/DER/Base-64/PKCS#7', normalRuns: 400, weight: 2, budgetMs: DECODE_BUDGET,
  property: () => {
    const seeds = fileSeeds('text-der');
    return fc.asyncProperty(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
      (i, ms) => decodeOnly(mutate(seeds[i]!.bytes, ms, seeds[i]!.headers), `decodeCertificates(${seeds[i]!.name} mutated)`));
  },
};

const decodePfx: FuzzProperty = {
  name: 'decode: mutated PKCS#12', normalRuns: 60, weight: 2, budgetMs: DECODE_BUDGET,
  property: () => {
    const seeds = fileSeeds('pfx');
    return fc.asyncProperty(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      (i, ms) => decodeOnly(mutate(seeds[i]!.bytes, ms, seeds[i]!.headers), `decodeCertificates(${seeds[i]!.name} mutated)`));
  },
};

// ---- certificate parser, and the judge on what it accepts ---------------------------------------

const parseMutated: FuzzProperty = {
  name: 'parseCertificate + verifyChain: mutated DER certificates', normalRuns: 400, weight: 2, budgetMs: 1000,
  property: () => {
    const seeds = derSeeds();
    const intA = read(join(PKI, 'int-a.der'));
    const rootA = read(join(PKI, 'root-a.der'));
    return fc.asyncProperty(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (i, ms) => {
      const der = mutate(seeds[i]!.der, ms, seeds[i]!.headers);
      const what = `parseCertificate(${seeds[i]!.name} mutated)`;
      const t0 = performance.now();
      let parsed = false;
      try {
        parseCertificate(der);
        parsed = true;
      } catch (e) {
        onlyThrows(e, (x) => x instanceof DerError, what);
      }
      // Whatever parses must be judged without an exception (a finding, never a crash).
      const r = await verifyChain({ leaf: der, intermediates: [intA], trustedRoots: [rootA], host: 'backend.test', at: new Date('2030-06-01T00:00:00Z') });
      if (!parsed && r.status === 'Healthy') throw new Error(`${what}: does not parse but the judge says Healthy`);
      within(1000, what, performance.now() - t0, undefined);
    });
  },
};

// ---- names -------------------------------------------------------------------------------------

// LDH labels with at most one inner hyphen: never an "xn--" A-label, which must be valid punycode.
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9]{0,8}(-[a-z0-9]{1,4})?)?$/);
const hostChars = fc.constantFrom(...'abcXYZ019-._*:[]%\u0000 \u00fc\u0130\u202e/@'.split(''));
const hostish = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 5 }).map((l) => l.join('.')),
  fc.string({ unit: hostChars, maxLength: 40 }),
  fc.string({ maxLength: 300 }),
  fc.ipV4(), fc.ipV6(), fc.ipV4Extended(),
  fc.domain(),
);

function dn(cns: string[]): DistinguishedName {
  return { der: new Uint8Array([0x30, 0x00]), rdns: cns.map((v) => [{ oid: '2.5.4.3', short: 'CN', value: v, tag: 12 }]), text: cns.map((c) => `CN=${c}`).join(', ') };
}
const genName: fc.Arbitrary<GeneralName> = fc.oneof(
  hostish.map((value) => ({ type: 'dns' as const, value })),
  fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => ({ type: 'dns' as const, value: `*.${l.join('.')}` })),
  fc.uint8Array({ minLength: 0, maxLength: 17 }).map((bytes) => ({ type: 'ip' as const, bytes, value: Buffer.from(bytes).toString('hex') })),
  hostish.map((value) => ({ type: 'uri' as const, value })),
);

function swapCase(s: string, mask: boolean[]): string {
  return [...s].map((c, i) => (mask[i % Math.max(mask.length, 1)] ? (c >= 'a' && c <= 'z' ? c.toUpperCase() : c >= 'A' && c <= 'Z' ? c.toLowerCase() : c) : c)).join('');
}

const names: FuzzProperty = {
  name: 'names: parseHostRef, matchHost, wildcardCovers', normalRuns: 500, weight: 1, budgetMs: 500,
  property: () => fc.property(
    hostish, fc.array(genName, { maxLength: 6 }), fc.array(hostish, { maxLength: 2 }), fc.boolean(),
    fc.array(label, { minLength: 2, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
    (input, san, cns, withSan, labels, mask) => {
      const t0 = performance.now();
      let ref;
      try {
        ref = parseHostRef(input);
      } catch (e) {
        onlyThrows(e, (x) => x instanceof InputError, `parseHostRef(${JSON.stringify(input)})`);
      }
      const cert: NameSource = { subject: dn(cns), ...(withSan ? { subjectAltName: san } : {}) };
      if (ref) {
        const r = matchHost(cert, ref);
        if (typeof r.matched !== 'boolean') throw new Error('matchHost: no verdict');
        for (const p of r.presented) if (/[\u0000-\u001f\u007f\u202e]/.test(p)) throw new Error(`matchHost: unescaped presented name ${JSON.stringify(p)}`);
      }
      for (const s of san) if (s.type === 'dns') for (const h of [input, ...cns]) wildcardCovers(s.value, h);
      // A wildcard covers exactly one label: never two.
      const host = [...labels, 'test'].join('.');
      const twoUp = `*.${[...labels.slice(2), 'test'].join('.')}`;
      if (wildcardCovers(twoUp, host)) throw new Error(`${twoUp} covers ${host} (two labels)`);
      const r2 = matchHost({ subject: dn([]), subjectAltName: [{ type: 'dns', value: twoUp }] }, parseHostRef(host));
      if (r2.matched) throw new Error(`matchHost: ${twoUp} matched ${host}`);
      // Matching is case-insensitive (ASCII).
      const oneUp = `*.${[...labels.slice(1), 'test'].join('.')}`;
      for (const pattern of [host, oneUp]) {
        const a = wildcardCovers(pattern, host);
        const b = wildcardCovers(swapCase(pattern, mask), swapCase(host, mask.slice().reverse()));
        if (a !== b) throw new Error(`case changes the verdict: ${pattern} vs ${host}`);
        const m1 = matchHost({ subject: dn([]), subjectAltName: [{ type: 'dns', value: pattern }] }, parseHostRef(host)).matched;
        const m2 = matchHost({ subject: dn([]), subjectAltName: [{ type: 'dns', value: swapCase(pattern, mask) }] }, parseHostRef(swapCase(host, mask))).matched;
        if (m1 !== m2) throw new Error(`matchHost: case changes the verdict: ${pattern} vs ${host}`);
      }
      within(500, 'names', performance.now() - t0, undefined);
    },
  ),
};

// ---- status match parser ------------------------------------------------------------------------

const statusChars = fc.constantFrom(...'0123456789-, \t+x'.split(''));
const statusSpec = fc.oneof(
  fc.string({ unit: statusChars, maxLength: 24 }),
  fc.string({ maxLength: 40 }),
  fc.array(fc.tuple(fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 1200 }), fc.boolean()), { minLength: 1, maxLength: 5 })
    .map((xs) => xs.map(([a, b, r]) => (r ? `${a}-${b}` : String(a))).join(',')),
);

const statusMatch: FuzzProperty = {
  name: 'status match parser', normalRuns: 500, weight: 1, budgetMs: 500,
  property: () => fc.property(fc.oneof(statusSpec, fc.array(statusSpec, { maxLength: 3 })), fc.integer({ min: 0, max: 1100 }), (spec, status) => {
    const t0 = performance.now();
    let m;
    try {
      m = parseStatusMatch(spec);
    } catch (e) {
      onlyThrows(e, (x) => x instanceof InputError, `parseStatusMatch(${JSON.stringify(spec)})`);
      return;
    }
    for (const [lo, hi] of m.ranges) if (!(lo >= 100 && hi <= 999 && lo <= hi)) throw new Error(`bad range ${lo}-${hi} from ${JSON.stringify(spec)}`);
    const again = parseStatusMatch(m.text);
    if (JSON.stringify(again) !== JSON.stringify(m)) throw new Error(`text does not round-trip: ${m.text}`);
    if (statusMatches(m, status) !== m.ranges.some(([lo, hi]) => status >= lo && status <= hi)) throw new Error('statusMatches disagrees');
    within(500, 'parseStatusMatch', performance.now() - t0, undefined);
  }),
};

// ---- TLS record parser ---------------------------------------------------------------------------

const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const hs = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);
function records(type: number, payload: Buffer, size: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < payload.length || i === 0; i += size) {
    const part = payload.subarray(i, i + size);
    out.push(Buffer.from([type, 3, 3]), u16(part.length), part);
    if (payload.length === 0) break;
  }
  return Buffer.concat(out);
}
function serverHello(version: number, suite: number): Buffer {
  const exts = version === 0x0304 ? Buffer.concat([u16(0x002b), u16(2), u16(0x0304)]) : Buffer.alloc(0);
  return hs(2, Buffer.concat([u16(0x0303), Buffer.alloc(32, 7), Buffer.from([0]), u16(suite), Buffer.from([0]), u16(exts.length), exts]));
}
/** A TLS 1.2 flight with real fixture certificates, and a TLS 1.3 start with opaque records. */
function flightSeeds(): Buffer[] {
  const ders = ['leaf-a', 'int-a', 'root-a'].map((n) => readFileSync(join(PKI, `${n}.der`)));
  const list = Buffer.concat(ders.map((d) => Buffer.concat([u24(d.length), d])));
  const tls12 = Buffer.concat([serverHello(0x0303, 0xc02f), hs(11, Buffer.concat([u24(list.length), list])), hs(14, Buffer.alloc(0))]);
  const tls13 = Buffer.concat([records(22, serverHello(0x0304, 0x1301), 16384), records(20, Buffer.from([1]), 16384),
    records(23, Buffer.alloc(600, 0x5a), 16384), records(23, Buffer.alloc(80, 0x11), 16384)]);
  return [records(22, tls12, 16384), records(22, tls12, 700), tls13];
}

const tlsParser: FuzzProperty = {
  name: 'TLS record parser (ServerFlightParser.feed)', normalRuns: 400, weight: 1, budgetMs: 500,
  property: () => {
    const seeds = flightSeeds();
    const heads = seeds.map((s) => tlvHeaders(s));
    return fc.property(
      fc.oneof(
        fc.tuple(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 4 })).map(([i, ms]) => mutate(seeds[i]!, ms, heads[i])),
        fc.uint8Array({ maxLength: 2048 }),
        fc.uint8Array({ maxLength: 1024 }).map((b) => new Uint8Array([0x16, 0x03, 0x03, (b.length >> 8) & 0xff, b.length & 0xff, ...b])),
      ),
      fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }), fc.option(fc.uint8Array({ minLength: 32, maxLength: 48 })), fc.integer({ min: 64, max: 256 * 1024 }),
      (wire, cuts, secret, maxBytes) => {
        const t0 = performance.now();
        const p = new ServerFlightParser({ maxBytes });
        try {
          let pos = 0;
          for (let i = 0; pos < wire.length; i++) {
            const n = cuts[i % cuts.length]!;
            p.feed(wire.subarray(pos, pos + n));
            pos += n;
            if (secret && i === 1) p.setHandshakeSecret(Buffer.from(secret as Uint8Array));
          }
          if (secret) p.setHandshakeSecret(Buffer.from(secret as Uint8Array));
          p.notCapturedReason();
        } catch (e) {
          throw new Error(`ServerFlightParser threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        }
        if (p.bytesSeen > maxBytes + 5 + 16384 + 2048) throw new Error(`buffered ${p.bytesSeen} bytes past maxBytes ${maxBytes}`);
        within(500, 'ServerFlightParser', performance.now() - t0, undefined);
      },
    );
  },
};

// ---- HTTP/1.1 response parser ---------------------------------------------------------------

/** What a parse came to: the head, the body and whether the message completed, or the error code. */
interface HttpOutcome { head?: ResponseHead; body: string; complete: boolean; error?: string }

function parseHttp(wire: Uint8Array, cuts: number[], maxHeaderBytes: number): HttpOutcome {
  const out: HttpOutcome = { body: '', complete: false };
  const bodyParts: Buffer[] = [];
  const p = new ResponseParser(maxHeaderBytes, {
    onHead: (h) => { if (out.head) throw new Error('onHead called twice'); out.head = h; },
    onBody: (b) => { if (out.complete) throw new Error('body after completion'); bodyParts.push(Buffer.from(b)); },
    onComplete: () => { if (out.complete) throw new Error('onComplete called twice'); out.complete = true; },
  });
  try {
    let pos = 0;
    for (let i = 0; pos < wire.length; i++) {
      const n = cuts[i % cuts.length]!;
      p.feed(Buffer.from(wire.subarray(pos, pos + n)));
      pos += n;
    }
    p.end();
  } catch (e) {
    onlyThrows(e, (x) => x instanceof HttpParseError, 'ResponseParser');
    out.error = (e as HttpParseError).code;
  }
  out.body = Buffer.concat(bodyParts).toString('latin1');
  return out;
}

const token = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,12}$/);
const fieldValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/);
/** A well-formed response: optional 1xx interim responses, then a final one framed by Content-Length, chunked or close. */
const wellFormedResponse = fc.record({
  interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: 2 }),
  status: fc.integer({ min: 200, max: 599 }),
  reason: fc.stringMatching(/^[A-Za-z ]{0,12}$/),
  headers: fc.array(fc.tuple(token, fieldValue), { maxLength: 6 }),
  framing: fc.constantFrom('length', 'chunked', 'close'),
  body: fc.uint8Array({ maxLength: 600 }),
  chunks: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 4 }),
}).map((r) => {
  // Framing headers are ours to write, so drop generated ones that would clash.
  const headers = r.headers.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n));
  const noBody = r.status === 204 || r.status === 304;
  const body = noBody ? new Uint8Array() : r.body;
  let head = r.interim.map((c) => `HTTP/1.1 ${c} Info\r\n\r\n`).join('') + `HTTP/1.1 ${r.status} ${r.reason}\r\n`;
  for (const [n, v] of headers) head += `${n}: ${v}\r\n`;
  let framed: Buffer;
  if (noBody) framed = Buffer.alloc(0);
  else if (r.framing === 'length') { head += `Content-Length: ${body.length}\r\n`; framed = Buffer.from(body); }
  else if (r.framing === 'chunked') {
    head += 'Transfer-Encoding: chunked\r\n';
    const parts: Buffer[] = [];
    for (let pos = 0, i = 0; pos < body.length; i++) {
      const n = Math.min(r.chunks[i % r.chunks.length]!, body.length - pos);
      parts.push(Buffer.from(`${n.toString(16)}\r\n`), Buffer.from(body.subarray(pos, pos + n)), Buffer.from('\r\n'));
      pos += n;
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    framed = Buffer.concat(parts);
  } else framed = Buffer.from(body);
  const wire = new Uint8Array(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), framed]));
  return { wire, status: r.status, body: Buffer.from(body).toString('latin1'), headers };
});

/**
 * Node's own llhttp (what node:http used for the probe before), as the oracle for our parser.
 * process.binding is deprecated but still there in Node 20-24; the warning is kept quiet here.
 */
interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Buffer): number | (Error & { code?: string });
  finish(): number | undefined | (Error & { code?: string });
  [k: number]: unknown;
}
interface LlhttpModule { HTTPParser: (new () => LlhttpParser) & { RESPONSE: number; kOnHeadersComplete: number; kOnBody: number; kOnMessageComplete: number } }
const llhttp: LlhttpModule | undefined = (() => {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try { return (process as unknown as { binding(name: string): LlhttpModule }).binding('http_parser'); } catch { return undefined; } finally { process.noDeprecation = quiet; }
})();

/** llhttp's view up to the end of the first final (non-1xx) response: its status and body, or the error before it. */
function parseLlhttp(wire: Uint8Array, cuts: number[]): { status?: number; body: string; complete: boolean; error?: string } {
  const { HTTPParser } = llhttp!;
  const p = new HTTPParser();
  p.initialize(HTTPParser.RESPONSE, {}, 0, 0);
  let final: { status: number; body: Buffer[]; complete: boolean } | undefined;
  let current: { status: number; body: Buffer[]; complete: boolean } | undefined;
  p[HTTPParser.kOnHeadersComplete] = (_maj: number, _min: number, _h: string[], _m: unknown, _u: unknown, status: number) => {
    current = { status, body: [], complete: false };
    // node:http's rule: 100 and 102-199 are interim (their body skipped); anything else is the answer.
    const interim = status === 100 || (status >= 102 && status <= 199);
    if (!interim && !final) final = current;
    return interim ? 1 : 0;
  };
  p[HTTPParser.kOnBody] = (b: Buffer) => { current?.body.push(Buffer.from(b)); };
  p[HTTPParser.kOnMessageComplete] = () => { if (current) current.complete = true; };
  const view = (error?: string) => ({ ...(final ? { status: final.status } : {}), body: final ? Buffer.concat(final.body).toString('latin1') : '', complete: final?.complete ?? false, ...(error ? { error } : {}) });
  let pos = 0;
  for (let i = 0; pos < wire.length && !final?.complete; i++) {
    const n = cuts[i % cuts.length]!;
    const r = p.execute(Buffer.from(wire.subarray(pos, pos + n)));
    pos += n;
    if (r instanceof Error && !final?.complete) return view(r.code ?? 'error');
  }
  if (!final?.complete) {
    const f = p.finish();
    if (f instanceof Error && !final?.complete) return view(f.code ?? 'error');
  }
  return view();
}

/**
 * The probe's own HTTP/1.1 parser (it replaced node:http for speed, so it must be as sure):
 * a well-formed response parses to exactly its status, headers and body however the bytes are
 * cut; a mutated one ends in the same outcome whatever the cuts, and only ever in HttpParseError;
 * and either way the verdict on the final response is llhttp's (node:http's parser).
 */
const httpParser: FuzzProperty = {
  name: 'HTTP/1.1 response parser (ResponseParser.feed)', normalRuns: 400, weight: 1, budgetMs: 500,
  property: () => fc.property(
    wellFormedResponse, fc.array(mutationArb, { maxLength: 3 }),
    fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 3 }),
    (resp, mutations, cuts, otherCuts) => {
      const t0 = performance.now();
      const whole = parseHttp(resp.wire, [resp.wire.length], 64 * 1024);
      if (!mutations.length) {
        if (whole.error) throw new Error(`well-formed response rejected: ${whole.error}`);
        if (!whole.complete || whole.head?.status !== resp.status || whole.body !== resp.body) {
          throw new Error(`parsed ${JSON.stringify({ status: whole.head?.status, complete: whole.complete, bodyLength: whole.body.length })}, sent status ${resp.status} and ${resp.body.length} body bytes`);
        }
        const got = whole.head.headers.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n));
        if (JSON.stringify(got) !== JSON.stringify(resp.headers)) throw new Error(`headers ${JSON.stringify(got)} != ${JSON.stringify(resp.headers)}`);
      }
      const wire = mutations.length ? mutate(resp.wire, mutations) : resp.wire;
      const a = parseHttp(wire, cuts, 64 * 1024);
      const b = parseHttp(wire, otherCuts, 64 * 1024);
      const key = (o: HttpOutcome) => JSON.stringify({ e: o.error, s: o.head?.status, h: o.head?.headers, c: o.complete, b: o.error ? undefined : o.body });
      if (key(a) !== key(b)) throw new Error(`outcome depends on how the bytes are cut: ${key(a).slice(0, 300)} vs ${key(b).slice(0, 300)}`);
      if (llhttp) {
        // Same verdict as llhttp on the final response: both reject it, or both read the same status and
        // body. (The HPE code may differ where one malformed line breaks two rules at once.)
        const l = parseLlhttp(wire, cuts);
        // A message cut short fails the probe either way (llhttp says so at finish(), ours by not completing).
        const ours = a.complete ? { status: a.head?.status, body: a.body } : { rejected: true };
        const theirs = l.complete ? { status: l.status, body: l.body } : { rejected: true };
        // One deliberate difference: llhttp refuses bytes after a message that closes the connection
        // (HPE_CLOSED_CONNECTION), even after an HTTP/1.0 1xx interim; we read on to the final response.
        const closedAfterInterim = l.error === 'HPE_CLOSED_CONNECTION' && l.status === undefined;
        // 101 switches protocols: node:http hands the socket to an 'upgrade' listener, so no body rule applies.
        const upgrade = l.status === 101 || a.head?.status === 101;
        // A bare CR (not before LF) is malformed; we refuse it where llhttp lets some through.
        const bareCr = /\r(?!\n)/.test(Buffer.from(wire).toString('latin1'));
        if (!closedAfterInterim && !upgrade && !bareCr && JSON.stringify(ours) !== JSON.stringify(theirs)) {
          throw new Error(`differs from llhttp (cuts ${JSON.stringify(cuts)}) on ${Buffer.from(wire).toString('hex')}: ours ${JSON.stringify(ours).slice(0, 200)}, llhttp ${JSON.stringify(theirs).slice(0, 200)}`);
        }
      }
      within(500, 'ResponseParser', performance.now() - t0, undefined);
    },
  ),
};

// ---- gateway config importer (when present) --------------------------------------------------

const GW_FIXTURES = join(g.CERTS_DIR, '../test/fixtures/gateway');

function jsonPaths(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path);
  if (out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => jsonPaths(x, [...path, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) jsonPaths(x, [...path, k], out);
  return out;
}
function setAt(doc: unknown, path: (string | number)[], value: unknown, del: boolean): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (del) { if (Array.isArray(cur)) cur.splice(Number(last), 1); else delete cur[last]; } else cur[last] = value;
  return copy;
}

export async function gatewayConfigProperty(): Promise<FuzzProperty | undefined> {
  if (!existsSync(new URL('../../src/gateway/config.ts', import.meta.url)) || !existsSync(GW_FIXTURES)) return undefined;
  const mod = await import('../../src/gateway/config.js') as { parseGatewayConfig?: (doc: unknown, source: string) => Promise<unknown> };
  const parse = mod.parseGatewayConfig;
  if (typeof parse !== 'function') return undefined;
  const seeds = readdirSync(GW_FIXTURES).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(GW_FIXTURES, f), 'utf8')) as unknown);
  if (!seeds.length) return undefined;
  const paths = seeds.map((s) => jsonPaths(s));
  const replacement = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom<unknown>(null, '', 0, -1, 1e308, 'Standard_v2', 'Https', '*', [], {}, '10.0.0.1', 'a..b', '99999'));
  return {
    name: 'gateway config importer (mutated az/ARM documents)', normalRuns: 300, weight: 1, budgetMs: 1000,
    property: () => fc.asyncProperty(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), replacement, fc.boolean()), { minLength: 1, maxLength: 4 }), async (i, edits) => {
      let doc = seeds[i];
      for (const [p, v, del] of edits) {
        const all = jsonPaths(doc);
        doc = setAt(doc, all[p % all.length]!, v, del && all.length > 1);
      }
      void paths;
      const t0 = performance.now();
      try {
        await parse(doc, 'fuzz.json');
      } catch (e) {
        onlyThrows(e, (x) => x instanceof InputError && !String((x as Error).message).includes('\n'), `parseGatewayConfig(seed ${i} mutated)`);
      }
      within(1000, 'parseGatewayConfig', performance.now() - t0, undefined);
    }),
  };
}

// ---- the judge ------------------------------------------------------------------------------------

// Certificates a TLS server could actually send (leaf-trailing is a file-only case: a Certificate
// entry has its own length).
const SERVED_POOL = () => pkiNames().filter((n) => n !== 'leaf-trailing');
const NOT_SELF_SIGNED = new Set(['int-a', 'root-a-by-old']);
const ROOT_POOL = ['root-a', 'root-b', 'root-old', 'root-ec', 'root-ed', 'root-noca', 'int-a', 'leaf-selfsigned', 'root-a-by-old'];
// Not equal to any fixture's notBefore/notAfter second: OpenSSL treats notAfter == now as expired
// where RFC 5280 (and certcheck) does not (scenario at-equals-notafter, a deliberate difference).
const ATS = ['2030-06-01T00:00:00Z', '2022-03-04T05:06:07Z', '2040-06-01T00:00:00Z', '2020-06-01T00:00:00Z', '2046-01-01T00:00:00Z'];
const HOSTS = ['backend.test', 'www.backend.test', 'a.backend.test', 'bar.backend.test', 'other.test', '127.0.0.1', '::1', '10.0.0.5', 'evil.test'];

// Half the cases start from a chain that can validate (so Healthy verdicts, the ones the oracle
// checks, are common), then get extras, duplicates and shuffles; half are arbitrary.
const GOOD: { served: string[]; root: string; host: string }[] = [
  { served: ['leaf-a', 'int-a'], root: 'root-a', host: 'backend.test' }, { served: ['leaf-b', 'int-b'], root: 'root-b', host: 'backend.test' },
  { served: ['leaf-ec', 'int-ec'], root: 'root-ec', host: 'backend.test' }, { served: ['leaf-ed', 'int-ed'], root: 'root-ed', host: 'backend.test' },
  { served: ['leaf-a-ip', 'int-a'], root: 'root-a', host: '127.0.0.1' }, { served: ['leaf-wildcard', 'int-a'], root: 'root-a', host: 'www.backend.test' },
  { served: ['leaf-nc-ok', 'int-nc'], root: 'root-a', host: 'a.backend.test' }, { served: ['leaf-a', 'int-a', 'root-a-by-old'], root: 'root-old', host: 'backend.test' },
  { served: ['leaf-cn-only', 'int-a'], root: 'root-a', host: 'backend.test' }, { served: ['leaf-direct-a'], root: 'root-a', host: 'backend.test' },
];
const judgeCase = () => fc.oneof(
  fc.record({
    served: fc.array(fc.constantFrom(...SERVED_POOL()), { minLength: 1, maxLength: 6 }),
    roots: fc.subarray(ROOT_POOL, { minLength: 1 }),
    mode: fc.constantFrom('uploaded' as const, 'wellknown' as const),
    at: fc.constantFrom(...ATS),
    host: fc.constantFrom(...HOSTS),
  }),
  fc.record({
    good: fc.constantFrom(...GOOD),
    extra: fc.array(fc.constantFrom(...SERVED_POOL()), { maxLength: 3 }),
    order: fc.array(fc.nat(), { maxLength: 3 }),
    moreRoots: fc.subarray(ROOT_POOL, { maxLength: 2 }),
    mode: fc.constantFrom('uploaded' as const, 'wellknown' as const),
    // mostly the clock and host the good chain is valid for, so Healthy verdicts are common
    at: fc.oneof({ weight: 4, arbitrary: fc.constant(ATS[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...ATS) }),
    host: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTS) }),
  }).map(({ good, extra, order, moreRoots, mode, at, host }) => {
    const served = [...good.served];
    for (const [i, x] of extra.entries()) served.splice(1 + ((order[i] ?? 0) % served.length), 0, x);
    return { served, roots: [...new Set([good.root, ...moreRoots])], mode, at, host: host ?? good.host };
  }),
);

const derOf = (n: string) => read(join(PKI, `${n}.der`));

const judgeNeverThrows: FuzzProperty = {
  name: 'judge: verifyChain on random subsets, orders and duplicates of the fixtures', normalRuns: 300, weight: 1, budgetMs: 1000,
  property: () => fc.asyncProperty(judgeCase(), async (c) => {
    const t0 = performance.now();
    const served = c.served.map(derOf);
    const roots = c.roots.map(derOf);
    const r = await verifyChain({ leaf: served[0]!, intermediates: served.slice(1), ...(c.mode === 'uploaded' ? { trustedRoots: roots } : { wellKnownRoots: roots }), host: c.host, at: new Date(c.at) });
    if (!['Healthy', 'Unhealthy', 'Unknown'].includes(r.status)) throw new Error(`status ${r.status}`);
    if (r.status !== 'Healthy' && !r.primary) throw new Error('not Healthy without a primary finding');
    if (r.chain!.presented.length !== Math.min(served.length, 64)) throw new Error('presented list differs from what was served');
    JSON.parse(JSON.stringify(r));
    within(1000, 'verifyChain', performance.now() - t0, undefined);
  }),
};

let oracleDir: string | undefined;
function opensslRejects(c: { served: string[]; roots: string[]; at: string; host: string }): { rejects: boolean; out: string } {
  oracleDir ??= mkdtempSync(join(tmpdir(), 'certcheck-fuzz-oracle-'));
  const file = (n: string, names: string[]) => { const p = join(oracleDir!, n); writeFileSync(p, names.map((x) => g.toPem(derOf(x))).join('')); return p; };
  const isIp = /^[\d.]+$|:/.test(c.host);
  const args = ['verify', '-attime', String(Math.floor(Date.parse(c.at) / 1000)), '-purpose', 'sslserver', '-CAfile', file('roots.pem', c.roots),
    ...(isIp ? ['-verify_ip', c.host] : ['-verify_hostname', c.host])];
  if (c.served.length > 1) args.push('-untrusted', file('untrusted.pem', c.served.slice(1)));
  args.push(file('leaf.pem', [c.served[0]!]));
  try {
    const out = execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { rejects: !/: OK\s*$/m.test(out), out };
  } catch (e) {
    return { rejects: true, out: `${String((e as { stdout?: string }).stdout ?? '')}${String((e as { stderr?: string }).stderr ?? '')}` };
  }
}
export function cleanupOracle(): void {
  if (oracleDir) rmSync(oracleDir, { recursive: true, force: true });
  oracleDir = undefined;
}

/** Verdict pairs seen by the oracle property (for the report: how many Healthy cases were checked). */
export const oracleStats = { cases: 0, healthy: 0, opensslRejected: 0, bothReject: 0, deliberate: 0 };

/**
 * Why certcheck may reject what openssl verify accepts here: the deliberate differences of
 * certs/DIFFERENCES.md that these fixtures can reach, or undefined when none applies.
 */
function deliberateDifference(c: { served: string[]; roots: string[] }): string | undefined {
  // OpenSSL completes a chain from its store, intermediates included; the gateway judges what the
  // backend sent, and only self-signed uploads anchor (only-leaf-int-in-store).
  if (c.roots.some((r) => NOT_SELF_SIGNED.has(r))) return 'a non-self-signed certificate in the store';
  const leaf = c.served[0];
  if (leaf === 'leaf-selfsigned' && c.roots.includes('leaf-selfsigned')) return 'a trusted self-signed leaf (M8 per the docs)';
  if (leaf === 'leaf-san-ip-only-cn') return 'OpenSSL falls back to the CN when the SAN has no DNS name';
  if (leaf === 'leaf-nc-wild') return 'a wildcard that could reach an excluded subtree';
  if (leaf === 'leaf-deep') return 'deeper than certcheck\'s 10';
  return undefined;
}

const judgeOracle: FuzzProperty = {
  name: 'judge vs openssl verify: never Healthy when openssl rejects, never Unhealthy when it accepts bar deliberate differences', normalRuns: 30, weight: 1, budgetMs: 1000,
  property: () => fc.asyncProperty(judgeCase(), async (c) => {
    const served = c.served.map(derOf);
    const roots = c.roots.map(derOf);
    const r = await verifyChain({ leaf: served[0]!, intermediates: served.slice(1), ...(c.mode === 'uploaded' ? { trustedRoots: roots } : { wellKnownRoots: roots }), host: c.host, at: new Date(c.at) });
    const o = opensslRejects(c);
    oracleStats.cases++;
    if (r.status === 'Healthy') oracleStats.healthy++;
    if (o.rejects) oracleStats.opensslRejected++;
    if (o.rejects && r.status !== 'Healthy') oracleStats.bothReject++;
    if (r.status === 'Healthy' && o.rejects) throw new Error(`certcheck says Healthy, openssl rejects: ${JSON.stringify(c)}\n${o.out.trim().split('\n').slice(0, 4).join(' | ')}`);
    if (r.status !== 'Healthy' && !o.rejects) {
      // The verdict follows the chain OpenSSL builds (x509/path.ts walkChain), so the reverse
      // holds too, except where certcheck is deliberately stricter.
      if (!deliberateDifference(c)) {
        const codes = r.findings.filter((f) => f.severity === 'error' || f.severity === 'unknown').map((f) => f.code);
        throw new Error(`certcheck says ${r.status} [${codes.join(',')}], openssl accepts: ${JSON.stringify(c)}`);
      }
      oracleStats.deliberate++;
    }
  }),
};

export const PROPERTIES: FuzzProperty[] = [decodeRandom, decodeMutated, decodePfx, parseMutated, names, statusMatch, tlsParser, httpParser, judgeNeverThrows, judgeOracle];

// ---- running ---------------------------------------------------------------------------------------

export interface FuzzOutcome { name: string; runs: number; seed: number; ms: number; failed: boolean; message?: string }

/**
 * Run one property: `numRuns` in the normal suite, or for `seconds` when FUZZ_SECONDS is set
 * (then the counts go to FUZZ_OUT as JSON lines). FUZZ_SEED replays.
 */
export async function runProperty(p: FuzzProperty, timeMs?: number): Promise<FuzzOutcome> {
  // Fixed under CI, random otherwise (test/helpers/seed.ts says why).
  const seed = suiteSeed() ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const t0 = performance.now();
  const params: fc.Parameters<unknown[]> = timeMs !== undefined
    ? { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: timeMs, markInterruptAsFailure: false, endOnFailure: false }
    : { seed, numRuns: p.normalRuns };
  const d = await fc.check(p.property() as fc.IAsyncProperty<unknown[]>, params);
  const out: FuzzOutcome = { name: p.name, runs: d.numRuns, seed, ms: Math.round(performance.now() - t0), failed: d.failed };
  if (d.failed) {
    const err = d.errorInstance as Error | undefined;
    out.message = `${fc.defaultReportMessage(d) ?? 'failed'}\nerror: ${err?.message ?? String(d.errorInstance)}`;
  }
  if (process.env.FUZZ_OUT) writeFileSync(process.env.FUZZ_OUT, `${JSON.stringify(out)}\n`, { flag: 'a' });
  return out;
}

/** Milliseconds for this property in a timed run, or undefined in the normal suite. */
export function timedShare(p: FuzzProperty, all: FuzzProperty[]): number | undefined {
  const secs = Number(process.env.FUZZ_SECONDS);
  if (!(secs > 0)) return undefined;
  const total = all.reduce((s, x) => s + x.weight, 0);
  return Math.max(500, Math.floor((secs * 1000 * p.weight) / total));
}
