/**
 * VIF as libvmaf 3.2.0's floating-point extractor `float_vif` computes it with its default options
 * (features `VMAF_feature_vif_scale0..3_score`, the inputs of `vmaf_float_v0.6.1`).
 *
 * Convention (read from libvmaf's float_vif.c, vif.c, vif_tools.c and picture_copy.c):
 * - luma only; a sample becomes the single-precision value `v − 128` (8-bit) or `v/4 − 128` (10-bit);
 * - 4 scales; scale s uses a normalised Gaussian of 17, 9, 5, 3 taps (σ = taps/5), built in single
 *   precision from double-precision exp; scale s > 0 first blurs the previous scale with scale s's
 *   filter and keeps every second sample of every second row (sizes halved, rounded down);
 * - at each scale, separable filtering (columns first, then rows) of x, y, x², y² and xy with borders
 *   mirrored (index −1 reads 1, index n reads n−2), each product and partial sum rounded to single
 *   precision, as libvmaf's plain and AVX code both do;
 * - the "matching_matlab" statistic: σ1², σ2² clipped at 0, gain g = σ12/(σ1²+1e-10), residual
 *   σv² = σ2² − g·σ12, the special cases of libvmaf, g capped at the enhancement gain limit (100),
 *   neural noise σn² = 2; num = log2(1 + g²σ1²/(σv²+σn²)), den = log2(1 + σ1²/σn²), both replaced by
 *   1 − σ2²·(4/255²) and 1 where σ1² < σn²; log2 is libvmaf's polynomial approximation (VIF_OPT_FAST_LOG2),
 *   reproduced bit for bit; sums per row then per frame in single precision;
 * - scale s = num_s / den_s (double).
 *
 * Every operation is rounded where libvmaf rounds (Math.fround for float, plain numbers where it works
 * in double), so the features are libvmaf's up to the order-preserving float arithmetic. The workspace
 * holds every buffer; computing a frame allocates nothing per pixel.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';

const fr = Math.fround;

const SIGMA_NSQ = 2.0;
const EPS = fr(1.0e-10);
const SIGMA_MAX_INV = fr(4 / (255.0 * 255.0));

/** libvmaf's log2 polynomial (in its order: highest degree first), single precision. */
const LOG2_POLY = [
  -0.012671635276421, 0.06484118240267, -0.157048836463065, 0.257167726303123, -0.35380056030052, 0.480131410397451,
  -0.721314327952201, 1.442694803896991, 0,
].map(fr);

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** libvmaf's fast log2f: exponent plus a degree-8 polynomial in the mantissa, all in single precision. */
export function log2fApprox(x: number): number {
  if (x === 0) return -Infinity;
  if (!(x > 0)) return Number.NaN;
  f32[0] = x;
  const bits = u32[0]!;
  const exponent = (bits >>> 23) & 0xff;
  u32[0] = (bits & 0x7fffff) | 0x3f800000;
  const m = fr(f32[0]! - 1);
  let v = 0;
  for (let i = 0; i < LOG2_POLY.length; i++) v = fr(fr(v * m) + LOG2_POLY[i]!);
  return fr(exponent - 127 + v);
}

/** The normalised Gaussian of scale s (17, 9, 5, 3 taps), as libvmaf builds it in single precision. */
function gaussian(scale: number): Float32Array {
  const size = (1 << (4 - scale)) + 1;
  const stdev = fr(size / 5);
  const k = (size - 1) >> 1;
  const out = new Float32Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - k;
    const num = fr(Math.exp((((-0.5 * x) / stdev) * x) / stdev));
    const den = fr(1 / (stdev * Math.sqrt(2 * Math.PI)));
    out[i] = fr(num / den);
    sum = fr(sum + out[i]!);
  }
  for (let i = 0; i < size; i++) out[i] = fr(out[i]! / sum);
  return out;
}

const FILTERS: readonly Float32Array[] = [0, 1, 2, 3].map(gaussian);

export interface FloatVifWorkspace {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** Scale-0 pictures (offset to signed), then the decimated pictures of scales 1..3 (same stride). */
  readonly ref: Float32Array;
  readonly dis: Float32Array;
  readonly refScale: Float32Array;
  readonly disScale: Float32Array;
  readonly mu1: Float32Array;
  readonly mu2: Float32Array;
  readonly xx: Float32Array;
  readonly yy: Float32Array;
  readonly xy: Float32Array;
  /** Five rows of the column pass (x, y, x², y², xy). */
  readonly tmp: Float32Array;
}

