import { z } from 'zod';

/**
 * The classifier's architecture, stored as `topology.json` in a net folder. Two paths meet
 * before the softmax:
 * - conv: hashed char-trigram embedding → 1D convolutions of several widths → global max
 *   pooling (+ bias, ReLU) → dropout → dense; the "deep n-grams" of the design.
 * - wide: the vectoriser's bag of stemmed words, word bigrams and char n-grams, TF-IDF
 *   weighted and L2-normalised → dense; a linear model over hashed n-grams.
 * Either path may be absent; their logits are summed with one bias.
 */
export const topologySchema = z.object({
  kind: z.literal('neurodesk-text-classifier'),
  version: z.literal(1),
  classes: z.number().int().min(2),
  conv: z
    .object({
      vocab: z.number().int().min(2),
      embedDim: z.number().int().min(1),
      widths: z.array(z.number().int().min(1).max(9)).min(1),
      filters: z.number().int().min(1),
      /** Trigrams beyond this are cut (the head of a text decides). */
      maxLength: z.number().int().min(9),
    })
    .nullable(),
  wide: z.object({ vocab: z.number().int().min(2) }).nullable(),
});

/** The classifier's architecture. */
export type Topology = z.infer<typeof topologySchema>;

/** Name, shape and whether training updates it, for every weight of a topology. */
export interface WeightSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  /** Weights under L2 regularisation (not biases, not IDF). */
  decay: boolean;
}

/** Every weight of a topology, in storage order. */
export function weightSpecs(t: Topology): WeightSpec[] {
  const specs: WeightSpec[] = [];
  if (t.conv) {
    const c = t.conv;
    specs.push({ name: 'conv/embedding', shape: [c.vocab, c.embedDim], trainable: true, decay: false });
    for (const w of c.widths) {
      specs.push({
        name: `conv/kernel${w}`,
        shape: [w * c.embedDim, c.filters],
        trainable: true,
        decay: true,
      });
      specs.push({ name: `conv/bias${w}`, shape: [c.filters], trainable: true, decay: false });
    }
    specs.push({
      name: 'conv/dense',
      shape: [c.widths.length * c.filters, t.classes],
      trainable: true,
      decay: true,
    });
  }
  if (t.wide) {
    specs.push({ name: 'wide/idf', shape: [t.wide.vocab], trainable: false, decay: false });
    specs.push({ name: 'wide/dense', shape: [t.wide.vocab, t.classes], trainable: true, decay: true });
  }
  specs.push({ name: 'output/bias', shape: [t.classes], trainable: true, decay: false });
  return specs;
}
