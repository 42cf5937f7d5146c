import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { tempDir } from '../helpers/config.js';
import { counts, row, settledCounts, startTestGateway } from '../helpers/gateway.js';
import { json } from '../helpers/http.js';
import {
  B24,
  bitrixInstall,
  bitrixJoin,
  bitrixMessage,
  bitrixMessageV2,
  postBitrix,
  toBitrixForm,
} from '../helpers/platforms.js';
import { PlatformStandIn } from '../helpers/stand-in.js';
import { sleep } from '../helpers/wait.js';

let portal: PlatformStandIn;
let gw: Gateway;
let endpoint: string;
const BOT_TOKEN = 'a98b9d690000071b0000084400000237f0f107589d1e';

beforeAll(async () => {
  portal = await PlatformStandIn.start((r) => {
    if (r.path === '/oauth/oauth/token/') {
      return {
        body: { access_token: 'fresh-access-token', refresh_token: 'fresh-refresh-token', expires_in: 3600 },
      };
    }
    if (r.body?.auth === 'expired-access-token') {
      return {
        status: 401,
        body: { error: 'expired_token', error_description: 'The access token provided has expired.' },
      };
    }
    return { body: { result: r.path.endsWith('imopenlines.bot.session.operator') ? true : 19880117 } };
  });
  endpoint = `${portal.url}/rest/`;
  gw = await startTestGateway({
    standIn: portal,
    config: { NEURODESK_PUBLIC_URL: 'https://desk.example.com' },
  });
  expect((await postBitrix(gw, bitrixInstall(endpoint))).status).toBe(200);
});
afterAll(async () => {
  await gw.close();
  await portal.close();
});

