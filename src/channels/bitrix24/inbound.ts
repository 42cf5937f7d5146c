/**
 * Bitrix24 chat-bot events: `POST /webhooks/bitrix24/:bot`, checked and read.
 *
 * Bitrix24 posts events form-encoded with bracketed keys (`data[PARAMS][MESSAGE]`,
 * `auth[application_token]`, ...); JSON is accepted too. Nothing is signed: the check is
 * `auth[application_token]`, given at ONAPPINSTALL and compared on every later event for
 * the same `member_id` (https://apidocs.bitrix24.com/api-reference/events/safe-event-handlers.html).
 * Handled: ONAPPINSTALL/ONAPPUPDATE (https://apidocs.bitrix24.com/api-reference/common/events/on-app-install.html),
 * ONIMBOTMESSAGEADD (https://apidocs.bitrix24.com/api-reference/chat-bots/messages/events/on-imbot-message-add.html)
 * and ONIMBOTJOINCHAT (https://apidocs.bitrix24.com/api-reference/chat-bots/chats/events/on-imbot-join-chat.html).
 * Bitrix24 does not resend a failed event, so the event is committed before the 200 and
 * everything else happens after it. `MESSAGE_ID` is the dedupe key.
 *
 * The v1 bot API (ONIMBOTMESSAGEADD, imbot.register) is deprecated in favour of Chatbots
 * 2.0; its events (https://apidocs.bitrix24.com/api-reference/chat-bots/chat-bots-v2/imbot.v2/events/events.html)
 * are read too: ONIMBOTV2MESSAGEADD and ONIMBOTV2JOINCHAT carry `data[bot]` `{id, code, auth}`,
 * `data[message]`, `data[chat]` and `data[user]`, every scalar a string.
 */
import { z } from 'zod';
import { type Bot, renderTemplate, templatesFor } from '../../core/bots/bot.js';
import type { ConversationService } from '../../core/conversation-service.js';
import { detectLanguage } from '../../core/language.js';
import type { InboundMessage } from '../../core/ports.js';
import type { PlannedSend } from '../../core/replies.js';
import { AppError } from '../../errors.js';
import { safeEqual } from '../../transport/http/api-key.js';
import { validate } from '../../transport/http/validate.js';
import type { Webhook, WebhookResult } from '../contract.js';
import { unauthorized } from '../webhook-route.js';
import type { Bitrix24Install, Bitrix24InstallStore } from './installs-port.js';
import type { Bitrix24Settings } from './settings.js';

const str = z.union([z.string(), z.number()]).transform(String);

const authSchema = z.object({
  member_id: z.string().min(1).max(100),
  application_token: z.string().min(1).max(200),
  domain: z.string().max(255).optional(),
  client_endpoint: z.url({ protocol: /^https?$/ }).optional(),
  access_token: z.string().max(500).optional(),
  refresh_token: z.string().max(500).optional(),
  expires: str.optional(),
});

/** An event's envelope. */
export const bitrix24Event = z.object({
  event: z
    .string()
    .min(1)
    .transform((e) => e.toUpperCase()),
  data: z.record(z.string(), z.unknown()).optional(),
  ts: str.optional(),
  auth: authSchema,
});

const botEntry = z.object({
  BOT_ID: str,
  access_token: z.string().max(500).optional(),
  refresh_token: z.string().max(500).optional(),
  expires: str.optional(),
  client_id: z.string().optional(),
});

const messageData = z.object({
  BOT: z.record(z.string(), botEntry),
  PARAMS: z.object({
    MESSAGE: z.string().default(''),
    DIALOG_ID: str,
    MESSAGE_ID: str,
    FROM_USER_ID: str,
    TO_USER_ID: str.optional(),
    CHAT_ID: str.optional(),
    CHAT_ENTITY_TYPE: z.string().optional(),
    SYSTEM: z.string().optional(),
    LANGUAGE: z.string().optional(),
  }),
  USER: z
    .object({ ID: str.optional(), NAME: z.string().optional(), IS_BOT: z.string().optional() })
    .optional(),
});

const joinData = z.object({
  BOT: z.record(z.string(), botEntry),
  PARAMS: z.object({
    DIALOG_ID: str,
    CHAT_ID: str.optional(),
    CHAT_ENTITY_TYPE: z.string().optional(),
    LANGUAGE: z.string().optional(),
  }),
  USER: z.object({ NAME: z.string().optional() }).optional(),
});

// Chatbots 2.0 (webhook mode): the bot, the message, its chat and its author.
const v2Bot = z.object({ id: str, code: z.string().optional() });
const v2Chat = z.object({
  id: str,
  dialogId: str,
  type: z.string().optional(),
  entityType: z.string().optional(),
});
const v2User = z
  .object({ id: str.optional(), name: z.string().optional(), bot: z.string().optional() })
  .optional();
