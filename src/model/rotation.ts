/**
 * The rotation pre-flight's data (report.rotation): what planRotation found and the steps it
 * orders, as codes with evidence. The words of each step live in render/rotate.ts; the JSON
 * report carries them as `action`, added when the report is rendered.
 */
import type { FindingCode } from './findings.js';
import type { GatewayMessageId } from './messages.js';
import type { HealthStatus } from './report.js';

/** A certificate named in the rotation: its subject and SHA-256 fingerprint. */
export interface CertRef { subject: string; sha256: string }

/** A verdict in short: the gateway's status and message. */
export interface VerdictRef { status: HealthStatus; message: string; messageId: GatewayMessageId | null }

/** The root a step asks to upload: the certificate itself when the new file holds it, or only its name. */
export interface RootRef { subject: string; sha256: string | null; available: boolean }

/**
 * One step of a rotation, as data. `code` says which step it is; `evidence` holds every value its
 * words need. Codes are API: never renamed, only deprecated.
 */
export type RotationStepData =
  /** Custom-root mode: upload the new root beside today's. */
  | { code: 'UPLOAD_NEW_ROOT'; evidence: { root: RootRef; topSubject: string; newSource: string; currentRoot: string | null } }
  /** Well-known mode with a private new root: switch the setting to custom roots and upload the new root (and today's). */
  | { code: 'SWITCH_TO_CUSTOM_ROOTS'; evidence: { root: RootRef; topSubject: string; newSource: string; currentRoot: string | null; backend: string | null; host: string } }
  /** A problem the gateway cannot work around: the new certificate must not be installed yet. */
  | { code: 'DO_NOT_INSTALL'; evidence: { newSource: string; finding: FindingCode; findingIndex: number } }
  /** The new chain stops before its root: complete it. */
  | { code: 'COMPLETE_CHAIN'; evidence: { newSource: string; topSubject: string } }
  /** Install the new certificate on the backend, serving the chain in this order. */
  | { code: 'INSTALL'; evidence: { newSource: string; backend: string | null; keyChecked: boolean; order: string[]; reorder: boolean; afterFixes: boolean } }
  /** Probe again once the backend serves the new chain. */
  | { code: 'REPROBE'; evidence: { backend: string | null; host: string; customRoots: boolean; newRootFile: boolean } }
  /** Custom-root mode, at the end: remove the old root. */
  | { code: 'REMOVE_OLD_ROOT'; evidence: { oldRoot: string } };

/** Every rotation step code. */
export type RotationStepCode = RotationStepData['code'];

/** A rotation step in order: where it is done, and what (code + evidence). */
export type RotationStep = {
  order: number;
  where: 'gateway' | 'backend' | 'check';
  /** The step in words: added to the rendered report (render/rotate.ts); planRotation's result has none. */
  action?: string;
} & RotationStepData;

/**
 * Whether the trusted roots given (uploaded to the backend setting today) anchor the new chain:
 * `anchored` (one of them ends its path: `anchor`), `issuer-missing` (the chain stops at `top`,
 * whose issuer `missingIssuer` is neither in the new file nor given), `other-root` (it ends at the
 * self-signed `top`, which is not given), `not-a-ca` (its only certificate `top` is self-signed
 * and not a CA, which the gateway refuses even when uploaded).
 */
export interface TrustedRootCheck {
  given: CertRef[];
  end: 'anchored' | 'issuer-missing' | 'other-root' | 'not-a-ca';
  anchor: CertRef | null;
  top: CertRef;
  missingIssuer: string | null;
}

/** report.rotation: the pre-flight of a certificate rotation. */
export interface RotationInfo {
  newSource: string;
  keyCheck: 'match' | 'not-checked';
  /** The list the backend will send once the new certificate is installed. */
  served: CertRef[];
  servedOrder: 'as-given' | 'issuer-order';
  current: (VerdictRef & { target: string; presented: CertRef[]; root: CertRef | null }) | null;
  comparison: { sameRoot: boolean | null; newIntermediates: string[]; removedIntermediates: string[]; newRoot: string | null; sameLeafKey: boolean | null } | null;
  /** With trusted roots given: whether they anchor the new chain; null in well-known CA mode. */
  trustedRootCheck: TrustedRootCheck | null;
  /** The root the gateway must trust before the backend switches; sha256 null when the new file does not hold it. */
  rootToUpload: RootRef | null;
  /** The verdict once rootToUpload is uploaded (null when nothing to upload or the root is not at hand). */
  afterUpload: VerdictRef | null;
  steps: RotationStep[];
}
