import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** Read once from package.json so the report always names the version that produced it. */
export const VERSION: string = (require('../package.json') as { version: string }).version;
