/**
 * A `.bicep` file is compiled with the `bicep` binary when one is on PATH (`bicep build --stdout`,
 * the same compiler `az bicep build` runs); otherwise the caller says how to compile it.
 */
import { execFile } from 'node:child_process';
import { InputError } from '../model/errors.js';

// A module-heavy Bicep file compiles in a few seconds; this bounds a hung compiler.
const BICEP_TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 64 * 1024 * 1024;

/** The compiled ARM template, or null when no `bicep` binary is on PATH. */
export function compileBicep(file: string, bin = 'bicep'): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['build', file, '--stdout'], { timeout: BICEP_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') { resolve(null); return; }
      if (err) {
        const first = String(stderr || err.message).split('\n').find((l) => l.trim()) ?? 'failed';
        reject(new InputError(`${file}: bicep build failed: ${first.replace(/[^\x20-\x7e]/g, '?').slice(0, 300)}`));
        return;
      }
      try { resolve(JSON.parse(stdout) as unknown); } catch { reject(new InputError(`${file}: bicep build did not print a JSON template`)); }
    });
  });
}
