import { QaNet } from '../../src/nets/qa/qa-net.js';
import { deriveAnswerPairs } from '../labels/derive.js';
import { ProgressBar } from '../progress.js';
import { readPairs } from '../qa/pairs.js';
import { trainQa } from '../qa/train-qa.js';
import { isHeldOut } from './classifier-data.js';
import { gateSummary } from './gate.js';
import type { RetrainOutcome } from './options.js';
import { evaluationFileOf, makeProvenance, provenanceFile, writeRunExport } from './provenance-files.js';
import { applyQaGate, compareQa } from './qa-compare.js';
import { answerKey, assembleQaData, qaInputsHash, regressionSet, withTrainingPairs } from './qa-data.js';
import type { QaRetrainContext, QaRetrainOptions } from './qa-options.js';
import { qaRecipeOf } from './qa-recipe.js';
import { formatQaRunSummary, renderQaRunReport } from './qa-report.js';
import type { QaRunResult } from './qa-run-result.js';
import { decideCandidate, finishTrainedRun } from './run-outcome.js';
import { startRun } from './run-start.js';
import { sha256File } from './sources.js';

/** Below this many validation questions the served scoring and threshold are kept, not refitted. */
const MIN_VALIDATION_TO_REFIT = 30;

export type { QaRetrainContext, QaRetrainOptions } from './qa-options.js';

/**
 * One Q/A retraining run: operators' question → answer pairs and the knowledge base as it is
 * now → the version in service fine-tuned, both versions ranked on held-out pairs and the fixed
 * regression set, then promoted by CURRENT, refused, or (dry run) neither. Every run is stored
 * with a report. The gateway embeds the knowledge base with the new version when it serves it.
 */
