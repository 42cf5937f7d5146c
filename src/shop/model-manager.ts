import type { Clock } from '../core/ports.js';
import type { Logger } from '../logger.js';
import type { ModelData } from './model/build.js';
import type { ModelParams } from './model/params.js';
import type { ModelBuilder } from './model-builder.js';
import { ModelSnapshot } from './snapshot.js';

/** What the manager needs. */
export interface ModelManagerOptions {
  builder: ModelBuilder;
  params: ModelParams;
  clock: Clock;
  logger: Logger;
  /** True when the stored data differs from what `snapshot` was built from. */
  changedSince: (snapshot: ModelSnapshot) => Promise<boolean>;
  /** Called on the main thread right after a new snapshot becomes current. */
  onSwap: (snapshot: ModelSnapshot) => void;
}

/**
 * Owns the current model snapshot. Rebuilds run one at a time (a request for a rebuild
 * during one is served by the next, so it sees the newest data); readers keep the old
 * snapshot until the new one is swapped in by a single assignment.
 */
export class ModelManager {
  private snapshot: ModelSnapshot | undefined;
  private version = 0;
  private building: Promise<ModelSnapshot> | undefined;
  private queued: Promise<ModelSnapshot> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ModelManagerOptions) {}

  /** The snapshot in service, if any build has finished. */
  current(): ModelSnapshot | undefined {
    return this.snapshot;
  }

  /** Rebuilds now (or right after the build in progress) and resolves with the new snapshot. */
  rebuild(): Promise<ModelSnapshot> {
    if (!this.building) {
      this.building = this.run().finally(() => {
        this.building = undefined;
      });
      return this.building;
    }
    this.queued ??= this.building
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.rebuild();
      });
    return this.queued;
  }

  /** Every `intervalMs`, rebuilds if the data changed. */
  schedule(intervalMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      void this.rebuildIfChanged().catch((err) => this.o.logger.error({ err }, 'shop model rebuild failed'));
    }, intervalMs);
    this.timer.unref();
  }

  private async rebuildIfChanged(): Promise<void> {
    const s = this.snapshot;
    if (this.building || (s && !(await this.o.changedSince(s)))) return;
    if (this.building) return;
    await this.rebuild();
  }

  /**
   * Stops the schedule and the builder: a build in progress is abandoned (it only reads, and
   * its result would be thrown away), so shutting down does not wait for a long EASE inverse.
   */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.o.builder.close();
    await Promise.allSettled([this.building, this.queued]);
  }

  /** Puts a model built elsewhere (synchronously, at start) into service. */
  install(data: ModelData): ModelSnapshot {
    const swapStarted = performance.now();
    const snapshot = new ModelSnapshot(data, ++this.version);
    this.snapshot = snapshot;
    this.o.onSwap(snapshot);
    this.o.logger.info(
      { ...snapshot.summary(), swapMs: Math.round((performance.now() - swapStarted) * 10) / 10 },
      'shop models rebuilt',
    );
    return snapshot;
  }

  private async run(): Promise<ModelSnapshot> {
    return this.install(await this.o.builder.build(this.o.params, this.o.clock.now()));
  }
}
