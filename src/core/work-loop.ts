/** Options for {@link WorkLoop}. */
export interface WorkLoopOptions<T> {
  /** Claims up to `limit` due items (marks them taken in the store). */
  claim(limit: number): Promise<T[]>;
  /** Works on one item; its errors go to `onError`, the loop goes on. */
  handle(item: T): Promise<void>;
  /** How many items may be in progress at once. */
  concurrency: number;
  /** How often to look for due items when nothing woke the loop. */
  pollMs: number;
  onError(err: unknown): void;
}

/**
 * A background loop over a durable queue: claims due items up to a concurrency limit,
 * handles each on its own (a slow one does not hold up the others), polls for items that
 * become due later, and wakes at once when told new work arrived. `stop` waits for the
 * items in progress, so shutdown never cuts a reply half-sent.
 */
export class WorkLoop<T> {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Pauses of `settle` in progress, cut short by `stop`. */
  private readonly pauses = new Set<() => void>();
  /** The claim in progress: one at a time, so the loop never claims past its concurrency. */
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;

  constructor(private readonly o: WorkLoopOptions<T>) {}

  /** Starts polling (and claims right away). */
  start(): void {
    this.running = true;
    this.schedule(0);
  }

  /** Looks for work now instead of at the next poll. */
  wake(): void {
    if (this.running) this.schedule(0);
  }

  /** How many items are being handled. */
  active(): number {
    return this.inFlight.size;
  }

  /** Stops claiming and waits for the items in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    for (const wake of this.pauses) wake();
    // Items claimed by a claim still in progress are handled too, then waited for.
    await this.pumping;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Records an item's outcome in the store, retrying with a growing pause while the store
   * refuses (a database held locked by another process): the item stays claimed meanwhile,
   * so it is neither lost nor handled twice. Gives up only when the loop stops; the next
   * start then requeues the item. Returns whether the outcome was recorded.
   */
  async settle(write: () => Promise<unknown>): Promise<boolean> {
    for (let pauseMs = 50; ; pauseMs = Math.min(pauseMs * 2, 5000)) {
      try {
        await write();
        return true;
      } catch (err) {
        this.o.onError(err);
        if (!this.running) return false;
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.pauses.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, pauseMs);
          this.pauses.add(wake);
        });
      }
    }
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), ms);
    this.timer.unref();
  }

  private pump(): void {
    if (!this.running) return;
    if (this.pumping !== undefined) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.claimAndHandle().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.wake();
      }
    });
  }

  private async claimAndHandle(): Promise<void> {
    const room = this.o.concurrency - this.inFlight.size;
    let claimed: T[] = [];
    if (room > 0) {
      try {
        claimed = await this.o.claim(room);
      } catch (err) {
        this.o.onError(err);
      }
    }
    for (const item of claimed) {
      const p: Promise<void> = this.o
        .handle(item)
        .catch((err) => this.o.onError(err))
        .finally(() => {
          this.inFlight.delete(p);
          this.wake();
        });
      this.inFlight.add(p);
    }
    this.schedule(this.o.pollMs);
  }
}
