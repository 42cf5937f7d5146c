import { join } from 'node:path';
import type { NetStatus } from './classifier-registry.js';
import { locateNet } from './net-folder.js';
import { QaNet } from './qa/qa-net.js';

/**
 * The two-tower nets in memory, by name (a folder in the nets directory, served at its
 * CURRENT version): the same small pattern as the classifier registry, until the versioned
 * nets runtime serves every kind. `reload` picks up a new CURRENT; listeners hear of every
 * version that comes into service, so the answer vectors can follow it.
 */
export class QaRegistry {
  private readonly nets = new Map<string, QaNet>();
  private readonly statuses = new Map<string, NetStatus>();
  private readonly listeners: Array<(name: string, net: QaNet, previous: QaNet | undefined) => void> = [];

  constructor(private readonly netsDir: string) {}

  /**
   * Calls `listener(name, net, previous)` whenever a version of a net comes into service; the
   * listener frees `previous`. Returns a function that removes the listener.
   */
  onLoaded(listener: (name: string, net: QaNet, previous: QaNet | undefined) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Loads `<netsDir>/<name>` at its CURRENT version; the previous version stays in service
   * until the new one is loaded and its golden inputs check out, and is then freed.
   */
  load(name: string): QaNet {
    if (!this.nets.has(name)) this.statuses.set(name, { state: 'loading' });
    let net: QaNet;
    try {
      net = QaNet.load(join(this.netsDir, name));
      const deviation = net.goldenDeviation();
      if (!(deviation <= 1e-3)) {
        net.dispose();
        throw new Error(`${name}: golden inputs differ by ${deviation} from the vectors stored at training`);
      }
    } catch (err) {
      if (!this.nets.has(name)) this.statuses.set(name, { state: 'failed', error: (err as Error).message });
      throw err;
    }
    const previous = this.nets.get(name);
    this.nets.set(name, net);
    this.statuses.set(name, { state: 'ready', version: net.location!.version });
    for (const l of this.listeners) l(name, net, previous);
    if (this.listeners.length === 0) previous?.dispose();
    return net;
  }

  /** Loads the net again if its CURRENT names another version; returns whether it did. */
  reload(name: string): boolean {
    const current = this.nets.get(name);
    if (current && locateNet(join(this.netsDir, name)).version === current.location?.version) return false;
    this.load(name);
    return true;
  }

  /** The net in service under a name, if any. */
  get(name: string): QaNet | undefined {
    return this.nets.get(name);
  }

  /** Loading state of a name (`loading` if never asked for). */
  status(name: string): NetStatus {
    return this.statuses.get(name) ?? { state: 'loading' };
  }

  /** Names of the nets in service. */
  names(): string[] {
    return [...this.nets.keys()];
  }

  /** Frees every net. */
  dispose(): void {
    for (const net of this.nets.values()) net.dispose();
    this.nets.clear();
  }
}
