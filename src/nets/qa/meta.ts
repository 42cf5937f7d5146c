import { z } from 'zod';
import { provenanceSchema } from '../provenance.js';
import { vectoriserSettingsSchema } from '../vectoriser.js';
import { scoringSchema } from './scoring.js';

/** A few inputs with the vectors the net gave them when it was saved: a loaded net must give the same. */
export const goldenSchema = z.object({
  tower: z.enum(['question', 'answer']),
  text: z.string(),
  vector: z.array(z.number()),
});

/** `meta.json` of a two-tower version: everything but the topology and the weight values. */
export const qaMetaSchema = z.object({
  kind: z.literal('qa'),
  name: z.string().min(1),
  createdAt: z.string(),
  vectoriser: vectoriserSettingsSchema,
  /** The softmax scale of training (logits = scale × cosine). */
  scale: z.number().positive(),
  scoring: scoringSchema,
  /** Scores at or above this let the bot answer by itself (chosen on validation). */
  threshold: z.number().min(0).max(1),
  thresholdRule: z.string().optional(),
  /** Golden inputs: a loaded net must give their vectors again (the canary of a reload). */
  canary: z.array(goldenSchema),
  metrics: z.record(z.string(), z.number()),
  trainingData: z.object({
    files: z.array(z.object({ file: z.string(), sha256: z.string(), rows: z.number().int() })),
  }),
  training: z.record(z.string(), z.unknown()),
  /** Files, recipe and commit that made this version (absent on versions made before it was recorded). */
  provenance: provenanceSchema.optional(),
  /** How a retraining run made and judged this version. */
  retraining: z
    .object({
      runId: z.number().int(),
      fromVersion: z.string().nullable(),
      decision: z.string(),
      heldOutFraction: z.number(),
      /** SHA-256 of the operators' pairs and the knowledge base it learned: equal means nothing new. */
      inputsSha256: z.string(),
      /** The first 12 hex digits of the SHA-256 of each answer it was trained against (normalised text). */
      answerKeys: z.array(z.string()),
      regressionSet: z.object({ file: z.string(), sha256: z.string(), rows: z.number().int() }),
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

/** `meta.json` of a two-tower version. */
export type QaMeta = z.infer<typeof qaMetaSchema>;
