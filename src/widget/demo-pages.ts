/**
 * The demo shop's pages: a product list and product pages from the shop's catalogue, with
 * "bought together" and "you may also like" blocks from the recommendation models and the
 * chat widget on every page. Server-rendered HTML, every value escaped; no inline script
 * or style, so the pages run under a strict CSP (`default-src 'self'`) like a careful shop's.
 */
import { boughtTogether, type ShopView, similarItems, topItems } from '../shop/recommender.js';
import type { Product, RecommendedItem } from '../shop/types.js';

/** The demo pages' languages. */
export type DemoLang = 'en' | 'ru';

const STRINGS = {
  en: {
    shop: 'neurodesk demo shop',
    intro:
      'A shop built from the Online Retail catalogue. Open the chat in the corner: ask the assistant a question, or ask for a person and answer from the console.',
    all: 'All products',
    together: 'Bought together',
    alsoLike: 'You may also like',
    back: '← All products',
    warming: 'The shop models are being built; reload in a few seconds.',
    noPrice: 'price on request',
    notFound: 'No such product.',
    category: 'Category',
  },
  ru: {
    shop: 'Демо-магазин neurodesk',
    intro:
      'Магазин из каталога Online Retail. Откройте чат в углу: задайте вопрос помощнику или позовите сотрудника и ответьте из консоли.',
    all: 'Все товары',
    together: 'Покупают вместе',
    alsoLike: 'Вам может понравиться',
    back: '← Все товары',
    warming: 'Модели магазина строятся; обновите страницу через несколько секунд.',
    noPrice: 'цена по запросу',
    notFound: 'Такого товара нет.',
    category: 'Категория',
  },
} as const;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const price = (lang: DemoLang, p: number | null) =>
  p === null
    ? STRINGS[lang].noPrice
    : new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', { style: 'currency', currency: 'GBP' }).format(
        p,
      );

const q = (lang: DemoLang) => (lang === 'ru' ? '?lang=ru' : '');
const productHref = (id: string, lang: DemoLang) => `/demo/products/${encodeURIComponent(id)}${q(lang)}`;
const imageSrc = (id: string) => `/demo/products/${encodeURIComponent(id)}/image.svg`;

function tile(lang: DemoLang, p: { id: string; title: string; price: number | null }): string {
  return `<li><a class="tile" href="${esc(productHref(p.id, lang))}">
<img src="${esc(imageSrc(p.id))}" alt="" width="160" height="120">
<span class="title">${esc(p.title)}</span><span class="price">${esc(price(lang, p.price))}</span></a></li>`;
}

function block(lang: DemoLang, heading: string, items: RecommendedItem[], testid: string): string {
  if (items.length === 0) return '';
  return `<section data-testid="${testid}"><h2>${esc(heading)}</h2><ul class="grid">${items.map((i) => tile(lang, i)).join('')}</ul></section>`;
}

/** What every page needs: the bot the widget talks to, and where this page is. */
export interface PageContext {
  lang: DemoLang;
  bot: string;
  /** The path without the language (for the EN/RU switch). */
  path: string;
}

function page(c: PageContext, title: string, body: string, productId?: string): string {
  const s = STRINGS[c.lang];
  const widget = [
    'src="/widget.js"',
    `data-bot="${esc(c.bot)}"`,
    `data-lang="${c.lang}"`,
    productId ? `data-product-id="${esc(productId)}"` : '',
    'data-product-url="/demo/products/{id}"',
    'data-product-image="/demo/products/{id}/image.svg"',
    'data-currency="GBP"',
    'async',
  ]
    .filter(Boolean)
    .join(' ');
  const other = c.lang === 'ru' ? 'en' : 'ru';
  const switchHref = other === 'ru' ? `${c.path}?lang=ru` : c.path;
  return `<!doctype html>
<html lang="${c.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — ${esc(s.shop)}</title>
<link rel="stylesheet" href="/demo/shop.css">
</head>
<body>
<header><a class="brand" href="/demo${q(c.lang)}">${esc(s.shop)}</a>
<a class="lang" href="${esc(switchHref)}" hreflang="${other}">${other.toUpperCase()}</a></header>
<main>
${body}
</main>
<script ${widget}></script>
</body>
</html>
`;
}

/** The product list: the best sellers, optionally of one category. */
export function listPage(c: PageContext, view: ShopView | undefined, category?: string): string {
  const s = STRINGS[c.lang];
  if (!view) return page(c, s.all, `<p class="note">${esc(s.warming)}</p>`);
  const top = topItems(view, { k: 48, ...(category ? { category } : {}) }) ?? { items: [] };
  const cats = [...view.categories].sort();
  const nav = cats
    .map(
      (cat) =>
        `<a href="/demo?category=${encodeURIComponent(cat)}${c.lang === 'ru' ? '&amp;lang=ru' : ''}"${cat === category ? ' class="on"' : ''}>${esc(cat)}</a>`,
    )
    .join(' ');
  return page(
    c,
    category ?? s.all,
    `<h1>${esc(category ?? s.all)}</h1><p class="intro">${esc(s.intro)}</p>
<nav class="cats">${nav}</nav>
<ul class="grid" data-testid="products">${top.items.map((i) => tile(c.lang, i)).join('')}</ul>`,
  );
}

/** A product page with what is bought with it and what is like it; null for an unknown product. */
export function productPage(c: PageContext, view: ShopView | undefined, id: string): string | null {
  const s = STRINGS[c.lang];
  if (!view) return page(c, s.all, `<p class="note">${esc(s.warming)}</p>`);
  const p: Product | undefined = view.products.get(id);
  if (!p) return null;
  const together = boughtTogether(view, p.id, 4)?.items ?? [];
  const like = (similarItems(view, p.id, 8)?.items ?? []).filter((i) => !together.some((t) => t.id === i.id));
  return page(
    c,
    p.title,
    `<p><a href="/demo${q(c.lang)}">${esc(s.back)}</a></p>
<article class="product" data-testid="product">
<img src="${esc(imageSrc(p.id))}" alt="" width="320" height="240">
<div><h1>${esc(p.title)}</h1>
<p class="price">${esc(price(c.lang, p.price))}</p>
${p.category ? `<p>${esc(s.category)}: ${esc(p.category)}</p>` : ''}
<p class="muted">#${esc(p.id)}</p></div>
</article>
${block(c.lang, s.together, together, 'bought-together')}
${block(c.lang, s.alsoLike, like.slice(0, 4), 'also-like')}`,
    p.id,
  );
}

/** A page saying the product does not exist. */
export function notFoundPage(c: PageContext): string {
  return page(c, STRINGS[c.lang].notFound, `<h1>${esc(STRINGS[c.lang].notFound)}</h1>`);
}

/**
 * A product picture for a catalogue without pictures: a tile in a colour of the product's id
 * with the initials of its title.
 */
export function productImage(p: Pick<Product, 'id' | 'title'>): string {
  let h = 0;
  for (const ch of p.id) h = (h * 31 + ch.charCodeAt(0)) % 360;
  const initials = p.title
    .split(/\s+/)
    .filter((w) => /^\p{L}/u.test(w))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">
<rect width="320" height="240" fill="hsl(${h} 55% 82%)"/>
<circle cx="160" cy="120" r="70" fill="hsl(${h} 50% 62%)"/>
<text x="160" y="140" font-family="sans-serif" font-size="56" font-weight="700" fill="#fff" text-anchor="middle">${esc(initials)}</text>
</svg>`;
}
