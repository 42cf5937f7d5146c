/**
 * Telegram Bot API webhooks: `POST /webhooks/telegram/:bot`.
 *
 * Telegram signs nothing; it sends the `secret_token` given to setWebhook back in
 * `X-Telegram-Bot-Api-Secret-Token` (https://core.telegram.org/bots/api#setwebhook), which
 * is compared in constant time. The body is an Update
 * (https://core.telegram.org/bots/api#update): `message`, `edited_message` or
 * `callback_query` are handled, other kinds acknowledged and dropped. `update_id` is the
 * dedupe key: Telegram repeats an update until it gets a 2xx.
 */
import type { Express } from 'express';
import { z } from 'zod';
import { detectLanguage, languageFromTag } from '../../core/language.js';
import type { InboundMessage } from '../../core/ports.js';
import { answerIdOf, productIdOf } from '../../core/replies.js';
import { safeEqual } from '../http/api-key.js';
import { keepRaw, readBody } from '../http/body.js';
import { rateLimit } from '../http/rate-limit.js';
import { botFor, header, unauthorized, validate, verifiedJson, type WebhookDeps } from './webhook-common.js';

// https://core.telegram.org/bots/api#user
const user = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

// https://core.telegram.org/bots/api#message (the fields used here)
const message = z.object({
  message_id: z.number().int(),
  from: user.optional(),
  chat: z.object({ id: z.number().int(), type: z.string() }),
  date: z.number().int(),
  text: z.string().optional(),
  caption: z.string().optional(),
});

// https://core.telegram.org/bots/api#callbackquery
const callbackQuery = z.object({
  id: z.string(),
  from: user,
  message: message.optional(),
  chat_instance: z.string(),
  data: z.string().optional(),
});

/** A Telegram Update, as far as neurodesk reads it. */
export const telegramUpdate = z.object({
  update_id: z.number().int().nonnegative(),
  message: message.optional(),
  edited_message: message.optional(),
  callback_query: callbackQuery.optional(),
});

/** The button data that asks for a person (set by the outbound side on auto-replies). */
export const HANDOFF_CALLBACK = 'handoff';

/** What the Telegram outbound side needs to answer in this chat. */
export interface TelegramReplyContext {
  chatId: number;
}

type Update = z.infer<typeof telegramUpdate>;

/** Turns an Update into the inbound shape; `edited` marks edits; undefined for updates the bot ignores. */
export function normaliseTelegram(
  bot: string,
  u: Update,
): { message: InboundMessage; edited: boolean } | undefined {
  const m = u.message ?? u.edited_message;
  if (m) {
    if (m.from?.is_bot) return undefined;
    const text = m.text ?? m.caption ?? '';
    const name = m.from ? [m.from.first_name, m.from.last_name].filter(Boolean).join(' ') : undefined;
    return {
      edited: !u.message,
      message: {
        bot,
        channel: 'telegram',
        deliveryId: String(u.update_id),
        chatId: String(m.chat.id),
        externalMessageId: String(m.message_id),
        customerId: m.from ? String(m.from.id) : undefined,
        customerName: name,
        text,
        language: detectLanguage(text) ?? languageFromTag(m.from?.language_code),
        replyContext: { chatId: m.chat.id } satisfies TelegramReplyContext,
        meta: { chatType: m.chat.type, ...(u.message ? {} : { edited: true }) },
      },
    };
  }
  const q = u.callback_query;
  // Only the bot's own buttons: "talk to a person", a suggested answer (answer:<id>), a product (product:<id>).
  const ours = (d: string) =>
    d === HANDOFF_CALLBACK || answerIdOf(d) !== undefined || productIdOf(d) !== undefined;
  if (q?.message && q.data && ours(q.data)) {
    return {
      edited: false,
      message: {
        bot,
        channel: 'telegram',
        deliveryId: String(u.update_id),
        chatId: String(q.message.chat.id),
        customerId: String(q.from.id),
        customerName: [q.from.first_name, q.from.last_name].filter(Boolean).join(' '),
        text: '',
        replyContext: { chatId: q.message.chat.id } satisfies TelegramReplyContext,
        meta: { action: q.data, callbackId: q.id },
      },
    };
  }
  return undefined;
}

/** Mounts the Telegram webhook. */
export function mountTelegram(app: Express, deps: WebhookDeps): void {
  app.post(
    '/webhooks/telegram/:bot',
    rateLimit(deps.limiter),
    readBody({ limit: deps.bodyLimitBytes, types: { 'application/json': keepRaw } }),
    async (req, res) => {
      const bot = botFor(deps, req, 'telegram');
      const token = header(req, 'x-telegram-bot-api-secret-token');
      if (!token || !safeEqual(token, bot.channels.telegram!.secretToken)) throw unauthorized();
      const update = validate(telegramUpdate, verifiedJson(req), 'Telegram Update');
      const inbound = normaliseTelegram(bot.name, update);
      if (inbound) {
        // An edit is kept for the operators but not answered again.
        const r = await (inbound.edited
          ? deps.intake.record(inbound.message)
          : deps.intake.accept(inbound.message));
        req.log.info(
          { channel: 'telegram', bot: bot.name, updateId: update.update_id, duplicate: r.duplicate },
          'webhook accepted',
        );
      }
      // Telegram reads a JSON body as a method call; an empty 200 is a plain acknowledgement.
      res.status(200).end();
    },
  );
}
