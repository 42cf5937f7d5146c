// @ts-check
/**
 * The operators' console: sign-in, the live queue (views, filters, priority, SLA), a
 * conversation with suggestions, ownership and transfer, keyboard, stats. Protocol:
 * docs/console-protocol.md.
 */

import { $, beep, button, confirmAsk, h, promptAsk, toast } from './dom.js';
import { initialLang, t } from './i18n.js';
import { confidenceBar, filterQueue, slaState, sortQueue } from './queue-view.js';
import { statsCards } from './stats-view.js';

/** @typedef {import('./i18n.js').Lang} Lang */
/** @typedef {import('./i18n.js').StringKey} StringKey */
/** @typedef {import('./queue-view.js').QueueItem} QueueItem */
/**
 * @typedef {{id: number, direction: string, author: string, operator: string|null, text: string, createdAt: number}} Msg
 * @typedef {{answerId: number, text: string, score: number, category: string|null}} Suggestion
 * @typedef {{category: string, confidence: number, net: {name: string, version: string}}} Classification
 * @typedef {{item: QueueItem, messages: Msg[], suggestions: Suggestion[], categories: string[],
 *   createdCategories: string[], classification: Classification | null,
 *   notes: Array<{id: number, operator: string, text: string, createdAt: number}>, earlier: QueueItem[]}} Detail
 * @typedef {{queues: string[], slaMinutes: Record<string, number>, sensitive: string[],
 *   categoryNames: Record<string, Record<string, string>>}} BotView
 * @typedef {{login: string, name: string, role: string}} Colleague
 */

const REPLY_MAX = 4000;

const state = {
  /** @type {Lang} */ lang: initialLang(),
  /** @type {{login: string, name: string, language?: string, role?: string} | null} */ operator: null,
  /** @type {Map<number, QueueItem>} */ queue: new Map(),
  /** @type {Detail | null} */ open: null,
  /** @type {number | null} */ draftAnswerId: null,
  /** @type {Colleague[]} */ colleagues: [],
  /** The last reply sent written from scratch, offered to the knowledge base. @type {string | null} */
  offerText: null,
  /** @type {Record<string, BotView>} */ bots: {},
  /** Conversations with customer messages the operator has not opened since. @type {Set<number>} */
  unread: new Set(),
  filters: { view: localStorage.getItem('nd.view') ?? 'all', queue: '', channel: '' },
  epoch: '',
  seq: 0,
  view: 'queue',
  /** @type {WebSocket | null} */ ws: null,
  retryMs: 1000,
  nextId: 1,
  /** @type {Map<string, {resolve: (v: any) => void, reject: (e: Error) => void}>} */ pending: new Map(),
};

/** @param {StringKey} key @param {Record<string, string|number>} [vars] */
const tr = (key, vars) => t(state.lang, key, vars);
const editor = () => /** @type {HTMLTextAreaElement} */ ($('editor'));

/** @param {number} ms */
function duration(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return tr('seconds', { n: s });
  if (s < 3600) return tr('minutes', { n: Math.floor(s / 60) });
  return tr('hours', { n: Math.floor(s / 3600) });
}

/** Time left before a row's SLA breaches, or that it did. @param {number} due @param {number} now */
function slaText(due, now) {
  return due <= now ? tr('slaBreached') : tr('slaLeft', { left: duration(due - now) });
}

/** A category's display name in the console's language (the bot file's `categoryNames`). */
function categoryLabel(/** @type {string} */ bot, /** @type {string | null} */ category) {
  if (!category) return '—';
  const names = state.bots[bot]?.categoryNames;
  return names?.[state.lang]?.[category] ?? names?.en?.[category] ?? category;
}

/**
 * An error from the server in the operator's language: by its `reason`, else its rule and field.
 * @param {any} err
 */
function errorText(err) {
  const d = err?.details ?? {};
  if (err?.message === 'connection lost') return tr('err_offline');
  if (d.reason && d.reason !== 'invalid') {
    return tr(/** @type {StringKey} */ (`err_${d.reason}`), { owner: d.owner ?? '' });
  }
  if (d.rule) {
    const field = tr(/** @type {StringKey} */ (`field_${d.field}`));
    return tr(/** @type {StringKey} */ (`err_${d.rule === 'unknown_request' ? 'invalid' : d.rule}`), {
      field,
      limit: d.limit ?? '',
    });
  }
  if (err?.code === 'not_found') return tr('err_not_found');
  if (err?.code === 'internal') return tr('err_internal');
  return `${tr('error')}: ${err?.message ?? err}`;
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
  setLive(state.ws?.readyState === WebSocket.OPEN && Boolean(state.epoch));
}

