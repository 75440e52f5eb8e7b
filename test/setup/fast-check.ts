// fast-check's global seed for the suite: fixed under CI (test/helpers/seed.ts says why).
import fc from 'fast-check';
import { suiteSeed } from '../helpers/seed.js';

const seed = suiteSeed();
if (seed !== undefined) fc.configureGlobal({ seed });
