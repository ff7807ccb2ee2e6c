/**
 * CAMBI, Netflix's banding metric (Tandon et al., PCS 2021), as libvmaf 3.2.0's feature extractor
 * `cambi` computes it with its default options, on one picture: no reference (libvmaf's `full_ref`
 * is off by default, so only the distorted picture is read).
 *
 * Convention (read from libvmaf's feature/cambi.c and luminance_tools.c; this is an independent
 * TypeScript implementation of the same arithmetic):
 * - Luma only, brought to 10 bits: 8-bit samples shifted left by 2 (9-bit by 1), deeper ones shifted
 *   right with rounding ((v + 2^(s−1)) >> s); values above the bit depth's maximum are refused. The
 *   encoding is taken to be the input's size and bit depth (enc_width/height/bitdepth unset), so no
 *   resampling. Below 10 bits an anti-dithering 2×2 mean follows ((a+b+c+d) >> 2; the last column
 *   and row average two samples, the bottom-right corner is kept).
 * - Spatial mask, once at full size: a pixel is "flat" when it equals its right and lower neighbours
 *   (the last column/row count as equal); the mask is 1 where the count of flat pixels in the 7×7
 *   window around it (outside the picture counts 0) exceeds
 *   (49 + 3·(⌈log2((w>>6)·(h>>6))⌉ − 11) − 1) >> 1.
 * - 5 scales: scale 0 is the full size; each further scale takes every other pixel ((w+1)>>1) of the
 *   previous scale's filtered picture and of the mask. At each scale a 3×3 mode filter (horizontal
 *   then vertical mode of 3, the minimum when all differ; the first and last column, and the first
 *   and last row, are not filtered in that direction), then the c-values.
 * - Window: 65 scaled to the size, ((65·(w+h))/375) >> 4, made odd (11 at 640×360); the same window
 *   at every scale. For each masked pixel of value v, histograms over the window (masked pixels
 *   only, clipped at the borders) give p0 = count of v and, for contrast d = 1…4 (max_log_contrast
 *   2), p1 = count of v+d and p2 = count of v−d; when v is at most the visibility threshold of d
 *   (the largest 10-bit limited-range sample where a step of d is still visible under BT.1886 with
 *   ΔL > 0.019·L), the candidate is w_d·p0·p_max/(p0+p_max) with p_max = max(p1, p2) (p1 when
 *   p1 > p2) and w_d = 1, 2, 3, 4; the c-value is the largest candidate. In float32 as libvmaf:
 *   float(w_d·p0·p) · float(1/(p0+p)). Unmasked pixels have c-value 0.
 * - Spatial pooling: the mean (in double) of the top 60% c-values of the scale (⌊0.6·n⌋ of them).
 * - Score: Σ_s scale_weight_s · pooled_s / window² with weights 16, 8, 4, 2, 1, capped at 1000.
 * Per-frame values are independent of each other; temporal pooling is the caller's (libvmaf: mean).
 *
 * `Cambi` holds every buffer a frame needs (allocated once per size): one instance per thread.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';

/** libvmaf 3.2.0's defaults for the cambi extractor. */
export const CAMBI_DEFAULTS = {
  windowSize: 65,
  topk: 0.6,
  tviThreshold: 0.019,
  maxLogContrast: 2,
  visLumThreshold: 0,
  maxVal: 1000,
  eotf: 'bt1886',
} as const;

const NUM_SCALES = 5;
const SCALE_WEIGHTS = [16, 8, 4, 2, 1] as const;
/** Suprathreshold contrast response, by contrast d−1 (libvmaf's table for up to 32 levels). */
const CONTRAST_WEIGHTS = [1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9] as const;
const MASK_FILTER = 7;
/** libvmaf refuses encodes smaller than this in both dimensions. */
const MIN_SIZE = 216;

/** BT.1886 EOTF with L_W = 300 cd/m², L_B = 0.01 cd/m², γ = 2.4, on V in [0, 1]. */
function bt1886(v: number): number {
  const gamma = 2.4;
  const lw = Math.pow(300, 1 / gamma);
  const lb = Math.pow(0.01, 1 / gamma);
  const a = Math.pow(lw - lb, gamma);
  const b = lb / (lw - lb);
  return a * Math.pow(Math.max(v + b, 0), gamma);
}

/** Luminance of a 10-bit limited-range sample (64…940, clipped). */
function luminance10(sample: number): number {
  const foot = 64;
  const head = 940;
  const clipped = sample < foot ? foot : sample > head ? head : sample;
  return bt1886((clipped - foot) / (head - foot));
}

