/**
 * Conversations over the REST API: read one with its messages, reply as an operator
 * (delivered through the customer's own channel by the outbox), hand it back to the bot,
 * resolve it. The operators' console does the same over its websocket.
 */
import type { Router } from 'express';
import { z } from 'zod';
import type { ConversationRecord, ConversationStore } from '../../core/conversation-port.js';
import type { ConversationService } from '../../core/conversation-service.js';
import { AppError } from '../../errors.js';
import { jsonBody } from './body.js';
import { validate } from './validate.js';

const replyInput = z.strictObject({
  text: z.string().trim().min(1).max(4000),
  operator: z.string().trim().min(1).max(100),
});

/** The JSON shape of a conversation (reply context and other channel internals left out). */
export function conversationJson(c: ConversationRecord) {
  return {
    id: c.id,
    bot: c.bot,
    channel: c.channel,
    status: c.status,
    queue: c.queue,
    assigned_operator: c.assignedOperator,
    category: c.category,
    confidence: c.confidence,
    language: c.language,
    customer: { id: c.customerId, name: c.customerName },
    created_at: new Date(c.createdAt).toISOString(),
    updated_at: new Date(c.updatedAt).toISOString(),
  };
}

/** Mounts `/api/v1/conversations`. */
export function mountConversations(
  api: Router,
  d: { store: ConversationStore; service: ConversationService; bodyLimitBytes: number },
): void {
  const idOf = (raw: unknown) => {
    const id = Number(raw);
    if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('not_found', 'no such conversation');
    return id;
  };
  const found = <T>(v: T | undefined): T => {
    if (v === undefined) throw new AppError('not_found', 'no such conversation');
    return v;
  };

  api.get('/conversations/:id', async (req, res) => {
    const c = found(await d.store.getConversation(idOf(req.params.id)));
    const messages = (await d.store.listMessages(c.id)).map((m) => ({
      id: m.id,
      direction: m.direction,
      author: m.author,
      operator: m.operator,
      text: m.text,
      created_at: new Date(m.createdAt).toISOString(),
    }));
    res.json({ ...conversationJson(c), messages });
  });

  api.post('/conversations/:id/messages', jsonBody(d.bodyLimitBytes), async (req, res) => {
    const input = validate(replyInput, req.body, 'operator reply');
    const r = found(await d.service.reply(idOf(req.params.id), input.operator, input.text));
    res.status(201).json({ message_id: r.messageId, conversation: conversationJson(r.conversation) });
  });

  api.post('/conversations/:id/handback', async (req, res) => {
    res.json(conversationJson(found(await d.service.handBack(idOf(req.params.id)))));
  });

  api.post('/conversations/:id/resolve', async (req, res) => {
    res.json(conversationJson(found(await d.service.resolve(idOf(req.params.id)))));
  });
}
