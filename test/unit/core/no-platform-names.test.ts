import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../src/channels/index.js';

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

// The platforms the gateway speaks besides its own REST API and chat, and words that only
// name them (their events, headers and products).
const PLATFORMS = CHANNELS.map((c) => c.name).filter((n) => n !== 'rest' && n !== 'chat');
const PLATFORM_WORDS = [...PLATFORMS, 'bitrix', 'vkontakte', 'imbot', 'openlines', 'open lines'];

describe('the core', () => {
  it('names no platform: a platform lives in its folder under src/channels', () => {
    expect(PLATFORMS).toEqual(expect.arrayContaining(['telegram', 'bitrix24', 'chatwoot', 'slack', 'vk']));
    const found = files('src/core').flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          PLATFORM_WORDS.filter((w) => new RegExp(`\\b${w}\\b`, 'i').test(line)).map(
            (w) => `${file}:${i + 1}: ${w}`,
          ),
        ),
    );
    expect(found).toEqual([]);
  });

  it('imports nothing from the channels', () => {
    const imports = files('src/core').filter((file) =>
      /from '[./]*\/channels\//.test(readFileSync(file, 'utf8')),
    );
    expect(imports).toEqual([]);
  });
});
