/**
 * KB usage counts without a hot row: the triggers on `decisions` and `operator_actions` no
 * longer update the answer's row inside the job's or the operator's transaction (two
 * instances replying with the same answer waited for each other on it); each use appends a
 * row to `kb_answer_uses`, which readers add to `kb_answers.usage_count` and the store's
 * housekeeping folds into it now and then (one short statement).
 */
export const sql = `
CREATE TABLE kb_answer_uses (
  answer_id BIGINT NOT NULL,
  uses INTEGER NOT NULL
);
CREATE INDEX kb_answer_uses_answer ON kb_answer_uses (answer_id);

CREATE OR REPLACE FUNCTION kb_answers_used_by_operator() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO kb_answer_uses (answer_id, uses) VALUES (NEW.answer_id, 1);
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION kb_answers_used_by_bot() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO kb_answer_uses (answer_id, uses)
  SELECT s.answer_id, 1 FROM (
    SELECT (e ->> 'answerId')::BIGINT AS answer_id FROM json_array_elements(NEW.suggestions::json) AS e
    WHERE e ->> 'text' = NEW.reply_text LIMIT 1
  ) AS s WHERE s.answer_id IS NOT NULL;
  RETURN NULL;
END;
$$;
`;
