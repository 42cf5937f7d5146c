import type { LabelledData } from '../training/data.js';

/**
 * The TF-IDF + logistic-regression peer of the classifier bench, the classic strong baseline of
 * intent detection, written out so the bench needs no Python:
 * - features as scikit-learn's `FeatureUnion` of two `TfidfVectorizer`s: words (tokens of two or
 *   more word characters) 1–2-grams, and `char_wb` 2–5-grams (within space-padded words); each
 *   with sublinear tf (1 + ln tf), smoothed idf ln((1 + n) / (1 + df)) + 1 and L2 normalisation;
 *   vocabulary from the training texts, n-grams seen nowhere else dropped;
 * - multinomial logistic regression with an unpenalised intercept, minimising
 *   C · Σ cross-entropy + ½‖W‖² (C = 10), by L-BFGS (memory 5, Armijo backtracking) from zero,
 *   as scikit-learn's `lbfgs` solver; at most `maxIter` iterations (scikit-learn's default 100)
 *   or until the gradient's largest entry is under `tol`.
 */
export interface LogRegOptions {
  C: number;
  maxIter: number;
  tol: number;
  memory: number;
}

export const DEFAULT_LOGREG: LogRegOptions = { C: 10, maxIter: 100, tol: 1e-4, memory: 5 };

/** A description of the peer for the bench's results. */
export const LOGREG_DESCRIPTION =
  'TF-IDF (word 1–2 + char_wb 2–5, sublinear tf, smoothed idf, l2 per block) + multinomial logistic regression, C=10, L-BFGS';

const WORD_RE = /[\p{L}\p{N}_]{2,}/gu;

interface Sparse {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

function wordGrams(text: string): string[] {
  const words = text.toLowerCase().match(WORD_RE) ?? [];
  const out = words.slice();
  for (let i = 1; i < words.length; i++) out.push(`${words[i - 1]} ${words[i]}`);
  return out;
}

function charGrams(text: string): string[] {
  const out: string[] = [];
  for (const word of text.toLowerCase().split(/\s+/)) {
    if (!word) continue;
    const w = Array.from(` ${word} `);
    for (let n = 2; n <= 5; n++) {
      for (let i = 0; i + n <= w.length; i++) out.push(w.slice(i, i + n).join(''));
      if (n >= w.length) break;
    }
  }
  return out;
}

class TfidfBlock {
  readonly vocab = new Map<string, number>();
  idf = new Float64Array(0);

  constructor(private readonly grams: (text: string) => string[]) {}

  fit(texts: readonly string[]): void {
    const df: number[] = [];
    for (const t of texts) {
      for (const g of new Set(this.grams(t))) {
        let id = this.vocab.get(g);
        if (id === undefined) {
          id = this.vocab.size;
          this.vocab.set(g, id);
          df.push(0);
        }
        df[id]! += 1;
      }
    }
    const n = texts.length;
    this.idf = Float64Array.from(df, (d) => Math.log((1 + n) / (1 + d)) + 1);
  }

  /** Sorted ids and L2-normalised sublinear tf-idf values of one text. */
  transform(text: string): Map<number, number> {
    const tf = new Map<number, number>();
    for (const g of this.grams(text)) {
      const id = this.vocab.get(g);
      if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    let norm = 0;
    for (const [id, n] of tf) {
      const v = (1 + Math.log(n)) * this.idf[id]!;
      tf.set(id, v);
      norm += v * v;
    }
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (const [id, v] of tf) tf.set(id, v * inv);
    return tf;
  }
}

/** A trained peer: `predict` gives a label per text. */
export class TfidfLogReg {
  private readonly words = new TfidfBlock(wordGrams);
  private readonly chars = new TfidfBlock(charGrams);
  private labels: string[] = [];
  private w = new Float64Array(0);
  private b = new Float64Array(0);
  features = 0;
  iterations = 0;

  constructor(private readonly o: LogRegOptions = DEFAULT_LOGREG) {}

