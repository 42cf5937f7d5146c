import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { AnswerIndex } from '../nets/qa/answer-index.js';
import { EMBED_ANSWER_OP, type QaInfo, qaTerms } from '../nets/qa/qa-kind.js';
import type { NetRegistry, ServedNet } from '../nets/runtime/net-registry.js';
import type { KnowledgeBase } from './knowledge-base.js';

/** A net version (as the nets runtime serves it) with the answer vectors it computed, one index per knowledge base. */
export interface Generation {
  served: ServedNet;
  version: string;
  info: QaInfo;
  indexes: Map<string, AnswerIndex>;
}

/** Answers embedded per step of a background job; the event loop serves requests between steps. */
export const EMBED_CHUNK = 32;

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Keeps every knowledge base's answer vectors in step with the answers and the net:
 * - a changed answer (a new text revision) is embedded again, alone; a new category or language
 *   or a deactivation only updates the index; nothing else is recomputed;
 * - a new net version embeds every answer again into new indexes while the previous version
 *   and its vectors go on answering; the new pair replaces it in one step when complete.
 * The work runs in small steps between requests, one job at a time per net.
 */
export class AnswerIndexes {
  private readonly serving = new Map<string, Generation>();
  private readonly building = new Map<string, Generation>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly queued = new Set<string>();
  private readonly embedded = new Map<string, number>();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly registry: NetRegistry,
    private readonly logger: Logger,
  ) {
    // Nets already in service (a registry shared between gateways, as in tests) are served too.
    for (const name of registry.names()) {
      const served = registry.served(name);
      if (served) this.onNet(name, served);
    }
    this.unsubscribe = registry.onServed((name, served) => this.onNet(name, served));
    kb.onChange((name) => {
      if (this.closed) return;
      for (const net of this.serving.keys()) void this.sync(net, name);
    });
  }

  /**
   * The net version and index that answer a knowledge base now (building the index on first
   * use); 503 `not_ready` while the net is not in service.
   */
  async serve(netName: string, kb: string): Promise<Generation & { index: AnswerIndex }> {
    let gen = this.serving.get(netName);
    if (!gen) {
      const served = this.registry.served(netName);
      if (served) this.onNet(netName, served);
      gen = this.serving.get(netName);
    }
    if (!gen) {
      throw new AppError('not_ready', `answer net "${netName}" is not loaded yet`, {
        headers: { 'Retry-After': '5' },
      });
    }
    if (!gen.indexes.has(kb)) {
      await this.sync(netName, kb);
      gen = this.serving.get(netName)!;
    }
    const index = gen.indexes.get(kb);
    if (!index) return this.serve(netName, kb);
    return { ...gen, index };
  }

  /** Brings a knowledge base's vectors up to date for a net (queued behind that net's running job). */
  sync(netName: string, kb: string): Promise<void> {
    const key = `${netName}\u0000${kb}`;
    if (this.queued.has(key)) return this.chains.get(netName) ?? Promise.resolve();
    this.queued.add(key);
    return this.enqueue(netName, async () => {
      this.queued.delete(key);
      const gen = this.serving.get(netName);
      if (gen) await this.update(netName, gen, kb);
    });
  }

  /** Syncs every knowledge base of every net (the periodic check for changes made elsewhere, e.g. an import from the command line). */
  async syncAll(): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const [net, gen] of this.serving) for (const kb of gen.indexes.keys()) jobs.push(this.sync(net, kb));
    await Promise.all(jobs);
  }

  /** Resolves when no job is queued or running. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Answer texts embedded so far for a net (every version), for the metrics and tests. */
  embeddedCount(netName: string): number {
    return this.embedded.get(netName) ?? 0;
  }

  /** What is in service: per net, its version and the size of each knowledge base's index. */
  describe(): Record<string, { version: string; answers: Record<string, number> }> {
    const out: Record<string, { version: string; answers: Record<string, number> }> = {};
    for (const [name, gen] of this.serving) {
      out[name] = {
        version: gen.version,
        answers: Object.fromEntries([...gen.indexes].map(([kb, index]) => [kb, index.size])),
      };
    }
    return out;
  }

  /** Stops following the registry and the knowledge bases (the runtime frees the nets). */
  dispose(): void {
    this.closed = true;
    this.unsubscribe();
    this.serving.clear();
    this.building.clear();
  }

  private enqueue(netName: string, task: () => Promise<void>): Promise<void> {
    const run = (this.chains.get(netName) ?? Promise.resolve()).then(task).catch((err) => {
      this.logger.error({ err, net: netName }, 'answer vectors: update failed');
    });
    this.chains.set(netName, run);
    void run.then(() => {
      if (this.chains.get(netName) === run) this.chains.delete(netName);
    });
    return run;
  }

  private onNet(name: string, served: ServedNet): void {
    if (this.closed || served.prepared.kind !== 'qa') return;
    const version = served.ref.version;
    const info = served.prepared.info as QaInfo;
    const current = this.serving.get(name);
    if (current?.version === version || this.building.get(name)?.version === version) return;
    if (!current) {
      this.serving.set(name, { served, version, info, indexes: new Map() });
      return;
    }
    // A newer version while one was being built: the unfinished one is dropped.
    const next: Generation = { served, version, info, indexes: new Map() };
    this.building.set(name, next);
    this.logger.info(
      { net: name, version, kbs: [...current.indexes.keys()] },
      'answer vectors: re-embedding for a new net version',
    );
    void this.enqueue(name, async () => {
      for (const kb of current.indexes.keys()) {
        if (this.building.get(name) !== next) return;
        await this.update(name, next, kb);
      }
      if (this.building.get(name) !== next || this.closed) return;
      this.building.delete(name);
      this.serving.set(name, next);
      this.logger.info({ net: name, version }, 'answer vectors: new net version in service');
    });
  }

  /** Applies the differences between a knowledge base and its index in a generation. */
  private async update(netName: string, gen: Generation, kb: string): Promise<void> {
    let index = gen.indexes.get(kb);
    const fresh = !index;
    index ??= new AnswerIndex(gen.info.dim, gen.info.scoring, gen.info.termIdf);
    const rows = await this.kb.snapshot(kb);
    const live = new Set(rows.map((r) => r.id));
    const gone = index.answerIds().filter((id) => !live.has(id));
    index.remove(gone);
    const stale: number[] = [];
    for (const r of rows) {
      const revision = index.revisionOf(r.id);
      if (revision !== r.revision) stale.push(r.id);
      else {
        if (index.categoryOf(r.id) !== r.category) index.setCategory(r.id, r.category);
        if (index.languageOf(r.id) !== r.language) index.setLanguage(r.id, r.language);
      }
    }
    for (let i = 0; i < stale.length; i += EMBED_CHUNK) {
      const answers = await this.kb.getMany(stale.slice(i, i + EMBED_CHUNK));
      // One call at the generation's own version (not batched with requests).
      const out = await this.registry.runMany(
        netName,
        EMBED_ANSWER_OP,
        answers.map((a) => a.text),
        gen.served,
      );
      index.upsert(
        answers.map((a, j) => ({
          id: a.id,
          revision: a.revision,
          category: a.category,
          language: a.language,
          vector: out[j]!.row,
          terms: qaTerms(gen.info, a.text),
        })),
      );
      this.embedded.set(netName, this.embeddedCount(netName) + answers.length);
      // A fresh index is published only when complete; an index in service takes each step at once.
      if (i + EMBED_CHUNK < stale.length) await yieldToRequests();
    }
    if (fresh) gen.indexes.set(kb, index);
    if (gone.length + stale.length > 0)
      this.logger.debug(
        { net: netName, kb, removed: gone.length, embedded: stale.length },
        'answer vectors updated',
      );
  }
}
