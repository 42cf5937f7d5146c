/** The REST API for CRMs: tickets in (`/api/v1/tickets`), answers in the response or POSTed to a callback URL. */
import { z } from 'zod';
import { enabled } from '../../core/bots/bot-schema.js';
import { defineChannel } from '../contract.js';
import { restCallbackOutbound } from './outbound.js';
import { mountTickets } from './tickets-routes.js';

export const rest = defineChannel<Record<string, never>>({
  name: 'rest',
  section: z.strictObject({ enabled }),
  onByDefault: true,
  resolve: () => ({}),
  create: (d) => ({
    outbound: restCallbackOutbound({ timeoutMs: d.config.outboundTimeoutMs }),
    feature: {
      mounts: [
        ({ api }) =>
          mountTickets(api, {
            bots: d.bots,
            intake: d.intake,
            jobs: d.store.jobs,
            worker: d.worker,
            conversations: d.store.conversations,
            bodyLimitBytes: d.config.bodyLimitBytes,
          }),
      ],
    },
  }),
});