  private matrix(texts: readonly string[]): Sparse {
    const indptr = new Int32Array(texts.length + 1);
    const indices: number[] = [];
    const values: number[] = [];
    const offset = this.words.vocab.size;
    texts.forEach((t, i) => {
      for (const [id, v] of this.words.transform(t)) {
        indices.push(id);
        values.push(v);
      }
      for (const [id, v] of this.chars.transform(t)) {
        indices.push(offset + id);
        values.push(v);
      }
      indptr[i + 1] = indices.length;
    });
    return { indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
  }

  fit(data: LabelledData): this {
    this.words.fit(data.texts);
    this.chars.fit(data.texts);
    this.labels = [...new Set(data.labels)].sort();
    const index = new Map(this.labels.map((l, i) => [l, i]));
    const y = Int32Array.from(data.labels, (l) => index.get(l)!);
    const x = this.matrix(data.texts);
    const d = this.words.vocab.size + this.chars.vocab.size;
    const k = this.labels.length;
    this.features = d;
    const params = new Float64Array(d * k + k);
    const result = lbfgs(params, (p, g) => objective(p, g, x, y, d, k, this.o.C), this.o);
    this.iterations = result.iterations;
    this.w = params.subarray(0, d * k);
    this.b = params.subarray(d * k);
    return this;
  }

  predict(texts: readonly string[]): string[] {
    const x = this.matrix(texts);
    const k = this.labels.length;
    const z = new Float64Array(k);
    return texts.map((_, i) => {
      z.set(this.b);
      for (let p = x.indptr[i]!; p < x.indptr[i + 1]!; p++) {
        const row = x.indices[p]! * k;
        const v = x.values[p]!;
        for (let c = 0; c < k; c++) z[c]! += v * this.w[row + c]!;
      }
      let best = 0;
      for (let c = 1; c < k; c++) if (z[c]! > z[best]!) best = c;
      return this.labels[best]!;
    });
  }
}

/** C · Σ cross-entropy + ½‖W‖² and its gradient (written into `g`). */
function objective(
  p: Float64Array,
  g: Float64Array,
  x: Sparse,
  y: Int32Array,
  d: number,
  k: number,
  C: number,
): number {
  const w = p.subarray(0, d * k);
  const b = p.subarray(d * k);
  const gw = g.subarray(0, d * k);
  const gb = g.subarray(d * k);
  let f = 0;
  for (let j = 0; j < w.length; j++) {
    f += 0.5 * w[j]! * w[j]!;
    gw[j] = w[j]!;
  }
  gb.fill(0);
  const z = new Float64Array(k);
  for (let i = 0; i < y.length; i++) {
    z.set(b);
    const start = x.indptr[i]!;
    const end = x.indptr[i + 1]!;
    for (let q = start; q < end; q++) {
      const row = x.indices[q]! * k;
      const v = x.values[q]!;
      for (let c = 0; c < k; c++) z[c]! += v * w[row + c]!;
    }
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) if (z[c]! > max) max = z[c]!;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      z[c] = Math.exp(z[c]! - max);
      sum += z[c]!;
    }
    f += C * (Math.log(sum) + max - (Math.log(z[y[i]!]!) + max));
    // z becomes C · (softmax − onehot), the gradient of this row's logits.
    for (let c = 0; c < k; c++) z[c] = (C * z[c]!) / sum;
    z[y[i]!]! -= C;
    for (let c = 0; c < k; c++) gb[c]! += z[c]!;
    for (let q = start; q < end; q++) {
      const row = x.indices[q]! * k;
      const v = x.values[q]!;
      for (let c = 0; c < k; c++) gw[row + c]! += v * z[c]!;
    }
  }
  return f;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Minimises `fg` from `x` (updated in place) by L-BFGS with Armijo backtracking. */
function lbfgs(
  x: Float64Array,
  fg: (x: Float64Array, g: Float64Array) => number,
  o: LogRegOptions,
): { iterations: number; f: number } {
  const n = x.length;
  const g = new Float64Array(n);
  let f = fg(x, g);
  const s: Float32Array[] = [];
  const yv: Float32Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const alpha: number[] = [];
  let it = 0;
  for (; it < o.maxIter; it++) {
    let gmax = 0;
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i]!));
    if (gmax < o.tol) break;
    // Two-loop recursion: dir = −H g.
    for (let i = 0; i < n; i++) dir[i] = -g[i]!;
    for (let j = s.length - 1; j >= 0; j--) {
      alpha[j] = rho[j]! * dot(s[j]!, dir);
      const yj = yv[j]!;
      for (let i = 0; i < n; i++) dir[i]! -= alpha[j]! * yj[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, yv[last]!) / dot(yv[last]!, yv[last]!);
      for (let i = 0; i < n; i++) dir[i]! *= gamma;
    } else {
      const norm = Math.sqrt(dot(g, g));
      for (let i = 0; i < n; i++) dir[i]! /= norm;
    }
    for (let j = 0; j < s.length; j++) {
      const beta = rho[j]! * dot(yv[j]!, dir);
      const sj = s[j]!;
      for (let i = 0; i < n; i++) dir[i]! += (alpha[j]! - beta) * sj[i]!;
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (rounding in the stored history): restart from the gradient.
      s.length = 0;
      yv.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -g[i]!;
      slope = dot(g, dir);
    }
    let step = 1;
    let fNew = 0;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * dir[i]!;
      fNew = fg(xNew, gNew);
      if (fNew <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    const sk = new Float32Array(n);
    const yk = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i]! - x[i]!;
      yk[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    x.set(xNew);
    g.set(gNew);
    const improvement = f - fNew;
    f = fNew;
    if (sy > 1e-10) {
      s.push(sk);
      yv.push(yk);
      rho.push(1 / sy);
      if (s.length > o.memory) {
        s.shift();
        yv.shift();
        rho.shift();
      }
    }
    if (improvement <= 1e-9 * Math.max(1, Math.abs(f))) {
      it++;
      break;
    }
  }
  return { iterations: it, f };
}
