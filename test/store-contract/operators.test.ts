import { expect, it } from 'vitest';
import { describeEachStore } from './engines.js';

const HOUR = 3_600_000;

describeEachStore('operators and sessions', (t) => {
  it('creates, updates and lists active operators', async () => {
    const { store } = t();
    expect(await store.operators.count()).toBe(0);
    const id = await store.operators.upsert({
      login: 'anna',
      name: 'Анна',
      passwordHash: 'h1',
      language: 'ru',
    });
    await store.operators.upsert({ login: 'boris', name: 'Boris', passwordHash: 'h2' });
    expect(
      await store.operators.upsert({ login: 'anna', name: 'Анна К.', passwordHash: 'h3', language: 'ru' }),
    ).toBe(id);
    expect(await store.operators.findForSignIn('anna')).toEqual({
      id,
      login: 'anna',
      name: 'Анна К.',
      language: 'ru',
      role: 'operator',
      passwordHash: 'h3',
    });
    expect(await store.operators.findForSignIn('nobody')).toBeUndefined();
    expect(await store.operators.displayName('anna')).toBe('Анна К.');
    expect(await store.operators.setRole('anna', 'supervisor')).toBe(true);
    expect(await store.operators.setRole('nobody', 'supervisor')).toBe(false);
    await store.operators.setLanguage('boris', 'ru');
    expect(await store.operators.count()).toBe(2);
    expect((await store.operators.list()).map((o) => [o.login, o.role, o.language])).toEqual([
      ['anna', 'supervisor', 'ru'],
      ['boris', 'operator', 'ru'],
    ]);
  });

  it('keeps a session valid on every instance until it expires or is ended', async () => {
    const { store, other, clock } = t();
    const id = await store.operators.upsert({ login: 'anna', name: 'Анна', passwordHash: 'h' });
    const token = await store.operators.createSession(id, 8 * HOUR);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await other.operators.sessionOperator(token)).toEqual({
      id,
      login: 'anna',
      name: 'Анна',
      language: 'en',
      role: 'operator',
    });
    expect(await other.operators.sessionOperator(`${token}x`)).toBeUndefined();
    clock.advance(8 * HOUR);
    expect(await store.operators.sessionOperator(token)).toBeUndefined();
    const second = await other.operators.createSession(id, HOUR);
    expect(await store.operators.sessionOperator(second)).toMatchObject({ login: 'anna' });
    await store.operators.deleteSession(second);
    expect(await other.operators.sessionOperator(second)).toBeUndefined();
  });
});

describeEachStore('Bitrix24 installs', (t) => {
  const install = {
    bot: 'desk',
    memberId: 'm1',
    domain: 'portal.bitrix24.ru',
    clientEndpoint: 'https://portal.bitrix24.ru/rest/',
    applicationToken: 'app-1',
    accessToken: 'a1',
    refreshToken: 'r1',
    expiresAt: 1_700_000_003_600,
  };

  it('stores an installation, renews it on reinstall, and keeps the freshest tokens', async () => {
    const { store, other } = t();
    await store.bitrix24.install(install);
    expect(await other.bitrix24.get('desk', 'm1')).toEqual(install);
    expect(await other.bitrix24.get('desk', 'm2')).toBeUndefined();
    await store.bitrix24.saveTokens('desk', 'm1', { accessToken: 'a2', expiresAt: install.expiresAt + 10 });
    // An older event's tokens never overwrite newer ones.
    await other.bitrix24.saveTokens('desk', 'm1', {
      accessToken: 'old',
      refreshToken: 'old',
      expiresAt: install.expiresAt,
    });
    expect(await store.bitrix24.get('desk', 'm1')).toMatchObject({
      accessToken: 'a2',
      refreshToken: 'r1',
      expiresAt: install.expiresAt + 10,
    });
    await other.bitrix24.install({
      ...install,
      applicationToken: 'app-2',
      accessToken: null,
      refreshToken: null,
      expiresAt: null,
    });
    expect(await store.bitrix24.get('desk', 'm1')).toMatchObject({
      applicationToken: 'app-2',
      accessToken: null,
      expiresAt: null,
    });
  });
});
