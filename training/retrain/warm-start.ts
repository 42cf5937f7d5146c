import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { WeightSpec } from '../../src/nets/classifier/topology.js';

/**
 * Starting weights taken from the version in service, for fine-tuning it instead of training
 * from scratch. Weights of the same shape are copied; the output layers (class dimension last)
 * are copied column by column by label, so categories keep their columns when new ones sort in
 * between, and a new category starts at zero. The IDF table is always recomputed from the data.
 */
export function warmStartFrom(
  old: ClassifierNet,
): (spec: WeightSpec, labels: readonly string[]) => Float32Array | undefined {
  const oldIndex = new Map(old.meta.labels.map((l, i) => [l, i]));
  return (spec, labels) => {
    const w = old.weights[spec.name];
    if (!w || spec.name === 'wide/idf') return undefined;
    const src = w.dataSync() as Float32Array;
    const same = w.shape.length === spec.shape.length && w.shape.every((n, i) => n === spec.shape[i]);
    if (same && labels.length === old.meta.labels.length && labels.every((l, i) => oldIndex.get(l) === i)) {
      return Float32Array.from(src);
    }
    const oldClasses = old.meta.labels.length;
    const lead = spec.shape.slice(0, -1);
    const classDim = spec.shape.at(-1) === labels.length && w.shape.at(-1) === oldClasses;
    if (!classDim || lead.length !== w.shape.length - 1 || lead.some((n, i) => n !== w.shape[i])) {
      return same ? Float32Array.from(src) : undefined;
    }
    const rows = lead.reduce((a, n) => a * n, 1);
    const out = new Float32Array(rows * labels.length);
    labels.forEach((label, j) => {
      const i = oldIndex.get(label);
      if (i === undefined) return;
      for (let r = 0; r < rows; r++) out[r * labels.length + j] = src[r * oldClasses + i]!;
    });
    return out;
  };
}
