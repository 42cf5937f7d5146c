/** Slack: the Events API in, chat.postMessage out, customers named with users.info. */
import type { z } from 'zod';
import { defineChannel } from '../contract.js';
import { slackWebhook } from './inbound.js';
import { slackNames, slackOutbound } from './outbound.js';
import { type SlackSettings, slackSection } from './settings.js';

// Slack waits 3 s for an answer: the name lookup gets a part of that.
const NAME_TIMEOUT_MS = 1500;

export const slack = defineChannel<SlackSettings>({
  name: 'slack',
  section: slackSection,
  resolve(section, env) {
    const s = section as z.infer<typeof slackSection>;
    const v = env.need([s.botTokenEnv, s.signingSecretEnv]);
    return v && { botToken: v[0]!, signingSecret: v[1]! };
  },
  apiUrls: [{ key: 'slack', env: 'NEURODESK_SLACK_API_URL', default: 'https://slack.com/api' }],
  secretHeaders: ['x-slack-signature'],
  create(d) {
    const apiUrl = d.config.platformUrls.slack!;
    const timeoutMs = d.config.outboundTimeoutMs;
    return {
      webhook: slackWebhook({
        clock: d.clock,
        toleranceMs: d.config.webhookToleranceMs,
        names: slackNames({ apiUrl, timeoutMs: Math.min(timeoutMs, NAME_TIMEOUT_MS), logger: d.logger }),
      }),
      outbound: slackOutbound({ bots: d.bots, apiUrl, timeoutMs }),
    };
  },
});
