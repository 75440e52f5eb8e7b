import { Argument, Command, Option } from 'commander';
import { InputError } from '../model/errors.js';
import { COMPLETION_SHELLS, renderCompletion, type CompletionCommand, type CompletionShell } from '../render/completion.js';
import type { CliIo } from './io.js';
import { withExamples } from './options.js';
import { writeOutputFile } from './write-output.js';

/** What completion needs of a commander command: its options, their values and choices. */
export function describeCommand(c: Command): CompletionCommand {
  return {
    name: c.name(),
    options: c.options.filter((o) => !o.hidden).map((o) => ({
      names: [o.short, o.long].filter((n): n is string => !!n),
      takesValue: o.required || o.optional,
      ...(o.argChoices ? { choices: o.argChoices } : {}),
    })),
    ...(c.registeredArguments[0]?.argChoices ? { argChoices: c.registeredArguments[0].argChoices } : {}),
  };
}

interface CompletionFlags { output?: string; json?: boolean; format?: string; verbose?: boolean }

/**
 * `certcheck completion bash|zsh|fish`: prints a completion script made from the command tree as
 * this build has it (main.ts builds every command when this one runs).
 */
export function completionCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('completion')
    .description('print a shell completion script (bash, zsh or fish), made from this version\'s commands and options')
    .addArgument(new Argument('<shell>', 'the shell').choices([...COMPLETION_SHELLS]))
    .option('--output <file>', 'write the script to this file, replacing it whole (stdout then prints a one-line summary)')
    // The output is a shell script and nothing else: the shared report flags are refused by name
    // (hidden, so completion scripts do not offer them) rather than as unknown options.
    .addOption(new Option('--json').hideHelp())
    .addOption(new Option('--format <format>').hideHelp())
    .addOption(new Option('-v, --verbose').hideHelp())
    .addHelpText('after', '\nThe output is always a shell script: --json, --format and -v are refused (a usage error).')
    .action((shell: CompletionShell, flags: CompletionFlags, c: Command) => {
      const refused = flags.json ? '--json' : flags.format !== undefined ? '--format' : flags.verbose ? '-v' : undefined;
      if (refused) throw new InputError(`completion: ${refused} does not apply: the output is a shell script (choose the shell: ${COMPLETION_SHELLS.join(', ')})`);
      const program = c.parent;
      const commands = (program?.commands ?? []).map(describeCommand);
      const defaultCommand = commands.find((x) => x.name === 'probe')?.name;
      const script = renderCompletion(shell, program?.name() ?? 'certcheck', commands, defaultCommand);
      if (flags.output !== undefined) {
        writeOutputFile(flags.output, script);
        io.stdout(`certcheck: ${shell} completion written to ${flags.output}\n`);
      } else io.stdout(script);
      setExit(0);
    });
  return withExamples(cmd, ['certcheck completion bash > /etc/bash_completion.d/certcheck', 'certcheck completion zsh --output "${fpath[1]}/_certcheck"', 'certcheck completion fish > ~/.config/fish/completions/certcheck.fish'], 'completion');
}
