import type { SetComparison } from './compare.js';
import { holm, type Interval, macroF1Of, mcnemar, pairedBootstrap } from './significance.js';

/** The promotion gate's settings. */
export interface GateSettings {
  /**
   * Confidence of the intervals and tests (0.95): a version is refused when it is worse than the
   * version in service with at least this confidence.
   */
  confidence: number;
  /** Hard floor, off when null: how many points the set figure may fall, whatever chance explains. */
  macroF1Tolerance: number | null;
  /** Hard floor, off when null: how many points one category's F1 (Q/A: top-1) may fall. */
  maxCategoryDrop: number | null;
  /** Categories with at least this many texts in a set are tested one by one. */
  minCategorySupport: number;
}

/** One category of one set: the share of its texts each version gets right, and the test. */
export interface CategoryVerdict {
  label: string;
  n: number;
  old: number;
  new: number;
  /** F1 of each version (classifier only), for the hard floor and the report. */
  oldF1?: number;
  newF1?: number;
  /** Texts the old version got right and the new one wrong, and the reverse. */
  lost: number;
  gained: number;
  /** One-sided McNemar p-value, and after Holm's adjustment over the categories tested. */
  p: number;
  pAdjusted: number;
  verdict: 'worse' | 'better' | 'no significant change';
}

/** One figure of a set (macro-F1, top-1, MRR) with the interval of its change. */
export interface FigureVerdict extends Interval {
  key: string;
  label: string;
  old: number;
  new: number;
  worse: boolean;
}

/** Everything the gate found on one evaluation set. */
export interface SetVerdict {
  name: string;
  title: string;
  n: number;
  figures: FigureVerdict[];
  /** McNemar on every text of the set (accuracy / top-1): shown, the figures decide. */
  texts: { lost: number; gained: number; p: number };
  /** Categories with enough texts, tested; the others are counted. */
  categories: CategoryVerdict[];
  untestedCategories: number;
}

/** The gate's verdict: whether the new version may replace the one in service, and why. */
export interface GateVerdict {
  pass: boolean;
  /** Every rule that failed, one sentence each. */
  failures: string[];
  /** What was checked and found fine. */
  passes: string[];
  /** The largest per-category drop among categories with enough examples, if any fell. */
  worstDrop: { set: string; label: string; old: number; new: number; support: number } | null;
  /** The figures, intervals and per-category verdicts of each evaluated set (for the report). */
  sets?: SetVerdict[];
}

/** Both versions on one set, text by text: what the generic gate needs from either kind of net. */
export interface PairedSet {
  name: string;
  title: string;
  n: number;
  /** Per text: right by the old version, right by the new one. */
  oldRight: ArrayLike<number>;
  newRight: ArrayLike<number>;
  /** Per text: its category, or null when the set has none. */
  categories: ReadonlyArray<string> | null;
  /** Per category F1 of each version (classifier), for the hard floor. */
  f1?: Map<string, { old: number; new: number }>;
  /** The set figures that decide, each with its change on a draw of texts. */
  figures: Array<{
    key: string;
    label: string;
    old: number;
    new: number;
    change: (draw: Int32Array) => number;
  }>;
  /** "texts" or "questions", for the sentences. */
  unit: string;
}

const pts = (x: number) => (x * 100).toFixed(2);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;
const interval = (i: Interval) =>
  `${Math.round(i.confidence * 100)} % interval ${signed(i.lo)} to ${signed(i.hi)}`;
const EPS = 1e-12;

