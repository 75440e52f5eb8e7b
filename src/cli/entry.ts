// The bundle's entry (dist/cli.bundle.js): one file loads ~40 ms faster than the module graph.
export { main } from './index.js';
export { nodeIo } from './io.js';
