import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { LabelledData } from '../data.js';

/**
 * Golden inputs for the serving side's canary: per category, the text of a fixed, non-customer
 * set (the regression set) that the net gets right with the highest confidence, at most `max`
 * in all. A reload checks that the loaded files still give these labels.
 */
export function pickGoldenInputs(
  net: ClassifierNet,
  data: LabelledData,
  max = 16,
): Array<{ text: string; label: string }> {
  const best = new Map<string, { text: string; conf: number }>();
  const predictions = [];
  for (let at = 0; at < data.texts.length; at += 512)
    predictions.push(...net.predictBatch(data.texts.slice(at, at + 512), 1));
  predictions.forEach((p, i) => {
    const label = data.labels[i]!;
    if (p.category !== label || p.confidence < 0.5) return;
    const seen = best.get(label);
    if (!seen || p.confidence > seen.conf) best.set(label, { text: data.texts[i]!, conf: p.confidence });
  });
  return [...best.entries()]
    .sort((a, b) => b[1].conf - a[1].conf)
    .slice(0, max)
    .map(([label, v]) => ({ text: v.text, label }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
