/**
 * ADM (additive detail measure, "DLM") as libvmaf 3.2.0's fixed-point extractor `adm` computes it
 * with its default options (Watson97 CSF, viewing distance 3 heights of a 1080-line display, noise
 * weight 0.03125): features `VMAF_integer_feature_adm2_score`, `integer_adm_scale0..3`,
 * `VMAF_integer_feature_aim_score` and `VMAF_integer_feature_adm3_score` (DLM weight 0.5).
 *
 * Convention (read from libvmaf's integer_adm.c and checked against the vmaf CLI's output):
 * - luma only, 8- or 10-bit; 4 scales of a 2-D db2 wavelet (4-tap integer filters, sizes rounded up
 *   when halving, borders mirrored: index -1 reads 1, index n reads n-1);
 * - scale 0 works in 16-bit fixed point, scales 1..3 in 32-bit, with libvmaf's rounding shifts and
 *   its table of 2^30/i for the restoration gain k = dist/ref (clipped to [0, 1]);
 * - detail restoration with the 1-degree angle test and the enhancement gain limit `egl`
 *   (100 by default; the NEG models use 1);
 * - contrast sensitivity per band (Watson's noise-floor model), contrast masking by a 3x3
 *   neighbourhood of the other component's CSF-weighted detail (1/30 of it, the centre 1/15: for DLM
 *   the restored detail is masked by the additive impairment, for AIM the reverse),
 *   cube-root pooling over the frame less a 10% border, all reductions in libvmaf's order and
 *   precision (single-precision floats where libvmaf uses them);
 * - adm2 = Σ num / Σ den over the 4 scales; scale s = num_s/den_s; AIM runs the masking the other
 *   way round (the additive impairment against the restored detail, no noise term) over the same den.
 *
 * The workspace holds every buffer; computing a frame allocates nothing.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';
import { cbrtf, mulShr, POW2 } from './fixed-point';

const LO0 = 15826;
const LO1 = 27411;
const LO2 = 7345;
const LO3 = -4240;
const HI0 = -4240;
const HI1 = -7345;
const HI2 = 27411;
const HI3 = -15826;
const LO_SUM = 46342;

const BORDER = 0.1;
const NORM_VIEW_DIST = 3.0;
const REF_DISPLAY_HEIGHT = 1080;
const NOISE_WEIGHT = 0.03125;

/** 2^30 / i (truncated) at 32768 + i, its negative at 32768 − i; 0 at 32768. */
const DIV_LOOKUP: Int32Array = (() => {
  const t = new Int32Array(65537);
  for (let i = 1; i <= 32768; i++) {
    const r = Math.trunc(1073741824 / i);
    t[32768 + i] = r;
    t[32768 - i] = -r;
  }
  return t;
})();

/** cos(1°)², rounded to single precision as libvmaf keeps it. */
const COS_1DEG_SQ = Math.fround(Math.cos(Math.PI / 180) * Math.cos(Math.PI / 180));

/** Watson et al. 1997 luma noise-floor parameters for the 7-9 wavelet, in single precision. */
const WATSON_A = Math.fround(0.495);
const WATSON_K = Math.fround(0.466);
const WATSON_F0 = Math.fround(0.401);
const WATSON_G = [Math.fround(1.501), Math.fround(1.0), Math.fround(0.534), Math.fround(1.0)];
const BASIS_AMPLITUDES: readonly (readonly number[])[] = [
  [0.62171, 0.67234, 0.72709, 0.67234],
  [0.34537, 0.41317, 0.49428, 0.41317],
  [0.18004, 0.22727, 0.28688, 0.22727],
  [0.091401, 0.11792, 0.15214, 0.11792],
].map((r) => r.map((v) => Math.fround(v)));

/** The quantisation step of band theta (1 = vertical/horizontal, 2 = diagonal) at scale lambda. */
function dwtQuantStep(lambda: number, theta: number): number {
  const r = Math.fround((NORM_VIEW_DIST * REF_DISPLAY_HEIGHT * Math.PI) / 180.0);
  const temp = Math.fround(Math.log10((Math.pow(2.0, lambda + 1) * WATSON_F0 * WATSON_G[theta]!) / r));
  const kt = Math.fround(Math.fround(WATSON_K * temp) * temp);
  return Math.fround((2.0 * WATSON_A * Math.pow(10.0, kt)) / BASIS_AMPLITUDES[lambda]![theta]!);
}

/** 1/Q per scale: [h/v factor, diagonal factor], single precision (float ADM uses the same). */
export const RFACTORS: readonly (readonly [number, number])[] = [0, 1, 2, 3].map(
  (s) => [Math.fround(1 / dwtQuantStep(s, 1)), Math.fround(1 / dwtQuantStep(s, 2))] as const,
);

/** Scale 0's fixed-point CSF factors at the default viewing condition (libvmaf's constants). */
const I_RFACTOR0 = [36453, 36453, 49417] as const;

/**
 * libvmaf's tabulated Barten/Watson blend (adm_csf_mode 2), [h/v, diagonal] by scale, for the
 * viewing conditions it tabulates (display height, distance in heights); other conditions are refused.
 */
