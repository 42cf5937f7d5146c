import type { Clock } from '../core/ports.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { type Checked, checkEvents, checkProducts, type RowProblem } from './batch.js';
import { ContentLookup } from './content-lookup.js';
import { LiveEvents } from './live-events.js';
import type { TextFeatures } from './model/content-index.js';
import type { ShopView } from './recommender.js';
import type { ModelSnapshot } from './snapshot.js';
import type { Product } from './types.js';

/** Rows accepted in one API batch (a bigger upload belongs to the import command). */
export const MAX_BATCH_ROWS = 5000;

/** Throws the API's 400 for a rejected batch, naming the first bad row and listing the rest. */
function reject<T>(checked: Checked<T>, name: string): asserts checked is { ok: true; values: T[] } {
  if (checked.ok) return;
  const first = checked.problems[0]!;
  throw new AppError('validation_failed', `${name}[${first.row}]: ${first.message}; nothing was stored`, {
    details: { rejected: checked.problems.map((p: RowProblem) => ({ row: p.row, message: p.message })) },
  });
}

function rowsOf(body: unknown, name: string): unknown[] {
  const rows = (body as Record<string, unknown> | undefined)?.[name];
  if (!Array.isArray(rows)) throw new AppError('validation_failed', `body must be {"${name}": [...]}`);
  if (rows.length === 0) throw new AppError('validation_failed', `${name} is empty`);
  if (rows.length > MAX_BATCH_ROWS) {
    throw new AppError(
      'validation_failed',
      `${name} has ${rows.length} rows; at most ${MAX_BATCH_ROWS} per request`,
    );
  }
  return rows;
}

/**
 * The shop's state on the main thread: the catalogue (kept in memory, written through to
 * SQLite), the events since the last build, and the view requests read.
 */
export class ShopService {
  readonly products = new Map<string, Product>();
  readonly categories = new Set<string>();
  readonly live = new LiveEvents();
  private content: ContentLookup | undefined;
  private snapshot: ModelSnapshot | undefined;

  /** Call {@link reloadCatalogue} before serving; `onError` hears of a reload after a swap that failed. */
  constructor(
    private readonly store: Pick<Store, 'shopCatalogue' | 'shopEvents'>,
    private readonly clock: Clock,
    private readonly features: TextFeatures,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Reads the catalogue (at start, and after a bulk load by this or another process). */
  async reloadCatalogue(): Promise<void> {
    for (const p of await this.store.shopCatalogue.all()) this.remember(p);
  }

  /** What requests read; undefined until the first model is built. */
  view(): ShopView | undefined {
    if (!this.snapshot || !this.content) return undefined;
    return {
      snapshot: this.snapshot,
      products: this.products,
      categories: this.categories,
      live: this.live,
      content: this.content,
    };
  }

  /** Installs a new snapshot: live events it includes are dropped, newer products indexed for content. */
  swap(snapshot: ModelSnapshot): void {
    const content = new ContentLookup(snapshot, this.features);
    for (const p of this.products.values()) content.addProduct(p);
    snapshot.applyCatalogue(this.products.values());
    this.live.dropUpTo(snapshot.data.lastRowId);
    this.snapshot = snapshot;
    this.content = content;
    // Products stored by another process (the import command, another instance) since we
    // last looked are in the build: read them in (each is indexed as it comes).
    if (snapshot.data.items.some((id) => !this.products.has(id))) this.reloadCatalogue().catch(this.onError);
  }

  /** Validates and upserts a batch of products: all or none. */
  async upsertProducts(body: unknown): Promise<{ stored: number }> {
    const checked = checkProducts(rowsOf(body, 'products'));
    reject(checked, 'products');
    await this.store.shopCatalogue.upsert(checked.values);
    for (const p of checked.values) this.remember(p);
    return { stored: checked.values.length };
  }

  /** Validates and appends a batch of events: all or none; a retried `eventId` is not counted twice. */
  async appendEvents(body: unknown): Promise<{ stored: number; duplicates: number }> {
    const checked = checkEvents(rowsOf(body, 'events'), this.clock.now(), (id) => this.products.has(id));
    reject(checked, 'events');
    const result = await this.store.shopEvents.append(checked.values);
    this.live.add(result.stored);
    return { stored: result.stored.length, duplicates: result.duplicates };
  }

  private remember(p: Product): void {
    this.products.set(p.id, p);
    if (p.category !== null) this.categories.add(p.category);
    this.content?.addProduct(p);
    this.snapshot?.applyCatalogue([p]);
  }
}
