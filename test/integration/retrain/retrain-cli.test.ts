import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../../src/store/index.js';
import { RETRAIN_EXIT, runRetrainCli } from '../../../training/retrain/cli.js';
import { RunLock } from '../../../training/retrain/lock.js';
import {
  makeRetrainFixture,
  NEW_CATEGORY,
  type RetrainFixture,
  storeAction,
} from '../../helpers/retrain-fixture.js';

function capture() {
  let out = '';
  let err = '';
  return {
    io: { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) } },
    out: () => out,
    err: () => err,
  };
}

let fx: RetrainFixture;
const current = () => readFileSync(join(fx.netsDir, fx.netName, 'CURRENT'), 'utf8').trim();
const runs = () => {
  const db = openDatabase(join(fx.dataDir, 'neurodesk.db'));
  try {
    return db.prepare('SELECT * FROM training_runs ORDER BY id').all() as Array<Record<string, unknown>>;
  } finally {
    closeDatabase(db);
  }
};

async function retrain(...args: string[]) {
  const c = capture();
  const code = await runRetrainCli(['classifier', '--bot', 'desk', '--backend', 'wasm', ...args], c.io, {
    NEURODESK_DATA_DIR: fx.dataDir,
    NEURODESK_NETS_DIR: fx.netsDir,
    NEURODESK_BOTS_DIR: fx.botsDir,
    // One text of the 150 in the regression set moves macro-F1 by ~0.7 points: allow one.
    NEURODESK_RETRAIN_F1_TOLERANCE: '1',
    NEURODESK_RETRAIN_MIN_CATEGORY_SUPPORT: '10',
  });
  return { code, out: c.out(), err: c.err() };
}

beforeAll(async () => {
  fx = await makeRetrainFixture();
});

describe('npm run retrain -- classifier', () => {
  it('skips the run when operators have labelled nothing yet', async () => {
    const r = await retrain();
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.out).toContain('SKIPPED: no operator labels to learn from');
    expect(current()).toBe('v1');
    expect(runs().at(-1)).toMatchObject({ status: 'skipped' });
  });

  it('learns a category operators introduced and promotes the new version', async () => {
    const db = openDatabase(join(fx.dataDir, 'neurodesk.db'));
    fx.newTexts.forEach((text, i) => {
      storeAction(db, { text, category: NEW_CATEGORY, at: 1_000 + i });
    });
    closeDatabase(db);
    const r = await retrain('--max-epochs', '6');
    expect(r.err).toMatch(/epoch 1\/6/);
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.out).toMatch(/PROMOTED: \S+ replaces v1 in service/);
    const version = current();
    expect(version).not.toBe('v1');
    const meta = JSON.parse(readFileSync(join(fx.netsDir, fx.netName, version, 'meta.json'), 'utf8'));
    expect(meta.labels).toContain(NEW_CATEGORY);
    expect(meta.retraining).toMatchObject({ fromVersion: 'v1', decision: 'promoted' });
    expect(meta.trainingData).toMatchObject({ file: fx.baseFile, labels: { rows: 40 } });
    expect(meta.golden.length).toBeGreaterThan(0);
    const html = readFileSync(join(fx.netsDir, fx.netName, version, 'report.html'), 'utf8');
    expect(html).toContain('data-decision="promoted"');
    expect(html).toContain('<svg');
    expect(runs().at(-1)).toMatchObject({ status: 'promoted', old_version: 'v1', new_version: version });
  });
});