const BLENDED_CSF: Readonly<Record<string, readonly [readonly number[], readonly number[]]>> = {
  '1080@3': [[0.01183, 0.025026, 0.04295, 0.058621], [0.004302, 0.011778, 0.023918, 0.035901]],
  '1080@5': [[0.004212, 0.014809, 0.029642, 0.047464], [0.000984, 0.005852, 0.0146, 0.027574]],
  '2160@1.5': [[0.01183, 0.025026, 0.04295, 0.058621], [0.004302, 0.011778, 0.023918, 0.035901]],
  '2160@3': [[0.00226, 0.01183, 0.025026, 0.04295], [0.000479, 0.004302, 0.011778, 0.023918]],
  '2160@5': [[0.000092, 0.004212, 0.014809, 0.029642], [0.00005, 0.000984, 0.005852, 0.0146]],
  '720@3': [[0.018715, 0.035637, 0.052798, 0.061509], [0.007999, 0.018396, 0.031851, 0.037718]],
  '720@5': [[0.010144, 0.022561, 0.040309, 0.05672], [0.003463, 0.010282, 0.021839, 0.034641]],
  '480@3': [[0.027961, 0.045875, 0.060275, 0.056234], [0.013572, 0.026277, 0.036959, 0.034511]],
  '480@5': [[0.016781, 0.032822, 0.05032, 0.061594], [0.00691, 0.016545, 0.029917, 0.037777]],
};

/** The CSF factors one ADM run uses: per scale [h/v, diagonal], scale 0's fixed-point ones, the noise weight. */
interface AdmCsfFactors {
  readonly rf: readonly (readonly [number, number])[];
  readonly i0: readonly [number, number, number];
  readonly noiseWeight: number;
}

const DEFAULT_CSF: AdmCsfFactors = { rf: RFACTORS, i0: I_RFACTOR0, noiseWeight: NOISE_WEIGHT };

/** The factors for adm_csf_mode 0 (Watson97, default viewing condition only) or 2 (the tabulated blend). */
function csfFactors(options: IntegerAdmOptions): AdmCsfFactors {
  const mode = options.csfMode ?? 0;
  const viewDist = options.normViewDist ?? NORM_VIEW_DIST;
  const display = options.refDisplayHeight ?? REF_DISPLAY_HEIGHT;
  const noiseWeight = options.noiseWeight ?? NOISE_WEIGHT;
  if (mode === 0) {
    if (viewDist !== NORM_VIEW_DIST || display !== REF_DISPLAY_HEIGHT) {
      throw new IqaError('E_UNSUPPORTED', `integer ADM computes the Watson97 CSF (adm_csf_mode 0) at 3 heights of a 1080-line display only, not ${viewDist} of ${display}`);
    }
    return noiseWeight === NOISE_WEIGHT ? DEFAULT_CSF : { ...DEFAULT_CSF, noiseWeight };
  }
  if (mode !== 2) throw new IqaError('E_UNSUPPORTED', `integer ADM computes adm_csf_mode 0 (Watson97) and 2 (Barten/Watson blend), not ${mode}`);
  const table = BLENDED_CSF[`${display}@${viewDist}`];
  if (!table) throw new IqaError('E_UNSUPPORTED', `adm_csf_mode 2 is tabulated by libvmaf for 480/720/1080/2160-line displays at 3 or 5 heights (2160 also 1.5), not ${viewDist} of ${display}`);
  const rf = [0, 1, 2, 3].map((s) => [Math.fround(table[0][s]!), Math.fround(table[1][s]!)] as const);
  // libvmaf stores scale 0's factors as uint16: h/v times 2^21, diagonal times 2^23, truncated.
  const i0 = [Math.trunc(rf[0]![0] * 2097152), Math.trunc(rf[0]![0] * 2097152), Math.trunc(rf[0]![1] * 8388608)] as const;
  return { rf, i0, noiseWeight };
}

interface Bands {
  a: Int32Array;
  h: Int32Array;
  v: Int32Array;
  d: Int32Array;
}

function bands(n: number): Bands {
  return { a: new Int32Array(n), h: new Int32Array(n), v: new Int32Array(n), d: new Int32Array(n) };
}

export interface IntegerAdmWorkspace {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** Row stride of every band buffer: the scale-0 band width. */
  readonly stride: number;
  readonly ref: Bands;
  readonly dis: Bands;
  readonly rstR: Bands;
  readonly addA: Bands;
  readonly csfA: Bands;
  readonly csfF: Bands;
  readonly tmp: Int32Array;
  readonly indY: Int32Array;
  readonly indX: Int32Array;
}

