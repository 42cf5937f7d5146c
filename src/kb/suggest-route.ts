import { z } from 'zod';
import type { RouteMount } from '../app.js';
import type { AnswerSuggester } from '../core/ports.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { jsonBody } from '../transport/http/body.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import { kbName } from './answer-input.js';

const suggestRequest = z.strictObject({
  text: z
    .string({ error: (i) => (i.input === undefined ? 'text is required' : 'text must be a string') })
    .refine((t) => t.trim().length > 0, 'text must not be empty'),
  k: z.number({ error: 'k must be a number' }).int('k must be an integer').min(1).max(100).optional(),
  category: z.string().min(1).max(100).optional(),
  category_mode: z.enum(['boost', 'filter']).optional(),
  kb: kbName.optional(),
  language: z
    .string()
    .regex(/^[a-z]{2,3}$/, 'language must be a language code such as "en" or "ru"')
    .optional(),
});

/** What {@link suggestRoute} needs. */
export interface SuggestRouteDeps {
  suggester: AnswerSuggester;
  /** The two-tower net that serves the endpoint. */
  netName: string;
  bodyLimitBytes: number;
  metrics: Metrics;
}

/**
 * `POST /api/v1/suggest {"text", "k"?, "category"?, "category_mode"?, "kb"?}` →
 * `{suggestions: [{answer_id, text, score, category}], net: {name, version}, threshold}`.
 * `k` (default 3) may exceed the knowledge base: all its answers come back. With `category`,
 * that category's answers come first (`boost`, the default) or alone (`filter`). With
 * `language`, that language's answers come alone when one of them is relevant (at or above the
 * net's threshold), answers of every language otherwise; by score either way.
 */
export function suggestRoute(deps: SuggestRouteDeps): RouteMount {
  return ({ api }) => {
    api
      .route('/suggest')
      .post(jsonBody(deps.bodyLimitBytes), async (req, res) => {
        const parsed = suggestRequest.safeParse(req.body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const message =
            issue.path.length === 0
              ? 'body must be a JSON object with a "text" string'
              : `${issue.path.join('.')}: ${issue.message}`;
          throw new AppError('validation_failed', message);
        }
        const b = parsed.data;
        const r = await deps.suggester.suggest(deps.netName, b.text, {
          k: b.k ?? 3,
          category: b.category,
          categoryMode: b.category_mode,
          kb: b.kb,
          language: b.language,
        });
        deps.metrics.predictions.inc({
          kind: 'suggest',
          net: r.net.name,
          version: r.net.version,
          unsure: String(!(r.suggestions[0]?.score !== undefined && r.suggestions[0].score >= r.threshold)),
        });
        deps.metrics.predictionDuration.observe({ kind: 'suggest' }, r.latencyMs / 1000);
        res.json({
          suggestions: r.suggestions.map((s) => ({
            answer_id: s.answerId,
            text: s.text,
            score: s.score,
            category: s.category,
            language: s.language ?? null,
          })),
          net: r.net,
          threshold: r.threshold,
        });
      })
      .all(methodNotAllowed(['POST']));
  };
}
