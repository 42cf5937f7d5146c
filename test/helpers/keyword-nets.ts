import type {
  AnswerSuggester,
  Classification,
  Suggestion,
  SuggestionResult,
  TicketClassifier,
} from '../../src/core/ports.js';

/**
 * Small in-memory implementations of the classifier and suggester ports, for the policy's
 * and pipeline's own tests: a handful of keyword rules over BANKING77 categories, with the
 * confidences and scores a test needs to steer the policy. They say nothing about the real
 * nets' quality.
 */
const RULES: Array<{ category: string; words: RegExp; answer: Suggestion }> = [
  {
    category: 'card_arrival',
    // Bounded gaps (not .*): linear in the text, so a 100 kB message does not stall the process.
    words: /card.{0,60}(arriv|deliver|come)|not (received|got) my card|карт.{0,60}(пришл|доставк|получил)/i,
    answer: {
      answerId: 101,
      category: 'card_arrival',
      score: 0.92,
      text: 'Cards arrive within 3 working days; you can track yours in the app.',
    },
  },
  {
    category: 'exchange_rate',
    words: /exchange rate|курс/i,
    answer: {
      answerId: 102,
      category: 'exchange_rate',
      score: 0.9,
      text: 'We use the interbank exchange rate, updated every minute.',
    },
  },
  {
    category: 'lost_or_stolen_card',
    words: /stole|lost my card|украли|потерял/i,
    answer: {
      answerId: 103,
      category: 'lost_or_stolen_card',
      score: 0.91,
      text: 'Freeze the card in the app at once, then order a new one.',
    },
  },
];

/** A deterministic keyword classifier. Unmatched text gets `unsure` at 0.2. */
export class KeywordClassifier implements TicketClassifier {
  calls = 0;
  async classify(netName: string, text: string): Promise<Classification> {
    this.calls++;
    const rule = RULES.find((r) => r.words.test(text));
    const category = rule?.category ?? 'fiat_currency_support';
    const confidence = rule ? 0.95 : 0.2;
    return {
      category,
      confidence,
      unsure: !rule,
      top: [
        { category, confidence },
        { category: 'atm_support', confidence: rule ? 0.03 : 0.15 },
      ],
      net: { name: netName, version: 'keywords-1' },
      latencyMs: 0.1,
    };
  }
}

/** A deterministic suggester returning the keyword rule's answer first. */
export class KeywordSuggester implements AnswerSuggester {
  async suggest(
    netName: string,
    text: string,
    o: { k: number; category?: string },
  ): Promise<SuggestionResult> {
    const rule = RULES.find((r) => r.words.test(text)) ?? RULES.find((r) => r.category === o.category);
    const others = RULES.filter((r) => r !== rule).map((r) => ({ ...r.answer, score: 0.3 }));
    const suggestions = [...(rule ? [rule.answer] : []), ...others].slice(0, o.k);
    return { suggestions, net: { name: netName, version: 'keywords-1' }, threshold: 0.6, latencyMs: 0.1 };
  }
}