/** Is a step of `diff` above `sample` visible: L(sample + diff) − L(sample) > t·L(sample). */
function visible(sample: number, diff: number, t: number): boolean {
  const l = luminance10(sample);
  return luminance10(sample + diff) - l > t * l;
}

/**
 * The largest 10-bit sample s in the limited range whose step of `diff` is still visible while the
 * step from s+1 is not (visibility only shrinks as luminance grows); 0 when even the foot's step is
 * invisible, 1023 when the step stays visible up to the top. Found by bisection, as libvmaf does.
 */
export function tviForDiff(diff: number, t: number = CAMBI_DEFAULTS.tviThreshold): number {
  // 'small': visible at s and at s+1 (the answer is higher); 'big': not visible at s (lower); 'ok'.
  const classify = (s: number): 'small' | 'ok' | 'big' => (!visible(s, diff, t) ? 'big' : visible(s + 1, diff, t) ? 'small' : 'ok');
  let lo = 64;
  let hi = 940 - diff - 1;
  const atLo = classify(lo);
  if (atLo === 'big') return 0;
  if (atLo === 'ok') return lo;
  const atHi = classify(hi);
  if (atHi === 'small') return 1023;
  if (atHi === 'ok') return hi;
  for (;;) {
    const mid = lo + ((hi - lo) >> 1);
    const c = classify(mid);
    if (c === 'ok') return mid;
    if (c === 'big') hi = mid;
    else lo = mid;
  }
}

/** The window side for a picture of w×h: the 4K window of 65 scaled by (w+h)/(3840+2160), odd. */
export function cambiWindowSize(width: number, height: number, windowSize: number = CAMBI_DEFAULTS.windowSize, highResSpeedup = false): number {
  let side = Math.floor((windowSize * (width + height)) / 375) >> 4;
  if (highResSpeedup) side = (side + 1) >> 1;
  return (side | 1) & 0xffff;
}

/** The flat-pixel count a 7×7 window must exceed for the mask, from the full picture's size. */
export function cambiMaskThreshold(width: number, height: number): number {
  const blocks = (width >> 6) * (height >> 6);
  let ceilLog2 = 0;
  if (blocks > 0) for (let t = blocks - 1; t > 0; t >>>= 1) ceilLog2++;
  return ((MASK_FILTER * MASK_FILTER + 3 * (ceilLog2 - 11) - 1) >> 1) & 0xffff;
}

/**
 * libvmaf's table of 1/i (i = 0 … n−1, 0 at 0) as float32. Its entries are 1/i written with 9
 * significant digits and then read as float, which is not always the float nearest 1/i (42 of its
 * 4226 entries, from 1/82 on, are one float step away), so the table is rebuilt the same way.
 */
function reciprocals(n: number): Float32Array {
  const r = new Float32Array(n);
  for (let i = 1; i < n; i++) r[i] = Number((1 / i).toPrecision(9));
  return r;
}

/** libvmaf's reciprocal table has 65² + 1 entries: it refuses windows whose area reaches that. */
const RECIPROCAL_TABLE_SIZE = 65 * 65 + 1;

function mode3(a: number, b: number, c: number): number {
  if (a === b || a === c) return a;
  if (b === c) return b;
  return a <= b ? (a <= c ? a : c) : b <= c ? b : c;
}

/**
 * Rearranges a[0..n) so that a[0..k) holds its k largest values (in some order); returns their sum in
 * double. Three-way partitioning, since c-values repeat a lot (zeros above all).
 */
export function sumTopK(a: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n; // the k-th largest lies in [lo, hi)
  while (hi - lo > 1 && k > lo && k < hi) {
    const x = a[lo]!;
    const y = a[(lo + hi) >> 1]!;
    const z = a[hi - 1]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    // [lo, gt): > pivot, [gt, i): == pivot, [lt, hi): < pivot
    let gt = lo;
    let i = lo;
    let lt = hi;
    while (i < lt) {
      const v = a[i]!;
      if (v > pivot) {
        a[i] = a[gt]!;
        a[gt] = v;
        gt++;
        i++;
      } else if (v < pivot) {
        lt--;
        a[i] = a[lt]!;
        a[lt] = v;
      } else i++;
    }
    if (k <= gt) hi = gt;
    else if (k >= lt) lo = lt;
    else break; // the boundary falls among the values equal to the pivot
  }
  let sum = 0;
  for (let i = 0; i < k; i++) sum += a[i]!;
  return sum;
}

