import type { NetLocation } from '../net-folder.js';
import type { LoadedNet, NetKind } from '../runtime/net-kind.js';
import { ClassifierNet } from './classifier-net.js';

/** The op a classifier offers: calibrated probabilities, one row of `classes` per text. */
export const CLASSIFY_OP = 'classify';

/** What the HTTP thread needs to turn a row of probabilities into a prediction. */
export interface ClassifierInfo {
  [key: string]: unknown;
  labels: string[];
  unsureThreshold: number;
  /** Golden inputs stored with the net (0 when the net was saved without them). */
  canaryInputs: number;
}

/** A classifier as the runtime holds it. */
export interface LoadedClassifier extends LoadedNet {
  readonly net: ClassifierNet;
}

/** Loads `meta.json` kind `classifier` (topology, int8/float32 weights, calibration). */
export const classifierKind: NetKind = {
  kind: 'classifier',
  load(location: NetLocation, files: ReadonlyMap<string, Buffer>): LoadedClassifier {
    const net = ClassifierNet.fromFiles(location, files);
    const info: ClassifierInfo = {
      labels: net.meta.labels,
      unsureThreshold: net.meta.unsureThreshold,
      canaryInputs: net.meta.canary?.length ?? 0,
    };
    return {
      kind: 'classifier',
      net,
      bytes: net.bytes,
      info,
      ops: { [CLASSIFY_OP]: { width: net.topology.classes, run: (texts) => net.probabilities(texts) } },
      dispose: () => net.dispose(),
    };
  },
  canary(loaded: LoadedNet): void {
    const { net } = loaded as LoadedClassifier;
    const golden = net.meta.canary ?? [];
    if (golden.length === 0) return;
    const predicted = net.predictBatch(
      golden.map((g) => g.text),
      1,
    );
    const wrong = golden.flatMap((g, i) =>
      predicted[i]!.category === g.label ? [] : [`"${g.label}" became "${predicted[i]!.category}"`],
    );
    if (wrong.length > 0) {
      throw new Error(
        `canary: ${wrong.length} of ${golden.length} golden inputs changed label (${wrong.slice(0, 3).join(', ')})`,
      );
    }
  },
};
