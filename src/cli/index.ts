// Importing this module registers the commands; main stays ignorant of what exists. Each command's
// module is imported only when the arguments can run it (main.ts, registerLazyCommand): that is
// what keeps `certcheck verify` from loading TLS, HTTP and the gateway planner (bench row 1).
import { registerLazyCommand } from './main.js';

registerLazyCommand('probe', async () => (await import('./probe-cmd.js')).probeCommand);
registerLazyCommand('demo', async () => (await import('./demo-cmd.js')).demoCommand);
registerLazyCommand('rotate', async () => (await import('./rotate-cmd.js')).rotateCommand);
registerLazyCommand('bundle', async () => (await import('./bundle-cmd.js')).bundleCommand);
registerLazyCommand('export-root', async () => (await import('./export-root-cmd.js')).exportRootCommand);
registerLazyCommand('gateway', async () => (await import('./gateway-cmd.js')).gatewayCommand);
registerLazyCommand('targets', async () => (await import('./targets-cmd.js')).targetsCommand);
registerLazyCommand('completion', async () => (await import('./completion-cmd.js')).completionCommand);

/** The CLI: main, and the registration calls tests use to run a subset of commands. */
export { main, registerCommand, registerLazyCommand } from './main.js';
