import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:resilience`: the fast resilience files (also part of `npm test`) and the slow ones
 * (test/resilience/slow/*.slow.ts: crashes, several instances, load), one file at a time so load and
 * timing figures are not disturbed by another file. Every case records its figures in a results
 * folder; the global teardown writes docs/reliability.md from them.
 */
const results = process.env.RESILIENCE_RESULTS ?? path.join(os.tmpdir(), `switchboard-resilience-${process.pid}`);
process.env.RESILIENCE_RESULTS = results;

export default defineConfig({
  test: {
    include: ['test/resilience/*.test.ts', 'test/resilience/slow/*.slow.ts'],
    root: path.resolve(import.meta.dirname, '../..'),
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    maxWorkers: 1,
    env: { RESILIENCE_RESULTS: results },
    globalSetup: ['test/resilience/report-writer.ts'],
  },
});