export function createFloatVifWorkspace(width: number, height: number, bitDepth = 8): FloatVifWorkspace {
  if (bitDepth !== 8 && bitDepth !== 10) {
    throw new IqaError('E_UNSUPPORTED', `float VIF handles 8- and 10-bit samples, not ${bitDepth}-bit`);
  }
  // Scale 3 works on a picture 1/8 the size; its 3-tap filter mirrors, so it needs at least 2 samples.
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 16 && height >= 16)) {
    throw new IqaError('E_UNSUPPORTED', `float VIF needs frames of at least 16x16, got ${width}x${height}`);
  }
  const n = width * height;
  return {
    width,
    height,
    bitDepth,
    ref: new Float32Array(n),
    dis: new Float32Array(n),
    refScale: new Float32Array(n),
    disScale: new Float32Array(n),
    mu1: new Float32Array(n),
    mu2: new Float32Array(n),
    xx: new Float32Array(n),
    yy: new Float32Array(n),
    xy: new Float32Array(n),
    tmp: new Float32Array(5 * width),
  };
}

export interface FloatVifOptions {
  /** vif_enhn_gain_limit: 100 (default) down to 1.0 (NEG models). */
  readonly enhnGainLimit?: number;
}

export interface FloatVifResult {
  /** VMAF_feature_vif_scale0..3_score: num_s / den_s. */
  readonly scores: [number, number, number, number];
  readonly num: [number, number, number, number];
  readonly den: [number, number, number, number];
}

/** A luma plane as libvmaf's picture_copy makes it: single-precision samples less 128. */
export function pictureToFloat(src: Plane<Uint8Array | Uint16Array>, bitDepth: number, out: Float32Array): void {
  const { width: w, height: h, stride, data } = src;
  const scale = bitDepth === 10 ? 4 : 1;
  for (let i = 0; i < h; i++) {
    const o = i * w;
    const s = i * stride;
    for (let j = 0; j < w; j++) out[o + j] = data[s + j]! / scale - 128; // exact in single precision
  }
}

const mirror = (k: number, n: number): number => (k < 0 ? -k : k >= n ? 2 * n - k - 2 : k);

/**
 * One filter of `src` (w×h, row stride `stride`) into `dst`, columns then rows, computing only the rows
 * and columns `step` apart (step 2: the samples decimation keeps, each equal to the full filter's).
 */
function blur(f: Float32Array, src: Float32Array, dst: Float32Array, tmp: Float32Array, w: number, h: number, stride: number, step: number): void {
  const fw = f.length;
  const r = fw >> 1;
  for (let i = 0, oi = 0; i < h; i += step, oi++) {
    for (let j = 0; j < w; j++) {
      let acc = 0;
      for (let k = 0; k < fw; k++) acc = fr(acc + fr(f[k]! * src[mirror(i - r + k, h) * stride + j]!));
      tmp[j] = acc;
    }
    const o = oi * stride;
    for (let j = 0, oj = 0; j < w; j += step, oj++) {
      let acc = 0;
      for (let k = 0; k < fw; k++) acc = fr(acc + fr(f[k]! * tmp[mirror(j - r + k, w)]!));
      dst[o + oj] = acc;
    }
  }
}

/** x, y, x², y², xy filtered at once (each exactly as its own filter would be). */
function moments(ws: FloatVifWorkspace, f: Float32Array, x: Float32Array, y: Float32Array, w: number, h: number): void {
  const stride = ws.width;
  const { tmp, mu1, mu2, xx, yy, xy } = ws;
  const fw = f.length;
  const r = fw >> 1;
  const t1 = 0;
  const t2 = w;
  const t3 = 2 * w;
  const t4 = 3 * w;
  const t5 = 4 * w;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let a4 = 0;
      let a5 = 0;
      for (let k = 0; k < fw; k++) {
        const c = f[k]!;
        const p = mirror(i - r + k, h) * stride + j;
        const xv = x[p]!;
        const yv = y[p]!;
        a1 = fr(a1 + fr(c * xv));
        a2 = fr(a2 + fr(c * yv));
        a3 = fr(a3 + fr(c * fr(xv * xv)));
        a4 = fr(a4 + fr(c * fr(yv * yv)));
        a5 = fr(a5 + fr(c * fr(xv * yv)));
      }
      tmp[t1 + j] = a1;
      tmp[t2 + j] = a2;
      tmp[t3 + j] = a3;
      tmp[t4 + j] = a4;
      tmp[t5 + j] = a5;
    }
    const o = i * stride;
    for (let j = 0; j < w; j++) {
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let a4 = 0;
      let a5 = 0;
      for (let k = 0; k < fw; k++) {
        const c = f[k]!;
        const q = mirror(j - r + k, w);
        a1 = fr(a1 + fr(c * tmp[t1 + q]!));
        a2 = fr(a2 + fr(c * tmp[t2 + q]!));
        a3 = fr(a3 + fr(c * tmp[t3 + q]!));
        a4 = fr(a4 + fr(c * tmp[t4 + q]!));
        a5 = fr(a5 + fr(c * tmp[t5 + q]!));
      }
      mu1[o + j] = a1;
      mu2[o + j] = a2;
      xx[o + j] = a3;
      yy[o + j] = a4;
      xy[o + j] = a5;
    }
  }
}