/** Options of libvmaf's cambi extractor beyond its defaults (the v1 models set these three). */
export interface CambiOptions {
  /** cambi_high_res_speedup: 0 (default), 1080, 1440 or 2160; applied only to pictures of at least that many pixels. */
  readonly highResSpeedup?: number;
  /**
   * cambi_vis_lum_threshold in cd/m² (default 0): a contrast d at sample v counts only when
   * v + numDiffs + d exceeds the sample where luminance reaches it (libvmaf's shifted comparison).
   */
  readonly visLumThreshold?: number;
  /** cambi_max_val: the cap on the score (default 1000). */
  readonly maxVal?: number;
}

const HIGH_RES_SPEEDUP_PIXELS: Readonly<Record<number, number>> = { 1080: 1920 * 1080, 1440: 2560 * 1440, 2160: 3840 * 2160 };

/**
 * The 10-bit limited-range sample at and above which the luminance reaches `threshold` cd/m²
 * (BT.1886), 0 when the lowest sample already does: libvmaf's vlt_luma.
 */
export function visibilityLumaThreshold(threshold: number): number {
  let sample = 64;
  while (sample < 1023 && luminance10(sample) < threshold) sample++;
  return sample === 64 ? 0 : sample;
}

export class Cambi {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** Window side at every scale. */
  readonly windowSize: number;
  readonly maskThreshold: number;
  /** Visibility thresholds (10-bit samples) for contrasts 1…numDiffs. */
  readonly tvi: Int32Array;
  private readonly numDiffs: number;
  private readonly weights: Int32Array;
  private readonly bandSize: number;
  private readonly recip: Float32Array;
  private readonly img: Uint16Array;
  private readonly mask: Uint8Array;
  private readonly colFlat: Int32Array;
  private readonly modeRows: Uint16Array;
  private readonly hist: Uint16Array;
  private readonly cvals: Float32Array;
  /** Whether the high-resolution speedup applies (decimating before scale 0, half the window). */
  readonly highResSpeedup: boolean;
  /** Contrasts v + d must exceed this 10-bit sample to count (0 at the defaults). */
  readonly vltLuma: number;
  readonly maxVal: number;

  constructor(width: number, height: number, bitDepth = 8, options: CambiOptions = {}) {
    if (!(Number.isInteger(bitDepth) && bitDepth >= 8 && bitDepth <= 16)) {
      throw new IqaError('E_UNSUPPORTED', `CAMBI takes 8- to 16-bit samples, not ${bitDepth}-bit`);
    }
    if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || (width < MIN_SIZE && height < MIN_SIZE)) {
      throw new IqaError('E_UNSUPPORTED', `CAMBI needs a picture at least ${MIN_SIZE} pixels wide or high (as libvmaf), got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.bitDepth = bitDepth;
    const hrs = options.highResSpeedup ?? 0;
    if (hrs !== 0 && !(hrs in HIGH_RES_SPEEDUP_PIXELS)) {
      throw new IqaError('E_UNSUPPORTED', `cambi_high_res_speedup takes 0, 1080, 1440 or 2160, not ${hrs}`);
    }
    this.highResSpeedup = hrs !== 0 && width * height >= HIGH_RES_SPEEDUP_PIXELS[hrs]!;
    const vlt = options.visLumThreshold ?? CAMBI_DEFAULTS.visLumThreshold;
    if (!(vlt >= 0 && vlt <= 300)) throw new IqaError('E_UNSUPPORTED', `cambi_vis_lum_threshold must be in [0, 300] cd/m², got ${vlt}`);
    this.vltLuma = visibilityLumaThreshold(vlt);
    this.maxVal = options.maxVal ?? CAMBI_DEFAULTS.maxVal;
    this.windowSize = cambiWindowSize(width, height, CAMBI_DEFAULTS.windowSize, this.highResSpeedup);
    this.maskThreshold = cambiMaskThreshold(width, height);
    if (this.windowSize * this.windowSize >= RECIPROCAL_TABLE_SIZE) {
      throw new IqaError('E_UNSUPPORTED', `CAMBI's window for ${width}x${height} is ${this.windowSize} pixels, larger than libvmaf allows (65)`);
    }
    // The smallest scale must hold the window's half on each side of a row and a column.
    const smallest = (n: number) => {
      for (let s = this.highResSpeedup ? 0 : 1; s < NUM_SCALES; s++) n = (n + 1) >> 1;
      return n;
    };
    if (smallest(width) <= this.windowSize >> 1 || smallest(height) <= this.windowSize >> 1) {
      throw new IqaError('E_UNSUPPORTED', `CAMBI's coarsest scale of ${width}x${height} is smaller than its window`);
    }
    this.numDiffs = 1 << CAMBI_DEFAULTS.maxLogContrast;
    this.tvi = new Int32Array(this.numDiffs);
    this.weights = new Int32Array(this.numDiffs);
    for (let d = 0; d < this.numDiffs; d++) {
      this.tvi[d] = tviForDiff(d + 1);
      this.weights[d] = CONTRAST_WEIGHTS[d]!;
    }
    // Values that can matter: v <= tvi of the largest contrast, plus room for v + numDiffs
    // (the visibility floor is 0 at the defaults, so the band starts at 0).
    this.bandSize = this.tvi[this.numDiffs - 1]! + this.numDiffs + 1;
    // p0 and p count pixels of different values in one window: p0 + p <= window².
    this.recip = reciprocals(this.windowSize * this.windowSize + 1);
    const n = width * height;
    this.img = new Uint16Array(n);
    this.mask = new Uint8Array(n);
    this.colFlat = new Int32Array(width);
    this.modeRows = new Uint16Array(3 * width);
    this.hist = new Uint16Array(this.bandSize * width);
    this.cvals = new Float32Array(n);
  }

