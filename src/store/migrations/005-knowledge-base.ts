/**
 * The knowledge base's serving needs: a text revision per answer (the in-memory answer
 * vectors are recomputed when it moves, and only then), an index to list a base in id
 * order, and usage counts kept by the database itself: an operator's action naming an
 * answer, or an automatic reply with a suggested answer's text, counts one use.
 */
export const sql = `
ALTER TABLE kb_answers ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE INDEX kb_answers_kb_id ON kb_answers (kb, id);

CREATE TRIGGER kb_answers_used_by_operator AFTER INSERT ON operator_actions
WHEN NEW.answer_id IS NOT NULL
BEGIN
  UPDATE kb_answers SET usage_count = usage_count + 1 WHERE id = NEW.answer_id;
END;

CREATE TRIGGER kb_answers_used_by_bot AFTER INSERT ON decisions
WHEN NEW.action = 'auto_reply' AND NEW.reply_text IS NOT NULL
BEGIN
  UPDATE kb_answers SET usage_count = usage_count + 1
  WHERE id = (SELECT json_extract(value, '$.answerId') FROM json_each(NEW.suggestions)
              WHERE json_extract(value, '$.text') = NEW.reply_text LIMIT 1);
END;
`;
