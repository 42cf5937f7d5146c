import type { EventKind } from '../types.js';

/** Event kind as a small integer, the index into `kindWeights`. */
export const KIND_CODE: Record<EventKind, number> = { view: 0, cart: 1, purchase: 2 };

/** The purchase code. */
export const PURCHASE = 2;

/**
 * Every event the models learn from, as parallel typed arrays, with users, items and
 * baskets interned to dense numbers. Items are the whole catalogue (products without
 * events included), so content and category lists cover them too.
 */
export interface InteractionLog {
  items: string[];
  categories: (string | null)[];
  users: string[];
  user: Int32Array;
  item: Int32Array;
  kind: Uint8Array;
  time: Float64Array;
  /** Basket of a purchase (order id, or the user's day when there is none); -1 otherwise. */
  basket: Int32Array;
  length: number;
  basketCount: number;
}

const DAY_MS = 86_400_000;

/** Collects events into an {@link InteractionLog}, growing its arrays as needed. */
export class InteractionLogBuilder {
  private readonly itemIndex = new Map<string, number>();
  private readonly userIndex = new Map<string, number>();
  private readonly basketIndex = new Map<string, number>();
  private readonly items: string[] = [];
  private readonly categories: (string | null)[] = [];
  private readonly users: string[] = [];
  private user = new Int32Array(1024);
  private item = new Int32Array(1024);
  private kind = new Uint8Array(1024);
  private time = new Float64Array(1024);
  private basket = new Int32Array(1024);
  private length = 0;

  /** Registers a catalogue item (events may only name registered items unless `autoItems`). */
  addItem(id: string, category: string | null = null): number {
    let n = this.itemIndex.get(id);
    if (n === undefined) {
      n = this.items.length;
      this.itemIndex.set(id, n);
      this.items.push(id);
      this.categories.push(category);
    }
    return n;
  }

  /**
   * Adds one event. Items not in the catalogue are registered on the fly (benchmarks have
   * no catalogue); the store never produces such events.
   */
  add(userId: string, itemId: string, kind: number, time: number, orderId: string | null): void {
    if (this.length === this.user.length) this.grow();
    const item = this.addItem(itemId);
    let user = this.userIndex.get(userId);
    if (user === undefined) {
      user = this.users.length;
      this.userIndex.set(userId, user);
      this.users.push(userId);
    }
    let basket = -1;
    if (kind === PURCHASE) {
      // Without an order id, one user's purchases on one (UTC) day make one basket.
      const key = orderId !== null ? `o:${orderId}` : `d:${user}:${Math.floor(time / DAY_MS)}`;
      basket = this.basketIndex.get(key) ?? -1;
      if (basket < 0) {
        basket = this.basketIndex.size;
        this.basketIndex.set(key, basket);
      }
    }
    const at = this.length++;
    this.user[at] = user;
    this.item[at] = item;
    this.kind[at] = kind;
    this.time[at] = time;
    this.basket[at] = basket;
  }

  /** The log so far (arrays trimmed to length). */
  build(): InteractionLog {
    const n = this.length;
    return {
      items: this.items,
      categories: this.categories,
      users: this.users,
      user: this.user.slice(0, n),
      item: this.item.slice(0, n),
      kind: this.kind.slice(0, n),
      time: this.time.slice(0, n),
      basket: this.basket.slice(0, n),
      length: n,
      basketCount: this.basketIndex.size,
    };
  }

  private grow(): void {
    const size = this.user.length * 2;
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    this.user = grow(this.user, (n) => new Int32Array(n));
    this.item = grow(this.item, (n) => new Int32Array(n));
    this.kind = grow(this.kind, (n) => new Uint8Array(n));
    this.time = grow(this.time, (n) => new Float64Array(n));
    this.basket = grow(this.basket, (n) => new Int32Array(n));
  }
}
