import { Command, CommanderError } from 'commander';
import { isInputError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { EXIT } from './common.js';
import type { CliIo } from './io.js';
import { verifyCommand } from './verify-cmd.js';

export type CommandFactory = (io: CliIo, setExit: (n: number) => void) => Command;
const extraCommands: CommandFactory[] = [];

/** Later commands (probe, demo, gateway...) register here so main stays one small table. */
export function registerCommand(f: CommandFactory): void {
  extraCommands.push(f);
}

/**
 * The whole CLI. Returns the exit status and never calls process.exit, so tests run it in-process.
 * 0 Healthy, 1 Unhealthy, 2 usage or input error, 3 Unknown.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exit: number = EXIT.healthy;
  const setExit = (n: number) => { exit = n; };
  const program = new Command('certcheck')
    .description('What does Azure Application Gateway\'s health probe see, and why does it reject it?')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // commander quotes an unknown option as typed; a --password=VALUE must not reach the terminal.
      outputError: (s, write) => write(s.replace(/^error: /, 'certcheck: ').replace(/(--[\w-]*pass[\w-]*=)[^\s']*/gi, '$1***')),
    });
  // addCommand does not pass exitOverride/configureOutput down; without this a subcommand's
  // usage error would exit 1 through process.exit and bypass io.
  const add = (c: Command, isDefault = false) => { c.copyInheritedSettings(program); program.addCommand(c, isDefault ? { isDefault: true } : {}); };
  add(verifyCommand(io, setExit));
  for (const f of extraCommands) {
    const c = f(io, setExit);
    add(c, c.name() === 'probe');
  }
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT.usage;
  }
  argv = targetsAlias(argv, program);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv.filter((a) => a !== '--debug'), { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return EXIT.usage;
    }
    if (isInputError(e)) {
      io.stderr(`certcheck: ${e.message}\n`);
      return e.exitCode;
    }
    const err = e as Error;
    io.stderr(`certcheck: internal error: ${(err?.message ?? String(e)).split('\n')[0]} (rerun with --debug for details)\n`);
    if (debug && err?.stack) io.stderr(`${err.stack}\n`);
    return EXIT.usage;
  }
}

/**
 * `certcheck --targets FILE [options]` (the spelling) is `certcheck targets FILE [options]`:
 * rewritten here so the default probe command keeps its single required target.
 */
function targetsAlias(argv: string[], program: Command): string[] {
  const known = new Set(program.commands.map((c) => c.name()));
  if (argv[0] && known.has(argv[0])) return argv;
  const i = argv.findIndex((a) => a === '--targets' || a.startsWith('--targets='));
  if (i < 0 || !known.has('targets')) return argv;
  const a = argv[i]!;
  const file = a.startsWith('--targets=') ? a.slice('--targets='.length) : argv[i + 1];
  if (file === undefined) return argv;
  const rest = argv.filter((_, j) => j !== i && !(a === '--targets' && j === i + 1));
  return ['targets', file, ...rest];
}
