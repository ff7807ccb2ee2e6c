/**
 * Shared engine of Wang SSIM and MS-SSIM (not a metric by itself; see ssim.ts and ms-ssim.ts).
 *
 * One pass over two same-size planes computes, for every window centre, the Gaussian-weighted local
 * statistics and the SSIM (and optionally the contrast-structure) value:
 *  - window: 11×11 Gaussian, σ = 1.5, normalised to sum 1; applied separably as the 1-D kernel
 *    g(k) = exp(−k²/(2σ²)) / Σ, k = −5..5 (scipy.ndimage.gaussian_filter with truncate 3.5, which is also
 *    the outer product MATLAB fspecial('gaussian', 11, 1.5) gives);
 *  - four filtered quantities instead of five: μx, μy, E[x² + y²] and E[xy], since SSIM only needs
 *    σx² + σy² = E[x² + y²] − μx² − μy² (population variances, no N−1);
 *  - SSIM = ((2μxμy + C1)(2σxy + C2)) / ((μx² + μy² + C1)(σx² + σy² + C2)), cs = (2σxy + C2)/(σx² + σy² + C2);
 *  - means are taken over the valid region (rows and columns 5 .. n−6), accumulated in float64 per row and
 *    then over rows, in a fixed order, so results are bit-identical across runs and workspaces.
 * Optionally the per-pixel map is written: the valid (H−10)×(W−10) map, or the full H×W map whose 5-pixel
 * ring uses half-sample symmetric ('reflect' in SciPy, 'symmetric' in MATLAB) padding, as skimage's
 * `structural_similarity(full=True)`. Values in the valid region are identical in both modes.
 *
 * Layout (plain typed-array JS, float64 throughout): each input row is converted once (TypedArray#set) and
 * filtered horizontally for the four quantities with the 11 taps held in locals and slid along the row
 * (symmetric taps paired: 6 multiplies, 1 new load per output) into a 16-row ring per quantity; the vertical
 * pass then produces 4 output rows at a time from 14 ring rows, loading each ring sample once for all four,
 * and the SSIM formula runs per output row. All buffers live in an SsimWorkspace: nothing is allocated per
 * pixel or per frame (one subarray view per input row is the only allocation).
 *
 * Where WebAssembly SIMD is available, runSsim runs the same computation in wasm (../wasm/ssim-wang.wat,
 * two neighbouring output columns per f64x2 operation, every output's operations in the same order), which
 * gives bit-identical results; the TypeScript code below is the reference and the fallback. A workspace
 * created with `{ wasm: false }` always uses the TypeScript code.
 */
import type { FloatSamples, Plane, Samples } from '../image/plane';
import { SsimWangWasm } from '../wasm/ssim-wang-wasm';
import { wasmSimdSupported } from '../wasm/wasm-runtime';

export const SSIM_WINDOW = 11;
export const SSIM_RADIUS = 5;
export const SSIM_SIGMA = 1.5;

