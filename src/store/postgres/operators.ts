import { createHash, randomBytes } from 'node:crypto';
import type { Operator, OperatorRole, OperatorStore } from '../../console/operator-store-port.js';
import type { Clock } from '../../core/ports.js';
import { execute, type PgPool, query, queryOne } from './db.js';

interface OperatorRow extends Operator {
  password_hash: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Operators and their sessions in PostgreSQL: a session made on one instance is valid on
 * every instance. A session token is random (256 bits) and only its SHA-256 is stored, so a
 * copy of the database does not let anyone sign in.
 */
export class PgOperators implements OperatorStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** Creates or updates an operator; `passwordHash` comes from `hashPassword`. */
  async upsert(o: {
    login: string;
    name: string;
    passwordHash: string;
    language?: 'en' | 'ru';
  }): Promise<number> {
    const row = await queryOne<{ id: number }>(
      this.pool,
      `INSERT INTO operators (login, name, password_hash, language, created_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (login) DO UPDATE SET name = excluded.name, password_hash = excluded.password_hash,
         language = excluded.language, active = 1
       RETURNING id`,
      [o.login, o.name, o.passwordHash, o.language ?? 'en', this.clock.now()],
    );
    return row!.id;
  }

  /** The active operator with this login and their password hash, if any. */
  async findForSignIn(login: string): Promise<(Operator & { passwordHash: string }) | undefined> {
    const row = await this.byLogin(login);
    if (!row) return undefined;
    const { password_hash, ...operator } = row;
    return { ...operator, passwordHash: password_hash };
  }

  /** The name an active operator shows customers (the chat widget), if the login exists. */
  async displayName(login: string): Promise<string | undefined> {
    return (await this.byLogin(login))?.name;
  }

  /** How many active operators there are. */
  async count(): Promise<number> {
    const row = await queryOne<{ n: number }>(
      this.pool,
      'SELECT COUNT(*) AS n FROM operators WHERE active = 1',
    );
    return row!.n;
  }

  /** Starts a session; returns the token for the cookie. */
  async createSession(operatorId: number, ttlMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await execute(this.pool, 'DELETE FROM console_sessions WHERE expires_at <= $1', [now]);
    await execute(
      this.pool,
      'INSERT INTO console_sessions (token_hash, operator_id, created_at, expires_at) VALUES ($1, $2, $3, $4)',
      [hashToken(token), operatorId, now, now + ttlMs],
    );
    return token;
  }

  /** The operator a live session token belongs to. */
  sessionOperator(token: string): Promise<Operator | undefined> {
    return queryOne<Operator>(
      this.pool,
      `SELECT o.id, o.login, o.name, o.language, o.role FROM console_sessions s
       JOIN operators o ON o.id = s.operator_id
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.active = 1`,
      [hashToken(token), this.clock.now()],
    );
  }

  /** Sets an operator's role; false when no such operator exists. */
  async setRole(login: string, role: OperatorRole): Promise<boolean> {
    return (await execute(this.pool, 'UPDATE operators SET role = $1 WHERE login = $2', [role, login])) > 0;
  }

  /** Stores the language an operator chose for the console. */
  async setLanguage(login: string, language: 'en' | 'ru'): Promise<void> {
    await execute(this.pool, 'UPDATE operators SET language = $1 WHERE login = $2', [language, login]);
  }

  /** Every active operator, by login. */
  list(): Promise<Operator[]> {
    return query<Operator>(
      this.pool,
      'SELECT id, login, name, language, role FROM operators WHERE active = 1 ORDER BY login',
    );
  }

  /** Ends a session. */
  async deleteSession(token: string): Promise<void> {
    await execute(this.pool, 'DELETE FROM console_sessions WHERE token_hash = $1', [hashToken(token)]);
  }

  private byLogin(login: string): Promise<OperatorRow | undefined> {
    return queryOne<OperatorRow>(
      this.pool,
      'SELECT id, login, name, language, role, password_hash FROM operators WHERE login = $1 AND active = 1',
      [login],
    );
  }
}
