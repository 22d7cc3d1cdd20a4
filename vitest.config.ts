import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.spec.ts', 'tab/src/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files run in parallel two at a time; each test file gets its own ports and databases.
    maxWorkers: 2,
  },
});