describe('bitrix24 chat-bot events', () => {
  it('stores the installation and registers the bot on the portal with this gateway as its handler', async () => {
    const install = row(gw, 'SELECT member_id, domain, client_endpoint FROM bitrix24_installs');
    expect(install).toEqual({ member_id: B24.memberId, domain: B24.domain, client_endpoint: endpoint });
    const register = await portal.waitForAccepted((r) => r.path === '/rest/imbot.register');
    expect(register.body).toMatchObject({
      CODE: 'bank_support',
      TYPE: 'O',
      OPENLINE: 'Y',
      EVENT_MESSAGE_ADD: 'https://desk.example.com/webhooks/bitrix24/bank-support',
      EVENT_WELCOME_MESSAGE: 'https://desk.example.com/webhooks/bitrix24/bank-support',
      auth: 'a98b9d690000071b000008440000001b0000071d8a2',
    });
  });

  it('stores a form-encoded message once and replies with imbot.message.add as the bot', async () => {
    const res = await postBitrix(gw, bitrixMessage(endpoint, 84331, 'My card has not arrived yet'));
    expect(res.status).toBe(200);
    const reply = await portal.waitForAccepted(
      (r) => r.path === '/rest/imbot.message.add' && r.body.DIALOG_ID === '27',
    );
    expect(reply.body).toEqual({
      BOT_ID: B24.botId,
      DIALOG_ID: '27',
      MESSAGE: 'Cards arrive within 3 working days; you can track yours in the app.',
      auth: BOT_TOKEN,
    });
    expect(
      row(gw, "SELECT text, external_id FROM messages WHERE direction = 'in' AND channel = 'bitrix24'"),
    ).toEqual({
      text: 'My card has not arrived yet',
      external_id: '84331',
    });
  });

  it('accepts the same event posted as JSON', async () => {
    const res = await postBitrix(
      gw,
      bitrixMessage(endpoint, 84332, 'what exchange rate?', { dialogId: '31' }),
      'json',
    );
    expect(res.status).toBe(200);
    await portal.waitForAccepted((r) => r.body?.DIALOG_ID === '31');
  });

  it('answers 401 and stores nothing for a wrong application token or an unknown portal', async () => {
    const before = await settledCounts(gw);
    const wrong = await postBitrix(gw, bitrixMessage(endpoint, 84340, 'card', { token: 'forged-token' }));
    expect(wrong.status).toBe(401);
    expect(await json(wrong)).toEqual({
      error: { code: 'unauthorized', message: 'authentication required' },
    });
    const unknown = bitrixMessage(endpoint, 84341, 'card');
    unknown.auth.member_id = 'ffffffffffffffffffffffffffffffff';
    expect((await postBitrix(gw, unknown)).status).toBe(401);
    const foreignBot = bitrixMessage(endpoint, 84342, 'card');
    (foreignBot.data.BOT[B24.botId] as { client_id: string }).client_id = 'app.someone-else';
    expect((await postBitrix(gw, foreignBot)).status).toBe(401);
    expect(counts(gw)).toEqual(before);
  });

  it('answers 200 to a replayed MESSAGE_ID and stores nothing new', async () => {
    await postBitrix(gw, bitrixMessage(endpoint, 84350, 'exchange rate', { dialogId: '35' }));
    await portal.waitForAccepted((r) => r.body?.DIALOG_ID === '35');
    const before = await settledCounts(gw);
    expect(
      (await postBitrix(gw, bitrixMessage(endpoint, 84350, 'exchange rate', { dialogId: '35' }))).status,
    ).toBe(200);
    await sleep(100);
    expect(counts(gw)).toEqual(before);
    expect(portal.accepted().filter((r) => r.body?.DIALOG_ID === '35')).toHaveLength(1);
  });

  it('answers 400 to a malformed body and to a message event without PARAMS', async () => {
    const before = await settledCounts(gw);
    const badKeys = await postBitrix(gw, 'event=ONIMBOTMESSAGEADD&data[PARAMS=1&auth[member_id]=x');
    expect(badKeys.status).toBe(400);
    const proto = await postBitrix(gw, 'event=ONIMBOTMESSAGEADD&data[__proto__][x]=1');
    expect(proto.status).toBe(400);
    const noParams = bitrixMessage(endpoint, 84360, 'card') as { data: Record<string, unknown> };
    delete noParams.data.PARAMS;
    const res = await postBitrix(gw, noParams);
    expect(res.status).toBe(400);
    expect((await json(res)).error.code).toBe('validation_failed');
    expect(counts(gw)).toEqual(before);
  });

  it('hands an Open Lines chat to a free operator with imopenlines.bot.session.operator', async () => {
    await postBitrix(gw, bitrixMessage(endpoint, 84370, 'my card was stolen', { lines: true }));
    const operator = await portal.waitForAccepted((r) => r.path === '/rest/imopenlines.bot.session.operator');
    expect(operator.body).toEqual({ CHAT_ID: '1157', auth: BOT_TOKEN });
    const said = portal.accepted().filter((r) => r.body?.DIALOG_ID === 'chat1157');
    expect(said).toHaveLength(1);
    expect(said[0]!.body.MESSAGE).toContain('passing your question');
    // The message came before the handoff.
    expect(portal.requests.indexOf(said[0]!)).toBeLessThan(portal.requests.indexOf(operator));
  });

  it('greets a chat it was added to, in the portal’s language', async () => {
    expect((await postBitrix(gw, bitrixJoin(endpoint, 'ru'))).status).toBe(200);
    const greeting = await portal.waitForAccepted((r) => r.body?.MESSAGE?.startsWith('Здравствуйте'));
    expect(greeting.body.MESSAGE).toMatch(/^Здравствуйте, Emily Smith! Я помощник/);
  });
});

