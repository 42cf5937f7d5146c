import type { QaNet } from '../../src/nets/qa/qa-net.js';
import {
  type EvalSet,
  keyLists,
  pairFeatures,
  type RankingFigures,
  rankingFigures,
  topAnswers,
} from '../qa/eval-set.js';
import { reciprocalRank } from '../qa/ranking-metrics.js';
import { type GateSettings, type GateVerdict, judgeSets } from './gate.js';
import { meanOf } from './significance.js';

/** One version's figures on a set: MAP, MRR, top-1/top-3, and top-1 per category when known. */
export interface QaSetScore extends RankingFigures {
  perCategory: Array<{ category: string; n: number; top1: number }>;
  /** Per question: 1 when the top answer is right; the reciprocal rank of the first right answer. */
  right: Uint8Array;
  rr: Float64Array;
}

/** Both versions on the same set, ranked with each version's own served scoring. */
export interface QaSetComparison {
  name: 'held_out' | 'regression';
  title: string;
  n: number;
  /** Per question its category, when the set has them (the regression set). */
  categories: string[] | null;
  old: QaSetScore;
  new: QaSetScore;
}

function score(net: QaNet, set: EvalSet, categories: readonly string[] | null): QaSetScore {
  if (set.questions.length === 0)
    return {
      map: 0,
      mrr: 0,
      top1: 0,
      top3: 0,
      questions: 0,
      perCategory: [],
      right: new Uint8Array(0),
      rr: new Float64Array(0),
    };
  const features = pairFeatures(net, set);
  const figures = rankingFigures(features, net.meta.scoring);
  const tops = topAnswers(features, net.meta.scoring);
  const keys = keyLists(features, net.meta.scoring);
  const rr = Float64Array.from(features, (f, i) => reciprocalRank({ scores: keys[i]!, labels: f.labels }));
  const right = Uint8Array.from(rr, (r) => (r === 1 ? 1 : 0));
  const by = new Map<string, { n: number; right: number }>();
  categories?.forEach((c, i) => {
    const g = by.get(c) ?? { n: 0, right: 0 };
    g.n++;
    if (tops[i]!.right) g.right++;
    by.set(c, g);
  });
  const perCategory = [...by]
    .map(([category, g]) => ({ category, n: g.n, top1: g.right / g.n }))
    .sort((a, b) => a.category.localeCompare(b.category));
  return { ...figures, perCategory, right, rr };
}

/** Scores the version in service and the new one on the same questions and answers. */
export function compareQa(
  name: QaSetComparison['name'],
  title: string,
  set: EvalSet,
  categories: readonly string[] | null,
  old: QaNet,
  neu: QaNet,
): QaSetComparison {
  return {
    name,
    title,
    n: set.questions.length,
    categories: categories ? [...categories] : null,
    old: score(old, set, categories),
    new: score(neu, set, categories),
  };
}

/** The Q/A gate: {@link judgeSets} on top-1 (per question right or not) and MRR, per category on the regression set. */
export function applyQaGate(sets: readonly QaSetComparison[], s: GateSettings): GateVerdict {
  return judgeSets(
    sets.map((set) => ({
      name: set.name,
      title: set.title,
      n: set.n,
      oldRight: set.old.right,
      newRight: set.new.right,
      categories: set.categories,
      figures: (
        [
          ['top1', 'top-1 accuracy', set.old.right, set.new.right],
          ['mrr', 'MRR', set.old.rr, set.new.rr],
        ] as const
      ).map(([key, label, o, w]) => ({
        key,
        label,
        old: set.old[key],
        new: set.new[key],
        change: (d: Int32Array) => meanOf(w, d) - meanOf(o, d),
      })),
      unit: 'questions',
    })),
    s,
    'question',
  );
}
