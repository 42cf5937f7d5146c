import { z } from 'zod';
import { parseTimestamp } from './timestamps.js';
import { EVENT_KINDS, type Product, type ShopEvent } from './types.js';

// Ids appear in URLs and logs: printable, no control characters, bounded.
const id = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');

const attributeValue = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);

/** A product as the API and the import accept it. */
export const productInputSchema = z.strictObject({
  id,
  title: z.string().trim().min(1).max(500),
  category: z.string().trim().min(1).max(100).nullish(),
  price: z.number().finite().nonnegative().nullish(),
  attributes: z
    .record(z.string().min(1).max(100), attributeValue)
    .refine((a) => Object.keys(a).length <= 50, 'at most 50 attributes')
    .optional(),
  repeatable: z.boolean().optional(),
  url: z
    .string()
    .max(2000)
    .regex(/^https?:\/\/\S+$/i, 'must be an http(s) URL')
    .nullish(),
});

/** An event as the API and the import accept it; `timestamp` defaults to the time it arrives. */
export const eventInputSchema = z.strictObject({
  userId: id,
  itemId: id,
  type: z.enum(EVENT_KINDS),
  quantity: z.number().int().min(1).max(1_000_000).optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  orderId: id.nullish(),
  eventId: id.nullish(),
});

/** Normalises a validated product input. */
export function toProduct(p: z.infer<typeof productInputSchema>): Product {
  return {
    id: p.id,
    title: p.title,
    category: p.category ?? null,
    price: p.price ?? null,
    attributes: p.attributes ?? {},
    repeatable: p.repeatable ?? false,
    url: p.url ?? null,
  };
}

/** Normalises a validated event input; the timestamp check may still fail (a reason is returned). */
export function toEvent(e: z.infer<typeof eventInputSchema>, now: number): ShopEvent | { error: string } {
  let timestamp = now;
  if (e.timestamp !== undefined) {
    const parsed = parseTimestamp(e.timestamp, now);
    if ('error' in parsed) return { error: `timestamp: ${parsed.error}` };
    timestamp = parsed.ms;
  }
  return {
    userId: e.userId,
    itemId: e.itemId,
    type: e.type,
    quantity: e.quantity ?? 1,
    timestamp,
    orderId: e.orderId ?? null,
    eventId: e.eventId ?? null,
  };
}
