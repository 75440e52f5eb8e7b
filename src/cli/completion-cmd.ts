import { Argument, Command, Option } from 'commander';
import { COMPLETION_SHELLS, renderCompletion, type CompletionCommand, type CompletionShell } from '../render/completion.js';
import type { CliIo } from './io.js';
import { VERSION } from '../version.js';
import { chosenFormat, verboseOption, withExamples } from './options.js';
import { writeOutputFile } from './write-output.js';

/** What `completion --format` writes: the shell script, or a JSON document holding it. */
const COMPLETION_FORMATS = ['script', 'json'] as const;

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
    .option('--output <file>', 'write the output to this file, replacing it whole (stdout then prints a one-line summary)')
    .addOption(new Option('--format <format>', 'script: the shell script (default); json: a JSON document (schema/completion.schema.json) with the script as its "script" field').choices([...COMPLETION_FORMATS]).default('script'))
    .option('--json', 'the same as --format json')
    .addOption(verboseOption('also say on stderr which commands and how many options the script completes (stdout keeps only the chosen format)'))
    .action((shell: CompletionShell, flags: CompletionFlags, c: Command) => {
      const format = chosenFormat(c, flags, COMPLETION_FORMATS);
      const program = c.parent;
      const commands = (program?.commands ?? []).map(describeCommand);
      const defaultCommand = commands.find((x) => x.name === 'probe')?.name;
      const script = renderCompletion(shell, program?.name() ?? 'certcheck', commands, defaultCommand);
      const out = format === 'json'
        ? `${JSON.stringify({ schemaVersion: 1, tool: { name: 'certcheck', version: VERSION }, kind: 'completion', shell, commands: commands.map((x) => x.name), script }, null, 2)}\n`
        : script;
      if (flags.verbose) {
        const options = commands.reduce((n, x) => n + x.options.length, 0);
        io.stderr(`certcheck completion: ${shell}: ${commands.length} commands (${commands.map((x) => x.name).join(', ')}), ${options} options\n`);
      }
      if (flags.output !== undefined) {
        writeOutputFile(flags.output, out);
        io.stdout(`certcheck: ${shell} completion${format === 'json' ? ' (json)' : ''} written to ${flags.output}\n`);
      } else io.stdout(out);
      setExit(0);
    });
  return withExamples(cmd, ['certcheck completion bash > /etc/bash_completion.d/certcheck', 'certcheck completion zsh --output "${fpath[1]}/_certcheck"', 'certcheck completion fish > ~/.config/fish/completions/certcheck.fish', 'certcheck completion bash --json -v'], 'completion');
}
