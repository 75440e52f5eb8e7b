import { Argument, Command } from 'commander';
import { COMPLETION_SHELLS, renderCompletion, type CompletionCommand, type CompletionShell } from '../render/completion.js';
import type { CliIo } from './io.js';

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

/**
 * `certcheck completion bash|zsh|fish`: prints a completion script made from the command tree as
 * this build has it (main.ts builds every command when this one runs).
 */
export function completionCommand(io: CliIo, setExit: (n: number) => void): Command {
  return new Command('completion')
    .description('print a shell completion script (bash, zsh or fish), made from this version\'s commands and options')
    .addArgument(new Argument('<shell>', 'the shell').choices([...COMPLETION_SHELLS]))
    .addHelpText('after', '\nExamples:\n  certcheck completion bash > /etc/bash_completion.d/certcheck\n  certcheck completion zsh > "${fpath[1]}/_certcheck"\n  certcheck completion fish > ~/.config/fish/completions/certcheck.fish\n')
    .action((shell: CompletionShell, _flags: unknown, cmd: Command) => {
      const program = cmd.parent;
      const commands = (program?.commands ?? []).map(describeCommand);
      const defaultCommand = commands.find((c) => c.name === 'probe')?.name;
      io.stdout(renderCompletion(shell, program?.name() ?? 'certcheck', commands, defaultCommand));
      setExit(0);
    });
}
