// The CLI as one CommonJS bundle (dist/cli.cjs) plus a V8 code cache for it (dist/cli.cjs.cache),
// loaded by bin/certcheck.js. Why (bench rows 1-2, perf-notes §2): a cold run is mostly Node
// start-up and compiling the CLI; one file beats a module graph, and a code cache (which only
// CommonJS/vm.Script can use on Node 20) skips most of the compiling.
//
// Commands import their machinery when they run (`import()` inside the action). esbuild keeps
// those imports lazy in a CommonJS bundle (each such module is a function run on first use), so
// `verify` does not load TLS, HTTP, DNS, the gateway planner or the sweep; test/e2e/cold-start
// guards that. The bundle sits in dist/ so import.meta.url-relative paths ('../package.json',
// '../certs/') resolve as from any dist/*.js file. The library (dist/index.js) stays unbundled.
//
//   node scripts/bundle.mjs   (part of `npm run build`)
import { createHash } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'dist', 'cli.cjs');

// Earlier layouts (an ESM entry with split chunks) and the previous cache: dist/ holds only live files.
for (const f of readdirSync(path.join(ROOT, 'dist'), { withFileTypes: true })) {
  if (f.isFile() && /^(cli-chunk-.*\.js|cli\.bundle\.js|cli\.cjs\.cache(\..*)?)$/.test(f.name)) rmSync(path.join(ROOT, 'dist', f.name));
}

/**
 * commander requires node:child_process at load time, only to run executable subcommands, which
 * certcheck has none of; loading it pulls in net, dgram and streams (~5 ms). This stands in for
 * it in commander and requires the real module on first use.
 */
const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      (args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      loader: 'js',
      contents: "module.exports = { spawn: (...args) => require('node:child_process').spawn(...args) };",
    }));
  },
};

const result = await build({
  entryPoints: [path.join(ROOT, 'src/cli/entry.ts')],
  bundle: true,
  write: false,
  outfile: OUT,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  // A CommonJS bundle has no import.meta; the header written below computes the URL from the bundle's own path.
  define: { 'import.meta.url': '__certcheckImportMetaUrl' },
  plugins: [lazyChildProcessForCommander],
});
const code = result.outputFiles[0].text;
// Any import() left in the output would need the ESM loader inside vm.Script, which the bin does not set up.
if (/\bimport\(/.test(code.replace(/\/\/.*$/gm, ''))) throw new Error('dist/cli.cjs still has a dynamic import() of an unbundled module');
// The first line names this build (bin/certcheck.js accepts only a cache written for the same one)
// and says whether the file is pure ASCII, which the bin then decodes the quicker way. esbuild
// escapes non-ASCII in strings but not in comments it keeps or String.raw templates.
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
const encoding = /^[\x00-\x7f]*$/.test(code) ? 'ascii' : 'utf8';
if (encoding !== 'ascii') process.stderr.write('bundle: note: dist/cli.cjs has non-ASCII characters, so it is read as UTF-8 (~1 ms slower)\n');
// 'use strict' before the constant, or it would no longer be the bundle's first statement.
const header = `// certcheck-cli-build: ${id} ${encoding}\n'use strict';\nconst __certcheckImportMetaUrl = require('node:url').pathToFileURL(__filename).href;\n`;
writeFileSync(OUT, header + code);

await writeCodeCache();

/**
 * Runs representative commands in-process through the bin's own loader (verify on the test PKI,
 * a live check of a loopback backend, the help screens), then saves the code V8 compiled for them.
 * A failure leaves no cache and only warns: the CLI works without one, just slower to start.
 */
async function writeCodeCache() {
  const bin = require(path.join(ROOT, 'bin/certcheck.js'));
  const pki = path.join(ROOT, 'certs/out/pki');
  let backend;
  try {
    const { cli, script, id: loadedId } = bin.loadCli({ useCache: false });
    const run = async (args, expect) => {
      let out = '';
      const io = { stdout: (s) => { out += s; }, stderr: (s) => { out += s; }, env: { NO_COLOR: '1' }, stdoutIsTTY: false, stderrIsTTY: false, stdinIsTTY: false };
      const code = await cli.main(args, io);
      if (expect && !expect.test(out)) throw new Error(`certcheck ${args.join(' ')}: exit ${code}, unexpected output: ${out.slice(0, 300)}`);
    };
    const chain = [path.join(pki, 'leaf-a.pem'), path.join(pki, 'int-a.pem')];
    const root = path.join(pki, 'root-a.pem');
    await run(['verify', ...chain, '--trusted-root', root, '--host', 'backend.test'], /Gateway: Healthy/);
    const { startBackend } = await import(path.join(ROOT, 'dist/fixtures.js'));
    backend = await startBackend({ served: ['leaf-a', 'int-a'] });
    await run([`127.0.0.1:${backend.port}`, '--sni', 'backend.test', '--trusted-root', root, '--timeout', '10'], /Gateway: Healthy/);
    await run(['--help'], /Usage: certcheck/);
    await run(['verify', '--help'], /Usage: certcheck verify/);
    await run(['--version']);
    if (!bin.writeCache(script, loadedId)) throw new Error(`cannot write ${bin.CACHE}`);
  } catch (e) {
    process.stderr.write(`bundle: warning: no code cache (${e.message}); the CLI works, it only starts slower\n`);
  } finally {
    await backend?.close();
  }
}
