/**
 * VIF (visual information fidelity) as libvmaf 3.2.0's fixed-point extractor `vif` computes it
 * (features `VMAF_integer_feature_vif_scale0..3_score`, printed by the CLI as `integer_vif_scale0..3`).
 *
 * Convention (read from libvmaf's integer_vif.c and checked against the vmaf CLI's output):
 * - luma only, 8- or 10-bit samples; 4 scales; scale 0 at full size, each further scale low-pass
 *   filtered with that scale's integer Gaussian and decimated by 2 (floor of the size, even rows and
 *   columns kept);
 * - borders are mirrored without repeating the edge sample (index -k reads k, w-1+k reads w-1-k);
 * - local means and (co)variances in fixed point with libvmaf's rounding shifts; log2 through a
 *   2048-steps-per-octave table of the 15 leading bits; noise variance 2 in Q16 (sigma_nsq = 2^17);
 * - enhancement gain limit `egl` (default 100; the NEG models use 1) caps g = sigma12/sigma1^2;
 * - per scale, num and den are single-precision floats and the score is num/den in float, as libvmaf
 *   stores them.
 *
 * The workspace holds every buffer; computing a frame allocates nothing.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';
import { IntegerVifWasm } from '../wasm/vif-integer-wasm';
import { mulHi32Round, POW2 } from './fixed-point';

/** The four 1-D integer Gaussians (Q16), one per scale, of widths 17, 9, 5, 3. */
const VIF_FILTERS: readonly Uint16Array[] = [
  Uint16Array.of(489, 935, 1640, 2640, 3896, 5274, 6547, 7455, 7784, 7455, 6547, 5274, 3896, 2640, 1640, 935, 489),
  Uint16Array.of(1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244),
  Uint16Array.of(3571, 16004, 26386, 16004, 3571),
  Uint16Array.of(10904, 43728, 10904),
];

/** Rows and columns of mirrored padding kept around every level (half the widest filter). */
const PAD = 8;
const SIGMA_NSQ = 131072;

/** round(log2(i)·2048) for i = 32767..65535, with log2 in single precision as libvmaf builds it. */
const LOG2_TABLE: Uint16Array = (() => {
  const t = new Uint16Array(65536);
  for (let i = 32767; i < 65536; i++) {
    const v = Math.fround(Math.fround(Math.log2(i)) * 2048);
    t[i] = Math.floor(v + 0.5); // C round(): half away from zero; v > 0
  }
  return t;
})();

/** log2(v)·2048 from the 16 leading bits of v (2^15 ≤ v < 2^53). */
function log2Fixed(v: number): number {
  if (v < 4294967296) {
    const k = 16 - Math.clz32(v);
    return LOG2_TABLE[v >>> k]! + 2048 * k;
  }
  const k = 48 - Math.clz32(Math.floor(v / 4294967296));
  return LOG2_TABLE[Math.floor(v / POW2[k]!)]! + 2048 * k;
}

export interface IntegerVifOptions {
  /** vif_enhn_gain_limit: 100 (default) or down to 1.0 (NEG models). */
  readonly enhnGainLimit?: number;
  /**
   * 8-bit input in WebAssembly SIMD (vif-integer.wat; default true): the same numbers as the TypeScript
   * code, which stays the fallback where WebAssembly SIMD is missing (false forces it).
   */
  readonly wasm?: boolean;
}

export interface IntegerVifResult {
  /** vif_scale0..3: num/den per scale, single precision as libvmaf reports it. */
  readonly scores: [number, number, number, number];
  readonly num: [number, number, number, number];
  readonly den: [number, number, number, number];
}

export interface IntegerVifWorkspace {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** Two padded levels per side (PAD rows above and below, row stride = width), used in turn. */
  readonly levels: [Uint16Array, Uint16Array, Uint16Array, Uint16Array];
  /** Horizontal working rows, PAD columns each side. */
  readonly tMu1: Float64Array;
  readonly tMu2: Float64Array;
  readonly tRef: Float64Array;
  readonly tDis: Float64Array;
  readonly tRefDis: Float64Array;
  /** Squares and cross products of the last 17 input rows (a ring), for the vertical pass. */
  readonly sqR: Float64Array;
  readonly sqD: Float64Array;
  readonly sqRD: Float64Array;
  readonly slots: Int32Array;
  /** The WebAssembly engine (8-bit only), made on first use; null where it cannot be had. */
  wasm: IntegerVifWasm | null | undefined;
}

