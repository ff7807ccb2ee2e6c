/**
 * SSIM as ffmpeg's `ssim` filter computes it (libavfilter/vf_ssim.c, Loren Merritt's x264 algorithm), so
 * numbers match `ffmpeg -lavfi ssim` per frame.
 *
 * Input: 1..4 planes per side in ffmpeg's data order (Y, U, V[, A] for YUV; G, B, R for GBRP), integer
 * samples in Uint8Array or Uint16Array, values in 0 .. 2^bitDepth − 1 (not checked per sample); ref[i] and
 * dist[i] same size, each plane at least 8×8. `bitDepth` (8..16) is the pixel format's depth.
 * Output: per-plane SSIM and ffmpeg's "All" (planes weighted by their sample counts), in [−1, 1], higher
 * is better, plus All in dB = 10·log10(1/(1 − All)) (+Infinity when |1 − All| <= 1e-9, as ffmpeg).
 * The function is symmetric in its two inputs (ffmpeg's main/reference order does not matter).
 *
 * Algorithm, exactly as vf_ssim.c (FFmpeg 5.x/6.x/7.x, double accumulation):
 *  - only the top-left (W>>2)·4 × (H>>2)·4 samples are used; sums s1 = Σa, s2 = Σb, ss = Σa² + Σb², s12 = Σab
 *    are taken over 4×4 blocks, and every 8×8 window is 2×2 blocks on the 4-sample grid (overlapping), so a
 *    plane gives ((W>>2) − 1)·((H>>2) − 1) windows; no Gaussian weighting;
 *  - per window (integer arithmetic, exact): vars = 64·ss − s1² − s2², covar = 64·s12 − s1·s2,
 *    ssim = (float)(2·s1·s2 + c1)·(float)(2·covar + c2) / ((float)(s1² + s2² + c1)·(float)(vars + c2)),
 *    every cast and operation in float32 (emulated with Math.fround);
 *  - 8-bit: c1 = (int)(.01·.01·255·255·64 + .5) = 416, c2 = (int)(.03·.03·255·255·64·63 + .5) = 235963; the
 *    window values of a row are summed in double;
 *  - >8-bit: max = 2^depth − 1, c1 = (int64)(.01·.01·max·max·64 + .5), c2 = (int64)(.03·.03·max·max·64·63 + .5);
 *    the window values of a row are summed in float32 (ssim_endn_16bit), then added in double;
 *  - plane value = Σ rows / (((W>>2) − 1)·((H>>2) − 1)); All = Σ_i coef_i·plane_i with
 *    coef_i = H_i·W_i / Σ_j H_j·W_j (double), summed in plane order.
 * ffmpeg splits rows between slice threads and adds the per-slice double sums; that regrouping changes
 * the result by at most a few ulp (~1e-16), far below the 6 decimals ffmpeg prints.
 *
 * x86 builds: this is what ffmpeg's C code computes, and what x86-64 builds print too, except for 8-bit
 * planes whose width W has ((W>>2) − 1) mod 4 = 1 (W mod 16 in 8..11, e.g. the 360-wide chroma of 720-wide
 * 4:2:0 video): there the SSE4 `ssim_end_line` tail keeps a window past the row end instead of the last one,
 * and the printed value depends on leftover buffer contents, thread count and frame history (differences up
 * to ~1e-3). test/kernels/metrics/ssim-ffmpeg-x86.ts (a test-only emulation) reproduces that behaviour exactly for checking against such output.
 *
 * Engine: where WebAssembly SIMD is available, planes of bit depth <= 12 run in wasm (../wasm/ssim-ffmpeg.wat:
 * int32 block/window sums, the float32 formula on 4 windows at once, the sums added in the same order), with
 * bit-identical results; the TypeScript code below is the reference and the fallback (always used for depths
 * 13..16 and for Uint16 samples above 4095, where int32 sums could overflow). A workspace created with
 * `{ wasm: false }` always uses the TypeScript code.
 *
 * Reference: Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, IEEE TIP 13(4), 2004 (SSIM);
 * FFmpeg libavfilter/vf_ssim.c and libavfilter/x86/vf_ssim.asm (the SSE4 ssim_end_line does the same float32
 * operations per window and sums them in double).
 */
import { assertSamePlaneSize, type Plane } from '../image/plane';
import { SsimFfmpegWasm } from '../wasm/ssim-ffmpeg-wasm';

export interface SsimFfmpegOptions {
  /** Bits per sample of the pixel format (8 for yuv420p/gray, 10 for yuv420p10le, ...). Required. */
  readonly bitDepth: number;
  /** Reused scratch for per-frame calls. */
  readonly workspace?: SsimFfmpegWorkspace;
}

