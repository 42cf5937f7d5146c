import type { QaSetComparison } from './qa-compare.js';
import type { QaRunResult } from './qa-run-result.js';
import { gateSection, REPORT_STYLE } from './report-html.js';
import { decisionHeadline } from './run-result.js';
import { esc, lineChart } from './svg.js';

const pct = (x: number) => (x * 100).toFixed(2);
const delta = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;
const FIGURES = [
  ['top1', 'top-1'],
  ['top3', 'top-3'],
  ['mrr', 'MRR'],
  ['map', 'MAP'],
] as const;

function setsTable(r: QaRunResult): string {
  const rows = r.sets
    .map((s) => {
      if (s.n === 0)
        return `<tr><td>${esc(s.title)}</td><td>0</td><td colspan="8" class="muted">empty: not evaluated</td></tr>`;
      const cells = FIGURES.map(([k]) => {
        const d = s.new[k] - s.old[k];
        return `<td>${pct(s.old[k])}</td><td class="${d < 0 ? 'down' : d > 0 ? 'up' : ''}">${pct(s.new[k])}</td>`;
      }).join('');
      return `<tr><td>${esc(s.title)}</td><td>${s.n}</td>${cells}</tr>`;
    })
    .join('');
  const head = FIGURES.map(([, t]) => `<th>${t} old</th><th>${t} new</th>`).join('');
  return `<table><tr><th>evaluation set</th><th>questions</th>${head}</tr>${rows}</table>`;
}

function perCategory(s: QaSetComparison, r: QaRunResult): string {
  if (s.new.perCategory.length === 0) return '';
  const old = new Map(s.old.perCategory.map((c) => [c.category, c.top1]));
  const worse = new Set(
    r.verdict.sets
      ?.find((v) => v.name === s.name)
      ?.categories.filter((c) => c.verdict === 'worse')
      .map((c) => c.label),
  );
  const rows = s.new.perCategory
    .map((c) => ({ c, o: old.get(c.category) ?? 0, d: c.top1 - (old.get(c.category) ?? 0) }))
    .sort((a, b) => a.d - b.d || a.c.category.localeCompare(b.c.category))
    .map(({ c, o, d }) => {
      const bad = worse.has(c.category);
      return `<tr${bad ? ' class="bad"' : ''}><td>${esc(c.category)}</td><td>${c.n}</td><td>${pct(o)}</td><td>${pct(c.top1)}</td><td class="${d < 0 ? 'down' : d > 0 ? 'up' : ''}">${delta(d)}</td></tr>`;
    })
    .join('');
  return `<h3>${esc(s.title)}: top-1 accuracy per category (largest drop first)</h3>
<table><tr><th>category</th><th>questions</th><th>old</th><th>new</th><th>Δ</th></tr>${rows}</table>`;
}

