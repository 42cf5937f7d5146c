/**
 * Slack Events API: `POST /webhooks/slack/:bot`, checked and read.
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
 *
 * A mention in a channel the app is in arrives twice, as `message` and as `app_mention`,
 * with different `event_id`s: the dedupe key is the message itself (team, channel, `ts`),
 * so it is answered once. The customer is named with users.info
 * (https://api.slack.com/methods/users.info), cached.
 */
import { z } from 'zod';
import type { Bot } from '../../core/bots/bot.js';
import { detectLanguage } from '../../core/language.js';
import type { InboundMessage } from '../../core/ports.js';
import { validate } from '../../transport/http/validate.js';
import type { Webhook } from '../contract.js';
import { type SignatureWindow, signedRequest } from '../signatures.js';
import type { SlackSettings } from './settings.js';
import { verifySlack } from './signature.js';

// The headers of the signature and of its timestamp.
const HEADERS = { timestamp: 'x-slack-request-timestamp', signature: 'x-slack-signature' };

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
    // The message, not the event: `message` and `app_mention` of one mention share it.
    deliveryId: `${p.team_id}:${e.channel}:${e.ts}`,
    chatId: direct ? e.channel : `${e.channel}:${threadTs}`,
    externalMessageId: e.ts,
    customerId: `${p.team_id}:${e.user}`,
    text,
    language: detectLanguage(text),
    replyContext: { channel: e.channel, threadTs } satisfies SlackReplyContext,
    meta: { teamId: p.team_id, eventType: e.type, eventId: p.event_id },
  };
}

/** Who wrote, by user id: the name to greet them with (undefined when Slack does not say). */
export type SlackNames = (
  bot: Bot,
  settings: SlackSettings,
  teamId: string,
  user: string,
) => Promise<string | undefined>;

/** The Slack webhook: the v0 signature, then the envelope. */
export function slackWebhook(d: SignatureWindow & { names: SlackNames }): Webhook<SlackSettings> {
  return {
    verify: (req, settings) => verifySlack(signedRequest(req, settings.signingSecret, HEADERS, d)),
    async parse(req, settings, bot) {
      const body = req.object();
      // Envelopes such as app_rate_limited need nothing but the acknowledgement.
      if (body.type !== 'url_verification' && body.type !== 'event_callback') return {};
      const p = validate(slackPayload, body, 'Slack event');
      if (p.type === 'url_verification') return { answer: { json: { challenge: p.challenge } } };
      const log = { eventId: p.event_id, retry: req.header('x-slack-retry-num') };
      const message = normaliseSlack(bot.name, p);
      if (!message) return {};
      message.customerName = await d.names(bot, settings, p.team_id, p.event.user!);
      return { inbound: [{ message }], log };
    },
  };
}
