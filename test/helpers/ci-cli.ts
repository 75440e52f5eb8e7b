/**
 * Run the CLI in-process with captured output, registering only the commands the CI, rotation,
 * bundle and export-root tests use (so a half-written command elsewhere cannot break them).
 */
import type { CliIo } from '../../src/cli/io.js';
import { main, registerCommand } from '../../src/cli/main.js';
import { probeCommand } from '../../src/cli/probe-cmd.js';
import { rotateCommand } from '../../src/cli/rotate-cmd.js';
import { bundleCommand } from '../../src/cli/bundle-cmd.js';
import { exportRootCommand } from '../../src/cli/export-root-cmd.js';

let registered = false;

export interface CliRun { code: number; stdout: string; stderr: string }

export async function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  if (!registered) {
    registered = true;
    for (const f of [probeCommand, rotateCommand, bundleCommand, exportRootCommand]) registerCommand(f);
  }
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (s) => { out.push(s); }, stderr: (s) => { err.push(s); }, env, stdoutIsTTY: false, stdinIsTTY: false };
  const code = await main(argv, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}
