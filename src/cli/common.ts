import { InputError } from '../model/errors.js';
import type { Report } from '../model/report.js';
import { writeFileSync } from 'node:fs';
import { renderReport, resolveFormat, summaryLine } from '../render/format.js';
import { decodeCertificates, readInputFile, type DecodedInput } from '../x509/decode.js';
import type { CliIo } from './io.js';

export const EXIT = { healthy: 0, unhealthy: 1, usage: 2, unknown: 3 } as const;

export function exitFor(r: Pick<Report, 'status'>): number {
  return r.status === 'Healthy' ? EXIT.healthy : r.status === 'Unknown' ? EXIT.unknown : EXIT.unhealthy;
}

export function useColor(io: CliIo, flag?: boolean): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.stdoutIsTTY;
}

export function parseAt(s: string | undefined): Date {
  if (s === undefined) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s)) {
    throw new InputError(`--at: "${s}" is not an ISO-8601 date (e.g. 2027-01-15T00:00:00Z)`);
  }
  const d = new Date(/T/.test(s) && !/(Z|[+-]\d{2}:\d{2})$/.test(s) ? `${s}Z` : s);
  if (Number.isNaN(d.getTime())) throw new InputError(`--at: "${s}" is not a real date`);
  return d;
}

export function parseIntOpt(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InputError(`${name}: expected a whole number from ${min} to ${max}, got "${v}"`);
  return Number(v);
}

export interface PasswordOpts { passwordEnv?: string; passwordFile?: string }

export function passwordProvider(o: PasswordOpts, io: CliIo, file: string): () => Promise<string> {
  return async () => {
    if (o.passwordEnv) {
      const v = io.env[o.passwordEnv];
      if (v === undefined) throw new InputError(`--password-env: environment variable ${o.passwordEnv} is not set`);
      return v;
    }
    if (o.passwordFile) {
      const bytes = await readInputFile(o.passwordFile);
      return Buffer.from(bytes).toString('utf8').replace(/\r?\n$/, '');
    }
    if (io.promptSecret && io.stdinIsTTY) return io.promptSecret(`Password for ${file}: `);
    throw new InputError(`${file}: PKCS#12 needs a password (use --password-env VAR or --password-file FILE)`);
  };
}

export async function loadCertFile(path: string, io: CliIo, pw: PasswordOpts): Promise<DecodedInput> {
  const bytes = await readInputFile(path);
  return decodeCertificates(bytes, path, { password: passwordProvider(pw, io, path), passwordKnown: !!(pw.passwordEnv || pw.passwordFile) });
}

export interface EmitOptions {
  /** text | json | junit | github (checked here, so every command gets the same message). */
  format?: string;
  /** Alias of format json. */
  json?: boolean;
  /** Write the rendered report to this file; stdout then gets a one-line summary. */
  output?: string;
  color?: boolean;
  verbose?: boolean;
}

/** Render the report as asked, print or write it, and return the exit status. */
export function emit(report: Report, io: CliIo, o: EmitOptions): number {
  const format = resolveFormat(o);
  if (o.output !== undefined) {
    if (o.output === '') throw new InputError('--output: empty file name');
    // A file never gets colour: CI systems read it, not a terminal.
    const body = renderReport(report, format, { color: false, verbose: !!o.verbose });
    try {
      writeFileSync(o.output, body);
    } catch (e) {
      throw new InputError(`--output: cannot write ${o.output} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    io.stdout(summaryLine(report, format, o.output));
  } else {
    io.stdout(renderReport(report, format, { color: format === 'text' && useColor(io, o.color), verbose: !!o.verbose }));
  }
  return exitFor(report);
}
