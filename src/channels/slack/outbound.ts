/**
 * Replies to Slack with chat.postMessage (https://api.slack.com/methods/chat.postMessage):
 * a bearer bot token, JSON, in the thread of a channel mention. Slack answers HTTP 200
 * with `{ok:false, error}` for most failures and 429 with `Retry-After` when rate-limited
 * (https://api.slack.com/apis/rate-limits).
 */
import { LRUCache } from 'lru-cache';
import { channelSettings } from '../../core/bots/bot.js';
import type { OutboxItem } from '../../core/ports.js';
import type { ChannelOutbound, PlannedSend, ReplyAction, SendOutcome } from '../../core/replies.js';
import type { Logger } from '../../logger.js';
import type { OutboundOptions } from '../contract.js';
import { attempt, callPlatform, outcomeOfStatus } from '../http-client.js';
import type { SlackNames, SlackReplyContext } from './inbound.js';
import type { SlackSettings } from './settings.js';

// Errors worth another try; the rest (channel_not_found, not_in_channel, invalid_auth...) are not.
const TRANSIENT = new Set([
  'ratelimited',
  'service_unavailable',
  'internal_error',
  'fatal_error',
  'request_timeout',
]);

/** The Slack outbound side. */
export function slackOutbound(o: OutboundOptions): ChannelOutbound {
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
      const settings = channelSettings<SlackSettings>(o.bots.get(item.bot), 'slack');
      if (!settings) return { status: 'retry', error: `slack is not configured for bot ${item.bot}` };
      return attempt(`slack ${item.kind}`, async () => {
        const r = await callPlatform(`${o.apiUrl}/${item.kind}`, {
          body: item.payload,
          headers: { authorization: `Bearer ${settings.botToken}` },
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

interface UserInfo {
  ok?: boolean;
  user?: { name?: string; real_name?: string; profile?: { real_name?: string; display_name?: string } };
}

/**
 * Customers' names from users.info (https://api.slack.com/methods/users.info), cached an hour
 * per workspace and user. Slack waits 3 s for the webhook's answer, so the call has at most
 * `timeoutMs`; any failure leaves the customer unnamed (and is not cached).
 */
export function slackNames(o: { apiUrl: string; timeoutMs: number; logger: Logger }): SlackNames {
  const cache = new LRUCache<string, { name: string | undefined }>({ max: 10_000, ttl: 3_600_000 });
  return async (bot, settings, teamId, user) => {
    const key = `${bot.name}:${teamId}:${user}`;
    const hit = cache.get(key);
    if (hit) return hit.name;
    try {
      const r = await callPlatform(`${o.apiUrl}/users.info?user=${encodeURIComponent(user)}`, {
        method: 'GET',
        headers: { authorization: `Bearer ${settings.botToken}` },
        timeoutMs: o.timeoutMs,
      });
      const a = (r.json ?? {}) as UserInfo;
      if (r.status !== 200 || !a.ok) {
        o.logger.warn({ channel: 'slack', status: r.status }, 'users.info failed: customer left unnamed');
        return undefined;
      }
      const u = a.user ?? {};
      const name = u.profile?.real_name || u.real_name || u.profile?.display_name || u.name || undefined;
      cache.set(key, { name });
      return name;
    } catch {
      return undefined;
    }
  };
}
