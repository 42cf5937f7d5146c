/**
 * Chatwoot Agent Bot webhooks: `POST /webhooks/chatwoot/:bot`.
 *
 * Chatwoot posts `message_created` for every message of the bot's inboxes
 * (payload: https://www.chatwoot.com/hc/user-guide/articles/1677693021-how-to-use-webhooks).
 * Only `message_type: incoming` and `private: false` is a customer writing; an outgoing
 * message from a `user` (a human agent) means an operator took the conversation; the bot's
 * own messages (`agent_bot`) and private notes are ignored. With a secret configured,
 * `X-Chatwoot-Signature` (HMAC-SHA256 over `{timestamp}.{body}`) and `X-Chatwoot-Timestamp`
 * (five minutes either way) are required. The message id is the dedupe key.
 */
import type { Express } from 'express';
import { z } from 'zod';
import { detectLanguage } from '../../core/language.js';
import { keepRaw, readBody } from '../http/body.js';
import { rateLimit } from '../http/rate-limit.js';
import { verifyChatwoot } from './signatures.js';
import {
  botFor,
  header,
  unauthorized,
  validate,
  verifiedObject,
  type WebhookDeps,
} from './webhook-common.js';

const id = z.union([z.number().int(), z.string().regex(/^\d{1,20}$/)]).transform(String);

/** The `message_created` payload, as far as neurodesk reads it. */
export const chatwootMessageCreated = z.object({
  event: z.literal('message_created'),
  id,
  content: z.string().nullable().optional(),
  message_type: z.union([z.string(), z.number()]),
  private: z.boolean().optional(),
  sender: z
    .object({ id: id.optional(), name: z.string().nullable().optional(), type: z.string().optional() })
    .optional(),
  conversation: z.object({ id, status: z.string().optional() }),
  account: z.object({ id }),
  inbox: z.object({ id }).optional(),
});

/** Where a Chatwoot reply goes. */
export interface ChatwootReplyContext {
  accountId: string;
  conversationId: string;
}

/** Mounts the Chatwoot Agent Bot webhook. */
export function mountChatwoot(app: Express, deps: WebhookDeps): void {
  app.post(
    '/webhooks/chatwoot/:bot',
    rateLimit(deps.limiter),
    readBody({ limit: deps.bodyLimitBytes, types: { 'application/json': keepRaw } }),
    async (req, res) => {
      const bot = botFor(deps, req, 'chatwoot');
      const secret = bot.channels.chatwoot!.hmacSecret;
      if (secret) {
        const ok = verifyChatwoot({
          secret,
          rawBody: req.rawBody ?? Buffer.alloc(0),
          timestamp: header(req, 'x-chatwoot-timestamp'),
          signature: header(req, 'x-chatwoot-signature'),
          nowMs: deps.clock.now(),
          toleranceMs: deps.toleranceMs,
        });
        if (!ok) throw unauthorized();
      }
      const body = verifiedObject(req);
      if (body.event !== 'message_created') {
        res.status(200).end(); // conversation_opened, webwidget_triggered, ...: nothing to do
        return;
      }
      const m = validate(chatwootMessageCreated, body, 'Chatwoot message_created event');
      const chatId = `${m.account.id}:${m.conversation.id}`;
      const replyContext: ChatwootReplyContext = {
        accountId: m.account.id,
        conversationId: m.conversation.id,
      };
      const log = {
        channel: 'chatwoot',
        bot: bot.name,
        messageId: m.id,
        delivery: header(req, 'x-chatwoot-delivery'),
      };
      const type = String(m.message_type);
      if ((type === 'incoming' || type === '0') && m.private !== true) {
        const text = m.content ?? '';
        const r = await deps.intake.accept({
          bot: bot.name,
          channel: 'chatwoot',
          deliveryId: `message:${m.account.id}:${m.id}`,
          chatId,
          externalMessageId: m.id,
          customerId: m.sender?.id,
          customerName: m.sender?.name ?? undefined,
          text,
          language: detectLanguage(text),
          replyContext,
          meta: { inboxId: m.inbox?.id },
        });
        req.log.info({ ...log, duplicate: r.duplicate }, 'webhook accepted');
      } else if ((type === 'outgoing' || type === '1') && m.private !== true && m.sender?.type === 'user') {
        deps.conversations.operatorWrote(
          { bot: bot.name, channel: 'chatwoot', chatId, replyContext },
          m.sender.name ?? `chatwoot:${m.sender.id ?? 'agent'}`,
          m.content ?? '',
          m.id,
        );
        req.log.info(log, 'operator message recorded');
      }
      res.status(200).end();
    },
  );
}
