import { retryDelay } from './backoff.js';
import type { Outbox, OutboxItem } from './ports.js';
import { QueueWorker, type QueueWorkerOptions } from './queue-worker.js';
import type { ChannelOutbounds, SendOutcome } from './replies.js';

/** Options for {@link OutboxDispatcher}; after `maxAttempts` an item is dead-lettered. */
export interface OutboxDispatcherOptions extends QueueWorkerOptions {
  outbox: Outbox;
  outbounds: ChannelOutbounds;
}

/**
 * Delivers the outbox. Each item is claimed (`sending`) before its one platform call, so
 * two loops never send it twice; success is recorded as `sent` and never retried. A
 * retryable failure waits an exponential backoff (or the platform's Retry-After, when
 * longer); after `maxAttempts`, or on a permanent error, the item is dead-lettered.
 */
export class OutboxDispatcher extends QueueWorker<OutboxItem> {
  constructor(private readonly o: OutboxDispatcherOptions) {
    super({ name: 'outbox', claim: (limit) => o.outbox.claimDue(limit), wakeOn: 'reply.queued', options: o });
  }

  protected async handle(item: OutboxItem): Promise<void> {
    const { outbox, outbounds, events, clock, logger } = this.o;
    const outbound = outbounds.get(item.channel);
    let outcome: SendOutcome;
    if (!outbound) outcome = { status: 'retry', error: `channel ${item.channel} is not running` };
    else {
      try {
        outcome = await outbound.send(item);
      } catch (err) {
        outcome = { status: 'retry', error: (err as Error).message ?? String(err) };
      }
    }
    const log = { outboxId: item.id, channel: item.channel, kind: item.kind, attempts: item.attempts };
    // The marks are recorded even if the store refuses for a while (locked): an item left
    // `sending` would never be retried, and one sent must not be sent again.
    if (outcome.status === 'sent') {
      await this.loop.settle(() => outbox.markSent(item.id));
      logger.debug(log, 'reply sent');
      events.publish({
        type: 'reply.sent',
        channel: item.channel,
        conversationId: item.conversationId,
        outboxId: item.id,
        messageId: item.messageId,
      });
      return;
    }
    const dead = outcome.status === 'failed' || item.attempts >= this.o.maxAttempts;
    const wait = Math.max(
      retryDelay(item.attempts, this.o.backoff, this.o.random),
      outcome.status === 'retry' ? (outcome.retryAfterMs ?? 0) : 0,
    );
    await this.loop.settle(() => outbox.markFailed(item.id, outcome.error, dead ? null : clock.now() + wait));
    logger.warn(
      { ...log, error: outcome.error, dead },
      dead ? 'reply dead-lettered' : 'reply will be retried',
    );
    events.publish({
      type: 'reply.failed',
      channel: item.channel,
      conversationId: item.conversationId,
      outboxId: item.id,
      dead,
      attempts: item.attempts,
    });
  }
}
