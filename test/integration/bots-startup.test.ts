import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { runToExit } from '../helpers/process.js';

describe('starting with a broken bot file', () => {
  it('refuses to start and names the file and the field', async () => {
    const bots = tempDir();
    const bad = {
      name: 'shop',
      nets: { classifier: 'c', qa: 'q' },
      policy: { minConfidence: 2 },
      queues: { default: 'general' },
      templates: {},
      channels: {},
    };
    writeFileSync(join(bots, 'shop.json'), JSON.stringify(bad));
    const { code, stderr } = await runToExit('src/main.ts', {
      NODE_ENV: 'development',
      PORT: '0',
      LOG_LEVEL: 'silent',
      NEURODESK_DATA_DIR: tempDir(),
      NEURODESK_BOTS_DIR: bots,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/refusing to start, invalid bot configuration/);
    expect(stderr).toContain(`${join(bots, 'shop.json')}: policy.minConfidence:`);
    expect(stderr).toContain(
      `${join(bots, 'shop.json')}: templates.en: templates for the default language "en" are required`,
    );
  });
});
