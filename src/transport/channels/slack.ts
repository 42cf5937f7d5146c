/**
 * Slack Events API: `POST /webhooks/slack/:bot`.
 *
 * Every request is signed (`X-Slack-Signature`, v0 HMAC over `v0:{timestamp}:{body}`,
 * `X-Slack-Request-Timestamp` within five minutes either way:
 * https://api.slack.com/authentication/verifying-requests-from-slack), the URL check
 * included. `url_verification` echoes the challenge
 * (https://api.slack.com/events/url_verification); `event_callback` carries a `message`
 * (https://api.slack.com/events/message) or `app_mention`. Slack retries an event it got no
 * 2xx for within 3 s, with `X-Slack-Retry-Num` and the same `event_id` — the dedupe key
 * (https://api.slack.com/apis/connections/events-api#retries). Messages from bots
 * (`bot_id`) and with a `subtype` (edits, joins, the bot's own posts) are ignored.
 */
import type { Express } from 'express';
import { z } from 'zod';
import { detectLanguage } from '../../core/language.js';
import type { InboundMessage } from '../../core/ports.js';
import { keepRaw, readBody } from '../http/body.js';
import { rateLimit } from '../http/rate-limit.js';
import { verifySlack } from './signatures.js';
import {
  botFor,
  header,
  unauthorized,
  validate,
  verifiedObject,
  type WebhookDeps,
} from './webhook-common.js';

const slackEvent = z.object({
  type: z.string(),
  channel: z.string().optional(),
  user: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  channel_type: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
});

/** The Events API envelopes neurodesk reads. */
export const slackPayload = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('url_verification'),
    challenge: z.string().max(500),
    token: z.string().optional(),
  }),
  z.object({
    type: z.literal('event_callback'),
    team_id: z.string(),
    api_app_id: z.string(),
    event_id: z.string().min(1),
    event_time: z.number().int(),
    event: slackEvent,
  }),
]);

/** Where a Slack reply goes: the channel, and the thread for mentions in public channels. */
export interface SlackReplyContext {
  channel: string;
  threadTs?: string;
}

type Callback = Extract<z.infer<typeof slackPayload>, { type: 'event_callback' }>;

/** Turns an event callback into the inbound shape; undefined for events the bot ignores. */
export function normaliseSlack(bot: string, p: Callback): InboundMessage | undefined {
  const e = p.event;
  if (e.type !== 'message' && e.type !== 'app_mention') return undefined;
  if (e.bot_id || e.subtype || !e.channel || !e.user || !e.ts) return undefined;
  const direct = e.channel_type === 'im';
  const threadTs = direct ? undefined : (e.thread_ts ?? e.ts);
  // Mentions in <@U123> form are not the customer's words.
  const text = (e.text ?? '').replace(/<@[A-Z0-9]+>/g, '').trim();
  return {
    bot,
    channel: 'slack',
    deliveryId: p.event_id,
    chatId: direct ? e.channel : `${e.channel}:${threadTs}`,
    externalMessageId: e.ts,
    customerId: `${p.team_id}:${e.user}`,
    text,
    language: detectLanguage(text),
    replyContext: { channel: e.channel, threadTs } satisfies SlackReplyContext,
    meta: { teamId: p.team_id, eventType: e.type },
  };
}

/** Mounts the Slack Events API endpoint. */
export function mountSlack(app: Express, deps: WebhookDeps): void {
  app.post(
    '/webhooks/slack/:bot',
    rateLimit(deps.limiter),
    readBody({ limit: deps.bodyLimitBytes, types: { 'application/json': keepRaw } }),
    async (req, res) => {
      const bot = botFor(deps, req, 'slack');
      const ok = verifySlack({
        secret: bot.channels.slack!.signingSecret,
        rawBody: req.rawBody ?? Buffer.alloc(0),
        timestamp: header(req, 'x-slack-request-timestamp'),
        signature: header(req, 'x-slack-signature'),
        nowMs: deps.clock.now(),
        toleranceMs: deps.toleranceMs,
      });
      if (!ok) throw unauthorized();
      const body = verifiedObject(req);
      const type = body.type;
      if (type !== 'url_verification' && type !== 'event_callback') {
        // Envelopes such as app_rate_limited need nothing but the acknowledgement.
        res.status(200).end();
        return;
      }
      const p = validate(slackPayload, body, 'Slack event');
      if (p.type === 'url_verification') {
        res.json({ challenge: p.challenge });
        return;
      }
      const inbound = normaliseSlack(bot.name, p);
      if (inbound) {
        const r = await deps.intake.accept(inbound);
        req.log.info(
          {
            channel: 'slack',
            bot: bot.name,
            eventId: p.event_id,
            retry: header(req, 'x-slack-retry-num'),
            duplicate: r.duplicate,
          },
          'webhook accepted',
        );
      }
      res.status(200).end();
    },
  );
}
