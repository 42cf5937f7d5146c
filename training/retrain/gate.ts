import type { SetComparison } from './compare.js';

/** The promotion gate's thresholds, in points (percentage points of F1). */
export interface GateSettings {
  /** How far macro-F1 may fall on an evaluation set (0: it must not drop at all). */
  macroF1Tolerance: number;
  /** How far one category's F1 may fall… */
  maxCategoryDrop: number;
  /** …among categories with at least this many examples in the set. */
  minCategorySupport: number;
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
}

const pts = (x: number) => (x * 100).toFixed(2);
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;

/**
 * The promotion rule: on every non-empty evaluation set, macro-F1 does not fall by more than
 * the tolerance, and no category with enough examples loses more than `maxCategoryDrop` points
 * of F1. Categories the old version did not know start at 0, so learning them never counts
 * against the new version.
 */
export function applyGate(sets: readonly SetComparison[], s: GateSettings): GateVerdict {
  const failures: string[] = [];
  const passes: string[] = [];
  let worstDrop: GateVerdict['worstDrop'] = null;
  const evaluated = sets.filter((x) => x.n > 0);
  if (evaluated.length === 0) {
    return {
      pass: false,
      failures: ['no evaluation set has any text: nothing shows the new version is not worse'],
      passes,
      worstDrop,
    };
  }
  for (const set of sets) {
    if (set.n === 0) {
      passes.push(`${set.title}: empty, not evaluated`);
      continue;
    }
    const delta = set.new.macroF1 - set.old.macroF1;
    const line = `${set.title} macro-F1 ${pts(set.old.macroF1)} % → ${pts(set.new.macroF1)} % (${signed(delta)} points)`;
    if (delta < -s.macroF1Tolerance / 100 - 1e-12) {
      failures.push(`${line}: dropped more than the ${s.macroF1Tolerance} points allowed`);
    } else passes.push(line);
    const oldByLabel = new Map(set.old.perClass.map((c) => [c.label, c]));
    const dropped: string[] = [];
    let checked = 0;
    for (const c of set.new.perClass) {
      if (c.support < s.minCategorySupport) continue;
      checked++;
      const before = oldByLabel.get(c.label)?.f1 ?? 0;
      const fall = before - c.f1;
      if (fall > 0 && (!worstDrop || fall > worstDrop.old - worstDrop.new)) {
        worstDrop = { set: set.title, label: c.label, old: before, new: c.f1, support: c.support };
      }
      if (fall > s.maxCategoryDrop / 100 + 1e-12) {
        dropped.push(
          `"${c.label}" ${pts(before)} → ${pts(c.f1)} (${signed(-fall)} points, ${c.support} examples)`,
        );
      }
    }
    if (dropped.length > 0) {
      failures.push(
        `${set.title}: ${dropped.length} ${dropped.length === 1 ? 'category' : 'categories'} with ≥ ${s.minCategorySupport} examples lost more than ${s.maxCategoryDrop} points of F1: ${dropped.join('; ')}`,
      );
    } else if (checked > 0) {
      passes.push(
        `${set.title}: none of ${checked} categories with ≥ ${s.minCategorySupport} examples lost more than ${s.maxCategoryDrop} points of F1`,
      );
    } else {
      passes.push(
        `${set.title}: no category has ≥ ${s.minCategorySupport} examples, per-category rule not applied`,
      );
    }
  }
  return { pass: failures.length === 0, failures, passes, worstDrop };
}
