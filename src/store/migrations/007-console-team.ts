/**
 * The console for a team: operators' roles (a supervisor reassigns and sees everything) and
 * the categories operators created for the next retraining (a category the classifier does
 * not know yet; its labels are ordinary `correct_category` actions).
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
`;
