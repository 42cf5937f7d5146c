import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** Who holds a run lock. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  what: string;
  token: string;
}

/** The lock is held by a live process: the new run must not start. */
export class LockHeldError extends Error {
  constructor(
    readonly path: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      holder
        ? `another run holds ${path}: ${holder.what} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`
        : `another run holds ${path}`,
    );
    this.name = 'LockHeldError';
  }
}

/** True if a process with that id exists on this host (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return null;
  }
}

/**
 * A lock file that keeps two retraining runs from overlapping (they would fight for the CPU
 * and race on CURRENT). Taken by an exclusive create; a lock left by a process that died on
 * this host is taken over, one held by a live process (or by another host) is refused.
 */
export class RunLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly token: string,
  ) {}

  /** Takes the lock or throws {@link LockHeldError}. */
  static acquire(
    path: string,
    what: string,
    o: { now?: () => Date; alive?: (pid: number) => boolean } = {},
  ): RunLock {
    mkdirSync(dirname(path), { recursive: true });
    const alive = o.alive ?? processAlive;
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      startedAt: (o.now?.() ?? new Date()).toISOString(),
      what,
      token: randomUUID(),
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, `${JSON.stringify(holder)}\n`);
        } finally {
          closeSync(fd);
        }
        return new RunLock(path, holder.token);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const current = readHolder(path);
        // An unreadable lock a minute old was left by a process that died while writing it.
        const stale =
          current === null
            ? Date.now() - statSync(path).mtimeMs > 60_000
            : current.host === holder.host && !alive(current.pid);
        if (!stale || attempt > 0) throw new LockHeldError(path, current);
        rmSync(path, { force: true });
      }
    }
    throw new LockHeldError(path, readHolder(path));
  }

  /** Releases the lock if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (readHolder(this.path)?.token === this.token) rmSync(this.path, { force: true });
  }
}
