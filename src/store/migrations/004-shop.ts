/**
 * The shop: catalogue, customer events and a little state (e.g. whether the demo shop was
 * loaded). Models are not stored: they are rebuilt from the events in seconds.
 */
export const sql = `
CREATE TABLE shop_products (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  category TEXT,
  price REAL,
  attributes TEXT NOT NULL DEFAULT '{}',
  repeatable INTEGER NOT NULL DEFAULT 0 CHECK (repeatable IN (0, 1)),
  url TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE shop_events (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  item_id TEXT NOT NULL REFERENCES shop_products (id),
  type TEXT NOT NULL CHECK (type IN ('view', 'cart', 'purchase')),
  quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
  occurred_at INTEGER NOT NULL,
  order_id TEXT,
  event_id TEXT UNIQUE,
  received_at INTEGER NOT NULL
);

CREATE TABLE shop_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`;
