/**
 * The gateway's events across the instances of a cluster, on PostgreSQL: `publish` delivers
 * to this process's listeners at once, then stores the event in `live_events` and sends its
 * id with `NOTIFY` (the event itself is read from the table, so the 8000-byte payload limit
 * does not apply and a dropped connection loses nothing: on reconnect the listener reads
 * every row after the last one it saw). Every instance `LISTEN`s on one dedicated connection
 * and delivers other instances' events to its listeners as `remote`; its own come back in the
 * notifications and are skipped, so nothing is delivered twice. `typing` is ephemeral: it
 * travels in the notification's payload and is never stored. Rows older than the retention
 * are pruned. https://www.postgresql.org/docs/15/sql-notify.html
 */

import {
  type EventBus,
  type EventListener,
  type EventOrigin,
  type GatewayEvent,
  InProcessEventBus,
} from '../../core/events.js';
import type { Clock } from '../../core/ports.js';
import type { Logger } from '../../logger.js';

/** What the bus needs of a pool: one query at a time. */
export interface PgStatements {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** The dedicated connection that listens (a `pg.Client`). */
export interface PgListenConnection extends PgStatements {
  on(event: 'notification', listener: (msg: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (err?: Error) => void): unknown;
  end(): Promise<void>;
}

/** Options of {@link PgEventBus}. */
export interface PgEventBusOptions {
  pool: PgStatements;
  /** Opens a new listening connection (called again after each loss). */
  connect: () => Promise<PgListenConnection>;
  /** This instance's id (stored with its events, so it skips its own). */
  instanceId: string;
  clock: Clock;
  logger: Logger;
  /** The NOTIFY channel (default `neurodesk_events`). */
  channel?: string;
  /** How long events stay in the table for instances that reconnect (default 10 minutes). */
  retentionMs?: number;
  pruneEveryMs?: number;
  /** Wait before reconnecting after a loss or a failed write. */
  retryMs?: number;
  /** Events waiting to be written past this are dropped (oldest first) and counted. */
  maxPending?: number;
}

// Out-of-order commits: a row with a lower id may commit after one with a higher id. The
// catch-up after a reconnect reads this many ids back from the highest seen, skipping those seen.
const CATCH_UP_SLACK = 10_000;
const BATCH = 200;

const INSERT = `
WITH ins AS (
  INSERT INTO live_events (instance, event, created_at)
  SELECT $1, u.e, $3 FROM unnest($2::text[]) WITH ORDINALITY AS u(e, n) ORDER BY u.n
  RETURNING id)
SELECT pg_notify($4, 'e|' || $1 || '|' || string_agg(id::text, ',' ORDER BY id)) FROM ins`;

const REMOTE: EventOrigin = Object.freeze({ remote: true });

/** The cluster-wide event bus on PostgreSQL `LISTEN/NOTIFY` and the `live_events` table. */
export class PgEventBus implements EventBus {
  private readonly local: InProcessEventBus;
  private readonly channel: string;
  private readonly pending: string[] = [];
  private flushing: Promise<void> | null = null;
  private readonly wanted = new Set<number>();
  private reading: Promise<void> | null = null;
  private readonly seen = new Set<number>();
  private maxSeen = 0;
  private connection: PgListenConnection | null = null;
  private listening = false;
  private closed = false;
  private pruneTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | null = null;
  /** Events dropped because the database was unreachable for too long. */
  dropped = 0;

  constructor(private readonly o: PgEventBusOptions) {
    this.channel = o.channel ?? 'neurodesk_events';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.channel)) throw new Error(`bad channel name ${this.channel}`);
    this.local = new InProcessEventBus((err, event) =>
      o.logger.error({ err, event: event.type }, 'event listener failed'),
    );
  }

  /** True while the listening connection is up (events of other instances arrive). */
  get connected(): boolean {
    return this.listening;
  }

  /** Delivers here at once, then shares the event with the other instances. */
  publish(event: GatewayEvent): void {
    this.local.publish(event);
    if (this.closed) return;
    if (event.type === 'typing') {
      const payload = `t|${this.o.instanceId}|${JSON.stringify(event)}`;
      this.o.pool
        .query('SELECT pg_notify($1, $2)', [this.channel, payload])
        .catch((err) => this.o.logger.debug({ err: (err as Error).message }, 'typing not shared'));
      return;
    }
    this.pending.push(JSON.stringify(event));
    if (this.pending.length > (this.o.maxPending ?? 50_000)) {
      this.pending.shift();
      this.dropped++;
    }
    this.flushing ??= this.flush().finally(() => {
      this.flushing = null;
    });
  }

  /** Subscribes to this instance's events and the other instances'. */
  subscribe(listener: EventListener): () => void {
    return this.local.subscribe(listener);
  }

  /** Connects the listener (resolves once it listens) and starts pruning old rows. */
  async start(): Promise<void> {
    let first!: () => void;
    const listening = new Promise<void>((resolve) => {
      first = resolve;
    });
    this.loop = this.listenLoop(first);
    const every = this.o.pruneEveryMs ?? 60_000;
    this.pruneTimer = setInterval(() => void this.prune(), every);
    this.pruneTimer.unref();
    await listening;
  }

