import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { sqliteDatabaseOf } from '../../src/store/sqlite.js';
import { chromiumOrExplain, launchChromium } from '../helpers/browser.js';
import { tempDir } from '../helpers/config.js';
import { OPERATORS, operatorsConfig } from '../helpers/console-client.js';
import { rows, startTestGateway } from '../helpers/gateway.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

const ARTIFACTS = 'test-artifacts';
const executable = chromiumOrExplain();

/** A copy of the shipped bots whose chat admits `origin`. */
function botsAllowing(origin: string): string {
  const dir = tempDir('neurodesk-bots-');
  cpSync('bots', dir, { recursive: true });
  const file = join(dir, 'bank-support.json');
  const bot = JSON.parse(readFileSync(file, 'utf8'));
  bot.channels.chat.allowedOrigins = [origin];
  writeFileSync(file, JSON.stringify(bot));
  return dir;
}

/**
 * A shop's own site on another origin: a product page with the widget's stub and tag as a shop
 * writes them, under a strict CSP that names the desk's host.
 */
async function startShopSite(desk: () => string) {
  const server = createServer((req, res) => {
    const deskUrl = desk();
    const csp = `default-src 'self'; script-src 'self' ${deskUrl}; connect-src ${deskUrl.replace('http', 'ws')}`;
    if (req.url === '/stub.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(
        "window.neurodesk = window.neurodesk || function () { (neurodesk.q = neurodesk.q || []).push(arguments); };\nneurodesk('open');",
      );
      return;
    }
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader('content-security-policy', csp);
    res.end(`<!doctype html><html lang="en"><body><h1>White hanging heart</h1>
<script src="/stub.js"></script>
<script src="${deskUrl}/widget.js" data-bot="bank-support" data-product-id="85123A"
  data-product-url="javascript:alert(1)//{id}" data-currency="NOPE" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// The demo shop as a customer meets it: the real nets and knowledge base, the demo catalogue,
// the page served through a proxy the test can cut, and an operator in the console.
describe.skipIf(!executable)('chat widget on the demo shop, in a real browser', () => {
  let gw: Gateway;
  let proxy: TcpProxy;
  let browser: Browser;
  let shopper: BrowserContext;
  let customer: Page;
  let operator: Page;
  let shop: { url: string; close(): Promise<void> };
  let shopUrl: string;
  const violations: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    shop = await startShopSite(() => proxy.url);
    shopUrl = shop.url;
    gw = await startTestGateway({
      nets: 'default',
      config: {
        NEURODESK_CONSOLE_OPERATORS: await operatorsConfig(),
        NEURODESK_SHOP_DEMO: 'on',
        NEURODESK_DEMO_PAGE: 'on',
        NEURODESK_BOTS_DIR: botsAllowing(shopUrl),
      },
    });
    await gw.shop.ready;
    sqliteDatabaseOf(gw.store).prepare("UPDATE operators SET name = 'Ann Smith' WHERE login = 'ann'").run();
    proxy = await TcpProxy.start(gw.url);
    browser = await launchChromium(executable!);
    shopper = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
    customer = await shopper.newPage();
    customer.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    operator = await (
      await browser.newContext({ viewport: { width: 1366, height: 800 }, locale: 'en-US' })
    ).newPage();
  }, 90_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    const name = ctx.task.name.replace(/\W+/g, '-').slice(0, 60);
    for (const [who, page] of [
      ['customer', customer],
      ['operator', operator],
    ] as const) {
      await page?.screenshot({ path: `${ARTIFACTS}/widget-${name}-${who}.png` }).catch(() => {});
    }
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await gw?.close();
    await shop?.close();
  });

  const widget = (page: Page) => page.locator('#neurodesk-widget');
  const messages = (page: Page) => widget(page).locator('[data-testid=message]');
  const say = async (page: Page, text: string) => {
    await widget(page).locator('textarea').fill(text);
    await widget(page).locator('textarea').press('Enter');
  };
  /** The texts of the widget's messages, in order. */
  const transcript = (page: Page) => messages(page).allTextContents();
  const countOf = (lines: string[], part: string) => lines.filter((l) => l.includes(part)).length;

  it('answers a question by itself on a product page, with product cards and "did this help?"', async () => {
    await customer.goto(`${proxy.url}/demo`);
    await customer.locator('[data-testid=products] a').first().click();
    await customer.locator('[data-testid=product]').waitFor();
    await customer.locator('[data-testid=bought-together] a').first().waitFor();
    await widget(customer).locator('[data-testid=launcher]').click();
    await messages(customer).filter({ hasText: "I am the bank's support assistant" }).waitFor();

    await say(customer, 'How do I change my PIN?');
    const answer = messages(customer).filter({ hasText: 'Change PIN' });
    await answer.waitFor({ timeout: 15_000 });
    await widget(customer).locator('[data-testid=product-card]').first().waitFor();
    const card = widget(customer).locator('a[data-testid=product-card]').first();
    expect(await card.getAttribute('href')).toMatch(/\/demo\/products\/[^/]+$/);
    await answer.locator('[data-testid=helped-yes]').click();
    await answer.filter({ hasText: 'Glad it helped!' }).waitFor();
    expect(violations).toEqual([]);
  });

  it('hands a question to a person, whose reply and typing arrive live with their name', async () => {
    await say(customer, 'someone stole my card yesterday, please help');
    await messages(customer).filter({ hasText: 'passing your question' }).waitFor({ timeout: 15_000 });

    await operator.goto(`${gw.url}/console`);
    await operator.fill('input[name=login]', 'ann');
    await operator.fill('input[name=password]', OPERATORS.ann);
    await operator.click('button[type=submit]');
    // The queue shows the conversation by its latest line: the question handed to a person.
    await operator
      .locator('[data-testid=queue-item]', { hasText: 'someone stole my card yesterday' })
      .click();
    await operator.waitForSelector('#conversation:not([hidden])');
    await operator.click('#take');

    // Typing, both ways.
    await operator.fill('#editor', 'Hello');
    await operator.locator('#editor').press('!');
    await widget(customer).locator('[data-testid=typing]', { hasText: 'Ann Smith is typing' }).waitFor();
    await widget(customer).locator('textarea').pressSequentially('It was', { delay: 20 });
    await operator.locator('[data-testid=customer-typing]').waitFor({ state: 'visible' });
    await widget(customer).locator('textarea').fill('');

    // A reply with markup shows as the text it is.
    await operator.fill('#editor', 'I have blocked the card. <b>Order a new one</b> in the app.');
    await operator.click('#send');
    const reply = messages(customer).filter({ hasText: 'I have blocked the card.' });
    await reply.waitFor();
    expect(await reply.textContent()).toContain('Ann Smith');
    expect(await reply.textContent()).toContain('<b>Order a new one</b>');
    expect(await reply.locator('b').count()).toBe(0);
  });

  it('resumes after the connection drops, with nothing lost and nothing shown twice', async () => {
    proxy.down();
    proxy.cut();
    await widget(customer).locator('[data-testid=state]', { hasText: 'reconnecting' }).waitFor();
    // While the customer is away: the operator answers, and the customer writes.
    await operator.fill('#editor', 'Your new card is on its way.');
    await operator.click('#send');
    await operator.locator('[data-testid=message]', { hasText: 'Your new card is on its way.' }).waitFor();
    await say(customer, 'Thank you, when will it arrive?');
    proxy.up();

    await messages(customer).filter({ hasText: 'Your new card is on its way.' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => widget(customer).locator('[data-testid=state]').textContent()).toBe('');
    await operator.locator('[data-testid=message]', { hasText: 'when will it arrive?' }).waitFor();
    const lines = await transcript(customer);
    expect(countOf(lines, 'Your new card is on its way.')).toBe(1);
    expect(countOf(lines, 'when will it arrive?')).toBe(1);
    expect(countOf(lines, 'I have blocked the card.')).toBe(1);
    // In the conversation's order: the reply sent while away comes before the customer's later message.
    const order = (part: string) => lines.findIndex((l) => l.includes(part));
    expect(order('Your new card is on its way.')).toBeLessThan(order('when will it arrive?'));
    expect(await widget(customer).locator('.msg.pending').count()).toBe(0);
    const stored = rows(gw, "SELECT id FROM messages WHERE text = 'Thank you, when will it arrive?'");
    expect(stored).toHaveLength(1);
  });

  it('continues the same conversation on another product page', async () => {
    const before = await transcript(customer);
    await customer.locator('[data-testid=also-like] a').first().click();
    await customer.locator('[data-testid=product]').waitFor();
    await messages(customer)
      .nth(before.length - 1)
      .waitFor();
    expect(await transcript(customer)).toEqual(before);

    await say(customer, 'One more question on this page');
    await operator.locator('[data-testid=message]', { hasText: 'One more question on this page' }).waitFor();
    const chats = rows(gw, "SELECT DISTINCT conversation_id FROM messages WHERE channel = 'chat'");
    expect(chats).toHaveLength(1);
  });

  it('counts replies on the bubble while the panel is closed', async () => {
    await widget(customer).locator('[data-testid=close]').click();
    await operator.fill('#editor', 'Anything else I can help with?');
    await operator.click('#send');
    await widget(customer).locator('[data-testid=unread]', { hasText: '1' }).waitFor();
    await customer.screenshot({ path: `${ARTIFACTS}/widget-unread.png` });
    await widget(customer).locator('[data-testid=launcher]').click();
    await expect.poll(() => widget(customer).locator('[data-testid=unread]').isVisible()).toBe(false);
  });

  it("works on a shop's own site when the bot lists its origin, and only then", async () => {
    const page = await (await browser.newContext()).newPage();
    const refusals: string[] = [];
    page.on('console', (m) => {
      if (/403/.test(m.text())) refusals.push(m.text());
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    // Not listed: localhost is another origin than 127.0.0.1. The upgrade is refused.
    await page.goto(`${shopUrl.replace('127.0.0.1', 'localhost')}/item`);
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    expect(await messages(page).count()).toBe(0);

    // Listed: the stub's queued call opens the panel; the page's product is attached; the card's
    // javascript: link is dropped, the bad currency code shrugged off.
    await page.goto(`${shopUrl}/item`);
    await widget(page).locator('[data-testid=panel]').waitFor();
    await say(page, 'How do I change my PIN?');
    const card = widget(page).locator('[data-testid=product-card]').first();
    await card.waitFor({ timeout: 15_000 });
    expect(await card.getAttribute('href')).toBeNull();
    expect(await card.textContent()).toMatch(/\d\.\d\d$/);
    // A product id the chat would refuse is left out rather than losing the message.
    await page.evaluate("neurodesk('product', '../etc')");
    await say(page, 'And what about my card limits?');
    await expect.poll(() => widget(page).locator('.msg.pending').count()).toBe(0);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('speaks Russian on a Russian page, under the same strict CSP', async () => {
    const ru = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    const seen: string[] = [];
    ru.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
    });
    const res = await ru.goto(`${proxy.url}/demo?lang=ru`);
    expect(res?.headers()['content-security-policy']).toMatch(/^default-src 'self'/);
    await widget(ru).locator('[data-testid=launcher]').click();
    expect(await widget(ru).locator('.title').textContent()).toBe('Поддержка');
    await messages(ru).filter({ hasText: 'Здравствуйте' }).waitFor();
    await say(ru, 'у меня украли карту, что делать?');
    await messages(ru).filter({ hasText: 'Передаю ваш вопрос сотруднику' }).waitFor({ timeout: 15_000 });
    expect(seen).toEqual([]);
    await ru.close();
  });
});
