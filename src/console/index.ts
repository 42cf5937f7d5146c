import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { RouteMount } from '../app.js';
import type { Clock } from '../core/ports.js';
import type { Logger } from '../logger.js';
import type { UpgradeHandler } from '../transport/ws/upgrade-router.js';
import { mountConsoleAuth } from './auth-routes.js';
import { bootstrapOperators, parseConfiguredOperators } from './bootstrap.js';
import { ConsoleHub, type ConsoleService } from './hub.js';
import type { OperatorStore } from './operator-store-port.js';
import { readCookie, SESSION_COOKIE } from './session-cookie.js';

/** Settings of the operators' console, from config. */
export interface ConsoleOptions {
  operatorStore: OperatorStore;
  clock: Clock;
  logger: Logger;
  service: ConsoleService;
  operators: readonly string[];
  sessionTtlMs: number;
  secureCookie: boolean;
  allowedOrigins: readonly string[];
  /** Create `admin` with a printed password when nobody can sign in (development only). */
  allowGeneratedAdmin: boolean;
  onGeneratedAdmin?: (login: string, password: string) => void;
  hub?: { maxBufferedBytes?: number; heartbeatMs?: number; replayLimit?: number };
}

/** The console's parts for the composition root: its routes, its websocket, and how to stop it. */
export interface ConsoleFeature {
  mount: RouteMount;
  upgrade: UpgradeHandler;
  hub: ConsoleHub;
  operators: OperatorStore;
  close(): void;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

// The page loads only its own scripts and styles and talks only to its own origin.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Builds the console: sign-in routes, the static page, and the `/ws/console` hub. */
export async function createConsole(o: ConsoleOptions): Promise<ConsoleFeature> {
  const operators = o.operatorStore;
  const generated = await bootstrapOperators(
    operators,
    parseConfiguredOperators(o.operators),
    o.allowGeneratedAdmin,
  );
  if (generated) o.onGeneratedAdmin?.(generated.login, generated.password);

  const authenticate = async (req: IncomingMessage) => {
    const token = readCookie(req, SESSION_COOKIE);
    return token ? operators.sessionOperator(token) : undefined;
  };
  const hub = new ConsoleHub({
    service: o.service,
    authenticate,
    logger: o.logger.child({ component: 'console' }),
    allowedOrigins: o.allowedOrigins,
    ...o.hub,
  });

  const mount: RouteMount = ({ app }) => {
    mountConsoleAuth(app, {
      operators,
      clock: o.clock,
      sessionTtlMs: o.sessionTtlMs,
      secureCookie: o.secureCookie,
    });
    const page = express.Router();
    page.use((_req, res, next) => {
      res.setHeader('Content-Security-Policy', CSP);
      res.setHeader('Cache-Control', 'no-cache');
      next();
    });
    page.get('/', (_req, res) => res.sendFile('index.html', { root: PUBLIC_DIR }));
    page.use(express.static(PUBLIC_DIR, { index: false, fallthrough: true }));
    app.use('/console', page);
  };

  return {
    mount,
    upgrade: (req, socket, head) => hub.handleUpgrade(req, socket, head),
    hub,
    operators,
    close: () => hub.close(),
  };
}
