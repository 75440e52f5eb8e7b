// The CLI as a bundle: loading ~50 ESM modules plus commander costs more than any check (perf-notes
// §2, bench row 1i). Commands import their machinery when they run, and splitting turns those
// imports into chunks, so `verify` does not load TLS, HTTP, the gateway planner or the sweep.
// Chunks sit directly in dist/ like the entry, so import.meta.url-relative paths ('../certs/',
// '../package.json') resolve the same from every file. The library (dist/index.js) stays unbundled.
import { readdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry a content hash: drop the previous build's so dist/ holds only live ones.
for (const f of readdirSync('dist', { withFileTypes: true })) {
  if (f.isFile() && /^cli-chunk-.*\.js$/.test(f.name)) rmSync(`dist/${f.name}`);
}

await build({
  entryPoints: { 'cli.bundle': 'src/cli/entry.ts' },
  outdir: 'dist',
  chunkNames: 'cli-chunk-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // commander is CommonJS; its require() of Node built-ins needs a real require in an ES module.
  banner: { js: "import { createRequire as __certcheckRequire } from 'node:module'; const require = __certcheckRequire(import.meta.url);" },
});
