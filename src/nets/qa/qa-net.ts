import * as tf from '@tensorflow/tfjs';
import type { Weights } from '../classifier/forward.js';
import { locateNet, NetFolderError, type NetLocation, publishNet, readNetFiles } from '../net-folder.js';
import { jsonBytes, parseNetJson } from '../net-json.js';
import { packWeights, unpackWeights } from '../stored-weights.js';
import { Vectoriser } from '../vectoriser.js';
import { embedFeatures } from './encode.js';
import { contentTerms, overlap } from './lexical.js';
import { type QaMeta, qaMetaSchema } from './meta.js';
import { keyToScore, rankKey } from './scoring.js';
import { type QaTopology, qaTopologySchema, qaWeightSpecs, type Tower } from './topology.js';

/** What {@link QaNet.create} needs; `meta.weights` is filled in when saved. */
export type NewQaMeta = Omit<QaMeta, 'weights'>;

/** Largest difference allowed between a golden vector and the loaded net's (int8 tables are exact after the round trip). */
export const GOLDEN_TOLERANCE = 1e-4;

/**
 * A loaded (or freshly trained) two-tower net: embeds questions and answers into one space,
 * scores pairs the way the gateway serves them, saves, frees its tensors.
 */
export class QaNet {
  readonly vectoriser: Vectoriser;
  private readonly bagIdf: Float32Array | undefined;
  /** IDF of the lexical terms (empty without lexical features). */
  readonly termIdf: Float32Array;

  private constructor(
    readonly topology: QaTopology,
    readonly weights: Weights,
    readonly meta: QaMeta,
    /** Where it was loaded from (undefined before it is saved). */
    public location: NetLocation | undefined,
  ) {
    this.vectoriser = new Vectoriser(meta.vectoriser);
    this.bagIdf = weights['wide/idf'] ? (weights['wide/idf'].dataSync() as Float32Array) : undefined;
    this.termIdf = weights['lexical/idf']
      ? (weights['lexical/idf'].dataSync() as Float32Array)
      : new Float32Array(0);
  }

  /** Wraps trained weights (already rounded through the weight codec) into a net. */
  static create(topology: QaTopology, weights: Weights, meta: NewQaMeta): QaNet {
    return new QaNet(topology, weights, { ...meta, weights: [] }, undefined);
  }

  /** Loads `nets/NAME` (its CURRENT version) or `nets/NAME/VERSION`, verifying every checksum. */
  static load(path: string): QaNet {
    const location = locateNet(path);
    return QaNet.fromFiles(location, readNetFiles(location.dir));
  }

  /** Builds a net from a version's files, already checked against its manifest. Throws on bad content. */
  static fromFiles(location: NetLocation, files: ReadonlyMap<string, Buffer>): QaNet {
    const topology = parseNetJson(location.dir, files, 'topology.json', qaTopologySchema);
    const meta = parseNetJson(location.dir, files, 'meta.json', qaMetaSchema);
    const bin = files.get('weights.bin');
    if (!bin) throw new NetFolderError(location.dir, 'weights.bin is not in the manifest');
    let weights: Weights;
    try {
      weights = unpackWeights(qaWeightSpecs(topology), meta.weights, bin);
    } catch (err) {
      throw new NetFolderError(location.dir, (err as Error).message);
    }
    return new QaNet(topology, weights, meta, location);
  }

  /** The net's files: topology.json, weights.bin (compact) and meta.json. */
  toFiles(): Map<string, Uint8Array> {
    const { bin, stored } = packWeights(
      qaWeightSpecs(this.topology),
      (name) => this.weights[name]!.dataSync() as Float32Array,
    );
    return new Map([
      ['topology.json', jsonBytes(this.topology)],
      ['weights.bin', bin],
      ['meta.json', jsonBytes({ ...this.meta, weights: stored })],
    ]);
  }

  /** Writes a new version under `root` (e.g. `nets/bank-qa`) and makes it CURRENT. */
  save(root: string, version: string, setCurrent = true): NetLocation {
    this.location = publishNet(root, version, this.toFiles(), setCurrent);
    return this.location;
  }

  /** Bytes its weights hold in memory (what the nets cache counts). */
  get bytes(): number {
    let bytes = 0;
    for (const w of Object.values(this.weights)) bytes += w.size * 4;
    return bytes;
  }

  /** The vectors' length. */
  get dim(): number {
    return this.topology.dim;
  }

  /** Unit vectors of texts through one tower, `[texts × dim]` row-major. */
  embed(texts: readonly string[], tower: Tower): Float32Array {
    const feats = texts.map((t) => this.vectoriser.featurize(t));
    return embedFeatures(this.topology, this.weights, tower, feats, this.bagIdf);
  }

  /** Content-word ids of a text for the overlap features (empty without them). */
  terms(text: string): Int32Array {
    const lex = this.topology.lexical;
    if (!lex) return new Int32Array(0);
    const v = this.meta.vectoriser;
    return contentTerms(text, v.seed, lex.bits, v.maxChars, v.normalisation ?? 1);
  }

  /** Served scores of one question's candidate answers (for ranking evaluation). */
  scoreCandidates(question: string, candidates: readonly string[]): Float32Array {
    const q = this.embed([question], 'question');
    const a = this.embed(candidates, 'answer');
    const qt = this.terms(question);
    const d = this.dim;
    return Float32Array.from(candidates, (c, i) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += q[j]! * a[i * d + j]!;
      const o = overlap(qt, this.terms(c), this.termIdf);
      return keyToScore(rankKey(this.meta.scoring, dot, o.count, o.weighted));
    });
  }

  /**
   * Checks the golden inputs stored at training time: the largest difference between their
   * stored vectors and this net's (a canary for a damaged or misread net).
   */
  goldenDeviation(): number {
    let worst = 0;
    for (const g of this.meta.canary) {
      const v = this.embed([g.text], g.tower);
      if (v.length !== g.vector.length) return Number.POSITIVE_INFINITY;
      for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i]! - g.vector[i]!));
    }
    return worst;
  }

  /** Frees the weights' tensors. */
  dispose(): void {
    tf.dispose(Object.values(this.weights));
  }
}
