import { z } from 'zod';

/**
 * How a question–answer pair is scored when served: a learned linear combination of the
 * towers' cosine and the lexical overlap (as the CNN-Cnt model of the WikiQA paper combines
 * its CNN with word counts), through a logistic function, so a score reads as the chance
 * that the answer is right. Ranking uses the linear part (the logistic is monotone), so the
 * exact top-k over a knowledge base is a dense scan plus posting lists.
 */
export const scoringSchema = z.object({
  dense: z.number(),
  count: z.number(),
  weighted: z.number(),
  bias: z.number(),
});

/** The served scoring (stored in meta.json). */
export type Scoring = z.infer<typeof scoringSchema>;

/** Cosine only, unscaled: a net before its combination is fitted. */
export const COSINE_ONLY: Scoring = { dense: 1, count: 0, weighted: 0, bias: 0 };

/** The linear part (what ranking compares). */
export function rankKey(s: Scoring, dot: number, count: number, weighted: number): number {
  return s.dense * dot + s.count * count + s.weighted * weighted + s.bias;
}

/** A rank key as a score in [0, 1]; always finite (a non-finite key counts as no match). */
export function keyToScore(key: number): number {
  if (Number.isNaN(key)) return 0;
  if (key > 40) return 1;
  if (key < -40) return 0;
  return 1 / (1 + Math.exp(-key));
}
