import { z } from 'zod';

/**
 * The format of `bots/<name>.json`. A bot names the *environment keys* that hold its
 * channels' secrets, never the secrets: the file can be committed, the values stay in the
 * environment. Unknown keys are refused so a typo is a start-up error, not a silent default.
 */

const envKey = z
  .string()
  .regex(
    /^[A-Z][A-Z0-9_]{0,127}$/,
    'must name an environment variable in UPPER_SNAKE_CASE, e.g. SHOP_SLACK_TOKEN',
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

const enabled = z.boolean().default(true);
const origin = z
  .string()
  .regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be "*" or an origin such as https://shop.example');

const channelsSchema = z.strictObject({
  rest: z.strictObject({ enabled }).optional(),
  chat: z.strictObject({ enabled, allowedOrigins: z.array(origin).max(100).default([]) }).optional(),
  telegram: z.strictObject({ enabled, botTokenEnv: envKey, secretTokenEnv: envKey }).optional(),
  bitrix24: z
    .strictObject({
      enabled,
      clientIdEnv: envKey,
      clientSecretEnv: envKey,
      /** Optional allow-list of portal domains (comma-separated in the variable). */
      portalsEnv: envKey.optional(),
      /** The bot's CODE when it registers itself on a portal. */
      botCode: z
        .string()
        .regex(/^[a-z0-9_]{1,50}$/i)
        .optional(),
    })
    .optional(),
  chatwoot: z
    .strictObject({
      enabled,
      apiTokenEnv: envKey,
      hmacSecretEnv: envKey.optional(),
      /** A self-hosted Chatwoot for this bot; otherwise NEURODESK_CHATWOOT_API_URL. */
      apiUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .optional(),
  slack: z.strictObject({ enabled, botTokenEnv: envKey, signingSecretEnv: envKey }).optional(),
});

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

/** One bot file, validated. */
export const botFileSchema = z
  .strictObject({
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
    channels: channelsSchema,
    shop: shopSchema.optional(),
  })
  .superRefine((bot, ctx) => {
    if (!bot.templates[bot.defaultLanguage]) {
      ctx.addIssue({
        code: 'custom',
        path: ['templates', bot.defaultLanguage],
        message: `templates for the default language "${bot.defaultLanguage}" are required`,
      });
    }
  });

/** A bot file as validated (defaults applied). */
export type BotFile = z.infer<typeof botFileSchema>;

/** The templates of one language. */
export type TemplateSet = z.infer<typeof templateSetSchema>;
