/**
 * What instances of one cluster share beyond the store: the live events every instance
 * reads after a `NOTIFY` (ids in the notification, the event here; pruned after minutes)
 * and the instances themselves with the version of each net they serve, for
 * `GET /api/v1/admin/nets`. Event rows carry ids and states, never customer text.
 */
export const sql = `
CREATE TABLE live_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance TEXT NOT NULL,
  event TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX live_events_created ON live_events (created_at);

CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  pid INTEGER NOT NULL,
  started_at BIGINT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  nets TEXT NOT NULL DEFAULT '{}'
);
`;
