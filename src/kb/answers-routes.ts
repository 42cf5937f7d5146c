import type { Request } from 'express';
import { z } from 'zod';
import type { RouteMount } from '../app.js';
import { AppError } from '../errors.js';
import { decodeUtf8, jsonBody, parseJson, readBody } from '../transport/http/body.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import { kbName } from './answer-input.js';
import { DEFAULT_KB, type KnowledgeBase } from './knowledge-base.js';
import type { KbAnswer } from './types.js';

/** What {@link answersRoutes} needs. */
export interface AnswersRouteDeps {
  kb: KnowledgeBase;
  bodyLimitBytes: number;
  /** Bodies of `POST /answers/import` may be this large. */
  importLimitBytes: number;
}

/** An answer as the API shows it (snake_case, like the rest of the REST API's payloads). */
export function answerJson(a: KbAnswer) {
  return {
    id: a.id,
    kb: a.kb,
    text: a.text,
    category: a.category,
    language: a.language,
    active: a.active,
    usage_count: a.usageCount,
    revision: a.revision,
    created_at: new Date(a.createdAt).toISOString(),
    updated_at: new Date(a.updatedAt).toISOString(),
  };
}

const listQuery = z.strictObject({
  kb: kbName.optional(),
  category: z.string().min(1).max(100).optional(),
  language: z
    .string()
    .regex(/^[a-z]{2,3}$/)
    .optional(),
  active: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

function idOf(req: Request): number {
  const id = Number(req.params.id);
  if (!Number.isSafeInteger(id) || id < 1 || String(id) !== req.params.id)
    throw new AppError('validation_failed', `answer id must be a positive integer, got "${req.params.id}"`);
  return id;
}

const text = (raw: Buffer) => decodeUtf8(raw);

/**
 * The knowledge base over REST, behind the API key:
 * `GET/POST /answers`, `GET/PATCH/DELETE /answers/:id`, and `POST /answers/import` with a
 * CSV, JSON Lines or JSON body (all rows checked first; one bad row refuses the batch with a
 * 400 naming it, and nothing is stored).
 */
export function answersRoutes(deps: AnswersRouteDeps): RouteMount {
  return ({ api }) => {
    api
      .route('/answers')
      .get(async (req, res) => {
        const parsed = listQuery.safeParse(req.query);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new AppError('validation_failed', `${issue.path.join('.') || 'query'}: ${issue.message}`);
        }
        const q = parsed.data;
        const { answers, total } = await deps.kb.list({
          kb: q.kb ?? DEFAULT_KB,
          category: q.category,
          language: q.language,
          active: q.active === undefined ? undefined : q.active === 'true',
          limit: q.limit,
          offset: q.offset,
        });
        res.json({ answers: answers.map(answerJson), total, limit: q.limit, offset: q.offset });
      })
      .post(jsonBody(deps.bodyLimitBytes), async (req, res) => {
        res.status(201).json(answerJson(await deps.kb.create(req.body)));
      })
      .all(methodNotAllowed(['GET', 'POST']));

    api
      .route('/answers/import')
      .post(
        readBody({
          limit: deps.importLimitBytes,
          types: {
            'text/csv': text,
            'application/x-ndjson': text,
            'application/jsonl': text,
            'application/json': parseJson,
          },
        }),
        async (req, res) => {
          const type = req.headers['content-type']!.split(';')[0]!.trim().toLowerCase();
          const format = type === 'text/csv' ? 'csv' : type === 'application/json' ? 'json' : 'jsonl';
          const kb = typeof req.query.kb === 'string' ? req.query.kb : DEFAULT_KB;
          const checked = kbName.safeParse(kb);
          if (!checked.success)
            throw new AppError('validation_failed', `kb: ${checked.error.issues[0]!.message}`);
          const stored = await deps.kb.import(req.body, format, checked.data);
          res.status(201).json({ imported: stored.length, kb: checked.data, ids: stored.map((a) => a.id) });
        },
      )
      .all(methodNotAllowed(['POST']));

    api
      .route('/answers/:id')
      .get(async (req, res) => {
        res.json(answerJson(await deps.kb.get(idOf(req))));
      })
      .patch(jsonBody(deps.bodyLimitBytes), async (req, res) => {
        res.json(answerJson(await deps.kb.update(idOf(req), req.body)));
      })
      .delete(async (req, res) => {
        await deps.kb.delete(idOf(req));
        res.status(204).end();
      })
      .all(methodNotAllowed(['GET', 'PATCH', 'DELETE']));
  };
}
