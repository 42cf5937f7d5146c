import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/ports.js';
import { PgClusterLock } from '../../../src/store/postgres/advisory-lock.js';
import { closeDatabase, createStore, openDatabase } from '../../../src/store/sqlite.js';
import { isHeldOut, isValidation } from '../../../training/retrain/classifier-data.js';
import { RETRAIN_EXIT, RETRAIN_RUN_LOCK, runRetrainCli } from '../../../training/retrain/cli.js';
import { RunLock } from '../../../training/retrain/lock.js';
import { retrainClassifier } from '../../../training/retrain/retrain-classifier.js';
import { captureIo } from '../../helpers/capture-output.js';
import { tempDir } from '../../helpers/config.js';
import { usePostgresDatabase } from '../../helpers/postgres.js';
import {
  makeRetrainFixture,
  NEW_CATEGORY,
  type RetrainFixture,
  storeAction,
} from '../../helpers/retrain-fixture.js';

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
  const c = captureIo();
  const code = await runRetrainCli(['classifier', '--bot', 'desk', '--backend', 'wasm', ...args], c.io, {
    NEURODESK_DATA_DIR: fx.dataDir,
    NEURODESK_NETS_DIR: fx.netsDir,
    NEURODESK_BOTS_DIR: fx.botsDir,
    // The default gate: worse beyond chance at 95 %, categories of ≥ 10 texts tested alone.
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
    // A fine-tune replays a stratified sample of the base rows each epoch beside every label.
    const r = await retrain('--max-epochs', '6', '--replay', '120');
    expect(r.err).toMatch(/epoch 1\/6/);
    expect(r.err).toMatch(/120 of \d+ base rows per epoch/);
    expect(r.out).toMatch(/base rows per epoch: 120 of \d+/);
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.out).toMatch(/PROMOTED: \S+ replaces v1 in service/);
    expect(r.out).toContain('fine-tuned from v1');
    const version = current();
    expect(version).not.toBe('v1');
    const meta = JSON.parse(readFileSync(join(fx.netsDir, fx.netName, version, 'meta.json'), 'utf8'));
    expect(meta.labels).toContain(NEW_CATEGORY);
    expect(meta.retraining).toMatchObject({ fromVersion: 'v1', decision: 'promoted' });
    expect(meta.trainingData).toMatchObject({ file: fx.baseFile, labels: { rows: 40 } });
    // Provenance: the base file, the operators' labels as exported for this run, the regression set.
    expect(meta.provenance.files.map((f: { role: string }) => f.role)).toEqual([
      'train',
      'labels',
      'regression',
    ]);
    expect(meta.provenance.files[0]).toMatchObject({ file: fx.baseFile, rows: 300 });
    expect(meta.provenance.files[1]).toMatchObject({
      rows: 40,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(meta.provenance.files[1].file).toMatch(/training-inputs\/run-\d+-labels\.csv$/);
    expect(readFileSync(meta.provenance.files[1].file, 'utf8')).toContain(
      `${fx.newTexts[0]},${NEW_CATEGORY}`,
    );
    expect(meta.provenance.files[2]).toMatchObject({ file: fx.regressionFile, rows: 200 });
    expect(meta.provenance.recipe).toMatch(
      /^npm run retrain -- classifier --bot desk --max-epochs 6 --replay 120 \(run \d+: fine-tuned from v1/,
    );
    expect(meta.retraining.replay).toEqual({ rows: 120, of: expect.any(Number) });
    expect(meta.retraining.replay.of).toBeGreaterThan(200);
    expect(meta.training.replay).toEqual(meta.retraining.replay);
    expect(meta.provenance.commit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
    expect(meta.canary.length).toBeGreaterThan(0);
    // Validated on the rows v1 validated on (never trained on) plus a hashed share of the labels.
    const v1 = JSON.parse(readFileSync(join(fx.netsDir, fx.netName, 'v1', 'meta.json'), 'utf8'));
    const labelsValidating = fx.newTexts.filter(
      (t) => !isHeldOut(t, 0.2) && isValidation(t, v1.training.valFraction),
    );
    expect(meta.metrics.valRows).toBe(v1.metrics.valRows + labelsValidating.length);
    expect(meta.retraining.valSplitSeed).toBe(v1.training.seed);
    expect(meta.canary.every((g: { text: string }) => !fx.newTexts.includes(g.text))).toBe(true);
    const html = readFileSync(join(fx.netsDir, fx.netName, version, 'report.html'), 'utf8');
    expect(html).toContain('data-decision="promoted"');
    expect(html).toContain('<svg');
    expect(runs().at(-1)).toMatchObject({ status: 'promoted', old_version: 'v1', new_version: version });
    // The stored run says how much of the base each epoch replayed and where the time went.
    const metrics = JSON.parse(runs().at(-1)!.metrics as string);
    expect(metrics.replayRows).toBe(120);
    expect(Object.keys(metrics.phases)).toEqual(
      expect.arrayContaining(['read', 'featurise', 'steps', 'validate', 'compare', 'gate', 'publish']),
    );
    expect(metrics.phases.steps).toBeGreaterThan(0);
    expect(html).toContain('base rows per epoch');
  });

  it('skips the run when nothing was labelled since the version in service was trained', async () => {
    const before = current();
    const r = await retrain();
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.out).toContain(`SKIPPED: no new labels since ${before} was trained`);
    expect(current()).toBe(before);
  });

  it('writes no version and leaves the one in service alone on --dry-run, counting only actions --since', async () => {
    const db = openDatabase(join(fx.dataDir, 'neurodesk.db'));
    // Replies that left the predicted category standing: confirmations, a day later.
    for (const text of ['my card has not arrived yet', 'what is the exchange rate for euros']) {
      storeAction(db, {
        text,
        category: text.includes('card') ? 'card_arrival' : 'exchange_rate',
        action: 'reply',
        answer: 'Here is how.',
        at: 86_400_000 + 5,
      });
    }
    closeDatabase(db);
    const before = current();
    const versions = readdirSync(join(fx.netsDir, fx.netName)).sort();
    const r = await retrain('--dry-run', '--since', '1970-01-02T00:00:00Z', '--max-epochs', '2');
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.out).toMatch(/DRY RUN: nothing written; the gate would have (promoted|refused) the new version/);
    expect(r.out).toContain('labels: 2 texts from 2 operator actions (0 corrections, 2 confirmations');
    expect(current()).toBe(before);
    expect(readdirSync(join(fx.netsDir, fx.netName)).sort()).toEqual(versions);
    const run = runs().at(-1)!;
    expect(run).toMatchObject({ status: 'dry_run', new_version: null });
    expect(run.report_path).toBe(join(fx.dataDir, 'training-reports', `run-${run.id}.html`));
    expect(readFileSync(run.report_path as string, 'utf8')).toContain('data-decision="dry_run"');
  });

  it('refuses a version trained on shuffled labels and keeps the one in service', async () => {
    const before = current();
    const r = await retrain('--shuffle-labels', '--max-epochs', '4');
    expect(r.code).toBe(RETRAIN_EXIT.refused);
    expect(r.out).toMatch(/REFUSED: (\S+) is kept on disk, \S+ stays in service/);
    expect(r.out).toContain('LABELS SHUFFLED');
    expect(r.out).toMatch(/from scratch, \d+ epochs/);
    expect(r.out).toMatch(
      /✗ regression set macro-F1 [\d.]+ % → [\d.]+ % \(−[\d.]+ points, 95 % interval −[\d.]+ to −[\d.]+\): worse beyond chance/,
    );
    const html = readFileSync(
      join(fx.netsDir, fx.netName, /REFUSED: (\S+)/.exec(r.out)![1]!, 'report.html'),
      'utf8',
    );
    expect(html).toContain('95 % interval');
    expect(html).toMatch(/<td>worse beyond chance<\/td>/);
    expect(current()).toBe(before);
    const refused = /REFUSED: (\S+)/.exec(r.out)![1]!;
    expect(existsSync(join(fx.netsDir, fx.netName, refused, 'manifest.json'))).toBe(true);
    expect(readFileSync(join(fx.netsDir, fx.netName, refused, 'report.html'), 'utf8')).toContain(
      'data-decision="refused"',
    );
    expect(runs().at(-1)).toMatchObject({ status: 'refused', old_version: before, new_version: refused });
  });

  it("refuses a version trained with one category's labels swapped with another's, naming both", async () => {
    const before = current();
    const r = await retrain('--swap-categories', 'card_arrival,exchange_rate', '--max-epochs', '6');
    expect(r.code).toBe(RETRAIN_EXIT.refused);
    expect(r.out).toContain('CATEGORIES card_arrival ↔ exchange_rate SWAPPED (control run)');
    expect(r.out).toMatch(/from scratch, \d+ epochs/);
    expect(r.out).toMatch(
      /✗ regression set: 2 categories worse beyond chance: "(card_arrival|exchange_rate)" [\d.]+ → [\d.]+ % right/,
    );
    expect(r.out).toContain('"exchange_rate"');
    expect(r.out).toContain('"card_arrival"');
    expect(current()).toBe(before);
  });

  it('refuses a version trained from scratch on a tenth of the data', async () => {
    const before = current();
    const r = await retrain('--train-fraction', '0.1', '--max-epochs', '6');
    expect(r.code).toBe(RETRAIN_EXIT.refused);
    expect(r.out).toContain('ONLY 10 % OF THE ROWS (control run)');
    expect(r.out).toMatch(/from scratch, \d+ epochs/);
    expect(r.out).toMatch(/✗ .*worse beyond chance/);
    expect(current()).toBe(before);
  });

  it('promotes a refused version on --force and stores the reason with the run', async () => {
    const r = await retrain(
      '--shuffle-labels',
      '--max-epochs',
      '2',
      '--force',
      'checking the override by hand',
    );
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.out).toMatch(/FORCED: (\S+) replaces \S+ although the gate refused it/);
    expect(r.err).toContain('gate overridden by --force: checking the override by hand');
    const forced = /FORCED: (\S+)/.exec(r.out)![1]!;
    expect(current()).toBe(forced);
    const run = runs().at(-1)!;
    expect(run).toMatchObject({ status: 'forced', forced_reason: 'checking the override by hand' });
    expect(JSON.parse(run.reasons as string).at(-1)).toBe('forced: checking the override by hand');
  });

  it("never makes CURRENT a version the gateway's nets runtime would refuse, not even on --force", async () => {
    const before = current();
    const db = openDatabase(join(fx.dataDir, 'neurodesk.db'));
    const c = captureIo();
    try {
      const store = createStore(db, systemClock);
      const outcome = await retrainClassifier(
        {
          labels: store.labels,
          runs: store.trainingRuns,
          netsDir: fx.netsDir,
          // A cache bound smaller than the net: every thread of the gateway would refuse it.
          netsCacheBytes: 1024,
          reportsDir: join(fx.dataDir, 'training-reports'),
          netOf: () => fx.netName,
          now: () => new Date(),
          io: c.io,
          backend: 'wasm',
        },
        {
          bot: 'desk',
          dryRun: false,
          force: 'the gate is wrong today',
          maxEpochs: 1,
          heldOutFraction: 0.2,
          gate: { confidence: 0.95, macroF1Tolerance: null, maxCategoryDrop: null, minCategorySupport: 10 },
          shuffleLabels: false,
        },
      );
      expect(outcome.status).toBe('refused');
      expect(c.out()).toMatch(/REFUSED: \S+ is kept on disk/);
      expect(c.out()).toMatch(
        /✗ the nets runtime cannot load \S+: the net needs .* more than the whole cache/,
      );
      expect(current()).toBe(before);
      const meta = JSON.parse(
        readFileSync(join(fx.netsDir, fx.netName, outcome.newVersion!, 'meta.json'), 'utf8'),
      );
      expect(meta.retraining.decision).toBe('refused');
    } finally {
      closeDatabase(db);
    }
  });

  it('refuses to start while another run holds the lock', async () => {
    const lock = RunLock.acquire(join(fx.dataDir, 'retrain.lock'), 'retrain classifier --bot other');
    try {
      const r = await retrain();
      expect(r.code).toBe(RETRAIN_EXIT.locked);
      expect(r.err).toMatch(/another run holds .*retrain\.lock: retrain classifier --bot other \(pid \d+/);
    } finally {
      lock.release();
    }
    expect(existsSync(join(fx.dataDir, 'retrain.lock'))).toBe(false);
  });

  it("records a run that fails because the bot's net cannot be loaded, with the reason", async () => {
    const bot = JSON.parse(readFileSync(join(fx.botsDir, 'desk.json'), 'utf8'));
    writeFileSync(
      join(fx.botsDir, 'ghost.json'),
      JSON.stringify({ ...bot, name: 'ghost', nets: { ...bot.nets, classifier: 'no-such-net' } }),
    );
    const c = captureIo();
    const code = await runRetrainCli(['classifier', '--bot', 'ghost', '--backend', 'wasm'], c.io, {
      NEURODESK_DATA_DIR: fx.dataDir,
      NEURODESK_NETS_DIR: fx.netsDir,
      NEURODESK_BOTS_DIR: fx.botsDir,
    });
    expect(code).toBe(RETRAIN_EXIT.failed);
    expect(c.err()).toMatch(/retrain classifier: failed: net folder .*no-such-net: neither a version folder/);
    expect(runs().at(-1)).toMatchObject({
      bot: 'ghost',
      net_name: 'no-such-net',
      status: 'failed',
      old_version: null,
    });
  });

  it('answers usage errors with exit code 2 and the usage text', async () => {
    const noBot = captureIo();
    expect(await runRetrainCli(['classifier'], noBot.io, {})).toBe(RETRAIN_EXIT.usage);
    expect(noBot.err()).toContain('--bot NAME is required');
    expect(noBot.err()).toContain('usage: npm run retrain -- classifier --bot NAME');
    const emptyReason = captureIo();
    expect(await runRetrainCli(['classifier', '--bot', 'desk', '--force', ' '], emptyReason.io, {})).toBe(2);
    expect(emptyReason.err()).toContain('--force needs a reason');
    const unknown = captureIo();
    expect(await runRetrainCli(['shop'], unknown.io, {})).toBe(2);
    expect(unknown.err()).toContain('unknown kind "shop"');
    const badReplay = await retrain('--replay', 'half');
    expect(badReplay.code).toBe(RETRAIN_EXIT.usage);
    expect(badReplay.err).toContain('--replay: expected a number of base rows per epoch or "all"');
    const scratchReplay = await retrain('--from-scratch', '--replay', '100');
    expect(scratchReplay.code).toBe(RETRAIN_EXIT.usage);
    expect(scratchReplay.err).toContain('--replay is for fine-tunes');
    const badSince = await retrain('--since', 'last tuesday');
    expect(badSince.code).toBe(RETRAIN_EXIT.usage);
    expect(badSince.err).toContain('--since: expected a date');
  });
});

