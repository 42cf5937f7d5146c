import { rmSync } from 'node:fs';
import { FIGURES_DIR } from '../helpers/reliability.js';

/** Clears the figures of an earlier run (the figures reporter gathers this run's at its end). */
export default function setup(): void {
  rmSync(FIGURES_DIR, { recursive: true, force: true });
}
