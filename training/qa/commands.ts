import { parseArgs } from 'node:util';
import { initBackend } from '../../src/nets/backend.js';
import { QaNet } from '../../src/nets/qa/qa-net.js';
import { versionName } from '../classifier/train-classifier.js';
import type { CliIo, NetCommands } from '../commands.js';
import { ProgressBar } from '../progress.js';
import { dataLicence, makeProvenance, provenanceFile } from '../provenance.js';
import { type EvalSet, pairFeatures, rankingFigures } from './eval-set.js';
import {
  DEFAULT_PAIR_COLUMNS,
  kbTrainingSets,
  type PairColumns,
  rankingLists,
  readKb,
  readPairs,
  splitLists,
} from './pairs.js';
import { QA_RECIPES } from './recipes.js';
import { evalSetFromLists, examplesFromLists } from './sets.js';
import { defaultQaOptions, trainQa } from './train-qa.js';

const columns = {
  'question-col': { type: 'string', default: DEFAULT_PAIR_COLUMNS.question },
  'answer-col': { type: 'string', default: DEFAULT_PAIR_COLUMNS.answer },
  'category-col': { type: 'string', default: DEFAULT_PAIR_COLUMNS.category },
  'label-col': { type: 'string', default: DEFAULT_PAIR_COLUMNS.label },
  backend: { type: 'string', default: 'auto' },
} as const;

const colsOf = (v: Record<string, unknown>): PairColumns => ({
  question: v['question-col'] as string,
  answer: v['answer-col'] as string,
  category: v['category-col'] as string,
  label: v['label-col'] as string,
});

