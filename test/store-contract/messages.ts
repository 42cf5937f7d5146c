import type { InboundMessage } from '../../src/core/ports.js';

/** A customer's message as a channel adapter hands it to the inbox. */
export function inbound(
  deliveryId: string,
  chatId: string,
  extra: Partial<InboundMessage> = {},
): InboundMessage {
  return {
    bot: 'desk',
    channel: 'telegram',
    deliveryId,
    chatId,
    customerId: `u${chatId}`,
    customerName: 'Анна',
    text: `message ${deliveryId}`,
    replyContext: { chatId: Number(chatId) },
    ...extra,
  };
}
