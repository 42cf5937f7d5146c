import type { ProductPicks, ProductQuery, ProductRecommender } from '../core/ports.js';
import { boughtTogether, recommendForUser, type ShopView, similarItems } from './recommender.js';
import type { ModelName, Product } from './types.js';

/** One recommendation shaped for a chat reply attachment (a button or a link card). */
export interface AttachmentItem {
  id: string;
  title: string;
  url: string | null;
  price: number | null;
  model: ModelName;
}

/** What a bot can attach to a reply, and why. */
export interface ConversationRecommendations {
  /** The product the conversation is about, and how it was recognised; null for personal picks. */
  about: {
    id: string;
    title: string;
    url: string | null;
    matchedBy: 'product_id' | 'title';
    score: number;
  } | null;
  model: ModelName;
  reason?: string;
  items: AttachmentItem[];
}

/** What the gateway knows about a conversation. */
export interface ConversationQuery {
  /** The customer's message (or the last few). */
  text?: string;
  /** A product the conversation is known to be about (e.g. the page the chat was opened on). */
  productId?: string;
  /** The shop's id of the customer, when the channel knows it. */
  userId?: string;
  k?: number;
  /** Cosine between the text and a title needed to say the conversation is about that product. */
  minTitleSimilarity?: number;
}

/** Below this cosine a title match is more likely a shared word than the same product. */
export const DEFAULT_MIN_TITLE_SIMILARITY = 0.3;

const ID_TOKEN = /[\p{L}\p{N}][\p{L}\p{N}_.:-]{2,}/gu;

function mentionedProduct(view: ShopView, text: string): Product | undefined {
  for (const token of text.match(ID_TOKEN) ?? []) {
    const p = view.products.get(token) ?? view.products.get(token.toUpperCase());
    if (p) return p;
  }
  return undefined;
}

const attachment = (i: {
  id: string;
  title: string;
  url: string | null;
  price: number | null;
  model: ModelName;
}) => ({
  id: i.id,
  title: i.title,
  url: i.url,
  price: i.price,
  model: i.model,
});

/**
 * Recommendations a bot may attach to its reply (a Telegram inline keyboard, a Bitrix24
 * attachment: the gateway renders them). The conversation is about a product when it
 * gives `productId`, names a product id in the text, or its text is close enough to a
 * product title; then the answer is what is bought with that product, then similar
 * products, minus once-only goods the customer already owns. Otherwise, with a
 * known `userId`, personal picks; otherwise null: nothing to attach.
 */
export function recommendForConversation(
  view: ShopView,
  q: ConversationQuery,
): ConversationRecommendations | null {
  const k = q.k ?? 3;
  let product = q.productId ? view.products.get(q.productId) : undefined;
  let about: ConversationRecommendations['about'] = null;
  if (product)
    about = { id: product.id, title: product.title, url: product.url, matchedBy: 'product_id', score: 1 };
  else if (q.text) {
    product = mentionedProduct(view, q.text);
    if (product)
      about = { id: product.id, title: product.title, url: product.url, matchedBy: 'product_id', score: 1 };
    else {
      const best = view.content.nearest(view.content.vectorOf(q.text), 1, () => false)[0];
      if (best && best.score >= (q.minTitleSimilarity ?? DEFAULT_MIN_TITLE_SIMILARITY)) {
        product = view.products.get(best.id)!;
        about = {
          id: product.id,
          title: product.title,
          url: product.url,
          matchedBy: 'title',
          score: best.score,
        };
      }
    }
  }
  if (!product) {
    if (!q.userId) return null;
    const personal = recommendForUser(view, q.userId, k);
    if (personal.reason === 'unknown_user') return null;
    return {
      about: null,
      model: personal.model,
      reason: personal.reason,
      items: personal.items.map(attachment),
    };
  }
  // What is bought with it first, then similar products; owned once-only goods are dropped.
  const owned = q.userId ? ownedOnce(view, q.userId) : () => false;
  const bought = boughtTogether(view, product.id, k + 20)!;
  const similar = similarItems(view, product.id, k + 20)!;
  const items: AttachmentItem[] = [];
  for (const i of [...bought.items, ...similar.items]) {
    if (items.length < k && !owned(i.id) && !items.some((x) => x.id === i.id)) items.push(attachment(i));
  }
  const model = items[0]?.model ?? bought.model;
  return { about, model, items };
}

/** Once-only products the user bought (in the model or since). */
function ownedOnce(view: ShopView, userId: string): (id: string) => boolean {
  const s = view.snapshot;
  const bought = new Set<string>();
  const u = s.userIndex.get(userId);
  if (u !== undefined) for (const j of s.purchased(u).ids) bought.add(s.data.items[j]!);
  for (const e of view.live.forUser(userId)) if (e.type === 'purchase') bought.add(e.itemId);
  return (id) => bought.has(id) && !view.products.get(id)?.repeatable;
}

/**
 * The shop as the bot pipeline sees it: what to attach when a conversation is about a
 * product. Personal picks are not volunteered in a support chat; only a product the
 * customer named (by id, by a button, or by a title close enough) brings a list.
 */
export function shopRecommender(view: () => ShopView | undefined): ProductRecommender {
  return {
    forConversation(q: ProductQuery): ProductPicks | null {
      const v = view();
      if (!v) return null;
      const r = recommendForConversation(v, {
        text: q.text,
        productId: q.productId,
        k: q.k,
        minTitleSimilarity: q.minTitleSimilarity,
      });
      if (!r?.about || r.items.length === 0) return null;
      return {
        about: { id: r.about.id, title: r.about.title },
        model: r.model,
        items: r.items.map(({ id, title, url, price }) => {
          const image = v.products.get(id)?.attributes.image;
          return { id, title, url, price, ...(typeof image === 'string' ? { image } : {}) };
        }),
      };
    },
  };
}