function judgeCategories(set: PairedSet, s: GateSettings): { tested: CategoryVerdict[]; untested: number } {
  if (!set.categories) return { tested: [], untested: 0 };
  const by = new Map<string, { n: number; old: number; new: number; lost: number; gained: number }>();
  set.categories.forEach((c, i) => {
    const g = by.get(c) ?? { n: 0, old: 0, new: 0, lost: 0, gained: 0 };
    const o = set.oldRight[i]! > 0;
    const w = set.newRight[i]! > 0;
    g.n++;
    if (o) g.old++;
    if (w) g.new++;
    if (o && !w) g.lost++;
    if (!o && w) g.gained++;
    by.set(c, g);
  });
  const enough = [...by]
    .filter(([, g]) => g.n >= s.minCategorySupport)
    .sort(([a], [b]) => a.localeCompare(b));
  const tests = enough.map(([, g]) => mcnemar(g.lost, g.gained));
  const adjusted = holm(tests.map((t) => t.p));
  const gainedTests = holm(enough.map(([, g]) => mcnemar(g.gained, g.lost).p));
  const alpha = (1 - s.confidence) / 2;
  const tested = enough.map(([label, g], i): CategoryVerdict => {
    const f1 = set.f1?.get(label);
    return {
      label,
      n: g.n,
      old: g.old / g.n,
      new: g.new / g.n,
      ...(f1 ? { oldF1: f1.old, newF1: f1.new } : {}),
      lost: g.lost,
      gained: g.gained,
      p: tests[i]!.p,
      pAdjusted: adjusted[i]!,
      verdict: adjusted[i]! < alpha ? 'worse' : gainedTests[i]! < alpha ? 'better' : 'no significant change',
    };
  });
  return { tested, untested: by.size - enough.length };
}

/**
 * The promotion rule, for either kind of net: on every non-empty evaluation set, (1) no
 * deciding figure's change has its whole confidence interval below zero (paired bootstrap);
 * (2) no category with enough texts is worse by McNemar's test at that confidence, adjusted
 * for the number of categories tested (Holm); (3) the hard floors, when set, hold. Categories
 * the old version did not know start at 0, so learning them never counts against the new one.
 */
export function judgeSets(sets: readonly PairedSet[], s: GateSettings, what = 'text'): GateVerdict {
  const failures: string[] = [];
  const passes: string[] = [];
  let worstDrop: GateVerdict['worstDrop'] = null;
  const verdicts: SetVerdict[] = [];
  if (sets.every((x) => x.n === 0)) {
    return {
      pass: false,
      failures: [`no evaluation set has any ${what}: nothing shows the new version is not worse`],
      passes,
      worstDrop,
      sets: verdicts,
    };
  }
  for (const [k, set] of sets.entries()) {
    if (set.n === 0) {
      passes.push(`${set.title}: empty, not evaluated`);
      continue;
    }
    const figures = set.figures.map((f, j): FigureVerdict => {
      const i = pairedBootstrap(set.n, f.change, { confidence: s.confidence, seed: 1 + k * 16 + j });
      return { key: f.key, label: f.label, old: f.old, new: f.new, ...i, worse: i.hi < -EPS };
    });
    for (const f of figures) {
      const line = `${set.title} ${f.label} ${pts(f.old)} % → ${pts(f.new)} % (${signed(f.delta)} points, ${interval(f)})`;
      if (f.worse) failures.push(`${line}: worse beyond chance`);
      else passes.push(`${line}: not significantly worse`);
      if (s.macroF1Tolerance !== null && f.delta < -s.macroF1Tolerance / 100 - EPS)
        failures.push(
          `${set.title} ${f.label} fell ${signed(f.delta)} points: more than the hard floor of ${s.macroF1Tolerance} points`,
        );
    }
    let lost = 0;
    let gained = 0;
    for (let i = 0; i < set.n; i++) {
      const o = set.oldRight[i]! > 0;
      const w = set.newRight[i]! > 0;
      if (o && !w) lost++;
      if (!o && w) gained++;
    }
    const { tested, untested } = judgeCategories(set, s);
    verdicts.push({
      name: set.name,
      title: set.title,
      n: set.n,
      figures,
      texts: mcnemar(lost, gained),
      categories: tested,
      untestedCategories: untested,
    });
    if (!set.categories) continue;
    const worse = tested.filter((c) => c.verdict === 'worse').sort((x, y) => x.pAdjusted - y.pAdjusted);
    const NAMED = 8;
    if (worse.length > 0)
      failures.push(
        `${set.title}: ${worse.length} ${worse.length === 1 ? 'category' : 'categories'} worse beyond chance: ${worse
          .slice(0, NAMED)
          .map(
            (c) =>
              `"${c.label}" ${pts(c.old)} → ${pts(c.new)} % right (${c.lost} lost, ${c.gained} gained of ${c.n}, p = ${c.pAdjusted.toPrecision(2)})`,
          )
          .join('; ')}${worse.length > NAMED ? `; and ${worse.length - NAMED} more (see the report)` : ''}`,
      );
    else if (tested.length > 0)
      passes.push(
        tested.length === 1
          ? `${set.title}: the one category with ≥ ${s.minCategorySupport} ${set.unit} is not significantly worse`
          : `${set.title}: none of ${tested.length} categories with ≥ ${s.minCategorySupport} ${set.unit} is significantly worse`,
      );
    else
      passes.push(`${set.title}: no category has ≥ ${s.minCategorySupport} ${set.unit}, none tested alone`);
    const dropped: string[] = [];
    for (const c of tested) {
      const before = c.oldF1 ?? c.old;
      const after = c.newF1 ?? c.new;
      const fall = before - after;
      if (fall > 0 && (!worstDrop || fall > worstDrop.old - worstDrop.new))
        worstDrop = { set: set.title, label: c.label, old: before, new: after, support: c.n };
      if (s.maxCategoryDrop !== null && fall > s.maxCategoryDrop / 100 + EPS)
        dropped.push(
          `"${c.label}" ${pts(before)} → ${pts(after)} (${signed(-fall)} points, ${c.n} ${set.unit})`,
        );
    }
    if (dropped.length > 0)
      failures.push(
        `${set.title}: ${dropped.length} ${dropped.length === 1 ? 'category' : 'categories'} fell more than the hard floor of ${s.maxCategoryDrop} points: ${dropped.join('; ')}`,
      );
  }
  return { pass: failures.length === 0, failures, passes, worstDrop, sets: verdicts };
}