export function createIntegerAdmWorkspace(width: number, height: number, bitDepth = 8): IntegerAdmWorkspace {
  if (bitDepth !== 8 && bitDepth !== 10) {
    throw new IqaError('E_UNSUPPORTED', `integer ADM handles 8- and 10-bit samples, not ${bitDepth}-bit`);
  }
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 32 && height >= 32)) {
    throw new IqaError('E_UNSUPPORTED', `integer ADM needs frames of at least 32x32, got ${width}x${height}`);
  }
  const stride = (width + 1) >> 1;
  const n = stride * ((height + 1) >> 1);
  return {
    width,
    height,
    bitDepth,
    stride,
    ref: bands(n),
    dis: bands(n),
    rstR: bands(n),
    addA: bands(n),
    csfA: bands(n),
    csfF: bands(n),
    tmp: new Int32Array(4 * width),
    indY: new Int32Array(4 * ((height + 1) >> 1)),
    indX: new Int32Array(4 * ((width + 1) >> 1)),
  };
}

export interface IntegerAdmOptions {
  /** adm_enhn_gain_limit: 100 (default) down to 1.0 (NEG models). */
  readonly enhnGainLimit?: number;
  /** adm_dlm_weight for adm3 (default 0.5). */
  readonly dlmWeight?: number;
  /** adm_min_val for adm3 (default 0). */
  readonly minVal?: number;
  /** adm_csf_mode: 0 Watson97 (default) or 2 Barten/Watson blend (the v1 models). */
  readonly csfMode?: number;
  /** adm_norm_view_dist (default 3) and adm_ref_display_height (default 1080). */
  readonly normViewDist?: number;
  readonly refDisplayHeight?: number;
  /** adm_noise_weight (default 0.03125). */
  readonly noiseWeight?: number;
  /**
   * Leave AIM out (aim and adm3 come back NaN): for a model that reads neither, it saves the second
   * CSF weighting and numerator of every scale; adm2 and the scales are the same numbers either way.
   */
  readonly skipAim?: boolean;
}

export interface IntegerAdmResult {
  readonly adm2: number;
  readonly aim: number;
  readonly adm3: number;
  /** integer_adm_scale0..3: num_s / den_s. */
  readonly scales: [number, number, number, number];
  readonly num: [number, number, number, number];
  readonly den: [number, number, number, number];
}

const int16 = (x: number): number => (x << 16) >> 16;

/** Source indices of the 4 filter taps for each output position (mirror: -1 → 1, n → n−1). */
function tapIndices(out: Int32Array, n: number): void {
  const half = (n + 1) >> 1;
  for (let i = 0; i < half; i++) {
    for (let t = 0; t < 4; t++) {
      let k = 2 * i - 1 + t;
      if (k < 0) k = -k;
      else if (k >= n) k = 2 * n - k - 1;
      out[t * half + i] = k;
    }
  }
}

/** Scale 0: the wavelet of the picture into 16-bit bands (stored widened). */
function dwtScale0(ws: IntegerAdmWorkspace, src: Plane<Uint8Array | Uint16Array>, dst: Bands): void {
  const { width: w, height: h, stride, tmp, indY, indX } = ws;
  const data = src.data;
  const ss = src.stride;
  const bpc = ws.bitDepth;
  const vAdd = 1 << (bpc - 1);
  const norm = LO_SUM * vAdd;
  const hh = (h + 1) >> 1;
  const hw = (w + 1) >> 1;
  for (let i = 0; i < hh; i++) {
    const r0 = indY[i]! * ss;
    const r1 = indY[hh + i]! * ss;
    const r2 = indY[2 * hh + i]! * ss;
    const r3 = indY[3 * hh + i]! * ss;
    for (let j = 0; j < w; j++) {
      const s0 = data[r0 + j]!;
      const s1 = data[r1 + j]!;
      const s2 = data[r2 + j]!;
      const s3 = data[r3 + j]!;
      const lo = LO0 * s0 + LO1 * s1 + LO2 * s2 + LO3 * s3 - norm;
      const hi = HI0 * s0 + HI1 * s1 + HI2 * s2 + HI3 * s3;
      tmp[j] = int16((lo + vAdd) >> bpc);
      tmp[w + j] = int16((hi + vAdd) >> bpc);
    }
    const o = i * stride;
    const { a: da, v: dv, h: dh, d: dd } = dst;
    // Taps 2j-1 .. 2j+2: read through the mirror table only where one falls outside [0, w).
    for (let j = 0; j < hw; j++) {
      let j0: number;
      let j1: number;
      let j2: number;
      let j3: number;
      if (j >= 1 && 2 * j + 2 < w) {
        j0 = 2 * j - 1;
        j1 = j0 + 1;
        j2 = j0 + 2;
        j3 = j0 + 3;
      } else {
        j0 = indX[j]!;
        j1 = indX[hw + j]!;
        j2 = indX[2 * hw + j]!;
        j3 = indX[3 * hw + j]!;
      }
      let s0 = tmp[j0]!;
      let s1 = tmp[j1]!;
      let s2 = tmp[j2]!;
      let s3 = tmp[j3]!;
      da[o + j] = int16((LO0 * s0 + LO1 * s1 + LO2 * s2 + LO3 * s3 + 32768) >> 16);
      dv[o + j] = int16((HI0 * s0 + HI1 * s1 + HI2 * s2 + HI3 * s3 + 32768) >> 16);
      s0 = tmp[w + j0]!;
      s1 = tmp[w + j1]!;
      s2 = tmp[w + j2]!;
      s3 = tmp[w + j3]!;
      dh[o + j] = int16((LO0 * s0 + LO1 * s1 + LO2 * s2 + LO3 * s3 + 32768) >> 16);
      dd[o + j] = int16((HI0 * s0 + HI1 * s1 + HI2 * s2 + HI3 * s3 + 32768) >> 16);
    }
  }
}

