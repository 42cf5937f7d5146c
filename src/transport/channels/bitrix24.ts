/**
 * Bitrix24 chat-bot events: `POST /webhooks/bitrix24/:bot`.
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
 */
import type { Express } from 'express';
import { z } from 'zod';
import { type Bot, renderTemplate, templatesFor } from '../../core/bots/bot.js';
import { detectLanguage } from '../../core/language.js';
import { AppError } from '../../errors.js';
import type { Bitrix24Install } from '../../store/index.js';
import type { SqliteBitrix24Installs } from '../../store/repositories/bitrix24-installs.js';
import { safeEqual } from '../http/api-key.js';
import { parseForm, parseJson, readBody } from '../http/body.js';
import { rateLimit } from '../http/rate-limit.js';
import { botFor, unauthorized, validate, type WebhookDeps } from './webhook-common.js';

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

/** Where a Bitrix24 reply goes: the portal, the bot, the dialog, and whether it is an Open Lines chat. */
export interface Bitrix24ReplyContext {
  memberId: string;
  botId: string;
  dialogId: string;
  chatId?: string;
  lines: boolean;
}

/** Extra dependencies of the Bitrix24 adapter. */
export interface Bitrix24Deps extends WebhookDeps {
  installs: SqliteBitrix24Installs;
  /** Called after an installation is stored (registers the bot on the portal when possible). */
  onInstall(bot: string, install: Bitrix24Install): void;
}

const uiLanguage = (l: string | undefined) => (l === 'ru' || l === 'en' ? l : undefined);

/** Mounts the Bitrix24 event handler. */
export function mountBitrix24(app: Express, deps: Bitrix24Deps): void {
  app.post(
    '/webhooks/bitrix24/:bot',
    rateLimit(deps.limiter),
    readBody({
      limit: deps.bodyLimitBytes,
      types: { 'application/x-www-form-urlencoded': parseForm, 'application/json': parseJson },
    }),
    async (req, res) => {
      const bot = botFor(deps, req, 'bitrix24');
      const e = validate(bitrix24Event, req.body, 'Bitrix24 event');
      const log = { channel: 'bitrix24', bot: bot.name, event: e.event, memberId: e.auth.member_id };
      if (e.event === 'ONAPPINSTALL' || e.event === 'ONAPPUPDATE') {
        install(deps, bot, e.auth);
        req.log.info(log, 'bitrix24 installation stored');
      } else {
        const stored = deps.installs.get(bot.name, e.auth.member_id);
        if (!stored || !safeEqual(e.auth.application_token, stored.applicationToken)) throw unauthorized();
        if (e.event === 'ONIMBOTMESSAGEADD') {
          const r = await onMessage(
            deps,
            bot,
            e.auth.member_id,
            validate(messageData, e.data, 'ONIMBOTMESSAGEADD data'),
          );
          req.log.info({ ...log, duplicate: r?.duplicate, ignored: r === undefined }, 'webhook accepted');
        } else if (e.event === 'ONIMBOTJOINCHAT') {
          onJoin(deps, bot, e.auth.member_id, validate(joinData, e.data, 'ONIMBOTJOINCHAT data'));
          req.log.info(log, 'bot joined a chat: greeting queued');
        }
      }
      res.status(200).end();
    },
  );
}

type Auth = z.infer<typeof authSchema>;
type BotEntry = z.infer<typeof botEntry>;

function install(deps: Bitrix24Deps, bot: Bot, auth: Auth): void {
  const domain = (auth.domain ?? '').toLowerCase();
  const portals = bot.channels.bitrix24!.portals;
  if (portals.length > 0 && !portals.includes(domain)) throw unauthorized();
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
  deps.installs.install(record);
  deps.onInstall(bot.name, record);
}

/** The bot entry the event is for; checks it belongs to our application and keeps its fresh tokens. */
function botOf(deps: Bitrix24Deps, bot: Bot, memberId: string, entries: BotEntry[], to?: string): BotEntry {
  // An event for another application's bot, or a forged one, does not carry our client id.
  if (entries.some((x) => x.client_id !== undefined && x.client_id !== bot.channels.bitrix24!.clientId)) {
    throw unauthorized();
  }
  const entry = entries.find((x) => x.BOT_ID === to) ?? entries[0];
  if (!entry) throw new AppError('validation_failed', 'the event names no bot (data[BOT])');
  if (entry.access_token && entry.expires) {
    deps.installs.saveTokens(bot.name, memberId, {
      accessToken: entry.access_token,
      refreshToken: entry.refresh_token,
      expiresAt: Number(entry.expires) * 1000,
    });
  }
  return entry;
}

function onMessage(deps: Bitrix24Deps, bot: Bot, memberId: string, data: z.infer<typeof messageData>) {
  const p = data.PARAMS;
  const entry = botOf(deps, bot, memberId, Object.values(data.BOT), p.TO_USER_ID);
  if (p.SYSTEM === 'Y' || data.USER?.IS_BOT === 'Y') return undefined;
  const replyContext: Bitrix24ReplyContext = {
    memberId,
    botId: entry.BOT_ID,
    dialogId: p.DIALOG_ID,
    chatId: p.CHAT_ID,
    lines: p.CHAT_ENTITY_TYPE === 'LINES',
  };
  return deps.intake.accept({
    bot: bot.name,
    channel: 'bitrix24',
    deliveryId: `${memberId}:${p.MESSAGE_ID}`,
    chatId: `${memberId}:${p.DIALOG_ID}`,
    externalMessageId: p.MESSAGE_ID,
    customerId: p.FROM_USER_ID,
    customerName: data.USER?.NAME,
    text: p.MESSAGE,
    language: detectLanguage(p.MESSAGE) ?? uiLanguage(p.LANGUAGE),
    replyContext,
    meta: { lines: replyContext.lines },
  });
}

function onJoin(deps: Bitrix24Deps, bot: Bot, memberId: string, data: z.infer<typeof joinData>): void {
  const p = data.PARAMS;
  const entry = botOf(deps, bot, memberId, Object.values(data.BOT));
  const replyContext: Bitrix24ReplyContext = {
    memberId,
    botId: entry.BOT_ID,
    dialogId: p.DIALOG_ID,
    chatId: p.CHAT_ID,
    lines: p.CHAT_ENTITY_TYPE === 'LINES',
  };
  const language = uiLanguage(p.LANGUAGE);
  const { t } = templatesFor(bot, language);
  deps.conversations.greet(
    { bot: bot.name, channel: 'bitrix24', chatId: `${memberId}:${p.DIALOG_ID}`, replyContext, language },
    renderTemplate(t.greeting, { name: data.USER?.NAME }),
  );
}
