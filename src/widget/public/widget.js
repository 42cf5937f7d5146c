// @ts-check
/**
 * neurodesk chat widget: one tag on a shop's page,
 *   <script src="https://desk.example/widget.js" data-bot="bank-support" async></script>
 * draws a launcher and a chat panel in a shadow root and talks to the gateway's /ws/chat.
 * Text only (every message goes in with textContent), no inline styles (the stylesheet is
 * adopted or linked), and the conversation lives in localStorage so it survives reloads,
 * navigation and dropped connections with nothing lost or shown twice.
 */
(() => {
  const CSS = '__WIDGET_CSS__';
  const script = /** @type {HTMLScriptElement | null} */ (
    document.currentScript ?? document.querySelector('script[data-bot][src*="widget.js"]')
  );
  if (!script || /** @type {any} */ (window).neurodesk?.loaded) return;
  const base = new URL('.', script.src);
  const data = script.dataset;
  const bot = data.bot ?? '';
  const KEY = `neurodesk:${base.host}:${bot}`;

  const STRINGS = {
    en: {
      title: 'Support',
      open: 'Open chat',
      close: 'Close chat',
      placeholder: 'Type a message…',
      send: 'Send',
      helped: 'Did this help?',
      yes: 'Yes',
      thanks: 'Glad it helped!',
      typing: '{name} is typing…',
      botTyping: 'The assistant is writing…',
      someone: 'An operator',
      offline: 'reconnecting…',
      operator: 'Operator',
      bot: 'Assistant',
    },
    ru: {
      title: 'Поддержка',
      open: 'Открыть чат',
      close: 'Закрыть чат',
      placeholder: 'Напишите сообщение…',
      send: 'Отправить',
      helped: 'Это помогло?',
      yes: 'Да',
      thanks: 'Рады, что помогли!',
      typing: '{name} печатает…',
      botTyping: 'Помощник пишет…',
      someone: 'Сотрудник',
      offline: 'переподключение…',
      operator: 'Сотрудник',
      bot: 'Помощник',
    },
  };
  /** @typedef {keyof typeof STRINGS.en} StringKey */

  /**
   * @typedef {{id: string, title: string, url?: string | null, price?: number | null, image?: string}} Product
   * @typedef {{text: string, action: string}} Button
   * @typedef {{id: number | null, cid?: string, author: string, name?: string, text: string,
   *   buttons?: Button[], products?: Product[], pending?: boolean, done?: string}} Msg
   * @typedef {{cid: string, frame: Record<string, unknown>}} Outgoing
   * @typedef {{token: string, after: number, messages: Msg[], outbox: Outgoing[], unread: number, open: boolean}} Saved
   */

  /** @returns {'en' | 'ru'} */
  const pickLang = (/** @type {string | undefined} */ tag) =>
    /^ru\b/i.test(tag || document.documentElement.lang || navigator.language) ? 'ru' : 'en';
  let lang = pickLang(data.lang);
  let product = data.productId ?? '';
  const tr = (/** @type {StringKey} */ key, name = '') => STRINGS[lang][key].replace('{name}', () => name);
  // What the chat accepts as a product id; anything else would get the whole message refused.
  const PRODUCT_ID = /^[\p{L}\p{N}_.:-]{1,56}$/u;

  /** @returns {Saved} */
  function load() {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) ?? 'null');
      if (s && Array.isArray(s.messages) && Array.isArray(s.outbox)) return s;
    } catch {}
    return { token: '', after: 0, messages: [], outbox: [], unread: 0, open: false };
  }
  const state = load();
  function save() {
    state.messages = state.messages.slice(-200);
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch {}
  }

  // --- the page: a host element, a shadow root, the panel ---------------------------------

  /**
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {Array<Node | string>} [children]
   */
  function h(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children);
    return node;
  }

  const host = h('div', { id: 'neurodesk-widget' });
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h('link', { rel: 'stylesheet', href: new URL('widget.css', base).href }));
  }
  const svgNs = 'http://www.w3.org/2000/svg';
  const icon = document.createElementNS(svgNs, 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  const path = document.createElementNS(svgNs, 'path');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z');
  icon.append(path);
  const badge = h('span', { class: 'badge', 'data-testid': 'unread' });
  const launcher = h('button', { class: 'launcher', type: 'button', 'data-testid': 'launcher' }, [
    icon,
    badge,
  ]);
  const title = h('span', { class: 'title' });
  const status = h('span', { class: 'state', 'data-testid': 'state' });
  const closeBtn = h('button', { type: 'button', 'data-testid': 'close' }, ['×']);
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'data-testid': 'log' });
  const typing = h('div', { class: 'typing', 'data-testid': 'typing' });
  const input = /** @type {HTMLTextAreaElement} */ (h('textarea', { rows: '1', maxlength: '4000' }));
  const sendBtn = h('button', { type: 'submit', class: 'send' });
  const form = /** @type {HTMLFormElement} */ (h('form', {}, [input, sendBtn]));
  const panel = h('div', { class: 'panel', role: 'dialog', 'data-testid': 'panel' }, [
    h('div', { class: 'head' }, [title, status, closeBtn]),
    log,
    typing,
    form,
  ]);
  root.append(panel, launcher);

  function renderChrome() {
    title.textContent = tr('title');
    launcher.setAttribute('aria-label', state.open ? tr('close') : tr('open'));
    closeBtn.setAttribute('aria-label', tr('close'));
    input.placeholder = tr('placeholder');
    sendBtn.textContent = tr('send');
    panel.setAttribute('aria-label', tr('title'));
    panel.hidden = !state.open;
    badge.hidden = state.open || state.unread === 0;
    badge.textContent = String(state.unread);
    status.textContent = ready ? '' : tr('offline');
  }

  /** Only http(s) links and pictures, resolved against the page. @param {string | null | undefined} u */
  function safeUrl(u) {
    if (!u) return null;
    try {
      const url = new URL(u, location.href);
      return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
    } catch {
      return null;
    }
  }
  /** `data-product-url="/p/{id}"` fills in what the catalogue lacks. @param {string | undefined} tpl @param {string} id */
  const fromTemplate = (tpl, id) => (tpl ? tpl.replaceAll('{id}', encodeURIComponent(id)) : null);

  /** @param {Product} p */
  function card(p) {
    const href = safeUrl(p.url ?? fromTemplate(data.productUrl, p.id));
    const img = safeUrl(p.image ?? fromTemplate(data.productImage, p.id));
    let price = '';
    if (typeof p.price === 'number') {
      /** @type {Intl.NumberFormatOptions} */
      const money = { style: 'currency', currency: data.currency, minimumFractionDigits: 2 };
      try {
        price = new Intl.NumberFormat(lang, data.currency ? money : { minimumFractionDigits: 2 }).format(
          p.price,
        );
      } catch {
        price = p.price.toFixed(2); // an unknown currency code
      }
    }
    const node = h(href ? 'a' : 'div', { class: 'card', 'data-testid': 'product-card' }, [
      ...(img ? [h('img', { src: img, alt: '', loading: 'lazy' })] : []),
      h('span', { class: 'name' }, [p.title]),
      h('span', { class: 'price' }, [price]),
    ]);
    if (href) node.setAttribute('href', href);
    return node;
  }

  /** @param {Msg} m */
  function bubble(m) {
    const who = m.author === 'operator' ? m.name || tr('operator') : m.author === 'customer' ? '' : tr('bot');
    const node = h('div', {
      class: `msg ${m.author}${m.pending ? ' pending' : ''}`,
      'data-testid': 'message',
    });
    node.dataset.author = m.author;
    if (who) node.append(h('span', { class: 'who' }, [who]));
    node.append(m.text);
    if (m.products?.length) node.append(h('div', { class: 'cards' }, m.products.map(card)));
    const buttons = (m.buttons ?? []).filter((b) => !b.action.startsWith('product:'));
    if (m.done === 'yes')
      node.append(h('div', { class: 'actions' }, [h('span', { class: 'ask' }, [tr('thanks')])]));
    else if (buttons.length && !m.done) {
      const row = h('div', { class: 'actions' });
      // An automatic answer offers a person: ask whether it helped, with "yes" beside it.
      if (buttons.some((b) => b.action === 'handoff')) {
        const yes = h('button', { type: 'button', 'data-testid': 'helped-yes' }, [tr('yes')]);
        yes.addEventListener('click', () => {
          m.done = 'yes';
          save();
          render();
        });
        row.append(h('span', { class: 'ask' }, [tr('helped')]), yes);
      }
      for (const b of buttons) {
        const btn = h('button', { type: 'button', 'data-action': b.action }, [b.text]);
        btn.addEventListener('click', () => {
          m.done = b.action;
          send({ type: 'action', action: b.action }, b.text);
        });
        row.append(btn);
      }
      node.append(row);
    }
    return node;
  }

  function render() {
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.replaceChildren(...state.messages.map(bubble));
    if (atBottom || state.open) log.scrollTop = log.scrollHeight;
    renderChrome();
  }

  // --- the transcript -----------------------------------------------------------------------

  /** Adds a message from the server unless it is already shown (by id, or by the client id we sent it under). @param {any} f */
  function receive(f) {
    const msg = /** @type {Msg} */ ({
      id: typeof f.id === 'number' ? f.id : null,
      author: String(f.author),
      text: String(f.text ?? ''),
    });
    if (f.name) msg.name = String(f.name);
    if (Array.isArray(f.buttons)) msg.buttons = f.buttons;
    if (Array.isArray(f.products)) msg.products = f.products;
    if (msg.author === 'customer') {
      const mine = state.messages.find((m) => m.cid && m.cid === f.client_id);
      if (mine) {
        mine.id = msg.id;
        mine.pending = false;
        return;
      }
      if (!msg.text || state.messages.some((m) => m.id === msg.id)) return;
    } else {
      if (msg.id === null && state.messages.length > 0) return; // the greeting of a new chat only
      if (msg.id !== null && state.messages.some((m) => m.id === msg.id)) return;
      // Replies arrive in order, so the last one seen is where a resumed chat picks up.
      if (msg.id !== null) state.after = Math.max(state.after, msg.id);
      if (!state.open) state.unread++;
      showTyping('');
      // In the conversation's order: before what the customer wrote later or has not sent yet.
      const at = state.messages.findIndex(
        (m) => m.pending || (msg.id !== null && m.id !== null && m.id > msg.id),
      );
      if (at >= 0) {
        state.messages.splice(at, 0, msg);
        return;
      }
    }
    state.messages.push(msg);
  }

  let seq = 0;
  /** Queues a frame to the server (kept until acknowledged) and shows what the customer did. */
  function send(/** @type {Record<string, unknown>} */ frame, /** @type {string} */ text) {
    const cid = `w${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    /** @type {Record<string, unknown>} */
    const full = { ...frame, id: cid };
    if (frame.type === 'message' && PRODUCT_ID.test(product)) full.product_id = product;
    state.outbox.push({ cid, frame: full });
    state.messages.push({ id: null, cid, author: 'customer', text, pending: true });
    save();
    render();
    // Sent now if connected; otherwise (and if unacknowledged) again when the chat is ready.
    if (ready && ws) ws.send(JSON.stringify(full));
    showTyping(tr('botTyping'), 15000);
  }

  // --- the connection -------------------------------------------------------------------------

  /** @type {WebSocket | null} */
  let ws = null;
  let ready = false;
  let retryMs = 500;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;

  function flush() {
    if (!ready || !ws) return;
    for (const o of state.outbox) ws.send(JSON.stringify(o.frame));
  }

  function connect() {
    clearTimeout(retryTimer);
    if (ws) return;
    const url = new URL('ws/chat', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('bot', bot);
    url.searchParams.set('lang', lang);
    if (state.token) {
      url.searchParams.set('conversation', state.token);
      url.searchParams.set('after', String(state.after));
    }
    const socket = new WebSocket(url);
    ws = socket;
    socket.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      onFrame(f);
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      ws = null;
      ready = false;
      renderChrome();
      retryTimer = setTimeout(connect, retryMs * (0.75 + Math.random() / 2));
      retryMs = Math.min(retryMs * 2, 15000);
    };
  }

  /** @param {any} f */
  function onFrame(f) {
    if (f.type === 'ready') {
      // An unknown token (the desk forgot it) starts over; messages not yet stored go again.
      if (state.token && !f.resumed) {
        state.messages = state.messages.filter((m) => m.pending);
        state.after = 0;
      }
      state.token = f.conversation;
      ready = true;
      retryMs = 500;
      flush();
    } else if (f.type === 'history') {
      for (const m of f.messages) receive(m);
    } else if (f.type === 'message') {
      receive(f);
    } else if (f.type === 'ack') {
      state.outbox = state.outbox.filter((o) => o.cid !== f.id);
      const mine = state.messages.find((m) => m.cid === f.id);
      if (mine) {
        mine.pending = false;
        mine.id = f.message_id;
      }
    } else if (f.type === 'typing') {
      showTyping(tr('typing', f.name || tr('someone')), 5000);
      return;
    } else if (f.type === 'error' && f.retry_after) {
      setTimeout(flush, f.retry_after * 1000);
    }
    save();
    render();
  }

  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typingTimer;
  function showTyping(/** @type {string} */ text, ms = 0) {
    clearTimeout(typingTimer);
    typing.textContent = text;
    typing.hidden = !text;
    if (text) typingTimer = setTimeout(() => showTyping(''), ms);
  }

  // --- what the customer does ---------------------------------------------------------------------

  function setOpen(/** @type {boolean} */ open) {
    state.open = open;
    if (open) state.unread = 0;
    save();
    render();
    if (open) input.focus();
  }
  let typedAt = 0;
  launcher.addEventListener('click', () => setOpen(!state.open));
  closeBtn.addEventListener('click', () => setOpen(false));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    typedAt = 0; // the message ends this bout of typing: the next keystroke starts another
    send({ type: 'message', text: text.slice(0, 4000) }, text);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener('input', () => {
    if (!ready || !ws || Date.now() - typedAt < 2500) return;
    typedAt = Date.now();
    ws.send('{"type":"typing"}');
  });
  // Another tab of the same site moved the conversation on: show what it stored.
  addEventListener('storage', (e) => {
    if (e.key !== KEY) return;
    const next = load();
    state.messages = next.messages;
    state.after = Math.max(state.after, next.after);
    render();
  });
  addEventListener('online', () => {
    if (!ws) connect();
  });

  /**
   * The page's API: `neurodesk('product', id)`, `neurodesk('open')`, `neurodesk('close')`,
   * `neurodesk('lang', 'ru')`. Calls made before the script loaded wait in `neurodesk.q`.
   * @param {string} command
   * @param {string} [arg]
   */
  function api(command, arg) {
    if (command === 'product') product = arg ?? '';
    else if (command === 'open' || command === 'close') setOpen(command === 'open');
    else if (command === 'lang') {
      lang = pickLang(arg);
      render();
    }
  }
  const queued = /** @type {any} */ (window).neurodesk?.q ?? [];
  /** @type {any} */ (window).neurodesk = Object.assign(api, { loaded: true });
  for (const args of queued) api(args[0], args[1]);

  (document.body ?? document.documentElement).append(host);
  render();
  connect();
})();
