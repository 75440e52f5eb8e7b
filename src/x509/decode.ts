/**
 * Turn whatever file the user hands us into DER certificates, detecting the format by content,
 * never by extension: PEM (any number of blocks, with prose, BOM, CRLF), DER, bare Base-64 DER,
 * PKCS#7 and PKCS#12. Every failure is an InputError with one line naming the file; nothing here
 * recurses on attacker-chosen depth and nothing echoes key material or passwords.
 *
 * PKCS#7 and PKCS#12 are walked with our own bounded DER reader rather than pkijs: asn1js's
 * 10,000-node cap makes pkijs reject a ~200-certificate p7b outright (measured), pkijs re-encodes
 * certificates instead of returning the bytes as presented, and its PKCS#12 code runs the KDF
 * synchronously and cannot decrypt 3DES/RC2 (WebCrypto). See pkcs.ts.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { InputError } from '../model/errors.js';
import { DerError, children, parseOid, readTlv, value, whole, type Tlv } from './der.js';
import { berToDer, hasIndefiniteLength } from './ber.js';
import {
  DEFAULT_MAX_CERTIFICATES, addNote, derShape, fail, formatCount, matchKey, walkDer,
  type DecodeContext, type DecodeOptions, type DerShape,
} from './der-walk.js';

export {
  DEFAULT_DEADLINE_MS, DEFAULT_MAX_CERTIFICATES, DEFAULT_MAX_ITERATIONS, MAX_DER_DEPTH, formatCount,
  type DecodeOptions,
} from './der-walk.js';

/** The format an input was recognised as. */
export type InputKind = 'pem' | 'der' | 'base64' | 'pkcs7' | 'pkcs12';

/** The certificates of one input, with what else was seen in it. */
export interface DecodedInput {
  source: string;                 // file name or "-" for stdin, used in messages
  kind: InputKind;
  certificates: Uint8Array[];     // DER, in the order they appear in the input
  /** Non-fatal observations: "private key ignored (not printed)", "trailing data after certificate (4 bytes)", "CRL ignored", "text between PEM blocks ignored". Never contains key material or passwords. */
  notes: string[];
  /** Only for PKCS#12 with a key and for PEM inputs that also hold a private key: the leaf's private key as a node:crypto KeyObject, so `rotate` can check key↔cert match later. Never serialised. */
  privateKey?: KeyObject;
}

/** Largest input read from a file or stdin. */
export const MAX_INPUT_BYTES = 10 * 1024 * 1024;
const MAX_PEM_BLOCKS = 1000;

const OID_PKCS7_SIGNED = '1.2.840.113549.1.7.2';
const PKCS7_TYPES: Record<string, string> = {
  '1.2.840.113549.1.7.1': 'data', '1.2.840.113549.1.7.3': 'envelopedData',
  '1.2.840.113549.1.7.4': 'signedAndEnvelopedData', '1.2.840.113549.1.7.5': 'digestedData',
  '1.2.840.113549.1.7.6': 'encryptedData',
};

const NOTE_KEY = 'private key ignored (not printed)';
const NOT_A_CERT = 'not a certificate (expected PEM, DER, Base-64 DER, PKCS#7 or PKCS#12)';

/** How a file is named in messages. */
export function inputLabel(source: string): string {
  return source === '-' ? 'stdin' : source;
}

function bytesText(n: number): string {
  return n === 1 ? '1 byte' : `${formatCount(n)} bytes`;
}

/** The outer TLV of a walked element. walkDer reads any tag; readTlv refuses high tag numbers, so its refusal becomes an input error here. */
function topTlv(ctx: DecodeContext, buf: Uint8Array, end: number): Tlv {
  try {
    return readTlv(buf, 0, end);
  } catch (e) {
    if (e instanceof DerError) fail(ctx, `not a certificate: ${e.message}`);
    throw e;
  }
}

const SHAPE_TEXT: Record<Exclude<DerShape, 'certificate' | 'pkcs7' | 'pkcs12' | 'unknown'>, string> = {
  csr: 'a certificate signing request',
  crl: 'a certificate revocation list (CRL)',
  'private key': 'a private key',
  'encrypted private key': 'an encrypted private key',
  'public key': 'a public key',
};