export interface SsimFfmpegResult {
  /** Per-plane SSIM in input order (ffmpeg's Y, U, V or, for GBRP input, G, B, R). */
  readonly planes: number[];
  /** ffmpeg's "All": planes weighted by sample count. */
  readonly all: number;
  /** ffmpeg's dB figure for All: 10·log10(1/(1 − All)), +Infinity when |1 − All| <= 1e-9. */
  readonly allDb: number;
}

export interface SsimFfmpegWorkspaceOptions {
  /** Use the WebAssembly SIMD engine when the runtime has it (default true); false: TypeScript only. */
  readonly wasm?: boolean;
}

/** Two rows of 4×4 block sums (TypeScript code) and the wasm engine, reused between calls; grows on demand. */
export class SsimFfmpegWorkspace {
  sumsA = new Float64Array(0);
  sumsB = new Float64Array(0);
  /** Whether calls may use the WebAssembly engine (when the runtime supports it). */
  readonly wasmEnabled: boolean;
  private wasmEngine: SsimFfmpegWasm | null | undefined;

  constructor(options: SsimFfmpegWorkspaceOptions = {}) {
    this.wasmEnabled = options.wasm ?? true;
  }

  /** The wasm engine for this workspace (created on first use), or null (disabled or unavailable). */
  wasm(): SsimFfmpegWasm | null {
    if (this.wasmEngine === undefined) this.wasmEngine = this.wasmEnabled ? SsimFfmpegWasm.create() : null;
    return this.wasmEngine;
  }

  ensure(blocks: number): void {
    if (this.sumsA.length >= 4 * blocks) return;
    this.sumsA = new Float64Array(4 * blocks);
    this.sumsB = new Float64Array(4 * blocks);
  }
}

export function createSsimFfmpegWorkspace(options?: SsimFfmpegWorkspaceOptions): SsimFfmpegWorkspace {
  return new SsimFfmpegWorkspace(options);
}

/** ffmpeg's ssim_db(): 10·log10(weight/(weight − ssim)), +Infinity within 1e-9 of weight. */
export function ffmpegSsimDb(ssim: number, weight = 1): number {
  return Math.abs(weight - ssim) > 1e-9 ? 10 * Math.log10(weight / (weight - ssim)) : Number.POSITIVE_INFINITY;
}

const fround = Math.fround;

/**
 * Block sums of block row z (pixel rows 4z..4z+3) for blocks 0..blocks−1 into `out` as [s1, s2, ss, s12]
 * per block. Integer inputs: every sum is an exact integer in float64.
 */
function blockRowSums(a: Plane, b: Plane, z: number, blocks: number, out: Float64Array): void {
  const ad = a.data;
  const bd = b.data;
  out.fill(0, 0, 4 * blocks);
  for (let dy = 0; dy < 4; dy++) {
    let pa = (4 * z + dy) * a.stride;
    let pb = (4 * z + dy) * b.stride;
    for (let i = 0, o = 0; i < blocks; i++, o += 4, pa += 4, pb += 4) {
      const a0 = ad[pa];
      const a1 = ad[pa + 1];
      const a2 = ad[pa + 2];
      const a3 = ad[pa + 3];
      const b0 = bd[pb];
      const b1 = bd[pb + 1];
      const b2 = bd[pb + 2];
      const b3 = bd[pb + 3];
      out[o] += a0 + a1 + a2 + a3;
      out[o + 1] += b0 + b1 + b2 + b3;
      out[o + 2] += a0 * a0 + a1 * a1 + a2 * a2 + a3 * a3 + (b0 * b0 + b1 * b1 + b2 * b2 + b3 * b3);
      out[o + 3] += a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3;
    }
  }
}

/** One row of windows, 8-bit path: float32 per window, summed in double (ssim_endn_8bit / ssim_end1). */
function rowSsim8(cur: Float64Array, prev: Float64Array, windows: number): number {
  const c1 = 416;
  const c2 = 235963;
  let sum = 0;
  for (let i = 0, o = 0; i < windows; i++, o += 4) {
    const s1 = cur[o] + cur[o + 4] + prev[o] + prev[o + 4];
    const s2 = cur[o + 1] + cur[o + 5] + prev[o + 1] + prev[o + 5];
    const ss = cur[o + 2] + cur[o + 6] + prev[o + 2] + prev[o + 6];
    const s12 = cur[o + 3] + cur[o + 7] + prev[o + 3] + prev[o + 7];
    const vars = ss * 64 - s1 * s1 - s2 * s2;
    const covar = s12 * 64 - s1 * s2;
    const num = fround(fround(2 * s1 * s2 + c1) * fround(2 * covar + c2));
    const den = fround(fround(s1 * s1 + s2 * s2 + c1) * fround(vars + c2));
    sum += fround(num / den);
  }
  return sum;
}

