/**
 * Platform payloads, field for field as each platform documents them, and the signed
 * requests that deliver them to the gateway:
 * - Telegram Update: https://core.telegram.org/bots/api#update (sample from the Bot API's webhook docs)
 * - Slack event_callback / message: https://api.slack.com/apis/connections/events-api, https://api.slack.com/events/message
 * - Chatwoot message_created: https://www.chatwoot.com/hc/user-guide/articles/1677693021-how-to-use-webhooks
 * - VK Callback API confirmation / message_new: https://dev.vk.com/en/api/callback/getting-started,
 *   https://dev.vk.com/en/reference/objects/message
 * - Bitrix24 ONAPPINSTALL / ONIMBOTMESSAGEADD / ONIMBOTJOINCHAT:
 *   https://apidocs.bitrix24.com/api-reference/chat-bots/messages/events/on-imbot-message-add.html
 */

import { signChatwoot } from '../../src/channels/chatwoot/signature.js';
import { signSlack } from '../../src/channels/slack/signature.js';
import type { Gateway } from '../../src/server.js';
import { CHANNEL_ENV } from './gateway.js';

const send = (gw: Gateway, path: string, body: string, headers: Record<string, string>) =>
  fetch(`${gw.url}${path}`, { method: 'POST', body, headers });

const text = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

// ---- Telegram -------------------------------------------------------------------------

/** A Telegram Update with a text message from a private chat. */
export function telegramMessage(
  updateId: number,
  message: string,
  o: { chatId?: number; languageCode?: string } = {},
) {
  const chatId = o.chatId ?? 1111111;
  return {
    update_id: updateId,
    message: {
      message_id: 1365 + updateId,
      from: {
        id: chatId,
        is_bot: false,
        first_name: 'Test',
        last_name: 'Lastname',
        username: 'Test',
        language_code: o.languageCode ?? 'en',
      },
      chat: { id: chatId, first_name: 'Test', last_name: 'Lastname', username: 'Test', type: 'private' },
      date: 1441645532,
      text: message,
    },
  };
}

/** A Telegram Update with a callback query (an inline button pressed under one of the bot's messages). */
export function telegramCallback(updateId: number, data: string, chatId = 1111111) {
  return {
    update_id: updateId,
    callback_query: {
      id: `4382bfdwdsb323b2d9${updateId}`,
      from: {
        id: chatId,
        is_bot: false,
        first_name: 'Test',
        last_name: 'Lastname',
        username: 'Test',
        language_code: 'en',
      },
      message: {
        message_id: 1400 + updateId,
        from: { id: 123456, is_bot: true, first_name: 'Bank support', username: 'bank_support_bot' },
        chat: { id: chatId, first_name: 'Test', last_name: 'Lastname', username: 'Test', type: 'private' },
        date: 1441645600,
        text: 'Cards arrive within 3 working days.',
      },
      chat_instance: '-5731960418542371543',
      data,
    },
  };
}

/**
 * A Telegram Update with a callback query from a button under an inline-mode message: the
 * query has `inline_message_id` and no `message` (https://core.telegram.org/bots/api#callbackquery).
 */
export function telegramInlineCallback(updateId: number, data: string, userId = 1111111) {
  return {
    update_id: updateId,
    callback_query: {
      id: `4382bfdwdsb323b2d9${updateId}`,
      from: { id: userId, is_bot: false, first_name: 'Test', last_name: 'Lastname', language_code: 'en' },
      inline_message_id: 'AgAAAN4mAgD8qFkT1xwfCSSwBgs',
      chat_instance: '-5731960418542371543',
      data,
    },
  };
}

/** POSTs to the Telegram webhook with the secret token (`null` to leave the header out). */
export function postTelegram(
  gw: Gateway,
  body: unknown,
  secret: string | null = CHANNEL_ENV.BANK_SUPPORT_TELEGRAM_WEBHOOK_SECRET,
) {
  return send(gw, '/webhooks/telegram/bank-support', text(body), {
    'content-type': 'application/json',
    ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }),
  });
}

