/**
 * As SQLite's `002-gateway`: each inbound message's decision, Bitrix24 installations, and the
 * indexes that keep each conversation's jobs and replies in order.
 */
export const sql = `
CREATE TABLE decisions (
  message_id BIGINT PRIMARY KEY REFERENCES messages (id),
  action TEXT NOT NULL CHECK (action IN ('auto_reply', 'handoff', 'fallback', 'silent')),
  reason TEXT NOT NULL,
  category TEXT,
  confidence DOUBLE PRECISION,
  suggestions TEXT NOT NULL,
  queue TEXT,
  reply_text TEXT,
  language TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE bitrix24_installs (
  bot TEXT NOT NULL,
  member_id TEXT NOT NULL,
  domain TEXT NOT NULL,
  client_endpoint TEXT NOT NULL,
  application_token TEXT NOT NULL,
  access_token TEXT,
  refresh_token TEXT,
  expires_at BIGINT,
  installed_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (bot, member_id)
);

CREATE INDEX outbox_conversation ON outbox (conversation_id, id) WHERE status IN ('pending', 'sending');

ALTER TABLE jobs ADD COLUMN conversation_id BIGINT REFERENCES conversations (id);
CREATE INDEX jobs_conversation ON jobs (conversation_id, id) WHERE status IN ('pending', 'running');
`;
