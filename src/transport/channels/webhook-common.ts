import type { Request } from 'express';
import type { z } from 'zod';
import type { Bot, BotRegistry } from '../../core/bots/bot.js';
import type { ConversationService } from '../../core/conversation-service.js';
import type { Intake } from '../../core/intake.js';
import type { ChannelName, Clock } from '../../core/ports.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { parseJson } from '../http/body.js';
import type { RateLimiter } from '../http/rate-limit.js';

/** What every webhook adapter is built from. */
export interface WebhookDeps {
  bots: BotRegistry;
  intake: Intake;
  conversations: ConversationService;
  clock: Clock;
  logger: Logger;
  limiter: RateLimiter;
  bodyLimitBytes: number;
  /** How far a signed timestamp may be from now, either way. */
  toleranceMs: number;
}

/** The bot named in the path if it runs `channel`; otherwise 404 (the same for unknown bots and disabled channels). */
export function botFor(deps: WebhookDeps, req: Request, channel: ChannelName): Bot {
  const name = String(req.params.bot ?? '');
  const bot = deps.bots.withChannel(name, channel);
  if (!bot) throw new AppError('not_found', `no ${channel} webhook for this bot`);
  return bot;
}

/** The one 401 every failed verification gets: it says nothing about what was wrong. */
export function unauthorized(): AppError {
  return new AppError('unauthorized', 'authentication required');
}

/** Parses the verified raw body as JSON (400 on malformed JSON). */
export function verifiedJson(req: Request): unknown {
  if (!req.rawBody) throw new AppError('bad_request', 'a request body is required');
  return parseJson(req.rawBody, req);
}

/**
 * The verified raw body as a JSON object. Envelopes of kinds we do not handle are
 * acknowledged, but a body that is not an object is no envelope at all: 400.
 */
export function verifiedObject(req: Request): Record<string, unknown> {
  const body = verifiedJson(req);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AppError('validation_failed', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Validates a payload against a platform schema; 400 lists the failing fields (never their values). */
export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || '(root)'))].slice(0, 10);
  throw new AppError('validation_failed', `not a valid ${what}: check ${fields.join(', ')}`, {
    details: r.error.issues.slice(0, 10).map((i) => ({ field: i.path.join('.'), problem: i.message })),
  });
}

/** A header as one string (the first, if repeated). */
export function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
