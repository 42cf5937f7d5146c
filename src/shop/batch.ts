import type { z } from 'zod';
import { eventInputSchema, productInputSchema, toEvent, toProduct } from './schemas.js';
import type { Product, ShopEvent } from './types.js';

/** What is wrong with one row of a batch; `row` counts from 0 (API) or is a file line (import). */
export interface RowProblem {
  row: number;
  message: string;
}

/** A checked batch: every row valid, or the problems (at most {@link MAX_PROBLEMS}) and nothing else. */
export type Checked<T> = { ok: true; values: T[] } | { ok: false; problems: RowProblem[] };

/** Problems reported per batch: enough to fix a file, not a wall of text. */
export const MAX_PROBLEMS = 20;

function describe(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function check<I, T>(
  rows: readonly unknown[],
  schema: z.ZodType<I>,
  convert: (input: I) => T | { error: string },
  rowNumber: (index: number) => number,
): Checked<T> {
  const values: T[] = [];
  const problems: RowProblem[] = [];
  for (let i = 0; i < rows.length && problems.length < MAX_PROBLEMS; i++) {
    const parsed = schema.safeParse(rows[i]);
    if (!parsed.success) {
      problems.push({ row: rowNumber(i), message: describe(parsed.error) });
      continue;
    }
    const value = convert(parsed.data);
    if (value && typeof value === 'object' && 'error' in value)
      problems.push({ row: rowNumber(i), message: value.error });
    else values.push(value as T);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

/** Checks a batch of products. */
export function checkProducts(rows: readonly unknown[], rowNumber = (i: number) => i): Checked<Product> {
  return check(rows, productInputSchema, toProduct, rowNumber);
}

/**
 * Checks a batch of events: each must be well formed, have a sane time, and name a product
 * of the catalogue (`knownItem`), so that no event points at nothing.
 */
export function checkEvents(
  rows: readonly unknown[],
  now: number,
  knownItem: (id: string) => boolean,
  rowNumber = (i: number) => i,
): Checked<ShopEvent> {
  return check(
    rows,
    eventInputSchema,
    (input) => {
      const event = toEvent(input, now);
      if ('error' in event) return event;
      if (!knownItem(event.itemId)) return { error: `itemId: unknown product "${event.itemId}"` };
      return event;
    },
    rowNumber,
  );
}
