/**
 * As SQLite's `005-knowledge-base`: a text revision per answer, an index to list a base in id
 * order, and usage counts kept by the database itself (an operator's action naming an answer,
 * or an automatic reply with a suggested answer's text, counts one use).
 */
export const sql = `
ALTER TABLE kb_answers ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE INDEX kb_answers_kb_id ON kb_answers (kb, id);

CREATE FUNCTION kb_answers_used_by_operator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE kb_answers SET usage_count = usage_count + 1 WHERE id = NEW.answer_id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER kb_answers_used_by_operator AFTER INSERT ON operator_actions
FOR EACH ROW WHEN (NEW.answer_id IS NOT NULL)
EXECUTE FUNCTION kb_answers_used_by_operator();

CREATE FUNCTION kb_answers_used_by_bot() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE kb_answers SET usage_count = usage_count + 1
  WHERE id = (SELECT (e ->> 'answerId')::BIGINT FROM json_array_elements(NEW.suggestions::json) AS e
              WHERE e ->> 'text' = NEW.reply_text LIMIT 1);
  RETURN NULL;
END;
$$;
CREATE TRIGGER kb_answers_used_by_bot AFTER INSERT ON decisions
FOR EACH ROW WHEN (NEW.action = 'auto_reply' AND NEW.reply_text IS NOT NULL)
EXECUTE FUNCTION kb_answers_used_by_bot();
`;
