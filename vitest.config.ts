import { defineConfig } from 'vitest/config';

/**
 * One runner for every test. Unit tests are pure; integration and e2e tests start real parts
 * (broker on port 0, DuckDB files, HTTP servers, Chromium), hence the generous timeouts.
 */
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
