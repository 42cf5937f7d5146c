import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CHANNEL_SECRET_HEADERS } from '../../../src/channels/index.js';
import { createLogger } from '../../../src/logger.js';

describe('logger', () => {
  it('redacts tokens, signatures and customer text', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    // As the gateway creates it: with every channel's secret headers.
    const log = createLogger('info', sink, CHANNEL_SECRET_HEADERS);
    log.info(
      {
        text: 'my PIN is 1234',
        message: { text: 'card 4111 1111 1111 1111' },
        headers: { 'x-telegram-bot-api-secret-token': 's3cret', authorization: 'Bearer abc' },
        token: 'xoxb-1',
        chatId: 42,
      },
      'inbound',
    );
    const line = lines.join('');
    for (const secret of ['1234', '4111', 's3cret', 'Bearer abc', 'xoxb-1'])
      expect(line).not.toContain(secret);
    expect(JSON.parse(line)).toMatchObject({ chatId: 42, msg: 'inbound' });
  });
});
