/**
 * What the nets feature needs from storage to show, on any instance, which version of each
 * net every instance of the cluster serves (`GET /api/v1/admin/nets`), so a version rolled
 * out to some instances and not yet to others is visible.
 */

/** One gateway process. */
export interface InstanceIdentity {
  /** Unique per process run (host, pid and a random part). */
  id: string;
  host: string;
  pid: number;
  /** When it started (epoch ms). */
  startedAt: number;
}

/** A net as one instance serves it. */
export interface ServedVersion {
  version: string;
  /** When it went into service there (epoch ms). */
  since: number;
}

/** An instance's row: who it is, when it last reported, and what it serves. */
export interface InstanceRecord extends InstanceIdentity {
  heartbeatAt: number;
  nets: Record<string, ServedVersion>;
}

/** The instances' registry. */
export interface InstanceRegistry {
  /** Records this instance as alive now, serving `nets`. */
  beat(instance: InstanceIdentity, nets: Record<string, ServedVersion>): Promise<void>;
  /** Every instance that reported since `since` (epoch ms), oldest start first. */
  list(since: number): Promise<InstanceRecord[]>;
  /** Forgets an instance (at a clean shutdown) and those silent since before `before`. */
  remove(id: string, before?: number): Promise<void>;
}
