/**
 * A small shop whose right answers are known by hand: groceries (repeatable), electronics
 * (bought once), and car parts whose titles share words.
 */

/** The catalogue. */
export const PRODUCTS = [
  { id: 'milk', title: 'Fresh milk 1 l', category: 'Groceries', price: 1.2, repeatable: true },
  { id: 'bread', title: 'Sourdough bread', category: 'Groceries', price: 3.5, repeatable: true },
  { id: 'butter', title: 'Butter 250 g', category: 'Groceries', price: 2.4, repeatable: true },
  { id: 'tv', title: 'Smart TV 55 inch', category: 'Electronics', price: 499, repeatable: false },
  { id: 'hdmi', title: 'HDMI cable 2 m', category: 'Electronics', price: 9.9, repeatable: false },
  { id: 'soundbar', title: 'Soundbar with subwoofer', category: 'Electronics', price: 199 },
  { id: 'corolla-pads', title: 'Toyota Corolla brake pads', category: 'Car parts', price: 35 },
  { id: 'camry-filter', title: 'Toyota Camry oil filter', category: 'Car parts', price: 12 },
  { id: 'rav4-mats', title: 'Toyota RAV4 floor mats', category: 'Car parts', price: 60 },
  { id: 'civic-plugs', title: 'Honda Civic spark plugs', category: 'Car parts', price: 25 },
  { id: 'civic-wipers', title: 'Honda Civic wiper blades', category: 'Car parts', price: 18 },
];

const DAY = 86_400_000;

/**
 * Orders (all purchases). Baskets with the TV: 6 (o1–o6); with TV and HDMI: 4; with TV and
 * soundbar: 3; 12 baskets in all. Ann bought milk, bread and the TV.
 */
export function orders(now: number): Record<string, unknown>[] {
  const rows: [order: string, user: string, items: string[], daysAgo: number][] = [
    ['o1', 'u1', ['tv', 'hdmi'], 9],
    ['o2', 'u2', ['tv', 'hdmi', 'soundbar'], 8],
    ['o3', 'u3', ['tv', 'hdmi'], 8],
    ['o4', 'u4', ['tv', 'soundbar', 'hdmi'], 7],
    ['o5', 'u5', ['tv', 'soundbar'], 6],
    ['o6', 'ann', ['milk', 'bread', 'tv'], 5],
    ['o7', 'u6', ['milk', 'bread'], 5],
    ['o8', 'u7', ['milk', 'butter', 'bread'], 4],
    ['o9', 'u8', ['milk', 'butter'], 3],
    ['o10', 'u9', ['bread', 'butter'], 2],
    ['o11', 'u10', ['corolla-pads', 'camry-filter'], 2],
    ['o12', 'u11', ['civic-plugs', 'civic-wipers'], 1],
  ];
  return rows.flatMap(([orderId, userId, items, daysAgo]) =>
    items.map((itemId) => ({ userId, itemId, type: 'purchase', orderId, timestamp: now - daysAgo * DAY })),
  );
}
