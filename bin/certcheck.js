#!/usr/bin/env node
'use strict';
// certcheck's command line: loads the CLI bundle (dist/cli.cjs) with a V8 code cache and runs it.
//
// Why this shape (bench rows 1-2, perf-notes §2): a cold run is mostly Node start-up plus compiling
// the CLI's code. Node 20 has no module.enableCompileCache, and ES modules cannot take a code cache,
// so the CLI is one CommonJS bundle compiled through vm.Script with `cachedData`. This file is
// CommonJS too (bin/package.json says so): an ES module entry would start the ESM loader for nothing.
//
// The cache (dist/cli.cjs.cache) is written by `npm run build` after running representative
// commands (scripts/bundle.mjs). It is only an optimisation: when it is missing, corrupt, from
// another build of the bundle, or rejected by V8 (another Node version), the bundle compiles from
// source as usual and the cache is rewritten at exit from what this run compiled; a failed write
// (read-only install) is ignored.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli.cjs');
const CACHE = `${BUNDLE}.cache`;

// The bundle's first line names its build and encoding (scripts/bundle.mjs); the cache file starts
// with the build id. V8 itself only compares the source's length, so a cache from another build
// of the same length would be accepted and run stale code: the build id rules that out.
const HEADER_RE = /^\/\/ certcheck-cli-build: ([0-9a-f]+) (ascii|utf8)\n/;

/** The bundle's source and build id. An ASCII bundle is decoded as latin1, which is quicker than UTF-8. */
function readBundle() {
  const bytes = fs.readFileSync(BUNDLE);
  const m = HEADER_RE.exec(bytes.toString('latin1', 0, 80));
  return { source: bytes.toString(m?.[2] === 'ascii' ? 'latin1' : 'utf8'), id: m?.[1] ?? '' };
}

/** The V8 data in the cache file, or undefined when there is none for this build. */
function readCache(file, id) {
  let buf;
  try { buf = fs.readFileSync(file); } catch { return undefined; }
  const header = Buffer.from(`${id}\n`, 'latin1');
  if (!id || buf.length <= header.length || !buf.subarray(0, header.length).equals(header)) return undefined;
  return buf.subarray(header.length);
}

/** Writes the cache for `script` (temp file + rename, so no reader sees half a file); true when written. */
function writeCache(script, id, file = CACHE) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${id}\n`, 'latin1'), script.createCachedData()]));
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean */ }
    return false;
  }
}

function canWrite(dir) {
  try { fs.accessSync(dir, fs.constants.W_OK); return true; } catch { return false; }
}

/**
 * Compiles and runs the bundle as the CommonJS loader would, with the code cache when there is a
 * usable one. Returns the bundle's exports (main, nodeIo), the compiled script, the build id and
 * whether the cache was used.
 */
function loadCli({ useCache = true } = {}) {
  const { source, id } = readBundle();
  const cachedData = useCache ? readCache(CACHE, id) : undefined;
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
  const script = new vm.Script(wrapped, { filename: BUNDLE, ...(cachedData ? { cachedData } : {}) });
  const mod = new Module(BUNDLE, module);
  mod.filename = BUNDLE;
  script.runInThisContext()(mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, path.dirname(BUNDLE));
  mod.loaded = true;
  return { cli: mod.exports, script, id, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

if (require.main === module) {
  const { cli, script, id, cacheUsed } = loadCli();
  // After the command, so the cache holds the functions it compiled, not just the top level; only
  // where it can be written (a read-only install would pay for createCachedData on every run).
  if (!cacheUsed && id && canWrite(path.dirname(CACHE))) process.once('exit', () => { writeCache(script, id); });
  cli.main(process.argv.slice(2), cli.nodeIo()).then((code) => {
    process.exitCode = code;
    // 130: a sweep stopped by Ctrl-C has printed what it had; the probes it gave up (a hung
    // backend holds one for its whole timeout) must not keep the process alive.
    if (code === 130) process.exit(code);
  });
} else {
  module.exports = { loadCli, writeCache, BUNDLE, CACHE };
}
