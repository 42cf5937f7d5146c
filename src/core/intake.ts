import type { EventBus } from './events.js';
import type { AcceptResult, InboundMessage, Inbox, InboxEntry } from './ports.js';

/** The job kind that runs the pipeline on a stored message. */
export const PROCESS_MESSAGE = 'process_message';

/** Most deliveries committed together; more wait for the next commit. */
const MAX_BATCH = 256;

interface Pending extends InboxEntry {
  resolve(result: AcceptResult): void;
  reject(err: unknown): void;
}

/**
 * Where every channel hands its normalised message: one durable transaction (dedupe,
 * conversation, message, processing job), then the announcement that wakes the worker.
 * The caller acknowledges the platform only after the returned promise resolves.
 *
 * Group commit: deliveries handed in while the previous commit was syncing to disk (or, on
 * a database server, in flight) are committed together on the next turn of the event loop,
 * so the disk syncs once for all of them. Under load the batches grow by themselves, and a delivery waits about one sync
 * instead of queueing behind one sync per earlier delivery.
 */
export class Intake {
  private queue: Pending[] = [];
  private scheduled = false;
  private committing = false;

  constructor(
    private readonly inbox: Inbox,
    private readonly events: EventBus,
  ) {}

  /** Stores a message and queues its processing; a replayed delivery changes nothing. */
  accept(message: InboundMessage): Promise<AcceptResult> {
    return this.enqueue({ message, jobKind: PROCESS_MESSAGE });
  }

  /** Stores a message for the record only (e.g. an edit), without processing it. */
  record(message: InboundMessage): Promise<AcceptResult> {
    return this.enqueue({ message });
  }

  private enqueue(entry: InboxEntry): Promise<AcceptResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...entry, resolve, reject });
      this.schedule();
    });
  }

  /** One commit at a time: deliveries arriving meanwhile wait for the next, and share it. */
  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.committing = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    let results: Array<AcceptResult | Error> | undefined;
    let failure: unknown;
    try {
      results = await this.inbox.acceptMany(batch);
    } catch (err) {
      failure = err;
    }
    this.committing = false;
    if (this.queue.length > 0) this.schedule();
    if (!results) {
      // Nothing of the batch was stored (e.g. the database is locked): each caller answers so.
      for (const p of batch) p.reject(failure);
      return;
    }
    batch.forEach((p, i) => {
      const r = results[i]!;
      if (r instanceof Error) p.reject(r);
      else {
        if (!r.duplicate) this.announce(p.message, r);
        p.resolve(r);
      }
    });
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
