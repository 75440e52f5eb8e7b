import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A fixed fast-check seed under CI (why: test/setup/fast-check.ts).
    setupFiles: ['test/setup/fast-check.ts'],
    // Loopback servers and openssl subprocesses: keep parallelism modest on 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
