import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, NetRef } from '../../core/ports.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { locateNet } from '../net-folder.js';
import { currentSignature } from './current-signature.js';
import type { NetExecutor } from './executor.js';
import { type BatchingOptions, MicroBatcher } from './micro-batcher.js';
import type { PreparedNet, VersionRef } from './net-host.js';
import type { NetInfo } from './net-kind.js';
import type { NetMetrics } from './net-metrics.js';

/** Where a named net stands. */
export type NetStatus =
  | { state: 'loading' }
  | { state: 'ready'; version: string }
  | { state: 'failed'; error: string };

/** The version of a net in service. */
export interface ServedNet {
  ref: VersionRef;
  prepared: PreparedNet;
  /** When it went into service (epoch ms). */
  since: number;
}

/** What asked for a reload: the start, the file watch, the poll, or the admin endpoint. */
export type ReloadTrigger = 'start' | 'use' | 'watch' | 'poll' | 'admin';

/** What a reload did. A failed one left the previous version (if any) in service. */
export type ReloadOutcome =
  | { ok: true; name: string; version: string; previous: string | null; changed: boolean; loadMs: number }
  | { ok: false; name: string; version: string | null; serving: string | null; reason: string };

/** A row of one batch: the output for one text, and the net that computed it. */
export interface NetOutput {
  row: Float32Array;
  net: NetRef;
  info: NetInfo;
}

interface NameState {
  served?: ServedNet;
  status: NetStatus;
  /** Reloads of one name run one after another. */
  chain: Promise<unknown>;
  failure?: { version: string | null; reason: string; at: number; signature: string };
}

/** Options of a {@link NetRegistry}. */
export interface NetRegistryOptions {
  /** The nets root: `<root>/<name>/<version>/`, `<root>/<name>/CURRENT`. */
  root: string;
  executor: NetExecutor;
  batching: BatchingOptions;
  logger: Logger;
  clock: Clock;
  metrics?: NetMetrics;
}

interface BatchItem {
  ref: VersionRef;
  op: string;
  text: string;
}

/**
 * The nets in service, by name, for every kind. A name is served at the version its CURRENT
 * file names: loaded at start or on first use, and replaced only once the new version has
 * passed its checksums, loaded and run its canary on every inference thread. On any failure
 * the previous version keeps serving; the failure is logged as `model_reload_failed` and
 * counted. Calls are micro-batched per version and operation.
 */
export class NetRegistry {
  private readonly states = new Map<string, NameState>();
  private readonly servedListeners: Array<(name: string, served: ServedNet) => void> = [];
  private readonly batcher: MicroBatcher<BatchItem, Float32Array>;

  constructor(private readonly o: NetRegistryOptions) {
    this.batcher = new MicroBatcher<BatchItem, Float32Array>(
      o.batching,
      async (_key, items) => {
        const { ref, op } = items[0]!;
        const out = await o.executor.run(
          ref,
          op,
          items.map((i) => i.text),
        );
        const width = out.length / items.length;
        return items.map((_, i) => out.subarray(i * width, (i + 1) * width));
      },
      {
        onBatch: (size) => o.metrics?.batchSize.observe(size),
        busy: o.executor.busy ? () => o.executor.busy!() : undefined,
      },
    );
    o.executor.onCapacity?.(() => this.batcher.kick());
  }

  /** The nets root. */
  get root(): string {
    return this.o.root;
  }

  /** The executor (where inference runs). */
  get executor(): NetExecutor {
    return this.o.executor;
  }

  /**
   * Calls `listener(name, served)` each time a version goes into service (at start, on first
   * use, on reload), after the swap: e.g. to compute what belongs with a version (a knowledge
   * base's answer vectors). Returns a function that removes the listener.
   */
  onServed(listener: (name: string, served: ServedNet) => void): () => void {
    this.servedListeners.push(listener);
    return () => {
      const i = this.servedListeners.indexOf(listener);
      if (i >= 0) this.servedListeners.splice(i, 1);
    };
  }

  /** Names asked for so far (loaded, loading or failed). */
  names(): string[] {
    return [...this.states.keys()];
  }

  /** Loading state of a name (`loading` if never asked for). */
  status(name: string): NetStatus {
    return this.states.get(name)?.status ?? { state: 'loading' };
  }

  /** The version in service, if any. */
  served(name: string): ServedNet | undefined {
    return this.states.get(name)?.served;
  }

  /** Serves a name if it is not served yet (at start, or on first use); rejects with the reason. */
  async load(name: string, trigger: ReloadTrigger = 'start'): Promise<ServedNet> {
    const known = this.states.get(name);
    if (known?.served) return known.served;
    const outcome = await this.reload(name, trigger);
    const served = this.served(name);
    if (!served) throw new Error(outcome.ok ? `${name} is not served` : outcome.reason);
    return served;
  }

