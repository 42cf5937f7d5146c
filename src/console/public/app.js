// @ts-check
/** The operators' console: sign-in, live queue, conversation with suggestions, stats. */
import { barChart, lineChart, stackedBar } from './charts.js';
import { initialLang, t } from './i18n.js';

/** @typedef {import('./i18n.js').Lang} Lang */
/** @typedef {import('./i18n.js').StringKey} StringKey */
/**
 * @typedef {{conversationId: number, bot: string, channel: string, customer: {id: string|null, name: string|null},
 *   firstLine: string, lastLine: string, category: string|null, confidence: number|null, status: string,
 *   queue: string|null, assignedTo: string|null, waitingSince: number, language: string|null}} QueueItem
 * @typedef {{id: number, direction: string, author: string, operator: string|null, text: string, createdAt: number}} Msg
 * @typedef {{answerId: number, text: string, score: number, category: string|null}} Suggestion
 * @typedef {{item: QueueItem, messages: Msg[], suggestions: Suggestion[], categories: string[],
 *   classification: {category: string, confidence: number, net: {name: string, version: string}} | null}} Detail
 */

const state = {
  /** @type {Lang} */ lang: initialLang(),
  /** @type {{login: string, name: string} | null} */ operator: null,
  /** @type {Map<number, QueueItem>} */ queue: new Map(),
  /** @type {Detail | null} */ open: null,
  /** @type {number | null} */ draftAnswerId: null,
  epoch: '',
  seq: 0,
  view: 'queue',
  /** @type {WebSocket | null} */ ws: null,
  retryMs: 1000,
  nextId: 1,
  /** @type {Map<string, {resolve: (v: any) => void, reject: (e: Error) => void}>} */ pending: new Map(),
  /** bot → language → category → display name. @type {Record<string, Record<string, Record<string, string>>>} */
  categoryNames: {},
};

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {StringKey} key @param {Record<string, string|number>} [vars] */
const tr = (key, vars) => t(state.lang, key, vars);

/**
 * A category's display name in the console's language: the bot's name for it, else any bot's,
 * else the category itself.
 * @param {string} category @param {string} [bot]
 */
function catName(category, bot) {
  const bots = bot && state.categoryNames[bot] ? [state.categoryNames[bot]] : [];
  for (const names of [...bots, ...Object.values(state.categoryNames)]) {
    const name = names[state.lang]?.[category] ?? names.en?.[category];
    if (name) return name;
  }
  return category;
}

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

/** @param {number} since */
function waited(since) {
  const s = Math.max(0, Math.round((Date.now() - since) / 1000));
  if (s < 60) return tr('seconds', { n: s });
  if (s < 3600) return tr('minutes', { n: Math.floor(s / 60) });
  return tr('hours', { n: Math.floor(s / 3600) });
}

/** @param {string} text @param {'info' | 'error'} [kind] */
function toast(text, kind = 'info') {
  const node = h('div', { class: `toast ${kind}`, 'data-testid': 'toast' }, [text]);
  $('toasts').append(node);
  setTimeout(() => node.remove(), 4000);
}

function applyStaticStrings() {
  document.documentElement.lang = state.lang;
  for (const node of document.querySelectorAll('[data-i18n]')) {
    node.textContent = tr(/** @type {StringKey} */ (node.getAttribute('data-i18n')));
  }
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) {
    /** @type {HTMLInputElement} */ (node).placeholder = tr(
      /** @type {StringKey} */ (node.getAttribute('data-i18n-placeholder')),
    );
  }
  for (const b of document.querySelectorAll('.lang button'))
    b.classList.toggle('active', b.getAttribute('data-lang') === state.lang);
}

// --- session -----------------------------------------------------------------------------

async function checkSession() {
  const res = await fetch('/console/api/session');
  if (res.ok) return (await res.json()).operator;
  return null;
}

/** @param {SubmitEvent} ev */
async function signIn(ev) {
  ev.preventDefault();
  const form = /** @type {HTMLFormElement} */ (ev.target);
  const data = new FormData(form);
  const res = await fetch('/console/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: data.get('login'), password: data.get('password') }),
  });
  if (!res.ok) {
    $('login-error').textContent = res.status === 429 ? tr('tooManyAttempts') : tr('wrongPassword');
    return;
  }
  start((await res.json()).operator);
}

async function signOut() {
  await fetch('/console/api/session', { method: 'DELETE' });
  state.ws?.close();
  location.reload();
}

/** @param {{login: string, name: string}} operator */
function start(operator) {
  state.operator = operator;
  $('login-view').hidden = true;
  $('app').hidden = false;
  $('operator-name').textContent = operator.name;
  connect();
}

