/** The customer chat: a websocket at `/ws/chat` for a site's widget, on for every bot unless switched off. */
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
    const hub = new ChatHub((login) => d.store.operators.displayName(login));
    // An operator typing in the console is shown in the customer's widget.
    d.events.subscribe((e) => {
      if (e.type === 'typing' && e.who === 'operator') void hub.typing(e.conversationId, e.operator);
    });
    const server = new ChatServer({
      bots: d.bots,
      intake: d.intake,
      store: d.store.conversations,
      hub,
      events: d.events,
      limiter: d.limiter,
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