// ---- Slack ----------------------------------------------------------------------------

/** A Slack `event_callback` envelope with a direct `message` event. */
export function slackMessage(
  eventId: string,
  message: string,
  o: { channel?: string; channelType?: string; ts?: string } = {},
) {
  return {
    token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    team_id: 'T061EG9R6',
    api_app_id: 'A0PNCHHK2',
    event: {
      type: 'message',
      channel: o.channel ?? 'D024BE91L',
      user: 'U2147483697',
      text: message,
      ts: o.ts ?? '1355517523.000005',
      event_ts: o.ts ?? '1355517523.000005',
      channel_type: o.channelType ?? 'im',
    },
    type: 'event_callback',
    authorizations: [
      {
        enterprise_id: null,
        team_id: 'T061EG9R6',
        user_id: 'U0BOT0001',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_id: eventId,
    event_time: 1355517523,
    event_context:
      '4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMDYxRUc5UjYiLCJhaWQiOiJBMFBOQ0hISzIiLCJjaWQiOiJEMDI0QkU5MUwifQ',
  };
}

/**
 * A mention in a public channel the app is in, as Slack delivers it twice: as `message`
 * (message.channels) and as `app_mention`, each with its own `event_id`, the same `ts`.
 */
export function slackMentionTwice(
  eventIds: [string, string],
  message: string,
  o: { channel: string; ts: string },
) {
  const asMessage = slackMessage(eventIds[0], message, { ...o, channelType: 'channel' });
  const asMention = slackMessage(eventIds[1], message, { ...o, channelType: 'channel' });
  asMention.event.type = 'app_mention';
  const { channel_type: _, ...mentionEvent } = asMention.event;
  return [asMessage, { ...asMention, event: mentionEvent }];
}

/** A users.info answer (https://api.slack.com/methods/users.info). */
export function slackUserInfo(id: string, realName: string) {
  return {
    ok: true,
    user: {
      id,
      team_id: 'T061EG9R6',
      name: realName.split(' ')[0]!.toLowerCase(),
      deleted: false,
      real_name: realName,
      tz: 'Europe/Moscow',
      profile: { real_name: realName, display_name: realName.split(' ')[0], email: 'customer@example.com' },
      is_bot: false,
    },
  };
}

/** Options for a Slack delivery: the signing secret, the timestamp (Unix seconds), a retry number, a forged signature. */
export interface SlackSendOptions {
  secret?: string;
  timestamp?: number;
  retryNum?: number;
  signature?: string | null;
}

/** POSTs a signed Slack request. */
export function postSlack(gw: Gateway, body: unknown, o: SlackSendOptions = {}) {
  const raw = text(body);
  const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const signature =
    o.signature === undefined
      ? signSlack(o.secret ?? CHANNEL_ENV.BANK_SUPPORT_SLACK_SIGNING_SECRET, ts, raw)
      : o.signature;
  return send(gw, '/webhooks/slack/bank-support', raw, {
    'content-type': 'application/json',
    'x-slack-request-timestamp': ts,
    ...(signature === null ? {} : { 'x-slack-signature': signature }),
    ...(o.retryNum
      ? { 'x-slack-retry-num': String(o.retryNum), 'x-slack-retry-reason': 'http_timeout' }
      : {}),
  });
}

// ---- Chatwoot -------------------------------------------------------------------------

/** A Chatwoot `message_created` payload as an Agent Bot receives it. */
export function chatwootMessage(
  id: number,
  content: string,
  o: {
    conversationId?: number;
    messageType?: string;
    private?: boolean;
    senderType?: string;
    senderName?: string;
    /** The conversation's number in its account (the id the API routes take), when the payload has it. */
    displayId?: number;
  } = {},
) {
  const conversationId = o.conversationId ?? 10;
  return {
    id,
    content,
    created_at: '2021-07-23T18:02:48.000Z',
    message_type: o.messageType ?? 'incoming',
    content_type: 'text',
    private: o.private ?? false,
    content_attributes: {},
    source_id: null,
    sender: { id: 14, name: o.senderName ?? 'little-haze-776', avatar: '', type: o.senderType ?? 'contact' },
    inbox: { id: 1, name: 'Acme Support' },
    conversation: {
      additional_attributes: {},
      can_reply: true,
      channel: 'Channel::WebWidget',
      id: conversationId,
      ...(o.displayId !== undefined ? { display_id: o.displayId } : {}),
      inbox_id: 1,
      contact_inbox: {
        id: 12,
        contact_id: 14,
        inbox_id: 1,
        source_id: '405f1d30-1af3-4fa0-8ffd-11ea3f86101e',
        hmac_verified: false,
      },
      messages: [],
      meta: { sender: { id: 14, name: 'little-haze-776', type: 'contact' }, assignee: null },
      status: 'pending',
      unread_count: 1,
      agent_last_seen_at: 0,
      contact_last_seen_at: 0,
      timestamp: 1627063369,
    },
    account: { id: 1, name: 'Acme Inc' },
    event: 'message_created',
  };
}

/** POSTs a Chatwoot delivery, signed unless `signature` is `null`. */
export function postChatwoot(
  gw: Gateway,
  body: unknown,
  o: { secret?: string; timestamp?: number; signature?: string | null; delivery?: string } = {},
) {
  const raw = text(body);
  const ts = String(o.timestamp ?? Math.floor(Date.now() / 1000));
  const signature =
    o.signature === undefined
      ? signChatwoot(o.secret ?? CHANNEL_ENV.BANK_SUPPORT_CHATWOOT_HMAC_SECRET, ts, raw)
      : o.signature;
  return send(gw, '/webhooks/chatwoot/bank-support', raw, {
    'content-type': 'application/json',
    'x-chatwoot-timestamp': ts,
    'x-chatwoot-delivery': o.delivery ?? crypto.randomUUID(),
    ...(signature === null ? {} : { 'x-chatwoot-signature': signature }),
  });
}

// ---- Bitrix24 -------------------------------------------------------------------------

/** The portal every Bitrix24 fixture comes from. */
export const B24 = {
  memberId: 'bac1cd5c8940947a75e0d71b1a84e348',
  applicationToken: '831c76b092f9f135d9b6b36c3a720757',
  domain: 'some-domain.bitrix24.com',
  botId: '567',
};

const b24Auth = (clientEndpoint: string, token = B24.applicationToken) => ({
  access_token: 'a98b9d690000071b000008440000001b0000071d8a2',
  expires: '4102444800',
  expires_in: '3600',
  scope: 'imbot',
  domain: B24.domain,
  server_endpoint: 'https://oauth.bitrix.info/rest/',
  status: 'F',
  client_endpoint: clientEndpoint,
  member_id: B24.memberId,
  user_id: '27',
  refresh_token: '990ac569071b000008440000001b000007f80ccc35b5e3',
  application_token: token,
});

/** ONAPPINSTALL for the fixture portal. */
export function bitrixInstall(clientEndpoint: string, o: { domain?: string; token?: string } = {}) {
  return {
    event: 'ONAPPINSTALL',
    data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' },
    ts: '1696527000',
    auth: { ...b24Auth(clientEndpoint, o.token), domain: o.domain ?? B24.domain },
  };
}

const botBlock = (clientEndpoint: string) => ({
  [B24.botId]: {
    access_token: 'a98b9d690000071b0000084400000237f0f107589d1e',
    expires: '4102444800',
    expires_in: '3600',
    scope: 'imbot',
    domain: B24.domain,
    server_endpoint: 'https://oauth.bitrix.info/rest/',
    status: 'F',
    client_endpoint: clientEndpoint,
    member_id: B24.memberId,
    refresh_token: '990ac5690000071b0000084400000237',
    user_id: B24.botId,
    client_id: CHANNEL_ENV.BANK_SUPPORT_BITRIX24_CLIENT_ID,
    application_token: B24.applicationToken,
    BOT_ID: B24.botId,
    BOT_CODE: 'bank_support',
  },
});

/** ONIMBOTMESSAGEADD: a personal dialog, or an Open Lines chat with `lines`. */
export function bitrixMessage(
  clientEndpoint: string,
  messageId: number,
  message: string,
  o: { lines?: boolean; token?: string; dialogId?: string } = {},
) {
  const lines = o.lines
    ? {
        DIALOG_ID: 'chat1157',
        CHAT_ID: '1157',
        CHAT_TYPE: 'L',
        MESSAGE_TYPE: 'L',
        CHAT_ENTITY_TYPE: 'LINES',
        CHAT_ENTITY_ID: 'telegrambot|1|12345|67',
        CHAT_TITLE: 'Emily Smith - Open Channel',
      }
    : { DIALOG_ID: o.dialogId ?? '27', CHAT_TYPE: 'P', MESSAGE_TYPE: 'P' };
  return {
    event: 'ONIMBOTMESSAGEADD',
    event_handler_id: '403',
    data: {
      BOT: botBlock(clientEndpoint),
      PARAMS: {
        MESSAGE: message,
        TEMPLATE_ID: '796c45aa-70e5-45aa-930c-c7fb32710c62',
        FROM_USER_ID: '27',
        TO_CHAT_ID: '1407',
        AUTHOR_ID: '27',
        SYSTEM: 'N',
        TO_USER_ID: B24.botId,
        MESSAGE_ID: String(messageId),
        LANGUAGE: 'en',
        PLATFORM_CONTEXT: 'web',
        ...lines,
      },
      USER: {
        ID: '27',
        NAME: 'Emily Smith',
        FIRST_NAME: 'Emily',
        LAST_NAME: 'Smith',
        GENDER: 'F',
        IS_BOT: 'N',
        IS_CONNECTOR: o.lines ? 'Y' : 'N',
      },
    },
    ts: '1771928985',
    auth: b24Auth(clientEndpoint, o.token),
  };
}

/**
 * ONIMBOTV2MESSAGEADD (Chatbots 2.0, webhook mode): `data[bot]` `{id, code, auth}`, then
 * `data[message]`, `data[chat]`, `data[user]`, every scalar a string
 * (https://apidocs.bitrix24.com/api-reference/chat-bots/chat-bots-v2/imbot.v2/events/events.html).
 */
export function bitrixMessageV2(clientEndpoint: string, messageId: number, message: string) {
  const auth = b24Auth(clientEndpoint);
  return {
    event: 'ONIMBOTV2MESSAGEADD',
    event_handler_id: '611',
    data: {
      bot: { id: B24.botId, code: 'bank_support', auth },
      message: {
        id: String(messageId),
        chatId: '1407',
        authorId: '27',
        date: '2026-02-25T12:49:45+03:00',
        text: message,
        isSystem: '0',
        uuid: '',
        forward: '',
        params: '',
        viewedByOthers: '0',
      },
      chat: {
        id: '1407',
        dialogId: '27',
        type: 'private',
        name: '',
        entityType: '',
        entityId: '',
        owner: '27',
        avatar: '',
        color: '#df532d',
      },
      user: {
        id: '27',
        active: '1',
        name: 'Emily Smith',
        firstName: 'Emily',
        lastName: 'Smith',
        workPosition: '',
        gender: 'F',
        bot: '0',
        connector: '0',
        type: 'user',
      },
      language: 'en',
    },
    ts: '1772019585',
    auth,
  };
}

/** ONIMBOTJOINCHAT for a personal dialog. */
export function bitrixJoin(clientEndpoint: string, language = 'en') {
  return {
    event: 'ONIMBOTJOINCHAT',
    event_handler_id: '459',
    data: {
      BOT: botBlock(clientEndpoint),
      PARAMS: {
        CHAT_TYPE: 'P',
        MESSAGE_TYPE: 'P',
        BOT_ID: B24.botId,
        USER_ID: '27',
        TO_USER_ID: '27',
        FROM_USER_ID: B24.botId,
        DIALOG_ID: '27',
        LANGUAGE: language,
      },
      USER: {
        ID: '27',
        NAME: 'Emily Smith',
        FIRST_NAME: 'Emily',
        LAST_NAME: 'Smith',
        WORK_POSITION: '',
        GENDER: 'F',
      },
    },
    ts: '1772090839',
    auth: b24Auth(clientEndpoint),
  };
}

/** Encodes nested objects as Bitrix24 does: `data[PARAMS][MESSAGE]=...` (PHP's http_build_query). */
export function toBitrixForm(value: unknown, prefix = '', out = new URLSearchParams()): URLSearchParams {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) toBitrixForm(v, prefix ? `${prefix}[${k}]` : k, out);
  } else if (value !== undefined && value !== null) out.append(prefix, String(value));
  return out;
}

