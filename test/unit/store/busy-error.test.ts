import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isBusyError } from '../../../src/store/index.js';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('isBusyError', () => {
  it('is true for a PostgreSQL server that cannot be reached, so the gateway answers 503 store_busy', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: await closedPort(), user: 'x', database: 'x' });
    const err = await client.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(isBusyError(err)).toBe(true);
  });

  it('is true for SQLite busy and locked errors and false for other errors', () => {
    expect(isBusyError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isBusyError(Object.assign(new Error('locked'), { code: 'SQLITE_LOCKED_SHAREDCACHE' }))).toBe(true);
    expect(
      isBusyError(Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT' })),
    ).toBe(false);
    expect(isBusyError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isBusyError(new TypeError('x is undefined'))).toBe(false);
  });
});
