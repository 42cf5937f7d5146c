import { defineConfig } from 'vitest/config';
import { FiguresReporter } from './test/reliability/figures-reporter.js';

// `npm run test:reliability`: load, faults and bad inputs against the real gateway. Not part
// of `npm test`. Scenarios run one at a time (they measure latency on a shared machine).
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    globalSetup: ['test/reliability/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', new FiguresReporter()],
  },
});