const int = (v: string | undefined, name: string, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} takes an integer`);
  return n;
};

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** `train -- qa` and `evaluate -- qa`. */
export const qaCommands: NetCommands = {
  usage: {
    train:
      'train qa --pairs FILE [--pairs FILE...] [--answers KB.jsonl] [--val FILE] [--test FILE...] --out nets/NAME [--question-col question] [--answer-col answer] [--category-col category] [--label-col label] [--seed N] [--max-epochs N] [--version V] [--backend auto|wasm|cpu]',
    evaluate:
      'evaluate qa --net nets/NAME[/VERSION] (--candidates FILE | --data FILE --answers KB.jsonl) [--json] [--backend auto|wasm|cpu]',
  },

  async train(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...columns,
        pairs: { type: 'string', multiple: true },
        answers: { type: 'string' },
        val: { type: 'string' },
        test: { type: 'string', multiple: true },
        out: { type: 'string' },
        seed: { type: 'string' },
        'max-epochs': { type: 'string' },
        version: { type: 'string' },
      },
      strict: true,
    });
    if (!values.pairs?.length || !values.out) throw new Error('--pairs and --out are required');
    const backend = await initBackend(values.backend as 'auto');
    const o = defaultQaOptions();
    const recipe = QA_RECIPES[values.answers ? 'kb' : 'ranking'];
    const settings = {
      ...recipe.settings,
      seed: int(values.seed, 'seed', recipe.settings.seed),
      maxEpochs: int(values['max-epochs'], 'max-epochs', recipe.settings.maxEpochs),
    };
    const cols = colsOf(values);
    const files = values.pairs.map((file) => ({ file, rows: readPairs(file, cols) }));
    const rows = files.flatMap((f) => f.rows);
    let sets: ReturnType<typeof kbTrainingSets>;
    let valMetric: 'map' | 'top1' = 'map';
    if (values.answers) {
      const kb = readKb(values.answers);
      sets = kbTrainingSets(
        files.map((f) => f.rows),
        kb,
        0.1,
        settings.seed,
      );
      valMetric = 'top1';
      // A large knowledge base does not fit in every step: the softmax then runs over the batch's answers.
      if (kb.length > 512) settings.allAnswers = false;
    } else {
      const lists = rankingLists(rows);
      const split = values.val
        ? {
            train: lists,
            val: evalSetFromLists(
              rankingLists(readPairs(values.val, cols)).filter(
                (q) => q.labels.some((l) => l > 0) && q.labels.some((l) => l === 0),
              ),
            ),
          }
        : splitLists(lists, 0.1, settings.seed);
      sets = { train: examplesFromLists(split.train), val: split.val };
    }
    const name = values.out.replace(/\/+$/, '').split('/').pop()!;
    io.err.write(
      `training qa net "${name}" on ${sets.train.questions.length} pairs, ${sets.train.answers.length} answers (${backend.name} backend, seed ${settings.seed})\n`,
    );
    const bar = new ProgressBar(io.err, undefined, valMetric === 'top1' ? 'val_top1' : 'val_map');
    const { net } = trainQa({
      ...o,
      architecture: recipe.architecture,
      settings,
      name,
      train: sets.train,
      val: sets.val,
      valMetric,
      dataFiles: [
        ...files.map((f) => ({ file: f.file, rows: f.rows.length })),
        ...(values.answers ? [{ file: values.answers, rows: sets.train.answers.length }] : []),
      ],
      provenance: makeProvenance(`npm run train -- qa ${argv.join(' ')}`, [
        ...files.map((f) => provenanceFile('train', f.file, f.rows.length, dataLicence(f.file))),
        ...(values.val ? [provenanceFile('validation', values.val, readPairs(values.val, cols).length)] : []),
        ...(values.answers
          ? [provenanceFile('kb', values.answers, sets.train.answers.length, dataLicence(values.answers))]
          : []),
        // Held-out sets the net is judged on; retraining uses them as its default regression set.
        ...(values.test ?? []).map((file) =>
          provenanceFile('test', file, readPairs(file, cols).length, dataLicence(file)),
        ),
      ]),
      onStep: (s) => bar.step(s.epoch, settings.maxEpochs, s.step, s.steps, s.loss),
      onEpoch: (e) => bar.epoch(e.epoch, e.maxEpochs, e.loss, e.val, e.seconds),
    });
    const location = net.save(values.out, values.version ?? versionName(o.now()));
    const m = net.meta.metrics;
    io.out.write(
      `saved ${location.dir} (CURRENT → ${location.version}): validation MAP ${(m.valMap ?? 0).toFixed(4)}, MRR ${(m.valMrr ?? 0).toFixed(4)}, ` +
        `top-1 ${pct(m.valTop1 ?? 0)}, top-3 ${pct(m.valTop3 ?? 0)}, answer threshold ${net.meta.threshold.toFixed(3)}, ${(m.trainSeconds ?? 0).toFixed(0)} s\n`,
    );
    net.dispose();
    return 0;
  },

  async evaluate(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      options: {
        ...columns,
        net: { type: 'string' },
        candidates: { type: 'string' },
        data: { type: 'string' },
        answers: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (!values.net || (!values.candidates && !(values.data && values.answers)))
      throw new Error('--net and either --candidates or --data with --answers are required');
    const backend = await initBackend(values.backend as 'auto');
    const net = QaNet.load(values.net);
    const cols = colsOf(values);
    let set: EvalSet;
    let mode: 'ranking' | 'knowledge base';
    if (values.candidates) {
      mode = 'ranking';
      set = evalSetFromLists(
        rankingLists(readPairs(values.candidates, cols)).filter(
          (q) => q.labels.some((l) => l > 0) && q.labels.some((l) => l === 0),
        ),
      );
    } else {
      mode = 'knowledge base';
      const kb = readKb(values.answers!);
      const rows = readPairs(values.data!, cols).filter((r) => r.category !== undefined);
      const all = Int32Array.from(kb, (_, i) => i);
      set = {
        questions: rows.map((r) => r.question),
        answers: kb.map((a) => a.text),
        lists: rows.map((r) => ({
          candidates: all,
          labels: Uint8Array.from(kb, (a) => (a.category === r.category ? 1 : 0)),
        })),
      };
    }
    const started = performance.now();
    const figures = rankingFigures(pairFeatures(net, set), net.meta.scoring);
    const seconds = (performance.now() - started) / 1000;
    const summary = {
      net: `${net.location!.name}/${net.location!.version}`,
      backend: backend.name,
      mode,
      ...figures,
      seconds,
    };
    if (values.json) io.out.write(`${JSON.stringify(summary)}\n`);
    else
      io.out.write(
        `${summary.net} on ${figures.questions} questions (${mode}): MAP ${figures.map.toFixed(4)}, MRR ${figures.mrr.toFixed(4)}, ` +
          `top-1 ${pct(figures.top1)}, top-3 ${pct(figures.top3)} (${seconds.toFixed(1)} s)\n`,
      );
    net.dispose();
    return 0;
  },
};
