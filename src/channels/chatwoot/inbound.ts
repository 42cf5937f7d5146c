/**
 * Chatwoot Agent Bot webhooks: `POST /webhooks/chatwoot/:bot`, checked and read.
 *
 * Chatwoot posts `message_created` for every message of the bot's inboxes
 * (payload: https://www.chatwoot.com/hc/user-guide/articles/1677693021-how-to-use-webhooks).
 * Only `message_type: incoming` and `private: false` is a customer writing; an outgoing
 * message from a `user` (a human agent) means an operator took the conversation; the bot's
 * own messages (`agent_bot`) and private notes are ignored. With a secret configured,
 * `X-Chatwoot-Signature` (HMAC-SHA256 over `{timestamp}.{body}`) and `X-Chatwoot-Timestamp`
 * (five minutes either way) are required. The message id is the dedupe key.
 *
 * Replies go to `conversation.display_id` when the payload has it: it is the id the API's
 * `/conversations/:id` routes take (and the one the dashboard shows); `conversation.id`
 * only when it is absent.
 */
import { z } from 'zod';
import type { ConversationService } from '../../core/conversation-service.js';
import { detectLanguage } from '../../core/language.js';
import { validate } from '../../transport/http/validate.js';
import type { Webhook } from '../contract.js';
import { type SignatureWindow, signedRequest } from '../signatures.js';
import type { ChatwootSettings } from './settings.js';
import { verifyChatwoot } from './signature.js';

// The headers of the signature and of its timestamp.
const HEADERS = { timestamp: 'x-chatwoot-timestamp', signature: 'x-chatwoot-signature' };

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
  conversation: z.object({ id, display_id: id.optional(), status: z.string().optional() }),
  account: z.object({ id }),
  inbox: z.object({ id }).optional(),
});

/** Where a Chatwoot reply goes. */
export interface ChatwootReplyContext {
  accountId: string;
  conversationId: string;
}

/** The Chatwoot webhook: the HMAC signature when a secret is set, then `message_created`. */
export function chatwootWebhook(
  d: SignatureWindow & { conversations: ConversationService },
): Webhook<ChatwootSettings> {
  return {
    verify(req, settings) {
      if (!settings.hmacSecret) return true;
      return verifyChatwoot(signedRequest(req, settings.hmacSecret, HEADERS, d));
    },
    async parse(req, _settings, bot) {
      const body = req.object();
      // conversation_opened, webwidget_triggered, ...: nothing to do
      if (body.event !== 'message_created') return {};
      const m = validate(chatwootMessageCreated, body, 'Chatwoot message_created event');
      const chatId = `${m.account.id}:${m.conversation.id}`;
      const replyContext: ChatwootReplyContext = {
        accountId: m.account.id,
        conversationId: m.conversation.display_id ?? m.conversation.id,
      };
      const log = { messageId: m.id, delivery: req.header('x-chatwoot-delivery') };
      const type = String(m.message_type);
      if ((type === 'incoming' || type === '0') && m.private !== true) {
        const text = m.content ?? '';
        const message = {
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
        };
        return { inbound: [{ message }], log };
      }
      if ((type === 'outgoing' || type === '1') && m.private !== true && m.sender?.type === 'user') {
        await d.conversations.operatorWrote(
          { bot: bot.name, channel: 'chatwoot', chatId, replyContext },
          m.sender.name ?? `chatwoot:${m.sender.id ?? 'agent'}`,
          m.content ?? '',
          m.id,
        );
        req.log.info({ channel: 'chatwoot', bot: bot.name, ...log }, 'operator message recorded');
      }
      return {};
    },
  };
}
