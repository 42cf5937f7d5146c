/**
 * The knowledge base as the rest of the service sees it: answers with a category and a
 * language, grouped into named knowledge bases (a bot names its own, `default` otherwise).
 */

/** One stored answer. */
export interface KbAnswer {
  id: number;
  kb: string;
  text: string;
  category: string | null;
  language: string;
  active: boolean;
  /** Automatic replies and operators' actions that used it. */
  usageCount: number;
  /** Moves when the text changes: the answer's vector is recomputed then. */
  revision: number;
  createdAt: number;
  updatedAt: number;
}

/** An answer to store (already validated). */
export interface NewKbAnswer {
  kb: string;
  text: string;
  category: string | null;
  language: string;
  active: boolean;
}

/** Fields to change on an answer (already validated). */
export interface KbAnswerPatch {
  text?: string;
  category?: string | null;
  language?: string;
  active?: boolean;
}

/** A page of a knowledge base. */
export interface KbListQuery {
  kb: string;
  active?: boolean;
  category?: string | null;
  language?: string;
  limit: number;
  offset: number;
}

/** One active answer as the answer index compares it. */
export interface KbSnapshotRow {
  id: number;
  revision: number;
  category: string | null;
  language: string;
}

/** Where answers are stored. */
export interface KnowledgeBaseStore {
  insertMany(rows: readonly NewKbAnswer[]): Promise<KbAnswer[]>;
  /**
   * Stores `rows` only if knowledge base `kb` has no answers yet, as one step: gateways seeding
   * the same database at once store them once. Returns what it stored ([] when `kb` had answers).
   */
  insertIfEmpty(kb: string, rows: readonly NewKbAnswer[]): Promise<KbAnswer[]>;
  get(id: number): Promise<KbAnswer | undefined>;
  getMany(ids: readonly number[]): Promise<KbAnswer[]>;
  update(id: number, patch: KbAnswerPatch): Promise<KbAnswer | undefined>;
  delete(id: number): Promise<'deleted' | 'missing' | 'referenced'>;
  list(q: KbListQuery): Promise<{ answers: KbAnswer[]; total: number }>;
  count(kb: string): Promise<number>;
  snapshot(kb: string): Promise<KbSnapshotRow[]>;
  knowledgeBases(): Promise<string[]>;
}
