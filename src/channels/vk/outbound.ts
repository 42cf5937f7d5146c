/**
 * Replies to VK with messages.send (https://dev.vk.com/en/method/messages.send): the
 * community token in the form-encoded body (never the URL), API version 5.199. `random_id` is the outbox item's id, so
 * a send retried after a lost answer is not delivered twice (VK drops a repeated random_id
 * for the same dialog). Under answers an inline keyboard
 * (https://dev.vk.com/en/api/bots/development/keyboard) offers "talk to a person"; a handoff
 * offers the answers the bot hesitated between; products come as links or buttons whose
 * `payload` asks what goes with them. Errors come as HTTP 200 `{error: {error_code, error_msg}}`
 * (https://dev.vk.com/en/reference/errors).
 */
import { channelSettings } from '../../core/bots/bot.js';
import type { OutboxItem, ProductCard } from '../../core/ports.js';
import type { ChannelOutbound, PlannedSend, ReplyAction, SendOutcome } from '../../core/replies.js';
import { answerAction, productAction } from '../../core/replies.js';
import type { OutboundOptions } from '../contract.js';
import { attempt, callPlatform, outcomeOfStatus } from '../http-client.js';
import type { VkButtonPayload, VkReplyContext } from './inbound.js';
import type { VkSettings } from './settings.js';

/** The API version the gateway speaks. */
export const VK_API_VERSION = '5.199';

// A button's label is at most 40 characters; its payload at most 255.
const MAX_LABEL = 40;
const MAX_PAYLOAD = 255;

/** What messages.send gets besides the token, version and random_id. */
export interface VkSendPayload {
  peer_id: number;
  message: string;
  keyboard?: string;
}

type Button = { action: Record<string, string>; color?: string };

const label = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_LABEL ? flat : `${flat.slice(0, MAX_LABEL - 1).trimEnd()}…`;
};

/** A text button whose press comes back as `message_new` with the bot's action in `payload`. */
function actionButton(text: string, action: string): Button | undefined {
  const payload = JSON.stringify({ action } satisfies VkButtonPayload);
  if (payload.length > MAX_PAYLOAD) return undefined;
  return { action: { type: 'text', label: label(text), payload }, color: 'secondary' };
}

function productButton(p: ProductCard): Button | undefined {
  const text = p.price !== null ? `${p.title} — ${p.price.toFixed(2)}` : p.title;
  if (p.url) return { action: { type: 'open_link', link: p.url, label: label(text) } };
  return actionButton(text, productAction(p.id));
}

/** An inline keyboard, one button a row; undefined without buttons. */
function keyboard(buttons: Array<Button | undefined>): string | undefined {
  const rows = buttons.flatMap((b) => (b ? [[b]] : []));
  return rows.length ? JSON.stringify({ inline: true, buttons: rows }) : undefined;
}

// Worth another try: unknown error, too many requests, flood control, internal error.
const TRANSIENT = new Set([1, 6, 9, 10]);

/** The VK outbound side. */
export function vkOutbound(o: OutboundOptions): ChannelOutbound {
  return {
    channel: 'vk',
    plan(action: ReplyAction, conversation): PlannedSend[] {
      const peer_id = (conversation.replyContext as VkReplyContext).peerId;
      const send = (message: string, buttons: Array<Button | undefined> = []): PlannedSend[] => {
        const payload: VkSendPayload = { peer_id, message, keyboard: keyboard(buttons) };
        return [{ kind: 'messages.send', payload }];
      };
      switch (action.kind) {
        case 'message':
          return send(
            action.text,
            (action.buttons ?? [])
              .filter((b) => b.action === 'handoff')
              .map((b) => actionButton(b.text, b.action)),
          );
        case 'handoff':
          return send(
            action.text,
            (action.options ?? []).map((a) => actionButton(a.text, answerAction(a.answerId))),
          );
        case 'products':
          return send(action.text, action.items.map(productButton));
        default:
          return []; // suggestions are for the console; text buttons need no callback answer
      }
    },
    async send(item: OutboxItem): Promise<SendOutcome> {
      const settings = channelSettings<VkSettings>(o.bots.get(item.bot), 'vk');
      if (!settings) return { status: 'retry', error: `vk is not configured for bot ${item.bot}` };
      const p = item.payload as VkSendPayload;
      const form: Record<string, string> = {
        peer_id: String(p.peer_id),
        message: p.message,
        random_id: String(item.id),
        access_token: settings.token,
        v: VK_API_VERSION,
        ...(p.keyboard ? { keyboard: p.keyboard } : {}),
      };
      return attempt(`vk ${item.kind}`, async () => {
        const r = await callPlatform(`${o.apiUrl}/${item.kind}`, {
          form,
          timeoutMs: o.timeoutMs,
        });
        const a = (r.json ?? {}) as {
          response?: unknown;
          error?: { error_code?: number; error_msg?: string };
        };
        const outcome = outcomeOfStatus(`vk ${item.kind}`, r, a.error?.error_msg);
        if (outcome.status !== 'sent') return outcome;
        if (a.error === undefined && a.response !== undefined)
          return { status: 'sent', externalId: String(a.response) };
        const error =
          `vk ${item.kind}: error ${a.error?.error_code ?? '?'} ${a.error?.error_msg ?? ''}`.trim();
        return TRANSIENT.has(a.error?.error_code ?? 0)
          ? { status: 'retry', error }
          : { status: 'failed', error };
      });
    },
  };
}
