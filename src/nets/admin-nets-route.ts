import type { RouteMount } from '../app.js';
import { AppError } from '../errors.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import { type ClusterView, listNets } from './runtime/net-listing.js';
import type { NetRegistry } from './runtime/net-registry.js';

/**
 * `GET /api/v1/admin/nets`: every net, its versions, the one in service, memory and load
 * time, and (with `cluster`) the version every live instance serves. `POST /api/v1/admin/nets/:name/reload`: serve what CURRENT names now (200), or 422
 * `net_rejected` with the reason while the previous version keeps serving.
 */
export function adminNetsRoute(registry: NetRegistry, cluster?: () => Promise<ClusterView>): RouteMount {
  return ({ api }) => {
    api
      .route('/admin/nets')
      .get(async (_req, res) => {
        res.json(await listNets(registry, cluster ? await cluster() : undefined));
      })
      .all(methodNotAllowed(['GET']));
    api
      .route('/admin/nets/:name/reload')
      .post(async (req, res) => {
        const name = String(req.params.name);
        if (!registry.exists(name)) throw new AppError('not_found', `no net "${name}" in the nets folder`);
        const outcome = await registry.reload(name, 'admin');
        if (!outcome.ok) {
          throw new AppError(
            'net_rejected',
            `${name} ${outcome.version ?? '(CURRENT unreadable)'} was not loaded: ${outcome.reason}`,
            {
              details: {
                net: name,
                version: outcome.version,
                serving: outcome.serving,
                reason: outcome.reason,
              },
            },
          );
        }
        res.json({
          net: name,
          version: outcome.version,
          previous: outcome.previous,
          changed: outcome.changed,
          loadMs: Math.round(outcome.loadMs),
        });
      })
      .all(methodNotAllowed(['POST']));
  };
}
