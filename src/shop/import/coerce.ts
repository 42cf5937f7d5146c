/**
 * CSV gives strings; the row schemas want numbers and booleans. These turn a CSV record
 * into the same object shape a JSON row has, so both formats go through one validation.
 */

const ALIASES: Record<string, string> = {
  user_id: 'userId',
  user: 'userId',
  item_id: 'itemId',
  item: 'itemId',
  product_id: 'itemId',
  order_id: 'orderId',
  event_id: 'eventId',
  event_type: 'type',
};

const PRODUCT_FIELDS = new Set(['id', 'title', 'category', 'price', 'repeatable', 'url', 'attributes']);

function number(v: string): number | string {
  return /^\s*-?\d+(?:\.\d+)?\s*$/.test(v) ? Number(v) : v;
}

function boolean(v: string): boolean | string {
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(s)) return true;
  if (['false', '0', 'no'].includes(s)) return false;
  return v;
}

/** A CSV product row: known columns typed, every other non-empty column becomes an attribute. */
export function productFromCsv(csv: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const attributes: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(csv)) {
    if (value === '') continue;
    if (name === 'price') out.price = number(value);
    else if (name === 'repeatable') out.repeatable = boolean(value);
    else if (name === 'attributes') out.attributes = value;
    else if (PRODUCT_FIELDS.has(name)) out[name] = value;
    else attributes[name] = number(value);
  }
  if (typeof out.attributes === 'string') {
    try {
      out.attributes = JSON.parse(out.attributes as string);
    } catch {
      // Left as a string: validation reports it.
    }
  } else if (Object.keys(attributes).length > 0) out.attributes = attributes;
  return out;
}

/** A CSV event row: snake_case headers accepted, quantity typed, empty cells left out. */
export function eventFromCsv(csv: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(csv)) {
    if (value === '') continue;
    const key = ALIASES[name] ?? name;
    out[key] = key === 'quantity' ? number(value) : value;
  }
  return out;
}
