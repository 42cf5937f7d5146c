import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Classification, TicketClassifier } from '../../src/core/ports.js';
import type { Gateway } from '../../src/server.js';
import { CHANNEL_ENV, counts, row, settledCounts, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import { KeywordClassifier } from '../helpers/keyword-nets.js';
import { postSlack, slackMentionTwice, slackMessage, slackUserInfo } from '../helpers/platforms.js';
import { kbAnswer } from '../helpers/real-nets.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep } from '../helpers/wait.js';

let api: PlatformStandIn;
let gw: Gateway;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  api = await PlatformStandIn.start((r) =>
    r.path === '/slack/users.info'
      ? { body: slackUserInfo(r.query.get('user') ?? '', 'Egon Spengler') }
      : { body: { ok: true, channel: r.body?.channel, ts: '1503435956.000247' } },
  );
  gw = await startTestGateway({ standIn: api, nets: 'default' });
});
afterAll(async () => {
  await gw.close();
  await api.close();
});

describe('slack events webhook', () => {
  it('answers the URL verification challenge once the request is signed', async () => {
    const challenge = {
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    };
    const ok = await postSlack(gw, challenge);
    expect(ok.status).toBe(200);
    expect(await json(ok)).toEqual({ challenge: challenge.challenge });
    expect((await postSlack(gw, challenge, { secret: 'not-the-secret' })).status).toBe(401);
  });

  it('stores a direct message once and replies with chat.postMessage and the bot token', async () => {
    const res = await postSlack(
      gw,
      slackMessage('Ev0PV52K21', 'My new card has still not arrived', { channel: 'D0000001' }),
    );
    expect(res.status).toBe(200);
    const post = await api.waitForAccepted(
      (r) => r.path === '/slack/chat.postMessage' && r.body.channel === 'D0000001',
    );
    expect(post.headers.authorization).toBe(`Bearer ${CHANNEL_ENV.BANK_SUPPORT_SLACK_BOT_TOKEN}`);
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    expect(post.body).toEqual({
      channel: 'D0000001',
      text: kbAnswer('card_arrival'),
    });
    expect(row(gw, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'in' AND channel = 'slack'").n).toBe(
      1,
    );
  });

  it('replies in the thread of a mention in a public channel', async () => {
    const mention = slackMessage('Ev0MENTION1', '<@U0BOT0001> what exchange rate do you use?', {
      channel: 'C0000002',
      channelType: 'channel',
      ts: '1700000000.000100',
    });
    mention.event.type = 'app_mention';
    await postSlack(gw, mention);
    const post = await api.waitForAccepted((r) => r.body?.channel === 'C0000002');
    expect(post.body.thread_ts).toBe('1700000000.000100');
    const m = row(
      gw,
      "SELECT text FROM messages WHERE direction = 'in' AND external_id = '1700000000.000100'",
    );
    expect(m.text).toBe('what exchange rate do you use?');
  });

  it('answers 401 and stores nothing for a wrong signature, a missing one, or a timestamp out of the window', async () => {
    const before = await settledCounts(gw);
    const body = slackMessage('Ev0BAD', 'card?');
    const attempts = [
      await postSlack(gw, body, { secret: 'wrong' }),
      await postSlack(gw, body, { signature: null }),
      await postSlack(gw, body, { timestamp: now() - 6 * 60 }),
      await postSlack(gw, body, { timestamp: now() + 6 * 60 }),
      await postSlack(gw, body, { signature: 'v0=00' }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({
        error: { code: 'unauthorized', message: 'authentication required' },
      });
    }
    expect(counts(gw)).toEqual(before);
  });

  it('acknowledges a retried event (X-Slack-Retry-Num) with 200 and stores nothing new', async () => {
    const event = slackMessage('Ev0RETRY1', 'card not arrived', { channel: 'D0000003' });
    await postSlack(gw, event);
    await api.waitForAccepted((r) => r.body?.channel === 'D0000003');
    const before = await settledCounts(gw);
    const retry = await postSlack(gw, event, { retryNum: 1 });
    expect(retry.status).toBe(200);
    await sleep(100);
    expect(counts(gw)).toEqual(before);
    expect(api.accepted().filter((r) => r.body?.channel === 'D0000003')).toHaveLength(1);
  });

  it('ignores messages from bots and with a subtype, including its own', async () => {
    const before = await settledCounts(gw);
    const own = slackMessage('Ev0OWN', 'Cards arrive within 3 working days');
    Object.assign(own.event, { bot_id: 'B0BOT', subtype: 'bot_message' });
    const edited = slackMessage('Ev0EDIT', 'card?');
    Object.assign(edited.event, { subtype: 'message_changed' });
    expect((await postSlack(gw, own)).status).toBe(200);
    expect((await postSlack(gw, edited)).status).toBe(200);
    expect(counts(gw)).toEqual(before);
  });

  it('answers 400 to malformed JSON and to an event_callback without event_id', async () => {
    const before = await settledCounts(gw);
    const broken = await postSlack(gw, '{"type":"event_callback",');
    expect(broken.status).toBe(400);
    const { event_id: _, ...noId } = slackMessage('x', 'card');
    const invalid = await postSlack(gw, noId);
    expect(invalid.status).toBe(400);
    expect((await json(invalid)).error.code).toBe('validation_failed');
    expect(counts(gw)).toEqual(before);
  });

  it('answers 400 to a signed body that is not a JSON object (unknown envelopes still get 200)', async () => {
    for (const body of ['false', '[]', '"event_callback"', 'null', '17']) {
      const res = await postSlack(gw, body);
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({
        error: { code: 'validation_failed', message: 'the body must be a JSON object' },
      });
    }
    expect((await postSlack(gw, { type: 'app_rate_limited', minute_rate_limited: 1518467820 })).status).toBe(
      200,
    );
  });
});

describe('slack customers and mentions', () => {
  it('names the customer with users.info, asked once per user', async () => {
    for (const [id, ts] of [
      ['Ev0NAME1', '1700000100.000100'],
      ['Ev0NAME2', '1700000101.000100'],
    ] as const) {
      const event = slackMessage(id, 'my card has not arrived', { channel: 'D0000021', ts });
      event.event.user = 'U0NAMED01';
      expect((await postSlack(gw, event)).status).toBe(200);
    }
    const asked = api.requests.filter((r) => r.path === '/slack/users.info');
    expect(asked.filter((r) => r.query.get('user') === 'U0NAMED01')).toHaveLength(1);
    expect(asked[0]!.headers.authorization).toBe(`Bearer ${CHANNEL_ENV.BANK_SUPPORT_SLACK_BOT_TOKEN}`);
    expect(row(gw, "SELECT customer_name FROM conversations WHERE external_chat_id = 'D0000021'")).toEqual({
      customer_name: 'Egon Spengler',
    });
  });

  it('answers a mention delivered both as message and as app_mention once', async () => {
    const ts = '1700000200.000300';
    const [asMessage, asMention] = slackMentionTwice(['Ev0TWICE1', 'Ev0TWICE2'], '<@U0BOT0001> my card?', {
      channel: 'C0000031',
      ts,
    });
    expect((await postSlack(gw, asMessage)).status).toBe(200);
    expect((await postSlack(gw, asMention)).status).toBe(200);
    await api.waitForAccepted((r) => r.path === '/slack/chat.postMessage' && r.body.channel === 'C0000031');
    await sleep(150);
    const posts = api
      .accepted()
      .filter((r) => r.path === '/slack/chat.postMessage' && r.body.channel === 'C0000031');
    expect(posts).toHaveLength(1);
    expect(
      row(gw, "SELECT COUNT(*) AS n FROM messages WHERE direction = 'in' AND external_id = ?", ts).n,
    ).toBe(1);
  });
});

describe('slack acknowledgement', () => {
  it('is sent before the nets answer, well within Slack’s 3 seconds', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const keywords = new KeywordClassifier();
    const slow: TicketClassifier = {
      classify: async (net, text): Promise<Classification> => {
        await gate;
        return keywords.classify(net, text);
      },
    };
    const local = await PlatformStandIn.start(() => ({ body: { ok: true, ts: '1.2' } }));
    const slowGw = await startTestGateway({ standIn: local, classifier: slow, nets: 'default' });
    try {
      const started = Date.now();
      const res = await postSlack(
        slowGw,
        slackMessage('Ev0SLOW', 'card not arrived', { channel: 'D0000009' }),
      );
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1000);
      // Only the customer's name was asked for (users.info); no reply before the nets answer.
      expect(local.requests.filter((r) => r.path !== '/slack/users.info')).toHaveLength(0);
      release();
      const post = await local.waitForAccepted((r) => r.body?.channel === 'D0000009');
      expect(post.body.text).toBe(kbAnswer('card_arrival'));
    } finally {
      release();
      await slowGw.close();
      await local.close();
    }
  });
});