export function createIntegerVifWorkspace(width: number, height: number, bitDepth = 8): IntegerVifWorkspace {
  if (bitDepth !== 8 && bitDepth !== 10) {
    throw new IqaError('E_UNSUPPORTED', `integer VIF handles 8- and 10-bit samples, not ${bitDepth}-bit`);
  }
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 32 && height >= 32)) {
    throw new IqaError('E_UNSUPPORTED', `integer VIF needs frames of at least 32x32, got ${width}x${height}`);
  }
  const plane = (height + 2 * PAD) * width;
  const row = width + 2 * PAD;
  return {
    width,
    height,
    bitDepth,
    levels: [new Uint16Array(plane), new Uint16Array(plane), new Uint16Array(plane), new Uint16Array(plane)],
    tMu1: new Float64Array(row),
    tMu2: new Float64Array(row),
    tRef: new Float64Array(row),
    tDis: new Float64Array(row),
    tRefDis: new Float64Array(row),
    sqR: new Float64Array(17 * width),
    sqD: new Float64Array(17 * width),
    sqRD: new Float64Array(17 * width),
    slots: new Int32Array(17),
    wasm: bitDepth === 8 ? undefined : null,
  };
}

/** Mirror PAD rows above and below a level of h rows (row -k = row k, row h-1+k = row h-1-k). */
function padRows(buf: Uint16Array, stride: number, h: number): void {
  for (let k = 1; k <= PAD; k++) {
    buf.copyWithin((PAD - k) * stride, (PAD + k) * stride, (PAD + k + 1) * stride);
    buf.copyWithin((PAD + h - 1 + k) * stride, (PAD + h - 1 - k) * stride, (PAD + h - k) * stride);
  }
}

function padRow(t: Float64Array, w: number, half: number): void {
  for (let f = 1; f <= half; f++) {
    t[PAD - f] = t[PAD + f]!;
    t[PAD + w - 1 + f] = t[PAD + w - 1 - f]!;
  }
}

/**
 * Low-pass (src level, w x h) with the filter of scale `next` and keep the even rows and columns, into
 * dst. From the full-size picture the vertical pass shifts by the bit depth, from a Q16 level by 16.
 */
function subsample(
  ws: IntegerVifWorkspace,
  srcRef: Uint16Array,
  srcDis: Uint16Array,
  dstRef: Uint16Array,
  dstDis: Uint16Array,
  w: number,
  h: number,
  next: number,
): void {
  const filt = VIF_FILTERS[next]!;
  const fw = filt.length;
  const half = fw >> 1;
  const stride = ws.width;
  const vShift = next === 1 ? 2 ** ws.bitDepth : 65536;
  const vAdd = vShift / 2;
  const tr = ws.tMu1;
  const td = ws.tMu2;
  const hw = w >> 1;
  const hh = h >> 1;
  for (let oi = 0; oi < hh; oi++) {
    const i = oi * 2;
    for (let j = 0; j < w; j++) {
      let ar = 0;
      let ad = 0;
      let idx = (PAD + i - half) * stride + j;
      for (let k = 0; k < fw; k++, idx += stride) {
        const c = filt[k]!;
        ar += c * srcRef[idx]!;
        ad += c * srcDis[idx]!;
      }
      tr[PAD + j] = Math.floor((ar + vAdd) / vShift) & 0xffff;
      td[PAD + j] = Math.floor((ad + vAdd) / vShift) & 0xffff;
    }
    padRow(tr, w, half);
    padRow(td, w, half);
    const out = (PAD + oi) * stride;
    for (let oj = 0; oj < hw; oj++) {
      const base = PAD + oj * 2 - half;
      let ar = 0;
      let ad = 0;
      for (let k = 0; k < fw; k++) {
        const c = filt[k]!;
        ar += c * tr[base + k]!;
        ad += c * td[base + k]!;
      }
      dstRef[out + oj] = Math.floor((ar + 32768) / 65536);
      dstDis[out + oj] = Math.floor((ad + 32768) / 65536);
    }
  }
  padRows(dstRef, stride, hh);
  padRows(dstDis, stride, hh);
}

/**
 * The VIF statistic of one scale: sums of log2 information terms, as (num, den) in single precision.
 * Scale 0 reads the picture's samples (vertical shift by the bit depth, squares by 2·(bpc−8)); the
 * other scales read Q16 levels (every shift 16).
 */