// --- websocket ---------------------------------------------------------------------------

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/console`);
  state.ws = ws;
  ws.onopen = () => {
    state.retryMs = 1000;
    const resume = state.epoch ? { epoch: state.epoch, seq: state.seq } : undefined;
    request({ type: 'hello', ...(resume ? { resume } : {}) }).catch(() => {});
  };
  ws.onmessage = (ev) => onFrame(JSON.parse(ev.data));
  ws.onclose = async () => {
    setLive(false);
    for (const p of state.pending.values()) p.reject(new Error('connection lost'));
    state.pending.clear();
    if (!(await checkSession())) return location.reload();
    setTimeout(connect, state.retryMs);
    state.retryMs = Math.min(10_000, state.retryMs * 2);
  };
}

/** @param {boolean} live */
function setLive(live) {
  $('live').className = live ? 'live on' : 'live';
  $('live').textContent = tr(live ? 'connected' : 'reconnecting');
  $('live').setAttribute('data-state', live ? 'live' : 'offline');
}

/**
 * Sends a request and resolves with the server's ack result.
 * @param {Record<string, unknown>} body
 * @returns {Promise<any>}
 */
function request(body) {
  const id = `c${state.nextId++}`;
  return new Promise((resolve, reject) => {
    state.pending.set(id, { resolve, reject });
    state.ws?.send(JSON.stringify({ v: 1, id, ...body }));
  });
}

/** @param {any} frame */
function onFrame(frame) {
  switch (frame.type) {
    case 'welcome':
      state.epoch = frame.epoch;
      state.seq = frame.seq;
      state.categoryNames = frame.categoryNames ?? {};
      setLive(true);
      break;
    case 'snapshot':
      state.seq = frame.seq;
      state.queue = new Map(frame.queue.map((/** @type {QueueItem} */ q) => [q.conversationId, q]));
      renderQueue();
      if (state.open) openConversation(state.open.item.conversationId);
      break;
    case 'event':
      state.seq = frame.seq;
      applyEvent(frame.event);
      break;
    case 'ack':
    case 'error': {
      const p = state.pending.get(frame.id);
      if (!p) {
        if (frame.type === 'error') toast(`${tr('error')}: ${frame.message}`, 'error');
        return;
      }
      state.pending.delete(frame.id);
      if (frame.type === 'ack') p.resolve(frame.result);
      else p.reject(new Error(frame.message));
    }
  }
}

/** @param {any} event */
function applyEvent(event) {
  const open = state.open;
  if (event.kind === 'queue.upsert') {
    state.queue.set(event.item.conversationId, event.item);
    if (open && open.item.conversationId === event.item.conversationId) {
      open.item = event.item;
      renderConversationHeader();
    }
  } else if (event.kind === 'queue.remove') {
    state.queue.delete(event.conversationId);
  } else if (event.kind === 'message.added') {
    if (open && open.item.conversationId === event.conversationId) {
      open.messages.push(event.message);
      if (event.message.author === 'customer') showTyping(false);
      renderMessages();
    }
  } else if (event.kind === 'typing') {
    if (open && open.item.conversationId === event.conversationId) showTyping(true);
    return;
  }
  renderQueue();
}

// --- queue -------------------------------------------------------------------------------

/** Lowest confidence first, then longest waiting. */
function sortedQueue() {
  return [...state.queue.values()].sort(
    (a, b) => (a.confidence ?? -1) - (b.confidence ?? -1) || a.waitingSince - b.waitingSince,
  );
}

function renderQueue() {
  const list = $('queue-list');
  const items = sortedQueue();
  $('queue-count').textContent = String(items.length);
  if (!items.length) {
    list.replaceChildren(h('p', { class: 'empty' }, [tr('emptyQueue')]));
    return;
  }
  list.replaceChildren(
    ...items.map((q) => {
      const pct = Math.round((q.confidence ?? 0) * 100);
      const mine = q.assignedTo === state.operator?.login;
      const row = h(
        'button',
        {
          class: `queue-item${state.open?.item.conversationId === q.conversationId ? ' selected' : ''}`,
          'data-testid': 'queue-item',
          'data-conversation': String(q.conversationId),
        },
        [
          h('div', { class: 'row1' }, [
            h('span', { class: `badge ch-${q.channel}` }, [q.channel]),
            h('strong', {}, [q.customer.name ?? q.customer.id ?? '—']),
            h('span', { class: 'wait', 'data-since': String(q.waitingSince) }, [waited(q.waitingSince)]),
          ]),
          h('div', { class: 'line' }, [q.firstLine]),
          h('div', { class: 'row3' }, [
            h('span', { class: 'cat', title: q.category ?? '' }, [
              q.category ? catName(q.category, q.bot) : '—',
            ]),
            h('span', { class: 'bar', title: `${tr('confidence')} ${pct}%` }, [
              h('span', { style: `width:${pct}%`, class: pct < 50 ? 'low' : pct < 80 ? 'mid' : 'high' }),
            ]),
            h('span', { class: 'pct' }, [`${pct}%`]),
            q.assignedTo
              ? h('span', { class: `taken${mine ? ' mine' : ''}`, 'data-testid': 'taken' }, [
                  mine ? tr('takenByYou') : tr('takenBy', { name: q.assignedTo }),
                ])
              : '',
          ]),
        ],
      );
      row.addEventListener('click', () => openConversation(q.conversationId));
      return row;
    }),
  );
}

// --- conversation ------------------------------------------------------------------------

/** @param {number} id */
async function openConversation(id) {
  try {
    state.open = await request({ type: 'open', conversationId: id });
    state.draftAnswerId = null;
    showTyping(false);
    renderConversation();
    renderQueue();
  } catch (err) {
    toast(`${tr('error')}: ${/** @type {Error} */ (err).message}`, 'error');
  }
}

function renderConversationHeader() {
  const d = state.open;
  if (!d) return;
  const q = d.item;
  const mine = q.assignedTo === state.operator?.login;
  $('conv-title').textContent = `${q.customer.name ?? q.customer.id ?? '—'} · ${q.channel} · ${q.bot}`;
  $('conv-status').textContent = q.assignedTo
    ? mine
      ? tr('takenByYou')
      : tr('takenBy', { name: q.assignedTo })
    : q.status;
  /** @type {HTMLButtonElement} */ ($('take')).disabled = mine;
}

function renderMessages() {
  const d = state.open;
  if (!d) return;
  const list = $('messages');
  list.replaceChildren(
    ...d.messages.map((m) =>
      h('div', { class: `msg ${m.author}`, 'data-testid': 'message' }, [
        h('div', { class: 'who' }, [
          m.author === 'operator' && m.operator
            ? `${tr('operator')} ${m.operator}`
            : tr(/** @type {StringKey} */ (m.author)),
          ' · ',
          new Date(m.createdAt).toLocaleTimeString(),
        ]),
        h('div', { class: 'text' }, [m.text]),
      ]),
    ),
  );
  list.scrollTop = list.scrollHeight;
}

function renderConversation() {
  const d = state.open;
  $('conversation').hidden = !d;
  $('no-conversation').hidden = Boolean(d);
  if (!d) return;
  renderConversationHeader();
  renderMessages();
  const select = /** @type {HTMLSelectElement} */ ($('category'));
  const current = d.item.category ?? d.classification?.category ?? '';
  select.replaceChildren(...d.categories.map((c) => h('option', { value: c }, [catName(c, d.item.bot)])));
  select.value = current;
  const conf = d.classification ? Math.round(d.classification.confidence * 100) : 0;
  $('category-confidence').textContent = d.classification ? `${tr('confidence')} ${conf}%` : '';
  $('suggestions').replaceChildren(
    ...(d.suggestions.length
      ? d.suggestions.slice(0, 3).map((s) => {
          const card = h(
            'button',
            { class: 'suggestion', 'data-testid': 'suggestion', 'data-answer': String(s.answerId) },
            [h('span', { class: 'score' }, [s.score.toFixed(2)]), h('span', {}, [s.text])],
          );
          card.addEventListener('click', () => {
            const editor = /** @type {HTMLTextAreaElement} */ ($('editor'));
            editor.value = s.text;
            state.draftAnswerId = s.answerId;
            editor.focus();
          });
          return card;
        })
      : [h('p', { class: 'empty' }, [tr('noSuggestions')])]),
  );
}

/** @param {string} type @param {Record<string, unknown>} [extra] @param {StringKey} [done] */
async function act(type, extra = {}, done) {
  if (!state.open) return;
  try {
    await request({ type, conversationId: state.open.item.conversationId, ...extra });
    if (done) toast(tr(done));
    return true;
  } catch (err) {
    toast(`${tr('error')}: ${/** @type {Error} */ (err).message}`, 'error');
    return false;
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let typingTimer;
/** Shows "the customer is typing" for a few seconds (the widget repeats it while they type). @param {boolean} on */
function showTyping(on) {
  clearTimeout(typingTimer);
  $('customer-typing').hidden = !on;
  if (on) typingTimer = setTimeout(() => showTyping(false), 4000);
}

let typedAt = 0;
/** Tells the customer's widget the operator is typing, at most every 2.5 s. */
function operatorTyping() {
  const open = state.open;
  if (!open || Date.now() - typedAt < 2500) return;
  typedAt = Date.now();
  request({ type: 'typing', conversationId: open.item.conversationId }).catch(() => {});
}

async function sendReply() {
  const editor = /** @type {HTMLTextAreaElement} */ ($('editor'));
  const text = editor.value.trim();
  if (!text) return;
  const extra = state.draftAnswerId ? { text, answerId: state.draftAnswerId } : { text };
  typedAt = 0;
  if (await act('reply', extra, 'replySent')) {
    editor.value = '';
    state.draftAnswerId = null;
  }
}

// --- stats -------------------------------------------------------------------------------

async function renderStats() {
  const box = $('stats');
  const s = await request({ type: 'stats' });
  /** @param {StringKey} title @param {Node} body */
  const card = (title, body) => h('section', { class: 'card' }, [h('h3', {}, [tr(title)]), body]);
  const noData = () => h('p', { class: 'empty' }, [tr('noData')]);
  box.replaceChildren(
    card(
      'ticketsPerCategory',
      s.perCategory.length
        ? barChart(
            s.perCategory
              .slice(0, 15)
              .map((/** @type {any} */ r) => ({ label: catName(r.category), value: r.count })),
          )
        : noData(),
    ),
    card(
      'outcomes',
      s.outcomes.autoReply + s.outcomes.handoff
        ? stackedBar([
            { label: tr('autoReply'), value: s.outcomes.autoReply, color: '#1f9d55' },
            { label: tr('handoff'), value: s.outcomes.handoff, color: '#f0a020' },
          ])
        : noData(),
    ),
    card(
      'acceptance',
      s.suggestions.accepted + s.suggestions.edited + s.suggestions.written
        ? stackedBar([
            { label: tr('accepted'), value: s.suggestions.accepted, color: '#1f9d55' },
            { label: tr('edited'), value: s.suggestions.edited, color: '#4f7cff' },
            { label: tr('written'), value: s.suggestions.written, color: '#999' },
          ])
        : noData(),
    ),
    card(
      'agreement',
      s.agreement.length
        ? lineChart(
            s.agreement.map((/** @type {any} */ a) => ({
              label: a.day.slice(5),
              value: a.total ? a.agree / a.total : null,
            })),
          )
        : noData(),
    ),
    card(
      'latency',
      s.latency.length
        ? barChart(
            s.latency.flatMap((/** @type {any} */ l) => [
              { label: `${l.kind} ${tr('p50')}`, value: l.p50 },
              { label: `${l.kind} ${tr('p95')}`, value: l.p95 },
            ]),
            { format: (v) => v.toFixed(1), color: '#8a63d2' },
          )
        : noData(),
    ),
    ...(s.latestReport
      ? [
          h('a', { href: s.latestReport, target: '_blank', 'data-testid': 'latest-report' }, [
            tr('latestReport'),
          ]),
        ]
      : []),
    ...(s.rollbacks?.length
      ? [
          h(
            'p',
            { 'data-testid': 'rollbacks' },
            s.rollbacks.map((/** @type {any} */ r) =>
              h('span', { class: 'rollback' }, [
                `${tr('rolledBack')}: ${r.net} ${r.from} → ${r.to}, ${new Date(r.at).toLocaleString()}${r.reason ? ` (${r.reason})` : ''}. `,
              ]),
            ),
          ),
        ]
      : []),
  );
}

/** @param {string} view */
function show(view) {
  state.view = view;
  $('queue-view').hidden = view !== 'queue';
  $('stats-view').hidden = view !== 'stats';
  for (const b of document.querySelectorAll('nav button[data-view]'))
    b.classList.toggle('active', b.getAttribute('data-view') === view);
  if (view === 'stats') renderStats().catch((err) => toast(String(err), 'error'));
}

// --- wiring ------------------------------------------------------------------------------

$('login-form').addEventListener('submit', (ev) => void signIn(/** @type {SubmitEvent} */ (ev)));
$('sign-out').addEventListener('click', () => void signOut());
$('take').addEventListener('click', () => void act('take'));
$('resolve').addEventListener('click', () => void act('resolve'));
$('hand-back').addEventListener('click', () => void act('hand_back'));
$('send').addEventListener('click', () => void sendReply());
$('editor').addEventListener('input', operatorTyping);
$('correct').addEventListener(
  'click',
  () =>
    void act(
      'correct_category',
      { category: /** @type {HTMLSelectElement} */ ($('category')).value },
      'categorySaved',
    ),
);
for (const b of document.querySelectorAll('nav button[data-view]'))
  b.addEventListener('click', () => show(b.getAttribute('data-view') ?? 'queue'));
for (const b of document.querySelectorAll('.lang button')) {
  b.addEventListener('click', () => {
    state.lang = /** @type {Lang} */ (b.getAttribute('data-lang'));
    localStorage.setItem('nd.lang', state.lang);
    applyStaticStrings();
    renderQueue();
    renderConversation();
    if (state.view === 'stats') void renderStats();
  });
}
setInterval(() => {
  for (const node of document.querySelectorAll('.wait'))
    node.textContent = waited(Number(node.getAttribute('data-since')));
}, 1000);

applyStaticStrings();
checkSession().then((operator) => {
  if (operator) start(operator);
  else $('login-view').hidden = false;
});
