import { z } from 'zod';
import { provenanceSchema } from '../provenance.js';
import { vectoriserSettingsSchema } from '../vectoriser.js';

/** `meta.json` of a classifier version: everything but the topology and the weight values. */
export const classifierMetaSchema = z.object({
  kind: z.literal('classifier'),
  name: z.string().min(1),
  createdAt: z.string(),
  vectoriser: vectoriserSettingsSchema,
  labels: z.array(z.string()).min(2),
  /** Temperature fitted on the validation split: confidence = softmax(logits / T). */
  temperature: z.number().positive(),
  /** Predictions with a calibrated confidence under this are flagged `unsure`. */
  unsureThreshold: z.number().min(0).max(1),
  /** How the threshold was chosen, in words (for the report). */
  unsureRule: z.string().optional(),
  /** Figures measured at training time (validation split). */
  metrics: z.record(z.string(), z.number()),
  trainingData: z.object({
    file: z.string(),
    sha256: z.string(),
    rows: z.number().int(),
    /** Operators' labels merged into the file's rows by a retraining run. */
    labels: z
      .object({
        rows: z.number().int(),
        sha256: z.string(),
        heldOut: z.number().int(),
        since: z.string().nullable(),
      })
      .optional(),
  }),
  training: z.record(z.string(), z.unknown()),
  /** Files, recipe and commit that made this version (absent on versions made before it was recorded). */
  provenance: provenanceSchema.optional(),
  /**
   * Golden inputs: texts the net classified right with high confidence when it was saved. A
   * reload refuses a version that no longer gives these labels (see `classifier-kind.ts`).
   */
  canary: z.array(z.object({ text: z.string(), label: z.string() })).optional(),
  /** How a retraining run made and judged this version. */
  retraining: z
    .object({
      runId: z.number().int(),
      fromVersion: z.string().nullable(),
      decision: z.string(),
      heldOutFraction: z.number(),
      /** Seed of the base data's validation split, kept through every retraining of a net. */
      valSplitSeed: z.number().int(),
      regressionSet: z.object({ file: z.string(), sha256: z.string(), rows: z.number().int() }),
      /** Base rows a fine-tune replayed per epoch (null: all) of the base rows it could train on. */
      replay: z.object({ rows: z.number().int().nullable(), of: z.number().int() }).optional(),
    })
    .optional(),
  weights: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int().min(0)),
      encoding: z.enum(['float32', 'int8-rows']),
      offset: z.number().int().min(0),
      bytes: z.number().int().min(0),
    }),
  ),
});

/** `meta.json` of a classifier version. */
export type ClassifierMeta = z.infer<typeof classifierMetaSchema>;
