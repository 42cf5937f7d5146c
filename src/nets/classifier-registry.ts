import { join } from 'node:path';
import type { Classification, TicketClassifier } from '../core/ports.js';
import { AppError } from '../errors.js';
import { ClassifierNet } from './classifier/classifier-net.js';

/** Where a named net stands. */
export type NetStatus =
  | { state: 'loading' }
  | { state: 'ready'; version: string }
  | { state: 'failed'; error: string };

/**
 * The classifiers in memory, by name (a folder in the nets directory, served at its CURRENT
 * version). Kept small on purpose: versioned reloads and batching build on `load`/`get`.
 */
export class ClassifierRegistry implements TicketClassifier {
  private readonly nets = new Map<string, ClassifierNet>();
  private readonly statuses = new Map<string, NetStatus>();

  constructor(
    private readonly netsDir: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Loads `<netsDir>/<name>` (its CURRENT version), replacing any loaded one of that name. */
  load(name: string): ClassifierNet {
    this.statuses.set(name, { state: 'loading' });
    try {
      const net = ClassifierNet.load(join(this.netsDir, name));
      this.nets.get(name)?.dispose();
      this.nets.set(name, net);
      this.statuses.set(name, { state: 'ready', version: net.location!.version });
      return net;
    } catch (err) {
      this.statuses.set(name, { state: 'failed', error: (err as Error).message });
      throw err;
    }
  }

  /** The loaded net of that name, if any. */
  get(name: string): ClassifierNet | undefined {
    return this.nets.get(name);
  }

  /** Loading state of a name (`loading` if never asked for). */
  status(name: string): NetStatus {
    return this.statuses.get(name) ?? { state: 'loading' };
  }

  /** Classifies one text; 503 `not_ready` while the net is not loaded. */
  async classify(netName: string, text: string, k = 3): Promise<Classification> {
    const net = this.nets.get(netName);
    if (!net) {
      const s = this.status(netName);
      throw new AppError(
        'not_ready',
        `classifier "${netName}" is not loaded${s.state === 'failed' ? ' (it failed to load)' : ' yet'}`,
        {
          headers: { 'Retry-After': '5' },
        },
      );
    }
    const started = this.now();
    const p = net.predict(text, k);
    return {
      ...p,
      net: { name: netName, version: net.location?.version ?? 'unsaved' },
      latencyMs: this.now() - started,
    };
  }

  /** Frees every net. */
  dispose(): void {
    for (const net of this.nets.values()) net.dispose();
    this.nets.clear();
  }
}
