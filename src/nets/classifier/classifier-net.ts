import * as tf from '@tensorflow/tfjs';
import type { z } from 'zod';
import { locateNet, NetFolderError, type NetLocation, publishNet, readNetFiles } from '../net-folder.js';
import { Vectoriser } from '../vectoriser.js';
import { decodeWeight, encodeWeight, encodingFor, type StoredWeight } from '../weight-codec.js';
import type { Weights } from './forward.js';
import { calibratedSoftmax, predictLogits } from './infer.js';
import { type ClassifierMeta, classifierMetaSchema } from './meta.js';
import { type Prediction, toPrediction } from './prediction.js';
import { type Topology, topologySchema, weightSpecs } from './topology.js';

export type { Prediction } from './prediction.js';

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
    return ClassifierNet.fromFiles(location, readNetFiles(location.dir));
  }

  /** Builds a net from a version folder's files, already checked against its manifest. */
  static fromFiles(location: NetLocation, files: ReadonlyMap<string, Buffer>): ClassifierNet {
    const json = (file: string) => {
      const data = files.get(file);
      if (!data) throw new NetFolderError(location.dir, `${file} is not in the manifest`);
      try {
        return JSON.parse(data.toString('utf8')) as unknown;
      } catch (err) {
        throw new NetFolderError(location.dir, `${file} is not valid JSON (${(err as Error).message})`);
      }
    };
    const parse = <T>(schema: z.ZodType<T>, file: string): T => {
      const r = schema.safeParse(json(file));
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw new NetFolderError(
          location.dir,
          `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
        );
      }
      return r.data;
    };
    const topology = parse(topologySchema, 'topology.json');
    const meta = parse(classifierMetaSchema, 'meta.json');
    if (meta.labels.length !== topology.classes) {
      throw new NetFolderError(
        location.dir,
        `meta.json has ${meta.labels.length} labels, topology ${topology.classes} classes`,
      );
    }
    const bin = files.get('weights.bin');
    if (!bin) throw new NetFolderError(location.dir, 'weights.bin is not in the manifest');
    const stored = new Map(meta.weights.map((s) => [s.name, s]));
    const weights: Weights = {};
    try {
      for (const spec of weightSpecs(topology)) {
        const s = stored.get(spec.name);
        if (!s) throw new Error(`weight ${spec.name} is missing`);
        if (s.shape.join('x') !== spec.shape.join('x'))
          throw new Error(`weight ${spec.name} has shape ${s.shape}, expected ${spec.shape}`);
        if (s.offset + s.bytes > bin.byteLength)
          throw new Error(`weight ${spec.name} lies past the end of weights.bin`);
        const values = decodeWeight(bin.subarray(s.offset, s.offset + s.bytes), s.shape, s.encoding);
        weights[spec.name] = tf.tensor(values, s.shape);
      }
    } catch (err) {
      tf.dispose(Object.values(weights));
      throw new NetFolderError(location.dir, (err as Error).message);
    }
    return new ClassifierNet(topology, weights, meta, location);
  }

  /** The net's files: topology.json, weights.bin (compact) and meta.json. */
  toFiles(): Map<string, Uint8Array> {
    const parts: Uint8Array[] = [];
    const stored: StoredWeight[] = [];
    let offset = 0;
    for (const spec of weightSpecs(this.topology)) {
      const encoding = encodingFor(spec.shape);
      const data = encodeWeight(this.weights[spec.name]!.dataSync() as Float32Array, spec.shape, encoding);
      stored.push({ name: spec.name, shape: spec.shape, encoding, offset, bytes: data.byteLength });
      parts.push(data);
      offset += data.byteLength;
    }
    const bin = new Uint8Array(offset);
    let at = 0;
    for (const p of parts) {
      bin.set(p, at);
      at += p.byteLength;
    }
    const meta: ClassifierMeta = { ...this.meta, weights: stored };
    const text = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);
    return new Map([
      ['topology.json', text(this.topology)],
      ['weights.bin', bin],
      ['meta.json', text(meta)],
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
    return toPrediction(p, this.meta.labels, this.meta.unsureThreshold, k);
  }

  /** Bytes its weights hold in memory (plus the IDF copy kept for featurising). */
  get bytes(): number {
    let bytes = this.idf?.byteLength ?? 0;
    for (const w of Object.values(this.weights)) bytes += w.size * 4;
    return bytes;
  }

  /** Frees the weights' tensors. */
  dispose(): void {
    tf.dispose(Object.values(this.weights));
  }
}
