import { defineConfig } from 'vitest/config';

/** `npm run test:install`: the slow install test alone (see test/e2e/install.test.ts). */
export default defineConfig({
  test: {
    include: ['test/e2e/install.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
  },
});
