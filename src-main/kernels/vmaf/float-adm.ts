/**
 * ADM as libvmaf 3.2.0's floating-point extractor `float_adm` computes it with its default options
 * (Watson97 CSF, viewing distance 3 heights of a 1080-line display, noise weight 0.03125): features
 * `VMAF_feature_adm2_score`, `adm_scale0..3`, `VMAF_feature_aim_score` and `VMAF_feature_adm3_score`
 * (DLM weight 0.5).
 *
 * Convention (read from libvmaf's float_adm.c, adm.c and adm_tools.c):
 * - luma as single-precision `v − 128` (8-bit) or `v/4 − 128` (10-bit), as picture_copy makes it;
 * - 4 scales of a 2-D db2 wavelet in single precision (the 4 taps rounded to float), sizes rounded up
 *   when halving, borders mirrored (index −1 reads 1, index n reads n−1); each scale transforms the
 *   previous scale's approximation band;
 * - detail restoration: gain k = dist/(ref + 1e-30) clipped to [0, 1], the 1-degree angle test and
 *   the enhancement gain limit `egl` (100 by default; the NEG models use 1). libvmaf divides by
 *   multiplying with the CPU's reciprocal estimate (RCPSS, about 12 bits, a table of the CPU's own)
 *   refined by one Newton step; here the correctly rounded reciprocal: the one place this port is not
 *   libvmaf's arithmetic bit for bit (a model of the estimate, 1/x rounded to 12 bits and refined as
 *   libvmaf refines it, moved the score closer to the CLI's but some ADM features past its printed
 *   precision, so it is not used);
 * - the CSF factors of the integer ADM (1/Q of Watson's model per band, single precision), contrast
 *   masking by the 3x3 neighbourhood of the CSF-weighted additive impairment (1/30 of its magnitude,
 *   the centre 1/15, the constants as libvmaf writes them, in double, the sums in float);
 * - cube-root pooling (glibc powf(x, 1/3f)) over the band less a 10% border plus the noise term
 *   powf(area·0.03125, 1/3f); per-row then per-frame sums in single precision, as libvmaf sums;
 * - adm2 = Σ num_s / Σ den_s (double sums; both 0 below 1e-10·area/1080p, adm2 then 1); scale s =
 *   num_s / den_s; AIM runs the masking the other way round (the additive impairment against the
 *   restored detail, no noise term) over the same den, capped at 1; adm3 = 0.5·adm2 + 0.5·(1 − aim).
 *
 * The workspace holds every buffer; computing a frame allocates nothing per pixel.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';
import { cbrtf } from './fixed-point';
import { pictureToFloat } from './float-vif';
import { RFACTORS } from './integer-adm';

const fr = Math.fround;

const LO = [0.48296291314469, 0.836516303737469, 0.224143868041857, -0.129409522550921].map(fr);
const HI = [-0.129409522550921, -0.224143868041857, 0.836516303737469, -0.48296291314469].map(fr);
const L0 = LO[0]!;
const L1 = LO[1]!;
const L2 = LO[2]!;
const L3 = LO[3]!;
const H0 = HI[0]!;
const H1 = HI[1]!;
const H2 = HI[2]!;
const H3 = HI[3]!;

const BORDER = 0.1;
const NOISE_WEIGHT = 0.03125;
const EPS = fr(1e-30);
/** The masking constants as libvmaf's source writes them (double literals multiplied in double). */
const ONE_BY_30 = 0.0333333351;
const ONE_BY_15 = 0.0666666701;
const COS_1DEG_SQ = fr(Math.cos(Math.PI / 180) * Math.cos(Math.PI / 180));

interface Bands {
  a: Float32Array;
  h: Float32Array;
  v: Float32Array;
  d: Float32Array;
}

const bands = (n: number): Bands => ({ a: new Float32Array(n), h: new Float32Array(n), v: new Float32Array(n), d: new Float32Array(n) });

