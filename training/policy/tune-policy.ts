/**
 * `npm run tune:policy [-- --bot bots/bank-support.json] [--precision 0.97]`
 *
 * Chooses a bot's auto-reply thresholds on questions neither of its nets trained on: the
 * classifier's validation split of BANKING77 train (the default two-tower net holds out the
 * same questions). Every question goes through the real nets and the real policy
 * (`decide`), for every combination of thresholds on a grid; the chosen combination answers
 * the most questions by itself while its automatic answers are of the question's category at
 * least `--precision` of the time. Prints the table's best rows and writes
 * bench/results/policy.json; bots/bank-support.json carries the chosen values.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeBenchResults } from '../../bench/write-results.js';
import { botFileSchema } from '../../src/channels/bot-files.js';
import type { Bot } from '../../src/core/bots/bot.js';
import { decide } from '../../src/core/policy.js';
import type { Classification, SuggestionResult } from '../../src/core/ports.js';
import { initBackend } from '../../src/nets/backend.js';
import { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import { QaNet } from '../../src/nets/qa/qa-net.js';
import { classifierSplit, readKb, readPairs } from '../qa/pairs.js';
import { servedIndex } from '../qa/served-index.js';

const { values } = parseArgs({
  options: {
    bot: { type: 'string', default: 'bots/bank-support.json' },
    data: { type: 'string', default: 'training/data/banking77/train.csv' },
    kb: { type: 'string', default: 'training/data/bank-kb/answers.jsonl' },
    precision: { type: 'string', default: '0.97' },
  },
});
await initBackend('wasm');
const file = botFileSchema.parse(JSON.parse(readFileSync(values.bot, 'utf8')));
const classifier = ClassifierNet.load(`nets/${file.nets.classifier}`);
const qa = QaNet.load(`nets/${file.nets.qa}`);
const kb = readKb(values.kb);
const rows = readPairs(values.data);
const seed = Number(classifier.meta.training.seed ?? 1);
const val = classifierSplit(rows, Number(classifier.meta.training.valFraction ?? 0.1), seed).val.map(
  (i) => rows[i]!,
);
process.stderr.write(
  `${val.length} validation questions; classifier ${classifier.location!.version}, qa ${qa.location!.version}\n`,
);

const index = servedIndex(qa, kb);
const texts = val.map((r) => r.question);
const predictions = classifier.predictBatch(texts, 3);
const qv = qa.embed(texts, 'question');
const cases = val.map((r, i) => {
  const p = predictions[i]!;
  const classification: Classification = { ...p, net: { name: 'c', version: '1' }, latencyMs: 0 };
  const hits = index.search([
    {
      vector: qv.subarray(i * qa.dim, (i + 1) * qa.dim),
      terms: qa.terms(r.question),
      k: 3,
      category: p.category,
      categoryMode: 'boost',
    },
  ])[0]!;
  const suggestions: SuggestionResult = {
    suggestions: hits.map((h) => ({
      answerId: h.id,
      text: kb[h.id - 1]!.text,
      score: h.score,
      category: h.category,
    })),
    net: { name: 'qa', version: '1' },
    threshold: qa.meta.threshold,
    latencyMs: 0,
  };
  return { truth: r.category!, text: r.question, classification, suggestions };
});

type Policy = Bot['config']['policy'];
const bot = (policy: Policy): Bot => ({
  name: file.name,
  file: values.bot,
  config: { ...file, policy },
  channels: {},
});
const grid: Policy[] = [];
for (const minConfidence of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
  for (const minConfidenceGap of [0, 0.1, 0.2, 0.3, 0.5])
    for (const minAnswerScore of [undefined, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
      for (const minAnswerGap of [0, 0.02, 0.05, 0.1, 0.2])
        grid.push({ ...file.policy, minConfidence, minConfidenceGap, minAnswerScore, minAnswerGap });

const target = Number(values.precision);
const results = grid.map((policy) => {
  let auto = 0;
  let right = 0;
  for (const c of cases) {
    const d = decide(bot(policy), {
      text: c.text,
      language: 'en',
      customerName: null,
      status: 'bot',
      askedForPerson: false,
      classification: c.classification,
      suggestions: c.suggestions,
    });
    if (d.action !== 'auto_reply') continue;
    auto++;
    if (d.suggestions.find((s) => s.text === d.replyText)?.category === c.truth) right++;
  }
  return { policy, coverage: auto / cases.length, precision: auto ? right / auto : 1, auto };
});
const ok = results
  .filter((r) => r.precision >= target)
  .sort((a, b) => b.coverage - a.coverage || b.precision - a.precision);
const best = ok[0];
const show = (r: (typeof results)[number]) =>
  `minConfidence ${r.policy.minConfidence} gap ${r.policy.minConfidenceGap} minAnswerScore ${r.policy.minAnswerScore ?? `net (${qa.meta.threshold.toFixed(3)})`} answerGap ${r.policy.minAnswerGap}: auto ${(r.coverage * 100).toFixed(1)}% right ${(r.precision * 100).toFixed(2)}%`;
for (const r of ok.slice(0, 8)) process.stdout.write(`${show(r)}\n`);
const current = results.find(
  (r) =>
    r.policy.minConfidence === file.policy.minConfidence &&
    r.policy.minConfidenceGap === file.policy.minConfidenceGap &&
    r.policy.minAnswerScore === file.policy.minAnswerScore &&
    r.policy.minAnswerGap === file.policy.minAnswerGap,
);
if (current) process.stdout.write(`bot file now: ${show(current)}\n`);
const netDefault = ok.find((r) => r.policy.minAnswerScore === undefined);
if (netDefault) process.stdout.write(`best with the net's own threshold: ${show(netDefault)}\n`);
if (!best) throw new Error(`no combination reaches ${target} precision`);
const path = writeBenchResults('policy', `npm run tune:policy -- ${process.argv.slice(2).join(' ')}`.trim(), {
  validationQuestions: cases.length,
  precisionTarget: target,
  classifierVersion: classifier.location!.version,
  qaVersion: qa.location!.version,
  qaThreshold: qa.meta.threshold,
  minConfidence: best.policy.minConfidence,
  minConfidenceGap: best.policy.minConfidenceGap,
  minAnswerScore: best.policy.minAnswerScore ?? null,
  minAnswerGap: best.policy.minAnswerGap,
  autoReplyShare: best.coverage,
  autoReplyPrecision: best.precision,
  ...(current
    ? { botFileAutoReplyShare: current.coverage, botFileAutoReplyPrecision: current.precision }
    : {}),
  ...(netDefault
    ? {
        netThresholdAutoReplyShare: netDefault.coverage,
        netThresholdAutoReplyPrecision: netDefault.precision,
      }
    : {}),
});
process.stderr.write(`wrote ${path}\n`);
