import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { chromiumOrExplain, launchChromium } from '../helpers/browser.js';
import { OPERATORS, operatorsConfig } from '../helpers/console-client.js';
import { rows, startTestGateway } from '../helpers/gateway.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { waitFor } from '../helpers/wait.js';

const ARTIFACTS = 'test-artifacts';
const executable = chromiumOrExplain();

describe.skipIf(!executable)('operators console in a real browser', () => {
  let gw: Gateway;
  let standIn: PlatformStandIn;
  let browser: Browser;
  let ann: Page;
  let bob: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    standIn = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
    gw = await startTestGateway({
      standIn,
      config: { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig() },
    });
    gw.store.db
      .prepare(
        'INSERT OR REPLACE INTO kb_answers (id, text, category, created_at, updated_at) VALUES (?, ?, ?, 0, 0)',
      )
      .run(103, 'Freeze the card in the app at once, then order a new one.', 'lost_or_stolen_card');
    browser = await launchChromium(executable!);
    ann = await (
      await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' })
    ).newPage();
    bob = await (
      await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'ru-RU' })
    ).newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await standIn?.close();
  });

  async function signIn(page: Page, login: keyof typeof OPERATORS) {
    await page.goto(`${gw.url}/console`);
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', OPERATORS[login]);
    await page.click('button[type=submit]');
    await page.waitForSelector('#live[data-state=live]');
  }

  it('signs in, and refuses a wrong password', async () => {
    await ann.goto(`${gw.url}/console`);
    await ann.fill('input[name=login]', 'ann');
    await ann.fill('input[name=password]', 'wrong');
    await ann.click('button[type=submit]');
    await expect.poll(() => ann.textContent('#login-error')).toMatch(/Wrong login or password/);
    await signIn(ann, 'ann');
    expect(await ann.textContent('#operator-name')).toBe('ann');
    await signIn(bob, 'bob');
    expect(await bob.textContent('nav button[data-view=stats]')).toBe('Статистика');
  });

  it('shows a ticket posted to a webhook in the queue without a reload', async () => {
    await postTelegram(gw, telegramMessage(7001, 'someone stole my card yesterday', { chatId: 701 }));
    const item = ann.locator('[data-testid=queue-item]', { hasText: 'someone stole my card yesterday' });
    await item.waitFor();
    expect(await item.textContent()).toContain('lost_or_stolen_card');
    await bob.locator('[data-testid=queue-item]').first().waitFor();
    await ann.screenshot({ path: `${ARTIFACTS}/console-queue.png` });
  });

  it('shows the first operator taking a ticket to the second', async () => {
    await ann.locator('[data-testid=queue-item]').first().click();
    await ann.waitForSelector('#conversation:not([hidden])');
    await ann.click('#take');
    await bob.locator('[data-testid=taken]', { hasText: 'ann' }).waitFor();
    await expect.poll(() => ann.textContent('[data-testid=conv-status]')).toMatch(/yours/);
  });

  it('delivers an accepted suggestion to the channel', async () => {
    const suggestion = ann.locator('[data-testid=suggestion]').first();
    await suggestion.click();
    const text = await ann.inputValue('#editor');
    expect(text).toBe('Freeze the card in the app at once, then order a new one.');
    await ann.click('#send');
    const sent = await waitFor(() =>
      standIn.requests.find(
        (r) => r.path.endsWith('/sendMessage') && r.body.chat_id === 701 && r.body.text === text,
      ),
    );
    expect(sent.body.text).toBe(text);
    await ann.locator('[data-testid=message]', { hasText: text }).waitFor();
    const [label] = rows(gw, "SELECT * FROM operator_actions WHERE action = 'accept_suggestion'");
    expect(label).toMatchObject({ operator: 'ann', answer_id: 103 });
    await ann.screenshot({ path: `${ARTIFACTS}/console-conversation.png` });
  });

  it('stores a corrected category as a label', async () => {
    await ann.selectOption('[data-testid=category]', 'compromised_card');
    await ann.click('#correct');
    await ann.locator('[data-testid=toast]', { hasText: 'Category saved' }).waitFor();
    const [label] = rows(gw, "SELECT * FROM operator_actions WHERE action = 'correct_category'");
    expect(label).toMatchObject({ operator: 'ann', category: 'compromised_card' });
    await bob.locator('[data-testid=queue-item]', { hasText: 'compromised_card' }).waitFor();
  });

  it('draws the stats page', async () => {
    await ann.click('nav button[data-view=stats]');
    await ann.locator('#stats svg.chart').first().waitFor();
    expect(await ann.locator('#stats section').count()).toBeGreaterThanOrEqual(5);
    await ann.screenshot({ path: `${ARTIFACTS}/console-stats.png` });
  });
});
