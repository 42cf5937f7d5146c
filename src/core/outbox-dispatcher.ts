import type { Logger } from '../logger.js';
import { type BackoffOptions, retryDelay } from './backoff.js';
import type { EventBus } from './events.js';
import type { Clock, Outbox, OutboxItem } from './ports.js';
import type { ChannelOutbounds, SendOutcome } from './replies.js';
import { WorkLoop } from './work-loop.js';

/** Options for {@link OutboxDispatcher}. */
export interface OutboxDispatcherOptions {
  outbox: Outbox;
  outbounds: ChannelOutbounds;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  backoff: BackoffOptions;
  /** Attempts before an item is dead-lettered. */
  maxAttempts: number;
  concurrency: number;
  pollMs: number;
  random?: () => number;
}

/**
 * Delivers the outbox. Each item is claimed (`sending`) before its one platform call, so
 * two loops never send it twice; success is recorded as `sent` and never retried. A
 * retryable failure waits an exponential backoff (or the platform's Retry-After, when
 * longer); after `maxAttempts`, or on a permanent error, the item is dead-lettered.
 */
export class OutboxDispatcher {
  private readonly loop: WorkLoop<OutboxItem>;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: OutboxDispatcherOptions) {
    this.loop = new WorkLoop<OutboxItem>({
      claim: (limit) => o.outbox.claimDue(limit),
      handle: (item) => this.deliver(item),
      concurrency: o.concurrency,
      pollMs: o.pollMs,
      onError: (err) => o.logger.error({ err }, 'outbox loop error'),
    });
    this.unsubscribe = o.events.subscribe((e) => {
      if (e.type === 'reply.queued') this.loop.wake();
    });
  }

  /** Starts delivering. */
  start(): void {
    this.loop.start();
  }

  /** Stops claiming and waits for sends in progress. */
  async stop(): Promise<void> {
    this.unsubscribe();
    await this.loop.stop();
  }

  private async deliver(item: OutboxItem): Promise<void> {
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
