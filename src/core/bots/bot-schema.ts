import { z } from 'zod';

/**
 * The format of `bots/<name>.json`. A bot names the *environment keys* that hold its
 * channels' secrets, never the secrets: the file can be committed, the values stay in the
 * environment. Unknown keys are refused so a typo is a start-up error, not a silent default.
 */

/** A field naming an environment variable (channels' sections name their secrets with it). */
export const envKey = z
  .string()
  .regex(
    /^[A-Z][A-Z0-9_]{0,127}$/,
    'must name an environment variable in UPPER_SNAKE_CASE, e.g. SHOP_BOT_TOKEN',
  );

const probability = z.number().min(0).max(1);
/** A language as a bot file names it: a BCP 47 primary subtag (`en`, `ru`, `uk`, …). */
const languageTag = z.string().regex(/^[a-z]{2,3}$/, 'must be a language code such as "en" or "ru"');
const categoryName = z.string().min(1).max(100);
const queueName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'must be a short lower-case queue name');

/** Reply templates of one language. `{name}` is replaced by the customer's name when known. */
export const templateSetSchema = z.strictObject({
  greeting: z.string().min(1).max(2000),
  handoff: z.string().min(1).max(2000),
  fallback: z.string().min(1).max(2000),
  /** The label of the "talk to a person" button. */
  talkToPerson: z.string().min(1).max(64),
  /** Words that, written by the customer, ask for a person (matched case-insensitively). */
  handoffKeywords: z.array(z.string().min(2).max(64)).max(50).default([]),
});

/** A channel section's switch: on unless `false`. */
export const enabled = z.boolean().default(true);

/** Shop recommendations attached to the bot's replies when a conversation is about a product. */
const shopSchema = z.strictObject({
  enabled,
  /** How many products to attach. */
  k: z.int().min(1).max(8).default(3),
  /** Cosine between a message and a product title needed to say the message is about it. */
  minTitleSimilarity: probability.optional(),
  /** The line above the products, per language ("{product}" is the product's title). */
  heading: z.record(languageTag, z.string().min(1).max(200)).default({}),
});

/** What a bot file holds besides its channels. */
const botFields = {
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
  description: z.string().max(500).optional(),
  /** The language of a customer whose language is not known or not one of the bot's. */
  defaultLanguage: languageTag.default('en'),
  nets: z.strictObject({
    classifier: z.string().min(1).max(200),
    qa: z.string().min(1).max(200),
    kb: z.string().min(1).max(100).optional(),
  }),
  policy: z.strictObject({
    /** Auto-reply needs the classifier's confidence at least this. */
    minConfidence: probability,
    /** ...and the top answer's score at least this (default: the QA net's own threshold). */
    minAnswerScore: z.number().min(-1).max(1).optional(),
    /** Ambiguity: hand off when the top two categories are closer than this. */
    minConfidenceGap: probability.default(0),
    /**
     * Suggestions in the customer's language are relevant from this score (default: the QA
     * net's threshold); with none relevant, answers of every language are suggested, by score.
     */
    minRelevantScore: probability.optional(),
    /** Ambiguity: hand off when the top two answers (of different categories) are closer than this. */
    minAnswerGap: z.number().min(0).max(2).default(0),
    suggestions: z.int().min(1).max(10).default(3),
    neverAutoAnswer: z.array(z.string().min(1)).max(500).default([]),
  }),
  queues: z.strictObject({
    default: queueName,
    byCategory: z.record(z.string().min(1), queueName).default({}),
    /** Minutes a customer may wait for a person in each queue (`default` for the rest); the console warns before. */
    slaMinutes: z.record(queueName, z.int().min(1).max(10_080)).default({}),
  }),
  /** Reply templates per language: the languages the bot speaks. */
  templates: z.record(languageTag, templateSetSchema),
  /** What operators and reports call each category, per language (the category itself when absent). */
  categoryNames: z.record(languageTag, z.record(z.string().min(1).max(100), categoryName)).default({}),
  shop: shopSchema.optional(),
  /** Which of the bot's nets `NEURODESK_RETRAIN_SCHEDULE` retrains (default: both; `[]`: none). */
  retrain: z
    .strictObject({
      nets: z
        .array(z.enum(['classifier', 'qa']))
        .max(2)
        .default(['classifier', 'qa']),
    })
    .optional(),
};

/**
 * The schema of a bot file whose `channels` section holds one optional section per channel
 * given (each channel brings its own: see {@link ChannelSettings}).
 */
export function botFileSchemaFor(channels: readonly Pick<ChannelSettings, 'name' | 'section'>[]) {
  const sections = Object.fromEntries(channels.map((c) => [c.name, c.section.optional()]));
  return z.strictObject({ ...botFields, channels: z.strictObject(sections) }).superRefine((bot, ctx) => {
    if (!bot.templates[bot.defaultLanguage]) {
      ctx.addIssue({
        code: 'custom',
        path: ['templates', bot.defaultLanguage],
        message: `templates for the default language "${bot.defaultLanguage}" are required`,
      });
    }
  });
}

/** A bot file as validated (defaults applied); each channel reads its own section. */
export type BotFile = z.infer<z.ZodObject<typeof botFields>> & { channels: Record<string, unknown> };

/** What a channel's secrets are resolved with: the environment, and where to report. */
export interface SecretEnv {
  /** The variable's value; unset and empty are the same. */
  value(key: string): string | undefined;
  /**
   * All of `keys` set → their values; none → undefined (the channel is off, noted); some →
   * undefined and a problem, since that is a half-done configuration.
   */
  need(keys: readonly string[]): string[] | undefined;
  /** A problem with a field of the channel's section (`field` is relative to it). */
  problem(field: string, message: string): void;
  /** A remark for the start-up log. */
  note(message: string): void;
}

/**
 * A channel's part of the bot file: the section `channels.<name>` and how its secrets are
 * resolved from the environment into the settings the channel runs with.
 */
export interface ChannelSettings<S = unknown> {
  name: string;
  /** The section's schema (a strict object with `enabled`). */
  section: z.ZodType;
  /** Whether the channel runs for a bot file without its section (the REST API, the chat). */
  onByDefault?: boolean;
  /** The settings of a bot, or undefined when the channel stays off. */
  resolve(section: unknown, env: SecretEnv, bot: { name: string }): S | undefined;
}

/** The templates of one language. */
export type TemplateSet = z.infer<typeof templateSetSchema>;
