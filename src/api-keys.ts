import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a development key generated at first start is kept. */
export const GENERATED_KEY_FILE = 'api-key';

/** The keys to accept, and a key that was generated just now (to print once). */
export interface ResolvedApiKeys {
  keys: string[];
  generated?: string;
}

/**
 * Configured keys win. Without any (development only: config refuses production), a key
 * is generated once, stored in the data dir with owner-only permissions, and reused.
 */
export function resolveApiKeys(configured: readonly string[], dataDir: string): ResolvedApiKeys {
  if (configured.length > 0) return { keys: [...configured] };
  const file = join(dataDir, GENERATED_KEY_FILE);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return { keys: [stored] };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = `nd_${randomBytes(24).toString('base64url')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { keys: [key], generated: key };
}
