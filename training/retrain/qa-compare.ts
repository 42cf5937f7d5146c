import type { QaNet } from '../../src/nets/qa/qa-net.js';
import {
  type EvalSet,
  pairFeatures,
  type RankingFigures,
  rankingFigures,
  topAnswers,
} from '../qa/eval-set.js';
import type { GateSettings, GateVerdict } from './gate.js';

/** One version's figures on a set: MAP, MRR, top-1/top-3, and top-1 per category when known. */
export interface QaSetScore extends RankingFigures {
  perCategory: Array<{ category: string; n: number; top1: number }>;
}

/** Both versions on the same set, ranked with each version's own served scoring. */
export interface QaSetComparison {
  name: 'held_out' | 'regression';
  title: string;
  n: number;
  old: QaSetScore;
  new: QaSetScore;
}

function score(net: QaNet, set: EvalSet, categories: readonly string[] | null): QaSetScore {
  if (set.questions.length === 0) return { map: 0, mrr: 0, top1: 0, top3: 0, questions: 0, perCategory: [] };
  const features = pairFeatures(net, set);
  const figures = rankingFigures(features, net.meta.scoring);
  const tops = topAnswers(features, net.meta.scoring);
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
  return { ...figures, perCategory };
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
    old: score(old, set, categories),
    new: score(neu, set, categories),
  };
}

const pts = (x: number) => (x * 100).toFixed(2);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;

/**
 * The Q/A promotion rule, the classifier's in ranking terms: on every non-empty set, top-1
 * accuracy and MRR fall by at most the tolerance (points), and on the regression set no
 * category with enough questions loses more than `maxCategoryDrop` points of top-1 accuracy.
 */
export function applyQaGate(sets: readonly QaSetComparison[], s: GateSettings): GateVerdict {
  const failures: string[] = [];
  const passes: string[] = [];
  let worstDrop: GateVerdict['worstDrop'] = null;
  if (sets.every((x) => x.n === 0)) {
    return {
      pass: false,
      failures: ['no evaluation set has any question: nothing shows the new version is not worse'],
      passes,
      worstDrop,
    };
  }
  for (const set of sets) {
    if (set.n === 0) {
      passes.push(`${set.title}: empty, not evaluated`);
      continue;
    }
    for (const [key, label] of [
      ['top1', 'top-1 accuracy'],
      ['mrr', 'MRR'],
    ] as const) {
      const delta = set.new[key] - set.old[key];
      const line = `${set.title} ${label} ${pts(set.old[key])} % → ${pts(set.new[key])} % (${signed(delta)} points)`;
      if (delta < -s.macroF1Tolerance / 100 - 1e-12)
        failures.push(`${line}: dropped more than the ${s.macroF1Tolerance} points allowed`);
      else passes.push(line);
    }
    const old = new Map(set.old.perCategory.map((c) => [c.category, c.top1]));
    const dropped: string[] = [];
    let checked = 0;
    for (const c of set.new.perCategory) {
      if (c.n < s.minCategorySupport) continue;
      checked++;
      const before = old.get(c.category) ?? 0;
      const fall = before - c.top1;
      if (fall > 0 && (!worstDrop || fall > worstDrop.old - worstDrop.new))
        worstDrop = { set: set.title, label: c.category, old: before, new: c.top1, support: c.n };
      if (fall > s.maxCategoryDrop / 100 + 1e-12)
        dropped.push(
          `"${c.category}" ${pts(before)} → ${pts(c.top1)} (${signed(-fall)} points, ${c.n} questions)`,
        );
    }
    if (dropped.length > 0)
      failures.push(
        `${set.title}: ${dropped.length} ${dropped.length === 1 ? 'category' : 'categories'} with ≥ ${s.minCategorySupport} questions lost more than ${s.maxCategoryDrop} points of top-1 accuracy: ${dropped.join('; ')}`,
      );
    else if (checked > 0)
      passes.push(
        `${set.title}: none of ${checked} categories with ≥ ${s.minCategorySupport} questions lost more than ${s.maxCategoryDrop} points of top-1 accuracy`,
      );
  }
  return { pass: failures.length === 0, failures, passes, worstDrop };
}
