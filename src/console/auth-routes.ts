import type { Express, Request } from 'express';
import { z } from 'zod';
import type { Clock } from '../core/ports.js';
import { AppError } from '../errors.js';
import { jsonBody } from '../transport/http/body.js';
import { methodNotAllowed } from '../transport/http/error-handler.js';
import type { Operator, OperatorStore } from './operator-store-port.js';
import { verifyPassword } from './passwords.js';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './session-cookie.js';

/** Settings of the console's sign-in. */
export interface ConsoleAuthOptions {
  operators: OperatorStore;
  clock: Clock;
  sessionTtlMs: number;
  secureCookie: boolean;
  /** Failed sign-ins allowed per client address within `lockoutWindowMs`. */
  maxFailures?: number;
  lockoutWindowMs?: number;
}

const loginSchema = z.object({
  login: z.string().min(1).max(100),
  password: z.string().min(1).max(1000),
});

/** The operator signed in on this request, if its session cookie is live. */
export async function operatorOf(req: Request, operators: OperatorStore): Promise<Operator | undefined> {
  const token = readCookie(req, SESSION_COOKIE);
  return token ? operators.sessionOperator(token) : undefined;
}

/** Mounts `/console/api/session` (GET who am I, POST sign in, DELETE sign out). */
export function mountConsoleAuth(app: Express, o: ConsoleAuthOptions): void {
  const maxFailures = o.maxFailures ?? 10;
  const window = o.lockoutWindowMs ?? 15 * 60_000;
  const failures = new Map<string, { count: number; since: number }>();
  const lockedOut = (ip: string) => {
    const f = failures.get(ip);
    if (!f) return false;
    if (o.clock.now() - f.since > window) {
      failures.delete(ip);
      return false;
    }
    return f.count >= maxFailures;
  };
  const fail = (ip: string) => {
    const f = failures.get(ip);
    if (f && o.clock.now() - f.since <= window) f.count++;
    else failures.set(ip, { count: 1, since: o.clock.now() });
  };

  app
    .route('/console/api/session')
    .get(async (req, res) => {
      const operator = await operatorOf(req, o.operators);
      if (!operator) throw new AppError('unauthorized', 'not signed in');
      res.json({ operator });
    })
    .post(jsonBody(4096), async (req, res) => {
      const ip = req.socket.remoteAddress ?? 'unknown';
      if (lockedOut(ip)) {
        throw new AppError('rate_limited', 'too many failed sign-ins; try again later', {
          headers: { 'Retry-After': String(Math.ceil(window / 1000)) },
        });
      }
      const parsed = loginSchema.safeParse(req.body);
      if (!parsed.success) throw new AppError('validation_failed', 'login and password are required');
      const found = await o.operators.findForSignIn(parsed.data.login);
      // Verify against a real hash even for unknown logins, so timing does not reveal them.
      const ok = await verifyPassword(parsed.data.password, found?.passwordHash ?? DUMMY_HASH);
      if (!found || !ok) {
        fail(ip);
        throw new AppError('unauthorized', 'wrong login or password');
      }
      failures.delete(ip);
      const token = await o.operators.createSession(found.id, o.sessionTtlMs);
      res.setHeader('Set-Cookie', sessionCookie(token, Math.floor(o.sessionTtlMs / 1000), o.secureCookie));
      const { passwordHash: _, ...operator } = found;
      res.json({ operator });
    })
    .delete(async (req, res) => {
      const token = readCookie(req, SESSION_COOKIE);
      if (token) await o.operators.deleteSession(token);
      res.setHeader('Set-Cookie', clearedSessionCookie(o.secureCookie));
      res.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'POST', 'DELETE']));
}

// A valid hash of a random password, for constant-time refusals of unknown logins.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$Lw0D8mYpW3WvJ3kH9Q2cQk1jz3nQm1n0yq2z7h9r5aA';
