// The bundle's entry (dist/cli.cjs, scripts/bundle.mjs), loaded by bin/certcheck.js with a V8 code
// cache: one file with its compiled code cached starts far faster than the module graph.
export { main } from './index.js';
export { nodeIo } from './io.js';