const VP_ADD = [0, 32768, 32768];
const VP_DIV = [1, 65536, 65536];
const HP_ADD = [16384, 32768, 16384];
const HP_DIV = [32768, 65536, 32768];

/**
 * Scales 1..3: the wavelet of the previous scale's approximation band (w x h, in place: output row i
 * is written after every read of the rows it replaces) into 32-bit bands.
 */
function dwtScaleN(ws: IntegerAdmWorkspace, b: Bands, w: number, h: number, scale: number): void {
  const { stride, tmp, indY, indX } = ws;
  const src = b.a;
  const vAdd = VP_ADD[scale - 1]!;
  const vDiv = VP_DIV[scale - 1]!;
  const hAdd = HP_ADD[scale - 1]!;
  const hDiv = HP_DIV[scale - 1]!;
  // Multiplying by 2^-k is exact, so floor(x * 2^-k) = floor(x / 2^k) (and a multiplication is cheaper).
  const vInv = 1 / vDiv;
  const hInv = 1 / hDiv;
  const hh = (h + 1) >> 1;
  const hw = (w + 1) >> 1;
  for (let i = 0; i < hh; i++) {
    const r0 = indY[i]! * stride;
    const r1 = indY[hh + i]! * stride;
    const r2 = indY[2 * hh + i]! * stride;
    const r3 = indY[3 * hh + i]! * stride;
    for (let j = 0; j < w; j++) {
      const s0 = src[r0 + j]!;
      const s1 = src[r1 + j]!;
      const s2 = src[r2 + j]!;
      const s3 = src[r3 + j]!;
      tmp[j] = Math.floor((LO0 * s0 + LO1 * s1 + LO2 * s2 + LO3 * s3 + vAdd) * vInv);
      tmp[w + j] = Math.floor((HI0 * s0 + HI1 * s1 + HI2 * s2 + HI3 * s3 + vAdd) * vInv);
    }
    const o = i * stride;
    const { a: ba, v: bv, h: bh, d: bd } = b;
    for (let j = 0; j < hw; j++) {
      let j0: number;
      let j1: number;
      let j2: number;
      let j3: number;
      if (j >= 1 && 2 * j + 2 < w) {
        j0 = 2 * j - 1;
        j1 = j0 + 1;
        j2 = j0 + 2;
        j3 = j0 + 3;
      } else {
        j0 = indX[j]!;
        j1 = indX[hw + j]!;
        j2 = indX[2 * hw + j]!;
        j3 = indX[3 * hw + j]!;
      }
      let s0 = tmp[j0]!;
      let s1 = tmp[j1]!;
      let s2 = tmp[j2]!;
      let s3 = tmp[j3]!;
      ba[o + j] = Math.floor((LO0 * s0 + LO1 * s1 + LO2 * s2 + LO3 * s3 + hAdd) * hInv);
      bv[o + j] = Math.floor((HI0 * s0 + HI1 * s1 + HI2 * s2 + HI3 * s3 + hAdd) * hInv);
      s0 = tmp[w + j0]!;
      s1 = tmp[w + j1]!;
      s2 = tmp[w + j2]!;
      s3 = tmp[w + j3]!;
      bh[o + j] = Math.floor((LO0 * s0 + LO1 * s1 + LO2 * s2 + LO3 * s3 + hAdd) * hInv);
      bd[o + j] = Math.floor((HI0 * s0 + HI1 * s1 + HI2 * s2 + HI3 * s3 + hAdd) * hInv);
    }
  }
}

/** [left, top, right, bottom) of the region decouple and CSF cover (one tap wider than the pooling). */
function wideRegion(w: number, h: number): [number, number, number, number] {
  let left = Math.trunc(w * BORDER - 0.5 - 1);
  let top = Math.trunc(h * BORDER - 0.5 - 1);
  let right = w - left + 2;
  let bottom = h - top + 2;
  if (left < 0) left = 0;
  if (right > w) right = w;
  if (top < 0) top = 0;
  if (bottom > h) bottom = h;
  return [left, top, right, bottom];
}

/** Restoration gain k = clip(t/o, 0, 1) in Q15 via the reciprocal table (scale 0: 16-bit o). */
function gain0(o: number, t: number): number {
  if (o === 0) return 32768;
  const k = Math.floor((DIV_LOOKUP[o + 32768]! * t + 16384) / 32768) | 0;
  return k < 0 ? 0 : k > 32768 ? 32768 : k;
}

/** Scales 1..3: the reciprocal of |o| reduced to its 15 leading bits, rounded. */
function gainN(o: number, t: number): number {
  if (o === 0) return 32768;
  const abs = Math.abs(o);
  let msb = abs;
  let shift = 0;
  if (abs >= 32768) {
    shift = 17 - Math.clz32(abs);
    msb = Math.floor((abs + POW2[shift - 1]!) / POW2[shift]!) & 0xffff;
  }
  const sign = o < 0 ? -1 : 1;
  const add = 14 + shift >= 31 ? -2147483648 : POW2[14 + shift]!;
  const k = mulShr(t * sign, DIV_LOOKUP[msb + 32768]!, add, 15 + shift);
  return k < 0 ? 0 : k > 32768 ? 32768 : k;
}

