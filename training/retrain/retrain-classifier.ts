import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import { locateNet, type NetLocation, publishNet, setCurrentVersion } from '../../src/nets/net-folder.js';
import type { SqliteOperatorLabels } from '../../src/store/repositories/operator-labels.js';
import type { SqliteTrainingRuns, TrainingRunStatus } from '../../src/store/repositories/training-runs.js';
import {
  DEFAULT_TRAIN_SETTINGS,
  trainClassifier,
  validationSplit,
  versionName,
} from '../classifier/train-classifier.js';
import type { TrainSettings } from '../classifier/trainer.js';
import type { CliIo } from '../commands.js';
import { type LabelledData, readLabelled } from '../data.js';
import { deriveLabels, textKey } from '../labels/derive.js';
import { ProgressBar } from '../progress.js';
import { assembleClassifierData } from './classifier-data.js';
import { compareOnSet } from './compare.js';
import { applyGate, type GateSettings } from './gate.js';
import { pickGoldenInputs } from './golden.js';
import { writeReportFiles } from './report-files.js';
import { renderRunReport } from './report-html.js';
import { formatRunSummary } from './report-text.js';
import type { ClassifierRunResult, TrainedDecision } from './run-result.js';
import { warmStartFrom } from './warm-start.js';

/** Where a retraining run reads and writes, and how it talks. */
export interface RetrainContext {
  labels: Pick<SqliteOperatorLabels, 'categoryActions'>;
  runs: SqliteTrainingRuns;
  netsDir: string;
  /** Reports of dry runs (which write no version) go here. */
  reportsDir: string;
  /** The classifier a bot uses (from its bot file). */
  netOf(bot: string): string;
  now: () => Date;
  io: CliIo;
  backend: string;
}

/** What `npm run retrain -- classifier` was asked to do. */
export interface ClassifierRetrainOptions {
  bot: string;
  /** Only operator actions from this time on. */
  since?: Date;
  dryRun: boolean;
  /** Promote even if the gate refuses; the reason is stored with the run. */
  force?: string;
  seed?: number;
  /** Caps the epochs (the in-service recipe's cap otherwise): quicker, rougher runs. */
  maxEpochs?: number;
  heldOutFraction: number;
  gate: GateSettings;
  /** Overrides the fixed regression set (recorded with the new version). */
  regressionFile?: string;
  /** Overrides the in-service version's base training file (its hash is then not checked). */
  baseDataFile?: string;
  /**
   * Control run: permute the training labels and train from scratch: a net no better than
   * chance, which the gate must refuse. (Fine-tuning on them would mostly keep the old net.)
   */
  shuffleLabels: boolean;
  /**
   * Train from random weights instead of fine-tuning the version in service (its weights as the
   * start, a quarter of the learning rate, at most 6 epochs, patience 2).
   */
  fromScratch?: boolean;
}

/** How a run ended. */
export interface RetrainOutcome {
  runId: number;
  status: Exclude<TrainingRunStatus, 'running'>;
  newVersion: string | null;
  reportPath: string | null;
  reasons: string[];
  /** What the run found, when it trained a version (not for skips). */
  result?: ClassifierRunResult;
}

