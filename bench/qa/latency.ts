import { AnswerIndex, type IndexEntry } from '../../src/nets/qa/answer-index.js';
import { createSimdScan } from '../../src/nets/qa/simd-scan.js';
import { sumAll } from '../../src/nets/qa/top-k.js';
import { type Random, seededRandom } from '../../src/nets/random.js';
import { quantile } from '../../training/classifier/metrics.js';

/** Figures of the retrieval scan over a large synthetic answer matrix. */
export interface ScanFigures {
  answers: number;
  dim: number;
  simd: boolean;
  top10P50Ms: number;
  top10P99Ms: number;
  /** The plain pass: one read of every value of the same matrix (the memory floor), median. */
  scanFloorMs: number;
  /** top-10 p50 over the floor. */
  scanFloorRatio: number;
  /** The plain pass in scalar JavaScript, for comparison. */
  jsPassMs: number;
  /** top-10 p50 with the JavaScript scan (the fallback without WebAssembly SIMD). */
  jsTop10P50Ms: number;
  /** Per question, when 16 questions are scanned together. */
  batch16PerQuestionMs: number;
}

function unit(rng: Random, dim: number): Float32Array {
  const v = Float32Array.from({ length: dim }, () => rng.next() - 0.5);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function fill(index: AnswerIndex, n: number, dim: number, rng: Random): void {
  const chunk = 10_000;
  for (let i = 0; i < n; i += chunk) {
    const entries: IndexEntry[] = [];
    for (let j = i; j < Math.min(n, i + chunk); j++) {
      entries.push({
        id: j + 1,
        revision: 1,
        category: `c${j % 77}`,
        vector: unit(rng, dim),
        terms: new Int32Array(0),
      });
    }
    index.upsert(entries);
  }
}

const time = (f: () => void) => {
  const start = performance.now();
  f();
  return performance.now() - start;
};

/**
 * Top-10 over `n` cached answers of `dim` values (random unit vectors, cosine scoring only,
 * as the 256-dim target asks), one question at a time after a warm-up, next to a plain pass
 * over the same matrix.
 */
export function measureScan(n = 100_000, dim = 256, queries = 300): ScanFigures {
  const rng = seededRandom(42);
  const scoring = { dense: 1, count: 0, weighted: 0, bias: 0 };
  const index = new AnswerIndex(dim, scoring, new Float32Array(0));
  fill(index, n, dim, rng);
  const qs = Array.from({ length: queries }, () => ({
    vector: unit(rng, dim),
    terms: new Int32Array(0),
    k: 10,
  }));
  for (const q of qs.slice(0, 20)) index.search([q]);
  const top10 = qs.map((q) => time(() => index.search([q])));
  const matrix = index.matrix();
  const scan = createSimdScan();
  let floor: number[];
  if (scan) {
    // The same amount of memory read by the same kind of code, without the products.
    scan.memory.grow(Math.ceil(matrix.byteLength / 65536) + 1);
    new Float32Array(scan.memory.buffer, 0, matrix.length).set(matrix);
    for (let i = 0; i < 5; i++) scan.sum(0, matrix.length);
    floor = Array.from({ length: 60 }, () => time(() => scan.sum(0, matrix.length)));
  } else floor = Array.from({ length: 60 }, () => time(() => sumAll(matrix)));
  const jsPass = Array.from({ length: 20 }, () => time(() => sumAll(matrix)));
  const batches = Array.from(
    { length: 10 },
    (_, b) => time(() => index.search(qs.slice(b * 16, b * 16 + 16))) / 16,
  );
  const js = new AnswerIndex(dim, scoring, new Float32Array(0), { simd: false });
  fill(js, n, dim, seededRandom(42));
  const jsTop10 = qs.slice(0, 30).map((q) => time(() => js.search([q])));
  const p50 = quantile(top10, 0.5);
  const floorMs = quantile(floor, 0.5);
  return {
    answers: n,
    dim,
    simd: index.usesSimd,
    top10P50Ms: p50,
    top10P99Ms: quantile(top10, 0.99),
    scanFloorMs: floorMs,
    scanFloorRatio: p50 / floorMs,
    jsPassMs: quantile(jsPass, 0.5),
    jsTop10P50Ms: quantile(jsTop10, 0.5),
    batch16PerQuestionMs: quantile(batches, 0.5),
  };
}
