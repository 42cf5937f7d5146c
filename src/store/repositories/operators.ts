import { createHash, randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Operator, OperatorRole, OperatorStore } from '../../console/operator-store-port.js';
import type { Clock } from '../../core/ports.js';

export type { Operator, OperatorRole };

interface OperatorRow extends Operator {
  password_hash: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Operators and their sessions. A session token is random (256 bits) and only its SHA-256
 * is stored, so a copy of the database does not let anyone sign in.
 */
export class SqliteOperators implements OperatorStore {
  private readonly byLoginStmt;
  private readonly upsertStmt;
  private readonly countStmt;
  private readonly insertSessionStmt;
  private readonly sessionStmt;
  private readonly deleteSessionStmt;
  private readonly purgeStmt;
  private readonly setRoleStmt;
  private readonly setLanguageStmt;
  private readonly listStmt;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.byLoginStmt = db.prepare<[string], OperatorRow>(
      'SELECT id, login, name, language, role, password_hash FROM operators WHERE login = ? AND active = 1',
    );
    this.upsertStmt = db.prepare<Record<string, unknown>, { id: number }>(
      `INSERT INTO operators (login, name, password_hash, language, created_at)
       VALUES (@login, @name, @passwordHash, @language, @now)
       ON CONFLICT (login) DO UPDATE SET name = excluded.name, password_hash = excluded.password_hash,
         language = excluded.language, active = 1
       RETURNING id`,
    );
    this.countStmt = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM operators WHERE active = 1');
    this.insertSessionStmt = db.prepare(
      'INSERT INTO console_sessions (token_hash, operator_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.sessionStmt = db.prepare<[string, number], Operator>(
      `SELECT o.id, o.login, o.name, o.language, o.role FROM console_sessions s
       JOIN operators o ON o.id = s.operator_id
       WHERE s.token_hash = ? AND s.expires_at > ? AND o.active = 1`,
    );
    this.deleteSessionStmt = db.prepare('DELETE FROM console_sessions WHERE token_hash = ?');
    this.purgeStmt = db.prepare('DELETE FROM console_sessions WHERE expires_at <= ?');
    this.setRoleStmt = db.prepare('UPDATE operators SET role = ? WHERE login = ?');
    this.setLanguageStmt = db.prepare('UPDATE operators SET language = ? WHERE login = ?');
    this.listStmt = db.prepare<[], Operator>(
      'SELECT id, login, name, language, role FROM operators WHERE active = 1 ORDER BY login',
    );
  }

  /** Creates or updates an operator; `passwordHash` comes from `hashPassword`. */
  async upsert(o: {
    login: string;
    name: string;
    passwordHash: string;
    language?: 'en' | 'ru';
  }): Promise<number> {
    return this.upsertStmt.get({ language: 'en', ...o, now: this.clock.now() })!.id;
  }

  /** The active operator with this login and their password hash, if any. */
  async findForSignIn(login: string): Promise<(Operator & { passwordHash: string }) | undefined> {
    const row = this.byLoginStmt.get(login);
    if (!row) return undefined;
    const { password_hash, ...operator } = row;
    return { ...operator, passwordHash: password_hash };
  }

  /** The name an active operator shows customers (the chat widget), if the login exists. */
  async displayName(login: string): Promise<string | undefined> {
    return this.byLoginStmt.get(login)?.name;
  }

  /** How many active operators there are. */
  async count(): Promise<number> {
    return this.countStmt.get()!.n;
  }

  /** Starts a session; returns the token for the cookie. */
  async createSession(operatorId: number, ttlMs: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    this.purgeStmt.run(now);
    this.insertSessionStmt.run(hashToken(token), operatorId, now, now + ttlMs);
    return token;
  }

  /** The operator a live session token belongs to. */
  async sessionOperator(token: string): Promise<Operator | undefined> {
    return this.sessionStmt.get(hashToken(token), this.clock.now());
  }

  /** Sets an operator's role; false when no such operator exists. */
  async setRole(login: string, role: OperatorRole): Promise<boolean> {
    return this.setRoleStmt.run(role, login).changes > 0;
  }

  /** Stores the language an operator chose for the console. */
  async setLanguage(login: string, language: 'en' | 'ru'): Promise<void> {
    this.setLanguageStmt.run(language, login);
  }

  /** Every active operator, by login. */
  async list(): Promise<Operator[]> {
    return this.listStmt.all();
  }

  /** Ends a session. */
  async deleteSession(token: string): Promise<void> {
    this.deleteSessionStmt.run(hashToken(token));
  }
}
