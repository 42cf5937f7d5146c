import type { AnswerSuggester, Suggestion, SuggestionResult } from '../core/ports.js';
import { AppError } from '../errors.js';
import type { AnswerIndex, SearchQuery } from '../nets/qa/answer-index.js';
import type { QaNet } from '../nets/qa/qa-net.js';
import type { AnswerIndexes } from './answer-indexes.js';
import { DEFAULT_KB, type KnowledgeBase } from './knowledge-base.js';

/** What one suggestion call asks. */
export interface SuggestOptions {
  k: number;
  /** The classifier's category: its answers come first (`boost`) or alone (`filter`). */
  category?: string;
  categoryMode?: 'boost' | 'filter';
  kb?: string;
}

interface Pending {
  text: string;
  o: SuggestOptions;
  started: number;
  resolve: (r: SuggestionResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Suggests answers from a knowledge base with a two-tower net. Questions that arrive in the
 * same turn of the event loop for the same net and knowledge base are answered together:
 * one pass of the question tower over all of them, and one scan of the answer matrix.
 */
export class QaSuggester implements AnswerSuggester {
  private readonly pending = new Map<string, Pending[]>();

  constructor(
    private readonly indexes: AnswerIndexes,
    private readonly kb: KnowledgeBase,
    private readonly isLoaded: (netName: string) => boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The best `k` answers for a text; 503 `not_ready` while the net is not loaded. */
  suggest(netName: string, text: string, o: SuggestOptions): Promise<SuggestionResult> {
    if (!this.isLoaded(netName)) {
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
      const { net, version, index } = await this.indexes.serve(netName, kb);
      const results = this.answer(net, index, batch);
      const texts = new Map(
        this.kb
          .getMany([...new Set(results.flatMap((hits) => hits.map((h) => h.id)))])
          .map((a) => [a.id, a.text]),
      );
      batch.forEach((p, i) => {
        const suggestions: Suggestion[] = results[i]!.flatMap((h) => {
          const t = texts.get(h.id);
          return t === undefined ? [] : [{ answerId: h.id, text: t, score: h.score, category: h.category }];
        });
        p.resolve({
          suggestions,
          net: { name: netName, version },
          threshold: net.meta.threshold,
          latencyMs: this.now() - p.started,
        });
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  private answer(net: QaNet, index: AnswerIndex, batch: Pending[]) {
    const vectors = net.embed(
      batch.map((p) => p.text),
      'question',
    );
    const d = net.dim;
    const queries: SearchQuery[] = batch.map((p, i) => ({
      vector: vectors.subarray(i * d, (i + 1) * d),
      terms: net.terms(p.text),
      k: p.o.k,
      category: p.o.category,
      categoryMode: p.o.categoryMode ?? 'boost',
    }));
    return index.search(queries);
  }
}
