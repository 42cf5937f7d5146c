import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { CHANNEL_ENV, counts, row, settledCounts, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import { postVk, vkConfirmation, vkMessageNew } from '../helpers/platforms.js';
import type { ReceivedRequest } from '../helpers/stand-in.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep, waitFor } from '../helpers/wait.js';

// The fake VK API: messages.send answers the new message's id, except that the first call
// for peer 541290003 fails (503) so that the retry can be seen.
let vkApi: PlatformStandIn;
let gw: Gateway;
let nextId = 900;
let failedOnce = false;
const form = (r: ReceivedRequest) => new URLSearchParams(String(r.body));
const sendsTo = (peer: number) =>
  vkApi.requests.filter((r) => r.path === '/vk/messages.send' && form(r).get('peer_id') === String(peer));

beforeAll(async () => {
  vkApi = await PlatformStandIn.start((r) => {
    if (!failedOnce && form(r).get('peer_id') === '541290003') {
      failedOnce = true;
      return { status: 503, body: { error: { error_code: 10, error_msg: 'Internal server error' } } };
    }
    return { body: { response: ++nextId } };
  });
  gw = await startTestGateway({ standIn: vkApi });
});
afterAll(async () => {
  await gw.close();
  await vkApi.close();
});

describe('vk callback api', () => {
  it('answers the confirmation event with the configured string, as plain text', async () => {
    const res = await postVk(gw, vkConfirmation());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe(CHANNEL_ENV.BANK_SUPPORT_VK_CONFIRMATION);
  });

  it('stores a message, answers ok, and replies with messages.send and a talk-to-a-person button', async () => {
    const res = await postVk(gw, vkMessageNew(1001, 'My card has still not arrived', { peerId: 541290001 }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    await waitFor(() => sendsTo(541290001).length === 1);
    const sent = form(sendsTo(541290001)[0]!);
    expect(sent.get('message')).toBe('Cards arrive within 3 working days; you can track yours in the app.');
    expect(sent.get('access_token')).toBe(CHANNEL_ENV.BANK_SUPPORT_VK_TOKEN);
    expect(sent.get('v')).toBe('5.199');
    expect(JSON.parse(sent.get('keyboard')!)).toEqual({
      inline: true,
      buttons: [
        [
          {
            action: { type: 'text', label: 'Talk to a person', payload: '{"action":"handoff"}' },
            color: 'secondary',
          },
        ],
      ],
    });
    // random_id is the outbox item's id: the idempotency key of the send.
    const item = row(gw, "SELECT id, status FROM outbox WHERE channel = 'vk' AND kind = 'messages.send'");
    expect(sent.get('random_id')).toBe(String(item.id));
    await waitFor(() => row(gw, 'SELECT status FROM outbox WHERE id = ?', item.id).status === 'sent');
    const m = row(
      gw,
      "SELECT m.text, c.external_chat_id, c.customer_id, c.language FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.direction = 'in' AND m.external_id = '1001'",
    );
    expect(m).toEqual({
      text: 'My card has still not arrived',
      external_chat_id: '541290001',
      customer_id: '541290001',
      language: 'en',
    });
  });

  it('answers ok to a resent event and stores and sends nothing new', async () => {
    const event = vkMessageNew(1002, 'What exchange rate do you use?', { peerId: 541290002 });
    expect(await (await postVk(gw, event)).text()).toBe('ok');
    await waitFor(() => sendsTo(541290002).length === 1);
    const before = await settledCounts(gw);
    for (let i = 0; i < 2; i++) {
      const again = await postVk(gw, event);
      expect(again.status).toBe(200);
      expect(await again.text()).toBe('ok');
    }
    await sleep(150);
    expect(counts(gw)).toEqual(before);
    expect(sendsTo(541290002)).toHaveLength(1);
  });

  it('retries a failed send with the same random_id', async () => {
    await postVk(gw, vkMessageNew(1003, 'My card has still not arrived', { peerId: 541290003 }));
    await waitFor(() => sendsTo(541290003).length === 2);
    const [first, second] = sendsTo(541290003).map(form);
    expect(first!.get('random_id')).toBe(second!.get('random_id'));
    expect(first!.get('message')).toBe(second!.get('message'));
  });

  it('hands the conversation to a person when the customer presses the button', async () => {
    await postVk(gw, vkMessageNew(1004, 'My card has still not arrived', { peerId: 541290004 }));
    await waitFor(() => sendsTo(541290004).length === 1);
    const press = vkMessageNew(1005, 'Talk to a person', {
      peerId: 541290004,
      payload: '{"action":"handoff"}',
    });
    expect(await (await postVk(gw, press)).text()).toBe('ok');
    await waitFor(() => sendsTo(541290004).length === 2);
    expect(form(sendsTo(541290004)[1]!).get('message')).toContain('passing your question');
    expect(row(gw, "SELECT status FROM conversations WHERE external_chat_id = '541290004'").status).toBe(
      'queued',
    );
  });

  it('refuses an event with a wrong or missing secret (confirmation included) and stores nothing', async () => {
    const before = await settledCounts(gw);
    for (const body of [
      vkMessageNew(1006, 'My card has still not arrived', { secret: 'not-the-secret' }),
      vkMessageNew(1007, 'My card has still not arrived', { secret: null }),
      vkConfirmation('not-the-secret'),
    ]) {
      const res = await postVk(gw, body);
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({
        error: { code: 'unauthorized', message: 'authentication required' },
      });
    }
    expect(counts(gw)).toEqual(before);
  });

  it('answers 400 to an event that is not a Callback API event', async () => {
    const res = await postVk(gw, { type: 'message_new', secret: CHANNEL_ENV.BANK_SUPPORT_VK_SECRET });
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('validation_failed');
  });
});