/** The run's report: a self-contained HTML page (inline CSS and SVG, no scripts). */
export function renderQaRunReport(r: QaRunResult): string {
  const d = r.data;
  const reasons = [
    ...r.verdict.failures.map((f) => `<li class="fail">✗ ${esc(f)}</li>`),
    ...r.verdict.passes.map((p) => `<li>✓ ${esc(p)}</li>`),
    ...(r.forcedReason ? [`<li><b>Forced</b> despite the gate: ${esc(r.forcedReason)}</li>`] : []),
  ].join('');
  const curve = [
    lineChart({
      title: 'Loss per epoch',
      xLabel: 'epoch',
      yLabel: 'in-batch softmax loss',
      series: [{ name: 'training', colour: '#2166ac', points: r.history.map((e) => [e.epoch, e.loss]) }],
      markX: { x: r.bestEpoch, label: 'kept' },
    }),
    lineChart({
      title: 'Validation top-1 per epoch (%)',
      xLabel: 'epoch',
      yLabel: 'top-1 %',
      series: [
        { name: 'validation', colour: '#1b7837', points: r.history.map((e) => [e.epoch, e.val * 100]) },
      ],
      markX: { x: r.bestEpoch, label: 'kept' },
    }),
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Training run ${r.runId}: ${esc(r.decision)} (${esc(r.net)})</title>
<style>${REPORT_STYLE}</style></head><body>
<h1>Training run ${r.runId}: Q/A net <code>${esc(r.net)}</code> of bot <code>${esc(r.bot)}</code></h1>
<p class="decision ${esc(r.decision)}" data-decision="${esc(r.decision)}">${esc(decisionHeadline(r))}</p>
<h2>Why</h2><ul class="reasons">${reasons}</ul>
<h2>Old and new version</h2>${setsTable(r)}
<h2>The gate: intervals and per-category verdicts</h2>${gateSection(r.verdict, r.gate, 'top-1 accuracy and MRR', 'questions')}
<p class="muted">Both versions ranked the same answers for the same questions, each with its own served scoring. Held-out pairs (${(d.heldOutFraction * 100).toFixed(0)} % of the questions, by a hash of the text, never trained on by any version in the chain) rank every answer of the knowledge base and every answer operators sent; the one the operator sent is right. The regression set is the fixed file <code>${esc(d.regressionFile)}</code> (${d.regressionRows} questions) ranked against the knowledge base; answers of the question's category are right.</p>
<h2>Data</h2>
<table>
<tr><td>answer actions read${d.since ? ` (since ${esc(d.since)})` : ''}</td><td>${d.actions}</td></tr>
<tr><td>dropped: empty / replaced by a later answer to the same question</td><td>${d.empty} / ${d.replaced}</td></tr>
<tr><td>question → answer pairs (training / validating / held out)</td><td>${d.pairs} (${d.pairsTrain} / ${d.pairsVal} / ${d.pairsHeldOut})</td></tr>
<tr><td>knowledge base <code>${esc(r.kb)}</code>: active answers, all in the pool trained against (new to ${esc(r.oldVersion)})</td><td>${d.kbAnswers} (${d.kbAnswersNew ?? 'not recorded'})</td></tr>
<tr><td>operators' own answers (written or edited, not in the knowledge base)</td><td>${d.operatorAnswers}</td></tr>
<tr><td>training</td><td>${d.fromScratch ? 'from scratch' : `fine-tuned from ${esc(r.oldVersion)}`}${d.shuffledLabels ? ' <b>(answers shuffled: control run)</b>' : ''}, ${r.history.length} epochs, best ${r.bestEpoch}, ${r.trainSeconds.toFixed(1)} s on ${esc(r.backend)}${d.scoringKept ? `; scoring and answer threshold kept from ${esc(r.oldVersion)} (too few validation questions to refit)` : ''}</td></tr>
<tr><td>run</td><td>${esc(r.startedAt.toISOString())} → ${esc(r.finishedAt.toISOString())}</td></tr>
</table>
<h2>Learning curve</h2><div class="charts">${curve}</div>
<h2>Per category, old vs new</h2>${r.sets.map((s) => perCategory(s, r)).join('')}
</body></html>
`;
}

/** The one-screen summary printed at the end of a run (and saved beside the HTML report). */
export function formatQaRunSummary(r: QaRunResult, reportPath: string | null): string {
  const d = r.data;
  const lines = [
    `retrain qa: run ${r.runId}, bot ${r.bot}, net ${r.net}`,
    decisionHeadline(r),
    '',
    `pairs: ${d.pairs} questions from ${d.actions} answer actions (${d.empty} empty, ${d.replaced} replaced)${d.since ? ` since ${d.since}` : ''}; ${d.pairsTrain} trained on, ${d.pairsVal} validating, ${d.pairsHeldOut} held out`,
    `answers: ${d.kbAnswers} in knowledge base ${r.kb} (${d.kbAnswersNew === null ? `${r.oldVersion} recorded no pool` : `${d.kbAnswersNew} new to ${r.oldVersion}`}), ${d.operatorAnswers} written by operators`,
    `training: ${d.fromScratch ? 'from scratch' : `fine-tuned from ${r.oldVersion}`}${d.shuffledLabels ? ' on SHUFFLED ANSWERS (control run)' : ''}, ${r.history.length} epochs (best ${r.bestEpoch}), ${r.trainSeconds.toFixed(1)} s on ${r.backend}`,
    '',
    `                          ${r.oldVersion.padEnd(18)} ${String(r.newVersion ?? 'new').padEnd(18)} change`,
  ];
  for (const s of r.sets) {
    if (s.n === 0) {
      lines.push(`${`${s.title} (0)`.padEnd(26)}not evaluated`);
      continue;
    }
    lines.push(
      `${`${s.title} (${s.n})`.padEnd(26)}${`top-1 ${pct(s.old.top1)}%`.padEnd(19)}${`top-1 ${pct(s.new.top1)}%`.padEnd(19)}${delta(s.new.top1 - s.old.top1)}`,
      `${''.padEnd(26)}${`MRR ${pct(s.old.mrr)}%`.padEnd(19)}${`MRR ${pct(s.new.mrr)}%`.padEnd(19)}${delta(s.new.mrr - s.old.mrr)}`,
    );
  }
  lines.push('', r.verdict.pass ? 'gate: passed' : 'gate: refused');
  for (const f of r.verdict.failures) lines.push(`  ✗ ${f}`);
  for (const p of r.verdict.passes) lines.push(`  ✓ ${p}`);
  if (r.forcedReason) lines.push(`  forced by operator: ${r.forcedReason}`);
  if (reportPath) lines.push('', `report: ${reportPath}`);
  return `${lines.join('\n')}\n`;
}
