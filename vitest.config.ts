import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs a git clone with npm (~30 s): `npm run test:install`, which .ci/run runs too.
    exclude: ['test/e2e/install.test.ts', '**/node_modules/**'],
    // A guard against hangs, not a speed check: an e2e test runs the built CLI several times, and
    // on a busy 2-core machine one run can take seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: on a 2-core machine that is one, and
    // the e2e files mostly wait on child processes and loopback I/O.
    maxWorkers: 3,
  },
});