/** Split the distorted detail into restored (r) and additive (a) parts over the wide region. */
function decouple(ws: IntegerAdmWorkspace, w: number, h: number, egl: number, scale0: boolean): void {
  const { stride, ref, dis, rstR: r, addA: a } = ws;
  const [left, top, right, bottom] = wideRegion(w, h);
  for (let i = top; i < bottom; i++) {
    for (let j = left; j < right; j++) {
      const p = i * stride + j;
      const oh = ref.h[p]!;
      const ov = ref.v[p]!;
      const od = ref.d[p]!;
      const th = dis.h[p]!;
      const tv = dis.v[p]!;
      const td = dis.d[p]!;
      const otDp = oh * th + ov * tv;
      const oMag = oh * oh + ov * ov;
      const tMag = th * th + tv * tv;
      const dp = Math.fround(otDp) / 4096.0;
      const angle = dp >= 0 && dp * dp >= COS_1DEG_SQ * (Math.fround(oMag) / 4096.0) * (Math.fround(tMag) / 4096.0);
      let kh: number;
      let kv: number;
      let kd: number;
      if (scale0) {
        kh = gain0(oh, th);
        kv = gain0(ov, tv);
        kd = gain0(od, td);
      } else {
        kh = gainN(oh, th);
        kv = gainN(ov, tv);
        kd = gainN(od, td);
      }
      let rh = Math.floor((kh * oh + 16384) / 32768);
      let rv = Math.floor((kv * ov + 16384) / 32768);
      let rd = Math.floor((kd * od + 16384) / 32768);
      if (angle) {
        if (kh > 0 && oh > 0) rh = Math.trunc(Math.min(rh * egl, th));
        else if (kh > 0 && oh < 0) rh = Math.trunc(Math.max(rh * egl, th));
        if (kv > 0 && ov > 0) rv = Math.trunc(Math.min(rv * egl, tv));
        else if (kv > 0 && ov < 0) rv = Math.trunc(Math.max(rv * egl, tv));
        if (kd > 0 && od > 0) rd = Math.trunc(Math.min(rd * egl, td));
        else if (kd > 0 && od < 0) rd = Math.trunc(Math.max(rd * egl, td));
      }
      if (scale0) {
        rh = int16(rh);
        rv = int16(rv);
        rd = int16(rd);
        r.h[p] = rh;
        r.v[p] = rv;
        r.d[p] = rd;
        a.h[p] = int16(th - rh);
        a.v[p] = int16(tv - rv);
        a.d[p] = int16(td - rd);
      } else {
        r.h[p] = rh;
        r.v[p] = rv;
        r.d[p] = rd;
        a.h[p] = th - rh;
        a.v[p] = tv - rv;
        a.d[p] = td - rd;
      }
    }
  }
}

/**
 * CSF weighting of src into dst, and flt = |dst|/30 (the masking contribution), over the wide region.
 * DLM: src = additive part (into csfA / csfF); AIM: src = restored part (into csfF / csfA).
 */
function csf(ws: IntegerAdmWorkspace, src: Bands, dst: Bands, flt: Bands, w: number, h: number, scale: number, cf: AdmCsfFactors = DEFAULT_CSF): void {
  const { stride } = ws;
  const [left, top, right, bottom] = wideRegion(w, h);
  const srcs = [src.h, src.v, src.d];
  const dsts = [dst.h, dst.v, dst.d];
  const flts = [flt.h, flt.v, flt.d];
  if (scale === 0) {
    const shifts = [15, 15, 17];
    const adds = [16384, 16384, 65535];
    for (let theta = 0; theta < 3; theta++) {
      const s = srcs[theta]!;
      const dd = dsts[theta]!;
      const ff = flts[theta]!;
      const rf = cf.i0[theta]!;
      const sh = shifts[theta]!;
      const ad = adds[theta]!;
      for (let i = top; i < bottom; i++) {
        for (let j = left; j < right; j++) {
          const p = i * stride + j;
          const v = int16((rf * s[p]! + ad) >> sh);
          dd[p] = v;
          ff[p] = int16((4369 * Math.abs(v) + 2048) >> 12);
        }
      }
    }
    return;
  }
  const [f1, f2] = cf.rf[scale]!;
  const rfs = [Math.trunc(f1 * 4294967296), Math.trunc(f1 * 4294967296), Math.trunc(f2 * 4294967296)];
  for (let theta = 0; theta < 3; theta++) {
    const s = srcs[theta]!;
    const dd = dsts[theta]!;
    const ff = flts[theta]!;
    const rf = rfs[theta]!;
    for (let i = top; i < bottom; i++) {
      for (let j = left; j < right; j++) {
        const p = i * stride + j;
        const v = mulShr(s[p]!, rf, 134217728, 28) | 0;
        dd[p] = v;
        // libvmaf's rounding constant here is (int32)(1u << 31), i.e. −2^31.
        ff[p] = mulShr(Math.abs(v), 143165577, -2147483648, 32) | 0;
      }
    }
  }
}