const v2MessageData = z.object({
  bot: v2Bot,
  message: z.object({
    id: str,
    chatId: str.optional(),
    authorId: str,
    text: z.string().default(''),
    isSystem: z.string().optional(),
  }),
  chat: v2Chat,
  user: v2User,
  language: z.string().optional(),
});
const v2JoinData = z.object({ bot: v2Bot, chat: v2Chat, user: v2User, language: z.string().optional() });

/** Where a Bitrix24 reply goes: the portal, the bot, the dialog, and whether it is an Open Lines chat. */
export interface Bitrix24ReplyContext {
  memberId: string;
  botId: string;
  dialogId: string;
  chatId?: string;
  lines: boolean;
}

/** What the Bitrix24 webhook needs. */
export interface Bitrix24Deps {
  installs: Bitrix24InstallStore;
  conversations: ConversationService;
  /** The calls that register the bot on a freshly installed portal (none when it cannot be). */
  onInstall(bot: Bot, install: Bitrix24Install): PlannedSend[];
}

const uiLanguage = (l: string | undefined) => (l === 'ru' || l === 'en' ? l : undefined);

const isTrue = (v: string | undefined) => v === 'Y' || v === '1' || v === 'true';

/** The Bitrix24 webhook: the portal's application token (or, at install, its domain), then the event. */
export function bitrix24Webhook(deps: Bitrix24Deps): Webhook<Bitrix24Settings> {
  const envelope = (req: { object(): Record<string, unknown> }) =>
    validate(bitrix24Event, req.object(), 'Bitrix24 event');
  return {
    body: 'form',
    async verify(req, settings, bot) {
      const e = envelope(req);
      if (e.event === 'ONAPPINSTALL' || e.event === 'ONAPPUPDATE') {
        const domain = (e.auth.domain ?? '').toLowerCase();
        return settings.portals.length === 0 || settings.portals.includes(domain);
      }
      const stored = await deps.installs.get(bot.name, e.auth.member_id);
      return stored !== undefined && safeEqual(e.auth.application_token, stored.applicationToken);
    },
    async parse(req, settings, bot): Promise<WebhookResult> {
      const e = envelope(req);
      const memberId = e.auth.member_id;
      const log = { event: e.event, memberId };
      switch (e.event) {
        case 'ONAPPINSTALL':
        case 'ONAPPUPDATE': {
          const calls = await install(deps, bot, e.auth);
          req.log.info({ channel: 'bitrix24', bot: bot.name, ...log }, 'bitrix24 installation stored');
          return { calls };
        }
        case 'ONIMBOTMESSAGEADD': {
          const m = await onMessage(
            deps,
            bot,
            settings,
            memberId,
            validate(messageData, e.data, 'ONIMBOTMESSAGEADD data'),
          );
          return { inbound: m ? [{ message: m }] : [], log: { ...log, ignored: m === undefined } };
        }
        case 'ONIMBOTV2MESSAGEADD': {
          const m = onMessageV2(bot, memberId, validate(v2MessageData, e.data, 'ONIMBOTV2MESSAGEADD data'));
          return { inbound: m ? [{ message: m }] : [], log: { ...log, ignored: m === undefined } };
        }
        case 'ONIMBOTJOINCHAT': {
          const data = validate(joinData, e.data, 'ONIMBOTJOINCHAT data');
          const entry = await botOf(deps, bot, settings, memberId, Object.values(data.BOT));
          await greet(deps, bot, memberId, entry.BOT_ID, data.PARAMS, data.USER?.NAME);
          return { log };
        }
        case 'ONIMBOTV2JOINCHAT': {
          const data = validate(v2JoinData, e.data, 'ONIMBOTV2JOINCHAT data');
          const c = data.chat;
          const params = {
            DIALOG_ID: c.dialogId,
            CHAT_ID: c.id,
            CHAT_ENTITY_TYPE: c.entityType,
            LANGUAGE: data.language,
          };
          await greet(deps, bot, memberId, data.bot.id, params, data.user?.name);
          return { log };
        }
        default:
          return {};
      }
    },
  };
}

type Auth = z.infer<typeof authSchema>;
type BotEntry = z.infer<typeof botEntry>;

async function install(deps: Bitrix24Deps, bot: Bot, auth: Auth): Promise<PlannedSend[]> {
  const domain = (auth.domain ?? '').toLowerCase();
  if (!auth.client_endpoint || !domain) {
    throw new AppError('validation_failed', 'an installation needs auth[domain] and auth[client_endpoint]');
  }
  const record: Bitrix24Install = {
    bot: bot.name,
    memberId: auth.member_id,
    domain,
    clientEndpoint: auth.client_endpoint.endsWith('/') ? auth.client_endpoint : `${auth.client_endpoint}/`,
    applicationToken: auth.application_token,
    accessToken: auth.access_token ?? null,
    refreshToken: auth.refresh_token ?? null,
    expiresAt: auth.expires ? Number(auth.expires) * 1000 : null,
  };
  await deps.installs.install(record);
  return deps.onInstall(bot, record);
}

