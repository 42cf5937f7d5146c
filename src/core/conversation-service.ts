/**
 * What operators (and the platforms' own agents) do to a conversation: write to the
 * customer through the customer's own channel, hand it back to the bot, resolve it. The
 * operators' console calls these; so does the REST API.
 */

import { AppError } from '../errors.js';
import type {
  ConversationRecord,
  ConversationStatus,
  ConversationStore,
  OperatorActionRecord,
} from './conversation-port.js';
import type { EventBus } from './events.js';
import type { ChannelName } from './ports.js';
import type { ChannelOutbounds, ReplyAction } from './replies.js';

/** The result of an operator's reply. */
export interface OperatorReplyResult {
  conversation: ConversationRecord;
  messageId: number;
  outboxIds: number[];
}

/** Operators' actions on conversations. */
export class ConversationService {
  constructor(
    private readonly conversations: ConversationStore,
    private readonly outbounds: ChannelOutbounds,
    private readonly events: EventBus,
  ) {}

  /**
   * Sends an operator's text to the customer through the outbox and takes the conversation:
   * from now on the bot stays silent there until it is handed back.
   */
  async reply(
    conversationId: number,
    operator: string,
    text: string,
    label?: OperatorActionRecord,
  ): Promise<OperatorReplyResult | undefined> {
    const conversation = await this.conversations.getConversation(conversationId);
    if (!conversation) return undefined;
    const action: ReplyAction = { kind: 'message', text };
    const outbound = this.outbounds.get(conversation.channel);
    const sends = outbound
      ? outbound.plan(action, conversation, { deliveredInline: false, author: 'operator', operator })
      : [];
    const ids = await this.conversations.recordReplies(
      conversationId,
      [{ action, author: 'operator', operator, visible: true, sends }],
      { status: 'assigned', assignedOperator: operator },
      label,
    );
    const updated = (await this.conversations.getConversation(conversationId))!;
    this.announce(updated);
    this.events.publish({ type: 'messages.added', conversationId, messageIds: ids.messageIds });
    if (ids.outboxIds.length > 0) {
      this.events.publish({ type: 'reply.queued', conversationId, outboxIds: ids.outboxIds });
    }
    return { conversation: updated, messageId: ids.messageIds[0]!, outboxIds: ids.outboxIds };
  }

  /**
   * Records that an operator wrote on the platform itself (an agent of a help-desk platform): the
   * message joins the history and the bot goes silent in that conversation.
   */
  async operatorWrote(
    chat: { bot: string; channel: ChannelName; chatId: string; replyContext?: unknown },
    operator: string,
    text: string,
    externalId?: string,
  ): Promise<number> {
    const conversation = await this.conversations.ensureConversation(chat);
    const messageId = await this.conversations.recordOperatorMessage(
      conversation.id,
      text,
      operator,
      externalId,
    );
    const updated = await this.conversations.getConversation(conversation.id);
    if (updated) this.announce(updated);
    this.events.publish({ type: 'messages.added', conversationId: conversation.id, messageIds: [messageId] });
    return messageId;
  }

  /** Sends the bot's greeting into a chat (e.g. when the bot is added to one), creating its conversation. */
  async greet(
    chat: { bot: string; channel: ChannelName; chatId: string; replyContext?: unknown; language?: string },
    text: string,
  ): Promise<number[]> {
    const conversation = await this.conversations.ensureConversation(chat);
    const action: ReplyAction = { kind: 'message', text };
    const outbound = this.outbounds.get(conversation.channel);
    const sends = outbound
      ? outbound.plan(action, conversation, { deliveredInline: false, author: 'bot' })
      : [];
    const ids = await this.conversations.recordReplies(conversation.id, [
      { action, author: 'bot', visible: true, sends },
    ]);
    if (ids.messageIds.length > 0) {
      this.events.publish({
        type: 'messages.added',
        conversationId: conversation.id,
        messageIds: ids.messageIds,
      });
    }
    if (ids.outboxIds.length > 0) {
      this.events.publish({
        type: 'reply.queued',
        conversationId: conversation.id,
        outboxIds: ids.outboxIds,
      });
    }
    return ids.outboxIds;
  }

  /**
   * Assigns the conversation to an operator, so colleagues see it taken and the bot stays
   * silent. Taking one a colleague holds is refused: nobody answers a customer unknowingly.
   */
  async take(
    conversationId: number,
    operator: string,
    label?: OperatorActionRecord,
  ): Promise<ConversationRecord | undefined> {
    // One conditional write: of two operators taking at once, the second is refused.
    const updated = await this.conversations.updateConversation(
      conversationId,
      { status: 'assigned', assignedOperator: operator, ifFreeFor: operator },
      label,
    );
    if (!updated) return undefined;
    if (updated.assignedOperator !== operator) {
      throw new AppError(
        'conflict',
        `conversation ${conversationId} is taken by ${updated.assignedOperator}`,
      );
    }
    this.announce(updated);
    return updated;
  }

  /** Sets the conversation's category, as an operator corrected it. */
  async correctCategory(
    conversationId: number,
    category: string,
    label?: OperatorActionRecord,
  ): Promise<ConversationRecord | undefined> {
    const updated = await this.conversations.updateConversation(conversationId, { category }, label);
    if (updated) this.announce(updated);
    return updated;
  }

  /** Gives the conversation back to the bot. */
  handBack(conversationId: number, label?: OperatorActionRecord): Promise<ConversationRecord | undefined> {
    return this.setStatus(conversationId, 'bot', label);
  }

  /** Closes the conversation; a new customer message reopens it with the bot. */
  resolve(conversationId: number, label?: OperatorActionRecord): Promise<ConversationRecord | undefined> {
    return this.setStatus(conversationId, 'resolved', label);
  }

  private async setStatus(
    conversationId: number,
    status: ConversationStatus,
    label?: OperatorActionRecord,
  ): Promise<ConversationRecord | undefined> {
    const updated = await this.conversations.updateConversation(
      conversationId,
      { status, assignedOperator: null, queue: null },
      label,
    );
    if (updated) this.announce(updated);
    return updated;
  }

  private announce(c: ConversationRecord): void {
    this.events.publish({
      type: 'conversation.changed',
      conversationId: c.id,
      status: c.status,
      queue: c.queue,
      assignedOperator: c.assignedOperator,
    });
  }
}
