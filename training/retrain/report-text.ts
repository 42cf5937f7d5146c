import type { SetComparison } from './compare.js';
import { type ClassifierRunResult, decisionHeadline } from './run-result.js';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const delta = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;

function changes(set: SetComparison, n: number): { drops: string[]; gains: string[] } {
  const old = new Map(set.old.perClass.map((c) => [c.label, c.f1]));
  const moves = set.new.perClass
    .filter((c) => c.support > 0)
    .map((c) => ({ label: c.label, d: c.f1 - (old.get(c.label) ?? 0), support: c.support }));
  const line = (m: (typeof moves)[number]) => `${m.label} ${delta(m.d)} (${m.support})`;
  return {
    drops: moves
      .filter((m) => m.d < 0)
      .sort((a, b) => a.d - b.d)
      .slice(0, n)
      .map(line),
    gains: moves
      .filter((m) => m.d > 0)
      .sort((a, b) => b.d - a.d)
      .slice(0, n)
      .map(line),
  };
}

/** The one-screen summary printed at the end of a run (and saved beside the HTML report). */
export function formatRunSummary(r: ClassifierRunResult, reportPath: string | null): string {
  const d = r.data;
  const s = d.labelStats;
  const lines = [
    `retrain classifier: run ${r.runId}, bot ${r.bot}, net ${r.net}`,
    decisionHeadline(r),
    '',
    `labels: ${s.kept} texts from ${s.actions} operator actions (${s.corrections} corrections, ${s.confirmations} confirmations; ` +
      `${s.duplicates} duplicates, ${s.conflicts} overruled, ${s.empty} empty dropped)${d.since ? ` since ${d.since}` : ''}`,
    `training: ${d.baseRows - d.baseRelabelled - d.baseHeldOut} rows of ${d.baseFile} + ${d.labelsTrain} labels = ${d.trainRows} trained on + ${d.valRows} validating` +
      `${d.newCategories.length ? `; new categories: ${d.newCategories.join(', ')}` : ''}${d.shuffledLabels ? '; LABELS SHUFFLED (control run)' : ''}` +
      `${d.swappedCategories ? `; CATEGORIES ${d.swappedCategories.join(' ↔ ')} SWAPPED (control run)` : ''}` +
      `${d.trainFraction < 1 ? `; ONLY ${(d.trainFraction * 100).toFixed(0)} % OF THE ROWS (control run)` : ''}`,
    `         ${d.fromScratch ? 'from scratch' : `fine-tuned from ${r.oldVersion}`}, ${r.history.length} epochs (best ${r.bestEpoch}), ${r.trainSeconds.toFixed(1)} s on ${r.backend}; base rows per epoch: ${replayText(d)}`,
    `         time: ${phasesText(r.phases)}`,
    '',
    `                          ${r.oldVersion.padEnd(18)} ${String(r.newVersion ?? 'new').padEnd(18)} change`,
  ];
  for (const set of r.sets) {
    if (set.n === 0) {
      lines.push(`${`${set.title} (0)`.padEnd(26)}not evaluated`);
      continue;
    }
    lines.push(
      `${`${set.title} (${set.n})`.padEnd(26)}${`F1 ${pct(set.old.macroF1)}`.padEnd(19)}${`F1 ${pct(set.new.macroF1)}`.padEnd(19)}${delta(set.new.macroF1 - set.old.macroF1)}`,
      `${''.padEnd(26)}${`acc ${pct(set.old.accuracy)}`.padEnd(19)}${`acc ${pct(set.new.accuracy)}`.padEnd(19)}${delta(set.new.accuracy - set.old.accuracy)}`,
    );
    const c = changes(set, 3);
    if (c.drops.length) lines.push(`${''.padEnd(26)}worst: ${c.drops.join(', ')}`);
    if (c.gains.length) lines.push(`${''.padEnd(26)}best:  ${c.gains.join(', ')}`);
  }
  lines.push('', r.verdict.pass ? 'gate: passed' : 'gate: refused');
  for (const f of r.verdict.failures) lines.push(`  ✗ ${f}`);
  for (const p of r.verdict.passes) lines.push(`  ✓ ${p}`);
  if (r.forcedReason) lines.push(`  forced by operator: ${r.forcedReason}`);
  if (reportPath) lines.push('', `report: ${reportPath}`);
  return `${lines.join('\n')}\n`;
}

/** How much of the base data each epoch replayed. */
export function replayText(d: Pick<ClassifierRunResult['data'], 'replayRows' | 'baseTrainRows'>): string {
  return d.replayRows === null
    ? `all ${d.baseTrainRows}`
    : `${d.replayRows} of ${d.baseTrainRows} (a stratified sample by base file and category, a different one each epoch)`;
}

/** Where the run's time went. */
export function phasesText(p: ClassifierRunResult['phases']): string {
  const parts: Array<[string, number]> = [
    ['read', p.read],
    ['assemble', p.assemble],
    ['featurise', p.featurise],
    ['gradient steps', p.steps],
    ['validation', p.validate],
    ['calibration', p.calibrate],
    ['scoring both versions', p.compare],
    ['gate', p.gate],
    ['publish', p.publish],
  ];
  return parts.map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ');
}