/** The bot entry the event is for; checks it belongs to our application and keeps its fresh tokens. */
async function botOf(
  deps: Bitrix24Deps,
  bot: Bot,
  settings: Bitrix24Settings,
  memberId: string,
  entries: BotEntry[],
  to?: string,
): Promise<BotEntry> {
  // An event for another application's bot, or a forged one, does not carry our client id.
  if (entries.some((x) => x.client_id !== undefined && x.client_id !== settings.clientId)) {
    throw unauthorized();
  }
  const entry = entries.find((x) => x.BOT_ID === to) ?? entries[0];
  if (!entry) throw new AppError('validation_failed', 'the event names no bot (data[BOT])');
  if (entry.access_token && entry.expires) {
    await deps.installs.saveTokens(bot.name, memberId, {
      accessToken: entry.access_token,
      refreshToken: entry.refresh_token,
      expiresAt: Number(entry.expires) * 1000,
    });
  }
  return entry;
}

async function onMessage(
  deps: Bitrix24Deps,
  bot: Bot,
  settings: Bitrix24Settings,
  memberId: string,
  data: z.infer<typeof messageData>,
): Promise<InboundMessage | undefined> {
  const p = data.PARAMS;
  const entry = await botOf(deps, bot, settings, memberId, Object.values(data.BOT), p.TO_USER_ID);
  if (p.SYSTEM === 'Y' || data.USER?.IS_BOT === 'Y') return undefined;
  return inbound(bot, memberId, {
    botId: entry.BOT_ID,
    dialogId: p.DIALOG_ID,
    chatId: p.CHAT_ID,
    lines: p.CHAT_ENTITY_TYPE === 'LINES',
    messageId: p.MESSAGE_ID,
    authorId: p.FROM_USER_ID,
    authorName: data.USER?.NAME,
    text: p.MESSAGE,
    language: p.LANGUAGE,
  });
}

function onMessageV2(
  bot: Bot,
  memberId: string,
  data: z.infer<typeof v2MessageData>,
): InboundMessage | undefined {
  const m = data.message;
  if (isTrue(m.isSystem) || isTrue(data.user?.bot)) return undefined;
  return inbound(bot, memberId, {
    botId: data.bot.id,
    dialogId: data.chat.dialogId,
    chatId: data.chat.id,
    lines: data.chat.entityType === 'LINES' || data.chat.type === 'lines',
    messageId: m.id,
    authorId: m.authorId,
    authorName: data.user?.name,
    text: m.text,
    language: data.language,
  });
}

/** One message of either event version, as the intake takes it. `MESSAGE_ID` / `message[id]` is the dedupe key. */
function inbound(
  bot: Bot,
  memberId: string,
  m: {
    botId: string;
    dialogId: string;
    chatId?: string;
    lines: boolean;
    messageId: string;
    authorId: string;
    authorName?: string;
    text: string;
    language?: string;
  },
): InboundMessage {
  const replyContext: Bitrix24ReplyContext = {
    memberId,
    botId: m.botId,
    dialogId: m.dialogId,
    chatId: m.chatId,
    lines: m.lines,
  };
  return {
    bot: bot.name,
    channel: 'bitrix24',
    deliveryId: `${memberId}:${m.messageId}`,
    chatId: `${memberId}:${m.dialogId}`,
    externalMessageId: m.messageId,
    customerId: m.authorId,
    customerName: m.authorName,
    text: m.text,
    language: detectLanguage(m.text) ?? uiLanguage(m.language),
    replyContext,
    meta: { lines: m.lines },
  };
}

async function greet(
  deps: Bitrix24Deps,
  bot: Bot,
  memberId: string,
  botId: string,
  p: { DIALOG_ID: string; CHAT_ID?: string; CHAT_ENTITY_TYPE?: string; LANGUAGE?: string },
  name: string | undefined,
): Promise<void> {
  const replyContext: Bitrix24ReplyContext = {
    memberId,
    botId,
    dialogId: p.DIALOG_ID,
    chatId: p.CHAT_ID,
    lines: p.CHAT_ENTITY_TYPE === 'LINES',
  };
  const language = uiLanguage(p.LANGUAGE);
  const { t } = templatesFor(bot, language);
  await deps.conversations.greet(
    { bot: bot.name, channel: 'bitrix24', chatId: `${memberId}:${p.DIALOG_ID}`, replyContext, language },
    renderTemplate(t.greeting, { name }),
  );
}
