/** The customer chat: a websocket at `/ws/chat` for a site's widget, on for every bot unless switched off. */
import { clientAddress, trustProxy } from '../../transport/http/client-address.js';
import { defineChannel } from '../contract.js';
import { ChatHub } from './chat-hub.js';
import { ChatServer } from './chat-server.js';
import type { ChatSettings } from './settings.js';
import { chatSection } from './settings.js';

export const chat = defineChannel<ChatSettings>({
  name: 'chat',
  section: chatSection,
  onByDefault: true,
  resolve: (section) => ({ allowedOrigins: (section as Partial<ChatSettings>).allowedOrigins ?? [] }),
  create(d) {
    const trusted = trustProxy(d.config.trustProxy);
    const hub = new ChatHub((login) => d.store.operators.displayName(login));
    // An operator typing in the console is shown in the customer's widget. A reply another
    // instance of a cluster sent (the customer's socket may be open here, not there) is read
    // from the conversation and pushed to the sockets open here.
    d.events.subscribe((e, origin) => {
      if (e.type === 'typing' && e.who === 'operator') void hub.typing(e.conversationId, e.operator);
      if (origin.remote && e.type === 'reply.sent' && e.channel === 'chat') {
        if (e.conversationId === null || e.messageId === null || !hub.has(e.conversationId)) return;
        server
          .pushStored(e.conversationId, e.messageId)
          .catch((err) => d.logger.warn({ err, conversationId: e.conversationId }, 'chat reply not pushed'));
      }
    });
    const server = new ChatServer({
      bots: d.bots,
      intake: d.intake,
      store: d.store.conversations,
      hub,
      events: d.events,
      limiter: d.limiter,
      addressOf: (req) => clientAddress(req, trusted),
      logger: d.logger,
      maxPayloadBytes: d.config.chatMaxPayloadBytes,
      heartbeatMs: d.config.wsHeartbeatMs,
    });
    let closing: Promise<void> | undefined;
    const closeSockets = () => {
      closing ??= server.close();
      return closing;
    };
    return {
      outbound: hub,
      feature: { upgrades: { '/ws/chat': server.handleUpgrade }, closeSockets, close: closeSockets },
    };
  },
});
