import { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import { sha256Files, trainClassifier } from '../classifier/train-classifier.js';
import { dataFileList, readLabelledFiles } from '../data.js';
import { deriveLabels } from '../labels/derive.js';
import { ProgressBar } from '../progress.js';
import { assembleClassifierData, isHeldOut } from './classifier-data.js';
import { compareOnSet } from './compare.js';
import { applyGate, gateSummary } from './gate.js';
import { pickGoldenInputs } from './golden.js';
import {
  type ClassifierRetrainOptions,
  fromScratch,
  isControlRun,
  type RetrainContext,
  type RetrainOutcome,
} from './options.js';
import { makeProvenance, provenanceFile, writeRunExport } from './provenance-files.js';
import { recipeOf } from './recipe.js';
import { renderRunReport } from './report-html.js';
import { formatRunSummary } from './report-text.js';
import { decideCandidate, finishTrainedRun } from './run-outcome.js';
import type { ClassifierRunResult } from './run-result.js';
import { startRun } from './run-start.js';
import { baseValidationRows, COLS, labelsHash, readBaseData, regressionFileFor } from './sources.js';
import { warmStartFrom } from './warm-start.js';

export type { ClassifierRetrainOptions, RetrainContext, RetrainOutcome } from './options.js';

/** The run as a command a person can re-run, and what it started from. */
function recipeLine(o: ClassifierRetrainOptions, from: string, runId: number): string {
  const flags = [
    o.since ? `--since ${o.since.toISOString()}` : '',
    o.maxEpochs !== undefined ? `--max-epochs ${o.maxEpochs}` : '',
    o.seed !== undefined ? `--seed ${o.seed}` : '',
    o.fromScratch ? '--from-scratch' : '',
    o.shuffleLabels ? '--shuffle-labels' : '',
    o.swapCategories ? `--swap-categories ${o.swapCategories.join(',')}` : '',
    o.trainFraction !== undefined ? `--train-fraction ${o.trainFraction}` : '',
  ].filter(Boolean);
  return `npm run retrain -- classifier --bot ${o.bot}${flags.length ? ` ${flags.join(' ')}` : ''} (run ${runId}: ${fromScratch(o) ? 'trained from scratch with the recipe of' : 'fine-tuned from'} ${from}, held out ${o.heldOutFraction})`;
}

/**
 * One classifier retraining run: operators' labels + the base data → a new version, scored
 * against the version in service on the held-out labels and the fixed regression set, then
 * promoted (CURRENT switched by an atomic rename), refused (kept on disk, not served) or, in a
 * dry run, neither. Every run is stored, with a report. The caller holds the run lock.
 */
export async function retrainClassifier(
  ctx: RetrainContext,
  o: ClassifierRetrainOptions,
): Promise<RetrainOutcome> {
  const startedAt = ctx.now();
  const netName = ctx.netOf(o.bot);
  const { runId, root, fail } = await startRun(ctx, {
    kind: 'classifier',
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
      baseDataFile: o.baseDataFile ?? null,
      shuffleLabels: o.shuffleLabels,
      swapCategories: o.swapCategories ?? null,
      trainFraction: o.trainFraction ?? null,
      fromScratch: fromScratch(o),
    },
  });
  let old: ClassifierNet | undefined;
  let newNet: ClassifierNet | undefined;
  try {
    old = ClassifierNet.load(root);
    const servedVersion = old.location!.version;
    const {
      file: baseFile,
      files: baseFiles,
      rows: baseRows,
      sha256: baseSha,
      data: base,
    } = readBaseData(o, old);
    const regressionFile = regressionFileFor(o, old, baseFile, (line) =>
      ctx.io.err.write(`warning: ${line}\n`),
    );
    const regressionFiles = dataFileList([regressionFile]);
    const regression = readLabelledFiles(regressionFiles, COLS);

    const { labels, stats } = deriveLabels(
      await ctx.labels.categoryActions({ bot: o.bot, since: o.since?.getTime() }),
    );
    const hash = labelsHash(labels);
    const previous = old.meta.trainingData.labels;
    if (!o.force && !isControlRun(o) && (previous ? previous.sha256 === hash : labels.length === 0)) {
      const reason =
        labels.length === 0
          ? 'no operator labels to learn from'
          : `no new labels since ${servedVersion} was trained`;
      await ctx.runs.finish(runId, { status: 'skipped', reasons: [reason], data: { labelStats: stats } });
      ctx.io.out.write(
        `retrain classifier: run ${runId}, bot ${o.bot}, net ${netName}\nSKIPPED: ${reason}; ${servedVersion} stays in service\n`,
      );
      return { runId, status: 'skipped', newVersion: null, reportPath: null, reasons: [reason] };
    }

    // The rows the version in service validated on stay out of training: a fine-tuned version is
    // calibrated on texts neither version has seen (its own fit on seen texts is overconfident).
    // What this run learns from the database, as a file its provenance can name by hash.
    const labelsFile = writeRunExport(
      ctx.reportsDir,
      runId,
      'labels',
      ['text', 'category', 'source', 'held_out'],
      labels.map((l) => ({
        text: l.text,
        category: l.category,
        source: l.source,
        held_out: isHeldOut(l.text, o.heldOutFraction) ? 1 : 0,
      })),
    );
    const recipe = recipeOf(old, o);
    const valSplitSeed = old.meta.retraining?.valSplitSeed ?? Number(old.meta.training.seed ?? 1);
    const baseValidation = baseValidationRows(base, recipe.valFraction, valSplitSeed);
    const data = assembleClassifierData({
      base,
      labels,
      baseValidation,
      valFraction: recipe.valFraction,
      heldOutFraction: o.heldOutFraction,
      knownCategories: old.meta.labels,
      shuffleLabels: o.shuffleLabels ? { seed: (o.seed ?? 1) ^ 0x51ff } : undefined,
      swapCategories: o.swapCategories,
      trainFraction:
        o.trainFraction !== undefined
          ? { fraction: o.trainFraction, seed: (o.seed ?? 1) ^ 0x7a1f }
          : undefined,
    });
    for (const c of o.swapCategories ?? [])
      if (!old.meta.labels.includes(c))
        throw new Error(`--swap-categories: ${servedVersion} has no category "${c}"`);
    ctx.io.err.write(
      `retraining ${netName} (bot ${o.bot}) from ${servedVersion}: ${data.summary.trainRows} rows ` +
        `(${labels.length} operator labels, ${data.summary.labelsHeldOut} held out), ${ctx.backend} backend\n`,
    );
    const bar = new ProgressBar(ctx.io.err);
    const trainStarted = performance.now();
    const trained = trainClassifier({
      ...recipe,
      name: netName,
      data: data.train,
      valRows: data.valRows,
      dataFile: baseFile,
      trainingData: {
        file: baseFile,
        sha256: baseSha,
        rows: data.summary.trainRows + data.summary.valRows,
        labels: {
          rows: labels.length,
          sha256: hash,
          heldOut: data.summary.labelsHeldOut,
          since: o.since?.toISOString() ?? null,
        },
      },
      now: ctx.now,
      init: fromScratch(o) ? undefined : warmStartFrom(old),
      onStep: (s) => bar.step(s.epoch, recipe.train.maxEpochs, s.step, s.steps, s.loss),
      onEpoch: (e) => bar.epoch(e.epoch, e.maxEpochs, e.loss, e.valAccuracy, e.seconds),
    });
    newNet = trained.net;
    const trainSeconds = (performance.now() - trainStarted) / 1000;

    const sets = [
      compareOnSet('held_out', 'held-out labels', data.heldOut, old, newNet),
      compareOnSet('regression', 'regression set', regression, old, newNet),
    ];
    const regressionSet = {
      file: regressionFile,
      sha256: sha256Files(regressionFile),
      rows: regression.texts.length,
    };
    const outcome = decideCandidate({
      verdict: applyGate(sets, o.gate),
      dryRun: o.dryRun,
      force: o.force,
      root,
      netName,
      now: ctx.now(),
      cacheBytes: ctx.netsCacheBytes,
      files: () => newNet!.toFiles(),
      stamp: (decision) => {
        const meta = newNet!.meta;
        // The canary comes from the fixed regression set: no customer's text is copied into the net.
        meta.canary = pickGoldenInputs(newNet!, regression);
        const byName = new Map(sets.map((s) => [s.name, s]));
        meta.metrics = {
          ...meta.metrics,
          regressionAccuracy: byName.get('regression')!.new.accuracy,
          regressionMacroF1: byName.get('regression')!.new.macroF1,
          heldOutRows: byName.get('held_out')!.n,
          heldOutMacroF1: byName.get('held_out')!.new.macroF1,
        };
        meta.provenance = makeProvenance(recipeLine(o, servedVersion, runId), [
          ...baseFiles.map((f, i) => provenanceFile('train', f, baseRows[i]!)),
          labelsFile,
          ...regressionFiles.map((f, i) => provenanceFile('regression', f, regression.rows[i]!)),
        ]);
        meta.retraining = {
          runId,
          fromVersion: servedVersion,
          heldOutFraction: o.heldOutFraction,
          valSplitSeed,
          regressionSet,
          decision,
        };
      },
    });
    const { decision, verdict, reasons, forcedReason, location } = outcome;
    const result: ClassifierRunResult = {
      runId,
      bot: o.bot,
      net: netName,
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
        baseFile,
        regressionFile,
        regressionRows: regression.texts.length,
        since: o.since?.toISOString() ?? null,
        labelStats: stats,
        heldOutFraction: o.heldOutFraction,
        fromScratch: fromScratch(o),
      },
      history: trained.history,
      bestEpoch: Number(newNet.meta.training.bestEpoch ?? trained.history.length),
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
          old: { accuracy: s.old.accuracy, macroF1: s.old.macroF1 },
          new: { accuracy: s.new.accuracy, macroF1: s.new.macroF1 },
        })),
        wouldPass: verdict.pass,
        worstDrop: verdict.worstDrop,
        gate: gateSummary(verdict),
        epochs: trained.history.length,
        bestEpoch: result.bestEpoch,
        trainSeconds,
      },
      render: (path) => ({ html: renderRunReport(result), summary: formatRunSummary(result, path) }),
    });
    return { runId, status: decision, newVersion: location?.version ?? null, reportPath, reasons, result };
  } catch (err) {
    return await fail(err);
  } finally {
    old?.dispose();
    newNet?.dispose();
  }
}
