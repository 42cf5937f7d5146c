// @ts-check
/** The stats page: what the desk did over the last days, as small SVG charts. */
import { barChart, lineChart, stackedBar } from './charts.js';
import { h } from './dom.js';

/** @typedef {import('./i18n.js').StringKey} StringKey */

/**
 * The stats page's cards for the server's `stats` result.
 * @param {any} s
 * @param {{tr: (key: StringKey, vars?: Record<string, string | number>) => string, label: (category: string) => string}} o
 * @returns {Node[]}
 */
export function statsCards(s, o) {
  /** @param {StringKey} title @param {Node} body */
  const card = (title, body) => h('section', { class: 'card' }, [h('h3', {}, [o.tr(title)]), body]);
  const noData = () => h('p', { class: 'empty' }, [o.tr('noData')]);
  return [
    card(
      'ticketsPerCategory',
      s.perCategory.length
        ? barChart(
            s.perCategory
              .slice(0, 15)
              .map((/** @type {any} */ r) => ({ label: o.label(r.category), value: r.count })),
          )
        : noData(),
    ),
    card(
      'outcomes',
      s.outcomes.autoReply + s.outcomes.handoff
        ? stackedBar([
            { label: o.tr('autoReply'), value: s.outcomes.autoReply, color: '#1f9d55' },
            { label: o.tr('handoff'), value: s.outcomes.handoff, color: '#f0a020' },
          ])
        : noData(),
    ),
    card(
      'acceptance',
      s.suggestions.accepted + s.suggestions.edited + s.suggestions.written
        ? stackedBar([
            { label: o.tr('accepted'), value: s.suggestions.accepted, color: '#1f9d55' },
            { label: o.tr('edited'), value: s.suggestions.edited, color: '#4f7cff' },
            { label: o.tr('written'), value: s.suggestions.written, color: '#999' },
          ])
        : noData(),
    ),
    card(
      'agreement',
      s.agreement.length
        ? lineChart(
            s.agreement.map((/** @type {any} */ a) => ({
              label: a.day.slice(5),
              value: a.total ? a.agree / a.total : null,
            })),
          )
        : noData(),
    ),
    card(
      'latency',
      s.latency.length
        ? barChart(
            s.latency.flatMap((/** @type {any} */ l) => {
              const kind = o.tr(/** @type {StringKey} */ (`kind_${l.kind}`));
              return [
                { label: `${kind}, ${o.tr('p50')}`, value: l.p50 },
                { label: `${kind}, ${o.tr('p95')}`, value: l.p95 },
              ];
            }),
            { format: (v) => v.toFixed(1), color: '#8a63d2' },
          )
        : noData(),
    ),
    ...(s.latestReport
      ? [
          h('a', { href: s.latestReport, target: '_blank', 'data-testid': 'latest-report' }, [
            o.tr('latestReport'),
          ]),
        ]
      : []),
    ...(s.rollbacks?.length
      ? [
          h(
            'p',
            { 'data-testid': 'rollbacks' },
            s.rollbacks.map((/** @type {any} */ r) =>
              h('span', { class: 'rollback' }, [
                `${o.tr('rolledBack')}: ${r.net} ${r.from} → ${r.to}, ${new Date(r.at).toLocaleString()}${r.reason ? ` (${r.reason})` : ''}. `,
              ]),
            ),
          ),
        ]
      : []),
  ];
}
