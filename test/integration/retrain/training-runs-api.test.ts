import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/server.js';
import { authHeaders, tempDir } from '../../helpers/config.js';
import { ConsoleClient, operatorsConfig, signIn } from '../../helpers/console-client.js';
import { startTestGateway } from '../../helpers/gateway.js';
import { json } from '../../helpers/http.js';

let gw: Gateway;
let reportFile: string;
const ids: Record<string, number> = {};

beforeAll(async () => {
  gw = await startTestGateway({ config: { NEURODESK_CONSOLE_OPERATORS: await operatorsConfig() } });
  reportFile = join(tempDir(), 'report.html');
  writeFileSync(
    reportFile,
    '<!doctype html><p class="decision" data-decision="refused">REFUSED: v2 is kept on disk</p>',
  );
  const runs = gw.store.trainingRuns;
  ids.skipped = await runs.start({
    kind: 'classifier',
    bot: 'bank-support',
    netName: 'bank-classifier',
    oldVersion: 'v1',
    options: {},
  });
  await runs.finish(ids.skipped, { status: 'skipped', reasons: ['no operator labels to learn from'] });
  ids.refused = await runs.start({
    kind: 'classifier',
    bot: 'bank-support',
    netName: 'bank-classifier',
    oldVersion: 'v1',
    options: { dryRun: false },
  });
  await runs.finish(ids.refused, {
    status: 'refused',
    newVersion: 'v2',
    reasons: [
      'regression set macro-F1 92.00 % → 90.00 % (−2.00 points): dropped more than the 0 points allowed',
    ],
    metrics: { sets: [{ name: 'regression', n: 3080 }] },
    reportPath: reportFile,
  });
  ids.other = await runs.start({
    kind: 'classifier',
    bot: 'shop-bot',
    netName: 'shop-classifier',
    oldVersion: 'a',
    options: {},
  });
});
afterAll(async () => {
  await gw?.close();
});

const get = (path: string, headers: Record<string, string> = authHeaders) =>
  fetch(`${gw.url}${path}`, { headers });

describe('GET /api/v1/admin/training-runs', () => {
  it('lists runs newest first with their decision, reasons and report link', async () => {
    const res = await get('/api/v1/admin/training-runs');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.runs.map((r: { id: number }) => r.id)).toEqual([ids.other, ids.refused, ids.skipped]);
    expect(body.runs[0]).toMatchObject({ decision: 'running', finished_at: null, report_url: null });
    expect(body.runs[1]).toMatchObject({
      kind: 'classifier',
      bot: 'bank-support',
      net: 'bank-classifier',
      decision: 'refused',
      old_version: 'v1',
      new_version: 'v2',
      report_url: `/api/v1/admin/training-runs/${ids.refused}/report`,
    });
    expect(body.runs[1].reasons[0]).toContain('dropped more than the 0 points allowed');
    expect(body.runs[2]).toMatchObject({
      decision: 'skipped',
      reasons: ['no operator labels to learn from'],
    });
  });

  it('filters by bot and pages with limit and before', async () => {
    const byBot = await json(await get('/api/v1/admin/training-runs?bot=shop-bot'));
    expect(byBot.runs.map((r: { id: number }) => r.id)).toEqual([ids.other]);
    const page = await json(await get(`/api/v1/admin/training-runs?limit=1&before=${ids.other}`));
    expect(page.runs.map((r: { id: number }) => r.id)).toEqual([ids.refused]);
  });

  it('answers 400 for a bad query, 401 without the API key, 404 for an unknown run', async () => {
    const bad = await get('/api/v1/admin/training-runs?limit=0');
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('validation_failed');
    expect((await get('/api/v1/admin/training-runs?colour=red')).status).toBe(400);
    const anon = await get('/api/v1/admin/training-runs', {});
    expect(anon.status).toBe(401);
    expect((await json(anon)).error.code).toBe('unauthorized');
    for (const id of ['999', 'abc']) {
      const missing = await get(`/api/v1/admin/training-runs/${id}`);
      expect(missing.status).toBe(404);
      expect((await json(missing)).error.code).toBe('not_found');
    }
  });

  it('serves a run report as a self-contained page, and 404 for a run without one', async () => {
    const res = await get(`/api/v1/admin/training-runs/${ids.refused}/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain('data-decision="refused"');
    const none = await get(`/api/v1/admin/training-runs/${ids.skipped}/report`);
    expect(none.status).toBe(404);
    expect((await json(none)).error.message).toContain('has no report (skipped)');
  });
});

describe("the console's link to the latest training report", () => {
  it('gives the stats page a link that opens the report for a signed-in operator only', async () => {
    const cookie = await signIn(gw.url, 'ann');
    const ann = await ConsoleClient.connect(gw.url, cookie);
    try {
      const stats = await ann.request({ type: 'stats' });
      expect(stats.latestReport).toBe(`/console/reports/${ids.refused}`);
      const page = await get(stats.latestReport, { cookie });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('REFUSED: v2 is kept on disk');
      const anon = await get(stats.latestReport, {});
      expect(anon.status).toBe(401);
      expect((await json(anon)).error.code).toBe('unauthorized');
      expect((await get(stats.latestReport, authHeaders)).status).toBe(401);
    } finally {
      ann.close();
    }
  });
});
