/** Golden inputs stored in a classifier's meta.json (see `src/nets/classifier/classifier-kind.ts`). */
export interface GoldenInput {
  text: string;
  label: string;
}

/**
 * Picks the canary of a new net: validation texts it classifies right with the widest margin
 * between its first and second choice, one per label, at most `size`. A wide margin keeps
 * the canary about the net, not about rounding: the same files always give these labels,
 * and a damaged or wrong net rarely does. When the texts are in more than one script (a
 * bilingual net: Cyrillic and Latin), the picks alternate between them, so the canary checks
 * every language the net serves.
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
  const script = (text: string) =>
    (text.match(/[\u0400-\u04ff]/g)?.length ?? 0) > (text.match(/[a-z]/gi)?.length ?? 0) ? 1 : 0;
  const queues = [0, 1].map((k) => candidates.filter((c) => script(texts[c.i]!) === k));
  const seen = new Set<number>();
  const out: GoldenInput[] = [];
  const next = [0, 0];
  for (let turn = 0; out.length < size && next.some((n, k) => n < queues[k]!.length); turn++) {
    const k = queues[turn % 2]!.length > next[turn % 2]! ? turn % 2 : 1 - (turn % 2);
    const queue = queues[k]!;
    while (next[k]! < queue.length) {
      const { i } = queue[next[k]!++]!;
      if (seen.has(labels[i]!)) continue;
      seen.add(labels[i]!);
      out.push({ text: texts[i]!, label: labelNames[labels[i]!]! });
      break;
    }
  }
  return out;
}
