/** The database cannot be used: unreachable, refused us, or holds a schema newer than this build. */
export class PostgresStartError extends Error {
  override readonly name = 'PostgresStartError';
}
