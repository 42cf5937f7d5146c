import { z } from 'zod';

/**
 * Where a net version came from: the files it was trained and evaluated on (hash and row
 * count each), the recipe that made it and the commit of the code that trained it. Written by
 * `npm run train` and by retraining; read by retraining to find a net's evaluation files
 * without flags, and shown in reports and the admin listing.
 */
export const provenanceFileSchema = z.object({
  /** What the file was used for. */
  role: z.enum(['train', 'validation', 'test', 'regression', 'labels', 'kb']),
  /** Path relative to the project root where possible. */
  file: z.string(),
  sha256: z.string(),
  rows: z.number().int().min(0),
  /** Licence or attribution of the data, where it has one (e.g. CC BY 4.0, PolyAI). */
  licence: z.string().optional(),
});

export const provenanceSchema = z.object({
  /** `git rev-parse HEAD` of the code that trained it (with `-dirty` when the tree had changes), or `unknown`. */
  commit: z.string(),
  /** The command or recipe that made it, in words a person can re-run. */
  recipe: z.string(),
  files: z.array(provenanceFileSchema),
});

export type ProvenanceFile = z.infer<typeof provenanceFileSchema>;
export type Provenance = z.infer<typeof provenanceSchema>;