/** @param {Lang} lang */
function setLang(lang) {
  state.lang = lang;
  localStorage.setItem('nd.lang', lang);
  applyStaticStrings();
  renderFilters();
  renderQueue();
  renderConversation();
  if (state.view === 'stats') void renderStats();
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

/** @param {{login: string, name: string, language?: string}} operator */
function start(operator) {
  state.operator = operator;
  // The operator's stored language wins over the browser's guess.
  if (operator.language === 'en' || operator.language === 'ru') setLang(operator.language);
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
 * Sends a request and resolves with the server's ack result; rejects with the error frame.
 * @param {Record<string, unknown>} body
 * @returns {Promise<any>}
 */
function request(body) {
  const id = `c${state.nextId++}`;
  return new Promise((resolve, reject) => {
    if (state.ws?.readyState !== WebSocket.OPEN) return reject(new Error('connection lost'));
    state.pending.set(id, { resolve, reject });
    state.ws.send(JSON.stringify({ v: 1, id, ...body }));
  });
}

/** @param {any} frame */
function onFrame(frame) {
  switch (frame.type) {
    case 'welcome':
      state.epoch = frame.epoch;
      state.seq = frame.seq;
      state.operator = { ...state.operator, ...frame.operator };
      if (frame.team) {
        state.colleagues = frame.team.operators;
        state.bots = frame.team.bots;
      }
      setLive(true);
      renderFilters();
      break;
    case 'snapshot':
      state.seq = frame.seq;
      state.queue = new Map(frame.queue.map((/** @type {QueueItem} */ q) => [q.conversationId, q]));
      renderQueue();
      if (state.open) void openConversation(state.open.item.conversationId, { push: false });
      else openFromUrl();
      break;
    case 'event':
      state.seq = frame.seq;
      applyEvent(frame.event);
      break;
    case 'ack':
    case 'error': {
      const p = state.pending.get(frame.id);
      if (!p) {
        if (frame.type === 'error') toast(errorText(frame), 'error');
        return;
      }
      state.pending.delete(frame.id);
      if (frame.type === 'ack') p.resolve(frame.result);
      else p.reject(Object.assign(new Error(frame.message), { code: frame.code, details: frame.details }));
    }
  }
}

/** @param {any} event */
function applyEvent(event) {
  const open = state.open;
  const isOpen = (/** @type {number} */ id) => open?.item.conversationId === id;
  if (event.kind === 'queue.upsert') {
    state.queue.set(event.item.conversationId, event.item);
    if (open && isOpen(event.item.conversationId)) {
      open.item = event.item;
      renderConversationHeader();
    }
  } else if (event.kind === 'queue.remove') {
    state.queue.delete(event.conversationId);
    state.unread.delete(event.conversationId);
    if (open && isOpen(event.conversationId)) void refreshOpen();
  } else if (event.kind === 'message.added') {
    if (open && isOpen(event.conversationId)) {
      if (event.message.author === 'customer') showTyping(false);
      if (!open.messages.some((m) => m.id === event.message.id)) {
        open.messages.push(event.message);
        renderMessages();
      }
    } else if (event.message.author === 'customer') {
      markUnread(event.conversationId);
    }
  } else if (event.kind === 'conversation.updated') {
    // The customer wrote again: the category, confidence and suggestions follow the new message.
    if (open && isOpen(event.conversationId)) {
      open.classification = event.classification;
      open.suggestions = event.suggestions;
      if (!open.messages.some((m) => m.id === event.messageId)) void refreshOpen();
      renderSide();
    }
  } else if (event.kind === 'note.added') {
    if (open && isOpen(event.conversationId) && !open.notes.some((n) => n.id === event.note.id)) {
      open.notes.push(event.note);
      renderCustomer();
    }
  } else if (event.kind === 'notice') {
    if (event.to === state.operator?.login) {
      const key = /** @type {StringKey} */ (
        `notice${event.notice.charAt(0).toUpperCase()}${event.notice.slice(1)}`
      );
      toast(tr(key, { by: event.by, id: event.conversationId }));
    }
  } else if (event.kind === 'typing') {
    if (open && isOpen(event.conversationId)) showTyping(true);
    return;
  }
  renderQueue();
}

/** @param {number} id */
function markUnread(id) {
  state.unread.add(id);
  updateTitle();
  if (/** @type {HTMLInputElement} */ ($('notify')).checked) {
    beep();
    const q = state.queue.get(id);
    const name = q?.customer.name ?? q?.customer.id ?? '';
    if ('Notification' in window && Notification.permission === 'granted' && document.hidden)
      new Notification(tr('newMessage', { name }), { body: q?.lastLine ?? '' });
  }
}

function updateTitle() {
  const n = [...state.unread].filter((id) => state.queue.has(id)).length;
  document.title = n ? `(${n}) ${tr('title')}` : tr('title');
}

// --- queue -------------------------------------------------------------------------------

function visibleQueue() {
  return sortQueue(
    filterQueue([...state.queue.values()], { ...state.filters, me: state.operator?.login ?? '' }),
  );
}

function renderFilters() {
  for (const b of document.querySelectorAll('[data-queue-view]'))
    b.classList.toggle('active', b.getAttribute('data-queue-view') === state.filters.view);
  const queues = [...new Set(Object.values(state.bots).flatMap((b) => b.queues))].sort();
  const q = /** @type {HTMLSelectElement} */ ($('filter-queue'));
  q.replaceChildren(
    h('option', { value: '' }, [tr('allQueues')]),
    ...queues.map((name) => h('option', { value: name }, [name])),
  );
  q.value = state.filters.queue;
  const channels = ['telegram', 'slack', 'chatwoot', 'bitrix24', 'chat', 'rest'];
  const c = /** @type {HTMLSelectElement} */ ($('filter-channel'));
  c.replaceChildren(
    h('option', { value: '' }, [tr('allChannels')]),
    ...channels.map((name) => h('option', { value: name }, [name])),
  );
  c.value = state.filters.channel;
}

function renderQueue() {
  const list = $('queue-list');
  const items = visibleQueue();
  $('queue-count').textContent = String(items.length);
  updateTitle();
  if (!items.length) {
    list.replaceChildren(h('p', { class: 'empty' }, [tr('emptyQueue')]));
    return;
  }
  const now = Date.now();
  list.replaceChildren(
    ...items.map((q) => {
      const pct = Math.round((q.confidence ?? 0) * 100);
      const mine = q.assignedTo === state.operator?.login;
      const sla = slaState(q, now);
      const unread = state.unread.has(q.conversationId);
      const row = h(
        'button',
        {
          class: `queue-item sla-${sla}${state.open?.item.conversationId === q.conversationId ? ' selected' : ''}${unread ? ' unread' : ''}`,
          'data-testid': 'queue-item',
          'data-conversation': String(q.conversationId),
          'data-sla': sla,
        },
        [
          h('div', { class: 'row1' }, [
            unread ? h('span', { class: 'dot', 'data-testid': 'unread', title: tr('unread') }) : '',
            h('span', { class: `badge ch-${q.channel}` }, [q.channel]),
            q.sensitive ? h('span', { class: 'badge sensitive' }, [tr('sensitive')]) : '',
            h('strong', {}, [q.customer.name ?? q.customer.id ?? '—']),
            h('span', { class: 'wait', 'data-since': String(q.waitingSince) }, [
              duration(now - q.waitingSince),
            ]),
          ]),
          q.slaDueAt !== null
            ? h('div', { class: 'sla', 'data-testid': 'sla', 'data-due': String(q.slaDueAt) }, [
                slaText(q.slaDueAt, now),
              ])
            : '',
          h('div', { class: 'line' }, [q.lastLine || q.firstLine]),
          h('div', { class: 'row3' }, [
            h('span', { class: 'cat' }, [categoryLabel(q.bot, q.category)]),
            confidenceBar(pct, `${tr('confidence')} ${pct}%`),
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

/** Moves the selection through the visible queue. @param {1 | -1} step */
function move(step) {
  const items = visibleQueue();
  if (!items.length) return;
  const at = items.findIndex((q) => q.conversationId === state.open?.item.conversationId);
  const next = items[at < 0 ? 0 : Math.max(0, Math.min(items.length - 1, at + step))];
  if (next) void openConversation(next.conversationId);
}

// --- conversation ------------------------------------------------------------------------

/** @param {number} id @param {{push?: boolean}} [o] */
async function openConversation(id, o = {}) {
  try {
    saveDraft();
    const detail = await request({ type: 'open', conversationId: id });
    state.open = detail;
    state.unread.delete(id);
    showTyping(false);
    $('offer-kb').hidden = true;
    $('canned').hidden = true;
    if (o.push !== false && location.hash !== `#/c/${id}`) history.pushState({ id }, '', `#/c/${id}`);
    renderConversation();
    restoreDraft();
    renderQueue();
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

/** Reloads the open conversation from the server, keeping the draft. */
async function refreshOpen() {
  const open = state.open;
  if (!open) return;
  const id = open.item.conversationId;
  try {
    const detail = await request({ type: 'open', conversationId: id });
    // Meanwhile the operator may have closed it or moved on.
    if (state.open?.item.conversationId !== id) return;
    state.open = detail;
    renderConversation();
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

function openFromUrl() {
  const m = /^#\/c\/(\d+)$/.exec(location.hash);
  if (m) void openConversation(Number(m[1]), { push: false });
  else closeConversation(false);
}

/** @param {boolean} [push] */
function closeConversation(push = true) {
  saveDraft();
  state.open = null;
  if (push && location.hash) history.pushState({}, '', location.pathname);
  renderConversation();
  renderQueue();
}

const draftKey = (/** @type {number} */ id) => `nd.draft.${id}`;

function saveDraft() {
  const open = state.open;
  if (!open) return;
  const text = editor().value;
  const key = draftKey(open.item.conversationId);
  if (text) localStorage.setItem(key, JSON.stringify({ text, answerId: state.draftAnswerId }));
  else localStorage.removeItem(key);
}

function restoreDraft() {
  const open = state.open;
  if (!open) return;
  const saved = localStorage.getItem(draftKey(open.item.conversationId));
  const draft = saved ? JSON.parse(saved) : { text: '', answerId: null };
  editor().value = draft.text;
  state.draftAnswerId = draft.answerId;
  updateCounter();
}

function renderConversationHeader() {
  const d = state.open;
  if (!d) return;
  const q = d.item;
  const me = state.operator?.login;
  const mine = q.assignedTo === me;
  const supervisor = state.operator?.role === 'supervisor';
  const resolved = q.status === 'resolved';
  $('conv-title').textContent =
    `${q.customer.name ?? q.customer.id ?? '—'} · ${q.channel} · #${q.conversationId}`;
  $('conv-status').textContent = q.assignedTo
    ? mine
      ? tr('takenByYou')
      : tr('takenBy', { name: q.assignedTo })
    : tr(/** @type {StringKey} */ (`status_${q.status}`));
  $('conv-status').setAttribute('data-status', q.status);
  const othersOwn = Boolean(q.assignedTo) && !mine;
  button('take').disabled = mine || othersOwn;
  const blocked = othersOwn && !supervisor;
  for (const id of ['resolve', 'hand-back', 'correct', 'new-category', 'send'])
    button(id).disabled = blocked || (resolved && id !== 'send');
  button('resolve').disabled ||= q.status === 'bot';
  button('hand-back').disabled ||= q.status === 'bot';
  const select = /** @type {HTMLSelectElement} */ ($('assign-to'));
  select.replaceChildren(
    h('option', { value: '' }, [tr('assignTo')]),
    ...state.colleagues
      .filter((c) => c.login !== q.assignedTo)
      .map((c) =>
        h('option', { value: c.login }, [c.login === me ? `${c.name} (${tr('takenByYou')})` : c.name]),
      ),
  );
  select.disabled = blocked || resolved;
  button('assign').disabled = blocked || resolved;
  $('read-only').hidden = !resolved;
  renderCustomer();
}

function renderCustomer() {
  const d = state.open;
  if (!d) return;
  const q = d.item;
  /** @param {StringKey} key @param {string} value */
  const row = (key, value) => [h('dt', {}, [tr(key)]), h('dd', {}, [value])];
  $('customer-panel').replaceChildren(
    ...row('customer', q.customer.name ?? '—'),
    ...row('channel', q.channel),
    ...row('id', q.customer.id ?? '—'),
    ...row('language', q.language ?? '—'),
    ...row('queueLabel', q.queue ?? '—'),
  );
  $('earlier').replaceChildren(
    ...(d.earlier.length
      ? d.earlier.map((e) => {
          const link = h('a', { href: `#/c/${e.conversationId}` }, [
            `#${e.conversationId} · ${tr(/** @type {StringKey} */ (`status_${e.status}`))} · ${e.lastLine}`,
          ]);
          return h('li', {}, [link]);
        })
      : [h('li', { class: 'muted' }, [tr('noEarlier')])]),
  );
  $('notes').replaceChildren(
    ...d.notes.map((n) =>
      h('li', { 'data-testid': 'note-item' }, [
        h('span', { class: 'who' }, [`${n.operator} · ${new Date(n.createdAt).toLocaleString(state.lang)}`]),
        h('span', {}, [n.text]),
      ]),
    ),
  );
}

/** Adds the note in the notes box. @param {SubmitEvent} ev */
async function addNote(ev) {
  ev.preventDefault();
  const box = /** @type {HTMLTextAreaElement} */ ($('note'));
  const text = box.value.trim();
  if (!text) return;
  if (await act('add_note', { text }, 'noteAdded')) box.value = '';
}

/** Search: conversations of any status; an empty query goes back to the queue. */
async function search(/** @type {SubmitEvent} */ ev) {
  ev.preventDefault();
  const query = /** @type {HTMLInputElement} */ ($('search')).value.trim();
  const box = $('search-results');
  if (!query) {
    box.hidden = true;
    $('queue-list').hidden = false;
    return;
  }
  try {
    const { results } = await request({ type: 'search', query });
    const back = h('button', { type: 'button', class: 'link' }, [tr('backToQueue')]);
    back.addEventListener('click', () => {
      /** @type {HTMLInputElement} */ ($('search')).value = '';
      box.hidden = true;
      $('queue-list').hidden = false;
    });
    box.replaceChildren(
      back,
      ...(results.length
        ? results.map((/** @type {QueueItem} */ q) => {
            const item = h(
              'button',
              {
                class: 'queue-item',
                'data-testid': 'search-item',
                'data-conversation': String(q.conversationId),
              },
              [
                h('div', { class: 'row1' }, [
                  h('span', { class: `badge ch-${q.channel}` }, [q.channel]),
                  h('strong', {}, [`#${q.conversationId} ${q.customer.name ?? q.customer.id ?? '—'}`]),
                  h('span', { class: 'status' }, [tr(/** @type {StringKey} */ (`status_${q.status}`))]),
                ]),
                h('div', { class: 'line' }, [q.lastLine]),
                h('div', { class: 'row3' }, [
                  h('span', { class: 'cat' }, [categoryLabel(q.bot, q.category)]),
                ]),
              ],
            );
            item.addEventListener('click', () => openConversation(q.conversationId));
            return item;
          })
        : [h('p', { class: 'empty' }, [tr('searchEmpty')])]),
    );
    box.hidden = false;
    $('queue-list').hidden = true;
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

/** `/words` + Enter in the reply box: knowledge-base answers and saved replies to insert. */
async function cannedSearch(/** @type {string} */ query) {
  const open = state.open;
  if (!open) return;
  const list = $('canned');
  try {
    const [{ answers }, { replies }] = await Promise.all([
      request({ type: 'kb_search', conversationId: open.item.conversationId, query }),
      request({ type: 'saved_replies' }),
    ]);
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const saved = replies.filter((/** @type {{title: string, text: string}} */ r) =>
      words.every((w) => `${r.title} ${r.text}`.toLowerCase().includes(w)),
    );
    /** @param {string} kind @param {string} text @param {string} [title] */
    const option = (kind, text, title) => {
      const b = h('button', { type: 'button', 'data-testid': 'canned-item' }, [
        h('span', { class: 'badge' }, [kind]),
        title ? h('strong', {}, [title]) : '',
        h('span', {}, [text]),
      ]);
      b.addEventListener('click', () => {
        editor().value = text;
        state.draftAnswerId = null;
        list.hidden = true;
        updateCounter();
        saveDraft();
        editor().focus();
      });
      return h('li', {}, [b]);
    };
    list.replaceChildren(
      ...saved.map((/** @type {{title: string, text: string}} */ r) =>
        option(tr('savedReply'), r.text, r.title),
      ),
      ...answers.map((/** @type {{text: string}} */ a) => option(tr('kbAnswer'), a.text)),
      ...(saved.length + answers.length ? [] : [h('li', { class: 'empty' }, [tr('searchEmpty')])]),
    );
    list.hidden = false;
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

async function saveReply() {
  const text = editor().value.trim();
  if (!text) return;
  const title = await promptAsk(tr('saveReplyPrompt'));
  if (!title) return;
  try {
    await request({ type: 'save_reply', title, text });
    toast(tr('replySaved'));
  } catch (err) {
    toast(errorText(err), 'error');
  }
}

async function addToKb() {
  const text = state.offerText;
  $('offer-kb').hidden = true;
  state.offerText = null;
  if (text && (await act('kb_add', { text }, 'kbAdded'))) return;
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
          new Date(m.createdAt).toLocaleTimeString(state.lang),
        ]),
        h('div', { class: 'text' }, [m.text]),
      ]),
    ),
  );
  list.scrollTop = list.scrollHeight;
}

/** The category and the suggestions: they follow the latest customer message. */
function renderSide() {
  const d = state.open;
  if (!d) return;
  const select = /** @type {HTMLSelectElement} */ ($('category'));
  const current = d.classification?.category ?? d.item.category ?? '';
  const options = [...new Set([...d.categories, ...(current ? [current] : [])])];
  select.replaceChildren(
    ...options
      .map((c) => ({ c, label: categoryLabel(d.item.bot, c) }))
      .sort((a, b) => a.label.localeCompare(b.label, state.lang))
      .map(({ c, label }) => h('option', { value: c }, [label])),
  );
  select.value = d.item.category ?? current;
  const conf = d.classification ? Math.round(d.classification.confidence * 100) : 0;
  $('category-confidence').replaceChildren(
    ...(d.classification
      ? [
          h('span', { 'data-testid': 'classification' }, [
            `${categoryLabel(d.item.bot, d.classification.category)} · ${tr('confidence')} ${conf}%`,
          ]),
          confidenceBar(conf, `${tr('confidence')} ${conf}%`),
        ]
      : []),
  );
  $('suggestions').replaceChildren(
    ...(d.suggestions.length
      ? d.suggestions.slice(0, 3).map((s, i) => {
          const card = h(
            'button',
            {
              class: 'suggestion',
              'data-testid': 'suggestion',
              'data-answer': String(s.answerId),
              'aria-keyshortcuts': String(i + 1),
            },
            [
              h('kbd', {}, [String(i + 1)]),
              h('span', { class: 'score' }, [s.score.toFixed(2)]),
              h('span', {}, [s.text]),
            ],
          );
          card.addEventListener('click', () => pickSuggestion(i));
          return card;
        })
      : [h('p', { class: 'empty' }, [tr('noSuggestions')])]),
  );
}

/** @param {number} i */
function pickSuggestion(i) {
  const s = state.open?.suggestions[i];
  if (!s) return;
  editor().value = s.text;
  state.draftAnswerId = s.answerId;
  updateCounter();
  saveDraft();
  editor().focus();
}

function renderConversation() {
  const d = state.open;
  $('conversation').hidden = !d;
  $('no-conversation').hidden = Boolean(d);
  if (!d) return;
  renderConversationHeader();
  renderMessages();
  renderSide();
  updateCounter();
}

function updateCounter() {
  const n = editor().value.trim().length;
  const counter = $('counter');
  counter.textContent = tr('chars', { n, max: REPLY_MAX });
  counter.classList.toggle('over', n > REPLY_MAX);
  counter.title = n > REPLY_MAX ? tr('tooLongLocal', { over: n - REPLY_MAX }) : '';
}

/**
 * Sends one request about the open conversation; says the outcome in a toast.
 * @param {string} type @param {Record<string, unknown>} [extra] @param {StringKey} [done]
 */
async function act(type, extra = {}, done) {
  if (!state.open) return false;
  try {
    const result = await request({ type, conversationId: state.open.item.conversationId, ...extra });
    if (done) toast(tr(done, { name: String(extra.to ?? extra.category ?? '') }));
    return result ?? true;
  } catch (err) {
    toast(errorText(err), 'error');
    return false;
  }
}

async function take() {
  const q = state.open?.item;
  if (!q) return;
  const fromBot = q.status === 'bot' || q.status === 'resolved';
  if (fromBot && !(await confirmAsk(tr(q.status === 'bot' ? 'confirmTakeFromBot' : 'confirmReopen')))) return;
  await act('take', fromBot ? { confirm: true } : {}, 'taken');
}

/** Resolve or hand back: says so, then moves on to the next conversation. @param {'resolve' | 'hand_back'} type */
async function close(type) {
  if (await act(type, {}, type === 'resolve' ? 'resolved' : 'handedBack')) {
    localStorage.removeItem(draftKey(/** @type {Detail} */ (state.open).item.conversationId));
    editor().value = '';
    closeConversation();
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
  if (!open || open.item.status === 'resolved' || Date.now() - typedAt < 2500) return;
  typedAt = Date.now();
  request({ type: 'typing', conversationId: open.item.conversationId }).catch(() => {});
}

async function sendReply() {
  typedAt = 0;
  const text = editor().value.trim();
  const open = state.open;
  if (!text || !open) return;
  if (text.length > REPLY_MAX) {
    toast(tr('tooLongLocal', { over: text.length - REPLY_MAX }), 'error');
    return;
  }
  /** @type {Record<string, unknown>} */
  const extra = state.draftAnswerId ? { text, answerId: state.draftAnswerId } : { text };
  if (open.item.status === 'resolved') {
    if (!(await confirmAsk(tr('confirmReplyReopen')))) return;
    extra.reopen = true;
  }
  if (await act('reply', extra, 'replySent')) {
    // Written from scratch: offer it to the knowledge base, tomorrow's suggestion.
    state.offerText = state.draftAnswerId ? null : text;
    $('offer-kb').hidden = !state.offerText;
    editor().value = '';
    state.draftAnswerId = null;
    localStorage.removeItem(draftKey(open.item.conversationId));
    updateCounter();
  }
}

async function newCategory() {
  const name = await promptAsk(tr('newCategoryPrompt'));
  if (!name) return;
  if (await act('new_category', { category: name }, 'categoryCreated')) await refreshOpen();
}

async function assign() {
  const to = /** @type {HTMLSelectElement} */ ($('assign-to')).value;
  if (!to) return;
  const colleague = state.colleagues.find((c) => c.login === to);
  if (await act('assign', { to })) toast(tr('assigned', { name: colleague?.name ?? to }));
}

// --- stats -------------------------------------------------------------------------------

async function renderStats() {
  const s = await request({ type: 'stats' });
  const bot = Object.keys(state.bots)[0] ?? '';
  $('stats').replaceChildren(...statsCards(s, { tr, label: (c) => categoryLabel(bot, c) }));
}

/** @param {string} view */
function show(view) {
  state.view = view;
  $('queue-view').hidden = view !== 'queue';
  $('stats-view').hidden = view !== 'stats';
  for (const b of document.querySelectorAll('nav button[data-view]'))
    b.classList.toggle('active', b.getAttribute('data-view') === view);
  if (view === 'stats') renderStats().catch((err) => toast(errorText(err), 'error'));
}

// --- keyboard ----------------------------------------------------------------------------

function toggleHelp() {
  const help = /** @type {HTMLDialogElement} */ ($('help'));
  if (help.open) help.close();
  else help.showModal();
}

/** @param {KeyboardEvent} ev */
function onKey(ev) {
  if (!state.operator || $('app').hidden) return;
  if (ev.key === 'Enter' && !ev.shiftKey && ev.target === editor() && editor().value.startsWith('/')) {
    ev.preventDefault();
    void cannedSearch(editor().value.slice(1));
    return;
  }
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && ev.target === editor()) {
    ev.preventDefault();
    void sendReply();
    return;
  }
  const target = /** @type {HTMLElement} */ (ev.target);
  if (ev.key === 'Escape' && target === editor()) {
    editor().blur();
    return;
  }
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey || document.querySelector('dialog[open]:not(#help)'))
    return;
  const key = ev.key;
  let handled = true;
  if (key === 'j' || key === 'ArrowDown') move(1);
  else if (key === 'k' || key === 'ArrowUp') move(-1);
  else if (['1', '2', '3'].includes(key)) pickSuggestion(Number(key) - 1);
  else if (key === 'e' && state.open) editor().focus();
  else if (key === 't' && state.open) void take();
  else if (key === 'r' && state.open) void close('resolve');
  else if (key === '?') toggleHelp();
  else if (key === '/') $('search').focus();
  else handled = false;
  if (handled) ev.preventDefault();
}

// --- wiring ------------------------------------------------------------------------------

$('login-form').addEventListener('submit', (ev) => void signIn(/** @type {SubmitEvent} */ (ev)));
$('sign-out').addEventListener('click', () => void signOut());
$('take').addEventListener('click', () => void take());
$('resolve').addEventListener('click', () => void close('resolve'));
$('hand-back').addEventListener('click', () => void close('hand_back'));
$('assign').addEventListener('click', () => void assign());
$('send').addEventListener('click', () => void sendReply());
$('new-category').addEventListener('click', () => void newCategory());
$('help-button').addEventListener('click', toggleHelp);
$('search-form').addEventListener('submit', (ev) => void search(/** @type {SubmitEvent} */ (ev)));
$('note-form').addEventListener('submit', (ev) => void addNote(/** @type {SubmitEvent} */ (ev)));
$('save-reply').addEventListener('click', () => void saveReply());
$('offer-kb-yes').addEventListener('click', () => void addToKb());
$('offer-kb-no').addEventListener('click', () => {
  $('offer-kb').hidden = true;
  state.offerText = null;
});
$('help-close').addEventListener('click', toggleHelp);
editor().addEventListener('input', () => {
  if (!editor().value) state.draftAnswerId = null;
  updateCounter();
  saveDraft();
  operatorTyping();
});
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
for (const b of document.querySelectorAll('[data-queue-view]')) {
  b.addEventListener('click', () => {
    state.filters.view = b.getAttribute('data-queue-view') ?? 'all';
    localStorage.setItem('nd.view', state.filters.view);
    renderFilters();
    renderQueue();
  });
}
for (const [id, key] of /** @type {const} */ ([
  ['filter-queue', 'queue'],
  ['filter-channel', 'channel'],
])) {
  $(id).addEventListener('change', () => {
    state.filters[key] = /** @type {HTMLSelectElement} */ ($(id)).value;
    renderQueue();
  });
}
for (const b of document.querySelectorAll('.lang button')) {
  b.addEventListener('click', () => {
    setLang(/** @type {Lang} */ (b.getAttribute('data-lang')));
    if (state.operator) request({ type: 'set_language', language: state.lang }).catch(() => {});
  });
}
$('notify').addEventListener('change', () => {
  const on = /** @type {HTMLInputElement} */ ($('notify')).checked;
  localStorage.setItem('nd.notify', on ? '1' : '');
  if (on && 'Notification' in window && Notification.permission === 'default')
    void Notification.requestPermission();
});
/** @type {HTMLInputElement} */ ($('notify')).checked = localStorage.getItem('nd.notify') === '1';
document.addEventListener('keydown', onKey);
window.addEventListener('popstate', openFromUrl);
window.addEventListener('beforeunload', saveDraft);
setInterval(() => {
  const now = Date.now();
  for (const node of document.querySelectorAll('.wait'))
    node.textContent = duration(now - Number(node.getAttribute('data-since')));
  for (const node of document.querySelectorAll('.sla'))
    node.textContent = slaText(Number(node.getAttribute('data-due')), now);
  for (const row of document.querySelectorAll('.queue-item')) {
    const q = state.queue.get(Number(row.getAttribute('data-conversation')));
    if (!q) continue;
    const sla = slaState(q, now);
    if (row.getAttribute('data-sla') !== sla) {
      row.classList.remove('sla-ok', 'sla-warn', 'sla-risk', 'sla-breached');
      row.classList.add(`sla-${sla}`);
      row.setAttribute('data-sla', sla);
    }
  }
}, 1000);

applyStaticStrings();
void checkSession().then((operator) => {
  if (operator) start(operator);
  else $('login-view').hidden = false;
});
