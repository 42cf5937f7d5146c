/**
 * What the console's sign-in, sessions and the operators command need from the store. The
 * store implements it (SQLite or PostgreSQL); every method returns a promise.
 */

/** What an operator may do: `operator` works their own conversations, `supervisor` anyone's. */
export type OperatorRole = 'operator' | 'supervisor';

/** An operator of the web console. */
export interface Operator {
  id: number;
  login: string;
  name: string;
  language: 'en' | 'ru';
  /** A supervisor may reassign any conversation and act on colleagues' ones; an operator only on their own. */
  role: OperatorRole;
}

/**
 * Operators and their sessions. A session token is random (256 bits) and only its SHA-256
 * is stored, so a copy of the database does not let anyone sign in.
 */
export interface OperatorStore {
  /** Creates or updates an operator; `passwordHash` comes from `hashPassword`. Returns its id. */
  upsert(o: { login: string; name: string; passwordHash: string; language?: 'en' | 'ru' }): Promise<number>;
  /** An active operator with their password hash, for signing in. */
  findForSignIn(login: string): Promise<(Operator & { passwordHash: string }) | undefined>;
  /** An active operator's display name. */
  displayName(login: string): Promise<string | undefined>;
  /** How many active operators there are. */
  count(): Promise<number>;
  /** Starts a session (purging expired ones); returns the token to put in the cookie. */
  createSession(operatorId: number, ttlMs: number): Promise<string>;
  /** The operator of a live session token. */
  sessionOperator(token: string): Promise<Operator | undefined>;
  /** Sets an operator's role; false when there is no such operator. */
  setRole(login: string, role: OperatorRole): Promise<boolean>;
  setLanguage(login: string, language: 'en' | 'ru'): Promise<void>;
  /** Active operators by login. */
  list(): Promise<Operator[]>;
  deleteSession(token: string): Promise<void>;
}
