import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** The machine a benchmark ran on. */
export function machine(): { cores: number; cpuModel: string; loadAverage1m: number } {
  const list = cpus();
  return { cores: list.length, cpuModel: list[0]?.model.trim() ?? 'unknown', loadAverage1m: loadavg()[0]! };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Writes `bench/results/NAME.json`: the figures (a flat object) plus the command, date,
 * git commit and machine, so a figure can always be traced to how it was measured.
 */
export function writeBenchResults(name: string, command: string, figures: Record<string, unknown>): string {
  const path = join('bench', 'results', `${name}.json`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  const body = {
    ...figures,
    command,
    date: new Date().toISOString(),
    gitCommit: gitCommit(),
    machine: machine(),
  };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  return path;
}
