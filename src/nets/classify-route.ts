import { z } from 'zod';
import type { RouteMount } from '../app.js';
import type { Classification } from '../core/ports.js';
import { AppError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { jsonBody } from '../transport/http/body.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';

const classifyRequest = z.object({
  text: z
    .string({ error: (i) => (i.input === undefined ? 'text is required' : 'text must be a string') })
    .refine((t) => t.trim().length > 0, 'text must not be empty'),
  k: z.number().int().min(1).max(20).optional(),
});

/** What {@link classifyRoute} needs. */
export interface ClassifyRouteDeps {
  /** The core's classifier port, with an optional number of runners-up. */
  classifier: { classify(netName: string, text: string, k?: number): Promise<Classification> };
  /** The net that serves the endpoint. */
  netName: string;
  bodyLimitBytes: number;
  metrics: Metrics;
}

/**
 * `POST /api/v1/classify {"text", "k"?}` → `{category, confidence, unsure, top, net}`.
 * Calls without a stored message are not written to the predictions table (there is no
 * message to link, nothing for an operator to label); they are counted in the metrics.
 */
export function classifyRoute(deps: ClassifyRouteDeps): RouteMount {
  return ({ api }) => {
    api
      .route('/classify')
      .post(jsonBody(deps.bodyLimitBytes), async (req, res) => {
        const parsed = classifyRequest.safeParse(req.body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const message =
            issue.path.length === 0 ? 'body must be a JSON object with a "text" string' : issue.message;
          throw new AppError('validation_failed', message, {
            details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
          });
        }
        const c = await deps.classifier.classify(deps.netName, parsed.data.text, parsed.data.k);
        deps.metrics.predictions.inc({
          kind: 'classify',
          net: c.net.name,
          version: c.net.version,
          unsure: String(c.unsure),
        });
        deps.metrics.predictionDuration.observe({ kind: 'classify' }, c.latencyMs / 1000);
        res.json({
          category: c.category,
          confidence: c.confidence,
          unsure: c.unsure,
          top: c.top,
          net: c.net,
        });
      })
      .all(methodNotAllowed(['POST']));
  };
}