/** Pooling region [left, top, right, bottom) of the den and num sums (10% border less). */
function poolRegion(w: number, h: number): [number, number, number, number] {
  const left = Math.trunc(w * BORDER - 0.5);
  const top = Math.trunc(h * BORDER - 0.5);
  return [left, top, w - left, h - top];
}

/** The denominator of one scale: cube-root pooled CSF-weighted reference detail plus the noise term. */
function denominator(ws: IntegerAdmWorkspace, w: number, h: number, scale: number, cf: AdmCsfFactors = DEFAULT_CSF): number {
  const { stride, ref } = ws;
  const [f1, f2] = cf.rf[scale]!;
  const [left, top, right, bottom] = poolRegion(w, h);
  const area = (bottom - top) * (right - left);
  let accH = 0;
  let accV = 0;
  let accD = 0;
  let shiftCsf: number;
  if (scale === 0) {
    let shiftAccum = Math.ceil(Math.log2(area) - 20);
    if (shiftAccum < 0) shiftAccum = 0;
    const add = shiftAccum > 0 ? POW2[shiftAccum - 1]! : 0;
    const div = POW2[shiftAccum]!;
    for (let i = top; i < bottom; i++) {
      let ih = 0;
      let iv = 0;
      let id = 0;
      for (let j = left; j < right; j++) {
        const p = i * stride + j;
        const bh = Math.abs(ref.h[p]!);
        const bv = Math.abs(ref.v[p]!);
        const bd = Math.abs(ref.d[p]!);
        ih += bh * bh * bh;
        iv += bv * bv * bv;
        id += bd * bd * bd;
      }
      accH += Math.floor((ih + add) / div);
      accV += Math.floor((iv + add) / div);
      accD += Math.floor((id + add) / div);
    }
    shiftCsf = 2 ** (18 - shiftAccum);
  } else {
    const sq = [31, 30, 31][scale - 1]!;
    const addSq = POW2[sq]!;
    const toFloat = [32, 27, 23][scale - 1]!;
    const shiftCub = Math.ceil(Math.log2(right - left));
    const addCub = Math.trunc(2 ** (shiftCub - 1));
    const shiftAccum = Math.ceil(Math.log2(bottom - top));
    const addAccum = Math.trunc(2 ** (shiftAccum - 1));
    const divAccum = POW2[shiftAccum]!;
    for (let i = top; i < bottom; i++) {
      let ih = 0;
      let iv = 0;
      let id = 0;
      for (let j = left; j < right; j++) {
        const p = i * stride + j;
        const bh = Math.abs(ref.h[p]!);
        const bv = Math.abs(ref.v[p]!);
        const bd = Math.abs(ref.d[p]!);
        ih += mulShr(mulShr(bh, bh, addSq, sq), bh, addCub, shiftCub);
        iv += mulShr(mulShr(bv, bv, addSq, sq), bv, addCub, shiftCub);
        id += mulShr(mulShr(bd, bd, addSq, sq), bd, addCub, shiftCub);
      }
      accH += Math.floor((ih + addAccum) / divAccum);
      accV += Math.floor((iv + addAccum) / divAccum);
      accD += Math.floor((id + addAccum) / divAccum);
    }
    shiftCsf = 2 ** (toFloat - shiftAccum - shiftCub);
  }
  const csfH = (accH / shiftCsf) * Math.pow(f1, 3);
  const csfV = (accV / shiftCsf) * Math.pow(f1, 3);
  const csfD = (accD / shiftCsf) * Math.pow(f2, 3);
  const noise = cbrtf(area * cf.noiseWeight);
  const dh = Math.fround(cbrtf(csfH) + noise);
  const dv = Math.fround(cbrtf(csfV) + noise);
  const dd = Math.fround(cbrtf(csfD) + noise);
  return Math.fround(Math.fround(dh + dv) + dd);
}

let flatScratch = new Float64Array(0);

/**
 * The three bands' masking contributions summed per position (h + v + d) over the rows and columns the
 * 3x3 neighbourhoods of [i0, i1) x [j0, j1) read (the mirrored ones included): the threshold's 8
 * neighbours then cost 8 reads, not 24. Exact integer sums (< 2^53), so the order of the additions
 * does not change the threshold. A scratch buffer reused from frame to frame (per thread).
 */
function flatSums(flts: Bands, stride: number, w: number, h: number, i0: number, i1: number, j0: number, j1: number): Float64Array {
  const n = stride * h;
  if (flatScratch.length < n) flatScratch = new Float64Array(n);
  const out = flatScratch;
  const { h: fh, v: fv, d: fd } = flts;
  const r0 = Math.max(0, i0 - 1);
  const r1 = Math.min(h - 1, i1);
  const c0 = Math.max(0, j0 - 1);
  const c1 = Math.min(w - 1, j1);
  for (let i = r0; i <= r1; i++) {
    const o = i * stride;
    for (let j = c0; j <= c1; j++) out[o + j] = fh[o + j]! + fv[o + j]! + fd[o + j]!;
  }
  return out;
}

