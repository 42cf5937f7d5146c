/**
 * The instance serving this database and the version of each net it serves, for
 * `GET /api/v1/admin/nets` (one row with SQLite, which one process owns; PostgreSQL's 008
 * has a row per instance of a cluster, and its live events table besides).
 */
export const sql = `
CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  heartbeat_at INTEGER NOT NULL,
  nets TEXT NOT NULL DEFAULT '{}'
);
`;
