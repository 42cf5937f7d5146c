/** The initial schema: conversations, messages, deliveries, jobs, predictions, labels, outbox, answers. */
export const sql = `
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  bot TEXT NOT NULL,
  channel TEXT NOT NULL,
  external_chat_id TEXT NOT NULL,
  customer_id TEXT,
  customer_name TEXT,
  language TEXT,
  status TEXT NOT NULL DEFAULT 'bot' CHECK (status IN ('bot', 'queued', 'assigned', 'resolved')),
  queue TEXT,
  assigned_operator TEXT,
  category TEXT,
  confidence REAL,
  reply_context TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  last_customer_message_at INTEGER,
  UNIQUE (bot, channel, external_chat_id)
);
CREATE INDEX conversations_status ON conversations (status, updated_at);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  author TEXT NOT NULL CHECK (author IN ('customer', 'bot', 'operator', 'system')),
  operator TEXT,
  channel TEXT NOT NULL,
  external_id TEXT,
  text TEXT NOT NULL,
  meta TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE inbound_deliveries (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL,
  bot TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  message_id INTEGER REFERENCES messages (id),
  received_at INTEGER NOT NULL,
  UNIQUE (channel, bot, delivery_id)
);

CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  run_after INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (status, run_after);

CREATE TABLE predictions (
  id INTEGER PRIMARY KEY,
  message_id INTEGER REFERENCES messages (id),
  kind TEXT NOT NULL CHECK (kind IN ('classify', 'suggest')),
  net_name TEXT NOT NULL,
  net_version TEXT NOT NULL,
  label TEXT,
  confidence REAL,
  top TEXT,
  latency_ms REAL NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX predictions_message ON predictions (message_id);

CREATE TABLE kb_answers (
  id INTEGER PRIMARY KEY,
  kb TEXT NOT NULL DEFAULT 'default',
  text TEXT NOT NULL,
  category TEXT,
  language TEXT NOT NULL DEFAULT 'en',
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  usage_count INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX kb_answers_kb ON kb_answers (kb, active);

CREATE TABLE operator_actions (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  message_id INTEGER REFERENCES messages (id),
  operator TEXT NOT NULL,
  action TEXT NOT NULL,
  category TEXT,
  answer_id INTEGER REFERENCES kb_answers (id),
  text TEXT,
  prediction_ids TEXT,
  net_versions TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX operator_actions_conversation ON operator_actions (conversation_id, id);
CREATE INDEX operator_actions_time ON operator_actions (created_at);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER REFERENCES conversations (id),
  message_id INTEGER REFERENCES messages (id),
  channel TEXT NOT NULL,
  bot TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
`;
