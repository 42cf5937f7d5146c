import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * How this instance holds the jobs and outbox items it claims on a shared database: a claim
 * writes `claimed_by = instanceId` and `lease_until = now + leaseMs`; another instance may
 * take the item once the lease has passed (its holder is presumed dead).
 */
export interface LeaseOptions {
  /** Names this process in `claimed_by` (default: host, pid and a random suffix). */
  instanceId?: string;
  /** How long a claim is held; longer than the slowest job or platform call (default 30 s). */
  leaseMs?: number;
}

export const DEFAULT_LEASE_MS = 30_000;

/** A name unique to this process: host, pid and a random suffix (a restarted pid is another instance). */
export function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The lease settings with defaults filled in. */
export function resolveLease(options: LeaseOptions = {}): Required<LeaseOptions> {
  const leaseMs = Math.floor(options.leaseMs ?? DEFAULT_LEASE_MS);
  if (!(leaseMs > 0))
    throw new Error(`lease must be a positive number of milliseconds, got ${options.leaseMs}`);
  return { instanceId: options.instanceId ?? defaultInstanceId(), leaseMs };
}
