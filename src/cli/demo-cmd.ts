import { Command } from 'commander';
import { withExamples, textWidth, useColor } from './options.js';
import type { CliIo } from './io.js';

/** Builds the `demo` command: embedded loopback backends, each probed (runDemo) and shown as a table. */
export function demoCommand(io: CliIo, setExit: (n: number) => void): Command {
  return withExamples(new Command('demo')
    .description('start embedded backends on 127.0.0.1 (healthy, missing intermediate, wrong order, expired, ...) and probe each, as the gateway would')
    .option('--json', 'print every report as JSON')
    .option('--color', 'colour even off a terminal (also: FORCE_COLOR)')
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .action(async (flags: { json?: boolean; color?: boolean }) => {
      // Loaded when the command runs, like every command's machinery.
      const [{ runDemo }, { renderHealthTable }, { wrapText }] = await Promise.all([import('../demo.js'), import('../render/table.js'), import('../render/wrap.js')]);
      const width = textWidth(io);
      const results = await runDemo();
      if (flags.json) io.stdout(`${JSON.stringify(results.map((r) => ({ case: r.c.name, what: r.c.what, report: r.report })), null, 2)}\n`);
      else {
        io.stdout(wrapText('certcheck demo: local backends on 127.0.0.1, probed as Application Gateway v2 would probe them.\n\n', width, 0));
        io.stdout(renderHealthTable(results.map((r) => ({ name: r.c.name, server: `${(r.report.target as { address?: string }).address ?? ''}:${(r.report.target as { port?: number }).port}`, report: r.report })), useColor(io, flags.color), width));
        io.stdout(wrapText('\nEvery row is a real TLS backend on 127.0.0.1, probed and judged as the gateway would.\n'
          + 'Next: the same judgement on files, e.g. `certcheck verify certs/out/pki/leaf-a.pem --host backend.test --trusted-root certs/out/pki/root-a.pem`\n'
          + '(only the leaf: M8), or `certcheck YOUR-BACKEND:443 --sni NAME` against your own backend.\n', width, 0));
      }
      // The demo succeeded when every case produced a verdict; the verdicts themselves are the show.
      setExit(0);
    }), ['certcheck demo', 'certcheck demo --json'], '0 when every case produced a verdict (the verdicts are the show), 2 usage error');
}
