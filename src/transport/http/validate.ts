import type { z } from 'zod';
import { AppError } from '../../errors.js';

/** Validates a payload against a schema; 400 lists the failing fields (never their values). */
export function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || '(root)'))].slice(0, 10);
  throw new AppError('validation_failed', `not a valid ${what}: check ${fields.join(', ')}`, {
    details: r.error.issues.slice(0, 10).map((i) => ({ field: i.path.join('.'), problem: i.message })),
  });
}
