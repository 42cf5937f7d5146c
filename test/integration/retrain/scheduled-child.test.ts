import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnRetrain } from '../../../src/retraining/spawn-retrain.js';
import { RunLock } from '../../../training/retrain/lock.js';
import { tempDir } from '../../helpers/config.js';

describe('a scheduled retraining run', () => {
  it('runs the retrain command in a child process and reports its exit code and output', async () => {
    const dataDir = tempDir();
    const lock = RunLock.acquire(join(dataDir, 'retrain.lock'), 'retrain classifier --bot desk (by hand)');
    const lines: string[] = [];
    try {
      const child = spawnRetrain(
        { bot: 'desk', kind: 'qa' },
        { dataDir, netsDir: join(dataDir, 'nets'), botsDir: join(dataDir, 'bots'), backend: 'wasm', env: {} },
        (stream, line) => lines.push(`${stream}: ${line}`),
      );
      // The manual run holds the lock: the scheduled one must not start training.
      expect(await child.done).toBe(4);
    } finally {
      lock.release();
    }
    expect(lines.join('\n')).toMatch(
      /err: retrain: another run holds .*retrain classifier --bot desk \(by hand\)/,
    );
  });
});