function pushCert(ctx: DecodeContext, out: Uint8Array[], der: Uint8Array): void {
  if (out.length >= ctx.maxCertificates) fail(ctx, `more than ${formatCount(ctx.maxCertificates)} certificates`);
  out.push(new Uint8Array(der));
}

// ---------------------------------------------------------------------------------------------
// PKCS#7

/** Certificates from a PKCS#7 SignedData ContentInfo (already walked). */
function pkcs7Certificates(ctx: DecodeContext, ci: Tlv, out: Uint8Array[]): void {
  try {
    const [oidT, contentT] = children(ci);
    const oid = parseOid(value(oidT!));
    if (oid !== OID_PKCS7_SIGNED) {
      fail(ctx, `PKCS#7 content is ${PKCS7_TYPES[oid] ?? oid}, not SignedData with certificates`);
    }
    if (!contentT || contentT.tag !== 0xa0) fail(ctx, 'PKCS#7 contains no certificates');
    const sd = children(contentT)[0];
    if (!sd || sd.tag !== 0x30) fail(ctx, 'malformed PKCS#7 SignedData');
    const parts = children(sd);
    const certsT = parts.find((p, i) => i >= 3 && p.tag === 0xa0);
    const crlsT = parts.find((p, i) => i >= 3 && p.tag === 0xa1);
    const crlCount = crlsT ? children(crlsT).length : 0;
    if (crlCount > 0) addNote(ctx, crlCount === 1 ? 'CRL ignored' : `${crlCount} CRLs ignored`);
    const entries = certsT ? children(certsT) : [];
    const x509 = entries.filter((e) => e.tag === 0x30);
    if (x509.length > ctx.maxCertificates - out.length) {
      fail(ctx, `more than ${formatCount(ctx.maxCertificates)} certificates`);
    }
    if (entries.length > x509.length) addNote(ctx, 'non-X.509 certificate entries in PKCS#7 ignored');
    if (x509.length === 0) fail(ctx, `PKCS#7 contains no certificates${crlCount ? ' (only CRLs)' : ''}`);
    for (const e of x509) {
      if (derShape(e) !== 'certificate') fail(ctx, `PKCS#7 certificate ${out.length + 1} is not a well-formed certificate`);
      pushCert(ctx, out, whole(e));
    }
  } catch (e) {
    if (e instanceof DerError) fail(ctx, `malformed PKCS#7: ${e.message}`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// DER input

/**
 * A PKCS#12 or PKCS#7 in BER (indefinite lengths, chunked OCTET STRINGs: Windows and Java exports)
 * is read as its DER form, as OpenSSL reads it; anything else keeps its bytes, and the DER walker
 * then refuses an indefinite length as before. A certificate is never rewritten: its signature
 * covers its bytes as they are.
 */
function fromBer(ctx: DecodeContext, bytes: Uint8Array): Uint8Array {
  if (!hasIndefiniteLength(bytes)) return bytes;
  let der: Uint8Array;
  try { der = berToDer(bytes); } catch (e) {
    if (e instanceof DerError) fail(ctx, `malformed BER: ${e.message}`);
    throw e;
  }
  let shape: ReturnType<typeof derShape>;
  try { shape = derShape(readTlv(der, 0)); } catch { return bytes; }
  if (shape !== 'pkcs12' && shape !== 'pkcs7') return bytes;
  addNote(ctx, `${shape === 'pkcs12' ? 'PKCS#12' : 'PKCS#7'} in BER (indefinite lengths) read as DER`);
  return der;
}

async function decodeDer(ctx: DecodeContext, input: Uint8Array, kind: InputKind): Promise<DecodedInput> {
  const bytes = fromBer(ctx, input);
  const end = walkDer(ctx, bytes, 0);
  const tlv = topTlv(ctx, bytes, end);
  const shape = derShape(tlv);
  const certificates: Uint8Array[] = [];
  const base = { source: '', notes: ctx.notes };
  if (shape === 'certificate') {
    pushCert(ctx, certificates, bytes.subarray(0, end));
    // Concatenated DER certificates (cat a.der b.der) are taken in order; anything else after
    // the first certificate is reported, as OpenSSL would silently ignore it.
    let pos = end;
    let lastStart = 0;
    while (pos < bytes.length) {
      let next: Tlv | undefined;
      try {
        const e = walkDer({ ...ctx, notes: [] }, bytes, pos);
        next = readTlv(bytes, pos, e);
      } catch { /* not another certificate */ }
      if (!next || derShape(next) !== 'certificate') {
        addNote(ctx, `trailing data after certificate (${bytesText(bytes.length - pos)})`);
        // Keep the trailing bytes on the certificate so the judge reports them (TRAILING_DATA),
        // exactly as it does when the library is handed the same bytes.
        certificates[certificates.length - 1] = bytes.subarray(lastStart);
        break;
      }
      pushCert(ctx, certificates, whole(next));
      lastStart = pos;
      pos = next.end;
    }
    return { ...base, kind, certificates };
  }
  if (shape === 'pkcs7') {
    pkcs7Certificates(ctx, tlv, certificates);
    if (end < bytes.length) addNote(ctx, `trailing data after PKCS#7 (${bytesText(bytes.length - end)})`);
    return { ...base, kind: kind === 'der' ? 'pkcs7' : kind, certificates };
  }
  if (shape === 'pkcs12') {
    const { decodePkcs12 } = await import('./pkcs.js');
    const r = await decodePkcs12(ctx, bytes.subarray(0, end));
    if (end < bytes.length) addNote(ctx, `trailing data after PKCS#12 (${bytesText(bytes.length - end)})`);
    const out: DecodedInput = { ...base, kind: kind === 'der' ? 'pkcs12' : kind, certificates: r.certificates };
    if (r.privateKey) out.privateKey = r.privateKey;
    return out;
  }
  if (shape === 'unknown') fail(ctx, NOT_A_CERT);
  fail(ctx, `contains ${SHAPE_TEXT[shape]}, not a certificate`);
}

// ---------------------------------------------------------------------------------------------
// PEM

type PemClass = 'cert' | 'trusted' | 'pkcs7' | 'key' | 'encrypted key' | 'openssh' | 'csr' | 'crl' | 'public key'
  | 'parameters' | 'other';

function pemClass(label: string): PemClass {
  switch (label) {
    case 'CERTIFICATE': case 'X509 CERTIFICATE': case 'X.509 CERTIFICATE': return 'cert';
    case 'TRUSTED CERTIFICATE': return 'trusted';
    case 'PKCS7': case 'PKCS #7 SIGNED DATA': case 'CMS': case 'CERTIFICATE CHAIN': return 'pkcs7';
    case 'PRIVATE KEY': case 'RSA PRIVATE KEY': case 'EC PRIVATE KEY': case 'DSA PRIVATE KEY': return 'key';
    case 'ENCRYPTED PRIVATE KEY': return 'encrypted key';
    case 'OPENSSH PRIVATE KEY': case 'SSH2 ENCRYPTED PRIVATE KEY': return 'openssh';
    case 'CERTIFICATE REQUEST': case 'NEW CERTIFICATE REQUEST': return 'csr';
    case 'X509 CRL': return 'crl';
    case 'PUBLIC KEY': case 'RSA PUBLIC KEY': case 'SSH2 PUBLIC KEY': return 'public key';
    case 'EC PARAMETERS': case 'DH PARAMETERS': case 'X9.42 DH PARAMETERS': case 'DSA PARAMETERS': return 'parameters';
    default: return 'other';
  }
}

const PEM_CONTENTS: Partial<Record<PemClass, string>> = {
  key: 'a private key', 'encrypted key': 'an encrypted private key', openssh: 'an OpenSSH private key',
  csr: 'a certificate signing request', crl: 'a certificate revocation list (CRL)', 'public key': 'a public key',
  parameters: 'key parameters',
};

const PEM_IGNORED: Partial<Record<PemClass, string>> = {
  key: NOTE_KEY, 'encrypted key': NOTE_KEY, openssh: NOTE_KEY,
  csr: 'certificate signing request ignored', crl: 'CRL ignored', 'public key': 'public key ignored',
  parameters: 'key parameters ignored',
};

const BEGIN_RE = /^-----BEGIN ([^-]+)-----$/;
const END_RE = /^-----END ([^-]+)-----$/;
const B64_LINE_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * PEM pasted through JSON or an environment variable arrives with literal "\n" escapes, or on one
 * line; give such text real line breaks. Text already laid out as PEM is left as it is, so line
 * numbers in messages stay those of the file.
 */
function normalisePemLayout(text: string): string {
  if (/-----BEGIN [^-\r\n]+-----[ \t]*(\r?\n|$)/.test(text)) return text;
  return text
    .replace(/\\r\\n|\\n/g, '\n')
    .replace(/([^\r\n])[ \t]*(-----(?:BEGIN|END) [^-\r\n]+-----)/g, '$1\n$2')
    .replace(/(-----(?:BEGIN|END) [^-\r\n]+-----)[ \t]*(?=[^\r\n])/g, '$1\n');
}

/** A block label is file content that ends up in messages: keep it printable and short. */
function pemLabel(raw: string): string {
  return raw.trim().replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}

async function decodePem(ctx: DecodeContext, text: string, kind: InputKind): Promise<DecodedInput> {
  const lines = normalisePemLayout(text).split(/\r\n|\r|\n/);
  const certificates: Uint8Array[] = [];
  const keys: KeyObject[] = [];
  const nonCerts: PemClass[] = [];
  let blocks = 0;
  let pkcs7Blocks = 0;
  let certBlocks = 0;
  let strayText = false;
  let sawBlock = false;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const begin = BEGIN_RE.exec(line);
    if (!begin) {
      if (line !== '') {
        if (END_RE.test(line)) fail(ctx, `line ${i + 1}: END line without a matching BEGIN`);
        strayText = true;
      }
      continue;
    }
    sawBlock = true;
    blocks++;
    if (blocks > MAX_PEM_BLOCKS) fail(ctx, `more than ${formatCount(MAX_PEM_BLOCKS)} PEM blocks`);
    const label = pemLabel(begin[1]!);
    const where = `PEM block ${blocks} (${label}) at line ${i + 1}`;
    const cls = pemClass(label);
    // Blocks we never decode are only checked for their END line: their contents are not ours
    // to judge, and must not surface in a message.
    const opaque = cls === 'openssh' || cls === 'other' || cls === 'parameters' || cls === 'encrypted key';
    let body = '';
    let headers = false;
    let inHeaders = true;
    let closed = false;
    let sawPad = false;
    for (i++; i < lines.length; i++) {
      const l = lines[i]!.trim();
      const end = END_RE.exec(l);
      if (end) {
        if (pemLabel(end[1]!) !== label) fail(ctx, `${where}: END line ${i + 1} is for "${pemLabel(end[1]!)}"`);
        closed = true;
        break;
      }
      if (BEGIN_RE.test(l)) fail(ctx, `${where}: no END line before line ${i + 1}`);
      if (l === '') { inHeaders = false; continue; }
      if (opaque) continue;
      // RFC 1421 headers (Proc-Type, DEK-Info) of legacy encrypted keys precede the body.
      if (inHeaders && body === '' && /^[A-Za-z-]+:/.test(l)) { headers = true; continue; }
      inHeaders = false;
      const l64 = l.replace(/[ \t]+/g, '');
      if (!B64_LINE_RE.test(l64) || sawPad) fail(ctx, `${where}: invalid base64 at line ${i + 1}`);
      if (l64.includes('=')) sawPad = true;
      body += l64;
    }
    if (!closed) fail(ctx, `${where}: missing END line`);
    if (opaque || (cls === 'key' && headers)) {
      if (cls === 'other') addNote(ctx, `PEM block "${label}" ignored`);
      else addNote(ctx, PEM_IGNORED[cls]!);
      nonCerts.push(cls === 'key' ? 'encrypted key' : cls);
      continue;
    }
    if (body.length % 4 !== 0) fail(ctx, `${where}: truncated base64 (${body.length} characters, not a multiple of 4)`);
    const der = new Uint8Array(Buffer.from(body, 'base64'));
    if (der.length === 0) fail(ctx, `${where}: empty block`);

    if (cls === 'key') {
      // A key is a by-product here: one that does not decode is noted, never fatal or quoted.
      addNote(ctx, NOTE_KEY);
      nonCerts.push('key');
      const type = label === 'RSA PRIVATE KEY' ? 'pkcs1' : label === 'EC PRIVATE KEY' ? 'sec1' : label === 'PRIVATE KEY' ? 'pkcs8' : undefined;
      try {
        if (!type) throw new Error('unsupported key type');
        const keyEnd = walkDer({ ...ctx, notes: [] }, der, 0);
        keys.push(createPrivateKey({ key: Buffer.from(der.subarray(0, keyEnd)), format: 'der', type }));
      } catch {
        addNote(ctx, 'a private key could not be decoded');
      }
      continue;
    }
    const blockCtx = { ...ctx, name: `${ctx.name}: ${where}` };
    const end = walkDer(blockCtx, der, 0);
    const tlv = topTlv(blockCtx, der, end);
    const shape = derShape(tlv);
    if (cls === 'csr' || cls === 'crl' || cls === 'public key') {
      addNote(ctx, PEM_IGNORED[cls]!);
      nonCerts.push(cls);
      continue;
    }
    // cert, trusted, pkcs7: go by what the bytes are, since tools mislabel blocks.
    if (shape === 'certificate') {
      pushCert(ctx, certificates, der.subarray(0, end));
      certBlocks++;
      if (end < der.length) {
        if (cls === 'trusted') addNote(ctx, 'OpenSSL trust settings (TRUSTED CERTIFICATE) ignored');
        else {
          addNote(ctx, `trailing data after certificate (${bytesText(der.length - end)})`);
          certificates[certificates.length - 1] = der;
        }
      }
    } else if (shape === 'pkcs7') {
      pkcs7Blocks++;
      pkcs7Certificates(blockCtx, tlv, certificates);
    } else if (shape === 'unknown' || shape === 'pkcs12') {
      fail(blockCtx, 'not a certificate');
    } else {
      fail(blockCtx, `contains ${SHAPE_TEXT[shape]}, not a certificate`);
    }
  }

  if (!sawBlock) fail(ctx, NOT_A_CERT);
  if (certificates.length === 0) {
    const kinds = [...new Set(nonCerts.map((c) => PEM_CONTENTS[c]).filter((x): x is string => !!x))];
    if (kinds.length === 0) fail(ctx, 'no certificate in PEM input');
    fail(ctx, `contains ${kinds.join(' and ')}, not a certificate`);
  }
  if (strayText) addNote(ctx, 'text between PEM blocks ignored');
  const out: DecodedInput = {
    source: '', kind: kind === 'pem' && pkcs7Blocks > 0 && certBlocks === 0 ? 'pkcs7' : kind, certificates, notes: ctx.notes,
  };
  if (keys.length > 0) {
    const m = matchKey(keys, certificates);
    out.privateKey = m ? m.key : keys[0]!;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Text view of the input, or null when it is binary. UTF-16 (PowerShell's Out-File) is accepted. */
function asText(bytes: Uint8Array): string | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    const body = b.subarray(2);
    if (b[0] === 0xfe) {
      const le = Buffer.alloc(body.length & ~1);
      for (let i = 0; i + 1 < body.length; i += 2) { le[i] = body[i + 1]!; le[i + 1] = body[i]!; }
      return le.toString('utf16le');
    }
    return body.subarray(0, body.length & ~1).toString('utf16le');
  }
  const start = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  // NUL never occurs in PEM or Base-64 text; random bytes hit one within the first few hundred.
  if (b.indexOf(0, start) !== -1) return null;
  return b.subarray(start).toString('latin1');
}

const BASE64_ONLY_RE = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * Decode the bytes of one input (file or stdin) into its certificates, in input order, detecting
 * the format by content. Throws InputError, naming `source`, when the input holds no certificate.
 */
export async function decodeCertificates(bytes: Uint8Array, source: string, opts: DecodeOptions = {}): Promise<DecodedInput> {
  const ctx: DecodeContext = {
    name: inputLabel(source),
    notes: [],
    maxCertificates: opts.maxCertificates ?? DEFAULT_MAX_CERTIFICATES,
    opts,
  };
  if (bytes.length === 0) fail(ctx, 'empty input');
  if (bytes.length > MAX_INPUT_BYTES) fail(ctx, `input larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
  let result: DecodedInput;
  if (bytes[0] === 0x30) {
    result = await decodeDer(ctx, bytes, 'der');
  } else {
    const text = asText(bytes);
    if (text === null) fail(ctx, NOT_A_CERT);
    if (text.trim() === '') fail(ctx, 'empty input');
    if (text.includes('-----BEGIN ')) {
      result = await decodePem(ctx, text, 'pem');
    } else if (BASE64_ONLY_RE.test(text)) {
      const compact = text.replace(/\s+/g, '');
      if (compact.length % 4 !== 0) fail(ctx, `${NOT_A_CERT}; Base-64 text of ${compact.length} characters is truncated`);
      const der = new Uint8Array(Buffer.from(compact, 'base64'));
      if (der[0] === 0x30) {
        result = await decodeDer(ctx, der, 'base64');
      } else {
        // The gateway's trustedRootCertificates[].data is Base-64 of the uploaded file, which
        // may itself be a PEM .cer.
        const inner = asText(der);
        if (inner === null || !inner.includes('-----BEGIN ')) fail(ctx, NOT_A_CERT);
        result = await decodePem(ctx, inner, 'base64');
      }
    } else {
      fail(ctx, NOT_A_CERT);
    }
  }
  result.source = source;
  return result;
}

/**
* Read a certificate file (or stdin for "-") with a 10 MiB cap. The file is opened non-blocking
 * and checked with fstat before any read, so a FIFO, /dev/zero or a directory is refused without
 * waiting on or reading it, and a huge file is refused by size. The reads are synchronous: only
 * regular files get that far, at most 10 MiB of them, and node:fs/promises would load readline and
 * more into every cold run (about 1 ms) for nothing.
 */
export async function readInputFile(path: string): Promise<Uint8Array> {
  const name = inputLabel(path);
  if (path === '-') return readStdin(name);
  let fd: number | undefined;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError(`${name}: is a directory`);
    if (!st.isFile()) throw new InputError(`${name}: not a regular file (${fileType(st)})`);
    if (st.size > MAX_INPUT_BYTES) throw new InputError(`${name}: file is larger than 10 MiB (${formatCount(st.size)} bytes)`);
    fd = openSync(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    const st2 = fstatSync(fd);
    if (!st2.isFile()) throw new InputError(`${name}: not a regular file (${fileType(st2)})`);
    const buf = Buffer.alloc(Math.min(st2.size, MAX_INPUT_BYTES) + 1);
    let n = 0;
    for (;;) {
      const bytesRead = readSync(fd, buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n === buf.length) {
        if (n > MAX_INPUT_BYTES) throw new InputError(`${name}: file is larger than 10 MiB`);
        break;
      }
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new InputError(`${name}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw new InputError(`${name}: permission denied`);
    if (code === 'EISDIR') throw new InputError(`${name}: is a directory`);
    throw new InputError(`${name}: cannot read (${code ?? 'error'})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function fileType(st: import('node:fs').Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a file';
}

async function readStdin(name: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const stdin = process.stdin;
  for await (const chunk of stdin) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += b.length;
    if (total > MAX_INPUT_BYTES) {
      stdin.destroy();
      throw new InputError(`${name}: input larger than 10 MiB`);
    }
    chunks.push(b);
  }
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.length);
}
