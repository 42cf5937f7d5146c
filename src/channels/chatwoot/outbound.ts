/**
 * Replies through Chatwoot's application API with the bot's access token
 * (`api_access_token` header): messages with
 * `POST /api/v1/accounts/{account_id}/conversations/{id}/messages`
 * (https://developers.chatwoot.com/api-reference/messages/create-new-message) — private
 * notes carry the suggested answers for the agents — and the handoff with
 * `POST .../toggle_status` `{status: "open"}`, which takes the conversation from the bot's
 * `pending` to the agents' `open` (https://developers.chatwoot.com/api-reference/conversations/toggle-status).
 */
import { channelSettings } from '../../core/bots/bot.js';
import type { OutboxItem } from '../../core/ports.js';
import type { ChannelOutbound, PlannedSend, ReplyAction, SendOutcome } from '../../core/replies.js';
import type { OutboundOptions } from '../contract.js';
import { attempt, callPlatform, outcomeOfStatus } from '../http-client.js';
import type { ChatwootReplyContext } from './inbound.js';
import type { ChatwootSettings } from './settings.js';

interface ChatwootPayload extends ChatwootReplyContext {
  content?: string;
  private?: boolean;
  status?: string;
}

/** The Chatwoot outbound side. `apiUrl` is the default instance; a bot file may name its own. */
export function chatwootOutbound(o: OutboundOptions): ChannelOutbound {
  return {
    channel: 'chatwoot',
    plan(action: ReplyAction, conversation): PlannedSend[] {
      const c = conversation.replyContext as ChatwootReplyContext;
      const at = { accountId: c.accountId, conversationId: c.conversationId };
      switch (action.kind) {
        case 'message':
          return [{ kind: 'message', payload: { ...at, content: action.text, private: false } }];
        case 'handoff':
          return [
            { kind: 'message', payload: { ...at, content: action.text, private: false } },
            { kind: 'toggle_status', payload: { ...at, status: 'open' } },
          ];
        case 'products':
          return [{ kind: 'message', payload: { ...at, content: action.text, private: false } }];
        case 'suggestions':
          return [{ kind: 'message', payload: { ...at, content: action.text, private: true } }];
        default:
          return [];
      }
    },
    async send(item: OutboxItem): Promise<SendOutcome> {
      const cw = channelSettings<ChatwootSettings>(o.bots.get(item.bot), 'chatwoot');
      if (!cw) return { status: 'retry', error: `chatwoot is not configured for bot ${item.bot}` };
      const p = item.payload as ChatwootPayload;
      const base = `${(cw.apiUrl ?? o.apiUrl).replace(/\/+$/, '')}/api/v1/accounts/${encodeURIComponent(p.accountId)}/conversations/${encodeURIComponent(p.conversationId)}`;
      const [url, body] =
        item.kind === 'toggle_status'
          ? [`${base}/toggle_status`, { status: p.status }]
          : [
              `${base}/messages`,
              { content: p.content, message_type: 'outgoing', private: p.private ?? false },
            ];
      return attempt(`chatwoot ${item.kind}`, async () => {
        const r = await callPlatform(url, {
          body,
          headers: { api_access_token: cw.apiToken },
          timeoutMs: o.timeoutMs,
        });
        const outcome = outcomeOfStatus(`chatwoot ${item.kind}`, r);
        const created = (r.json as { id?: number } | undefined)?.id;
        return outcome.status === 'sent' ? { status: 'sent', externalId: created?.toString() } : outcome;
      });
    },
  };
}
