import type Database from 'better-sqlite3';
import type { Migration } from './migrations/index.js';

/**
 * Applies, in order and each in its own transaction, every migration newer than the
 * database's `user_version`. Forward only: a database newer than this code is refused
 * rather than guessed at.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], target?: number): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(
      `database schema version ${current} is newer than this build knows (${latest}); upgrade neurodesk`,
    );
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const goal = target ?? latest;
  for (const m of migrations) {
    if (m.version <= current || m.version > goal) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
