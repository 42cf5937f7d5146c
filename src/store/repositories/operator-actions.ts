import type Database from 'better-sqlite3';
import type { OperatorActionRecord } from '../../core/conversation-port.js';
import type { Clock } from '../../core/ports.js';

/**
 * Inserts an operator's action (a label for the next training run) with the nets' versions,
 * inside the caller's transaction if there is one; returns its id.
 */
export function operatorActionInserter(
  db: Database.Database,
  clock: Clock,
): (a: OperatorActionRecord) => number {
  const stmt = db.prepare(
    `INSERT INTO operator_actions (conversation_id, message_id, operator, action, category, answer_id, text,
       prediction_ids, net_versions, created_at)
     VALUES (@conversationId, @messageId, @operator, @action, @category, @answerId, @text, @predictionIds,
       @netVersions, @now)`,
  );
  return (a) =>
    Number(
      stmt.run({
        ...a,
        predictionIds: JSON.stringify(a.predictionIds),
        netVersions: JSON.stringify(a.netVersions),
        now: clock.now(),
      }).lastInsertRowid,
    );
}