/**
 * The numerator of one scale: the CSF-weighted detail of `src` above the masking threshold, cubed,
 * pooled and cube-rooted. DLM: src = restored part, masker = additive part's CSF (csfA, flt csfF);
 * AIM: src = additive part, masker = restored part's CSF (csfF, flt csfA), noise weight 0.
 */
function numerator(
  ws: IntegerAdmWorkspace,
  src: Bands,
  angles: Bands,
  flts: Bands,
  w: number,
  h: number,
  scale: number,
  noiseWeight: number,
  cf: AdmCsfFactors = DEFAULT_CSF,
): number {
  const { stride } = ws;
  const [left, top, right, bottom] = poolRegion(w, h);
  const i0 = Math.max(top, 0);
  const i1 = Math.min(bottom, h);
  const j0 = Math.max(left, 0);
  const j1 = Math.min(right, w);
  const { h: ah, v: av, d: ad } = angles;
  const fs = flatSums(flts, stride, w, h, i0, i1, j0, j1);
  const shiftInner = Math.ceil(Math.log2(h));
  const addInner = Math.trunc(2 ** (shiftInner - 1));
  const divInner = POW2[shiftInner]!;
  let accH = 0;
  let accV = 0;
  let accD = 0;
  let fh: number;
  let fv: number;
  let fd: number;
  if (scale === 0) {
    const cubH = Math.ceil(Math.log2(w) - 4);
    const cubD = Math.ceil(Math.log2(w) - 3);
    const addCubH = Math.trunc(2 ** (cubH - 1));
    const addCubD = Math.trunc(2 ** (cubD - 1));
    for (let i = i0; i < i1; i++) {
      const up = (i === 0 ? 1 : i - 1) * stride;
      const mid = i * stride;
      const down = (i === h - 1 ? h - 1 : i + 1) * stride;
      let ih = 0;
      let iv = 0;
      let id = 0;
      for (let j = j0; j < j1; j++) {
        const l = j === 0 ? 1 : j - 1;
        const r = j === w - 1 ? w - 1 : j + 1;
        const thr =
          fs[up + l]! + fs[up + j]! + fs[up + r]! + fs[mid + l]! + fs[mid + r]! + fs[down + l]! + fs[down + j]! + fs[down + r]! +
          int16((8738 * Math.abs(ah[mid + j]!) + 2048) >> 12) +
          int16((8738 * Math.abs(av[mid + j]!) + 2048) >> 12) +
          int16((8738 * Math.abs(ad[mid + j]!) + 2048) >> 12);
        const p = mid + j;
        let x = Math.abs(src.h[p]! * cf.i0[0]) - (thr << 10);
        if (x > 0) ih += mulShr(mulShr(x, x, 268435456, 29) | 0, x, addCubH, cubH);
        x = Math.abs(src.v[p]! * cf.i0[1]) - (thr << 10);
        if (x > 0) iv += mulShr(mulShr(x, x, 268435456, 29) | 0, x, addCubH, cubH);
        x = Math.abs(src.d[p]! * cf.i0[2]) - (thr << 12);
        if (x > 0) id += mulShr(mulShr(x, x, 536870912, 30) | 0, x, addCubD, cubD);
      }
      accH += Math.floor((ih + addInner) / divInner);
      accV += Math.floor((iv + addInner) / divInner);
      accD += Math.floor((id + addInner) / divInner);
    }
    fh = Math.fround(accH / 2 ** (52 - cubH - shiftInner));
    fv = Math.fround(accV / 2 ** (52 - cubH - shiftInner));
    fd = Math.fround(accD / 2 ** (57 - cubD - shiftInner));
  } else {
    const [f1, f2] = cf.rf[scale]!;
    const rf1 = Math.trunc(f1 * 4294967296);
    const rf2 = Math.trunc(f2 * 4294967296);
    const cub = Math.ceil(Math.log2(w));
    const addCub = Math.trunc(2 ** (cub - 1));
    for (let i = i0; i < i1; i++) {
      const up = (i === 0 ? 1 : i - 1) * stride;
      const mid = i * stride;
      const down = (i === h - 1 ? h - 1 : i + 1) * stride;
      let ih = 0;
      let iv = 0;
      let id = 0;
      for (let j = j0; j < j1; j++) {
        const l = j === 0 ? 1 : j - 1;
        const r = j === w - 1 ? w - 1 : j + 1;
        const thr =
          (fs[up + l]! + fs[up + j]! + fs[up + r]! + fs[mid + l]! + fs[mid + r]! + fs[down + l]! + fs[down + j]! + fs[down + r]! +
            (mulShr(Math.abs(ah[mid + j]!), 286331153, -2147483648, 32) | 0) +
            (mulShr(Math.abs(av[mid + j]!), 286331153, -2147483648, 32) | 0) +
            (mulShr(Math.abs(ad[mid + j]!), 286331153, -2147483648, 32) | 0)) |
          0;
        const p = mid + j;
        let x = Math.abs(mulShr(src.h[p]!, rf1, 134217728, 28) | 0) - thr;
        if (x > 0) ih += mulShr(mulShr(x, x, 536870912, 30) | 0, x, addCub, cub);
        x = Math.abs(mulShr(src.v[p]!, rf1, 134217728, 28) | 0) - thr;
        if (x > 0) iv += mulShr(mulShr(x, x, 536870912, 30) | 0, x, addCub, cub);
        x = Math.abs(mulShr(src.d[p]!, rf2, 134217728, 28) | 0) - thr;
        if (x > 0) id += mulShr(mulShr(x, x, 536870912, 30) | 0, x, addCub, cub);
      }
      accH += Math.floor((ih + addInner) / divInner);
      accV += Math.floor((iv + addInner) / divInner);
      accD += Math.floor((id + addInner) / divInner);
    }
    const finalShift = [45, 39, 36][scale - 1]! - cub - shiftInner;
    fh = Math.fround(accH / 2 ** finalShift);
    fv = Math.fround(accV / 2 ** finalShift);
    fd = Math.fround(accD / 2 ** finalShift);
  }
  const noise = cbrtf((bottom - top) * (right - left) * noiseWeight);
  const nh = Math.fround(cbrtf(fh) + noise);
  const nv = Math.fround(cbrtf(fv) + noise);
  const nd = Math.fround(cbrtf(fd) + noise);
  return Math.fround(Math.fround(nh + nv) + nd);
}

