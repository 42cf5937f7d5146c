import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** A benchmark's figures: a flat object of numbers, strings or booleans. */
export type Figures = Record<string, number | string | boolean | null>;

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Prints the figures and writes `bench/results/NAME.json`: the figures plus `command`, `date`,
 * `gitCommit` and `machine` (cores, CPU model, load average when the run ended).
 */
export function writeBenchResults(name: string, figures: Figures, command: string): string {
  const c = cpus();
  const result = {
    ...figures,
    command,
    date: new Date().toISOString(),
    gitCommit: gitCommit(),
    machine: {
      cores: c.length,
      cpuModel: c[0]?.model ?? 'unknown',
      node: process.version,
      loadAverage: loadavg(),
    },
  };
  const dir = join('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${path}\n`);
  return path;
}
