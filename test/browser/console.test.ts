import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { sqliteDatabaseOf } from '../../src/store/sqlite.js';
import { chromiumOrExplain, launchChromium } from '../helpers/browser.js';
import { OPERATORS, operatorsConfig } from '../helpers/console-client.js';
import { rows, startTestGateway } from '../helpers/gateway.js';
import { postTelegram, telegramMessage } from '../helpers/platforms.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { waitFor } from '../helpers/wait.js';

const ARTIFACTS = 'test-artifacts';
// The machine may be loaded: a browser step gets ten seconds before it counts as failed.
/** Takes the keyboard focus away from any field, so shortcuts reach the page. */
const BLUR = 'document.activeElement && document.activeElement.blur()';
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000 });
const executable = chromiumOrExplain();

describe.skipIf(!executable)('operators console in a real browser', () => {
  let gw: Gateway;
  let standIn: PlatformStandIn;
  let browser: Browser;
  let ann: Page;
  let bob: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    standIn = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
    gw = await startTestGateway({
      standIn,
      config: { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(), NEURODESK_KB_SEED: 'off' },
    });
    sqliteDatabaseOf(gw.store)
      .prepare(
        'INSERT OR REPLACE INTO kb_answers (id, text, category, created_at, updated_at) VALUES (?, ?, ?, 0, 0)',
      )
      .run(103, 'Freeze the card in the app at once, then order a new one.', 'lost_or_stolen_card');
    await gw.store.operators.setRole('cleo', 'supervisor');
    // Bob chose Russian in the console before; his browser says English: his choice wins.
    await gw.store.operators.setLanguage('bob', 'ru');
    browser = await launchChromium(executable!);
    ann = await (
      await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' })
    ).newPage();
    ann.on('pageerror', (e) => pageErrors.push(`ann: ${e.message}`));
    ann.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    bob = await (
      await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' })
    ).newPage();
  }, 60_000);

  // A failing test leaves what each operator saw.
  beforeEach((ctx) => {
    ctx.onTestFailed(async () => {
      process.stderr.write(`page errors: ${JSON.stringify(pageErrors)}\n`);
      const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 60);
      await ann?.screenshot({ path: `${ARTIFACTS}/failed-${name}-ann.png` }).catch(() => {});
      await bob?.screenshot({ path: `${ARTIFACTS}/failed-${name}-bob.png` }).catch(() => {});
    });
  });

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
    await poll(() => ann.textContent('#login-error')).toMatch(/Wrong login or password/);
    await signIn(ann, 'ann');
    expect(await ann.textContent('#operator-name')).toBe('ann');
    await signIn(bob, 'bob');
    expect(await bob.textContent('nav button[data-view=stats]')).toBe('Статистика');
  });

  it('shows a ticket posted to a webhook in the queue without a reload', async () => {
    await postTelegram(gw, telegramMessage(7001, 'someone stole my card yesterday', { chatId: 701 }));
    const item = ann.locator('[data-testid=queue-item]', { hasText: 'someone stole my card yesterday' });
    await item.waitFor();
    // Categories show by their display names from the bot file, in each operator's language.
    expect(await item.textContent()).toContain('Lost or stolen card');
    expect(await item.textContent()).not.toContain('lost_or_stolen_card');
    await bob.locator('[data-testid=queue-item]', { hasText: 'Утеря или кража карты' }).first().waitFor();
    await ann.screenshot({ path: `${ARTIFACTS}/console-queue.png` });
  });

  it('shows the first operator taking a ticket to the second', async () => {
    await ann.locator('[data-testid=queue-item]').first().click();
    await ann.waitForSelector('#conversation:not([hidden])');
    await ann.click('#take');
    await bob.locator('[data-testid=taken]', { hasText: 'ann' }).waitFor();
    await poll(() => ann.textContent('[data-testid=conv-status]')).toMatch(/yours/);
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
    await bob.locator('[data-testid=queue-item]', { hasText: 'Данные карты скомпрометированы' }).waitFor();
  });

  it('shows a Russian-speaking operator the categories by their Russian names', async () => {
    await bob.locator('[data-testid=queue-item]', { hasText: 'Данные карты скомпрометированы' }).click();
    await bob.waitForSelector('#conversation:not([hidden])');
    const selected = bob.locator('[data-testid=category] option:checked');
    await expect.poll(() => selected.textContent()).toBe('Данные карты скомпрометированы');
    expect(await selected.getAttribute('value')).toBe('compromised_card');
  });

  it('draws the stats page', async () => {
    await ann.click('nav button[data-view=stats]');
    await ann.locator('#stats svg.chart').first().waitFor();
    expect(await ann.locator('#stats section').count()).toBeGreaterThanOrEqual(5);
    await ann.screenshot({ path: `${ARTIFACTS}/console-stats.png` });
  });

  // --- the bugs and the team features -------------------------------------------

  let update = 7100;
  const conversationOf = (text: string): number =>
    rows(gw, 'SELECT conversation_id AS id FROM messages WHERE text = ? ORDER BY id DESC LIMIT 1', text)[0]
      .id;
  const row = (page: Page, id: number) => page.locator(`[data-testid=queue-item][data-conversation="${id}"]`);

  /** A customer writes on Telegram; resolves with the conversation id once Ann's queue shows it. */
  async function customerWrites(chatId: number, text: string): Promise<number> {
    await postTelegram(gw, telegramMessage(update++, text, { chatId }));
    const id = await waitFor(() =>
      rows(gw, 'SELECT 1 FROM messages WHERE text = ?', text).length > 0 ? conversationOf(text) : undefined,
    );
    await waitFor(
      () =>
        rows(gw, "SELECT 1 FROM conversations WHERE id = ? AND status IN ('queued', 'assigned')", id).length >
        0,
    );
    return id;
  }

  async function openIn(page: Page, id: number) {
    await page.click('nav button[data-view=queue]');
    await row(page, id).click();
    await page.waitForSelector(`#conversation:not([hidden])`);
    await poll(() => page.textContent('#conv-title')).toContain(`#${id}`);
  }

  it('lists sensitive categories first and draws each confidence bar to scale under the strict CSP', async () => {
    await ann.click('nav button[data-view=queue]');
    const unsure = await customerWrites(711, 'how do I change my address');
    const fraud = await customerWrites(712, 'someone stole my card at the airport');
    await row(ann, unsure).waitFor();
    await row(ann, fraud).waitFor();
    const order = await ann
      .locator('[data-testid=queue-item]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-conversation'))));
    expect(order.indexOf(fraud)).toBeLessThan(order.indexOf(unsure));
    const ratio = (id: number) =>
      row(ann, id)
        .locator('.bar')
        .evaluate(
          (bar) => bar.lastElementChild!.getBoundingClientRect().width / bar.getBoundingClientRect().width,
        );
    expect(await ratio(unsure)).toBeCloseTo(0.2, 2);
    expect(await ratio(fraud)).toBeCloseTo(0.95, 2);
    expect(cspViolations).toEqual([]);
  });

  it('follows a new customer message in the open conversation: category, confidence, suggestions', async () => {
    const id = await customerWrites(721, 'someone stole my card on the bus');
    await row(ann, id).waitFor();
    await openIn(ann, id);
    await poll(() => ann.textContent('[data-testid=classification]')).toBe(
      'Lost or stolen card · confidence 95%',
    );
    // Taken, so the bot stays silent and the conversation stays with Ann.
    await ann.click('#take');
    await poll(() => ann.textContent('[data-testid=conv-status]')).toBe('yours');
    await postTelegram(gw, telegramMessage(update++, 'and which exchange rate do you use', { chatId: 721 }));
    await ann.locator('[data-testid=message]', { hasText: 'which exchange rate do you use' }).waitFor();
    await poll(() => ann.textContent('[data-testid=classification]')).toBe('Exchange rate · confidence 95%');
    await poll(() => ann.locator('[data-testid=suggestion]').first().textContent()).toContain(
      'We use the interbank exchange rate',
    );
    expect(await ann.inputValue('[data-testid=category]')).toBe('exchange_rate');
  });

  it('says Resolve happened, and shows the message that reopens a conversation in it and in its row', async () => {
    const id = conversationOf('someone stole my card on the bus');
    await ann.click('#resolve');
    await ann.locator('[data-testid=toast]', { hasText: 'Resolved.' }).waitFor();
    await ann.waitForSelector('#conversation', { state: 'hidden' });
    await ann.evaluate('history.back()');
    await ann.waitForSelector('#read-only:not([hidden])');
    expect(await ann.textContent('[data-testid=conv-status]')).toBe('resolved');
    const res = await postTelegram(gw, telegramMessage(update++, 'they stole my phone too', { chatId: 721 }));
    expect(res.status).toBe(200);
    await waitFor(() => rows(gw, "SELECT 1 FROM messages WHERE text = 'they stole my phone too'").length > 0);
    await ann.locator('[data-testid=message]', { hasText: 'they stole my phone too' }).waitFor();
    await poll(() => ann.textContent('[data-testid=conv-status]')).toBe('waiting');
    await poll(() => row(ann, id).locator('.line').textContent()).toBe('they stole my phone too');
    await poll(() => row(ann, id).locator('.wait').textContent()).toMatch(/^\d+ s$/);
  });

  it('says Hand back happened, and asks before taking a conversation from the bot', async () => {
    const id = conversationOf('they stole my phone too');
    await ann.click('#hand-back');
    await ann.locator('[data-testid=toast]', { hasText: 'Handed back to the bot.' }).waitFor();
    // A URL per conversation: straight to it after a reload.
    await ann.goto(`${gw.url}/console#/c/${id}`);
    await poll(() => ann.textContent('[data-testid=conv-status]')).toBe('with the bot');
    await ann.click('#take');
    await ann
      .locator('[data-testid=confirm]', { hasText: 'The bot is handling this conversation' })
      .waitFor();
    await ann.click('#confirm-no');
    expect(rows(gw, 'SELECT status FROM conversations WHERE id = ?', id)[0].status).toBe('bot');
    await ann.click('#take');
    await ann.click('#confirm-yes');
    await poll(() => ann.textContent('[data-testid=conv-status]')).toBe('yours');
    expect(
      rows(gw, 'SELECT assigned_operator FROM conversations WHERE id = ?', id)[0].assigned_operator,
    ).toBe('ann');
  });

  it('shows Bob, in the Russian he chose, that Ann owns it; refuses him in words; tells him of a transfer', async () => {
    const id = conversationOf('they stole my phone too');
    await bob.reload();
    await bob.waitForSelector('#live[data-state=live]');
    expect(await bob.textContent('#live')).toBe('онлайн');
    await openIn(bob, id);
    expect(await bob.textContent('[data-testid=conv-status]')).toBe('взял(а) ann');
    expect(await bob.isDisabled('#resolve')).toBe(true);
    expect(await bob.isDisabled('#send')).toBe(true);
    await bob.evaluate(BLUR);
    await bob.keyboard.press('t');
    await bob.locator('[data-testid=toast]', { hasText: 'Диалог уже взял(а) ann.' }).waitFor();
    expect(await bob.locator('[data-testid=category] option[value=lost_or_stolen_card]').textContent()).toBe(
      'Утеря или кража карты',
    );
    await ann.selectOption('[data-testid=assign-to]', 'bob');
    await ann.click('#assign');
    await bob.locator('[data-testid=toast]', { hasText: `ann передал(а) вам диалог №${id}.` }).waitFor();
    await poll(() => bob.textContent('[data-testid=conv-status]')).toBe('ваш');
    expect(await bob.isDisabled('#resolve')).toBe(false);
    await bob.fill('#editor', 'Мы заблокировали карту и телефон, новая карта уже в пути.');
    await bob.click('#send');
    await bob.locator('[data-testid=toast]', { hasText: 'Ответ поставлен в очередь на отправку.' }).waitFor();
    await waitFor(() =>
      standIn.requests.find(
        (r) => r.body?.chat_id === 721 && String(r.body.text).startsWith('Мы заблокировали'),
      ),
    );
    await bob.locator('[data-testid=offer-kb]', { hasText: 'Добавить его в базу знаний' }).waitFor();
    await bob.click('#offer-kb-no');
    // Bob hands the conversation back to Ann (a transfer), and she is told.
    await bob.selectOption('[data-testid=assign-to]', 'ann');
    await bob.click('#assign');
    await ann
      .locator('[data-testid=toast]', { hasText: `bob assigned conversation #${id} to you.` })
      .waitFor();
  });

  it('counts characters, says a too-long reply plainly, and keeps toasts clear of Send', async () => {
    const id = await customerWrites(741, 'someone stole my card in a taxi');
    await row(ann, id).waitFor();
    await openIn(ann, id);
    await ann.fill('#editor', 'x'.repeat(4010));
    expect(await ann.textContent('[data-testid=counter]')).toBe('4010 / 4000');
    expect(await ann.getAttribute('[data-testid=counter]', 'class')).toContain('over');
    await ann.click('#send');
    const toast = ann.locator('[data-testid=toast]', { hasText: 'The reply is 10 characters too long.' });
    await toast.waitFor();
    const [a, b] = [await toast.boundingBox(), await ann.locator('#send').boundingBox()];
    const overlap =
      a!.x < b!.x + b!.width && b!.x < a!.x + a!.width && a!.y < b!.y + b!.height && b!.y < a!.y + a!.height;
    expect(overlap).toBe(false);
    await ann.fill('#editor', '');
  });

  it('handles a conversation from the queue to resolved with the keyboard alone', async () => {
    const id = await customerWrites(751, 'someone stole my purse with the card');
    await row(ann, id).waitFor();
    await ann.evaluate(BLUR);
    await ann.keyboard.press('?');
    await ann.locator('[data-testid=help]', { hasText: 'Keyboard shortcuts' }).waitFor();
    await ann.keyboard.press('Escape');
    for (let i = 0; i < 20 && !ann.url().endsWith(`#/c/${id}`); i++) {
      await ann.keyboard.press('j');
      await ann.waitForTimeout(150);
    }
    expect(ann.url()).toMatch(new RegExp(`#/c/${id}$`));
    await poll(() => ann.textContent('#conv-title')).toContain(`#${id}`);
    await ann.keyboard.press('t');
    await poll(() => ann.textContent('[data-testid=conv-status]')).toBe('yours');
    await ann.keyboard.press('1');
    expect(await ann.inputValue('#editor')).toBe('Freeze the card in the app at once, then order a new one.');
    await ann.keyboard.press('Control+Enter');
    await waitFor(() =>
      standIn.requests.find((r) => r.path.endsWith('/sendMessage') && r.body.chat_id === 751),
    );
    await ann.evaluate(BLUR);
    await ann.keyboard.press('r');
    await ann.locator('[data-testid=toast]', { hasText: 'Resolved.' }).last().waitFor();
    expect(rows(gw, 'SELECT status FROM conversations WHERE id = ?', id)[0].status).toBe('resolved');
  });

  it('keeps the open conversation and its draft over a reload, and back/forward move between conversations', async () => {
    const first = await customerWrites(761, 'someone stole my card from my bag');
    const second = await customerWrites(762, 'someone stole my card from my car');
    await row(ann, second).waitFor();
    await openIn(ann, first);
    await ann.fill('#editor', 'We are blocking the card now');
    await openIn(ann, second);
    await ann.reload();
    await poll(() => ann.textContent('#conv-title')).toContain(`#${second}`);
    await ann.goBack();
    await poll(() => ann.textContent('#conv-title')).toContain(`#${first}`);
    expect(await ann.inputValue('#editor')).toBe('We are blocking the card now');
    await ann.goForward();
    await poll(() => ann.textContent('#conv-title')).toContain(`#${second}`);
  });

  it('shows each operator their own view, filters by queue, and turns a row amber before its SLA breaches', async () => {
    const mine = conversationOf('someone stole my purse with the card');
    const waiting = conversationOf('someone stole my card from my car');
    await ann.click('[data-queue-view=mine]');
    await poll(() => row(ann, waiting).count()).toBe(0);
    await ann.click('[data-queue-view=unassigned]');
    await row(ann, waiting).waitFor();
    expect(await row(ann, mine).count()).toBe(0);
    await ann.selectOption('[data-testid=filter-queue]', 'cards');
    await poll(() => row(ann, waiting).count()).toBe(0);
    await ann.selectOption('[data-testid=filter-queue]', 'security');
    await row(ann, waiting).waitFor();
    await ann.click('[data-queue-view=all]');
    // A supervisor three minutes later: the security queue's SLA is 5 minutes.
    const cleo = await (await browser.newContext({ viewport: { width: 1366, height: 800 } })).newPage();
    await cleo.clock.setFixedTime(Date.now() + 3 * 60_000);
    await signIn(cleo, 'cleo');
    await poll(() => row(cleo, waiting).getAttribute('data-sla')).toBe('warn');
    expect(await row(cleo, waiting).locator('[data-testid=sla]').textContent()).toMatch(/^SLA [12] min$/);
    expect(
      await row(cleo, waiting).evaluate(
        (e) => e.ownerDocument.defaultView!.getComputedStyle(e).backgroundColor,
      ),
    ).toBe('rgb(255, 248, 225)');
    await cleo.screenshot({ path: `${ARTIFACTS}/readme-queue.png` });
    await openIn(cleo, conversationOf('someone stole my card in a taxi'));
    expect(await cleo.isDisabled('#resolve')).toBe(false);
    await cleo.screenshot({ path: `${ARTIFACTS}/readme-conversation.png` });
    await cleo.close();
  });

  it('finds a resolved conversation, keeps notes from colleagues, and inserts knowledge-base and saved replies', async () => {
    const resolved = conversationOf('someone stole my purse with the card');
    await ann.click('nav button[data-view=queue]');
    await ann.fill('[data-testid=search]', 'purse with the card');
    await ann.press('[data-testid=search]', 'Enter');
    await ann.locator(`[data-testid=search-item][data-conversation="${resolved}"]`).click();
    await poll(() => ann.textContent('#conv-title')).toContain(`#${resolved}`);
    expect(await ann.textContent('[data-testid=conv-status]')).toBe('resolved');
    expect(await ann.isVisible('#read-only')).toBe(true);

    const id = conversationOf('someone stole my card from my bag');
    await ann.click('text=Back to the queue');
    await openIn(ann, id);
    await openIn(bob, id);
    await ann.fill('[data-testid=note]', 'Customer is abroad until Friday.');
    await ann.click('#note-form button[type=submit]');
    await bob.locator('[data-testid=note-item]', { hasText: 'Customer is abroad until Friday.' }).waitFor();
    expect(standIn.requests.some((r) => String(r.body?.text ?? '').includes('abroad until Friday'))).toBe(
      false,
    );

    await ann.fill('#editor', '/freeze order');
    await ann.press('#editor', 'Enter');
    await ann.locator('[data-testid=canned-item]', { hasText: 'Freeze the card in the app at once' }).click();
    expect(await ann.inputValue('#editor')).toBe('Freeze the card in the app at once, then order a new one.');

    await ann.fill('#editor', 'Your bag card is blocked; a new one is on its way to your home address.');
    await ann.click('#save-reply');
    await ann.fill('#prompt-input', 'Bag theft');
    await ann.press('#prompt-input', 'Enter');
    await ann.locator('[data-testid=toast]', { hasText: 'Reply saved.' }).waitFor();
    await ann.click('#send');
    await ann.locator('[data-testid=offer-kb]').waitFor();
    await ann.click('#offer-kb-yes');
    await ann.locator('[data-testid=toast]', { hasText: 'Added to the knowledge base' }).waitFor();
    const [answer] = rows(
      gw,
      'SELECT category, language FROM kb_answers WHERE text LIKE ?',
      'Your bag card is blocked%',
    );
    expect(answer).toEqual({ category: 'lost_or_stolen_card', language: 'en' });
    await ann.fill('#editor', '/bag');
    await ann.press('#editor', 'Enter');
    // The saved reply and the new answer, both with the words of the search.
    await poll(() =>
      ann.locator('[data-testid=canned-item]').evaluateAll((els) => els.map((e) => e.textContent)),
    ).toEqual([
      'savedBag theftYour bag card is blocked; a new one is on its way to your home address.',
      'knowledge baseYour bag card is blocked; a new one is on its way to your home address.',
    ]);
    await ann.fill('#editor', '');
  });

  it('marks a conversation with a new customer message unread and counts it in the tab title', async () => {
    await bob.click('nav button[data-view=queue]');
    const id = conversationOf('someone stole my card from my car');
    await postTelegram(gw, telegramMessage(update++, 'any news about my card?', { chatId: 762 }));
    await row(bob, id).locator('[data-testid=unread]').waitFor();
    await poll(() => row(bob, id).locator('.line').textContent()).toBe('any news about my card?');
    await poll(() => bob.title()).toMatch(/^\(\d+\) Консоль neurodesk$/);
    await row(bob, id).click();
    await poll(() => row(bob, id).locator('[data-testid=unread]').count()).toBe(0);
  });

  it('draws the stats page in Russian with every label inside its chart', async () => {
    await bob.click('nav button[data-view=stats]');
    await bob.locator('#stats svg.chart').first().waitFor();
    const clipped = await bob
      .locator('#stats .chart-label')
      .evaluateAll((els) =>
        els
          .filter((e) => (e as unknown as { getBBox(): { x: number } }).getBBox().x < 0)
          .map((e) => e.textContent),
      );
    expect(clipped).toEqual([]);
    const text = await bob.textContent('#stats');
    expect(text).toContain('Утеря или кража карты');
    if (text?.includes('Задержка')) expect(text).toContain('медиана');
  });
});
