import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/server.js';
import { sqliteDatabaseOf } from '../../src/store/sqlite.js';
import { ConsoleClient, operatorsConfig, signIn } from '../helpers/console-client.js';
import { row, startTestGateway } from '../helpers/gateway.js';
import { sleep } from '../helpers/wait.js';
import { ChatClient } from '../helpers/ws-client.js';

// What the chat widget shows of the people on the other side: who is typing, and who wrote.
let gw: Gateway;
let wsUrl: string;
let ann: ConsoleClient;

beforeAll(async () => {
  gw = await startTestGateway({ config: { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig() } });
  sqliteDatabaseOf(gw.store).prepare("UPDATE operators SET name = 'Ann Smith' WHERE login = 'ann'").run();
  wsUrl = `${gw.url.replace('http', 'ws')}/ws/chat?bot=bank-support`;
  ann = await ConsoleClient.connect(gw.url, await signIn(gw.url, 'ann'));
});
afterAll(async () => {
  ann.close();
  await gw.close();
});

/** A chat handed to the operators: its socket, token and conversation id. */
async function handedOff(text: string) {
  const c = await ChatClient.connect(wsUrl);
  const { conversation } = await c.next();
  await c.next(); // greeting
  c.send({ type: 'message', id: 'q1', text });
  await c.next(); // ack
  expect((await c.next()).text).toMatch(/passing your question/);
  const id = row(gw, 'SELECT id FROM conversations WHERE external_chat_id = ?', conversation).id as number;
  return { c, conversation, id };
}

describe('chat widget and console, live', () => {
  it("shows the customer's typing to operators, at most once a second", async () => {
    const { c, id } = await handedOff('my card was stolen');
    const before = ann.frames.filter((f) => f.event?.kind === 'typing').length;
    for (let i = 0; i < 5; i++) c.send({ type: 'typing' });
    expect(await ann.event((e) => e.kind === 'typing' && e.conversationId === id)).toEqual({
      kind: 'typing',
      conversationId: id,
    });
    await sleep(100);
    expect(ann.frames.filter((f) => f.event?.kind === 'typing').length).toBe(before + 1);
    await c.close();
  });

  it("shows an operator's typing and replies in the widget under the operator's display name", async () => {
    const { c, id } = await handedOff('my card was stolen today');
    await ann.request({ type: 'take', conversationId: id });
    await ann.request({ type: 'typing', conversationId: id });
    expect(await c.next()).toEqual({ type: 'typing', author: 'operator', name: 'Ann Smith' });
    await ann.request({ type: 'reply', conversationId: id, text: 'Blocked it for you.' });
    expect(await c.next()).toMatchObject({
      type: 'message',
      author: 'operator',
      name: 'Ann Smith',
      text: 'Blocked it for you.',
    });
    await c.close();
  });

  it('gives the history the customer message ids it was sent under and the operators names', async () => {
    const { c, conversation, id } = await handedOff('my card was stolen at the station');
    await c.close();
    await ann.request({ type: 'take', conversationId: id });
    await ann.request({ type: 'reply', conversationId: id, text: 'I am on it.' });
    const back = await ChatClient.connect(`${wsUrl}&conversation=${conversation}&after=0`);
    await back.next(); // ready
    const { messages } = await back.next();
    expect(messages.map((m: Record<string, unknown>) => [m.author, m.client_id, m.name])).toEqual([
      ['customer', 'q1', undefined],
      ['bot', undefined, undefined],
      ['operator', undefined, 'Ann Smith'],
    ]);
    await back.close();
  });

  it('ignores typing before the chat has a conversation, and refuses typing to one not with the operators', async () => {
    const c = await ChatClient.connect(wsUrl);
    await c.next();
    await c.next();
    c.send({ type: 'typing' });
    c.send({ type: 'typing', text: 'no extra fields' });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'validation_failed' });
    await c.close();
    await expect(ann.request({ type: 'typing', conversationId: 999_999 })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
