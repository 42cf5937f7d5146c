/** Golden inputs stored in a classifier's meta.json (see `src/nets/classifier/classifier-kind.ts`). */
export interface GoldenInput {
  text: string;
  label: string;
}

/**
 * Picks the canary of a new net: validation texts it classifies right with the widest margin
 * between its first and second choice, one per label, at most `size`. A wide margin keeps
 * the canary about the net, not about rounding: the same files always give these labels,
 * and a damaged or wrong net rarely does.
 */
export function chooseCanary(
  texts: readonly string[],
  labels: Int32Array,
  probs: Float32Array,
  labelNames: readonly string[],
  size = 8,
): GoldenInput[] {
  const classes = labelNames.length;
  const candidates: Array<{ i: number; margin: number }> = [];
  for (let i = 0; i < texts.length; i++) {
    const row = probs.subarray(i * classes, (i + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c]! > row[best]!) best = c;
    if (best !== labels[i] || texts[i]!.trim() === '') continue;
    let second = 0;
    for (let c = 0; c < classes; c++) if (c !== best && row[c]! > second) second = row[c]!;
    candidates.push({ i, margin: row[best]! - second });
  }
  candidates.sort((a, b) => b.margin - a.margin || a.i - b.i);
  const seen = new Set<number>();
  const out: GoldenInput[] = [];
  for (const { i } of candidates) {
    if (seen.has(labels[i]!)) continue;
    seen.add(labels[i]!);
    out.push({ text: texts[i]!, label: labelNames[labels[i]!]! });
    if (out.length === size) break;
  }
  return out;
}
