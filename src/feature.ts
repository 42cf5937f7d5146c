/**
 * The one shape every feature of the gateway returns (channels, console, knowledge bases,
 * shop, nets, retraining): its HTTP routes, its websocket paths, its readiness checks, what
 * runs once the gateway listens and how it stops. `buildGateway` in `server.ts` collects
 * them; a new feature adds its routes as a mount here, and touches nothing else.
 */
import type { ReadinessCheck, RouteMount } from './app.js';
import type { UpgradeHandler } from './transport/ws/upgrade-router.js';

/** A part of the gateway, as the composition root sees it. Every field is optional. */
export interface Feature {
  name: string;
  /** Routes: `api` is `/api/v1` behind the API key, `app` the root. */
  mounts?: readonly RouteMount[];
  /** Websocket paths and their upgrade handlers. */
  upgrades?: Readonly<Record<string, UpgradeHandler>>;
  /** Conditions of `/readyz`. */
  readiness?: readonly ReadinessCheck[];
  /** Runs once the gateway listens (in the order the features are listed). */
  start?(): void | Promise<void>;
  /** First at shutdown: closes long-lived sockets, which would hold the HTTP server open. */
  closeSockets?(): Promise<void>;
  /** Stops the feature once requests have drained (in the reverse order of the list). */
  close?(): void | Promise<void>;
}