/** One row of windows, >8-bit path: float32 per window and a float32 row sum (ssim_endn_16bit / ssim_end1x). */
function rowSsimHigh(cur: Float64Array, prev: Float64Array, windows: number, c1: number, c2: number): number {
  let sum = 0;
  for (let i = 0, o = 0; i < windows; i++, o += 4) {
    const s1 = cur[o] + cur[o + 4] + prev[o] + prev[o + 4];
    const s2 = cur[o + 1] + cur[o + 5] + prev[o + 1] + prev[o + 5];
    const ss = cur[o + 2] + cur[o + 6] + prev[o + 2] + prev[o + 6];
    const s12 = cur[o + 3] + cur[o + 7] + prev[o + 3] + prev[o + 7];
    const vars = ss * 64 - s1 * s1 - s2 * s2;
    const covar = s12 * 64 - s1 * s2;
    const num = fround(fround(2 * s1 * s2 + c1) * fround(2 * covar + c2));
    const den = fround(fround(s1 * s1 + s2 * s2 + c1) * fround(vars + c2));
    sum = fround(sum + fround(num / den));
  }
  return sum;
}

function planeSsim(a: Plane, b: Plane, bitDepth: number, ws: SsimFfmpegWorkspace): number {
  const blocksX = a.width >> 2;
  const blocksY = a.height >> 2;
  const high = bitDepth > 8;
  const max = 2 ** bitDepth - 1;
  // Same double expressions, left to right, and truncation as the C (int64_t)(... + .5) casts.
  const c1 = Math.trunc(0.01 * 0.01 * max * max * 64 + 0.5);
  const c2 = Math.trunc(0.03 * 0.03 * max * max * 64 * 63 + 0.5);
  if (bitDepth <= 12) {
    const engine = ws.wasm();
    const total = engine === null ? null : engine.plane(a, b, high, c1, c2);
    if (total !== null) return total / ((blocksX - 1) * (blocksY - 1));
  }
  ws.ensure(blocksX);
  let prev = ws.sumsA;
  let cur = ws.sumsB;
  blockRowSums(a, b, 0, blocksX, prev);
  let total = 0;
  for (let y = 1; y < blocksY; y++) {
    blockRowSums(a, b, y, blocksX, cur);
    total += high ? rowSsimHigh(cur, prev, blocksX - 1, c1, c2) : rowSsim8(cur, prev, blocksX - 1);
    const t = prev;
    prev = cur;
    cur = t;
  }
  return total / ((blocksX - 1) * (blocksY - 1));
}

export function ssimFfmpeg(ref: Plane | readonly Plane[], dist: Plane | readonly Plane[], options: SsimFfmpegOptions): SsimFfmpegResult {
  if (options === null || typeof options !== 'object') throw new TypeError('ssimFfmpeg options must be an object');
  const { bitDepth } = options;
  if (!Number.isInteger(bitDepth) || bitDepth < 8 || bitDepth > 16) {
    throw new RangeError(`bitDepth must be an integer 8..16 (the pixel format's depth), got ${String(bitDepth)}`);
  }
  const refs = Array.isArray(ref) ? (ref as readonly Plane[]) : [ref as Plane];
  const dists = Array.isArray(dist) ? (dist as readonly Plane[]) : [dist as Plane];
  if (refs.length < 1 || refs.length > 4) throw new RangeError(`ssimFfmpeg takes 1 to 4 planes, got ${refs.length}`);
  if (refs.length !== dists.length) throw new RangeError(`ref has ${refs.length} planes but dist has ${dists.length}`);
  for (let i = 0; i < refs.length; i++) {
    const suffix = refs.length > 1 ? `[${i}]` : '';
    assertSamePlaneSize(refs[i], dists[i], `ref${suffix}`, `dist${suffix}`);
    for (const p of [refs[i], dists[i]]) {
      if (!(p.data instanceof Uint8Array || p.data instanceof Uint16Array)) {
        throw new TypeError(`ssimFfmpeg needs integer samples (Uint8Array or Uint16Array) like ffmpeg's pixel formats`);
      }
    }
    if (refs[i].width < 8 || refs[i].height < 8) {
      throw new RangeError(`plane ${i} is ${refs[i].width}x${refs[i].height}; ffmpeg's SSIM needs at least 8x8 (one 8x8 window)`);
    }
  }
  const ws = options.workspace ?? new SsimFfmpegWorkspace();
  if (!(ws instanceof SsimFfmpegWorkspace)) throw new TypeError('workspace must come from createSsimFfmpegWorkspace()');

  let samples = 0;
  for (const p of refs) samples += p.width * p.height;
  const planes: number[] = [];
  let all = 0;
  for (let i = 0; i < refs.length; i++) {
    const value = planeSsim(refs[i], dists[i], bitDepth, ws);
    planes.push(value);
    all += ((refs[i].height * refs[i].width) / samples) * value;
  }
  return { planes, all, allDb: ffmpegSsimDb(all, 1) };
}