/** POSTs a Bitrix24 event, form-encoded like Bitrix24 (or as JSON). */
export function postBitrix(gw: Gateway, body: unknown, as: 'form' | 'json' = 'form') {
  return as === 'form'
    ? send(
        gw,
        '/webhooks/bitrix24/bank-support',
        typeof body === 'string' ? body : toBitrixForm(body).toString(),
        {
          'content-type': 'application/x-www-form-urlencoded',
        },
      )
    : send(gw, '/webhooks/bitrix24/bank-support', text(body), { 'content-type': 'application/json' });
}

// ---- VK ---------------------------------------------------------------------------------

/** The community every VK fixture comes from. */
export const VK_GROUP = 212345678;

/** The Callback API's `confirmation` event (sent when the server address is added). */
export function vkConfirmation(secret: string | null = CHANNEL_ENV.BANK_SUPPORT_VK_SECRET) {
  return { type: 'confirmation', group_id: VK_GROUP, ...(secret === null ? {} : { secret }) };
}

/** A `message_new` event (API 5.199) for a message from a user to the community, or a keyboard button's press (`payload`). */
export function vkMessageNew(
  id: number,
  text: string,
  o: { peerId?: number; payload?: string; secret?: string | null; langId?: number } = {},
) {
  const peerId = o.peerId ?? 541293810;
  return {
    group_id: VK_GROUP,
    type: 'message_new',
    event_id: `4a2c1e5f9b0d7c36e18f${id}`,
    v: '5.199',
    object: {
      message: {
        date: 1733468211,
        from_id: peerId,
        id,
        out: 0,
        version: 10000123,
        attachments: [],
        conversation_message_id: id - 100,
        fwd_messages: [],
        important: false,
        is_hidden: false,
        peer_id: peerId,
        random_id: 0,
        text,
        ...(o.payload ? { payload: o.payload } : {}),
      },
      client_info: {
        button_actions: [
          'text',
          'vkpay',
          'open_app',
          'location',
          'open_link',
          'callback',
          'intent_subscribe',
          'intent_unsubscribe',
        ],
        keyboard: true,
        inline_keyboard: true,
        carousel: true,
        lang_id: o.langId ?? 0,
      },
    },
    ...(o.secret === null ? {} : { secret: o.secret ?? CHANNEL_ENV.BANK_SUPPORT_VK_SECRET }),
  };
}

/** POSTs a Callback API event as VK does (JSON). */
export function postVk(gw: Gateway, body: unknown) {
  return send(gw, '/webhooks/vk/bank-support', text(body), { 'content-type': 'application/json' });
}
