/**
 * The REST API for CRMs: `POST /api/v1/tickets` stores a ticket (idempotent on
 * `external_id`), runs the bot on it at once and answers with the decision;
 * `GET /api/v1/tickets/:id` shows a ticket and what happened to it since.
 */
import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import type { BotRegistry } from '../../core/bots/bot.js';
import type { ConversationStore, TicketView } from '../../core/conversation-port.js';
import type { Intake } from '../../core/intake.js';
import type { JobWorker } from '../../core/job-worker.js';
import { detectLanguage } from '../../core/language.js';
import type { JobQueue } from '../../core/ports.js';
import { AppError } from '../../errors.js';
import { jsonBody } from '../../transport/http/body.js';
import { validate } from '../../transport/http/validate.js';
import type { RestReplyContext } from './outbound.js';

const ticketInput = z.strictObject({
  text: z.string().trim().min(1).max(20_000),
  subject: z.string().trim().max(500).optional(),
  customer: z
    .union([
      z
        .string()
        .max(200)
        .transform((name) => ({ name, id: undefined as string | undefined })),
      z.strictObject({
        id: z.string().max(200).optional(),
        name: z.string().max(200).optional(),
        email: z.string().max(320).optional(),
      }),
    ])
    .optional(),
  external_id: z.string().min(1).max(200).optional(),
  channel: z.string().max(50).optional(),
  callback_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  bot: z.string().max(63).optional(),
});

/** What the ticket routes need. */
export interface TicketsDeps {
  bots: BotRegistry;
  intake: Intake;
  jobs: JobQueue;
  worker: JobWorker;
  conversations: ConversationStore;
  bodyLimitBytes: number;
}

/** The JSON shape of a ticket. */
export function ticketJson(v: TicketView) {
  const d = v.decision;
  const reply = d?.replyText ?? null;
  return {
    ticket_id: v.message.id,
    conversation_id: v.conversation.id,
    external_id: (v.conversation.replyContext as RestReplyContext | null)?.externalId ?? null,
    bot: v.conversation.bot,
    status: d ? v.conversation.status : 'processing',
    category: d?.category ?? null,
    confidence: d?.confidence ?? null,
    suggestions: (d?.suggestions ?? []).map((s) => ({ answer_id: s.answerId, text: s.text, score: s.score })),
    action: d?.action ?? null,
    reason: d?.reason ?? null,
    queue: d?.queue ?? null,
    language: d?.language ?? v.conversation.language,
    ...(reply !== null ? { reply } : {}),
    replies: v.replies.map((m) => ({
      id: m.id,
      author: m.author,
      text: m.text,
      created_at: new Date(m.createdAt).toISOString(),
    })),
    created_at: new Date(v.message.createdAt).toISOString(),
  };
}

/** Mounts `/api/v1/tickets`. */
export function mountTickets(api: Router, d: TicketsDeps): void {
  api.post('/tickets', jsonBody(d.bodyLimitBytes), async (req, res) => {
    const input = validate(ticketInput, req.body, 'ticket');
    const botName = input.bot ?? d.bots.all().find((b) => b.channels.rest)?.name;
    const bot = botName ? d.bots.withChannel(botName, 'rest') : undefined;
    if (!bot) throw new AppError('not_found', `no bot "${botName ?? ''}" with the REST channel`);
    const text = input.subject ? `${input.subject}\n\n${input.text}` : input.text;
    const key = input.external_id ?? randomUUID();
    const replyContext: RestReplyContext = { callbackUrl: input.callback_url, externalId: input.external_id };
    const accepted = await d.intake.accept({
      bot: bot.name,
      channel: 'rest',
      deliveryId: key,
      chatId: input.external_id ? `ext:${input.external_id}` : `ticket:${key}`,
      externalMessageId: input.external_id,
      customerId: input.customer?.id,
      customerName: input.customer?.name,
      text,
      language: detectLanguage(text),
      replyContext,
      meta: { source: input.channel, subject: input.subject },
    });
    if (!accepted.duplicate && accepted.jobId !== undefined) {
      // Claimed as soon as the commit returns, before the woken worker's next turn, so the
      // background worker cannot take it too.
      const job = await d.jobs.claim(accepted.jobId);
      if (job) await d.worker.runInline(job);
    }
    const view = (await d.conversations.ticket(accepted.messageId))!;
    const status = accepted.duplicate ? 200 : view.decision ? 201 : 202;
    if (status !== 200) res.setHeader('Location', `/api/v1/tickets/${view.message.id}`);
    res.status(status).json(ticketJson(view));
  });

  api.get('/tickets/:id', async (req, res) => {
    const id = Number(req.params.id);
    const view = Number.isSafeInteger(id) && id > 0 ? await d.conversations.ticket(id) : undefined;
    if (!view) throw new AppError('not_found', 'no such ticket');
    res.json(ticketJson(view));
  });
}
