import type { Logger } from '../logger.js';
import type { BackoffOptions } from './backoff.js';
import type { EventBus, GatewayEventType } from './events.js';
import type { Clock } from './ports.js';
import { WorkLoop } from './work-loop.js';

/** What every worker over a durable queue is configured with. */
export interface QueueWorkerOptions {
  events: EventBus;
  clock: Clock;
  logger: Logger;
  backoff: BackoffOptions;
  /** Attempts before an item is given up on (each worker says what giving up means). */
  maxAttempts: number;
  concurrency: number;
  pollMs: number;
  random?: () => number;
}

/**
 * A worker over one durable queue: a {@link WorkLoop} that claims due items, is woken at once
 * by one kind of event (new work was stored), and is started and stopped with the gateway.
 * Subclasses say how an item is handled.
 */
export abstract class QueueWorker<T> {
  protected readonly loop: WorkLoop<T>;
  private readonly unsubscribe: () => void;

  protected constructor(w: {
    name: string;
    claim: (limit: number) => Promise<T[]>;
    wakeOn: GatewayEventType;
    options: QueueWorkerOptions;
  }) {
    const o = w.options;
    this.loop = new WorkLoop<T>({
      claim: w.claim,
      handle: (item) => this.handle(item),
      concurrency: o.concurrency,
      pollMs: o.pollMs,
      onError: (err) => o.logger.error({ err }, `${w.name} loop error`),
    });
    this.unsubscribe = o.events.subscribe((e) => {
      if (e.type === w.wakeOn) this.loop.wake();
    });
  }

  /** Works on one claimed item. */
  protected abstract handle(item: T): Promise<void>;

  /** Starts the loop. */
  start(): void {
    this.loop.start();
  }

  /** Stops claiming and waits for the items in progress. */
  async stop(): Promise<void> {
    this.unsubscribe();
    await this.loop.stop();
  }
}
