/**
 * Trust stores: Node's bundled Mozilla roots (the well-known store), the OS bundle when asked
 * for it, or uploaded roots, indexed by subject and fingerprint for the path builder. Trust is
 * explicit: each store carries the description the report gives of it.
 */
import { readFileSync } from 'node:fs';
import { parseCertificate, nameKey } from './cert.js';
import type { ParsedCert } from './types.js';

/** Where a trust store comes from. */
export type StoreKind = 'mozilla' | 'system' | 'uploaded';

/** A set of trust anchors, indexed for the path builder, with its description for the report. */
export interface TrustStore {
  kind: StoreKind;
  /** Where it came from, for the report: "Node's bundled Mozilla roots (144)", file names, ... */
  description: string;
  anchors: ParsedCert[];
  /** Anchors by canonical subject name. */
  bySubject: Map<string, ParsedCert[]>;
  /** Anchors by SHA-256 of the DER. */
  bySha256: Map<string, ParsedCert>;
  /**
   * Trusted certificates that are not self-signed (an intermediate uploaded as a "root"). They
   * anchor nothing, but OpenSSL, having found one in its store, looks for the next issuer in the
   * store only; the path builder does the same.
   */
  trustedNonAnchors: Set<string>;
}

/** A trust store over `anchors` (duplicates dropped) and trusted non-anchors. */
export function makeStore(kind: StoreKind, description: string, anchors: ParsedCert[], nonAnchors: ParsedCert[] = []): TrustStore {
  const bySubject = new Map<string, ParsedCert[]>();
  const bySha256 = new Map<string, ParsedCert>();
  for (const a of anchors) {
    if (bySha256.has(a.sha256)) continue;
    bySha256.set(a.sha256, a);
    const k = nameKey(a.subject);
    const list = bySubject.get(k);
    if (list) list.push(a); else bySubject.set(k, [a]);
  }
  return { kind, description, anchors: [...bySha256.values()], bySubject, bySha256, trustedNonAnchors: new Set(nonAnchors.map((c) => c.sha256)) };
}

/**
 * The certificates in PEM text (CERTIFICATE, X509 CERTIFICATE, TRUSTED CERTIFICATE blocks): the
 * quick path for trusted, well-formed text such as the bundled roots or library arguments. Files a
 * user hands over go through decode.ts, which reports every malformation.
 */
export function pemCertificates(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

function parseAll(ders: Uint8Array[]): ParsedCert[] {
  const out: ParsedCert[] = [];
  for (const d of ders) {
    try { out.push(parseCertificate(d)); } catch { /* a broken bundle entry is not an anchor */ }
  }
  return out;
}

/**
 * A list of trusted certificates as OpenSSL's store sees it: self-signed entries anchor, any other
 * only shadows the served chain (see trustedNonAnchors). Uploaded roots, a replacement well-known
 * list and the bundles all go through here.
 */
export function trustedStore(kind: StoreKind, description: string, certs: ParsedCert[]): TrustStore {
  return makeStore(kind, description, certs.filter((c) => c.selfIssued), certs.filter((c) => !c.selfIssued));
}

let mozilla: TrustStore | undefined;

/**
 * The "well-known CA" stand-in: Node's bundled Mozilla roots only. Never the environment's
 * NODE_EXTRA_CA_CERTS (design.md, "Trust is explicit"); the gateway's real list is unpublished.
 */
export function mozillaStore(): TrustStore {
  mozilla ??= loadMozillaStore();
  return mozilla;
}

function loadMozillaStore(): TrustStore {
  // node:tls only for its root list, loaded here: a verify against uploaded roots loads no TLS (bench row 1).
  const { rootCertificates } = process.getBuiltinModule('node:tls');
  const roots = parseAll(rootCertificates.map((p) => pemCertificates(p)[0]!).filter(Boolean));
  return trustedStore('mozilla', `Node's bundled Mozilla root store (${roots.length} roots), standing in for the gateway's unpublished well-known CA list`, roots);
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem', '/etc/ssl/ca-bundle.pem'];

let system: TrustStore | undefined;

/** The OS bundle, read and parsed once per process (a sweep asks for it once per probe). */
export function systemStore(): TrustStore {
  system ??= loadSystemStore();
  return system;
}

function loadSystemStore(): TrustStore {
  for (const path of SYSTEM_BUNDLES) {
    let text: string;
    try { text = readFileSync(path, 'utf8'); } catch { continue; }
    const roots = parseAll(pemCertificates(text));
    return trustedStore('system', `the operating system's CA bundle ${path} (${roots.length} roots)`, roots);
  }
  return makeStore('system', 'no operating-system CA bundle found', []);
}
