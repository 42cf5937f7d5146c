/** How concurrent calls are coalesced. */
export interface BatchingOptions {
  /** Most items in one batch; 1 turns batching off (every call runs alone, at once). */
  maxSize: number;
  /** Longest an item waits for batchmates, in ms (while whoever runs batches has room). */
  maxWaitMs: number;
}

/** Runs one batch of items sharing a key; must return one output per item, in order. */
export type BatchFn<I, O> = (key: string, items: I[]) => Promise<O[]>;

/** Hooks of a {@link MicroBatcher}. */
export interface BatcherHooks {
  /** Told the size of every batch that leaves (for metrics). */
  onBatch?: (size: number) => void;
  /**
   * True while whoever runs batches has no room for another (every inference thread has
   * work queued): a batch that is due but not full then keeps filling until `kick()`.
   */
  busy?: () => boolean;
}

interface Queue<I, O> {
  items: I[];
  waiters: Array<{ resolve: (o: O) => void; reject: (e: unknown) => void }>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Coalesces concurrent calls that share a key (a net version and an operation) into one
 * batched call: a batch leaves when it holds `maxSize` items or when its first item has
 * waited `maxWaitMs`. One predict over n texts costs much less than n predicts, which is
 * what lets a small machine serve hundreds of requests per second. While the inference
 * threads are all busy, a due batch keeps filling and leaves as soon as one has room
 * (`kick`), so batches grow with the load instead of queueing up small. Callers get
 * exactly what a call of their own would give, as long as the batch function's outputs for
 * one item do not depend on its batchmates (the nets guarantee it).
 */
export class MicroBatcher<I, O> {
  private readonly queues = new Map<string, Queue<I, O>>();
  /** Keys whose batch is due but held because the runner was busy, oldest first. */
  private readonly held = new Set<string>();

  constructor(
    private readonly options: BatchingOptions,
    private readonly runBatch: BatchFn<I, O>,
    private readonly hooks: BatcherHooks = {},
  ) {}

  /** Queues one item; resolves with its own output, or rejects with its batch's error. */
  submit(key: string, item: I): Promise<O> {
    if (this.options.maxSize <= 1) return this.dispatch(key, [item]).then((out) => out[0]!);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { items: [], waiters: [], timer: undefined };
      this.queues.set(key, queue);
    }
    const q = queue;
    const result = new Promise<O>((resolve, reject) => q.waiters.push({ resolve, reject }));
    q.items.push(item);
    if (q.items.length >= this.options.maxSize) this.flush(key, q);
    else q.timer ??= setTimeout(() => this.due(key, q), this.options.maxWaitMs);
    return result;
  }

  /** Sends held batches now that the runner has room (the executor calls this). */
  kick(): void {
    for (const key of this.held) {
      if (this.hooks.busy?.()) return;
      const q = this.queues.get(key);
      this.held.delete(key);
      if (q) this.flush(key, q);
    }
  }

  /** Items waiting for a batch, over every key. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.items.length;
    return n;
  }

  private due(key: string, q: Queue<I, O>): void {
    q.timer = undefined;
    if (!this.hooks.busy?.()) {
      this.flush(key, q);
      return;
    }
    this.held.add(key);
    // Never hold for long, whatever happens to the runner's signal.
    q.timer = setTimeout(() => this.flush(key, q), Math.max(20, 10 * this.options.maxWaitMs));
  }

  private flush(key: string, q: Queue<I, O>): void {
    if (q.timer) clearTimeout(q.timer);
    q.timer = undefined;
    if (this.queues.get(key) !== q) return;
    this.queues.delete(key);
    this.held.delete(key);
    const { items, waiters } = q;
    this.dispatch(key, items).then(
      (outs) => {
        waiters.forEach((w, i) => {
          w.resolve(outs[i]!);
        });
      },
      (err) => {
        for (const w of waiters) w.reject(err);
      },
    );
  }

  private async dispatch(key: string, items: I[]): Promise<O[]> {
    this.hooks.onBatch?.(items.length);
    const outs = await this.runBatch(key, items);
    if (outs.length !== items.length)
      throw new Error(`a batch of ${items.length} gave ${outs.length} results`);
    return outs;
  }
}
