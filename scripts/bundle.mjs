// One-file CLI: loading ~50 ESM modules plus commander costs more than any check (perf-notes §2,
// bench row 1i), so bin/certcheck.js loads this bundle. The library (dist/index.js) stays unbundled.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'dist/cli.bundle.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // commander is CommonJS; its require() of Node built-ins needs a real require in an ES module.
  banner: { js: "import { createRequire as __certcheckRequire } from 'node:module'; const require = __certcheckRequire(import.meta.url);" },
});