  /** CAMBI of one picture's luma (8- to 16-bit samples as the constructor's bit depth). */
  score(y: Plane<Uint8Array | Uint16Array>): number {
    if (y.width !== this.width || y.height !== this.height) {
      throw new IqaError('E_MISMATCH', `CAMBI was set up for ${this.width}x${this.height}, got a ${y.width}x${y.height} picture`);
    }
    this.preprocess(y);
    this.spatialMask();
    let w = this.width;
    let h = this.height;
    let total = 0;
    const topk = CAMBI_DEFAULTS.topk;
    for (let scale = 0; scale < NUM_SCALES; scale++) {
      if (scale > 0 || this.highResSpeedup) {
        const nw = (w + 1) >> 1;
        const nh = (h + 1) >> 1;
        this.decimate(w, nw, nh);
        w = nw;
        h = nh;
      }
      this.modeFilter(w, h);
      this.cValues(w, h);
      const n = w * h;
      const k = Math.min(Math.max(Math.trunc(topk * n), 1), n);
      total += (sumTopK(this.cvals, n, k) / k) * SCALE_WEIGHTS[scale]!;
    }
    const side = 2 * (this.windowSize >> 1) + 1;
    return Math.min(total / (side * side), this.maxVal);
  }

  /** To 10 bits, then the anti-dithering mean below 10 bits. */
  private preprocess(y: Plane<Uint8Array | Uint16Array>): void {
    const { width: w, height: h, stride, data } = y;
    const img = this.img;
    const bd = this.bitDepth;
    const max = (1 << bd) - 1;
    const up = bd < 10 ? 10 - bd : 0;
    const down = bd > 10 ? bd - 10 : 0;
    const round = down > 0 ? 1 << (down - 1) : 0;
    for (let i = 0; i < h; i++) {
      const src = i * stride;
      const dst = i * w;
      for (let j = 0; j < w; j++) {
        const v = data[src + j]!;
        if (v > max) throw new IqaError('E_INPUT', `CAMBI: a sample of ${v} exceeds the ${bd}-bit maximum ${max}`);
        img[dst + j] = down > 0 ? (v + round) >> down : v << up;
      }
    }
    if (bd >= 10) return;
    // In place is safe: each sample reads only samples to its right and below, not yet rewritten.
    for (let i = 0; i < h - 1; i++) {
      const r = i * w;
      for (let j = 0; j < w - 1; j++) img[r + j] = (img[r + j]! + img[r + j + 1]! + img[r + w + j]! + img[r + w + j + 1]!) >> 2;
      img[r + w - 1] = (img[r + w - 1]! + img[r + 2 * w - 1]!) >> 1;
    }
    const r = (h - 1) * w;
    for (let j = 0; j < w - 1; j++) img[r + j] = (img[r + j]! + img[r + j + 1]!) >> 1;
  }

  /** Adds (sign 1) or removes (−1) row r's flat flags to the per-column counts. */
  private addFlatRow(r: number, sign: number): void {
    const { width: w, height: h, img, colFlat } = this;
    const o = r * w;
    const lastRow = r === h - 1;
    for (let j = 0; j < w; j++) {
      const v = img[o + j]!;
      const flat = (j === w - 1 || v === img[o + j + 1]) && (lastRow || v === img[o + w + j]);
      if (flat) colFlat[j] += sign;
    }
  }

