import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs a git clone with npm (~30 s): `npm run test:install`, which .ci/run runs too.
    exclude: ['test/e2e/install.test.ts', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
