// Importing the command modules registers them; main stays ignorant of what exists.
import { registerCommand } from './main.js';
import { probeCommand } from './probe-cmd.js';
import { demoCommand } from './demo-cmd.js';

registerCommand(probeCommand);
registerCommand(demoCommand);

export { main, registerCommand } from './main.js';