describe('npm run retrain on PostgreSQL (several machines share the database)', () => {
  const pgDb = usePostgresDatabase();

  it.skipIf(!pgDb.available)(
    'refuses to start while a run on another machine holds the cluster lock, then runs once it is free',
    async () => {
      const env = {
        NEURODESK_DATABASE_URL: pgDb.url(),
        NEURODESK_DATA_DIR: tempDir(), // another machine: its own data dir and lock file
        NEURODESK_NETS_DIR: fx.netsDir,
        NEURODESK_BOTS_DIR: fx.botsDir,
      };
      const run = async () => {
        const c = captureIo();
        const code = await runRetrainCli(['classifier', '--bot', 'desk', '--backend', 'wasm'], c.io, env);
        return { code, err: c.err(), out: c.out() };
      };
      const pool = new pg.Pool({ connectionString: pgDb.url(), max: 1 });
      pool.on('error', () => {}); // an idle connection ended by the server is not a crash
      try {
        const held = await new PgClusterLock(() => pool.connect()).tryRun(RETRAIN_RUN_LOCK, run);
        expect(held.ran).toBe(true);
        const r = held.ran ? held.value : undefined;
        expect(r?.code).toBe(RETRAIN_EXIT.locked);
        expect(r?.err).toContain('another retraining run holds the cluster lock');
      } finally {
        await pool.end();
      }
      // Free again: the run goes (what it decides depends on the nets the tests above left).
      const free = await run();
      expect(free.err).not.toContain('cluster lock');
      expect(free.code).not.toBe(RETRAIN_EXIT.locked);
      expect(free.out).toMatch(/^retrain classifier: run \d+, bot desk/);
    },
  );
});
