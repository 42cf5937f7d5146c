/**
 * Replies to Telegram with sendMessage (https://core.telegram.org/bots/api#sendmessage),
 * an inline keyboard with "talk to a person" under automatic answers
 * (https://core.telegram.org/bots/api#inlinekeyboardmarkup), and answerCallbackQuery for
 * that button (https://core.telegram.org/bots/api#answercallbackquery). Errors come as
 * `{ok:false, error_code, description, parameters:{retry_after}}`
 * (https://core.telegram.org/bots/api#responseparameters).
 */
import { channelSettings } from '../../core/bots/bot.js';
import type { OutboxItem, ProductCard } from '../../core/ports.js';
import {
  answerAction,
  type ChannelOutbound,
  type PlannedSend,
  productAction,
  type ReplyAction,
  type SendOutcome,
} from '../../core/replies.js';
import type { OutboundOptions } from '../contract.js';
import { attempt, callPlatform, outcomeOfStatus } from '../http-client.js';
import { answerCallback, HANDOFF_CALLBACK, type TelegramReplyContext } from './inbound.js';
import type { TelegramSettings } from './settings.js';

interface TelegramAnswer {
  ok?: boolean;
  description?: string;
  result?: { message_id?: number };
  parameters?: { retry_after?: number };
}

/** A button's label from an answer's text: its start, cut at a word, at most 60 characters. */
export function buttonLabel(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= 60) return flat;
  const cut = flat.slice(0, 59);
  return `${cut.slice(0, cut.lastIndexOf(' ') > 30 ? cut.lastIndexOf(' ') : 59)}…`;
}

// https://core.telegram.org/bots/api#inlinekeyboardbutton: callback_data is 1-64 bytes.
const MAX_CALLBACK_BYTES = 64;

/** A product's button: its page when it has one, else a callback asking what goes with it. */
function productButton(p: ProductCard): Record<string, string> | undefined {
  const text = buttonLabel(p.price !== null ? `${p.title} — ${p.price.toFixed(2)}` : p.title);
  if (p.url) return { text, url: p.url };
  const data = productAction(p.id);
  return Buffer.byteLength(data) <= MAX_CALLBACK_BYTES ? { text, callback_data: data } : undefined;
}

/** The Telegram outbound side. */
export function telegramOutbound(o: OutboundOptions): ChannelOutbound {
  return {
    channel: 'telegram',
    plan(action: ReplyAction, conversation): PlannedSend[] {
      const chat_id = (conversation.replyContext as TelegramReplyContext).chatId;
      switch (action.kind) {
        case 'message': {
          const buttons = action.buttons?.filter((b) => b.action === 'handoff') ?? [];
          const reply_markup = buttons.length
            ? { inline_keyboard: [buttons.map((b) => ({ text: b.text, callback_data: HANDOFF_CALLBACK }))] }
            : undefined;
          return [{ kind: 'sendMessage', payload: { chat_id, text: action.text, reply_markup } }];
        }
        case 'handoff': {
          // The answers the bot hesitated between, one button each, to pick while waiting.
          const rows = (action.options ?? []).map((o) => [
            { text: buttonLabel(o.text), callback_data: answerAction(o.answerId) },
          ]);
          const reply_markup = rows.length ? { inline_keyboard: rows } : undefined;
          return [{ kind: 'sendMessage', payload: { chat_id, text: action.text, reply_markup } }];
        }
        case 'products': {
          // One button per product; any product without one is listed in the text instead.
          const rows = action.items.map(productButton);
          const inline_keyboard = rows.flatMap((b) => (b ? [[b]] : []));
          const text = inline_keyboard.length === action.items.length ? action.heading : action.text;
          const reply_markup = inline_keyboard.length ? { inline_keyboard } : undefined;
          return [{ kind: 'sendMessage', payload: { chat_id, text, reply_markup } }];
        }
        case 'callback_answer':
          return [answerCallback(action.callbackId)];
        default:
          return []; // suggestions are for the console: Telegram has no private notes
      }
    },
    async send(item: OutboxItem): Promise<SendOutcome> {
      const settings = channelSettings<TelegramSettings>(o.bots.get(item.bot), 'telegram');
      if (!settings) return { status: 'retry', error: `telegram is not configured for bot ${item.bot}` };
      const url = `${o.apiUrl}/bot${settings.botToken}/${item.kind}`;
      return attempt(`telegram ${item.kind}`, async () => {
        const r = await callPlatform(url, { body: item.payload, timeoutMs: o.timeoutMs });
        const a = (r.json ?? {}) as TelegramAnswer;
        if (r.status === 200 && a.ok) return { status: 'sent', externalId: a.result?.message_id?.toString() };
        const outcome = outcomeOfStatus(`telegram ${item.kind}`, r, a.description);
        if (outcome.status === 'retry' && a.parameters?.retry_after) {
          return { ...outcome, retryAfterMs: a.parameters.retry_after * 1000 };
        }
        return outcome.status === 'sent' ? { status: 'retry', error: 'telegram answered ok:false' } : outcome;
      });
    },
  };
}