export async function retrainQa(ctx: QaRetrainContext, o: QaRetrainOptions): Promise<RetrainOutcome> {
  const startedAt = ctx.now();
  const scratch = o.fromScratch === true || o.shuffleLabels === true;
  const { net: netName, kb } = ctx.qaOf(o.bot);
  const { runId, root, fail } = await startRun(ctx, {
    kind: 'qa',
    bot: o.bot,
    netName,
    options: {
      since: o.since?.toISOString() ?? null,
      dryRun: o.dryRun,
      force: o.force ?? null,
      seed: o.seed ?? null,
      maxEpochs: o.maxEpochs ?? null,
      heldOutFraction: o.heldOutFraction,
      gate: o.gate,
      regressionFile: o.regressionFile ?? null,
      kb,
      fromScratch: scratch,
      shuffleLabels: o.shuffleLabels === true,
    },
  });
  let old: QaNet | undefined;
  let neu: QaNet | undefined;
  try {
    old = QaNet.load(root);
    const servedVersion = old.location!.version;
    // The one given, else the evaluation file of its provenance, else the one its retraining recorded.
    const regressionFile =
      o.regressionFile ??
      evaluationFileOf(old.meta.provenance, (line) => ctx.io.err.write(`warning: ${line}\n`))?.file ??
      old.meta.retraining?.regressionSet.file;
    if (!regressionFile)
      throw new Error(
        `no regression set recorded with ${netName}/${servedVersion} (no test or regression file in its provenance); pass --regression FILE`,
      );
    const answers = await ctx.kbAnswers(kb);
    if (answers.length === 0) throw new Error(`knowledge base "${kb}" has no active answer`);
    const derived = deriveAnswerPairs(
      await ctx.labels.answerActions({ bot: o.bot, since: o.since?.getTime() }),
    );
    const { pairs } = derived;
    const hash = qaInputsHash(pairs, answers);
    if (!o.force && !o.shuffleLabels && (pairs.length === 0 || old.meta.retraining?.inputsSha256 === hash)) {
      const reason =
        pairs.length === 0
          ? 'no operator answers to learn from'
          : `no new pairs or answers since ${servedVersion} was trained`;
      await ctx.runs.finish(runId, {
        status: 'skipped',
        reasons: [reason],
        data: { pairStats: derived.stats },
      });
      ctx.io.out.write(
        `retrain qa: run ${runId}, bot ${o.bot}, net ${netName}\nSKIPPED: ${reason}; ${servedVersion} stays in service\n`,
      );
      return { runId, status: 'skipped', newVersion: null, reportPath: null, reasons: [reason] };
    }

    const regressionRows = readPairs(regressionFile);
    // What this run learns from the database, as files its provenance can name by hash.
    const inputs = [
      writeRunExport(
        ctx.reportsDir,
        runId,
        'labels',
        ['question', 'answer', 'source', 'held_out'],
        pairs.map((p) => ({
          question: p.question,
          answer: p.answer,
          source: p.source,
          held_out: isHeldOut(p.question, o.heldOutFraction) ? 1 : 0,
        })),
      ),
      writeRunExport(
        ctx.reportsDir,
        runId,
        'kb',
        ['id', 'category', 'text'],
        answers.map((a) => ({ id: a.id, category: a.category ?? null, text: a.text })),
      ),
    ];
    const regression = regressionSet(regressionRows, answers);
    const valFraction = 0.1;
    const data = assembleQaData({
      pairs,
      kb: answers,
      heldOutFraction: o.heldOutFraction,
      valFraction,
      shuffle: o.shuffleLabels ? { seed: (o.seed ?? 1) ^ 0x51ff } : undefined,
    });
    const recipe = qaRecipeOf(old, {
      seed: o.seed,
      maxEpochs: o.maxEpochs,
      answers: data.answers.length,
      fromScratch: scratch,
    });
    // Too few validation pairs to pick epochs on: the training pairs join them (early stopping
    // then stops a fit that gets worse), and the served scoring and threshold are kept below.
    const scoringKept = data.summary.pairsVal < MIN_VALIDATION_TO_REFIT;
    const val = scoringKept ? withTrainingPairs(data) : data.val;
    ctx.io.err.write(
      `retraining ${netName} (bot ${o.bot}) from ${servedVersion}: ${data.summary.pairsTrain} pairs, ` +
        `${data.answers.length} answers (${data.summary.pairsHeldOut} pairs held out), ${ctx.backend} backend\n`,
    );
    const bar = new ProgressBar(ctx.io.err, undefined, 'val_top1');
    const trainStarted = performance.now();
    const trained = trainQa({
      name: netName,
      train: data.train,
      val,
      valMetric: 'top1',
      dataFiles: [],
      vectoriser: old.meta.vectoriser,
      architecture: recipe.architecture,
      settings: recipe.settings,
      thresholdPrecision: 0.95,
      now: ctx.now,
      init: scratch ? undefined : old.weights,
      onStep: (s) => bar.step(s.epoch, recipe.settings.maxEpochs, s.step, s.steps, s.loss),
      onEpoch: (e) => bar.epoch(e.epoch, e.maxEpochs, e.loss, e.val, e.seconds),
    });
    neu = trained.net;
    const trainSeconds = (performance.now() - trainStarted) / 1000;
    if (scoringKept) {
      neu.meta.scoring = old.meta.scoring;
      neu.meta.threshold = old.meta.threshold;
      neu.meta.thresholdRule = old.meta.thresholdRule;
    }

    const sets = [
      compareQa('held_out', 'held-out pairs', data.heldOut, null, old, neu),
      compareQa('regression', 'regression set', regression.set, regression.categories, old, neu),
    ];
    const retraining = {
      runId,
      fromVersion: servedVersion,
      heldOutFraction: o.heldOutFraction,
      inputsSha256: hash,
      answerKeys: data.answers.map(answerKey),
      regressionSet: {
        file: regressionFile,
        sha256: sha256File(regressionFile),
        rows: regressionRows.length,
      },
    };
    const outcome = decideCandidate({
      verdict: applyQaGate(sets, o.gate),
      dryRun: o.dryRun,
      force: o.force,
      root,
      netName,
      now: ctx.now(),
      cacheBytes: ctx.netsCacheBytes,
      files: () => neu!.toFiles(),
      stamp: (decision) => {
        const meta = neu!.meta;
        meta.trainingData = old!.meta.trainingData;
        // The canary: regression questions and knowledge-base answers, never a customer's text.
        meta.canary = [
          ...regression.set.questions.slice(0, 2).map((text) => ({ tower: 'question' as const, text })),
          ...answers.slice(0, 2).map((a) => ({ tower: 'answer' as const, text: a.text })),
        ].map((g) => ({ ...g, vector: Array.from(neu!.embed([g.text], g.tower)) }));
        const byName = new Map(sets.map((s) => [s.name, s]));
        meta.metrics = {
          ...meta.metrics,
          heldOutPairs: byName.get('held_out')!.n,
          heldOutTop1: byName.get('held_out')!.new.top1,
          regressionTop1: byName.get('regression')!.new.top1,
          regressionMrr: byName.get('regression')!.new.mrr,
        };
        meta.retraining = { ...retraining, decision };
        meta.provenance = makeProvenance(
          `npm run retrain -- qa --bot ${o.bot}${o.maxEpochs !== undefined ? ` --max-epochs ${o.maxEpochs}` : ''}${o.seed !== undefined ? ` --seed ${o.seed}` : ''}${scratch ? (o.shuffleLabels ? ' --shuffle-labels' : ' --from-scratch') : ''} (run ${runId}: ${scratch ? 'trained from scratch with the recipe of' : 'fine-tuned from'} ${servedVersion}, knowledge base ${kb}, held out ${o.heldOutFraction})`,
          [...inputs, provenanceFile('regression', regressionFile, regressionRows.length)],
        );
      },
    });
    const { decision, verdict, reasons, forcedReason, location } = outcome;
    const oldPool = old.meta.retraining ? new Set(old.meta.retraining.answerKeys) : null;
    const result: QaRunResult = {
      runId,
      bot: o.bot,
      net: netName,
      kb,
      oldVersion: servedVersion,
      newVersion: location?.version ?? null,
      decision,
      reasons,
      forcedReason,
      verdict,
      gate: o.gate,
      startedAt,
      finishedAt: ctx.now(),
      trainSeconds,
      data: {
        ...data.summary,
        ...derived.stats,
        kbAnswersNew: oldPool ? answers.filter((a) => !oldPool.has(answerKey(a.text))).length : null,
        regressionFile,
        regressionRows: regression.set.questions.length,
        since: o.since?.toISOString() ?? null,
        heldOutFraction: o.heldOutFraction,
        scoringKept,
        fromScratch: scratch,
      },
      history: trained.history,
      bestEpoch: Number(neu.meta.training.bestEpoch ?? trained.history.length),
      sets,
      backend: ctx.backend,
    };
    const reportPath = await finishTrainedRun(ctx, {
      runId,
      root,
      outcome,
      data: result.data,
      metrics: {
        sets: sets.map((s) => ({
          name: s.name,
          n: s.n,
          old: { top1: s.old.top1, mrr: s.old.mrr, map: s.old.map },
          new: { top1: s.new.top1, mrr: s.new.mrr, map: s.new.map },
        })),
        wouldPass: verdict.pass,
        worstDrop: verdict.worstDrop,
        gate: gateSummary(verdict),
        epochs: trained.history.length,
        bestEpoch: result.bestEpoch,
        trainSeconds,
      },
      render: (path) => ({ html: renderQaRunReport(result), summary: formatQaRunSummary(result, path) }),
    });
    return { runId, status: decision, newVersion: location?.version ?? null, reportPath, reasons };
  } catch (err) {
    return await fail(err);
  } finally {
    old?.dispose();
    neu?.dispose();
  }
}