  /** Writes what is pending (for up to `graceMs`), then closes the listener. */
  async close(graceMs = 2000): Promise<void> {
    const flushed = this.flushing ?? Promise.resolve();
    await Promise.race([flushed, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.closed = true;
    clearInterval(this.pruneTimer);
    const c = this.connection;
    this.connection = null;
    this.listening = false;
    await c?.end().catch(() => undefined);
    await this.loop;
    await this.reading;
  }

  /** Deletes the rows older than the retention. */
  async prune(): Promise<number> {
    try {
      const cutoff = this.o.clock.now() - (this.o.retentionMs ?? 600_000);
      const r = await this.o.pool.query(
        'WITH d AS (DELETE FROM live_events WHERE created_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM d',
        [cutoff],
      );
      return Number(r.rows[0]?.n ?? 0);
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'old live events not pruned');
      return 0;
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      const batch = this.pending.slice(0, BATCH);
      try {
        await this.o.pool.query(INSERT, [this.o.instanceId, batch, this.o.clock.now(), this.channel]);
        this.pending.splice(0, batch.length);
      } catch (err) {
        this.o.logger.warn(
          { err: (err as Error).message, pending: this.pending.length },
          'live events not shared yet; retrying',
        );
        await sleep(this.o.retryMs ?? 500);
      }
    }
  }

  private async listenLoop(first: () => void): Promise<void> {
    while (!this.closed) {
      try {
        const c = await this.o.connect();
        if (this.closed) {
          await c.end().catch(() => undefined);
          break;
        }
        this.connection = c;
        const lost = new Promise<void>((resolve) => {
          c.on('error', (err) => {
            this.o.logger.warn({ err: err?.message }, 'live events connection lost; reconnecting');
            resolve();
          });
          c.on('end', () => resolve());
        });
        c.on('notification', (msg) => this.onNotification(msg.payload ?? ''));
        await c.query(`LISTEN ${this.channel}`);
        await this.catchUp(c);
        this.listening = true;
        first();
        await lost;
        this.listening = false;
        this.connection = null;
        await c.end().catch(() => undefined);
      } catch (err) {
        this.listening = false;
        if (!this.closed)
          this.o.logger.warn({ err: (err as Error).message }, 'cannot listen for live events');
      }
      if (!this.closed) await sleep(this.o.retryMs ?? 500);
    }
    first();
  }

  /** After (re)connecting: from the first connection on, reads what was stored meanwhile. */
  private async catchUp(c: PgStatements): Promise<void> {
    if (this.maxSeen === 0 && this.seen.size === 0) {
      const r = await c.query('SELECT coalesce(max(id), 0)::bigint AS id FROM live_events');
      this.maxSeen = Number(r.rows[0]?.id ?? 0);
      return;
    }
    const r = await c.query(
      'SELECT id, instance, event FROM live_events WHERE id > $1 AND instance <> $2 ORDER BY id',
      [Math.max(0, this.maxSeen - CATCH_UP_SLACK), this.o.instanceId],
    );
    this.deliverRows(r.rows);
  }

  private onNotification(payload: string): void {
    const [kind, instance, rest] = splitPayload(payload);
    if (kind === 't') {
      if (instance === this.o.instanceId || this.closed) return;
      try {
        this.local.deliver(JSON.parse(rest) as GatewayEvent, REMOTE);
      } catch {
        this.o.logger.warn('unreadable typing notification');
      }
      return;
    }
    if (kind !== 'e') return;
    const ids = rest.split(',').map(Number).filter(Number.isSafeInteger);
    if (instance === this.o.instanceId) {
      for (const id of ids) this.markSeen(id);
      return;
    }
    for (const id of ids) if (!this.seen.has(id)) this.wanted.add(id);
    this.reading ??= this.readWanted().finally(() => {
      this.reading = null;
    });
  }

  /** Reads the notified rows (all that are wanted at once), in id order, one read at a time. */
  private async readWanted(): Promise<void> {
    while (this.wanted.size > 0 && !this.closed) {
      const ids = [...this.wanted];
      try {
        const r = await this.o.pool.query(
          'SELECT id, instance, event FROM live_events WHERE id = ANY($1::bigint[]) ORDER BY id',
          [ids],
        );
        for (const id of ids) this.wanted.delete(id);
        this.deliverRows(r.rows);
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'live events not read yet; retrying');
        await sleep(this.o.retryMs ?? 500);
      }
    }
  }

  private deliverRows(rows: Record<string, unknown>[]): void {
    for (const row of rows) {
      const id = Number(row.id);
      if (this.seen.has(id)) continue;
      this.markSeen(id);
      if (row.instance === this.o.instanceId || this.closed) continue;
      let event: GatewayEvent;
      try {
        event = JSON.parse(String(row.event)) as GatewayEvent;
      } catch {
        this.o.logger.warn({ id }, 'unreadable live event skipped');
        continue;
      }
      this.local.deliver(event, REMOTE);
    }
  }

  private markSeen(id: number): void {
    this.seen.add(id);
    if (id > this.maxSeen) this.maxSeen = id;
    if (this.seen.size > 4 * CATCH_UP_SLACK) {
      const floor = this.maxSeen - CATCH_UP_SLACK;
      for (const s of this.seen) if (s < floor) this.seen.delete(s);
    }
  }
}

function splitPayload(payload: string): [string, string, string] {
  const a = payload.indexOf('|');
  const b = payload.indexOf('|', a + 1);
  if (a < 0 || b < 0) return ['', '', ''];
  return [payload.slice(0, a), payload.slice(a + 1, b), payload.slice(b + 1)];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
