import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeBenchResults } from '../../bench/write-results.js';
import { FIGURES_DIR, MODE } from '../helpers/reliability.js';

const SUITE_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * Clears the figures of an earlier run. After a full run of every scenario (each file
 * `NAME.test.ts` records figures named `NAME...`), writes them to bench/results/reliability.json;
 * a short or partial run only prints them, so it never overwrites the recorded figures.
 */
export default function setup(): () => void {
  rmSync(FIGURES_DIR, { recursive: true, force: true });
  return () => {
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
    const figures: Record<string, unknown> = {};
    for (const file of files) {
      const scenario = file.replace(/\.json$/, '');
      const values = JSON.parse(readFileSync(join(FIGURES_DIR, file), 'utf8')) as Record<string, unknown>;
      for (const [key, value] of Object.entries(values)) figures[`${scenario}.${key}`] = value;
    }
    const path = writeBenchResults('reliability', 'npm run test:reliability', figures);
    process.stdout.write(`[reliability] figures written to ${path}\n`);
  };
}
