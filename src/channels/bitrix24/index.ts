/** Bitrix24: chat-bot events (v1 and Chatbots 2.0) in, imbot and Open Lines calls out, self-registration at install. */
import type { z } from 'zod';
import { defineChannel } from '../contract.js';
import { bitrix24Webhook } from './inbound.js';
import { bitrix24Outbound, registerBotCall } from './outbound.js';
import { type Bitrix24Settings, bitrix24Section, resolveBitrix24 } from './settings.js';

export const bitrix24 = defineChannel<Bitrix24Settings>({
  name: 'bitrix24',
  section: bitrix24Section,
  resolve: (section, env, bot) => resolveBitrix24(section as z.infer<typeof bitrix24Section>, env, bot),
  apiUrls: [
    { key: 'bitrix24OAuth', env: 'NEURODESK_BITRIX24_OAUTH_URL', default: 'https://oauth.bitrix.info' },
  ],
  create: (d) => ({
    webhook: bitrix24Webhook({
      installs: d.store.bitrix24,
      conversations: d.conversations,
      // Registers the bot on the portal, when the gateway knows its public URL and the install gave a token.
      onInstall(bot, install) {
        const settings = bot.channels.bitrix24 as Bitrix24Settings;
        if (!d.config.publicUrl || !install.accessToken) return [];
        const handler = `${d.config.publicUrl}/webhooks/bitrix24/${bot.name}`;
        return [registerBotCall(install.memberId, settings, bot.name, handler)];
      },
    }),
    outbound: bitrix24Outbound({
      bots: d.bots,
      installs: d.store.bitrix24,
      clock: d.clock,
      oauthUrl: d.config.platformUrls.bitrix24OAuth!,
      timeoutMs: d.config.outboundTimeoutMs,
    }),
  }),
});
