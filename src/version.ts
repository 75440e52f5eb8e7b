import { readFileSync } from 'node:fs';

/**
 * Read once from package.json so the report always names the version that produced it. A plain
 * read, not require(): the CommonJS loader's resolution costs a cold CLI start about a millisecond.
 */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