export interface FloatAdmWorkspace {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** Row stride of every band buffer: the scale-0 band width. */
  readonly stride: number;
  readonly ref: Float32Array;
  readonly dis: Float32Array;
  readonly refB: Bands;
  readonly disB: Bands;
  /** Restored detail (h, v, d; `a` unused) and additive impairment. */
  readonly rst: Bands;
  readonly add: Bands;
  /** CSF-weighted impairment and 1/30 of its magnitude. */
  readonly csfA: Bands;
  readonly csfF: Bands;
  readonly tmpLo: Float32Array;
  readonly tmpHi: Float32Array;
  readonly indY: Int32Array;
  readonly indX: Int32Array;
}

export function createFloatAdmWorkspace(width: number, height: number, bitDepth = 8): FloatAdmWorkspace {
  if (bitDepth !== 8 && bitDepth !== 10) {
    throw new IqaError('E_UNSUPPORTED', `float ADM handles 8- and 10-bit samples, not ${bitDepth}-bit`);
  }
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 32 && height >= 32)) {
    throw new IqaError('E_UNSUPPORTED', `float ADM needs frames of at least 32x32, got ${width}x${height}`);
  }
  const stride = (width + 1) >> 1;
  const n = stride * ((height + 1) >> 1);
  return {
    width,
    height,
    bitDepth,
    stride,
    ref: new Float32Array(width * height),
    dis: new Float32Array(width * height),
    refB: bands(n),
    disB: bands(n),
    rst: bands(n),
    add: bands(n),
    csfA: bands(n),
    csfF: bands(n),
    tmpLo: new Float32Array(width),
    tmpHi: new Float32Array(width),
    indY: new Int32Array(4 * ((height + 1) >> 1)),
    indX: new Int32Array(4 * ((width + 1) >> 1)),
  };
}

export interface FloatAdmOptions {
  /** adm_enhn_gain_limit: 100 (default) down to 1.0 (NEG models). */
  readonly enhnGainLimit?: number;
  /** adm_dlm_weight for adm3 (default 0.5). */
  readonly dlmWeight?: number;
  /** adm_min_val for adm3 (default 0). */
  readonly minVal?: number;
}

export interface FloatAdmResult {
  readonly adm2: number;
  /** VMAF_feature_aim_score: the additive impairment measure, Σ aim num_s / Σ den_s, at most 1. */
  readonly aim: number;
  /** VMAF_feature_adm3_score: max(adm2·w + (1 − aim)·(1 − w), min_val), w = adm_dlm_weight. */
  readonly adm3: number;
  /** adm_scale0..3: num_s / den_s. */
  readonly scales: [number, number, number, number];
  readonly num: [number, number, number, number];
  readonly den: [number, number, number, number];
}

/** Source indices of the 4 wavelet taps for each output position (mirror: -1 → 1, n → n−1). */
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

/** One level of the db2 wavelet of a w×h picture (row stride `ss`) into the bands (may be in place on `a`). */
function dwt(ws: FloatAdmWorkspace, src: Float32Array, ss: number, dst: Bands, w: number, h: number): void {
  const { stride, tmpLo, tmpHi, indY, indX } = ws;
  const hh = (h + 1) >> 1;
  const hw = (w + 1) >> 1;
  for (let i = 0; i < hh; i++) {
    const r0 = indY[i]! * ss;
    const r1 = indY[hh + i]! * ss;
    const r2 = indY[2 * hh + i]! * ss;
    const r3 = indY[3 * hh + i]! * ss;
    for (let j = 0; j < w; j++) {
      const s0 = src[r0 + j]!;
      const s1 = src[r1 + j]!;
      const s2 = src[r2 + j]!;
      const s3 = src[r3 + j]!;
      tmpLo[j] = fr(fr(fr(fr(L0 * s0) + fr(L1 * s1)) + fr(L2 * s2)) + fr(L3 * s3));
      tmpHi[j] = fr(fr(fr(fr(H0 * s0) + fr(H1 * s1)) + fr(H2 * s2)) + fr(H3 * s3));
    }
    const o = i * stride;
    for (let j = 0; j < hw; j++) {
      const j0 = indX[j]!;
      const j1 = indX[hw + j]!;
      const j2 = indX[2 * hw + j]!;
      const j3 = indX[3 * hw + j]!;
      let s0 = tmpLo[j0]!;
      let s1 = tmpLo[j1]!;
      let s2 = tmpLo[j2]!;
      let s3 = tmpLo[j3]!;
      dst.a[o + j] = fr(fr(fr(fr(L0 * s0) + fr(L1 * s1)) + fr(L2 * s2)) + fr(L3 * s3));
      dst.v[o + j] = fr(fr(fr(fr(H0 * s0) + fr(H1 * s1)) + fr(H2 * s2)) + fr(H3 * s3));
      s0 = tmpHi[j0]!;
      s1 = tmpHi[j1]!;
      s2 = tmpHi[j2]!;
      s3 = tmpHi[j3]!;
      dst.h[o + j] = fr(fr(fr(fr(L0 * s0) + fr(L1 * s1)) + fr(L2 * s2)) + fr(L3 * s3));
      dst.d[o + j] = fr(fr(fr(fr(H0 * s0) + fr(H1 * s1)) + fr(H2 * s2)) + fr(H3 * s3));
    }
  }
}

