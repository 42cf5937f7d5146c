import type { EventBus } from './events.js';
import type { AcceptResult, InboundMessage, Inbox } from './ports.js';

/** The job kind that runs the pipeline on a stored message. */
export const PROCESS_MESSAGE = 'process_message';

/**
 * Where every channel hands its normalised message: one durable transaction (dedupe,
 * conversation, message, processing job), then the announcement that wakes the worker.
 * The caller acknowledges the platform only after this returns.
 */
export class Intake {
  constructor(
    private readonly inbox: Inbox,
    private readonly events: EventBus,
  ) {}

  /** Stores a message and queues its processing; a replayed delivery changes nothing. */
  accept(message: InboundMessage): AcceptResult {
    const result = this.inbox.accept(message, PROCESS_MESSAGE);
    if (!result.duplicate) this.announce(message, result);
    return result;
  }

  /** Stores a message for the record only (e.g. an edit), without processing it. */
  record(message: InboundMessage): AcceptResult {
    const result = this.inbox.accept(message);
    if (!result.duplicate) this.announce(message, result);
    return result;
  }

  private announce(message: InboundMessage, result: AcceptResult): void {
    this.events.publish({
      type: 'message.received',
      bot: message.bot,
      channel: message.channel,
      conversationId: result.conversationId,
      messageId: result.messageId,
    });
  }
}