  /** The mask at full size: the 7×7 count of flat pixels above the threshold. */
  private spatialMask(): void {
    const { width: w, height: h, mask, colFlat } = this;
    const pad = MASK_FILTER >> 1;
    const thr = this.maskThreshold;
    colFlat.fill(0);
    for (let r = 0; r < pad && r < h; r++) this.addFlatRow(r, 1);
    for (let i = 0; i < h; i++) {
      if (i + pad < h) this.addFlatRow(i + pad, 1);
      if (i - pad - 1 >= 0) this.addFlatRow(i - pad - 1, -1);
      // Horizontal window sum over the column counts.
      let s = 0;
      for (let j = 0; j < pad && j < w; j++) s += colFlat[j]!;
      const o = i * w;
      for (let j = 0; j < w; j++) {
        if (j + pad < w) s += colFlat[j + pad]!;
        if (j - pad - 1 >= 0) s -= colFlat[j - pad - 1]!;
        mask[o + j] = s > thr ? 1 : 0;
      }
    }
  }

  /** Every other pixel of the picture and the mask, packed (row stride = the new width). */
  private decimate(w: number, nw: number, nh: number): void {
    const { img, mask } = this;
    // In place: each write lands at or before the position it reads, and reads move forward.
    for (let i = 0; i < nh; i++) {
      const src = 2 * i * w;
      const dst = i * nw;
      for (let j = 0; j < nw; j++) {
        img[dst + j] = img[src + 2 * j]!;
        mask[dst + j] = mask[src + 2 * j]!;
      }
    }
  }

  /** 3×3 mode filter in place: horizontal modes of 3 into a ring of rows, vertical mode of those. */
  private modeFilter(w: number, h: number): void {
    const { img, modeRows } = this;
    for (let i = 0; i < h; i++) {
      const o = i * w;
      const slot = (i % 3) * w;
      modeRows[slot] = img[o]!;
      for (let j = 1; j < w - 1; j++) modeRows[slot + j] = mode3(img[o + j - 1]!, img[o + j]!, img[o + j + 1]!);
      modeRows[slot + w - 1] = img[o + w - 1]!;
      if (i > 1) {
        const out = (i - 1) * w;
        for (let j = 0; j < w; j++) img[out + j] = mode3(modeRows[j]!, modeRows[w + j]!, modeRows[2 * w + j]!);
      }
    }
  }

  /** Adds (1) or removes (−1) row r's masked in-band values to the histograms of the columns they reach. */
  private histRow(r: number, w: number, pad: number, sign: number): void {
    const { img, mask, hist, bandSize } = this;
    const o = r * w;
    for (let j = 0; j < w; j++) {
      if (!mask[o + j]) continue;
      const v = img[o + j]!;
      if (v >= bandSize) continue;
      const base = v * w;
      const from = j - pad < 0 ? 0 : j - pad;
      const to = j + pad + 1 > w ? w : j + pad + 1;
      for (let c = from; c < to; c++) hist[base + c] += sign;
    }
  }

  private cValues(w: number, h: number): void {
    const { img, mask, hist, cvals, tvi, weights, recip, numDiffs, bandSize, vltLuma } = this;
    const pad = this.windowSize >> 1;
    hist.fill(0, 0, bandSize * w);
    cvals.fill(0, 0, w * h);
    for (let r = 0; r < pad && r < h; r++) this.histRow(r, w, pad, 1);
    const tviLast = tvi[numDiffs - 1]!;
    for (let i = 0; i < h; i++) {
      if (i + pad < h) this.histRow(i + pad, w, pad, 1);
      if (i - pad - 1 >= 0) this.histRow(i - pad - 1, w, pad, -1);
      const o = i * w;
      for (let j = 0; j < w; j++) {
        if (!mask[o + j]) continue;
        const v = img[o + j]!;
        if (v > tviLast) continue; // no contrast is visible above the last threshold
        const p0 = hist[v * w + j]!;
        let best = 0;
        for (let d = 0; d < numDiffs; d++) {
          // libvmaf compares v + d with vlt_luma in its shifted space (samples + numDiffs).
          if (v > tvi[d]! || v + numDiffs + d + 1 <= vltLuma) continue;
          const p1 = hist[(v + d + 1) * w + j]!;
          const p2 = v - d - 1 >= 0 ? hist[(v - d - 1) * w + j]! : 0;
          const p = p1 > p2 ? p1 : p2;
          const c = Math.fround(Math.fround(weights[d]! * p0 * p) * recip[p + p0]!);
          if (c > best) best = c;
        }
        cvals[o + j] = best;
      }
    }
  }
}
