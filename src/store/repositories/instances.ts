import type Database from 'better-sqlite3';
import type { Clock } from '../../core/ports.js';
import type {
  InstanceIdentity,
  InstanceRecord,
  InstanceRegistry,
  ServedVersion,
} from '../../nets/instances-port.js';

/** The `instances` table on SQLite: the one process that owns the database file. */
export class SqliteInstances implements InstanceRegistry {
  private readonly beatStmt;
  private readonly listStmt;
  private readonly removeStmt;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.beatStmt = db.prepare(
      `INSERT INTO instances (id, host, pid, started_at, heartbeat_at, nets) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, nets = excluded.nets`,
    );
    this.listStmt = db.prepare<[number], Record<string, unknown>>(
      'SELECT id, host, pid, started_at, heartbeat_at, nets FROM instances WHERE heartbeat_at >= ? ORDER BY started_at, id',
    );
    this.removeStmt = db.prepare('DELETE FROM instances WHERE id = ? OR heartbeat_at < ?');
  }

  /** Inserts or refreshes this instance's row. */
  async beat(i: InstanceIdentity, nets: Record<string, ServedVersion>): Promise<void> {
    this.beatStmt.run(i.id, i.host, i.pid, i.startedAt, this.clock.now(), JSON.stringify(nets));
  }

  /** The instances heard from since `since`. */
  async list(since: number): Promise<InstanceRecord[]> {
    return this.listStmt.all(since).map(instanceRecord);
  }

  /** Deletes this instance's row and the rows of instances silent since before `before`. */
  async remove(id: string, before = 0): Promise<void> {
    this.removeStmt.run(id, before);
  }
}

/** A row of `instances` (either engine) as a record. */
export function instanceRecord(row: Record<string, unknown>): InstanceRecord {
  return {
    id: String(row.id),
    host: String(row.host),
    pid: Number(row.pid),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
    nets: JSON.parse(String(row.nets)) as Record<string, ServedVersion>,
  };
}
