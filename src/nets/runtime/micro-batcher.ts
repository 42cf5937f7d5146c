/** How concurrent calls are coalesced. */
export interface BatchingOptions {
  /** Most items in one batch; 1 turns batching off (every call runs alone, at once). */
  maxSize: number;
  /** Longest an item waits for batchmates, in ms. */
  maxWaitMs: number;
}

/** Runs one batch of items sharing a key; must return one output per item, in order. */
export type BatchFn<I, O> = (key: string, items: I[]) => Promise<O[]>;

interface Queue<I, O> {
  items: I[];
  waiters: Array<{ resolve: (o: O) => void; reject: (e: unknown) => void }>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Coalesces concurrent calls that share a key (a net version and an operation) into one
 * batched call: a batch leaves when it holds `maxSize` items or when its first item has
 * waited `maxWaitMs`. One predict over n texts costs much less than n predicts, which is
 * what lets a small machine serve hundreds of requests per second. Callers get exactly
 * what a call of their own would give, as long as the batch function's outputs for one
 * item do not depend on its batchmates (the nets guarantee it).
 */
export class MicroBatcher<I, O> {
  private readonly queues = new Map<string, Queue<I, O>>();

  constructor(
    private readonly options: BatchingOptions,
    private readonly runBatch: BatchFn<I, O>,
    /** Told the size of every batch that leaves (for metrics). */
    private readonly onBatch?: (size: number) => void,
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
    else q.timer ??= setTimeout(() => this.flush(key, q), this.options.maxWaitMs);
    return result;
  }

  /** Items waiting for a batch, over every key. */
  get waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.items.length;
    return n;
  }

  private flush(key: string, q: Queue<I, O>): void {
    if (q.timer) clearTimeout(q.timer);
    if (this.queues.get(key) === q) this.queues.delete(key);
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
    this.onBatch?.(items.length);
    const outs = await this.runBatch(key, items);
    if (outs.length !== items.length)
      throw new Error(`a batch of ${items.length} gave ${outs.length} results`);
    return outs;
  }
}