/** A classifier comparison as paired texts: right or wrong per text, macro-F1 as the deciding figure. */
export function pairedClassifierSet(set: SetComparison): PairedSet {
  const { actual, old, new: neu } = set.predictions;
  const k = set.labels.length;
  const f1 = new Map<string, { old: number; new: number }>();
  const oldF1 = new Map(set.old.perClass.map((c) => [c.label, c.f1]));
  for (const c of set.new.perClass) f1.set(c.label, { old: oldF1.get(c.label) ?? 0, new: c.f1 });
  return {
    name: set.name,
    title: set.title,
    n: set.n,
    oldRight: Uint8Array.from(actual, (a, i) => (old[i] === a ? 1 : 0)),
    newRight: Uint8Array.from(actual, (a, i) => (neu[i] === a ? 1 : 0)),
    categories: Array.from(actual, (a) => set.labels[a]!),
    f1,
    figures: [
      {
        key: 'macroF1',
        label: 'macro-F1',
        old: set.old.macroF1,
        new: set.new.macroF1,
        change: (d) => macroF1Of(neu, actual, k, d) - macroF1Of(old, actual, k, d),
      },
    ],
    unit: 'texts',
  };
}

/** The classifier's gate: {@link judgeSets} on its comparisons. */
export function applyGate(sets: readonly SetComparison[], s: GateSettings): GateVerdict {
  return judgeSets(sets.map(pairedClassifierSet), s, 'text');
}

/** The verdict's figures in short, for the stored run (the API) and the benches. */
export function gateSummary(v: GateVerdict) {
  return (v.sets ?? []).map((s) => ({
    name: s.name,
    n: s.n,
    figures: s.figures.map((f) => ({ key: f.key, delta: f.delta, lo: f.lo, hi: f.hi, worse: f.worse })),
    textsLost: s.texts.lost,
    textsGained: s.texts.gained,
    categoriesTested: s.categories.length,
    categoriesWorse: s.categories.filter((c) => c.verdict === 'worse').map((c) => c.label),
    categoriesBetter: s.categories.filter((c) => c.verdict === 'better').map((c) => c.label),
  }));
}
