/**
 * The dense scan of the answer index as a small WebAssembly module with 128-bit SIMD: four
 * float32 products per instruction, so the scan runs at the speed memory delivers the matrix
 * rather than at the speed of scalar JavaScript (about twice slower). The module is a few
 * hundred bytes assembled below; the matrix lives in its memory, so the index's one
 * contiguous Float32Array is a view of that memory. Where WebAssembly SIMD is missing the
 * index falls back to the JavaScript scan of `top-k.ts`.
 *
 * Exports: `memory`; `dots(m, n, stride, q, nq, out)`: for rows r < n of the float32 matrix
 * at byte `m` (row stride `stride` floats, a multiple of 8) and queries k < nq at byte `q`,
 * writes the dot product to float `out[k * n + r]`; `sum(p, count)`: the sum of `count`
 * floats at byte `p` (count a multiple of 8), the plain pass that measures the memory floor.
 */

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (small constants only). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const str = (s: string) => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

// Instructions used below.
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32c = (n: number) => [0x41, ...sleb(n)];
const ADD = [0x6a];
const MUL = [0x6c];
const SHL = [0x74];
const GE_U = [0x4f];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const br = (d: number) => [0x0c, d];
const brIf = (d: number) => [0x0d, d];
const F32_ADD = [0x92];
const f32Store = [0x38, 0x02, 0x00];
const v128Load = (offset: number) => [0xfd, 0x00, 0x04, ...uleb(offset)];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
const F32X4_ADD = [0xfd, 0xe4, 0x01];
const F32X4_MUL = [0xfd, 0xe6, 0x01];
const lane = (i: number) => [0xfd, 0x1f, i];

/** Adds the four lanes of the v128 in local `v` (leaves an f32). */
const laneSum = (v: number) => [
  ...get(v),
  ...lane(0),
  ...get(v),
  ...lane(1),
  ...F32_ADD,
  ...get(v),
  ...lane(2),
  ...F32_ADD,
  ...get(v),
  ...lane(3),
  ...F32_ADD,
];

/** Two accumulators over 8 floats per step: `acc_a += [p] * [q]`, `acc_b += [p+16] * [q+16]`. */
const fma8 = (p: number, q: number, a: number, b: number, withQ: boolean) => {
  const load = (ptr: number, off: number) => [...get(ptr), ...v128Load(off)];
  const term = (off: number) => (withQ ? [...load(p, off), ...load(q, off), ...F32X4_MUL] : load(p, off));
  return [...get(a), ...term(0), ...F32X4_ADD, ...set(a), ...get(b), ...term(16), ...F32X4_ADD, ...set(b)];
};

// dots: params m=0 n=1 stride=2 q=3 nq=4 out=5; locals r=6 k=7 p=8 qp=9 end=10 row=11 bytes=12 a0=13 a1=14
const dotsBody = [
  ...vec([
    [7, I32],
    [2, V128],
  ]),
  ...get(2),
  ...i32c(2),
  ...SHL,
  ...set(12),
  ...BLOCK,
  ...LOOP,
  ...get(6),
  ...get(1),
  ...GE_U,
  ...brIf(1),
  ...get(0),
  ...get(6),
  ...get(12),
  ...MUL,
  ...ADD,
  ...set(11),
  ...i32c(0),
  ...set(7),
  ...BLOCK,
  ...LOOP,
  ...get(7),
  ...get(4),
  ...GE_U,
  ...brIf(1),
  ...V128_ZERO,
  ...set(13),
  ...V128_ZERO,
  ...set(14),
  ...get(11),
  ...set(8),
  ...get(3),
  ...get(7),
  ...get(12),
  ...MUL,
  ...ADD,
  ...set(9),
  ...get(11),
  ...get(12),
  ...ADD,
  ...set(10),
  ...BLOCK,
  ...LOOP,
  ...get(8),
  ...get(10),
  ...GE_U,
  ...brIf(1),
  ...fma8(8, 9, 13, 14, true),
  ...get(8),
  ...i32c(32),
  ...ADD,
  ...set(8),
  ...get(9),
  ...i32c(32),
  ...ADD,
  ...set(9),
  ...br(0),
  ...END,
  ...END,
  // out[k * n + r] = sum of lanes
  ...get(5),
  ...get(7),
  ...get(1),
  ...MUL,
  ...get(6),
  ...ADD,
  ...i32c(2),
  ...SHL,
  ...ADD,
  ...get(13),
  ...get(14),
  ...F32X4_ADD,
  ...tee(13),
  ...[0x1a], // drop the tee'd copy: laneSum reads the local
  ...laneSum(13),
  ...f32Store,
  ...get(7),
  ...i32c(1),
  ...ADD,
  ...set(7),
  ...br(0),
  ...END,
  ...END,
  ...get(6),
  ...i32c(1),
  ...ADD,
  ...set(6),
  ...br(0),
  ...END,
  ...END,
  ...END,
];

// sum: params p=0 count=1; locals end=2 a0=3 a1=4
const sumBody = [
  ...vec([
    [1, I32],
    [2, V128],
  ]),
  ...get(0),
  ...get(1),
  ...i32c(2),
  ...SHL,
  ...ADD,
  ...set(2),
  ...V128_ZERO,
  ...set(3),
  ...V128_ZERO,
  ...set(4),
  ...BLOCK,
  ...LOOP,
  ...get(0),
  ...get(2),
  ...GE_U,
  ...brIf(1),
  ...fma8(0, 0, 3, 4, false),
  ...get(0),
  ...i32c(32),
  ...ADD,
  ...set(0),
  ...br(0),
  ...END,
  ...END,
  ...get(3),
  ...get(4),
  ...F32X4_ADD,
  ...set(3),
  ...laneSum(3),
  ...END,
];

const withSize = (body: number[]) => [...uleb(body.length), ...body];

/** The module's bytes. */
export function scanModuleBytes(): Uint8Array {
  const types = vec([
    [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([])],
    [0x60, ...vec([[I32], [I32]]), ...vec([[F32]])],
  ]);
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...section(3, vec([[0], [1]])),
    ...section(5, vec([[0x00, ...uleb(1)]])),
    ...section(
      7,
      vec([
        [...str('memory'), 0x02, 0],
        [...str('dots'), 0x00, 0],
        [...str('sum'), 0x00, 1],
      ]),
    ),
    ...section(10, vec([withSize(dotsBody), withSize(sumBody)])),
  ]);
}

/** A WebAssembly memory, as much of it as the scan uses. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

// The project's TypeScript libraries do not declare WebAssembly; Node has it.
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

/** The instantiated scan: its memory and functions (byte addresses into that memory). */
export interface SimdScan {
  memory: WasmMemory;
  dots(m: number, n: number, stride: number, q: number, nq: number, out: number): void;
  sum(p: number, count: number): number;
}

let compiled: object | null | undefined;

/** A new instance of the scan (each index owns its memory), or null without WebAssembly SIMD. */
export function createSimdScan(): SimdScan | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(scanModuleBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled === null ? null : (new wasm.Instance(compiled, {}).exports as SimdScan);
}