describe('bitrix24 tokens and portals', () => {
  it('renews an expired access token with the refresh token and then delivers the reply', async () => {
    const message = bitrixMessage(endpoint, 84380, 'card not arrived', { dialogId: '41' });
    const bot = message.data.BOT[B24.botId] as Record<string, string>;
    bot.access_token = 'expired-access-token';
    bot.expires = '4102444801'; // newer than the stored one, so it is kept
    await postBitrix(gw, message);
    const reply = await portal.waitForAccepted((r) => r.body?.DIALOG_ID === '41');
    expect(reply.body.auth).toBe('fresh-access-token');
    const renew = portal.accepted('/oauth/oauth/token/')[0]!;
    expect(Object.fromEntries(renew.query)).toEqual({
      grant_type: 'refresh_token',
      client_id: 'local.6779636e712043.37129431',
      client_secret: 'test-bitrix24-client-secret',
      refresh_token: '990ac5690000071b0000084400000237',
    });
  });

  it('refuses installations from portals missing from the allow-list', async () => {
    const local = await startTestGateway({
      standIn: portal,
      env: { BANK_SUPPORT_BITRIX24_PORTALS: 'mycompany.bitrix24.ru' },
    });
    try {
      expect((await postBitrix(local, bitrixInstall(endpoint))).status).toBe(401);
      expect(
        (await postBitrix(local, bitrixInstall(endpoint, { domain: 'mycompany.bitrix24.ru' }))).status,
      ).toBe(200);
      expect(row(local, 'SELECT domain FROM bitrix24_installs').domain).toBe('mycompany.bitrix24.ru');
    } finally {
      await local.close();
    }
  });

  it('encodes and parses nested form fields the way Bitrix24 sends them', () => {
    const form = toBitrixForm({
      data: { PARAMS: { MESSAGE: 'a&b=c' } },
      auth: { member_id: 'm' },
    }).toString();
    expect(form).toBe('data%5BPARAMS%5D%5BMESSAGE%5D=a%26b%3Dc&auth%5Bmember_id%5D=m');
  });
});

describe('bitrix24 chat-bot API v2', () => {
  it('stores an ONIMBOTV2MESSAGEADD message once and replies to its dialog as the bot', async () => {
    const event = bitrixMessageV2(endpoint, 90211, 'My card has not arrived yet');
    expect((await postBitrix(gw, event)).status).toBe(200);
    const reply = await portal.waitForAccepted(
      (r) => r.path === '/rest/imbot.message.add' && r.body.DIALOG_ID === '27' && r.body.BOT_ID === B24.botId,
    );
    expect(reply.body.MESSAGE).toEqual(expect.any(String));
    const m = row(
      gw,
      "SELECT text, customer_id FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.external_id = '90211'",
    );
    expect(m).toEqual({ text: 'My card has not arrived yet', customer_id: '27' });
    const before = await settledCounts(gw);
    expect((await postBitrix(gw, event)).status).toBe(200);
    expect(counts(gw)).toMatchObject({ inbound: before.inbound, jobs: before.jobs });
  });

  it('refuses a v2 event with a wrong application token', async () => {
    const before = await settledCounts(gw);
    const forged = bitrixMessageV2(endpoint, 90212, 'hello');
    forged.auth = { ...forged.auth, application_token: 'not-the-token' };
    expect((await postBitrix(gw, forged)).status).toBe(401);
    expect(counts(gw)).toEqual(before);
  });

  it('registers with the bot type and Open Lines flag of the bot file', async () => {
    const bots = tempDir();
    const file = JSON.parse(readFileSync('bots/bank-support.json', 'utf8'));
    file.channels.bitrix24 = { ...file.channels.bitrix24, botType: 'B', openLines: false };
    writeFileSync(join(bots, 'bank-support.json'), JSON.stringify(file));
    const local = await startTestGateway({
      standIn: portal,
      config: { NEURODESK_PUBLIC_URL: 'https://desk2.example.com', NEURODESK_BOTS_DIR: bots },
    });
    try {
      expect((await postBitrix(local, bitrixInstall(endpoint))).status).toBe(200);
      const register = await portal.waitForAccepted(
        (r) => r.path === '/rest/imbot.register' && r.body.EVENT_MESSAGE_ADD?.startsWith('https://desk2.'),
      );
      expect(register.body).toMatchObject({ CODE: 'bank_support', TYPE: 'B', OPENLINE: 'N' });
    } finally {
      await local.close();
    }
  });
});
