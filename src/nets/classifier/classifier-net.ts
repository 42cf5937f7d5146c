import * as tf from '@tensorflow/tfjs';
import { locateNet, NetFolderError, type NetLocation, publishNet, readNetFiles } from '../net-folder.js';
import { jsonBytes, parseNetJson } from '../net-json.js';
import { packWeights, unpackWeights } from '../stored-weights.js';
import { Vectoriser } from '../vectoriser.js';
import type { Weights } from './forward.js';
import { calibratedSoftmax, predictLogits } from './infer.js';
import { type ClassifierMeta, classifierMetaSchema } from './meta.js';
import { type Topology, topologySchema, weightSpecs } from './topology.js';

/** One text's prediction. */
export interface Prediction {
  category: string;
  /** Calibrated probability of `category`. */
  confidence: number;
  /** True when `confidence` is under the net's threshold: a human should look. */
  unsure: boolean;
  top: Array<{ category: string; confidence: number }>;
}

/** What {@link ClassifierNet.create} needs; `meta.weights` is filled in by it. */
export type NewClassifierMeta = Omit<ClassifierMeta, 'weights'>;

/** A loaded (or freshly trained) classifier: predicts, saves, frees its tensors. */
export class ClassifierNet {
  readonly vectoriser: Vectoriser;
  private readonly idf: Float32Array | undefined;

  private constructor(
    readonly topology: Topology,
    readonly weights: Weights,
    readonly meta: ClassifierMeta,
    /** Where it was loaded from (undefined before it is saved). */
    public location: NetLocation | undefined,
  ) {
    this.vectoriser = new Vectoriser(meta.vectoriser);
    this.idf = weights['wide/idf'] ? (weights['wide/idf'].dataSync() as Float32Array) : undefined;
  }

  /** Wraps trained weights (already rounded through the weight codec) into a net. */
  static create(topology: Topology, weights: Weights, meta: NewClassifierMeta): ClassifierNet {
    return new ClassifierNet(topology, weights, { ...meta, weights: [] }, undefined);
  }

  /** Loads `nets/NAME` (its CURRENT version) or `nets/NAME/VERSION`, verifying every checksum. */
  static load(path: string): ClassifierNet {
    const location = locateNet(path);
    const files = readNetFiles(location.dir);
    const topology = parseNetJson(location.dir, files, 'topology.json', topologySchema);
    const meta = parseNetJson(location.dir, files, 'meta.json', classifierMetaSchema);
    if (meta.labels.length !== topology.classes) {
      throw new NetFolderError(
        location.dir,
        `meta.json has ${meta.labels.length} labels, topology ${topology.classes} classes`,
      );
    }
    const bin = files.get('weights.bin');
    if (!bin) throw new NetFolderError(location.dir, 'weights.bin is not in the manifest');
    let weights: Weights;
    try {
      weights = unpackWeights(weightSpecs(topology), meta.weights, bin);
    } catch (err) {
      throw new NetFolderError(location.dir, (err as Error).message);
    }
    return new ClassifierNet(topology, weights, meta, location);
  }

  /** The net's files: topology.json, weights.bin (compact) and meta.json. */
  toFiles(): Map<string, Uint8Array> {
    const { bin, stored } = packWeights(
      weightSpecs(this.topology),
      (name) => this.weights[name]!.dataSync() as Float32Array,
    );
    const meta: ClassifierMeta = { ...this.meta, weights: stored };
    return new Map([
      ['topology.json', jsonBytes(this.topology)],
      ['weights.bin', bin],
      ['meta.json', jsonBytes(meta)],
    ]);
  }

  /** Writes a new version under `root` (e.g. `nets/bank-classifier`) and makes it CURRENT. */
  save(root: string, version: string, setCurrent = true): NetLocation {
    this.location = publishNet(root, version, this.toFiles(), setCurrent);
    return this.location;
  }

  /** Calibrated class probabilities, `[texts × classes]` row-major. */
  probabilities(texts: readonly string[]): Float32Array {
    const feats = texts.map((t) => this.vectoriser.featurize(t));
    const logits = predictLogits(this.topology, this.weights, feats, this.idf);
    return calibratedSoftmax(logits, this.topology.classes, this.meta.temperature);
  }

  /** Predicts many texts at once (faster per text than one by one). */
  predictBatch(texts: readonly string[], k = 3): Prediction[] {
    const probs = this.probabilities(texts);
    const classes = this.topology.classes;
    return texts.map((_, i) => this.toPrediction(probs.subarray(i * classes, (i + 1) * classes), k));
  }

  /** Predicts one text. */
  predict(text: string, k = 3): Prediction {
    return this.predictBatch([text], k)[0]!;
  }

  private toPrediction(p: Float32Array, k: number): Prediction {
    const order = Array.from(p.keys())
      .sort((a, b) => p[b]! - p[a]!)
      .slice(0, Math.max(1, Math.min(k, p.length)));
    const top = order.map((c) => ({ category: this.meta.labels[c]!, confidence: p[c]! }));
    return { ...top[0]!, unsure: top[0]!.confidence < this.meta.unsureThreshold, top };
  }

  /** Frees the weights' tensors. */
  dispose(): void {
    tf.dispose(Object.values(this.weights));
  }
}
