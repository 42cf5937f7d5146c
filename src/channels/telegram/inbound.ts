/**
 * Telegram Bot API webhooks: `POST /webhooks/telegram/:bot`, checked and read.
 *
 * Telegram signs nothing; it sends the `secret_token` given to setWebhook back in
 * `X-Telegram-Bot-Api-Secret-Token` (https://core.telegram.org/bots/api#setwebhook), which
 * is compared in constant time. The body is an Update
 * (https://core.telegram.org/bots/api#update): `message`, `edited_message` or
 * `callback_query` are handled, other kinds acknowledged and dropped. `update_id` is the
 * dedupe key: Telegram repeats an update until it gets a 2xx. Every callback query is
 * answered (answerCallbackQuery), the bot's own buttons by the pipeline and any other (a
 * stale keyboard, a button under an inline-mode message) at once: until it is, the user's
 * button shows a spinner.
 */
import { z } from 'zod';
import { detectLanguage, languageFromTag } from '../../core/language.js';
import type { InboundMessage } from '../../core/ports.js';
import { answerIdOf, type PlannedSend, productIdOf } from '../../core/replies.js';
import { safeEqual } from '../../transport/http/api-key.js';
import { validate } from '../../transport/http/validate.js';
import type { Webhook } from '../contract.js';
import type { TelegramSettings } from './settings.js';

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

// https://core.telegram.org/bots/api#callbackquery: `message` is absent for a button under
// an inline-mode message (`inline_message_id` instead) or a message too old to send.
const callbackQuery = z.object({
  id: z.string(),
  from: user,
  message: message.optional(),
  inline_message_id: z.string().optional(),
  chat_instance: z.string(),
  data: z.string().optional(),
  game_short_name: z.string().optional(),
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

/**
 * Turns an Update into the inbound shape; `edited` marks edits; undefined for updates the
 * bot ignores. A callback query that is not the bot's own button in a chat comes back as
 * `answer`: the answerCallbackQuery to send at once.
 */
export function normaliseTelegram(
  bot: string,
  u: Update,
): { message: InboundMessage; edited: boolean } | { answer: PlannedSend } | undefined {
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
  if (q) return { answer: answerCallback(q.id) };
  return undefined;
}

/** The answerCallbackQuery that stops a button's spinner. */
export const answerCallback = (callbackId: string): PlannedSend => ({
  kind: 'answerCallbackQuery',
  payload: { callback_query_id: callbackId },
});

/** The Telegram webhook: the secret token, then the Update. */
export const telegramWebhook: Webhook<TelegramSettings> = {
  verify(req, settings) {
    const token = req.header('x-telegram-bot-api-secret-token');
    return token !== undefined && safeEqual(token, settings.secretToken);
  },
  parse(req, _settings, bot) {
    const update = validate(telegramUpdate, req.object(), 'Telegram Update');
    const r = normaliseTelegram(bot.name, update);
    const log = { updateId: update.update_id };
    // Telegram reads a JSON body as a method call; the empty 200 is a plain acknowledgement.
    if (!r) return {};
    if ('answer' in r) return { calls: [r.answer], log: { ...log, callbackAnswered: true } };
    return { inbound: [{ message: r.message, recordOnly: r.edited }], log };
  },
};
