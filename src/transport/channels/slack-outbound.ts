/**
 * Replies to Slack with chat.postMessage (https://api.slack.com/methods/chat.postMessage):
 * a bearer bot token, JSON, in the thread of a channel mention. Slack answers HTTP 200
 * with `{ok:false, error}` for most failures and 429 with `Retry-After` when rate-limited
 * (https://api.slack.com/apis/rate-limits).
 */
import type { BotRegistry } from '../../core/bots/bot.js';
import type { OutboxItem } from '../../core/ports.js';
import type { ChannelOutbound, PlannedSend, ReplyAction, SendOutcome } from '../../core/replies.js';
import { attempt, callPlatform, outcomeOfStatus } from './http-client.js';
import type { SlackReplyContext } from './slack.js';

// Errors worth another try; the rest (channel_not_found, not_in_channel, invalid_auth...) are not.
const TRANSIENT = new Set([
  'ratelimited',
  'service_unavailable',
  'internal_error',
  'fatal_error',
  'request_timeout',
]);

/** The Slack outbound side. */
export function slackOutbound(o: { bots: BotRegistry; apiUrl: string; timeoutMs: number }): ChannelOutbound {
  return {
    channel: 'slack',
    plan(action: ReplyAction, conversation): PlannedSend[] {
      const c = conversation.replyContext as SlackReplyContext;
      if (action.kind !== 'message' && action.kind !== 'handoff' && action.kind !== 'products') return [];
      return [
        {
          kind: 'chat.postMessage',
          payload: {
            channel: c.channel,
            text: action.text,
            ...(c.threadTs ? { thread_ts: c.threadTs } : {}),
          },
        },
      ];
    },
    async send(item: OutboxItem): Promise<SendOutcome> {
      const bot = o.bots.withChannel(item.bot, 'slack');
      if (!bot) return { status: 'retry', error: `slack is not configured for bot ${item.bot}` };
      return attempt(`slack ${item.kind}`, async () => {
        const r = await callPlatform(`${o.apiUrl}/${item.kind}`, {
          body: item.payload,
          headers: { authorization: `Bearer ${bot.channels.slack!.botToken}` },
          timeoutMs: o.timeoutMs,
        });
        const a = (r.json ?? {}) as { ok?: boolean; error?: string; ts?: string };
        const outcome = outcomeOfStatus(`slack ${item.kind}`, r, a.error);
        if (outcome.status !== 'sent') return outcome;
        if (a.ok) return { status: 'sent', externalId: a.ts };
        const error = `slack ${item.kind}: ${a.error ?? 'ok:false'}`;
        return TRANSIENT.has(a.error ?? '') ? { status: 'retry', error } : { status: 'failed', error };
      });
    },
  };
}
