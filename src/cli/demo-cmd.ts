import { Command, Option } from 'commander';
import { withExamples, chosenFormat, textWidth, useColor, verboseOption } from './options.js';
import type { CliIo } from './io.js';
import { checkOutputPath, writeOutputFile } from './write-output.js';

const DEMO_FORMATS = ['text', 'json'] as const;

interface DemoFlags { json?: boolean; format: string; output?: string; color?: boolean; verbose?: boolean }

/** Builds the `demo` command: embedded loopback backends, each probed (runDemo) and shown as a table. */
export function demoCommand(io: CliIo, setExit: (n: number) => void): Command {
  const cmd = new Command('demo')
    .description('start embedded backends on 127.0.0.1 (healthy, missing intermediate, wrong order, expired, ...) and probe each, as the gateway would')
    .addOption(new Option('--format <format>', 'text: the Backend Health table; json: an array of { case, what, report } (schema/demo.schema.json), each report as certcheck HOST:PORT --json prints it').choices([...DEMO_FORMATS]).default('text'))
    .option('--json', 'the same as --format json')
    .option('--output <file>', 'write the output to this file (stdout then prints a one-line summary)')
    .option('--color', 'colour even off a terminal (also: FORCE_COLOR)')
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .addOption(verboseOption('text: after the table, every case\'s whole report with its info-level findings (as certcheck HOST:PORT -v prints it)'));
  cmd.action(async (flags: DemoFlags) => {
    const format = chosenFormat(cmd, flags, DEMO_FORMATS);
    // Before the backends start: a refused --output path should cost nothing.
    if (flags.output !== undefined) checkOutputPath(flags.output);
    // Loaded when the command runs, like every command's machinery.
    const [{ runDemo }, { renderHealthTable }, { renderReport }, { wrapText }] = await Promise.all([import('../demo.js'), import('../render/table.js'), import('../render/format.js'), import('../render/wrap.js')]);
    const results = await runDemo();
    // A file never gets colour: whoever reads it is not a terminal.
    const color = flags.output === undefined && useColor(io, flags.color);
    // A terminal gets lines to its width; a file or a pipe whole lines.
    const width = flags.output === undefined ? textWidth(io) : undefined;
    let out: string;
    if (format === 'json') out = `${JSON.stringify(results.map((r) => ({ case: r.c.name, what: r.c.what, report: r.report })), null, 2)}\n`;
    else {
      out = wrapText('certcheck demo: local backends on 127.0.0.1, probed as Application Gateway v2 would probe them.\n\n', width, 0)
        + renderHealthTable(results.map((r) => ({ name: r.c.name, server: `${(r.report.target as { address?: string }).address ?? ''}:${(r.report.target as { port?: number }).port}`, report: r.report })), color, width)
        + wrapText('\nEvery row is a real TLS backend on 127.0.0.1, probed and judged as the gateway would.\n'
        + 'Next: the same judgement on files, e.g. `certcheck verify certs/out/pki/leaf-a.pem --host backend.test --trusted-root certs/out/pki/root-a.pem`\n'
        + '(only the leaf: M8), or `certcheck YOUR-BACKEND:443 --sni NAME` against your own backend.\n', width, 0);
      if (flags.verbose) for (const r of results) out += `\n=== ${r.c.name}: ${r.c.what}\n${renderReport(r.report, 'text', { color, verbose: true, ...(width !== undefined ? { width } : {}) })}`;
    }
    if (flags.output !== undefined) {
      writeOutputFile(flags.output, out);
      io.stdout(`certcheck demo: ${results.length} cases (${format} written to ${flags.output})\n`);
    } else io.stdout(out);
    // The demo succeeded when every case produced a verdict; the verdicts themselves are the show.
    setExit(0);
  });
  return withExamples(cmd, ['certcheck demo', 'certcheck demo -v', 'certcheck demo --json > demo.json'], 'demo');
}
