import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import { writeBenchResults } from '../../bench/write-results.js';
import { FIGURES_DIR, MODE } from '../helpers/reliability.js';

const SUITE_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * After a full run of every scenario (each file `NAME.test.ts` records figures named
 * `NAME...`), writes them to bench/results/reliability.json with whether every test passed
 * and the names of those that failed; a short or partial run only prints them, so it never
 * overwrites the recorded figures.
 */
export class FiguresReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, _errors: unknown, reason: TestRunEndReason): void {
    if (MODE !== 'full' || !existsSync(FIGURES_DIR)) return;
    const files = readdirSync(FIGURES_DIR).sort();
    const scenarios = readdirSync(SUITE_DIR)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => f.replace(/\.test\.ts$/, ''));
    const missing = scenarios.filter((s) => !files.some((f) => f.startsWith(s)));
    if (missing.length > 0) {
      process.stdout.write(
        `[reliability] partial run (no figures from ${missing.join(', ')}): not recorded\n`,
      );
      return;
    }
    const failed = modules.flatMap((m) => [...m.children.allTests('failed')].map((t) => t.fullName));
    const figures: Record<string, unknown> = { passed: reason === 'passed', failedTests: failed.join(' | ') };
    for (const file of files) {
      const scenario = file.replace(/\.json$/, '');
      const values = JSON.parse(readFileSync(join(FIGURES_DIR, file), 'utf8')) as Record<string, unknown>;
      for (const [key, value] of Object.entries(values)) figures[`${scenario}.${key}`] = value;
    }
    const path = writeBenchResults('reliability', 'npm run test:reliability', figures);
    process.stdout.write(`[reliability] figures written to ${path}\n`);
  }
}
