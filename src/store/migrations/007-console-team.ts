/**
 * The console for a team: operators' roles (a supervisor reassigns and sees everything), the
 * categories operators created for the next retraining (a category the classifier does not
 * know yet; its labels are ordinary `correct_category` actions), internal notes on
 * conversations (never sent to customers) and operators' own saved replies.
 */
export const sql = `
ALTER TABLE operators ADD COLUMN role TEXT NOT NULL DEFAULT 'operator' CHECK (role IN ('operator', 'supervisor'));

CREATE TABLE console_categories (
  bot TEXT NOT NULL,
  name TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (bot, name)
);

CREATE TABLE console_notes (
  id INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES conversations (id),
  operator TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX console_notes_conversation ON console_notes (conversation_id, id);

CREATE TABLE console_saved_replies (
  id INTEGER PRIMARY KEY,
  operator TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX console_saved_replies_operator ON console_saved_replies (operator, id);
`;
