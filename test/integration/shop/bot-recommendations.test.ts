import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/server.js';
import { authHeaders, tempDir } from '../../helpers/config.js';
import { rows, startTestGateway } from '../../helpers/gateway.js';
import {
  bitrixInstall,
  bitrixMessage,
  postBitrix,
  postTelegram,
  telegramCallback,
  telegramMessage,
} from '../../helpers/platforms.js';
import { PlatformStandIn } from '../../helpers/stand-in.js';
import { sleep } from '../../helpers/wait.js';
import { ChatClient } from '../../helpers/ws-client.js';
import { orders, PRODUCTS } from './hand-made-shop.js';

// The default bot with the shop switched on: products attached to replies about a product.
const botsDir = tempDir('neurodesk-bots-');
cpSync('bots', botsDir, { recursive: true });
const botFile = join(botsDir, 'bank-support.json');
writeFileSync(
  botFile,
  JSON.stringify({ ...JSON.parse(readFileSync(botFile, 'utf8')), shop: { enabled: true, k: 2 } }, null, 2),
);

// The soundbar has a page and a picture of its own; the HDMI cable does not.
const CATALOGUE = PRODUCTS.map((p) =>
  p.id === 'soundbar'
    ? {
        ...p,
        url: 'https://shop.example/soundbar',
        attributes: { image: 'https://shop.example/soundbar.jpg' },
      }
    : p,
);

let standIn: PlatformStandIn;
let gw: Gateway;
let endpoint: string;

const shopPost = async (path: string, body: unknown) => {
  const res = await fetch(`${gw.url}/api/v1/shop${path}`, {
    method: 'POST',
    headers: { ...authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
};

beforeAll(async () => {
  standIn = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 77 } } }));
  endpoint = `${standIn.url}/rest/`;
  gw = await startTestGateway({ standIn, config: { NEURODESK_BOTS_DIR: botsDir } });
  await gw.shop.ready;
  await shopPost('/products', { products: CATALOGUE });
  await shopPost('/events', { events: orders(Date.now()) });
  await shopPost('/models/rebuild', {});
  expect((await postBitrix(gw, bitrixInstall(endpoint))).status).toBe(200);
});
afterAll(async () => {
  await gw.close();
  await standIn.close();
});

const sentTo = (chatId: number) =>
  standIn.requests.filter((r) => r.path.endsWith('/sendMessage') && r.body?.chat_id === chatId);

