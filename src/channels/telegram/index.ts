/** Telegram: the Bot API's webhooks in, sendMessage and inline keyboards out. */
import type { z } from 'zod';
import { defineChannel, outboundOptions } from '../contract.js';
import { telegramWebhook } from './inbound.js';
import { telegramOutbound } from './outbound.js';
import { resolveTelegram, type TelegramSettings, telegramSection } from './settings.js';

export const telegram = defineChannel<TelegramSettings>({
  name: 'telegram',
  section: telegramSection,
  resolve: (section, env) => resolveTelegram(section as z.infer<typeof telegramSection>, env),
  apiUrls: [{ key: 'telegram', env: 'NEURODESK_TELEGRAM_API_URL', default: 'https://api.telegram.org' }],
  secretHeaders: ['x-telegram-bot-api-secret-token'],
  create: (d) => ({
    webhook: telegramWebhook,
    outbound: telegramOutbound(outboundOptions(d, 'telegram')),
  }),
});
