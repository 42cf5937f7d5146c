import { z } from 'zod';
import { murmurhash3 } from './murmurhash3.js';
import { stemWord } from './stemmers.js';
import { normalise, normaliseText } from './text-normalise.js';

export { normalise } from './text-normalise.js';

/**
 * The text vectoriser shared by every net (the classifier, the two-tower Q/A net, the shop's
 * content-based cold start). It turns text into hashed integer ids (the hashing trick), so a
 * net needs no vocabulary file and unseen words still land in a bucket. Its settings are
 * stored in each net's meta.json: the same settings always give the same ids.
 *
 * Two views of a text:
 * - `sequence`: char trigrams in reading order, one per position, for convolutions. The
 *   text is padded with a space on each side and spaces mark word boundaries, so " ca",
 *   "car", "ard", "rd " come out of "card". Ids are in [1, 2^trigramBits); 0 is padding.
 * - `bag`: a bag of stemmed words, word bigrams and char n-grams within words (padded by
 *   spaces), deduplicated with counts, for wide "bag of n-grams" layers. Ids are in
 *   [1, 2^bag.bits). Each kind is hashed with its own seed, so a word and an n-gram with
 *   the same letters do not collide on purpose.
 */

/** Settings of a {@link Vectoriser}; stored in a net's meta.json under `vectoriser`. */
export const vectoriserSettingsSchema = z.object({
  version: z.literal(1),
  /**
   * Text normalisation before hashing (`src/nets/text-normalise.ts`): 1 (or absent, as in nets
   * made before it was recorded) is `normalise` alone; 2 first repairs wrong keyboard layouts
   * and transliterated Russian (`normaliseText`).
   */
  normalisation: z.union([z.literal(1), z.literal(2)]).optional(),
  /** Seed of MurmurHash3; changing it changes every id. */
  seed: z.number().int().min(0).max(0xffffffff),
  /** Code points kept after normalisation: a longer text is classified from its head. */
  maxChars: z.number().int().min(8).max(100_000),
  /** Trigram ids are in [1, 2^trigramBits). */
  trigramBits: z.number().int().min(4).max(24),
  /** The bag of words and n-grams; null to skip it. */
  bag: z
    .object({
      bits: z.number().int().min(4).max(24),
      words: z.boolean(),
      stem: z.boolean(),
      wordBigrams: z.boolean(),
      /** Char n-grams within words, of lengths charMin..charMax; charMax 0 for none. */
      charMin: z.number().int().min(1).max(8),
      charMax: z.number().int().min(0).max(8),
    })
    .nullable(),
});

/** Settings of a {@link Vectoriser}. */
export type VectoriserSettings = z.infer<typeof vectoriserSettingsSchema>;

/** Defaults: 2^15 trigram buckets, 2^18 bag buckets, stemmed words, word bigrams, char 2–5-grams. */
export const DEFAULT_VECTORISER_SETTINGS: VectoriserSettings = {
  version: 1,
  seed: 0x5eed,
  maxChars: 1000,
  trigramBits: 15,
  bag: { bits: 18, words: true, stem: true, wordBigrams: true, charMin: 2, charMax: 5 },
};

/** A text's hashed features. */
export interface Features {
  /** Char-trigram ids in reading order (empty for an empty text). */
  sequence: Int32Array;
  /** Distinct bag ids, ascending (empty when the settings have no bag). */
  bagIds: Int32Array;
  /** How often each of `bagIds` occurs. */
  bagCounts: Float32Array;
}

// Seeds of the feature kinds are offsets from the settings' seed.
const SEED_TRIGRAM = 0;
const SEED_WORD = 1;
const SEED_BIGRAM = 2;
const SEED_CHAR = 3;

const WORD_RE = /<(?:url|email|num|id)>|[\p{L}\p{N}_]+|\p{Extended_Pictographic}/gu;

const encoder = new TextEncoder();

/** UTF-8 bytes of `text` and the byte offset of each code point, plus the end offset. */
function utf8WithOffsets(text: string): { bytes: Uint8Array; offsets: Int32Array } {
  const bytes = encoder.encode(text);
  const offsets = new Int32Array(bytes.length + 1);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) !== 0x80) offsets[n++] = i;
  offsets[n++] = bytes.length;
  return { bytes, offsets: offsets.subarray(0, n) };
}

/** Maps a 32-bit hash into [1, 2^bits): id 0 stays free for padding. */
function bucket(hash: number, bits: number): number {
  return 1 + (hash % ((1 << bits) - 1));
}