/** The VIF statistic summed over a w×h scale: [num, den] in single precision. */
function statistic(ws: FloatVifWorkspace, w: number, h: number, gainLimit: number, out: Float64Array): void {
  const stride = ws.width;
  const { mu1, mu2, xx, yy, xy } = ws;
  const egl = fr(gainLimit);
  let accNum = 0;
  let accDen = 0;
  for (let i = 0; i < h; i++) {
    let rowNum = 0;
    let rowDen = 0;
    const o = i * stride;
    for (let j = 0; j < w; j++) {
      const m1 = mu1[o + j]!;
      const m2 = mu2[o + j]!;
      let s1 = fr(xx[o + j]! - fr(m1 * m1));
      let s2 = fr(yy[o + j]! - fr(m2 * m2));
      const s12 = fr(xy[o + j]! - fr(m1 * m2));
      if (!(s1 > 0)) s1 = 0;
      if (!(s2 > 0)) s2 = 0;
      let g = fr(s12 / fr(s1 + EPS));
      let sv = fr(s2 - fr(g * s12));
      if (s1 < EPS) {
        g = 0;
        sv = s2;
        s1 = 0;
      }
      if (s2 < EPS) {
        g = 0;
        sv = 0;
      }
      if (g < 0) {
        sv = s2;
        g = 0;
      }
      if (!(sv > EPS)) sv = EPS;
      if (g > egl) g = egl;
      let num = log2fApprox(fr(1 + fr(fr(g * g) * s1) / (sv + SIGMA_NSQ)));
      let den = log2fApprox(fr(1 + s1 / SIGMA_NSQ));
      if (s12 < 0) num = 0;
      if (s1 < SIGMA_NSQ) {
        num = fr(1 - fr(s2 * SIGMA_MAX_INV));
        den = 1;
      }
      rowNum = fr(rowNum + num);
      rowDen = fr(rowDen + den);
    }
    accNum = fr(accNum + rowNum);
    accDen = fr(accDen + rowDen);
  }
  out[0] = accNum;
  out[1] = accDen;
}

const numDen = new Float64Array(2);

/** float_vif's four scales for one frame. */
export function floatVif(
  ref: Plane<Uint8Array | Uint16Array>,
  dist: Plane<Uint8Array | Uint16Array>,
  ws: FloatVifWorkspace,
  options: FloatVifOptions = {},
): FloatVifResult {
  if (ref.width !== ws.width || ref.height !== ws.height || dist.width !== ws.width || dist.height !== ws.height) {
    throw new IqaError('E_MISMATCH', `float VIF: frames are ${ref.width}x${ref.height} and ${dist.width}x${dist.height}, the workspace is for ${ws.width}x${ws.height}`);
  }
  const gainLimit = options.enhnGainLimit ?? 100;
  pictureToFloat(ref, ws.bitDepth, ws.ref);
  pictureToFloat(dist, ws.bitDepth, ws.dis);
  const stride = ws.width;
  let w = ws.width;
  let h = ws.height;
  let x = ws.ref;
  let y = ws.dis;
  const num: [number, number, number, number] = [0, 0, 0, 0];
  const den: [number, number, number, number] = [0, 0, 0, 0];
  const scores: [number, number, number, number] = [0, 0, 0, 0];
  for (let scale = 0; scale < 4; scale++) {
    const f = FILTERS[scale]!;
    if (scale > 0) {
      // Blur with this scale's filter and keep the even rows and columns (only those are computed).
      blur(f, x, ws.mu1, ws.tmp, w, h, stride, 2);
      blur(f, y, ws.mu2, ws.tmp, w, h, stride, 2);
      w >>= 1;
      h >>= 1;
      copyRows(ws.mu1, ws.refScale, w, h, stride);
      copyRows(ws.mu2, ws.disScale, w, h, stride);
      x = ws.refScale;
      y = ws.disScale;
    }
    moments(ws, f, x, y, w, h);
    statistic(ws, w, h, gainLimit, numDen);
    num[scale] = numDen[0]!;
    den[scale] = numDen[1]!;
    scores[scale] = num[scale] / den[scale];
  }
  return { scores, num, den };
}

function copyRows(src: Float32Array, dst: Float32Array, w: number, h: number, stride: number): void {
  for (let i = 0; i < h; i++) dst.set(src.subarray(i * stride, i * stride + w), i * stride);
}
