import { z } from 'zod';

/**
 * The two-tower question/answer net's architecture, stored as `topology.json`. Each tower is
 * the classifier's kind of encoder ending in a vector of `dim` values scaled to unit length:
 * - conv: hashed char-trigram embedding → 1D convolutions of several widths → global max
 *   pooling (+ bias, ReLU) → dropout → dense to `dim`;
 * - wide: the vectoriser's TF-IDF bag of stemmed words, word bigrams and char n-grams →
 *   dense to `dim` (a table row per hashed n-gram);
 * summed with a bias, then L2-normalised, so a question and an answer are compared by their
 * dot product (cosine). `share` says what the towers share: `tables` the two big lookup
 * tables (trigram embedding and n-gram table, most of the parameters), `all` everything
 * (a siamese net), `none` nothing. `lexical` adds the overlap features of `lexical.ts`.
 */
export const qaTopologySchema = z.object({
  kind: z.literal('neurodesk-two-tower'),
  version: z.literal(1),
  dim: z.number().int().min(2).max(4096),
  share: z.enum(['all', 'tables', 'none']),
  conv: z
    .object({
      vocab: z.number().int().min(2),
      embedDim: z.number().int().min(1),
      widths: z.array(z.number().int().min(1).max(9)).min(1),
      filters: z.number().int().min(1),
      /** Trigrams of a question beyond this are cut. */
      maxLength: z.number().int().min(9),
      /** Trigrams of an answer beyond this are cut (answers are longer). */
      answerMaxLength: z.number().int().min(9),
    })
    .nullable(),
  wide: z.object({ vocab: z.number().int().min(2) }).nullable(),
  lexical: z.object({ bits: z.number().int().min(4).max(24) }).nullable(),
});

/** The two-tower net's architecture. */
export type QaTopology = z.infer<typeof qaTopologySchema>;

/** The two towers. */
export type Tower = 'question' | 'answer';

const TABLES = new Set(['conv/embedding', 'wide/dense']);

/** The key of a tower's weight `part` (e.g. `conv/kernel3`), after sharing. */
export function towerWeightName(t: QaTopology, tower: Tower, part: string): string {
  const shared = t.share === 'all' || (t.share === 'tables' && TABLES.has(part));
  return `${shared ? 'shared' : tower}/${part}`;
}

/** Name, shape and whether training updates it, for every weight of a two-tower topology. */
export interface QaWeightSpec {
  name: string;
  shape: number[];
  trainable: boolean;
  /** Sparse lookup tables get their own optimiser settings. */
  table: boolean;
}

/** Every weight of a topology, in storage order (shared weights once). */
export function qaWeightSpecs(t: QaTopology): QaWeightSpec[] {
  const specs = new Map<string, QaWeightSpec>();
  const add = (tower: Tower, part: string, shape: number[]) => {
    const name = towerWeightName(t, tower, part);
    if (!specs.has(name)) specs.set(name, { name, shape, trainable: true, table: TABLES.has(part) });
  };
  for (const tower of ['question', 'answer'] as const) {
    if (t.conv) {
      const c = t.conv;
      add(tower, 'conv/embedding', [c.vocab, c.embedDim]);
      for (const w of c.widths) {
        add(tower, `conv/kernel${w}`, [w * c.embedDim, c.filters]);
        add(tower, `conv/bias${w}`, [c.filters]);
      }
      add(tower, 'conv/dense', [c.widths.length * c.filters, t.dim]);
    }
    if (t.wide) add(tower, 'wide/dense', [t.wide.vocab, t.dim]);
    add(tower, 'bias', [t.dim]);
  }
  const out = [...specs.values()];
  if (t.wide) out.push({ name: 'wide/idf', shape: [t.wide.vocab], trainable: false, table: false });
  if (t.lexical)
    out.push({ name: 'lexical/idf', shape: [2 ** t.lexical.bits], trainable: false, table: false });
  return out;
}
