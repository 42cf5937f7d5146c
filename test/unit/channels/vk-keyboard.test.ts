import { describe, expect, it } from 'vitest';
import { buttonAction } from '../../../src/channels/vk/inbound.js';
import { vkOutbound } from '../../../src/channels/vk/outbound.js';
import { BotRegistry } from '../../../src/core/bots/bot.js';
import type { ConversationRecord } from '../../../src/core/conversation-port.js';

const outbound = vkOutbound({ bots: new BotRegistry([]), apiUrl: 'http://127.0.0.1:9', timeoutMs: 1000 });
const conversation = { id: 7, replyContext: { peerId: 2000000001 } } as unknown as ConversationRecord;
const plan = (action: Parameters<typeof outbound.plan>[0]) =>
  outbound.plan(action, conversation, { deliveredInline: false, author: 'bot' });

describe('vk keyboards', () => {
  it('show products as links, or as buttons whose payload asks what goes with them', () => {
    const [send] = plan({
      kind: 'products',
      heading: 'Customers who bought this also bought:',
      text: 'Customers who bought this also bought:\n• Tea set — 12.50 https://shop.example/p/85123A\n• Mug',
      items: [
        { id: '85123A', title: 'Tea set', url: 'https://shop.example/p/85123A', price: 12.5 },
        {
          id: '22423',
          title: 'Regency cakestand with three tiers and a very long title',
          url: null,
          price: null,
        },
      ],
    });
    expect(send!.kind).toBe('messages.send');
    const payload = send!.payload as { peer_id: number; message: string; keyboard: string };
    expect(payload.peer_id).toBe(2000000001);
    expect(JSON.parse(payload.keyboard).buttons).toEqual([
      [{ action: { type: 'open_link', link: 'https://shop.example/p/85123A', label: 'Tea set — 12.50' } }],
      [
        {
          action: {
            type: 'text',
            label: 'Regency cakestand with three tiers and…',
            payload: '{"action":"product:22423"}',
          },
          color: 'secondary',
        },
      ],
    ]);
  });

  it('offer the answers a handoff hesitated between, and read back only the bot’s own payloads', () => {
    const [send] = plan({
      kind: 'handoff',
      text: 'Passing your question on.',
      queue: 'cards',
      options: [{ answerId: 12, text: 'Cards arrive within 3 working days.' }],
    });
    const keyboard = JSON.parse((send!.payload as { keyboard: string }).keyboard);
    expect(keyboard.buttons[0][0].action.payload).toBe('{"action":"answer:12"}');
    expect(buttonAction('{"action":"answer:12"}')).toBe('answer:12');
    expect(buttonAction('{"command":"start"}')).toBeUndefined();
    expect(buttonAction('not json')).toBeUndefined();
    expect(plan({ kind: 'suggestions', text: 'x', suggestions: [] })).toEqual([]);
  });
});