/** Refuses (E_UNSUPPORTED) ADM options this port does not compute, before any frame is read. */
export function checkIntegerAdmOptions(options: IntegerAdmOptions): void {
  csfFactors(options);
}

/** libvmaf's integer ADM of one luma pair, on a workspace made for their size and bit depth. */
export function integerAdm(
  ref: Plane<Uint8Array | Uint16Array>,
  dist: Plane<Uint8Array | Uint16Array>,
  ws: IntegerAdmWorkspace,
  options: IntegerAdmOptions = {},
): IntegerAdmResult {
  const egl = options.enhnGainLimit ?? 100;
  if (!(egl >= 1 && egl <= 100)) throw new IqaError('E_INPUT', `adm_enhn_gain_limit must be in [1, 100], got ${egl}`);
  const dlmWeight = options.dlmWeight ?? 0.5;
  const minVal = options.minVal ?? 0;
  const cf = csfFactors(options);
  let w = ws.width;
  let h = ws.height;
  for (const [p, label] of [[ref, 'reference'], [dist, 'distorted']] as const) {
    if (p.width !== w || p.height !== h) {
      throw new IqaError('E_MISMATCH', `integer ADM: the ${label} frame is ${p.width}x${p.height}, the workspace ${w}x${h}`);
    }
  }
  const numden = 1e-10 * (w * h) / (1920.0 * 1080.0);
  const nums: [number, number, number, number] = [0, 0, 0, 0];
  const dens: [number, number, number, number] = [0, 0, 0, 0];
  let num = 0;
  let den = 0;
  let aimNum = 0;
  for (let scale = 0; scale < 4; scale++) {
    tapIndices(ws.indY, h);
    tapIndices(ws.indX, w);
    if (scale === 0) {
      dwtScale0(ws, ref, ws.ref);
      dwtScale0(ws, dist, ws.dis);
    } else {
      dwtScaleN(ws, ws.ref, w, h, scale);
      dwtScaleN(ws, ws.dis, w, h, scale);
    }
    w = (w + 1) >> 1;
    h = (h + 1) >> 1;
    decouple(ws, w, h, egl, scale === 0);
    const denScale = denominator(ws, w, h, scale, cf);
    csf(ws, ws.addA, ws.csfA, ws.csfF, w, h, scale, cf);
    const numScale = numerator(ws, ws.rstR, ws.csfA, ws.csfF, w, h, scale, cf.noiseWeight, cf);
    let aimScale = 0;
    if (!options.skipAim) {
      csf(ws, ws.rstR, ws.csfF, ws.csfA, w, h, scale, cf);
      aimScale = numerator(ws, ws.addA, ws.csfF, ws.csfA, w, h, scale, 0, cf);
    }
    num += numScale;
    den += denScale;
    aimNum += aimScale;
    nums[scale] = numScale;
    dens[scale] = denScale;
  }
  num = num < numden ? 0 : num;
  den = den < numden ? 0 : den;
  let adm2: number;
  let aim: number;
  if (den === 0) {
    adm2 = 1;
    aim = 0; // libvmaf leaves AIM unset here; 0 is this port's choice
  } else {
    adm2 = num / den;
    aim = aimNum / den;
  }
  if (options.skipAim) aim = Number.NaN;
  const adm3 = options.skipAim ? Number.NaN : Math.max(adm2 * dlmWeight + (1 - aim) * (1 - dlmWeight), minVal);
  return {
    adm2,
    aim,
    adm3,
    scales: [nums[0] / dens[0], nums[1] / dens[1], nums[2] / dens[2], nums[3] / dens[3]],
    num: nums,
    den: dens,
  };
}
