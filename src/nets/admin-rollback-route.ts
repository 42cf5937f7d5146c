import { join } from 'node:path';
import { z } from 'zod';
import type { RouteMount } from '../app.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { jsonBody } from '../transport/http/body.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import { latestRollbacks, RollbackError, rollbackNet } from './rollback.js';
import type { NetRegistry } from './runtime/net-registry.js';

const body = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).optional();

/**
 * `POST /api/v1/admin/nets/:name/rollback` (optional `{"reason": "..."}`): CURRENT back to the
 * version in service before the current one, logged, then served at once (the reload the watch
 * would do within seconds). 409 when there is nothing to go back to. `GET
 * /api/v1/admin/nets/rollbacks`: the latest rollbacks of every net.
 */
export function adminRollbackRoute(registry: NetRegistry, logger: Logger): RouteMount {
  return ({ api }) => {
    api
      .route('/admin/nets/rollbacks')
      .get((_req, res) => {
        res.json({ rollbacks: latestRollbacks(registry.root, 50) });
      })
      .all(methodNotAllowed(['GET']));
    api
      .route('/admin/nets/:name/rollback')
      .post(jsonBody(16 * 1024, true), async (req, res) => {
        const name = String(req.params.name);
        if (!/^[\w.-]+$/.test(name) || !registry.exists(name))
          throw new AppError('not_found', `no net "${name}" in the nets folder`);
        const parsed = body.safeParse(req.body);
        if (!parsed.success)
          throw new AppError('validation_failed', 'expected no body or {"reason": "a sentence"}', {
            details: parsed.error.issues,
          });
        let record: ReturnType<typeof rollbackNet>;
        try {
          record = rollbackNet(join(registry.root, name), { by: 'admin-api', reason: parsed.data?.reason });
        } catch (err) {
          if (err instanceof RollbackError) throw new AppError(err.code, err.message);
          throw err;
        }
        logger.warn(
          { net: name, from: record.from, to: record.to, reason: record.reason },
          'net rolled back',
        );
        const served = registry.names().includes(name) ? await registry.reload(name, 'admin') : null;
        res.json({
          ...record,
          serving: served ? (served.ok ? served.version : served.serving) : null,
          loadError: served && !served.ok ? served.reason : null,
        });
      })
      .all(methodNotAllowed(['POST']));
  };
}