function statistic(
  ws: IntegerVifWorkspace,
  ref: Uint16Array,
  dis: Uint16Array,
  w: number,
  h: number,
  scale: number,
  egl: number,
  out: { num: number; den: number },
): void {
  const filt = VIF_FILTERS[scale]!;
  const fw = filt.length;
  const half = fw >> 1;
  const stride = ws.width;
  let muShift: number;
  let sqShift: number;
  if (scale === 0) {
    muShift = 2 ** ws.bitDepth;
    sqShift = 2 ** ((ws.bitDepth - 8) * 2);
  } else {
    muShift = 65536;
    sqShift = 65536;
  }
  const muAdd = muShift / 2;
  const sqAdd = sqShift === 1 ? 0 : sqShift / 2;
  const { tMu1, tMu2, tRef, tDis, tRefDis } = ws;
  let numLog = 0;
  let denLog = 0;
  let numNonLog = 0;
  let denNonLog = 0;
  // Vertical pass: each input row's squares and cross products are formed once, into a ring of fw
  // rows. Every sum is an exact integer below 2^53, so the order of the additions does not matter,
  // and the symmetric filters let tap k and tap fw−1−k share one multiplication.
  const { sqR, sqD, sqRD } = ws;
  const invMu = 1 / muShift;
  const invSq = 1 / sqShift;
  const slots = ws.slots;
  const fillSquares = (row: number): void => {
    const slot = ((row + half) % fw) * w;
    const off = (PAD + row) * stride;
    for (let j = 0; j < w; j++) {
      const r = ref[off + j]!;
      const d = dis[off + j]!;
      sqR[slot + j] = r * r;
      sqD[slot + j] = d * d;
      sqRD[slot + j] = r * d;
    }
  };
  for (let row = -half; row < half; row++) fillSquares(row);
  for (let i = 0; i < h; i++) {
    fillSquares(i + half);
    for (let k = 0; k < fw; k++) slots[k] = ((i + k) % fw) * w; // ring slot of row i − half + k
    const top = (PAD + i - half) * stride;
    for (let j = 0; j < w; j++) {
      const mid = top + half * stride + j;
      const qm = slots[half]! + j;
      const cm = filt[half]!;
      let m1 = cm * ref[mid]!;
      let m2 = cm * dis[mid]!;
      let rr = cm * sqR[qm]!;
      let dd = cm * sqD[qm]!;
      let rd = cm * sqRD[qm]!;
      for (let k = 1; k <= half; k++) {
        const c = filt[half - k]!;
        const a = mid - k * stride;
        const b = mid + k * stride;
        const qa = slots[half - k]! + j;
        const qb = slots[half + k]! + j;
        m1 += c * (ref[a]! + ref[b]!);
        m2 += c * (dis[a]! + dis[b]!);
        rr += c * (sqR[qa]! + sqR[qb]!);
        dd += c * (sqD[qa]! + sqD[qb]!);
        rd += c * (sqRD[qa]! + sqRD[qb]!);
      }
      tMu1[PAD + j] = Math.floor((m1 + muAdd) * invMu);
      tMu2[PAD + j] = Math.floor((m2 + muAdd) * invMu);
      tRef[PAD + j] = rr;
      tDis[PAD + j] = dd;
      tRefDis[PAD + j] = rd;
    }
    if (sqShift !== 1) {
      for (let j = PAD; j < PAD + w; j++) {
        tRef[j] = Math.floor((tRef[j]! + sqAdd) * invSq) % 4294967296;
        tDis[j] = Math.floor((tDis[j]! + sqAdd) * invSq) % 4294967296;
        tRefDis[j] = Math.floor((tRefDis[j]! + sqAdd) * invSq) % 4294967296;
      }
    }
    padRow(tMu1, w, half);
    padRow(tMu2, w, half);
    padRow(tRef, w, half);
    padRow(tDis, w, half);
    padRow(tRefDis, w, half);
    for (let j = 0; j < w; j++) {
      let m1 = 0;
      let m2 = 0;
      let rr = 0;
      let dd = 0;
      let rd = 0;
      // The filters are symmetric: pair tap k with tap fw−1−k (exact integer sums, order free).
      const mid = PAD + j;
      const cm = filt[half]!;
      m1 = cm * tMu1[mid]!;
      m2 = cm * tMu2[mid]!;
      rr = cm * tRef[mid]!;
      dd = cm * tDis[mid]!;
      rd = cm * tRefDis[mid]!;
      for (let k = 1; k <= half; k++) {
        const c = filt[half - k]!;
        const a = mid - k;
        const b = mid + k;
        m1 += c * (tMu1[a]! + tMu1[b]!);
        m2 += c * (tMu2[a]! + tMu2[b]!);
        rr += c * (tRef[a]! + tRef[b]!);
        dd += c * (tDis[a]! + tDis[b]!);
        rd += c * (tRefDis[a]! + tRefDis[b]!);
      }
      const mu1 = m1 >>> 0;
      const mu2 = m2 >>> 0;
      const mu1Sq = mulHi32Round(mu1, mu1);
      const mu2Sq = mulHi32Round(mu2, mu2);
      const mu12 = mulHi32Round(mu1, mu2);
      const xx = Math.floor((rr + 32768) / 65536) >>> 0;
      const yy = Math.floor((dd + 32768) / 65536) >>> 0;
      const xy = Math.floor((rd + 32768) / 65536) >>> 0;
      const sigma1Sq = (xx - mu1Sq) | 0;
      let sigma2Sq = (yy - mu2Sq) | 0;
      const sigma12 = (xy - mu12) | 0;
      if (sigma2Sq < 0) sigma2Sq = 0;
      if (sigma1Sq >= SIGMA_NSQ) {
        denLog += log2Fixed(SIGMA_NSQ + sigma1Sq) - 2048 * 17;
        if (sigma12 > 0 && sigma2Sq > 0) {
          let g = sigma12 / (sigma1Sq + G_EPS);
          let svSq = Math.trunc(sigma2Sq - g * sigma12) | 0;
          if (svSq < 0) svSq = 0;
          if (g > egl) g = egl;
          const numer1 = svSq + SIGMA_NSQ;
          const numer1Tmp = Math.trunc(g * g * sigma1Sq) + numer1;
          numLog += log2Fixed(numer1Tmp) - log2Fixed(numer1);
        }
      } else {
        numNonLog += sigma2Sq;
        denNonLog++;
      }
    }
  }
  finishScale(numLog, denLog, numNonLog, denNonLog, out);
}

