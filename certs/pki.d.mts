export interface CertDefinition {
  name: string;
  key: string;
  subject: [string, string][];
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  version?: 1 | 3;
  ca?: { pathLen?: number } | false;
  ku?: string[];
  eku?: string[];
  san?: string[];
  nc?: { permitted?: string[]; excluded?: string[] };
  extra?: { oid: string; critical: boolean; valueHex: string }[];
  sig?: string;
  tamper?: 'flip-sig' | 'trailing' | 'inner-sigalg' | 'san-as-set';
  bundle?: string;
  noSki?: boolean;
  noAki?: boolean;
  notes?: string;
}
export const KEYS: Readonly<Record<string, string>>;
export function keyType(stem: string): string;
export const PKI: readonly CertDefinition[];
export const BUNDLES: Readonly<Record<string, string[]>>;
