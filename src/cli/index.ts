// Importing the command modules registers them; main stays ignorant of what exists.
import { registerCommand } from './main.js';
import { probeCommand } from './probe-cmd.js';
import { demoCommand } from './demo-cmd.js';
import { rotateCommand } from './rotate-cmd.js';
import { bundleCommand } from './bundle-cmd.js';
import { exportRootCommand } from './export-root-cmd.js';
import { gatewayCommand } from './gateway-cmd.js';
import { targetsCommand } from './targets-cmd.js';

registerCommand(probeCommand);
registerCommand(demoCommand);
registerCommand(rotateCommand);
registerCommand(bundleCommand);
registerCommand(exportRootCommand);
registerCommand(gatewayCommand);
registerCommand(targetsCommand);

export { main, registerCommand } from './main.js';