/** (num, den) of a scale from its exact integer sums, in single precision as libvmaf stores them. */
function finishScale(numLog: number, denLog: number, numNonLog: number, denNonLog: number, out: { num: number; den: number }): void {
  out.num = Math.fround(numLog / 2048 + (denNonLog - numNonLog / 16384 / 65025));
  out.den = Math.fround(denLog / 2048 + denNonLog);
}

/** libvmaf's 1.0e-10 regulariser of g, in Q16 (sigma1Sq + this is g's denominator). */
const G_EPS = 65536 * 1.0e-10;

const scratch = { num: 0, den: 0 };

/** libvmaf's integer VIF of one luma pair, on a workspace made for their size and bit depth. */
export function integerVif(
  ref: Plane<Uint8Array | Uint16Array>,
  dist: Plane<Uint8Array | Uint16Array>,
  ws: IntegerVifWorkspace,
  options: IntegerVifOptions = {},
): IntegerVifResult {
  const egl = options.enhnGainLimit ?? 100;
  if (!(egl >= 1 && egl <= 100)) throw new IqaError('E_INPUT', `vif_enhn_gain_limit must be in [1, 100], got ${egl}`);
  const { width: w0, height: h0 } = ws;
  for (const [p, label] of [[ref, 'reference'], [dist, 'distorted']] as const) {
    if (p.width !== w0 || p.height !== h0) {
      throw new IqaError('E_MISMATCH', `integer VIF: the ${label} frame is ${p.width}x${p.height}, the workspace ${w0}x${h0}`);
    }
  }
  const num: [number, number, number, number] = [0, 0, 0, 0];
  const den: [number, number, number, number] = [0, 0, 0, 0];
  const scores: [number, number, number, number] = [0, 0, 0, 0];
  let engine: IntegerVifWasm | null = null;
  if (options.wasm !== false && ws.wasm !== null) {
    if (ws.wasm === undefined) ws.wasm = IntegerVifWasm.create(w0, h0, VIF_FILTERS, LOG2_TABLE);
    engine = ws.wasm;
  }
  if (engine) {
    const sums = engine.run(ref, dist, egl, G_EPS);
    for (let scale = 0; scale < 4; scale++) {
      finishScale(sums[4 * scale]!, sums[4 * scale + 1]!, sums[4 * scale + 2]!, sums[4 * scale + 3]!, scratch);
      num[scale] = scratch.num;
      den[scale] = scratch.den;
      scores[scale] = Math.fround(scratch.num / scratch.den);
    }
    return { scores, num, den };
  }
  let [curRef, curDis, nextRef, nextDis] = ws.levels;
  for (let i = 0; i < h0; i++) {
    curRef.set(ref.data.subarray(i * ref.stride, i * ref.stride + w0), (PAD + i) * w0);
    curDis.set(dist.data.subarray(i * dist.stride, i * dist.stride + w0), (PAD + i) * w0);
  }
  padRows(curRef, w0, h0);
  padRows(curDis, w0, h0);
  let w = w0;
  let h = h0;
  for (let scale = 0; scale < 4; scale++) {
    if (scale > 0) {
      subsample(ws, curRef, curDis, nextRef, nextDis, w, h, scale);
      [curRef, curDis, nextRef, nextDis] = [nextRef, nextDis, curRef, curDis];
      w >>= 1;
      h >>= 1;
    }
    statistic(ws, curRef, curDis, w, h, scale, egl, scratch);
    num[scale] = scratch.num;
    den[scale] = scratch.den;
    scores[scale] = Math.fround(scratch.num / scratch.den);
  }
  return { scores, num, den };
}
