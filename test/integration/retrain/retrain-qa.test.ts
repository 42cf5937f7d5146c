import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/ports.js';
import { initBackend } from '../../../src/nets/backend.js';
import { QaNet } from '../../../src/nets/qa/qa-net.js';
import { closeDatabase, createStore, openDatabase } from '../../../src/store/sqlite.js';
import { provenanceFile } from '../../../training/provenance.js';
import { trainQa } from '../../../training/qa/train-qa.js';
import { isHeldOut } from '../../../training/retrain/classifier-data.js';
import { RETRAIN_EXIT, runRetrainCli } from '../../../training/retrain/cli.js';
import { tempDir } from '../../helpers/config.js';
import { storeAction } from '../../helpers/retrain-fixture.js';
import { TOY_KB, tinyQaOptions, toyQuestions } from '../../helpers/toy-qa.js';

// The Q/A half of the loop: operators answer a question the knowledge base could not (a new
// answer added to it), and accept suggestions for the old topics; the retraining fine-tunes
// the toy two-tower net on those pairs and promotes it only if it ranks at least as well.

const HOURS = 'Branches receive visitors 9:00–18:00 Monday to Friday and 10:00–14:00 on the sixth day.';
const HOURS_QUESTIONS = [
  'when are you open',
  'what are your opening hours',
  'what time do you close',
  'what time do you open',
  'opening times please',
  'is the branch open on sunday',
  'until when are you open today',
  'когда вы работаете',
  'часы работы отделения',
].flatMap((q) => [q, `hello, ${q}`, `${q} thanks`, `hi ${q}?`]);

let root: string;
let dirs: { data: string; nets: string; bots: string };
let regressionFile: string;
const NET = 'desk-qa';
const current = () => readFileSync(join(dirs.nets, NET, 'CURRENT'), 'utf8').trim();

async function retrain(...args: string[]) {
  let out = '';
  let err = '';
  const io = { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) } };
  const code = await runRetrainCli(['qa', '--bot', 'desk', '--backend', 'wasm', ...args], io, {
    NEURODESK_DATA_DIR: dirs.data,
    NEURODESK_NETS_DIR: dirs.nets,
    NEURODESK_BOTS_DIR: dirs.bots,
    // The default gate: worse beyond chance at 95 %, categories of ≥ 10 questions tested alone.
  });
  return { code, out, err };
}

