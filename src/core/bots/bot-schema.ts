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
  heading: z
    .strictObject({ en: z.string().min(1).max(200).optional(), ru: z.string().min(1).max(200).optional() })
    .default({}),
});

/** One bot file, validated. */
export const botFileSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes'),
    description: z.string().max(500).optional(),
    defaultLanguage: z.enum(['en', 'ru']).default('en'),
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
      /** Ambiguity: hand off when the top two answers (of different categories) are closer than this. */
      minAnswerGap: z.number().min(0).max(2).default(0),
      suggestions: z.int().min(1).max(10).default(3),
      neverAutoAnswer: z.array(z.string().min(1)).max(500).default([]),
    }),
    queues: z.strictObject({
      default: queueName,
      byCategory: z.record(z.string().min(1), queueName).default({}),
    }),
    templates: z.strictObject({ en: templateSetSchema.optional(), ru: templateSetSchema.optional() }),
    channels: channelsSchema,
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
