/** Chatwoot: Agent Bot webhooks in, the application API out (messages, private notes, handoff). */
import type { z } from 'zod';
import { defineChannel, outboundOptions } from '../contract.js';
import { chatwootWebhook } from './inbound.js';
import { chatwootOutbound } from './outbound.js';
import { type ChatwootSettings, chatwootSection } from './settings.js';

export const chatwoot = defineChannel<ChatwootSettings>({
  name: 'chatwoot',
  section: chatwootSection,
  resolve(section, env) {
    const s = section as z.infer<typeof chatwootSection>;
    const v = env.need([s.apiTokenEnv]);
    if (!v) return undefined;
    const hmacSecret = s.hmacSecretEnv ? env.value(s.hmacSecretEnv) : undefined;
    if (!hmacSecret) env.note('chatwoot webhooks are not signature-checked (no HMAC secret set)');
    return { apiToken: v[0]!, hmacSecret, apiUrl: s.apiUrl };
  },
  apiUrls: [{ key: 'chatwoot', env: 'NEURODESK_CHATWOOT_API_URL', default: 'https://app.chatwoot.com' }],
  secretHeaders: ['x-chatwoot-signature'],
  create: (d) => ({
    webhook: chatwootWebhook({
      clock: d.clock,
      toleranceMs: d.config.webhookToleranceMs,
      conversations: d.conversations,
    }),
    outbound: chatwootOutbound(outboundOptions(d, 'chatwoot')),
  }),
});
