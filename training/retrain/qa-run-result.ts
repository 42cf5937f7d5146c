import type { QaEpochReport } from '../qa/trainer.js';
import type { GateSettings, GateVerdict } from './gate.js';
import type { QaSetComparison } from './qa-compare.js';
import type { QaRetrainData } from './qa-data.js';
import type { TrainedDecision } from './run-result.js';

/** Everything a Q/A retraining run found: the report and the stored run are made from it. */
export interface QaRunResult {
  runId: number;
  bot: string;
  net: string;
  kb: string;
  oldVersion: string;
  newVersion: string | null;
  decision: TrainedDecision;
  reasons: string[];
  forcedReason: string | null;
  verdict: GateVerdict;
  gate: GateSettings;
  startedAt: Date;
  finishedAt: Date;
  trainSeconds: number;
  data: QaRetrainData['summary'] & {
    /** Pair derivation: answer actions read, dropped as empty, replaced by a later answer. */
    actions: number;
    empty: number;
    replaced: number;
    /**
     * Knowledge-base answers the version in service was not trained against (null when it
     * recorded no pool: a version not made by a retraining).
     */
    kbAnswersNew: number | null;
    regressionFile: string;
    regressionRows: number;
    since: string | null;
    heldOutFraction: number;
    /** Scoring and threshold kept from the version in service (too few validation questions to refit). */
    scoringKept: boolean;
    /** Trained from random weights (true) or fine-tuned from the version in service. */
    fromScratch: boolean;
  };
  history: QaEpochReport[];
  bestEpoch: number;
  sets: QaSetComparison[];
  backend: string;
}
