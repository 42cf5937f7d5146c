/** VK (VKontakte): a community's Callback API in, messages.send with inline keyboards out. */
import type { z } from 'zod';
import { defineChannel, outboundOptions } from '../contract.js';
import { vkWebhook } from './inbound.js';
import { vkOutbound } from './outbound.js';
import { type VkSettings, vkSection } from './settings.js';

export const vk = defineChannel<VkSettings>({
  name: 'vk',
  section: vkSection,
  resolve(section, env) {
    const s = section as z.infer<typeof vkSection>;
    const v = env.need([s.tokenEnv, s.secretEnv, s.confirmationEnv]);
    return v && { token: v[0]!, secret: v[1]!, confirmation: v[2]!, groupId: s.groupId };
  },
  apiUrls: [{ key: 'vk', env: 'NEURODESK_VK_API_URL', default: 'https://api.vk.com/method' }],
  create: (d) => ({
    webhook: vkWebhook,
    outbound: vkOutbound(outboundOptions(d, 'vk')),
  }),
});
