import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BotConfigError, loadBots } from '../../../src/channels/bot-files.js';
import { botLanguages, categoryName, templatesFor } from '../../../src/core/bots/bot.js';
import { tempDir } from '../../helpers/config.js';

const good = {
  name: 'shop',
  nets: { classifier: 'c', qa: 'q' },
  policy: { minConfidence: 0.7 },
  queues: { default: 'general' },
  templates: { en: { greeting: 'Hi', handoff: 'Wait', fallback: 'Text', talkToPerson: 'Person' } },
  channels: {
    telegram: { botTokenEnv: 'SHOP_TG_TOKEN', secretTokenEnv: 'SHOP_TG_SECRET' },
    slack: { botTokenEnv: 'SHOP_SLACK_TOKEN', signingSecretEnv: 'SHOP_SLACK_SECRET' },
  },
};

function dirWith(files: Record<string, unknown>): string {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  }
  return dir;
}

const problemsOf = (dir: string, env: Record<string, string> = {}) => {
  try {
    loadBots(dir, env);
  } catch (err) {
    expect(err).toBeInstanceOf(BotConfigError);
    return (err as BotConfigError).problems;
  }
  return [];
};

describe('bot files', () => {
  it('load the shipped default bot with REST and chat only when no secrets are set', () => {
    const { bots, notes } = loadBots('bots', {});
    const bank = bots.find((b) => b.name === 'bank-support')!;
    expect(Object.keys(bank.channels).sort()).toEqual(['chat', 'rest']);
    expect(notes.join('\n')).toMatch(
      /telegram is off until BANK_SUPPORT_TELEGRAM_BOT_TOKEN and BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET are set/,
    );
  });

  it('name every category of the default bank bot in English and Russian', () => {
    const bank = loadBots('bots', {}).bots.find((b) => b.name === 'bank-support')!;
    expect(botLanguages(bank)).toEqual(['en', 'ru']);
    const categories = JSON.parse(
      readFileSync('training/data/banking77/categories.json', 'utf8'),
    ) as string[];
    for (const language of ['en', 'ru']) {
      const names = bank.config.categoryNames[language]!;
      expect(Object.keys(names).sort()).toEqual([...categories].sort());
      expect(new Set(Object.values(names)).size).toBe(categories.length);
    }
    expect(categoryName(bank, 'lost_or_stolen_card', 'ru')).toBe('Утеря или кража карты');
    expect(categoryName(bank, 'lost_or_stolen_card', 'en')).toBe('Lost or stolen card');
    // An unknown language falls back to the default one, an unnamed category to itself.
    expect(categoryName(bank, 'lost_or_stolen_card', 'de')).toBe('Lost or stolen card');
    expect(categoryName(bank, 'brand_new_category', 'ru')).toBe('brand_new_category');
  });

  it('take their languages from the file: any language code with templates is spoken', () => {
    const uk = { greeting: 'Вітаю', handoff: 'Зачекайте', fallback: 'Текст', talkToPerson: 'Оператор' };
    const dir = dirWith({
      'shop.json': {
        ...good,
        defaultLanguage: 'uk',
        templates: { ...good.templates, uk },
        categoryNames: { uk: { refund: 'Повернення коштів' } },
      },
    });
    const shop = loadBots(dir, {}).bots[0]!;
    expect(botLanguages(shop)).toEqual(['uk', 'en']);
    expect(templatesFor(shop, 'en').t.greeting).toBe('Hi');
    expect(templatesFor(shop, 'ru')).toMatchObject({ language: 'uk', t: { greeting: 'Вітаю' } });
    expect(categoryName(shop, 'refund', 'en')).toBe('Повернення коштів');
    expect(
      problemsOf(dirWith({ 'shop.json': { ...good, templates: { English: good.templates.en } } })),
    ).toEqual([expect.stringContaining('templates.English')]);
  });

  it('switch a channel on when every key it names is set', () => {
    const dir = dirWith({ 'shop.json': good });
    const { bots } = loadBots(dir, { SHOP_TG_TOKEN: '1:abc', SHOP_TG_SECRET: 's3cret_token' });
    expect(bots[0]!.channels.telegram).toEqual({ botToken: '1:abc', secretToken: 's3cret_token' });
    expect(bots[0]!.channels.slack).toBeUndefined();
  });

  it('name the file and the field of every problem, without echoing secret values', () => {
    const bad = {
      ...good,
      policy: { minConfidence: 1.5 },
      queues: { default: 'General Queue' },
      channels: { telegram: { botTokenEnv: 'lower_case', secretTokenEnv: 'SHOP_TG_SECRET' } },
      typo: true,
    };
    const dir = dirWith({
      'shop.json': bad,
      'broken.json': '{"name":',
      'other.json': { ...good, name: 'different' },
    });
    const problems = problemsOf(dir).join('\n');
    expect(problems).toMatch(new RegExp(`${join(dir, 'shop.json')}: policy.minConfidence: `));
    expect(problems).toMatch(/shop\.json: queues\.default: must be a short lower-case queue name/);
    expect(problems).toMatch(
      /shop\.json: channels\.telegram\.botTokenEnv: must name an environment variable/,
    );
    expect(problems).toMatch(/shop\.json: \(root\): Unrecognized key: "typo"/);
    expect(problems).toMatch(/broken\.json: not valid JSON/);
    expect(problems).toMatch(/other\.json: name: "different" must match the file name "other"/);
  });

  it('refuse a channel with only some of its keys set, and a Telegram secret Telegram would refuse', () => {
    const dir = dirWith({ 'shop.json': good });
    expect(problemsOf(dir, { SHOP_TG_TOKEN: '1:abc' })).toEqual([
      `${join(dir, 'shop.json')}: channels.telegram: SHOP_TG_SECRET not set (the channel's other keys are)`,
    ]);
    const problems = problemsOf(dir, { SHOP_TG_TOKEN: '1:abc', SHOP_TG_SECRET: 'has spaces and é' });
    expect(problems.join()).toMatch(
      /channels\.telegram\.secretTokenEnv: SHOP_TG_SECRET must be 1-256 characters/,
    );
    expect(problems.join()).not.toContain('has spaces');
  });

  it('require templates in the default language', () => {
    const dir = dirWith({ 'shop.json': { ...good, defaultLanguage: 'ru' } });
    expect(problemsOf(dir).join()).toMatch(
      /templates\.ru: templates for the default language "ru" are required/,
    );
  });

  it('refuse an empty or missing directory', () => {
    expect(problemsOf(tempDir()).join()).toMatch(/no bot files/);
    expect(problemsOf('/nonexistent/bots').join()).toMatch(/cannot read the bots directory \(ENOENT\)/);
  });
});