/** The region the decoupling and CSF stages fill: the pooled region and one more tap around it. */
function tapRegion(w: number, h: number): [number, number, number, number] {
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

/** Splits the distorted detail into restored detail (rst) and additive impairment (add) over the tap region. */
function decouple(ws: FloatAdmWorkspace, w: number, h: number, egl: number): void {
  const { stride, refB, disB, rst, add } = ws;
  const [left, top, right, bottom] = tapRegion(w, h);
  for (let i = top; i < bottom; i++) {
    for (let j = left; j < right; j++) {
      const p = i * stride + j;
      const oh = refB.h[p]!;
      const ov = refB.v[p]!;
      const od = refB.d[p]!;
      const th = disB.h[p]!;
      const tv = disB.v[p]!;
      const td = disB.d[p]!;
      let kh = fr(th * fr(1 / fr(oh + EPS)));
      let kv = fr(tv * fr(1 / fr(ov + EPS)));
      let kd = fr(td * fr(1 / fr(od + EPS)));
      kh = kh < 0 ? 0 : kh > 1 ? 1 : kh;
      kv = kv < 0 ? 0 : kv > 1 ? 1 : kv;
      kd = kd < 0 ? 0 : kd > 1 ? 1 : kd;
      let rh = fr(kh * oh);
      let rv = fr(kv * ov);
      let rd = fr(kd * od);
      const dot = fr(fr(oh * th) + fr(ov * tv));
      const oMag = fr(fr(oh * oh) + fr(ov * ov));
      const tMag = fr(fr(th * th) + fr(tv * tv));
      if (dot >= 0 && fr(dot * dot) >= fr(fr(COS_1DEG_SQ * oMag) * tMag)) {
        if (rh > 0) rh = fr(Math.min(rh * egl, th));
        if (rh < 0) rh = fr(Math.max(rh * egl, th));
        if (rv > 0) rv = fr(Math.min(rv * egl, tv));
        if (rv < 0) rv = fr(Math.max(rv * egl, tv));
        if (rd > 0) rd = fr(Math.min(rd * egl, td));
        if (rd < 0) rd = fr(Math.max(rd * egl, td));
      }
      rst.h[p] = rh;
      rst.v[p] = rv;
      rst.d[p] = rd;
      add.h[p] = fr(th - rh);
      add.v[p] = fr(tv - rv);
      add.d[p] = fr(td - rd);
    }
  }
}

/** CSF weighting of a detail component (h, v, d) into `out`, 1/30 of its magnitude into `outF`. */
function csf(ws: FloatAdmWorkspace, scale: number, w: number, h: number, from: Bands, out: Bands, outF: Bands): void {
  const { stride } = ws;
  const [f1, f2] = RFACTORS[scale]!;
  const [left, top, right, bottom] = tapRegion(w, h);
  const src = [from.h, from.v, from.d];
  const dst = [out.h, out.v, out.d];
  const flt = [outF.h, outF.v, outF.d];
  const rf = [f1, f1, f2];
  for (let t = 0; t < 3; t++) {
    const s = src[t]!;
    const d = dst[t]!;
    const f = flt[t]!;
    const k = rf[t]!;
    for (let i = top; i < bottom; i++) {
      for (let j = left; j < right; j++) {
        const p = i * stride + j;
        const v = fr(k * s[p]!);
        d[p] = v;
        f[p] = fr(ONE_BY_30 * Math.abs(v));
      }
    }
  }
}

/** The pooled region: the band less a 10% border (libvmaf's truncations). */
function poolRegion(w: number, h: number): [number, number, number, number] {
  const left = Math.trunc(w * BORDER - 0.5);
  const top = Math.trunc(h * BORDER - 0.5);
  return [left, top, w - left, h - top];
}

const noiseTerm = (left: number, top: number, right: number, bottom: number, weight = NOISE_WEIGHT): number => cbrtf((right - left) * (bottom - top) * weight);

/** The denominator of a scale: cube-root pooled CSF-weighted reference detail, plus the noise term, per band. */
function denScale(ws: FloatAdmWorkspace, scale: number, w: number, h: number): number {
  const { stride, refB } = ws;
  const [f1, f2] = RFACTORS[scale]!;
  const [left, top, right, bottom] = poolRegion(w, h);
  let accH = 0;
  let accV = 0;
  let accD = 0;
  for (let i = top; i < bottom; i++) {
    let rowH = 0;
    let rowV = 0;
    let rowD = 0;
    const o = i * stride;
    for (let j = left; j < right; j++) {
      const ah = Math.abs(fr(f1 * refB.h[o + j]!));
      const av = Math.abs(fr(f1 * refB.v[o + j]!));
      const ad = Math.abs(fr(f2 * refB.d[o + j]!));
      rowH = fr(rowH + fr(fr(ah * ah) * ah));
      rowV = fr(rowV + fr(fr(av * av) * av));
      rowD = fr(rowD + fr(fr(ad * ad) * ad));
    }
    accH = fr(accH + rowH);
    accV = fr(accV + rowV);
    accD = fr(accD + rowD);
  }
  const noise = noiseTerm(left, top, right, bottom);
  return fr(fr(fr(cbrtf(accH) + noise) + fr(cbrtf(accV) + noise)) + fr(cbrtf(accD) + noise));
}

const mirror = (k: number, n: number): number => (k < 0 ? -k : k >= n ? n - 1 : k);

/**
 * The numerator of a scale: a detail component (`src`: DLM's restored detail, AIM's additive
 * impairment) less its masking threshold from the other component (`maskA` CSF-weighted, `maskF` 1/30
 * of its magnitude), cube-root pooled, plus the noise term (none for AIM).
 */
function numScale(ws: FloatAdmWorkspace, scale: number, w: number, h: number, src: Bands, maskA: Bands, maskF: Bands, noiseWeight: number): number {
  const { stride } = ws;
  const rst = src;
  const csfA = maskA;
  const csfF = maskF;
  const [f1, f2] = RFACTORS[scale]!;
  const [left, top, right, bottom] = poolRegion(w, h);
  const a = [csfA.h, csfA.v, csfA.d];
  const f = [csfF.h, csfF.v, csfF.d];
  const i0 = Math.max(top, 0);
  const i1 = Math.min(bottom, h);
  const j0 = Math.max(left, 0);
  const j1 = Math.min(right, w);
  let accH = 0;
  let accV = 0;
  let accD = 0;
  for (let i = i0; i < i1; i++) {
    const up = mirror(i - 1, h) * stride;
    const mid = i * stride;
    const down = mirror(i + 1, h) * stride;
    let rowH = 0;
    let rowV = 0;
    let rowD = 0;
    for (let j = j0; j < j1; j++) {
      const jl = mirror(j - 1, w);
      const jr = mirror(j + 1, w);
      let thr = 0;
      for (let t = 0; t < 3; t++) {
        const ft = f[t]!;
        let s = ft[up + jl]!;
        s = fr(s + ft[up + j]!);
        s = fr(s + ft[up + jr]!);
        s = fr(s + ft[mid + jl]!);
        s = fr(s + ONE_BY_15 * Math.abs(a[t]![mid + j]!));
        s = fr(s + ft[mid + jr]!);
        s = fr(s + ft[down + jl]!);
        s = fr(s + ft[down + j]!);
        s = fr(s + ft[down + jr]!);
        thr = fr(thr + s);
      }
      let xh = fr(Math.abs(fr(rst.h[mid + j]! * f1)) - thr);
      let xv = fr(Math.abs(fr(rst.v[mid + j]! * f1)) - thr);
      let xd = fr(Math.abs(fr(rst.d[mid + j]! * f2)) - thr);
      if (xh < 0) xh = 0;
      if (xv < 0) xv = 0;
      if (xd < 0) xd = 0;
      rowH = fr(rowH + fr(fr(xh * xh) * xh));
      rowV = fr(rowV + fr(fr(xv * xv) * xv));
      rowD = fr(rowD + fr(fr(xd * xd) * xd));
    }
    accH = fr(accH + rowH);
    accV = fr(accV + rowV);
    accD = fr(accD + rowD);
  }
  const noise = noiseTerm(left, top, right, bottom, noiseWeight);
  return fr(fr(fr(cbrtf(accH) + noise) + fr(cbrtf(accV) + noise)) + fr(cbrtf(accD) + noise));
}

/** float_adm's adm2 and per-scale scores for one frame. */
export function floatAdm(
  ref: Plane<Uint8Array | Uint16Array>,
  dist: Plane<Uint8Array | Uint16Array>,
  ws: FloatAdmWorkspace,
  options: FloatAdmOptions = {},
): FloatAdmResult {
  if (ref.width !== ws.width || ref.height !== ws.height || dist.width !== ws.width || dist.height !== ws.height) {
    throw new IqaError('E_MISMATCH', `float ADM: frames are ${ref.width}x${ref.height} and ${dist.width}x${dist.height}, the workspace is for ${ws.width}x${ws.height}`);
  }
  const egl = options.enhnGainLimit ?? 100;
  const dlmWeight = options.dlmWeight ?? 0.5;
  const minVal = options.minVal ?? 0;
  pictureToFloat(ref, ws.bitDepth, ws.ref);
  pictureToFloat(dist, ws.bitDepth, ws.dis);
  let w = ws.width;
  let h = ws.height;
  let srcRef = ws.ref;
  let srcDis = ws.dis;
  let ss = ws.width;
  let num = 0;
  let den = 0;
  let aimNum = 0;
  const nums: [number, number, number, number] = [0, 0, 0, 0];
  const dens: [number, number, number, number] = [0, 0, 0, 0];
  const scales: [number, number, number, number] = [0, 0, 0, 0];
  for (let scale = 0; scale < 4; scale++) {
    tapIndices(ws.indY, h);
    tapIndices(ws.indX, w);
    dwt(ws, srcRef, ss, ws.refB, w, h);
    dwt(ws, srcDis, ss, ws.disB, w, h);
    w = (w + 1) >> 1;
    h = (h + 1) >> 1;
    decouple(ws, w, h, egl);
    const d = denScale(ws, scale, w, h);
    csf(ws, scale, w, h, ws.add, ws.csfA, ws.csfF);
    const n = numScale(ws, scale, w, h, ws.rst, ws.csfA, ws.csfF, NOISE_WEIGHT);
    csf(ws, scale, w, h, ws.rst, ws.csfA, ws.csfF);
    aimNum += numScale(ws, scale, w, h, ws.add, ws.csfA, ws.csfF, 0);
    num += n;
    den += d;
    nums[scale] = n;
    dens[scale] = d;
    scales[scale] = n / d;
    srcRef = ws.refB.a;
    srcDis = ws.disB.a;
    ss = ws.stride;
  }
  const limit = (1e-10 * (ws.width * ws.height)) / (1920.0 * 1080.0);
  if (num < limit) num = 0;
  if (den < limit) den = 0;
  const adm2 = den === 0 ? 1 : num / den;
  // AIM over the same denominators (libvmaf leaves it unset when den is 0: 0 here), capped at 1.
  const aim = den === 0 ? 0 : Math.min(aimNum / den, 1);
  const adm3 = Math.max(adm2 * dlmWeight + (1 - aim) * (1 - dlmWeight), minVal);
  return { adm2, aim, adm3, scales, num: nums, den: dens };
}
