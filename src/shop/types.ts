/** The kinds of shop event, weakest signal first. */
export const EVENT_KINDS = ['view', 'cart', 'purchase'] as const;

/** What a customer did with a product. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** A catalogue entry. `repeatable` goods (milk, socks) may be suggested again after a purchase. */
export interface Product {
  id: string;
  title: string;
  category: string | null;
  price: number | null;
  attributes: Record<string, string | number | boolean>;
  repeatable: boolean;
  url: string | null;
}

/** One customer event, as stored. `orderId` groups purchases into a basket. */
export interface ShopEvent {
  userId: string;
  itemId: string;
  type: EventKind;
  quantity: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  orderId: string | null;
  /** The sender's own id for the event: a retried batch does not count it twice. */
  eventId: string | null;
}

/** The models that can produce a recommendation; every result names one. */
export type ModelName =
  | 'personal'
  | 'item-to-item'
  | 'bought-together'
  | 'top-sellers'
  | 'trending'
  | 'content';

/** One recommended product with the model that produced it and that model's score. */
export interface RecommendedItem {
  id: string;
  title: string;
  category: string | null;
  price: number | null;
  url: string | null;
  score: number;
  model: ModelName;
  /** Bought together only: baskets with both, share of the anchor's baskets, and lift. */
  support?: number;
  confidence?: number;
  lift?: number;
}

/** A list of recommendations; `reason` says why a fallback model answered. */
export interface RecommendationList {
  model: ModelName;
  reason?: string;
  items: RecommendedItem[];
}