  /**
   * One text through a net's op, batched with concurrent calls to the same version. A name
   * never asked for is loaded first; one that failed to load answers 503 `not_ready`.
   */
  async run(name: string, op: string, text: string, at?: ServedNet): Promise<NetOutput> {
    // `at`: a version that was in service (e.g. the one a knowledge base's vectors came from),
    // which keeps answering while the next one's vectors are computed.
    const served = at ?? (await this.require(name, op));
    const row = await this.batcher
      .submit(`${name}@${served.ref.version}#${op}`, { ref: served.ref, op, text })
      .catch((err) => {
        // An inference thread that died (it is replaced) or a version that cannot be
        // reloaded after an eviction: the caller may retry.
        throw new AppError('not_ready', `net "${name}" could not answer: ${(err as Error).message}`, {
          cause: err,
          headers: { 'Retry-After': '1' },
        });
      });
    return { row, net: { name, version: served.ref.version }, info: served.prepared.info };
  }

  /** Many texts through a net's op as one call (e.g. a knowledge base's answers), unbatched. */
  async runMany(name: string, op: string, texts: readonly string[], at?: ServedNet): Promise<NetOutput[]> {
    const served = at ?? (await this.require(name, op));
    if (texts.length === 0) return [];
    const out = await this.o.executor.run(served.ref, op, texts);
    const width = out.length / texts.length;
    const net = { name, version: served.ref.version };
    return texts.map((_, i) => ({
      row: out.subarray(i * width, (i + 1) * width),
      net,
      info: served.prepared.info,
    }));
  }

  /**
   * Serves the version CURRENT names now: verify, load and canary it on every inference
   * thread, then swap. Unchanged if it is already in service.
   */
  reload(name: string, trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const state = this.state(name);
    const next = state.chain.then(() => this.attempt(name, state, trigger));
    state.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Reloads a served or failed name if its CURRENT changed (the watch and the poll call this).
   * A version that failed is not tried again until CURRENT or its manifest changes.
   */
  async check(name: string, trigger: 'watch' | 'poll'): Promise<void> {
    const state = this.states.get(name);
    if (!state) return;
    const sig = currentSignature(join(this.o.root, name));
    if (state.served && sig.version === state.served.ref.version) return;
    if (state.failure && state.failure.signature === sig.signature) return;
    await this.reload(name, trigger);
  }

  /** True if `<root>/<name>` exists. */
  exists(name: string): boolean {
    return /^[\w.-]+$/.test(name) && existsSync(join(this.o.root, name));
  }

  /** Frees every net and stops the inference threads. */
  async close(): Promise<void> {
    await this.o.executor.close();
  }

  private async require(name: string, op: string): Promise<ServedNet> {
    let served = this.served(name);
    if (!served) {
      const state = this.states.get(name);
      // First use loads it; calls meanwhile wait for that one load.
      if (!state) await this.load(name, 'use').catch(() => undefined);
      else if (state.status.state === 'loading') await state.chain;
      served = this.served(name);
      if (!served) {
        const s = this.status(name);
        throw new AppError(
          'not_ready',
          `net "${name}" is not loaded${s.state === 'failed' ? ` (it failed to load: ${s.error})` : ' yet'}`,
          { headers: { 'Retry-After': '5' } },
        );
      }
    }
    if (served.prepared.ops[op] === undefined)
      throw new Error(`net "${name}" (${served.prepared.kind}) has no operation "${op}"`);
    return served;
  }

  private state(name: string): NameState {
    let state = this.states.get(name);
    if (!state) {
      state = { status: { state: 'loading' }, chain: Promise.resolve() };
      this.states.set(name, state);
    }
    return state;
  }

  private async attempt(name: string, state: NameState, trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const previous = state.served?.ref.version ?? null;
    const sig = currentSignature(join(this.o.root, name));
    let version: string | null = null;
    try {
      const location = locateNet(join(this.o.root, name));
      version = location.version;
      if (previous === version) return { ok: true, name, version, previous, changed: false, loadMs: 0 };
      const ref: VersionRef = { name, version, dir: location.dir };
      const prepared = await this.o.executor.prepare(ref);
      state.served = { ref, prepared, since: this.o.clock.now() };
      state.status = { state: 'ready', version };
      state.failure = undefined;
      this.o.metrics?.served(name, prepared.kind, previous, version);
      for (const listener of this.servedListeners) {
        try {
          listener(name, state.served);
        } catch (err) {
          this.o.logger.error({ err, net: name, version }, 'a listener of a new net version failed');
        }
      }
      this.o.metrics?.reloads.inc({ net: name, result: 'ok' });
      this.o.logger.info(
        { net: name, version, previous, trigger, loadMs: Math.round(prepared.loadMs), kind: prepared.kind },
        'model_reloaded',
      );
      return { ok: true, name, version, previous, changed: true, loadMs: prepared.loadMs };
    } catch (err) {
      const reason = (err as Error).message;
      state.failure = { version, reason, at: this.o.clock.now(), signature: sig.signature };
      if (!state.served) state.status = { state: 'failed', error: reason };
      this.o.metrics?.reloads.inc({ net: name, result: 'failed' });
      this.o.logger.error({ net: name, version, serving: previous, trigger, reason }, 'model_reload_failed');
      return { ok: false, name, version, serving: previous, reason };
    }
  }

  /** The last failed attempt of a name, if it has not succeeded since. */
  failure(name: string): NameState['failure'] {
    return this.states.get(name)?.failure;
  }
}