/** K1/K2 of the SSIM constants: finite and >= 0 (0 is allowed, as in skimage, but can give 0/0 on flat areas). */
export function assertSsimConstant(value: number, label: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${label} must be a finite number >= 0, got ${String(value)}`);
  }
}

export function assertWindowFits(width: number, height: number, what: string): void {
  if (width < SSIM_WINDOW || height < SSIM_WINDOW) {
    throw new RangeError(`${what} is ${width}x${height}, smaller than the ${SSIM_WINDOW}x${SSIM_WINDOW} SSIM window`);
  }
}

/** Normalised half kernel w[0..5] (centre first) of the 11-tap Gaussian, σ = 1.5, as SciPy builds it. */
function gaussianHalfKernel(): Float64Array {
  const sigma2 = SSIM_SIGMA * SSIM_SIGMA;
  const full = new Float64Array(SSIM_WINDOW);
  let sum = 0;
  for (let k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
    const v = Math.exp((-0.5 / sigma2) * k * k);
    full[k + SSIM_RADIUS] = v;
    sum += v;
  }
  const half = new Float64Array(SSIM_RADIUS + 1);
  for (let k = 0; k <= SSIM_RADIUS; k++) half[k] = full[k + SSIM_RADIUS] / sum;
  return half;
}

/** Input rows kept per filtered quantity: 14 are live for a block of 4 output rows; 16 makes slot = row & 15. */
const RING = 16;
const RING_MASK = RING - 1;
/** Output rows per vertical step; the vertical pass shares 14 row loads between 4 outputs. */
const BLOCK = 4;
const BLOCK_TAPS = SSIM_WINDOW + BLOCK - 1;

export interface SsimWorkspaceOptions {
  /** Use the WebAssembly SIMD engine when the runtime has it (default true); false: TypeScript only. */
  readonly wasm?: boolean;
}

/** Whether ssim / msSsim can use the WebAssembly SIMD engine here. */
export function ssimWasmAvailable(): boolean {
  return wasmSimdSupported();
}

/**
 * Reusable scratch for ssim / msSsim on frames of one size (it grows when a wider frame arrives). One
 * workspace per thread; it is not safe to share between concurrent calls (there are none within a JS thread).
 * Every buffer sample a run reads is written earlier in the same run, so reuse never changes results.
 */
export class SsimWorkspace {
  /** Whether runs may use the WebAssembly engine (when the runtime supports it). */
  readonly wasmEnabled: boolean;
  /** The WebAssembly engine: created on first use; null when unavailable. */
  private wasmEngine: SsimWangWasm | null | undefined;
  /** Capacity in samples of every row buffer (>= width + 10). */
  private capacity = 0;
  readonly weights: Float64Array = gaussianHalfKernel();
  readonly offsets = new Int32Array(BLOCK_TAPS);
  ringMu1 = new Float64Array(0);
  ringMu2 = new Float64Array(0);
  ringSq = new Float64Array(0);
  ringXy = new Float64Array(0);
  rowX = new Float64Array(0);
  rowY = new Float64Array(0);
  /** Vertical outputs: BLOCK rows per quantity. */
  vMu1: Float64Array[] = [];
  vMu2: Float64Array[] = [];
  vSq: Float64Array[] = [];
  vXy: Float64Array[] = [];
  ssimRow = new Float64Array(0);
  private readonly slots: Float64Array[] = [];
  /** Outputs of the last runSsim(): means over the valid region. */
  meanSsim = Number.NaN;
  meanCs = Number.NaN;

  constructor(width = 0, options: SsimWorkspaceOptions = {}) {
    this.wasmEnabled = options.wasm ?? true;
    if (width > 0 && !this.wasmEnabled) this.ensureWidth(width);
  }

  /** The wasm engine for this workspace, or null (disabled, or no WebAssembly SIMD here). */
  wasm(): SsimWangWasm | null {
    if (this.wasmEngine === undefined) this.wasmEngine = this.wasmEnabled ? SsimWangWasm.create(this.weights) : null;
    return this.wasmEngine;
  }

  ensureWidth(width: number): void {
    const need = width + 2 * SSIM_RADIUS;
    if (need <= this.capacity) return;
    const cap = need;
    this.capacity = cap;
    this.ringMu1 = new Float64Array(RING * cap);
    this.ringMu2 = new Float64Array(RING * cap);
    this.ringSq = new Float64Array(RING * cap);
    this.ringXy = new Float64Array(RING * cap);
    this.rowX = new Float64Array(cap);
    this.rowY = new Float64Array(cap);
    const rows = (): Float64Array[] => Array.from({ length: BLOCK }, () => new Float64Array(cap));
    this.vMu1 = rows();
    this.vMu2 = rows();
    this.vSq = rows();
    this.vXy = rows();
    this.ssimRow = new Float64Array(cap);
  }

  get rowCapacity(): number {
    return this.capacity;
  }

  /** A float64 scratch array for `slot` of at least `length` samples, kept between calls. */
  scratch(slot: number, length: number): Float64Array {
    const have = this.slots[slot];
    if (have !== undefined && have.length >= length) return have;
    const created = new Float64Array(length);
    this.slots[slot] = created;
    return created;
  }
}

/**
 * Copies one row into `dst` at `pad` (converted to float64), mirroring `pad` samples at each end
 * (d c b a | a b c d). TypedArray#set converts natively, several times faster than a JS loop over a
 * union-typed source; the subarray view is the only allocation per row.
 */
function loadRow(data: Samples, offset: number, width: number, dst: Float64Array, pad: number): void {
  dst.set(data.subarray(offset, offset + width), pad);
  for (let p = 0; p < pad; p++) {
    dst[pad - 1 - p] = dst[pad + p];
    dst[pad + width + p] = dst[pad + width - 1 - p];
  }
}

// The horizontal passes keep the 11 taps in locals and slide them by one sample per output, so each
// output costs one new load (two for the product quantities) instead of eleven.

/** dst[off + j] = Σ_k w(|k|) · s[j + 5 + k], k = −5..5, symmetric taps paired. */
function filterRow(s: Float64Array, dst: Float64Array, off: number, n: number, w: Float64Array): void {
  const g0 = w[0];
  const g1 = w[1];
  const g2 = w[2];
  const g3 = w[3];
  const g4 = w[4];
  const g5 = w[5];
  let t0 = s[0];
  let t1 = s[1];
  let t2 = s[2];
  let t3 = s[3];
  let t4 = s[4];
  let t5 = s[5];
  let t6 = s[6];
  let t7 = s[7];
  let t8 = s[8];
  let t9 = s[9];
  for (let j = 0; j < n; j++) {
    const t10 = s[j + 10];
    dst[off + j] = g0 * t5 + g1 * (t4 + t6) + g2 * (t3 + t7) + g3 * (t2 + t8) + g4 * (t1 + t9) + g5 * (t0 + t10);
    t0 = t1;
    t1 = t2;
    t2 = t3;
    t3 = t4;
    t4 = t5;
    t5 = t6;
    t6 = t7;
    t7 = t8;
    t8 = t9;
    t9 = t10;
  }
}

/** As filterRow over x² + y² of two rows. */
function filterRowSumSq(x: Float64Array, y: Float64Array, dst: Float64Array, off: number, n: number, w: Float64Array): void {
  const g0 = w[0];
  const g1 = w[1];
  const g2 = w[2];
  const g3 = w[3];
  const g4 = w[4];
  const g5 = w[5];
  let t0 = x[0] * x[0] + y[0] * y[0];
  let t1 = x[1] * x[1] + y[1] * y[1];
  let t2 = x[2] * x[2] + y[2] * y[2];
  let t3 = x[3] * x[3] + y[3] * y[3];
  let t4 = x[4] * x[4] + y[4] * y[4];
  let t5 = x[5] * x[5] + y[5] * y[5];
  let t6 = x[6] * x[6] + y[6] * y[6];
  let t7 = x[7] * x[7] + y[7] * y[7];
  let t8 = x[8] * x[8] + y[8] * y[8];
  let t9 = x[9] * x[9] + y[9] * y[9];
  for (let j = 0; j < n; j++) {
    const a = x[j + 10];
    const b = y[j + 10];
    const t10 = a * a + b * b;
    dst[off + j] = g0 * t5 + g1 * (t4 + t6) + g2 * (t3 + t7) + g3 * (t2 + t8) + g4 * (t1 + t9) + g5 * (t0 + t10);
    t0 = t1;
    t1 = t2;
    t2 = t3;
    t3 = t4;
    t4 = t5;
    t5 = t6;
    t6 = t7;
    t7 = t8;
    t8 = t9;
    t9 = t10;
  }
}

/** As filterRow over x·y of two rows. */
function filterRowProduct(x: Float64Array, y: Float64Array, dst: Float64Array, off: number, n: number, w: Float64Array): void {
  const g0 = w[0];
  const g1 = w[1];
  const g2 = w[2];
  const g3 = w[3];
  const g4 = w[4];
  const g5 = w[5];
  let t0 = x[0] * y[0];
  let t1 = x[1] * y[1];
  let t2 = x[2] * y[2];
  let t3 = x[3] * y[3];
  let t4 = x[4] * y[4];
  let t5 = x[5] * y[5];
  let t6 = x[6] * y[6];
  let t7 = x[7] * y[7];
  let t8 = x[8] * y[8];
  let t9 = x[9] * y[9];
  for (let j = 0; j < n; j++) {
    const t10 = x[j + 10] * y[j + 10];
    dst[off + j] = g0 * t5 + g1 * (t4 + t6) + g2 * (t3 + t7) + g3 * (t2 + t8) + g4 * (t1 + t9) + g5 * (t0 + t10);
    t0 = t1;
    t1 = t2;
    t2 = t3;
    t3 = t4;
    t4 = t5;
    t5 = t6;
    t6 = t7;
    t7 = t8;
    t8 = t9;
    t9 = t10;
  }
}

/**
 * Vertical pass for 4 consecutive output rows: out_i[j] = Σ_k w(|k|) · ring[offs[i + 5 + k] + j], k = −5..5,
 * i = 0..3. The 14 input rows are loaded once per column and shared between the four outputs.
 */
function filterColumns(
  ring: Float64Array,
  offs: Int32Array,
  outA: Float64Array,
  outB: Float64Array,
  outC: Float64Array,
  outD: Float64Array,
  n: number,
  w: Float64Array,
): void {
  const g0 = w[0];
  const g1 = w[1];
  const g2 = w[2];
  const g3 = w[3];
  const g4 = w[4];
  const g5 = w[5];
  const o0 = offs[0];
  const o1 = offs[1];
  const o2 = offs[2];
  const o3 = offs[3];
  const o4 = offs[4];
  const o5 = offs[5];
  const o6 = offs[6];
  const o7 = offs[7];
  const o8 = offs[8];
  const o9 = offs[9];
  const o10 = offs[10];
  const o11 = offs[11];
  const o12 = offs[12];
  const o13 = offs[13];
  for (let j = 0; j < n; j++) {
    const r0 = ring[o0 + j];
    const r1 = ring[o1 + j];
    const r2 = ring[o2 + j];
    const r3 = ring[o3 + j];
    const r4 = ring[o4 + j];
    const r5 = ring[o5 + j];
    const r6 = ring[o6 + j];
    const r7 = ring[o7 + j];
    const r8 = ring[o8 + j];
    const r9 = ring[o9 + j];
    const r10 = ring[o10 + j];
    const r11 = ring[o11 + j];
    const r12 = ring[o12 + j];
    const r13 = ring[o13 + j];
    outA[j] = g0 * r5 + g1 * (r4 + r6) + g2 * (r3 + r7) + g3 * (r2 + r8) + g4 * (r1 + r9) + g5 * (r0 + r10);
    outB[j] = g0 * r6 + g1 * (r5 + r7) + g2 * (r4 + r8) + g3 * (r3 + r9) + g4 * (r2 + r10) + g5 * (r1 + r11);
    outC[j] = g0 * r7 + g1 * (r6 + r8) + g2 * (r5 + r9) + g3 * (r4 + r10) + g4 * (r3 + r11) + g5 * (r2 + r12);
    outD[j] = g0 * r8 + g1 * (r7 + r9) + g2 * (r6 + r10) + g3 * (r5 + r11) + g4 * (r4 + r12) + g5 * (r3 + r13);
  }
}

/** SSIM for columns [from, to) into out[j]; returns their sum (float64, left to right). */
function ssimFormula(
  mu1: Float64Array,
  mu2: Float64Array,
  sq: Float64Array,
  xy: Float64Array,
  out: Float64Array,
  from: number,
  to: number,
  c1: number,
  c2: number,
): number {
  let sum = 0;
  for (let j = from; j < to; j++) {
    const ux = mu1[j];
    const uy = mu2[j];
    const uxuy = ux * uy;
    const m = ux * ux + uy * uy;
    const v = ((2 * uxuy + c1) * (2 * (xy[j] - uxuy) + c2)) / ((m + c1) * (sq[j] - m + c2));
    out[j] = v;
    sum += v;
  }
  return sum;
}

/** SSIM into out[j] for columns [from, to); returns the sum of cs = (2σxy + C2)/(σx² + σy² + C2) over them. */
function ssimAndCsFormula(
  mu1: Float64Array,
  mu2: Float64Array,
  sq: Float64Array,
  xy: Float64Array,
  out: Float64Array,
  from: number,
  to: number,
  c1: number,
  c2: number,
): number {
  let sum = 0;
  for (let j = from; j < to; j++) {
    const ux = mu1[j];
    const uy = mu2[j];
    const uxuy = ux * uy;
    const m = ux * ux + uy * uy;
    const a2 = 2 * (xy[j] - uxuy) + c2;
    const b2 = sq[j] - m + c2;
    out[j] = ((2 * uxuy + c1) * a2) / ((m + c1) * b2);
    sum += a2 / b2;
  }
  return sum;
}

function rowSum(values: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let j = from; j < to; j++) s += values[j];
  return s;
}

function copyRow(src: Float64Array, dst: FloatSamples, off: number, n: number): void {
  for (let j = 0; j < n; j++) dst[off + j] = src[j];
}

/** Which SSIM map a run writes: none, the valid (H−10)×(W−10) region, or the full H×W map. */
export type SsimMapMode = 'none' | 'valid' | 'full';

/**
 * Runs SSIM over two same-size planes (caller has validated them: width, height >= 11). Leaves the valid
 * region means in ws.meanSsim (and ws.meanCs when wantCs). `map` (when mode is not 'none') receives the valid
 * (H−10)×(W−10) or full H×W map, packed.
 */
export function runSsim(
  x: Plane,
  y: Plane,
  c1: number,
  c2: number,
  wantCs: boolean,
  mode: SsimMapMode,
  map: FloatSamples | null,
  ws: SsimWorkspace,
): void {
  const width = x.width;
  const height = x.height;
  const engine = ws.wasm();
  if (engine !== null && engine.run(x, y, c1, c2, wantCs, mode === 'full', mode === 'none' ? null : map)) {
    const n = (width - 2 * SSIM_RADIUS) * (height - 2 * SSIM_RADIUS);
    ws.meanSsim = engine.ssimTotal / n;
    ws.meanCs = wantCs ? engine.csTotal / n : Number.NaN;
    return;
  }
  ws.ensureWidth(width);
  const cap = ws.rowCapacity;
  const full = mode === 'full';
  const pad = full ? SSIM_RADIUS : 0;
  const outW = full ? width : width - 2 * SSIM_RADIUS;
  const firstRow = full ? 0 : SSIM_RADIUS;
  const endRow = full ? height : height - SSIM_RADIUS;
  const validFrom = full ? SSIM_RADIUS : 0;
  const validTo = validFrom + width - 2 * SSIM_RADIUS;
  const w = ws.weights;
  const offs = ws.offsets;
  const { rowX, rowY, ringMu1, ringMu2, ringSq, ringXy, vMu1, vMu2, vSq, vXy, ssimRow } = ws;
  const xd = x.data;
  const yd = y.data;
  let next = 0;
  let ssimTotal = 0;
  let csTotal = 0;
  for (let r = firstRow; r < endRow; r += BLOCK) {
    // Horizontal pass for every input row the block needs that is not in the ring yet.
    const last = Math.min(height - 1, r + BLOCK - 1 + SSIM_RADIUS);
    for (; next <= last; next++) {
      loadRow(xd, next * x.stride, width, rowX, pad);
      loadRow(yd, next * y.stride, width, rowY, pad);
      const slot = (next & RING_MASK) * cap;
      filterRow(rowX, ringMu1, slot, outW, w);
      filterRow(rowY, ringMu2, slot, outW, w);
      filterRowSumSq(rowX, rowY, ringSq, slot, outW, w);
      filterRowProduct(rowX, rowY, ringXy, slot, outW, w);
    }
    // Ring offsets of input rows r−5 .. r+8: mirrored at the top and bottom (full map), clamped past the
    // last row for outputs beyond endRow (those outputs are discarded).
    for (let k = 0; k < BLOCK_TAPS; k++) {
      let src = r - SSIM_RADIUS + k;
      if (src < 0) src = -src - 1;
      else if (src >= height) src = full ? 2 * height - 1 - src : height - 1;
      offs[k] = (src & RING_MASK) * cap;
    }
    filterColumns(ringMu1, offs, vMu1[0], vMu1[1], vMu1[2], vMu1[3], outW, w);
    filterColumns(ringMu2, offs, vMu2[0], vMu2[1], vMu2[2], vMu2[3], outW, w);
    filterColumns(ringSq, offs, vSq[0], vSq[1], vSq[2], vSq[3], outW, w);
    filterColumns(ringXy, offs, vXy[0], vXy[1], vXy[2], vXy[3], outW, w);
    const rows = Math.min(BLOCK, endRow - r);
    for (let i = 0; i < rows; i++) {
      const row = r + i;
      const mu1 = vMu1[i];
      const mu2 = vMu2[i];
      const sq = vSq[i];
      const xy = vXy[i];
      if (row >= SSIM_RADIUS && row < height - SSIM_RADIUS) {
        if (wantCs) {
          csTotal += ssimAndCsFormula(mu1, mu2, sq, xy, ssimRow, validFrom, validTo, c1, c2);
          ssimTotal += rowSum(ssimRow, validFrom, validTo);
        } else {
          ssimTotal += ssimFormula(mu1, mu2, sq, xy, ssimRow, validFrom, validTo, c1, c2);
        }
        if (full) {
          // The 5-column rings at both ends (map only, outside the mean).
          ssimFormula(mu1, mu2, sq, xy, ssimRow, 0, validFrom, c1, c2);
          ssimFormula(mu1, mu2, sq, xy, ssimRow, validTo, outW, c1, c2);
        }
      } else {
        ssimFormula(mu1, mu2, sq, xy, ssimRow, 0, outW, c1, c2); // a border row of the full map
      }
      if (map !== null) copyRow(ssimRow, map, (row - firstRow) * outW, outW);
    }
  }
  const count = (width - 2 * SSIM_RADIUS) * (height - 2 * SSIM_RADIUS);
  ws.meanSsim = ssimTotal / count;
  ws.meanCs = wantCs ? csTotal / count : Number.NaN;
}
