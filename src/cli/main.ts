// The CLI's dispatcher: the program, its global flags and errors, and the table of commands, each
// built (or lazily imported) only when the arguments can reach it. Commands sit side by side here.
import { Command, CommanderError } from 'commander';
import { isInputError } from '../model/errors.js';
import { VERSION } from '../version.js';
import { EXIT } from './options.js';
import type { CliIo } from './io.js';
import { verifyCommand } from './verify-cmd.js';

/** Builds one command on the program; `setExit` records its exit status. */
export type CommandFactory = (io: CliIo, setExit: (n: number) => void) => Command;

/** A registered command: built on every run, or (lazy) imported only when this run may need it. */
type Registered = { factory: CommandFactory } | { name: string; load: () => Promise<CommandFactory> };
const registered: Registered[] = [];

/** Later commands (probe, demo, gateway...) register here so main stays one small table. */
export function registerCommand(f: CommandFactory): void {
  registered.push({ factory: f });
}

/**
 * A command whose module is imported only when the arguments may run it, so `certcheck verify`
 * loads neither the probe's TLS and HTTP nor the gateway planner (bench row 1; guarded by
 * test/e2e/cold-start.test.ts). `name` must be the name the factory's command has.
 */
export function registerLazyCommand(name: string, load: () => Promise<CommandFactory>): void {
  registered.push({ name, load });
}

/**
 * Which lazy commands these arguments can reach: the one named first, the default command
 * (probe) for `certcheck HOST:PORT ...`, none for --version, and all of them otherwise (help,
 * options before the target, a usage error), where the help text must list every command.
 */
function lazyNeeded(args: string[], commandNames: Set<string>): (name: string) => boolean {
  const first = args[0];
  if (first === undefined) return () => true;
  // Completion describes every command, so it needs them all built.
  if (first === 'completion') return () => true;
  if (commandNames.has(first)) return (n) => n === first;
  if (args.length === 1 && (first === '--version' || first === '-V')) return () => false;
  if (!first.startsWith('-') && first !== 'help') return (n) => n === 'probe';
  return () => true;
}

/**
 * The whole CLI. Returns the exit status (options.ts EXIT_MEANINGS) and never calls process.exit,
 * so tests run it in-process.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let exit: number = EXIT.healthy;
  const setExit = (n: number) => { exit = n; };
  const program = new Command('certcheck')
    .description('What does Azure Application Gateway\'s health probe see, and why does it reject it?')
    .version(VERSION)
    // Taken out of argv before parsing (so it works before or after a command); declared for --help.
    .option('--debug', 'on an internal error, print its stack trace too (before or after the command)')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // commander quotes an unknown option as typed; a --password=VALUE must not reach the terminal.
      outputError: (s, write) => write(s.replace(/^error: /, 'certcheck: ').replace(/(--[\w-]*pass[\w-]*=)[^\s']*/gi, '$1***')),
      // commander's defaults ask process.stdout / process.stderr, which creates the streams that
      // io.ts avoids (node:net, ~3 ms); 80 columns is commander's own default off a terminal, and the
      // help has no colours to keep or strip.
      getOutHelpWidth: () => (io.stdoutIsTTY && process.stdout.columns) || 80,
      getErrHelpWidth: () => (io.stderrIsTTY && process.stderr.columns) || 80,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  // addCommand does not pass exitOverride/configureOutput down; without this a subcommand's
  // usage error would exit 1 through process.exit and bypass io.
  const add = (c: Command, isDefault = false) => { c.copyInheritedSettings(program); program.addCommand(c, isDefault ? { isDefault: true } : {}); };
  // Eager commands are built now, to learn their names; lazy ones only if these arguments can reach them.
  const built = new Map<Registered, Command>();
  const commandNames = new Set(['verify']);
  for (const r of registered) {
    if ('factory' in r) {
      const c = r.factory(io, setExit);
      built.set(r, c);
      commandNames.add(c.name());
    } else commandNames.add(r.name);
  }
  const debug = argv.includes('--debug');
  const args = targetsAlias(argv.filter((a) => a !== '--debug'), commandNames);
  // A first word that is neither a command nor anything like a target is a typo, not a host to
  // look up: say so before any network activity.
  const first = args[0];
  if (first !== undefined && !first.startsWith('-') && first !== 'help' && !commandNames.has(first) && !looksLikeTarget(first)) {
    const hint = suggest(first, [...commandNames]);
    io.stderr(`certcheck: unknown command "${first.replace(/[^\x20-\x7e]/g, '?').slice(0, 60)}"${hint ? ` (did you mean ${hint}?)` : ''}; a target looks like host:port, an IP address or a URL (see certcheck --help)\n`);
    return EXIT.usage;
  }
  const needed = lazyNeeded(args, commandNames);
  for (const r of registered) {
    if (!('load' in r) || !needed(r.name)) continue;
    const c = (await r.load())(io, setExit);
    if (c.name() !== r.name) throw new Error(`command registered as "${r.name}" is named "${c.name()}"`);
    built.set(r, c);
  }
  add(verifyCommand(io, setExit));
  // In registration order, so the help lists the commands as before.
  for (const r of registered) {
    const c = built.get(r);
    if (c) add(c, c.name() === 'probe');
  }
  if (argv.length === 0) {
    io.stderr(program.helpInformation());
    return EXIT.usage;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
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
 * `certcheck --targets FILE [options]` (the issue's spelling) is `certcheck targets FILE [options]`:
 * rewritten here so the default probe command keeps its single required target.
 */
function targetsAlias(argv: string[], known: Set<string>): string[] {
  if (argv[0] && known.has(argv[0])) return argv;
  const i = argv.findIndex((a) => a === '--targets' || a.startsWith('--targets='));
  if (i < 0 || !known.has('targets')) return argv;
  const a = argv[i]!;
  const file = a.startsWith('--targets=') ? a.slice('--targets='.length) : argv[i + 1];
  if (file === undefined) return argv;
  const rest = argv.filter((_, j) => j !== i && !(a === '--targets' && j === i + 1));
  return ['targets', file, ...rest];
}

/**
 * Could this first argument be the probe's target: host:port, [v6]:port, an IP address, a dotted
 * host name or an http(s) URL? (No command name has a dot or a colon.)
 */
function looksLikeTarget(arg: string): boolean {
  return /^https?:\/\//i.test(arg) || arg.includes(':') || arg.includes('.') || arg.startsWith('[');
}

/** The command a typo most likely meant: within two edits, or the one it is a prefix of. */
function suggest(word: string, commands: string[]): string | undefined {
  const w = word.toLowerCase();
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        // A swap of two neighbours counts as one edit ("verfiy").
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
    return d[a.length]![b.length]!;
  };
  let best: string | undefined, bestD = 3;
  for (const c of commands) {
    const dd = c.startsWith(w) && w.length >= 2 ? 0 : distance(w.slice(0, 32), c);
    if (dd < bestD) { best = c; bestD = dd; }
  }
  return best;
}
