import type { Clock } from '../../core/ports.js';
import type {
  InstanceIdentity,
  InstanceRecord,
  InstanceRegistry,
  ServedVersion,
} from '../../nets/instances-port.js';
import { instanceRecord } from '../repositories/instances.js';
import type { PgStatements } from './live-events.js';

/** The `instances` table on PostgreSQL: one row per gateway process of the cluster. */
export class PgInstances implements InstanceRegistry {
  constructor(
    private readonly pool: PgStatements,
    private readonly clock: Clock,
  ) {}

  /** Inserts or refreshes this instance's row. */
  async beat(i: InstanceIdentity, nets: Record<string, ServedVersion>): Promise<void> {
    await this.pool.query(
      `INSERT INTO instances (id, host, pid, started_at, heartbeat_at, nets) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, nets = excluded.nets`,
      [i.id, i.host, i.pid, i.startedAt, this.clock.now(), JSON.stringify(nets)],
    );
  }

  /** The instances heard from since `since`. */
  async list(since: number): Promise<InstanceRecord[]> {
    const r = await this.pool.query(
      'SELECT id, host, pid, started_at, heartbeat_at, nets FROM instances WHERE heartbeat_at >= $1 ORDER BY started_at, id',
      [since],
    );
    return r.rows.map(instanceRecord);
  }

  /** Deletes this instance's row and the rows of instances silent since before `before`. */
  async remove(id: string, before = 0): Promise<void> {
    await this.pool.query('DELETE FROM instances WHERE id = $1 OR heartbeat_at < $2', [id, before]);
  }
}
