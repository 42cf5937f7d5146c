import type { SetComparison } from './compare.js';
import type { GateSettings, GateVerdict } from './gate.js';
import { phasesText, replayText } from './report-text.js';
import { type ClassifierRunResult, decisionHeadline } from './run-result.js';
import { confusionHeatMap, esc, lineChart } from './svg.js';

const pct = (x: number) => (x * 100).toFixed(2);

/** The reports' stylesheet (inline: a report is one self-contained page). */
export const REPORT_STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.decision{padding:12px 16px;border-radius:6px;font-weight:600;font-size:16px}
.promoted{background:#e3f4e1;border:1px solid #6bb36b}.forced{background:#fff4d6;border:1px solid #d9a400}
.refused{background:#fde4e4;border:1px solid #d05050}.dry_run{background:#e8eef8;border:1px solid #7590c0}
table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}.down{color:#b00020;font-weight:600}.up{color:#1b7a1b}
.bad{background:#fde4e4}.new{font-size:11px;background:#dde8fb;padding:0 4px;border-radius:3px}
ul.reasons li{margin:3px 0}.fail{color:#b00020}.charts{display:flex;flex-wrap:wrap;gap:16px}
svg .t{font-size:13px;font-weight:600}svg .tick{font-size:10px;fill:#555}svg .ax{stroke:#444}
svg .grid{stroke:#eee}svg .mark{stroke:#999;stroke-dasharray:4 3}svg text{font-family:system-ui,sans-serif}
.muted{color:#666}.worse{background:#fde4e4;color:#b00020;font-weight:600}.better{color:#1b7a1b}
.ci{font-family:ui-monospace,monospace;font-size:12px}`;

const signedPts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;

/** The gate in words, from its settings. */
export function gateRule(g: GateSettings, figure: string, unit: string): string {
  const conf = `${Math.round(g.confidence * 1000) / 10} %`;
  const floors = [
    g.macroF1Tolerance !== null ? `${figure} falling more than ${g.macroF1Tolerance} points` : '',
    g.maxCategoryDrop !== null ? `a tested category falling more than ${g.maxCategoryDrop} points` : '',
  ].filter(Boolean);
  return `Gate: both versions answered the same ${unit}. The new version is refused when it is worse beyond what chance explains, with ${conf} confidence: on an evaluation set, the whole ${conf} interval of the change of ${figure} below zero (paired bootstrap over the ${unit}), or a category with at least ${g.minCategorySupport} ${unit} in the set worse by McNemar's test on the ${unit} one version got right and the other wrong (adjusted for the number of categories tested). ${floors.length ? `Hard floors also refuse ${floors.join(' or ')}.` : 'No hard floor is set.'}`;
}

/** The gate's figures with their intervals and the per-category verdicts, set by set. */
export function gateSection(v: GateVerdict, g: GateSettings, figure: string, unit: string): string {
  const sets = (v.sets ?? [])
    .map((s) => {
      const figs = s.figures
        .map(
          (f) =>
            `<tr${f.worse ? ' class="worse"' : ''}><td>${esc(f.label)}</td><td>${pct(f.old)}</td><td>${pct(f.new)}</td><td>${signedPts(f.delta)}</td><td class="ci">[${signedPts(f.lo)}, ${signedPts(f.hi)}]</td><td>${f.worse ? 'worse beyond chance' : f.lo > 0 ? 'better beyond chance' : 'within chance'}</td></tr>`,
        )
        .join('');
      const worse = s.categories.filter((c) => c.verdict === 'worse');
      const better = s.categories.filter((c) => c.verdict === 'better');
      const cats = [...s.categories]
        .sort((a, b) => a.pAdjusted - b.pAdjusted || a.label.localeCompare(b.label))
        .map(
          (c) =>
            `<tr class="${c.verdict === 'worse' ? 'worse' : c.verdict === 'better' ? 'better' : ''}"><td>${esc(c.label)}</td><td>${c.n}</td><td>${pct(c.old)}</td><td>${pct(c.new)}</td><td>${c.lost}</td><td>${c.gained}</td><td>${c.pAdjusted.toPrecision(2)}</td><td>${esc(c.verdict)}</td></tr>`,
        )
        .join('');
      return `<h3>${esc(s.title)} (${s.n} ${unit})</h3>
<table><tr><th>figure</th><th>old</th><th>new</th><th>change</th><th>${Math.round(g.confidence * 100)} % interval</th><th>verdict</th></tr>${figs}</table>
<p class="muted">${unit} one version got right and the other wrong: ${s.texts.lost} lost, ${s.texts.gained} gained (McNemar p = ${s.texts.p.toPrecision(2)} for "worse").
${s.categories.length ? `${s.categories.length} ${s.categories.length === 1 ? 'category' : 'categories'} tested one by one: ${worse.length} worse, ${better.length} better, the rest within chance` : 'no category tested one by one'}${s.untestedCategories ? `; ${s.untestedCategories} with fewer than ${g.minCategorySupport} ${unit} not tested alone` : ''}.</p>
${cats ? `<details${worse.length ? ' open' : ''}><summary>Per-category verdicts (most doubtful first)</summary><table><tr><th>category</th><th>${unit}</th><th>right old %</th><th>right new %</th><th>lost</th><th>gained</th><th>adjusted p</th><th>verdict</th></tr>${cats}</table></details>` : ''}`;
    })
    .join('');
  return `<p class="muted">${esc(gateRule(g, figure, unit))}</p>${sets}`;
}

function metricsTable(r: ClassifierRunResult): string {
  const rows = r.sets
    .map((s) => {
      if (s.n === 0)
        return `<tr><td>${esc(s.title)}</td><td>0</td><td colspan="5" class="muted">empty: not evaluated</td></tr>`;
      const d = s.new.macroF1 - s.old.macroF1;
      return `<tr><td>${esc(s.title)}</td><td>${s.n}</td><td>${pct(s.old.accuracy)}</td><td>${pct(s.new.accuracy)}</td><td>${pct(s.old.macroF1)}</td><td>${pct(s.new.macroF1)}</td><td class="${d < 0 ? 'down' : 'up'}">${d >= 0 ? '+' : ''}${pct(d)}</td></tr>`;
    })
    .join('');
  return `<table><tr><th>evaluation set</th><th>texts</th><th>accuracy old</th><th>accuracy new</th><th>macro-F1 old</th><th>macro-F1 new</th><th>Δ macro-F1</th></tr>${rows}</table>`;
}

function perClassTable(s: SetComparison, r: ClassifierRunResult): string {
  if (s.n === 0) return '';
  const old = new Map(s.old.perClass.map((c) => [c.label, c]));
  const known = new Set(s.old.perClass.filter((c) => c.support > 0 || c.precision > 0).map((c) => c.label));
  const newCats = new Set(r.data.newCategories);
  const worse = new Set(
    r.verdict.sets
      ?.find((v) => v.name === s.name)
      ?.categories.filter((c) => c.verdict === 'worse')
      .map((c) => c.label),
  );
  const rows = s.new.perClass
    .filter((c) => c.support > 0)
    .map((c) => ({ c, o: old.get(c.label)!, d: c.f1 - (old.get(c.label)?.f1 ?? 0) }))
    .sort((a, b) => a.d - b.d || a.c.label.localeCompare(b.c.label))
    .map(({ c, o, d }) => {
      const bad = worse.has(c.label);
      const tag = newCats.has(c.label) || !known.has(c.label) ? ' <span class="new">new</span>' : '';
      return `<tr${bad ? ' class="bad"' : ''}><td>${esc(c.label)}${tag}</td><td>${c.support}</td><td>${pct(o.precision)}</td><td>${pct(o.recall)}</td><td>${pct(o.f1)}</td><td>${pct(c.precision)}</td><td>${pct(c.recall)}</td><td>${pct(c.f1)}</td><td class="${d < 0 ? 'down' : d > 0 ? 'up' : ''}">${d >= 0 ? '+' : ''}${pct(d)}</td></tr>`;
    })
    .join('');
  return `<h3>${esc(s.title)}: per category (largest drop first)</h3>
<table><tr><th>category</th><th>texts</th><th>P old</th><th>R old</th><th>F1 old</th><th>P new</th><th>R new</th><th>F1 new</th><th>Δ F1</th></tr>${rows}</table>`;
}

/** The run's report: a self-contained HTML page (inline CSS and SVG, no scripts, no external assets). */
export function renderRunReport(r: ClassifierRunResult): string {
  const d = r.data;
  const s = d.labelStats;
  const reasons = [
    ...r.verdict.failures.map((f) => `<li class="fail">✗ ${esc(f)}</li>`),
    ...r.verdict.passes.map((p) => `<li>✓ ${esc(p)}</li>`),
    ...(r.forcedReason ? [`<li><b>Forced</b> despite the gate: ${esc(r.forcedReason)}</li>`] : []),
  ].join('');
  const curve = [
    lineChart({
      title: 'Loss per epoch',
      xLabel: 'epoch',
      yLabel: 'cross-entropy',
      series: [
        { name: 'training', colour: '#2166ac', points: r.history.map((e) => [e.epoch, e.loss]) },
        { name: 'validation', colour: '#d6604d', points: r.history.map((e) => [e.epoch, e.valLoss]) },
      ],
      markX: { x: r.bestEpoch, label: 'kept' },
    }),
    lineChart({
      title: 'Validation accuracy per epoch (%)',
      xLabel: 'epoch',
      yLabel: 'accuracy %',
      series: [
        {
          name: 'validation',
          colour: '#1b7837',
          points: r.history.map((e) => [e.epoch, e.valAccuracy * 100]),
        },
      ],
      markX: { x: r.bestEpoch, label: 'kept' },
    }),
  ].join('');
  const heat = r.sets
    .filter((x) => x.n > 0)
    .map((x) =>
      confusionHeatMap({
        title: `${x.title}: confusion of the new version (rows: actual, columns: predicted)`,
        labels: x.labels,
        confusion: x.new.confusion,
      }),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Training run ${r.runId}: ${esc(r.decision)} (${esc(r.net)})</title>
<style>${REPORT_STYLE}</style></head><body>
<h1>Training run ${r.runId}: classifier <code>${esc(r.net)}</code> of bot <code>${esc(r.bot)}</code></h1>
<p class="decision ${esc(r.decision)}" data-decision="${esc(r.decision)}">${esc(decisionHeadline(r))}</p>
<h2>Why</h2><ul class="reasons">${reasons}</ul>
<h2>Old and new version</h2>${metricsTable(r)}
<h2>The gate: intervals and per-category verdicts</h2>${gateSection(r.verdict, r.gate, 'macro-F1', 'texts')}
<p class="muted">Both versions were scored on the same texts. The held-out split is ${(d.heldOutFraction * 100).toFixed(0)} % of the operators' labelled texts, chosen by a hash of the text, so no version in the chain trained on them; the regression set is the fixed file <code>${esc(d.regressionFile)}</code> (${d.regressionRows} texts). A category the old version does not know counts as an error for it.</p>
<h2>Data</h2>
<table>
<tr><td>operator actions read${d.since ? ` (since ${esc(d.since)})` : ''}</td><td>${s.actions}</td></tr>
<tr><td>corrections / confirmations</td><td>${s.corrections} / ${s.confirmations}</td></tr>
<tr><td>dropped: empty / duplicates / overruled by a later or stronger label</td><td>${s.empty} / ${s.duplicates} / ${s.conflicts}</td></tr>
<tr><td>labelled texts kept (training / held out)</td><td>${d.labels} (${d.labelsTrain} / ${d.labelsHeldOut})</td></tr>
<tr><td>base data <code>${esc(d.baseFile)}</code>: rows, relabelled by operators, left out as held out</td><td>${d.baseRows}, ${d.baseRelabelled}, ${d.baseHeldOut}</td></tr>
<tr><td>rows trained on / validating (early stopping, calibration)</td><td>${d.trainRows} / ${d.valRows}${d.shuffledLabels ? ' <b>(labels shuffled: control run)</b>' : ''}${d.swappedCategories ? ` <b>(${esc(d.swappedCategories.join(' ↔ '))} swapped: control run)</b>` : ''}${d.trainFraction < 1 ? ` <b>(only ${(d.trainFraction * 100).toFixed(0)} % of the rows: control run)</b>` : ''}</td></tr>
<tr><td>new categories</td><td>${d.newCategories.length ? d.newCategories.map(esc).join(', ') : 'none'}</td></tr>
<tr><td>training</td><td>${d.fromScratch ? 'from scratch' : `fine-tuned from ${esc(r.oldVersion)}`}, ${r.history.length} epochs, best ${r.bestEpoch}, ${r.trainSeconds.toFixed(1)} s on ${esc(r.backend)}</td></tr>
<tr><td>base rows per epoch</td><td>${replayText(d)}</td></tr>
<tr><td>time per phase</td><td>${esc(phasesText(r.phases))}</td></tr>
<tr><td>run</td><td>${esc(r.startedAt.toISOString())} → ${esc(r.finishedAt.toISOString())}</td></tr>
</table>
<h2>Learning curve</h2><div class="charts">${curve}</div>
<h2>Per category, old vs new</h2>${r.sets.map((x) => perClassTable(x, r)).join('')}
<h2>Confusion matrices</h2><div class="charts">${heat}</div>
</body></html>
`;
}
