import type { StoredEvent } from './store-port.js';

/** Newest events kept per user between rebuilds: enough for a history, bounded for memory. */
export const LIVE_EVENTS_PER_USER = 200;

/**
 * Events stored since the current model was built, per user. Personal recommendations read
 * them on top of the model, so a purchase made a second ago already stops a once-only item
 * from being suggested; a rebuild that includes them drops them from here.
 */
export class LiveEvents {
  private readonly byUser = new Map<string, StoredEvent[]>();

  /** Adds freshly stored events (in row-id order). */
  add(events: readonly StoredEvent[]): void {
    for (const e of events) {
      const list = this.byUser.get(e.userId) ?? [];
      if (list.length === 0) this.byUser.set(e.userId, list);
      list.push(e);
      if (list.length > LIVE_EVENTS_PER_USER) list.splice(0, list.length - LIVE_EVENTS_PER_USER);
    }
  }

  /** The user's events newer than the model, oldest first. */
  forUser(userId: string): readonly StoredEvent[] {
    return this.byUser.get(userId) ?? [];
  }

  /** Drops events the model built up to `lastRowId` already holds. */
  dropUpTo(lastRowId: number): void {
    for (const [user, list] of this.byUser) {
      const keep = list.filter((e) => e.rowId > lastRowId);
      if (keep.length === 0) this.byUser.delete(user);
      else if (keep.length !== list.length) this.byUser.set(user, keep);
    }
  }

  /** Users with live events. */
  get size(): number {
    return this.byUser.size;
  }
}
