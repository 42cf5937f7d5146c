import type { TrainPhases } from '../classifier/train-classifier.js';
import type { EpochReport } from '../classifier/trainer.js';
import type { LabelStats } from '../labels/derive.js';
import type { ClassifierRetrainData } from './classifier-data.js';
import type { SetComparison } from './compare.js';
import type { GateSettings, GateVerdict } from './gate.js';

/** How a run that trained a version ended. */
export type TrainedDecision = 'promoted' | 'forced' | 'refused' | 'dry_run';

/** Everything a classifier retraining run found: the report and the stored run are made from it. */
export interface ClassifierRunResult {
  runId: number;
  bot: string;
  net: string;
  oldVersion: string;
  /** The version written (promoted or refused); null for a dry run. */
  newVersion: string | null;
  decision: TrainedDecision;
  /** Why: the gate's failures (or, when it passed, what it checked), plus any forced reason. */
  reasons: string[];
  forcedReason: string | null;
  verdict: GateVerdict;
  gate: GateSettings;
  startedAt: Date;
  finishedAt: Date;
  trainSeconds: number;
  /** Seconds of wall time per phase: reading the data, assembling it, the training's phases, scoring both versions, the gate, publishing. */
  phases: TrainPhases & { read: number; assemble: number; compare: number; gate: number; publish: number };
  data: ClassifierRetrainData['summary'] & {
    /** Base rows replayed per epoch (a fine-tune's stratified sample), null for all of them. */
    replayRows: number | null;
    /** Base rows the run could train on (the base data less validation, held-out and relabelled rows). */
    baseTrainRows: number;
    baseFile: string;
    regressionFile: string;
    regressionRows: number;
    since: string | null;
    labelStats: LabelStats;
    heldOutFraction: number;
    /** Trained from random weights (true) or fine-tuned from the version in service. */
    fromScratch: boolean;
  };
  history: EpochReport[];
  bestEpoch: number;
  sets: SetComparison[];
  backend: string;
}

/** The decision in words, as the report's headline and the summary's first line say it. */
export function decisionHeadline(
  r: Pick<ClassifierRunResult, 'decision' | 'newVersion' | 'oldVersion' | 'verdict'>,
): string {
  switch (r.decision) {
    case 'promoted':
      return `PROMOTED: ${r.newVersion} replaces ${r.oldVersion} in service`;
    case 'forced':
      return `FORCED: ${r.newVersion} replaces ${r.oldVersion} although the gate refused it`;
    case 'refused':
      return `REFUSED: ${r.newVersion} is kept on disk, ${r.oldVersion} stays in service`;
    case 'dry_run':
      return `DRY RUN: nothing written; the gate would have ${r.verdict.pass ? 'promoted' : 'refused'} the new version`;
  }
}
