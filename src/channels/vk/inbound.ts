/**
 * VK (VKontakte) community Callback API: `POST /webhooks/vk/:bot`, checked and read
 * (https://dev.vk.com/en/api/callback/getting-started).
 *
 * Every event is a JSON object `{type, group_id, event_id, v, object, secret}`; `secret` is
 * the key set in the community's Callback API settings, compared in constant time. A
 * `confirmation` event is answered with the configured string (the server check when the
 * address is added); every other event with the plain text `ok`, which VK needs to stop
 * resending it. `message_new` (https://dev.vk.com/en/reference/objects/message) is a
 * customer writing, or pressing a keyboard button: the button's `payload` (a JSON string)
 * names the bot's action. The community's message id is the dedupe key, so a resent event
 * is answered `ok` and stored once.
 */
import { z } from 'zod';
import { detectLanguage } from '../../core/language.js';
import type { InboundMessage } from '../../core/ports.js';
import { answerIdOf, productIdOf } from '../../core/replies.js';
import { safeEqual } from '../../transport/http/api-key.js';
import { validate } from '../../transport/http/validate.js';
import type { Webhook } from '../contract.js';
import type { VkSettings } from './settings.js';

/** A Callback API event's envelope. */
export const vkEvent = z.object({
  type: z.string().min(1).max(100),
  group_id: z.number().int().positive(),
  event_id: z.string().max(100).optional(),
  v: z.string().max(20).optional(),
  object: z.unknown().optional(),
  secret: z.string().max(200).optional(),
});

// https://dev.vk.com/en/reference/objects/message (the fields used here)
const messageNew = z.object({
  message: z.object({
    id: z.number().int().nonnegative(),
    date: z.number().int(),
    peer_id: z.number().int(),
    from_id: z.number().int(),
    text: z.string().max(20_000).default(''),
    out: z.number().int().optional(),
    conversation_message_id: z.number().int().optional(),
    payload: z.string().max(1000).optional(),
  }),
  client_info: z
    .object({
      keyboard: z.boolean().optional(),
      inline_keyboard: z.boolean().optional(),
      lang_id: z.number().int().optional(),
    })
    .optional(),
});

/** The payload of the bot's own keyboard buttons. */
export interface VkButtonPayload {
  action: string;
}

/** Where a VK reply goes: the dialog (`peer_id`). */
export interface VkReplyContext {
  peerId: number;
}

// lang_id of client_info: 0 Russian, 3 English (https://dev.vk.com/en/reference/objects/client-info).
const LANGUAGES: Record<number, string> = { 0: 'ru', 3: 'en' };

const ours = (a: string) => a === 'handoff' || answerIdOf(a) !== undefined || productIdOf(a) !== undefined;

/** The bot's action in a button's payload, if the payload is one of the bot's buttons. */
export function buttonAction(payload: string | undefined): string | undefined {
  if (!payload) return undefined;
  try {
    const p = JSON.parse(payload) as Partial<VkButtonPayload> | null;
    return typeof p?.action === 'string' && ours(p.action) ? p.action : undefined;
  } catch {
    return undefined;
  }
}

/** A `message_new` object as the intake takes it; undefined for the community's own messages. */
export function normaliseVk(bot: string, groupId: number, object: unknown): InboundMessage | undefined {
  const { message: m, client_info } = validate(messageNew, object, 'VK message_new object');
  if (m.out === 1) return undefined;
  const action = buttonAction(m.payload);
  // A button press sends its label as text: the action is what the customer asked for.
  const text = action ? '' : m.text;
  return {
    bot,
    channel: 'vk',
    deliveryId: `message:${groupId}:${m.id}`,
    chatId: String(m.peer_id),
    externalMessageId: String(m.id),
    customerId: String(m.from_id),
    text,
    // A press says nothing of the language: the conversation keeps its own.
    language: action ? undefined : (detectLanguage(text) ?? LANGUAGES[client_info?.lang_id ?? -1]),
    replyContext: { peerId: m.peer_id } satisfies VkReplyContext,
    meta: action ? { action } : { groupId },
  };
}

/** The VK webhook: the event's `secret` (and community), then the event. */
export const vkWebhook: Webhook<VkSettings> = {
  verify(req, settings) {
    const e = validate(vkEvent, req.object(), 'VK Callback API event');
    if (settings.groupId !== undefined && e.group_id !== settings.groupId) return false;
    return e.secret !== undefined && safeEqual(e.secret, settings.secret);
  },
  parse(req, settings, bot) {
    const e = validate(vkEvent, req.object(), 'VK Callback API event');
    if (e.type === 'confirmation') return { answer: { text: settings.confirmation }, log: { event: e.type } };
    const ok = { text: 'ok' };
    if (e.type !== 'message_new') return { answer: ok };
    const message = normaliseVk(bot.name, e.group_id, e.object);
    const log = { event: e.type, eventId: e.event_id };
    return message ? { inbound: [{ message }], answer: ok, log } : { answer: ok, log };
  },
};