beforeAll(async () => {
  await initBackend('wasm');
  root = tempDir('neurodesk-retrain-qa-');
  dirs = { data: join(root, 'data'), nets: join(root, 'nets'), bots: join(root, 'bots') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const { net } = trainQa({ ...tinyQaOptions(7), name: NET });
  net.save(join(dirs.nets, NET), 'v1');
  net.dispose();
  const bot = JSON.parse(readFileSync('bots/bank-support.json', 'utf8'));
  writeFileSync(
    join(dirs.bots, 'desk.json'),
    JSON.stringify({ ...bot, name: 'desk', nets: { ...bot.nets, qa: NET, kb: 'desk' } }),
  );
  regressionFile = join(root, 'regression.csv');
  writeFileSync(
    regressionFile,
    `text,category\n${toyQuestions(200, 99)
      .map((q) => `"${q.question}",${q.category}`)
      .join('\n')}\n`,
  );
  const db = openDatabase(join(dirs.data, 'neurodesk.db'));
  const store = createStore(db, systemClock);
  await store.knowledgeBase.insertMany(
    [...TOY_KB, { category: 'opening_hours', language: 'en', text: HOURS }].map((a) => ({
      ...a,
      kb: 'desk',
      active: true,
    })),
  );
  let at = 1_000;
  for (const q of HOURS_QUESTIONS)
    storeAction(db, { text: q, category: null, action: 'reply', answer: HOURS, at: at++ });
  for (const q of toyQuestions(40, 5)) {
    const answer = TOY_KB.find((a) => a.category === q.category && a.language === 'en')!.text;
    storeAction(db, {
      text: q.question,
      category: q.category,
      action: 'accept_suggestion',
      answer,
      at: at++,
    });
  }
  closeDatabase(db);
});

describe('npm run retrain -- qa', () => {
  it('needs a regression set the first time', async () => {
    const r = await retrain();
    expect(r.code).toBe(RETRAIN_EXIT.failed);
    expect(r.err).toContain(
      'no regression set recorded with desk-qa/v1 (no test or regression file in its provenance); pass --regression FILE',
    );
  });

  it('needs no flag for a net whose provenance names its test file', async () => {
    const net = QaNet.load(join(dirs.nets, NET));
    net.meta.provenance = {
      commit: 'unknown',
      recipe: 'toy',
      files: [provenanceFile('test', regressionFile, 200)],
    };
    net.save(join(dirs.nets, 'desk-qa-recorded'), 'v1');
    net.dispose();
    const bot = JSON.parse(readFileSync(join(dirs.bots, 'desk.json'), 'utf8'));
    writeFileSync(
      join(dirs.bots, 'desk-recorded.json'),
      JSON.stringify({ ...bot, name: 'desk-recorded', nets: { ...bot.nets, qa: 'desk-qa-recorded' } }),
    );
    let out = '';
    let err = '';
    const io = { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) } };
    const code = await runRetrainCli(['qa', '--bot', 'desk-recorded', '--backend', 'wasm'], io, {
      NEURODESK_DATA_DIR: dirs.data,
      NEURODESK_NETS_DIR: dirs.nets,
      NEURODESK_BOTS_DIR: dirs.bots,
    });
    // It gets past the regression set (read from the provenance) to the labels: none for this bot.
    expect(err).toBe('');
    expect(code).toBe(RETRAIN_EXIT.ok);
    expect(out).toContain('SKIPPED: no operator answers to learn from');
  });

  it('learns the answer operators sent to a new kind of question, and promotes the new version', async () => {
    const r = await retrain('--regression', regressionFile, '--max-epochs', '8');
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.err).toMatch(/epoch 1\/8/);
    expect(r.out).toMatch(/PROMOTED: \S+ replaces v1 in service/);
    expect(r.out).toContain('answers: 7 in knowledge base desk (v1 recorded no pool)');
    const version = current();
    expect(version).not.toBe('v1');
    const heldOut = HOURS_QUESTIONS.filter((q) => isHeldOut(q, 0.2)).length;
    expect(heldOut).toBeGreaterThan(3);
    const held = /held-out pairs \((\d+)\)\s+top-1 ([\d.]+)%\s+top-1 ([\d.]+)%/.exec(r.out)!;
    expect(Number(held[3])).toBeGreaterThan(Number(held[2]));
    const meta = JSON.parse(readFileSync(join(dirs.nets, NET, version, 'meta.json'), 'utf8'));
    expect(meta.retraining).toMatchObject({ fromVersion: 'v1', decision: 'promoted' });
    expect(meta.retraining.regressionSet.file).toBe(regressionFile);
    expect(meta.provenance.files.map((f: { role: string }) => f.role)).toEqual([
      'labels',
      'kb',
      'regression',
    ]);
    expect(meta.provenance.files[1]).toMatchObject({ rows: 7 });
    expect(meta.provenance.files[2]).toMatchObject({ file: regressionFile, rows: 200 });
    expect(meta.provenance.recipe).toMatch(
      /^npm run retrain -- qa --bot desk --max-epochs 8 \(run \d+: fine-tuned from v1/,
    );
    // The pool it was trained against, so the next run can tell which answers are new to it.
    expect(meta.retraining.answerKeys).toHaveLength(7);
    expect(meta.canary.every((g: { text: string }) => !HOURS_QUESTIONS.includes(g.text))).toBe(true);
    const html = readFileSync(join(dirs.nets, NET, version, 'report.html'), 'utf8');
    expect(html).toContain('data-decision="promoted"');
    expect(html).toContain('<svg');
  });

  it('skips the run when nothing was answered or added since the version in service was trained', async () => {
    const before = current();
    const r = await retrain();
    expect(r.code).toBe(RETRAIN_EXIT.ok);
    expect(r.out).toContain(`SKIPPED: no new pairs or answers since ${before} was trained`);
    expect(current()).toBe(before);
  });

  it('refuses a version trained on shuffled answers, and the one in service stays', async () => {
    const before = current();
    const r = await retrain('--shuffle-labels', '--max-epochs', '6');
    expect(r.code).toBe(RETRAIN_EXIT.refused);
    expect(r.out).toMatch(/REFUSED: (\S+) is kept on disk, \S+ stays in service/);
    expect(r.out).toContain('from scratch on SHUFFLED ANSWERS (control run)');
    expect(r.out).toMatch(
      /✗ regression set top-1 accuracy [\d.]+ % → [\d.]+ % \(−[\d.]+ points, 95 % interval −[\d.]+ to −[\d.]+\): worse beyond chance/,
    );
    expect(current()).toBe(before);
    const refused = /REFUSED: (\S+)/.exec(r.out)![1]!;
    expect(readFileSync(join(dirs.nets, NET, refused, 'report.html'), 'utf8')).toContain(
      'data-decision="refused"',
    );
  });
});
