import type { AnswerSuggester, Suggestion, SuggestionResult, SuggestOptions } from '../core/ports.js';
import { AppError } from '../errors.js';
import type { AnswerIndex, SearchQuery } from '../nets/qa/answer-index.js';
import { EMBED_QUESTION_OP, qaTerms } from '../nets/qa/qa-kind.js';
import type { NetRegistry } from '../nets/runtime/net-registry.js';
import type { AnswerIndexes, Generation } from './answer-indexes.js';
import { DEFAULT_KB, type KnowledgeBase } from './knowledge-base.js';

interface Pending {
  text: string;
  o: SuggestOptions;
  started: number;
  resolve: (r: SuggestionResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Suggests answers from a knowledge base with a two-tower net served by the nets runtime.
 * Each question goes through the question tower micro-batched by the runtime (at the version
 * whose vectors the knowledge base holds); questions that arrive in the same turn of the
 * event loop for the same net and knowledge base share one scan of the answer matrix.
 */
export class QaSuggester implements AnswerSuggester {
  private readonly pending = new Map<string, Pending[]>();

  constructor(
    private readonly indexes: AnswerIndexes,
    private readonly kb: KnowledgeBase,
    private readonly nets: NetRegistry,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The best `k` answers for a text; 503 `not_ready` while the net is not loaded. */
  suggest(netName: string, text: string, o: SuggestOptions): Promise<SuggestionResult> {
    if (!this.nets.served(netName)) {
      return Promise.reject(
        new AppError('not_ready', `answer net "${netName}" is not loaded yet`, {
          headers: { 'Retry-After': '5' },
        }),
      );
    }
    const key = `${netName}\u0000${o.kb ?? DEFAULT_KB}`;
    return new Promise((resolve, reject) => {
      let queue = this.pending.get(key);
      if (!queue) {
        queue = [];
        this.pending.set(key, queue);
        setImmediate(() => {
          this.pending.delete(key);
          void this.flush(netName, o.kb ?? DEFAULT_KB, queue!);
        });
      }
      queue.push({ text, o, started: this.now(), resolve, reject });
    });
  }

  private async flush(netName: string, kb: string, batch: Pending[]): Promise<void> {
    try {
      const gen = await this.indexes.serve(netName, kb);
      const results = await this.answer(netName, gen, batch);
      const texts = new Map(
        (await this.kb.getMany([...new Set(results.flatMap((hits) => hits.map((h) => h.id)))])).map((a) => [
          a.id,
          a.text,
        ]),
      );
      batch.forEach((p, i) => {
        const suggestions: Suggestion[] = results[i]!.flatMap((h) => {
          const t = texts.get(h.id);
          return t === undefined
            ? []
            : [{ answerId: h.id, text: t, score: h.score, category: h.category, language: h.language }];
        });
        p.resolve({
          suggestions,
          net: { name: netName, version: gen.version },
          threshold: gen.info.threshold,
          latencyMs: this.now() - p.started,
        });
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  private async answer(netName: string, gen: Generation & { index: AnswerIndex }, batch: Pending[]) {
    const rows = await Promise.all(
      batch.map((p) => this.nets.run(netName, EMBED_QUESTION_OP, p.text, gen.served)),
    );
    const queries: SearchQuery[] = batch.map((p, i) => ({
      vector: rows[i]!.row,
      terms: qaTerms(gen.info, p.text),
      k: p.o.k,
      category: p.o.category,
      categoryMode: p.o.categoryMode ?? 'boost',
      language: p.o.language,
      // Relevant: at or above the score at which the net's top answers were 95 % right on validation.
      languageFloor: p.o.minRelevantScore ?? gen.info.threshold,
    }));
    return gen.index.search(queries);
  }
}
