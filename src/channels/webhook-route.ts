/**
 * The one webhook route of every platform: `POST /webhooks/<channel>/:bot`. Rate limit, raw
 * body, bot lookup (404, the same for unknown bots and channels a bot does not run),
 * `verify` (401, the same for every reason), `parse`, then the intake: the messages are
 * committed before the platform gets its 2xx, so nothing acknowledged is lost, and a
 * replayed delivery is deduplicated by its delivery id.
 */
import type { Express, Request, RequestHandler } from 'express';
import type { Bot, BotRegistry } from '../core/bots/bot.js';
import type { Intake } from '../core/intake.js';
import type { PlannedSend } from '../core/replies.js';
import { AppError } from '../errors.js';
import { keepRaw, parseForm, parseJson, readBody } from '../transport/http/body.js';
import { type RateLimiter, rateLimit } from '../transport/http/rate-limit.js';
import type { Webhook, WebhookRequest } from './contract.js';

/** The one 401 every failed verification gets: it says nothing about what was wrong. */
export function unauthorized(): AppError {
  return new AppError('unauthorized', 'authentication required');
}

/** What the route needs. */
export interface WebhookRouteDeps {
  bots: BotRegistry;
  intake: Intake;
  limiter: RateLimiter;
  bodyLimitBytes: number;
  /** The webhooks by channel name. */
  webhooks: ReadonlyMap<string, Webhook<unknown>>;
  /** Queues a channel's calls that belong to no conversation. */
  enqueue(channel: string, bot: string, sends: readonly PlannedSend[]): Promise<void>;
}

const header = (req: Request) => (name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The body as an object: parsed JSON for raw JSON bodies, the parsed form (or JSON) otherwise. */
function bodyObject(req: Request): () => Record<string, unknown> {
  let parsed: Record<string, unknown> | undefined;
  return () => {
    if (parsed) return parsed;
    if (!req.rawBody) throw new AppError('bad_request', 'a request body is required');
    const body = req.body === undefined ? parseJson(req.rawBody, req) : req.body;
    // Envelopes of kinds we do not handle are acknowledged, but a body that is not an
    // object is no envelope at all: 400.
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new AppError('validation_failed', 'the body must be a JSON object');
    parsed = body as Record<string, unknown>;
    return parsed;
  };
}

/** Mounts the webhook route of every channel that has one. */
export function mountWebhooks(app: Express, d: WebhookRouteDeps): void {
  const readers: Record<'json' | 'form', RequestHandler> = {
    json: readBody({ limit: d.bodyLimitBytes, types: { 'application/json': keepRaw } }),
    form: readBody({
      limit: d.bodyLimitBytes,
      types: { 'application/x-www-form-urlencoded': parseForm, 'application/json': parseJson },
    }),
  };
  for (const [channel, webhook] of d.webhooks) {
    app.post(
      `/webhooks/${channel}/:bot`,
      rateLimit(d.limiter),
      readers[webhook.body ?? 'json'],
      async (req, res) => {
        const bot: Bot | undefined = d.bots.withChannel(String(req.params.bot ?? ''), channel);
        if (!bot) throw new AppError('not_found', `no ${channel} webhook for this bot`);
        const settings = bot.channels[channel];
        const request: WebhookRequest = {
          header: header(req),
          rawBody: req.rawBody ?? Buffer.alloc(0),
          object: bodyObject(req),
          log: req.log,
        };
        if (!(await webhook.verify(request, settings, bot))) throw unauthorized();
        const result = await webhook.parse(request, settings, bot);
        let duplicate: boolean | undefined;
        for (const { message, recordOnly } of result.inbound ?? []) {
          // An edit is kept for the operators but not answered again.
          const r = await (recordOnly ? d.intake.record(message) : d.intake.accept(message));
          duplicate = r.duplicate;
        }
        if (result.calls?.length) await d.enqueue(channel, bot.name, result.calls);
        if (result.inbound?.length || result.log) {
          req.log.info({ channel, bot: bot.name, ...result.log, duplicate }, 'webhook accepted');
        }
        const answer = result.answer;
        if (!answer) res.status(200).end();
        else if ('json' in answer) res.json(answer.json);
        else res.type('text/plain').send(answer.text);
      },
    );
  }
}
