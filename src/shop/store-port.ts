/** What the shop needs from the store: the catalogue, customer events and small named facts. */
import type { EventKind, Product, ShopEvent } from './types.js';

/**
 * The most events {@link ShopEventStore.scan} visits without yielding to the event loop: a
 * model rebuild reads every event on the main thread, and 10,000 at a time held requests up
 * about 25 ms a page (2,000 is about 5 ms).
 */
export const SHOP_SCAN_SLICE = 2_000;

/** An event as the models read it, with its row id (events arrive in row-id order). */
export interface StoredEvent {
  rowId: number;
  userId: string;
  itemId: string;
  type: EventKind;
  timestamp: number;
  orderId: string | null;
}

/** What appending a batch did; `stored` lists the new rows (duplicates by `eventId` are skipped). */
export interface AppendResult {
  stored: StoredEvent[];
  duplicates: number;
}

/** The shop's product catalogue. Products are upserted by id and never deleted (events refer to them). */
export interface ShopCatalogueStore {
  /** Inserts or replaces products, all or none. */
  upsert(products: readonly Product[]): Promise<void>;
  /** Every product, in the order they were first stored. */
  all(): Promise<Product[]>;
  /** How many products there are. */
  count(): Promise<number>;
}

/** Customer events (views, cart additions, purchases): append-only. */
export interface ShopEventStore {
  /** Appends a batch, all or none. */
  append(events: readonly ShopEvent[]): Promise<AppendResult>;
  /** The newest row id (0 when there are no events). */
  lastRowId(): Promise<number>;
  /** How many events there are. */
  count(): Promise<number>;
  /**
   * Calls `visit` for every event with `after < rowId <= upTo`, oldest first, without
   * building objects; resolves when every event was visited. Yields to the event loop
   * (`setImmediate`) at least every {@link SHOP_SCAN_SLICE} events, so requests are served
   * during a long scan.
   */
  scan(
    after: number,
    upTo: number,
    visit: (
      userId: string,
      itemId: string,
      type: EventKind,
      timestamp: number,
      orderId: string | null,
    ) => void,
  ): Promise<void>;
}

/** Small named facts about the shop that must survive restarts (e.g. "demo loaded"). */
export interface ShopStateStore {
  /** The value stored under `key`, if any. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key`. */
  set(key: string, value: string): Promise<void>;
}

/** What {@link ShopImportStore.storeImport} stored. */
export interface ImportCounts {
  products: number;
  /** New events (duplicates by `eventId` are not counted). */
  events: number;
  duplicates: number;
  /** True when a `once` mark was already set: nothing was stored. */
  alreadyMarked?: boolean;
}

/** A shop state key set with an import; with `once`, an import whose key is already set stores nothing. */
export interface ImportMark {
  key: string;
  value: string;
  /**
   * Store the import only if `key` is not set yet, decided in the import's own transaction:
   * of two gateways loading the demo shop into one database at once, one stores it.
   */
  once?: boolean;
}

/** A bulk import of the catalogue and events (CLI, demo shop), in one transaction. */
export interface ShopImportStore {
  /**
   * Upserts the products and appends the events (skipping duplicates by `eventId`) and, when
   * given, sets `mark.key` to `mark.value` in the shop state: all in one transaction.
   */
  storeImport(
    data: { products: readonly Product[]; events: readonly ShopEvent[] },
    mark?: ImportMark,
  ): Promise<ImportCounts>;
}
