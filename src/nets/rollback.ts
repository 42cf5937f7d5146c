import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { setCurrentVersion } from './net-folder.js';

/**
 * Rollback: `CURRENT` back to the version that was in service before the current one. The
 * current version's `meta.json` says which that was (a retraining records the version it
 * replaced, `retraining.fromVersion`); a version without that record (trained by hand) goes
 * back to the newest older version that was promoted. Every rollback is appended to
 * `<net>/rollbacks.jsonl`: the admin API, the console's stats and the CLI read it there.
 */

/** One rollback as logged. */
export interface RollbackRecord {
  net: string;
  from: string;
  to: string;
  at: string;
  by: string;
  reason: string | null;
}

/** A rollback that cannot be done (no such net, nothing to go back to): the message says why. */
export class RollbackError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'RollbackError';
  }
}

const LOG = 'rollbacks.jsonl';

function meta(
  root: string,
  version: string,
): { retraining?: { fromVersion?: string | null; decision?: string } } {
  try {
    return JSON.parse(readFileSync(join(root, version, 'meta.json'), 'utf8'));
  } catch {
    return {};
  }
}

const isVersion = (root: string, v: string) => existsSync(join(root, v, 'manifest.json'));

/** The version a rollback of the net at `root` would serve, or a RollbackError saying why there is none. */
export function rollbackTarget(root: string): { from: string; to: string } {
  const name = basename(resolve(root));
  let from: string;
  try {
    from = readFileSync(join(root, 'CURRENT'), 'utf8').trim();
  } catch {
    throw new RollbackError('not_found', `no net "${name}": ${join(root, 'CURRENT')} cannot be read`);
  }
  const recorded = meta(root, from).retraining?.fromVersion;
  if (recorded && recorded !== from && isVersion(root, recorded)) return { from, to: recorded };
  if (recorded)
    throw new RollbackError(
      'conflict',
      `${name} ${from} replaced ${recorded}, which is no longer in ${root}`,
    );
  // Trained by hand: the newest older version that was served (promoted, forced, or trained by hand).
  const older = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && d.name < from && isVersion(root, d.name))
    .map((d) => d.name)
    .sort()
    .reverse()
    .find((v) => {
      const decision = meta(root, v).retraining?.decision;
      return decision === undefined || decision === 'promoted' || decision === 'forced';
    });
  if (!older)
    throw new RollbackError('conflict', `${name} ${from} has no earlier promoted version to go back to`);
  return { from, to: older };
}

/** Moves CURRENT of the net at `root` back one promoted version (an atomic rename) and logs it. */
export function rollbackNet(
  root: string,
  o: { by: string; reason?: string | null; now?: Date },
): RollbackRecord {
  const { from, to } = rollbackTarget(root);
  setCurrentVersion(root, to);
  const record: RollbackRecord = {
    net: basename(resolve(root)),
    from,
    to,
    at: (o.now ?? new Date()).toISOString(),
    by: o.by,
    reason: o.reason?.trim() || null,
  };
  appendFileSync(join(root, LOG), `${JSON.stringify(record)}\n`);
  return record;
}

/** The latest rollbacks of every net under `netsDir`, newest first. */
export function latestRollbacks(netsDir: string, limit = 5): RollbackRecord[] {
  if (!existsSync(netsDir)) return [];
  const out: RollbackRecord[] = [];
  for (const d of readdirSync(netsDir, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name.startsWith('.')) continue;
    const file = join(netsDir, d.name, LOG);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as RollbackRecord);
      } catch {
        // A torn last line (a crash mid-append) is skipped.
      }
    }
  }
  return out.sort((a, b) => b.at.localeCompare(a.at)).slice(0, limit);
}
