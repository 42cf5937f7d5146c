/**
 * The REST channel's outbound side. A CRM gets the bot's answer in the response to
 * `POST /api/v1/tickets`; what comes later (an operator's reply, or the bot's when the
 * ticket could not be processed at once) is POSTed as JSON to the ticket's `callback_url`.
 */
import type { OutboxItem, ProductCard } from '../../core/ports.js';
import type { ChannelOutbound, PlannedSend, ReplyAction, SendOutcome } from '../../core/replies.js';
import { attempt, callPlatform, outcomeOfStatus } from '../http-client.js';

/** What the REST channel keeps to reply later. */
export interface RestReplyContext {
  callbackUrl?: string;
  externalId?: string;
}

interface CallbackPayload {
  url: string;
  body: {
    external_id: string | null;
    conversation_id: number;
    kind: string;
    author: string;
    text: string;
    queue?: string;
    products?: ProductCard[];
  };
}

/** The REST callback outbound side. */
export function restCallbackOutbound(o: { timeoutMs: number }): ChannelOutbound {
  return {
    channel: 'rest',
    plan(action: ReplyAction, conversation, context): PlannedSend[] {
      const c = (conversation.replyContext ?? {}) as RestReplyContext;
      if (context.deliveredInline || !c.callbackUrl) return [];
      if (action.kind !== 'message' && action.kind !== 'handoff' && action.kind !== 'products') return [];
      const payload: CallbackPayload = {
        url: c.callbackUrl,
        body: {
          external_id: c.externalId ?? null,
          conversation_id: conversation.id,
          kind: action.kind,
          author: context.author,
          text: action.text,
          ...(action.kind === 'handoff' ? { queue: action.queue } : {}),
          ...(action.kind === 'products' ? { products: action.items } : {}),
        },
      };
      return [{ kind: 'callback', payload }];
    },
    async send(item: OutboxItem): Promise<SendOutcome> {
      const p = item.payload as CallbackPayload;
      return attempt('rest callback', async () => {
        const r = await callPlatform(p.url, {
          body: { ...p.body, message_id: item.messageId },
          timeoutMs: o.timeoutMs,
        });
        return outcomeOfStatus('rest callback', r);
      });
    },
  };
}
