import { z } from 'zod';
import { detectLanguage } from '../core/language.js';
import type { KbAnswerPatch, NewKbAnswer } from './types.js';

/** Longest answer text accepted (an answer is a message, not a document). */
export const MAX_ANSWER_CHARS = 4000;

const text = z
  .string({ error: (i) => (i.input === undefined ? 'text is required' : 'text must be a string') })
  .transform((t) => t.trim())
  .refine((t) => t.length > 0, 'text must not be empty')
  .refine((t) => t.length <= MAX_ANSWER_CHARS, `text must be at most ${MAX_ANSWER_CHARS} characters`);
const category = z
  .string({ error: 'category must be a string or null' })
  .trim()
  .min(1, 'category must not be empty (use null for none)')
  .max(100, 'category must be at most 100 characters')
  .nullable();
const language = z
  .string({ error: 'language must be a string' })
  .regex(/^[a-z]{2,3}$/, 'language must be a two- or three-letter code such as en or ru');
/** The name of a knowledge base. */
export const kbName = z
  .string({ error: 'kb must be a string' })
  .regex(/^[\w.-]{1,100}$/, 'kb must be 1–100 letters, digits, dots, dashes or underscores');
const active = z.boolean({ error: 'active must be true or false' });

/** A new answer as the API and the import take it. */
export const newAnswerSchema = z.strictObject({
  text,
  category: category.optional(),
  language: language.optional(),
  active: active.optional(),
  kb: kbName.optional(),
});

/** Changes to an answer. */
export const answerPatchSchema = z
  .strictObject({
    text: text.optional(),
    category: category.optional(),
    language: language.optional(),
    active: active.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'nothing to change: give text, category, language or active');

/** Fills in the defaults of a validated new answer: language from the text's script, active, the kb. */
export function completeAnswer(a: z.infer<typeof newAnswerSchema>, kb: string): NewKbAnswer {
  return {
    kb: a.kb ?? kb,
    text: a.text,
    category: a.category ?? null,
    language: a.language ?? detectLanguage(a.text) ?? 'en',
    active: a.active ?? true,
  };
}

/** A validated patch. */
export function toPatch(p: z.infer<typeof answerPatchSchema>): KbAnswerPatch {
  return p;
}

/** The first problem of a failed parse, as `field: message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** A CSV row's string fields as the JSON shape: empty optional fields left out, `active` as a boolean. */
export function answerFromCsv(fields: Record<string, string>): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === '' && key !== 'text') continue;
    if (key === 'active') {
      const v = value.trim().toLowerCase();
      out.active =
        v === 'true' || v === '1' || v === 'yes'
          ? true
          : v === 'false' || v === '0' || v === 'no'
            ? false
            : value;
    } else out[key] = value;
  }
  return out;
}
