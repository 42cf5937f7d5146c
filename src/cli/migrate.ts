// `npm run migrate`: brings the configured database's schema up to date and exits, for a desk
// that migrates before rolling out new gateways (each gateway also migrates at start; instances
// starting together take turns). PostgreSQL when NEURODESK_DATABASE_URL is set, else the SQLite
// file in NEURODESK_DATA_DIR.
import { pathToFileURL } from 'node:url';
import { loadConfig, readEnvFile } from '../config.js';
import { systemClock } from '../core/ports.js';
import { describeConfiguredStore, migrateConfiguredStore } from '../store/open-store.js';

interface Io {
  out: { write(s: string): unknown };
  err: { write(s: string): unknown };
}

/** Migrates the configured database; returns the exit code (0 done, 1 failed, 2 usage). */
export async function runMigrateCli(
  argv: string[],
  io: Io,
  env: Record<string, string | undefined>,
): Promise<number> {
  if (argv.length > 0) {
    io.err.write(
      'usage: npm run migrate   (the database NEURODESK_DATABASE_URL or NEURODESK_DATA_DIR names)\n',
    );
    return 2;
  }
  const config = loadConfig(env);
  const where = describeConfiguredStore(config);
  try {
    const version = await migrateConfiguredStore(config, systemClock);
    io.out.write(`${where}: schema at version ${version}\n`);
    return 0;
  } catch (err) {
    io.err.write(`migrate: ${where}: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runMigrateCli(
    process.argv.slice(2),
    { out: process.stdout, err: process.stderr },
    { ...readEnvFile('.env'), ...process.env },
  );
}
