import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../src/channels/index.js';
import { buildGateway } from '../../../src/server.js';
import { authHeaders, tempDir, testConfig } from '../../helpers/config.js';
import { CHANNEL_ENV } from '../../helpers/gateway.js';
import { KeywordClassifier, KeywordSuggester } from '../../helpers/keyword-nets.js';

describe('buildGateway', () => {
  it('builds every feature and the app without opening a socket; the app serves every channel’s webhook', async () => {
    const built = await buildGateway(testConfig({ NEURODESK_DATA_DIR: tempDir() }), {
      env: CHANNEL_ENV,
      classifier: new KeywordClassifier(),
      suggester: new KeywordSuggester(),
    });
    try {
      expect(built.features.map((f) => f.name)).toEqual([
        'cluster',
        'nets',
        'kb',
        'shop',
        'channels',
        'console',
        'retraining',
        'widget',
        'extra routes',
      ]);
      // Driven in process: the app on a server of the test's own, no listen() of the gateway.
      const server = createServer(built.app).listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
        expect((await fetch(`${base}/api/v1/tickets/1`, { headers: authHeaders })).status).toBe(404);
        // Every channel with a webhook answers at /webhooks/<name>/<bot>: unsigned, it is refused (401 or 400), never 404.
        for (const channel of CHANNELS.filter((c) => !['rest', 'chat'].includes(c.name))) {
          const res = await fetch(`${base}/webhooks/${channel.name}/bank-support`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          });
          expect([400, 401], channel.name).toContain(res.status);
        }
        expect((await fetch(`${base}/webhooks/nowhere/bank-support`, { method: 'POST' })).status).toBe(404);
      } finally {
        server.close();
      }
    } finally {
      await built.discard();
    }
  });
});
