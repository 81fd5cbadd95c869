import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Apollo's packages are CommonJS and load graphql's CJS build; make our ESM imports use the same
  // copy, or graphql-js rejects schemas "from another module or realm".
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts', 'kit/**/*.test.ts', 'subgraphs/**/*.test.ts', 'gateway/**/*.test.ts'],
    exclude: ['test/live/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Finds Redis and Chromium once; tests that need a missing one skip (CI=true: the run fails).
    globalSetup: ['test/setup/services.ts'],
  },
});