const COLS = { textCol: 'text', labelCol: 'category' };
const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A hash of the resolved labels: equal hashes mean nothing new to learn. */
export function labelsHash(labels: ReadonlyArray<{ text: string; category: string }>): string {
  const lines = labels.map((l) => `${textKey(l.text)}\t${l.category}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * The fixed regression set: the one given, else the one the version in service recorded, else
 * `test.csv` (or `.jsonl`) beside the base training file.
 */
function regressionFileFor(o: ClassifierRetrainOptions, old: ClassifierNet, baseFile: string): string {
  if (o.regressionFile) return o.regressionFile;
  const recorded = old.meta.retraining?.regressionSet.file;
  if (recorded) return recorded;
  for (const ext of [extname(baseFile), '.csv', '.jsonl']) {
    const candidate = join(dirname(baseFile), `test${ext}`);
    if (existsSync(candidate) && basename(candidate) !== basename(baseFile)) return candidate;
  }
  throw new Error(
    `no regression set: none recorded with ${old.location!.version} and no test file beside ${baseFile}; pass --regression FILE`,
  );
}

function uniqueVersion(root: string, at: Date): string {
  const base = versionName(at);
  let v = base;
  for (let i = 2; existsSync(join(root, v)); i++) v = `${base}-${i}`;
  return v;
}

const scratch = (o: ClassifierRetrainOptions) => o.fromScratch === true || o.shuffleLabels;

/** The in-service recipe, so a retrained version is the same kind of net with more knowledge. */
function recipeOf(old: ClassifierNet, o: ClassifierRetrainOptions) {
  const t = old.topology;
  const m = old.meta.training as Partial<Record<keyof TrainSettings | 'valFraction', unknown>>;
  const train = { ...DEFAULT_TRAIN_SETTINGS };
  for (const key of Object.keys(train) as Array<keyof TrainSettings>) {
    if (typeof m[key] === 'number') train[key] = m[key] as number;
  }
  if (!scratch(o)) {
    // A converged net needs small steps: Adam's first updates are about the learning rate in size.
    train.learningRate *= 0.25;
    train.wideLearningRate *= 0.25;
    train.maxEpochs = Math.min(train.maxEpochs, 6);
    train.patience = Math.min(train.patience, 2);
  }
  if (o.seed !== undefined) train.seed = o.seed;
  if (o.maxEpochs !== undefined) train.maxEpochs = o.maxEpochs;
  const precision = /≥ ([\d.]+) %/.exec(old.meta.unsureRule ?? '')?.[1];
  return {
    vectoriser: old.meta.vectoriser,
    architecture: {
      conv: t.conv
        ? {
            embedDim: t.conv.embedDim,
            widths: t.conv.widths,
            filters: t.conv.filters,
            maxLength: t.conv.maxLength,
          }
        : null,
      wideBits: t.wide ? Math.round(Math.log2(t.wide.vocab)) : null,
    },
    train,
    valFraction: typeof m.valFraction === 'number' ? m.valFraction : 0.1,
    unsurePrecision: precision ? Number(precision) / 100 : 0.95,
  };
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
  const root = join(ctx.netsDir, netName);
  // The run is recorded even if the version in service cannot be loaded: that failure is news too.
  let oldVersion: string | null = null;
  try {
    oldVersion = locateNet(root).version;
  } catch {
    // Recorded as the run's error below.
  }
  const abandoned = ctx.runs.abandonInterrupted();
  if (abandoned > 0) ctx.io.err.write(`marked ${abandoned} interrupted run(s) as failed\n`);
  const runId = ctx.runs.start({
    kind: 'classifier',
    bot: o.bot,
    netName,
    oldVersion,
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
      fromScratch: scratch(o),
    },
  });
  const fail = (err: unknown): never => {
    ctx.runs.finish(runId, { status: 'failed', error: (err as Error).message });
    throw err;
  };
  let old: ClassifierNet | undefined;
  let newNet: ClassifierNet | undefined;
  try {
    old = ClassifierNet.load(root);
    const servedVersion = old.location!.version;
    const baseFile = o.baseDataFile ?? old.meta.trainingData.file;
    if (!existsSync(baseFile)) {
      throw new Error(
        `the base training data ${baseFile} of ${netName}/${servedVersion} is missing; pass --base-data FILE`,
      );
    }
    const baseSha = sha256File(baseFile);
    if (!o.baseDataFile && baseSha !== old.meta.trainingData.sha256) {
      throw new Error(
        `${baseFile} changed since ${netName}/${servedVersion} was trained (SHA-256 differs); pass --base-data ${baseFile} to train on it anyway`,
      );
    }
    const base = readLabelled(baseFile, COLS);
    const regressionFile = regressionFileFor(o, old, baseFile);
    const regression = readLabelled(regressionFile, COLS);

    const { labels, stats } = deriveLabels(
      ctx.labels.categoryActions({ bot: o.bot, since: o.since?.getTime() }),
    );
    const hash = labelsHash(labels);
    const previous = old.meta.trainingData.labels;
    if (!o.force && !o.shuffleLabels && (previous ? previous.sha256 === hash : labels.length === 0)) {
      const reason =
        labels.length === 0
          ? 'no operator labels to learn from'
          : `no new labels since ${servedVersion} was trained`;
      ctx.runs.finish(runId, { status: 'skipped', reasons: [reason], data: { labelStats: stats } });
      ctx.io.out.write(
        `retrain classifier: run ${runId}, bot ${o.bot}, net ${netName}\nSKIPPED: ${reason}; ${servedVersion} stays in service\n`,
      );
      return { runId, status: 'skipped', newVersion: null, reportPath: null, reasons: [reason] };
    }

    // The rows the version in service validated on stay out of training: a fine-tuned version is
    // calibrated on texts neither version has seen (its own fit on seen texts is overconfident).
    const recipe = recipeOf(old, o);
    const valSplitSeed = old.meta.retraining?.valSplitSeed ?? Number(old.meta.training.seed ?? 1);
    const baseLabels = [...new Set(base.labels)].sort();
    const baseY = Int32Array.from(base.labels, (l) => baseLabels.indexOf(l));
    const baseValidation = new Set(validationSplit(baseY, recipe.valFraction, valSplitSeed).val);
    const data = assembleClassifierData({
      base,
      labels,
      baseValidation,
      valFraction: recipe.valFraction,
      heldOutFraction: o.heldOutFraction,
      knownCategories: old.meta.labels,
      shuffleLabels: o.shuffleLabels ? { seed: (o.seed ?? 1) ^ 0x51ff } : undefined,
    });
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
      init: scratch(o) ? undefined : warmStartFrom(old),
      onStep: (s) => bar.step(s.epoch, recipe.train.maxEpochs, s.step, s.steps, s.loss),
      onEpoch: (e) => bar.epoch(e.epoch, e.maxEpochs, e.loss, e.valAccuracy, e.seconds),
    });
    newNet = trained.net;
    const trainSeconds = (performance.now() - trainStarted) / 1000;

    const sets = [
      compareOnSet('held_out', 'held-out labels', data.heldOut, old, newNet),
      compareOnSet('regression', 'regression set', regression, old, newNet),
    ];
    const verdict = applyGate(sets, o.gate);
    const decision: TrainedDecision = o.dryRun
      ? 'dry_run'
      : verdict.pass
        ? 'promoted'
        : o.force
          ? 'forced'
          : 'refused';
    const reasons = verdict.pass ? verdict.passes : verdict.failures;
    const forcedReason = decision === 'forced' ? o.force! : null;

    let location: NetLocation | null = null;
    let reportDir = ctx.reportsDir;
    if (!o.dryRun) {
      const version = uniqueVersion(root, ctx.now());
      const regressionSet = {
        file: regressionFile,
        sha256: sha256File(regressionFile),
        rows: regression.texts.length,
      };
      const meta = newNet.meta;
      // The canary comes from the fixed regression set: no customer's text is copied into the net.
      meta.canary = pickGoldenInputs(newNet, regression);
      meta.retraining = {
        runId,
        fromVersion: servedVersion,
        decision,
        heldOutFraction: o.heldOutFraction,
        valSplitSeed,
        regressionSet,
      };
      const byName = new Map(sets.map((s) => [s.name, s]));
      meta.metrics = {
        ...meta.metrics,
        regressionAccuracy: byName.get('regression')!.new.accuracy,
        regressionMacroF1: byName.get('regression')!.new.macroF1,
        heldOutRows: byName.get('held_out')!.n,
        heldOutMacroF1: byName.get('held_out')!.new.macroF1,
      };
      // Written but not yet served: the report goes in first, so whoever sees the version sees why.
      location = publishNet(root, version, newNet.toFiles(), false);
      reportDir = location.dir;
    }
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
        fromScratch: scratch(o),
      },
      history: trained.history,
      bestEpoch: Number(newNet.meta.training.bestEpoch ?? trained.history.length),
      sets,
      backend: ctx.backend,
    };
    const reportName = o.dryRun ? `run-${runId}` : 'report';
    mkdirSync(reportDir, { recursive: true });
    const reportPath = join(reportDir, `${reportName}.html`);
    const summary = formatRunSummary(result, reportPath);
    writeReportFiles(reportDir, reportName, renderRunReport(result), summary);
    if (location && (decision === 'promoted' || decision === 'forced'))
      setCurrentVersion(root, location.version);
    if (forcedReason) ctx.io.err.write(`gate overridden by --force: ${forcedReason}\n`);
    ctx.runs.finish(runId, {
      status: decision,
      newVersion: location?.version ?? null,
      reasons: forcedReason ? [...reasons, `forced: ${forcedReason}`] : reasons,
      forcedReason,
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
        epochs: trained.history.length,
        bestEpoch: result.bestEpoch,
        trainSeconds,
      },
      reportPath,
    });
    ctx.io.out.write(summary);
    return { runId, status: decision, newVersion: location?.version ?? null, reportPath, reasons, result };
  } catch (err) {
    return fail(err);
  } finally {
    old?.dispose();
    newNet?.dispose();
  }
}

/** Reads labelled data the way the retraining does (CSV with text,category or JSONL). */
export function readRetrainData(path: string): LabelledData {
  return readLabelled(path, COLS);
}
