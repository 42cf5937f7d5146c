/**
 * The gateway: the decision made on each inbound message (what `GET /tickets/:id` and the
 * console show), Bitrix24 installations (the application token to check events against,
 * and the latest OAuth tokens to reply with), and an index that lets the outbox keep each
 * conversation's replies in order.
 */
export const sql = `
CREATE TABLE decisions (
  message_id INTEGER PRIMARY KEY REFERENCES messages (id),
  action TEXT NOT NULL CHECK (action IN ('auto_reply', 'handoff', 'fallback', 'silent')),
  reason TEXT NOT NULL,
  category TEXT,
  confidence REAL,
  suggestions TEXT NOT NULL,
  queue TEXT,
  reply_text TEXT,
  language TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE bitrix24_installs (
  bot TEXT NOT NULL,
  member_id TEXT NOT NULL,
  domain TEXT NOT NULL,
  client_endpoint TEXT NOT NULL,
  application_token TEXT NOT NULL,
  access_token TEXT,
  refresh_token TEXT,
  expires_at INTEGER,
  installed_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (bot, member_id)
);

CREATE INDEX outbox_conversation ON outbox (conversation_id, id) WHERE status IN ('pending', 'sending');

ALTER TABLE jobs ADD COLUMN conversation_id INTEGER REFERENCES conversations (id);
CREATE INDEX jobs_conversation ON jobs (conversation_id, id) WHERE status IN ('pending', 'running');
`;