describe('a bot attaching shop recommendations', () => {
  it('answers a Telegram question about a product with what is bought with it, as buttons', async () => {
    const res = await postTelegram(
      gw,
      telegramMessage(9101, 'Is the Smart TV 55 inch in stock?', { chatId: 901 }),
    );
    expect(res.status).toBe(200);
    const products = await standIn.waitForAccepted(
      (r) => r.body?.chat_id === 901 && r.body?.text === 'Often bought with Smart TV 55 inch:',
    );
    expect(products.body.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: 'HDMI cable 2 m — 9.90', callback_data: 'product:hdmi' }],
        [{ text: 'Soundbar with subwoofer — 199.00', url: 'https://shop.example/soundbar' }],
      ],
    });
    // The bot's own reply goes out first, the products after it.
    const texts = sentTo(901).map((r) => r.body.text);
    expect(texts.indexOf('Often bought with Smart TV 55 inch:')).toBe(texts.length - 1);
    expect(texts.length).toBeGreaterThanOrEqual(2);
  });

  it('shows what goes with a product when its button is pressed, without a new ticket', async () => {
    const before = rows(gw, "SELECT id FROM conversations WHERE status = 'queued'").length;
    const res = await postTelegram(gw, telegramCallback(9102, 'product:hdmi', 901));
    expect(res.status).toBe(200);
    const answer = await standIn.waitForAccepted(
      (r) => r.body?.chat_id === 901 && r.body?.text === 'Often bought with HDMI cable 2 m:',
    );
    expect(answer.body.reply_markup.inline_keyboard[0][0]).toEqual({
      text: 'Smart TV 55 inch — 499.00',
      callback_data: 'product:tv',
    });
    await standIn.waitForAccepted(
      (r) => r.path.endsWith('/answerCallbackQuery') && r.body.callback_query_id === '4382bfdwdsb323b2d99102',
    );
    expect(rows(gw, "SELECT id FROM conversations WHERE status = 'queued'").length).toBe(before);
  });

  it('attaches nothing when the message is not about a product', async () => {
    await postTelegram(gw, telegramMessage(9103, 'someone stole my card yesterday', { chatId: 902 }));
    await standIn.waitForAccepted((r) => r.body?.chat_id === 902);
    await sleep(300);
    expect(sentTo(902).map((r) => r.body.text)).not.toContainEqual(expect.stringMatching(/Often bought/));
  });

  it('sends the products to Bitrix24 as an attachment: a link card, a title and price row', async () => {
    const res = await postBitrix(gw, bitrixMessage(endpoint, 771, 'Do you deliver the Smart TV 55 inch?'));
    expect(res.status).toBe(200);
    const call = await standIn.waitForAccepted(
      (r) =>
        r.path === '/rest/imbot.message.add' && r.body?.MESSAGE === 'Often bought with Smart TV 55 inch:',
    );
    expect(call.body.ATTACH).toEqual([
      { GRID: [{ DISPLAY: 'ROW', NAME: 'HDMI cable 2 m', VALUE: '9.90' }] },
      { LINK: { NAME: 'Soundbar with subwoofer', DESC: '199.00', LINK: 'https://shop.example/soundbar' } },
    ]);
  });

  it('keeps the products in the conversation history operators read', async () => {
    const [m] = rows(
      gw,
      "SELECT text FROM messages WHERE direction = 'out' AND text LIKE 'Often bought with Smart TV%' LIMIT 1",
    );
    expect(m.text).toBe(
      'Often bought with Smart TV 55 inch:\n• HDMI cable 2 m — 9.90\n• Soundbar with subwoofer — 199.00 https://shop.example/soundbar',
    );
  });

  it('gives the chat widget the products of the page it is on, and their buttons', async () => {
    const c = await ChatClient.connect(`${gw.url.replace('http', 'ws')}/ws/chat?bot=bank-support`);
    await c.next(); // ready
    await c.next(); // greeting
    c.send({ type: 'message', id: 'p1', text: 'How long does delivery take?', product_id: 'tv' });
    expect(await c.next()).toMatchObject({ type: 'ack', id: 'p1' });
    let frame = await c.next();
    while (frame.type === 'message' && !frame.products) frame = await c.next();
    expect(frame).toMatchObject({
      type: 'message',
      author: 'bot',
      text: 'Often bought with Smart TV 55 inch:',
      products: [
        { id: 'hdmi', title: 'HDMI cable 2 m', url: null, price: 9.9 },
        {
          id: 'soundbar',
          title: 'Soundbar with subwoofer',
          url: 'https://shop.example/soundbar',
          price: 199,
          image: 'https://shop.example/soundbar.jpg',
        },
      ],
      buttons: [
        { text: 'HDMI cable 2 m', action: 'product:hdmi' },
        { text: 'Soundbar with subwoofer', action: 'product:soundbar' },
      ],
    });
    c.send({ type: 'message', id: 'p2', text: 'thanks', product_id: '../etc/passwd' });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'validation_failed' });
    await c.close();
  });

  it('brings the product cards back as they were sent when the widget resumes', async () => {
    const url = `${gw.url.replace('http', 'ws')}/ws/chat?bot=bank-support`;
    const c = await ChatClient.connect(url);
    const { conversation } = await c.next();
    await c.next(); // greeting
    c.send({ type: 'message', id: 'r1', text: 'Does it come with a warranty?', product_id: 'tv' });
    const ack = await c.next();
    let pushed = await c.next();
    while (!pushed.products) pushed = await c.next();
    await c.close();

    const back = await ChatClient.connect(`${url}&conversation=${conversation}&after=0`);
    expect(await back.next()).toMatchObject({ type: 'ready', resumed: true });
    const { messages } = await back.next();
    expect(messages[0]).toMatchObject({ id: ack.message_id, author: 'customer', client_id: 'r1' });
    const cards = messages.find((m: { products?: unknown }) => m.products);
    expect(cards).toMatchObject({
      id: pushed.id,
      text: pushed.text,
      products: pushed.products,
      buttons: pushed.buttons,
    });
    await back.close();
  });
});
