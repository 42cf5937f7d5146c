// @ts-check
/** UI strings of the console in English and Russian. */

/** @typedef {'en' | 'ru'} Lang */

export const STRINGS = {
  en: {
    title: 'neurodesk console',
    signIn: 'Sign in',
    login: 'Login',
    password: 'Password',
    wrongPassword: 'Wrong login or password.',
    tooManyAttempts: 'Too many attempts. Try again later.',
    signOut: 'Sign out',
    queue: 'Queue',
    stats: 'Stats',
    connected: 'live',
    reconnecting: 'reconnecting…',
    emptyQueue: 'Nobody is waiting. The bot is handling everything.',
    pickConversation: 'Pick a conversation from the queue.',
    waiting: 'waiting',
    takenBy: 'taken by {name}',
    takenByYou: 'yours',
    take: 'Take',
    resolve: 'Resolve',
    handBack: 'Hand back to bot',
    send: 'Send',
    replyPlaceholder: 'Write a reply, or click a suggested answer to start from it…',
    customerTyping: 'The customer is typing…',
    suggestions: 'Suggested answers',
    noSuggestions: 'No suggestions for this message.',
    category: 'Category',
    confidence: 'confidence',
    correct: 'Save category',
    categorySaved: 'Category saved as a label.',
    replySent: 'Reply queued for delivery.',
    customer: 'Customer',
    bot: 'Bot',
    operator: 'Operator',
    system: 'System',
    channel: 'Channel',
    ticketsPerCategory: 'Tickets per category',
    outcomes: 'Auto-replies and handoffs',
    autoReply: 'auto-reply',
    handoff: 'handoff',
    acceptance: 'Operators and suggestions',
    accepted: 'accepted',
    edited: 'edited',
    written: 'written',
    agreement: 'Classifier agrees with operators (per day)',
    latency: 'Prediction latency, ms',
    p50: 'p50',
    p95: 'p95',
    noData: 'No data yet.',
    latestReport: 'Latest training report',
    rolledBack: 'Rolled back',
    error: 'Error',
    minutes: '{n} min',
    hours: '{n} h',
    seconds: '{n} s',
  },
  ru: {
    title: 'Консоль neurodesk',
    signIn: 'Войти',
    login: 'Логин',
    password: 'Пароль',
    wrongPassword: 'Неверный логин или пароль.',
    tooManyAttempts: 'Слишком много попыток. Попробуйте позже.',
    signOut: 'Выйти',
    queue: 'Очередь',
    stats: 'Статистика',
    connected: 'онлайн',
    reconnecting: 'переподключение…',
    emptyQueue: 'Никто не ждёт. Бот справляется сам.',
    pickConversation: 'Выберите диалог в очереди.',
    waiting: 'ждёт',
    takenBy: 'взял(а) {name}',
    takenByYou: 'ваш',
    take: 'Взять',
    resolve: 'Решено',
    handBack: 'Вернуть боту',
    send: 'Отправить',
    replyPlaceholder: 'Напишите ответ или нажмите на предложенный, чтобы начать с него…',
    customerTyping: 'Клиент печатает…',
    suggestions: 'Предложенные ответы',
    noSuggestions: 'Для этого сообщения нет предложений.',
    category: 'Категория',
    confidence: 'уверенность',
    correct: 'Сохранить категорию',
    categorySaved: 'Категория сохранена как метка.',
    replySent: 'Ответ поставлен в очередь на отправку.',
    customer: 'Клиент',
    bot: 'Бот',
    operator: 'Оператор',
    system: 'Система',
    channel: 'Канал',
    ticketsPerCategory: 'Обращения по категориям',
    outcomes: 'Автоответы и передачи оператору',
    autoReply: 'автоответ',
    handoff: 'оператору',
    acceptance: 'Операторы и подсказки',
    accepted: 'принято',
    edited: 'исправлено',
    written: 'своими словами',
    agreement: 'Согласие классификатора с операторами (по дням)',
    latency: 'Задержка предсказаний, мс',
    p50: 'p50',
    p95: 'p95',
    noData: 'Пока нет данных.',
    latestReport: 'Последний отчёт обучения',
    rolledBack: 'Откат версии',
    error: 'Ошибка',
    minutes: '{n} мин',
    hours: '{n} ч',
    seconds: '{n} с',
  },
};

/** @typedef {keyof typeof STRINGS.en} StringKey */

/** The language to start in: saved choice, else the browser's, else English. */
export function initialLang() {
  const saved = localStorage.getItem('nd.lang');
  if (saved === 'en' || saved === 'ru') return saved;
  return navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

/**
 * Translates a key, filling `{name}` placeholders.
 * @param {Lang} lang
 * @param {StringKey} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(lang, key, vars = {}) {
  let s = STRINGS[lang][key] ?? STRINGS.en[key];
  for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}
