import type { NetLocation } from '../net-folder.js';
import type { LoadedNet, NetKind } from '../runtime/net-kind.js';
import { contentTerms } from './lexical.js';
import { QaNet } from './qa-net.js';
import type { Scoring } from './scoring.js';

/** The op that embeds questions: one unit vector of `dim` per text. */
export const EMBED_QUESTION_OP = 'embedQuestion';
/** The op that embeds answers: one unit vector of `dim` per text. */
export const EMBED_ANSWER_OP = 'embedAnswer';

/** Largest difference allowed between a canary vector and the loaded net's. */
export const CANARY_TOLERANCE = 1e-3;

/**
 * What the serving side needs besides the vectors: the scoring, the threshold and the
 * lexical features' settings (the overlap terms are computed where the answers are scanned).
 * Crosses from an inference thread by structured clone (`termIdf` as a typed array).
 */
export interface QaInfo {
  [key: string]: unknown;
  dim: number;
  threshold: number;
  scoring: Scoring;
  /** The content-word hashing of the overlap features; null without them. */
  lexical: { seed: number; bits: number; maxChars: number; normalisation?: 1 | 2 } | null;
  /** IDF of the content-word buckets (empty without lexical features). */
  termIdf: Float32Array;
  /** Golden inputs stored with the net. */
  canaryInputs: number;
}

/** Content-word ids of a text for the overlap features, as the net that made `info` hashes them. */
export function qaTerms(info: QaInfo, text: string): Int32Array {
  const lex = info.lexical;
  return lex ? contentTerms(text, lex.seed, lex.bits, lex.maxChars, lex.normalisation) : new Int32Array(0);
}

/** A two-tower net as the runtime holds it. */
export interface LoadedQa extends LoadedNet {
  readonly net: QaNet;
}

/** Loads `meta.json` kind `qa`: the question and answer towers, the scoring and the canary. */
export const qaKind: NetKind = {
  kind: 'qa',
  load(location: NetLocation, files: ReadonlyMap<string, Buffer>): LoadedQa {
    const net = QaNet.fromFiles(location, files);
    const lexical = net.topology.lexical;
    const info: QaInfo = {
      dim: net.dim,
      threshold: net.meta.threshold,
      scoring: net.meta.scoring,
      lexical: lexical
        ? {
            seed: net.meta.vectoriser.seed,
            bits: lexical.bits,
            maxChars: net.meta.vectoriser.maxChars,
            normalisation: net.meta.vectoriser.normalisation ?? 1,
          }
        : null,
      termIdf: net.termIdf,
      canaryInputs: net.meta.canary.length,
    };
    return {
      kind: 'qa',
      net,
      bytes: net.bytes,
      info,
      ops: {
        [EMBED_QUESTION_OP]: { width: net.dim, run: (texts) => net.embed(texts, 'question') },
        [EMBED_ANSWER_OP]: { width: net.dim, run: (texts) => net.embed(texts, 'answer') },
      },
      dispose: () => net.dispose(),
    };
  },
  canary(loaded: LoadedNet): void {
    const { net } = loaded as LoadedQa;
    const deviation = net.goldenDeviation();
    if (!(deviation <= CANARY_TOLERANCE)) {
      throw new Error(
        `canary: the ${net.meta.canary.length} golden inputs' vectors differ by ${deviation} from those stored at training (tolerance ${CANARY_TOLERANCE})`,
      );
    }
  },
};
