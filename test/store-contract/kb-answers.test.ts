import { expect, it } from 'vitest';
import type { NewKbAnswer } from '../../src/kb/types.js';
import { describeEachStore } from './engines.js';
import { Seed } from './seed-rows.js';

const answer = (text: string, o: Partial<NewKbAnswer> = {}): NewKbAnswer => ({
  kb: 'default',
  text,
  category: 'card',
  language: 'en',
  active: true,
  ...o,
});

const action = (conversationId: number, messageId: number, answerId: number | null) => ({
  conversationId,
  messageId,
  operator: 'ann',
  action: 'accept_suggestion' as const,
  category: 'card',
  answerId,
  text: 'Your card is on its way.',
  predictionIds: [],
  netVersions: {},
});

describeEachStore('knowledge base answers', (t) => {
  it('stores answers in order at revision 1, unused', async () => {
    const { store, clock } = t();
    const stored = await store.knowledgeBase.insertMany([
      answer('Your card is on its way.'),
      answer('Ваша карта уже в пути.', { language: 'ru', category: null }),
      answer('Old answer', { active: false }),
    ]);
    expect(stored.map((a) => [a.text, a.revision, a.usageCount, a.active])).toEqual([
      ['Your card is on its way.', 1, 0, true],
      ['Ваша карта уже в пути.', 1, 0, true],
      ['Old answer', 1, 0, false],
    ]);
    expect(stored[0]!.id).toBeLessThan(stored[1]!.id);
    expect(stored[1]).toMatchObject({
      kb: 'default',
      category: null,
      language: 'ru',
      createdAt: clock.t,
      updatedAt: clock.t,
    });
    expect(await store.knowledgeBase.get(stored[1]!.id)).toEqual(stored[1]);
    expect(await store.knowledgeBase.get(stored[2]!.id + 1)).toBeUndefined();
    expect(await store.knowledgeBase.insertMany([])).toEqual([]);
  });

  it('seeds a knowledge base once when two instances seed it at the same moment', async () => {
    const { store, other } = t();
    const seed = [answer('Your card is on its way.'), answer('Ваша карта уже в пути.', { language: 'ru' })];
    const [first, second] = await Promise.all([
      store.knowledgeBase.insertIfEmpty('default', seed),
      other.knowledgeBase.insertIfEmpty('default', seed),
    ]);
    expect([first.length, second.length].sort()).toEqual([0, 2]);
    expect(await store.knowledgeBase.count('default')).toBe(2);
    // A base that holds answers is left alone; another base is seeded on its own.
    expect(await store.knowledgeBase.insertIfEmpty('default', seed)).toEqual([]);
    expect(
      (await other.knowledgeBase.insertIfEmpty('shop', [answer('Returns within 30 days.', { kb: 'shop' })]))
        .length,
    ).toBe(1);
    expect(await store.knowledgeBase.count('default')).toBe(2);
  });

  it('moves the revision when the text changes and only then', async () => {
    const { store, clock } = t();
    const [a] = await store.knowledgeBase.insertMany([answer('Cards arrive in 5 days.')]);
    clock.t += 1000;
    const recategorised = await store.knowledgeBase.update(a!.id, { category: 'delivery' });
    expect(recategorised).toMatchObject({ revision: 1, category: 'delivery', updatedAt: clock.t });
    const edited = await store.knowledgeBase.update(a!.id, { text: 'Cards arrive in 3 days.' });
    expect(edited).toMatchObject({ revision: 2, text: 'Cards arrive in 3 days.', category: 'delivery' });
    const same = await store.knowledgeBase.update(a!.id, {
      text: 'Cards arrive in 3 days.',
      language: 'ru',
    });
    expect(same).toMatchObject({ revision: 2, language: 'ru' });
    const uncategorised = await store.knowledgeBase.update(a!.id, { category: null });
    expect(uncategorised!.category).toBeNull();
    expect(await store.knowledgeBase.update(a!.id + 5, { text: 'x' })).toBeUndefined();
  });

  it('leaves archived answers out of the snapshot the answer index compares with', async () => {
    const { store } = t();
    const [a, b, c] = await store.knowledgeBase.insertMany([
      answer('one'),
      answer('two', { category: null, language: 'ru' }),
      answer('three', { kb: 'shop' }),
    ]);
    await store.knowledgeBase.update(a!.id, { active: false });
    expect(await store.knowledgeBase.snapshot('default')).toEqual([
      { id: b!.id, revision: 1, category: null, language: 'ru' },
    ]);
    await store.knowledgeBase.update(a!.id, { active: true, text: 'one, edited' });
    expect(await store.knowledgeBase.snapshot('default')).toEqual([
      { id: a!.id, revision: 2, category: 'card', language: 'en' },
      { id: b!.id, revision: 1, category: null, language: 'ru' },
    ]);
    expect(await store.knowledgeBase.knowledgeBases()).toEqual(['default', 'shop']);
    expect(await store.knowledgeBase.count('default')).toBe(2);
    expect((await store.knowledgeBase.getMany([c!.id, 999, a!.id])).map((x) => x.id).sort()).toEqual(
      [a!.id, c!.id].sort(),
    );
  });

  it('lists a page with filters on activity, category (or none) and language', async () => {
    const { store } = t();
    const rows = await store.knowledgeBase.insertMany([
      answer('a1'),
      answer('a2', { category: null }),
      answer('a3', { active: false }),
      answer('a4', { language: 'ru' }),
      answer('a5', { category: null, language: 'ru' }),
    ]);
    const texts = async (q: Parameters<typeof store.knowledgeBase.list>[0]) => {
      const r = await store.knowledgeBase.list(q);
      return [r.total, r.answers.map((x) => x.text)];
    };
    expect(await texts({ kb: 'default', limit: 2, offset: 1 })).toEqual([5, ['a2', 'a3']]);
    expect(await texts({ kb: 'default', active: false, limit: 10, offset: 0 })).toEqual([1, ['a3']]);
    expect(await texts({ kb: 'default', category: null, limit: 10, offset: 0 })).toEqual([2, ['a2', 'a5']]);
    expect(await texts({ kb: 'default', category: 'card', active: true, limit: 10, offset: 0 })).toEqual([
      2,
      ['a1', 'a4'],
    ]);
    expect(await texts({ kb: 'default', language: 'ru', limit: 1, offset: 0 })).toEqual([2, ['a4']]);
    expect(await texts({ kb: 'other', limit: 10, offset: 0 })).toEqual([0, []]);
    expect(rows).toHaveLength(5);
  });

  it('counts a use when an operator action names an answer or the bot sends its text', async () => {
    const { store } = t();
    const seed = new Seed(t());
    const [a, b] = await store.knowledgeBase.insertMany([
      answer('Your card is on its way.'),
      answer('Other'),
    ]);
    const conv = await seed.conversation({ chat: 'c1' });
    const msg = await seed.message(conv, 'where is my card?');
    await store.console.recordAction(action(conv, msg, a!.id));
    await store.console.recordAction(action(conv, msg, null));
    const msg2 = await seed.message(conv, 'card?');
    await seed.decision(msg2, {
      action: 'auto_reply',
      replyText: 'Other',
      suggestions: [
        { answerId: a!.id, text: 'Your card is on its way.', score: 0.9 },
        { answerId: b!.id, text: 'Other', score: 0.8 },
      ],
    });
    const msg3 = await seed.message(conv, 'card??');
    await seed.decision(msg3, {
      action: 'handoff',
      suggestions: [{ answerId: b!.id, text: 'Other', score: 0.8 }],
    });
    expect((await store.knowledgeBase.get(a!.id))!.usageCount).toBe(1);
    expect((await store.knowledgeBase.get(b!.id))!.usageCount).toBe(1);
  });

  it('deletes an answer no action names, and keeps one that actions name', async () => {
    const { store } = t();
    const seed = new Seed(t());
    const [used, unused] = await store.knowledgeBase.insertMany([answer('used'), answer('unused')]);
    const conv = await seed.conversation({ chat: 'c1' });
    const msg = await seed.message(conv, 'hello');
    await store.console.recordAction(action(conv, msg, used!.id));
    expect(await store.knowledgeBase.delete(used!.id)).toBe('referenced');
    expect(await store.knowledgeBase.get(used!.id)).toBeDefined();
    expect(await store.knowledgeBase.delete(unused!.id)).toBe('deleted');
    expect(await store.knowledgeBase.get(unused!.id)).toBeUndefined();
    expect(await store.knowledgeBase.delete(unused!.id)).toBe('missing');
  });
});