/** Turns texts into hashed ids; see the module comment for the two views. */
export class Vectoriser {
  /** The validated settings (stored in meta.json). */
  readonly settings: VectoriserSettings;

  constructor(settings: VectoriserSettings = DEFAULT_VECTORISER_SETTINGS) {
    this.settings = vectoriserSettingsSchema.parse(settings);
  }

  /** Builds a vectoriser from stored settings, failing with a message that names the bad field. */
  static fromJSON(value: unknown): Vectoriser {
    const parsed = vectoriserSettingsSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`invalid vectoriser settings at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return new Vectoriser(parsed.data);
  }

  /** The settings, for meta.json. */
  toJSON(): VectoriserSettings {
    return this.settings;
  }

  /** Normalises a text with these settings' length cap. */
  normalise(text: string): string {
    return this.settings.normalisation === 2
      ? normaliseText(text, this.settings.maxChars)
      : normalise(text, this.settings.maxChars);
  }

  /** Words of a normalised text (placeholders and emoji count as words), stemmed if set. */
  words(normalised: string): string[] {
    const words = normalised.match(WORD_RE) ?? [];
    return this.settings.bag?.stem ? words.map(stemWord) : words;
  }

  /** Hashed features of a raw text. */
  featurize(text: string): Features {
    const norm = this.normalise(text);
    return { sequence: this.trigrams(norm), ...this.bag(norm) };
  }

  private trigrams(norm: string): Int32Array {
    if (norm.length === 0) return new Int32Array(0);
    const { bytes, offsets } = utf8WithOffsets(` ${norm} `);
    const points = offsets.length - 1;
    const out = new Int32Array(Math.max(0, points - 2));
    const seed = (this.settings.seed + SEED_TRIGRAM) >>> 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = bucket(murmurhash3(bytes, seed, offsets[i]!, offsets[i + 3]!), this.settings.trigramBits);
    }
    return out;
  }

  private bag(norm: string): { bagIds: Int32Array; bagCounts: Float32Array } {
    const bag = this.settings.bag;
    if (!bag || norm.length === 0) return { bagIds: new Int32Array(0), bagCounts: new Float32Array(0) };
    const ids: number[] = [];
    const seed = this.settings.seed;
    if (bag.words || bag.wordBigrams) {
      const words = this.words(norm).map((w) => encoder.encode(w));
      for (let i = 0; i < words.length; i++) {
        if (bag.words) ids.push(bucket(murmurhash3(words[i]!, (seed + SEED_WORD) >>> 0), bag.bits));
        if (bag.wordBigrams && i > 0) {
          const a = words[i - 1]!;
          const pair = new Uint8Array(a.length + 1 + words[i]!.length);
          pair.set(a);
          pair[a.length] = 0x20;
          pair.set(words[i]!, a.length + 1);
          ids.push(bucket(murmurhash3(pair, (seed + SEED_BIGRAM) >>> 0), bag.bits));
        }
      }
    }
    if (bag.charMax >= bag.charMin) {
      // Tokens are separated by single spaces in a normalised text, so the padded text holds
      // every " token " window: n-grams within a token (and its boundary marks) are byte
      // ranges of one encoding.
      const { bytes, offsets } = utf8WithOffsets(` ${norm} `);
      const points = offsets.length - 1;
      const seeds = Array.from({ length: bag.charMax + 1 }, (_, n) => (seed + SEED_CHAR + n) >>> 0);
      let start = 0;
      for (let end = 1; end < points; end++) {
        if (bytes[offsets[end]!] !== 0x20) continue;
        // The window [start, end] is " token ".
        const len = end - start + 1;
        for (let n = bag.charMin; n <= bag.charMax; n++) {
          for (let i = start; i + n <= start + len; i++) {
            ids.push(bucket(murmurhash3(bytes, seeds[n]!, offsets[i]!, offsets[i + n]!), bag.bits));
          }
        }
        start = end;
      }
    }
    return countIds(ids);
  }
}

/** Distinct ids in ascending order with their counts. */
function countIds(ids: number[]): { bagIds: Int32Array; bagCounts: Float32Array } {
  const sorted = Int32Array.from(ids).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const bagIds = new Int32Array(distinct);
  const bagCounts = new Float32Array(distinct);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) bagIds[++k] = sorted[i]!;
    bagCounts[k]! += 1;
  }
  return { bagIds, bagCounts };
}
