import { randomBytes } from 'node:crypto';
import type { OperatorStore } from './operator-store-port.js';
import { hashPassword, isPasswordHash } from './passwords.js';

/** An operator from configuration: `login:scrypt$...` (a hash from `npm run operators -- hash`). */
export interface ConfiguredOperator {
  login: string;
  passwordHash: string;
}

/** Parses `NEURODESK_CONSOLE_OPERATORS` entries; throws naming the bad entry. */
export function parseConfiguredOperators(entries: readonly string[]): ConfiguredOperator[] {
  return entries.map((entry) => {
    const colon = entry.indexOf(':');
    const login = entry.slice(0, colon);
    const passwordHash = entry.slice(colon + 1);
    if (colon < 1 || !/^[\w.@-]{1,100}$/.test(login) || !isPasswordHash(passwordHash)) {
      throw new Error(
        `operator entry "${entry.slice(0, 40)}" must be login:scrypt$... (see npm run operators -- hash)`,
      );
    }
    return { login, passwordHash };
  });
}

/**
 * Makes sure someone can sign in: configured operators are written to the store; with none
 * configured and none stored, a development start creates `admin` with a random password
 * and returns it to be shown once.
 */
export async function bootstrapOperators(
  operators: OperatorStore,
  configured: readonly ConfiguredOperator[],
  allowGenerated: boolean,
): Promise<{ login: string; password: string } | undefined> {
  for (const o of configured)
    await operators.upsert({ login: o.login, name: o.login, passwordHash: o.passwordHash });
  if (configured.length > 0 || (await operators.count()) > 0 || !allowGenerated) return undefined;
  const password = randomBytes(12).toString('base64url');
  await operators.upsert({ login: 'admin', name: 'Admin', passwordHash: await hashPassword(password) });
  return { login: 'admin', password };
}
