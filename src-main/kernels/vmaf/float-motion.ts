/**
 * Motion as libvmaf 3.2.0's floating-point extractor `float_motion` computes it with its default
 * options (features `VMAF_feature_motion_score` and `VMAF_feature_motion2_score`, the latter an input
 * of `vmaf_float_v0.6.1`).
 *
 * Convention (read from libvmaf's float_motion.c, motion.c, motion_tools.h and common/convolution.c):
 * - the reference luma only, as single-precision `v − 128` (8-bit) or `v/4 − 128` (10-bit);
 * - blurred by the 5-tap filter {0.054488685, 0.244201342, 0.402619947, 0.244201342, 0.054488685}
 *   (single precision), columns then rows, borders mirrored (index −1 reads 1, index n reads n−2),
 *   each product and partial sum rounded to single precision;
 * - motion of frame k = mean absolute difference of blurred frames k−1 and k (per-row sums, then the
 *   frame sum, then the division, all in single precision); 0 for frame 0;
 * - motion2 of frame k = min(motion k, motion k+1), the last frame's own motion (VmafScoreSequencer
 *   and `floatMotionSeries` do this step); both capped at motion_max_val (10000).
 *
 * `floatMotionSad` is a pure function of two reference frames (for the frame pool, which computes
 * frames in any order); its scratch buffers are given by the caller and reused.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';
import { pictureToFloat } from './float-vif';

const fr = Math.fround;

const FILTER = [0.054488685, 0.244201342, 0.402619947, 0.244201342, 0.054488685].map(fr);

export interface FloatMotionWorkspace {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly pic: Float32Array;
  readonly tmp: Float32Array;
  /** The blurred previous and current frames. */
  readonly blurA: Float32Array;
  readonly blurB: Float32Array;
}

export function createFloatMotionWorkspace(width: number, height: number, bitDepth = 8): FloatMotionWorkspace {
  if (bitDepth !== 8 && bitDepth !== 10) {
    throw new IqaError('E_UNSUPPORTED', `float motion handles 8- and 10-bit samples, not ${bitDepth}-bit`);
  }
  if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 3 && height >= 3)) {
    throw new IqaError('E_UNSUPPORTED', `float motion needs frames of at least 3x3, got ${width}x${height}`);
  }
  const n = width * height;
  return { width, height, bitDepth, pic: new Float32Array(n), tmp: new Float32Array(n), blurA: new Float32Array(n), blurB: new Float32Array(n) };
}

const mirror = (k: number, n: number): number => (k < 0 ? -k : k >= n ? 2 * n - k - 2 : k);

/** The 5-tap blur of a reference frame into `out` (w×h, packed). */
export function floatMotionBlur(src: Plane<Uint8Array | Uint16Array>, ws: FloatMotionWorkspace, out: Float32Array): void {
  const { width: w, height: h, pic, tmp } = ws;
  if (src.width !== w || src.height !== h) {
    throw new IqaError('E_MISMATCH', `float motion: a frame is ${src.width}x${src.height}, the workspace is for ${w}x${h}`);
  }
  pictureToFloat(src, ws.bitDepth, pic);
  const [c0, c1, c2, c3, c4] = FILTER as [number, number, number, number, number];
  for (let i = 0; i < h; i++) {
    const r0 = mirror(i - 2, h) * w;
    const r1 = mirror(i - 1, h) * w;
    const r2 = i * w;
    const r3 = mirror(i + 1, h) * w;
    const r4 = mirror(i + 2, h) * w;
    for (let j = 0; j < w; j++) {
      let acc = fr(c0 * pic[r0 + j]!);
      acc = fr(acc + fr(c1 * pic[r1 + j]!));
      acc = fr(acc + fr(c2 * pic[r2 + j]!));
      acc = fr(acc + fr(c3 * pic[r3 + j]!));
      tmp[r2 + j] = fr(acc + fr(c4 * pic[r4 + j]!));
    }
  }
  for (let i = 0; i < h; i++) {
    const o = i * w;
    for (let j = 0; j < w; j++) {
      let acc = fr(c0 * tmp[o + mirror(j - 2, w)]!);
      acc = fr(acc + fr(c1 * tmp[o + mirror(j - 1, w)]!));
      acc = fr(acc + fr(c2 * tmp[o + j]!));
      acc = fr(acc + fr(c3 * tmp[o + mirror(j + 1, w)]!));
      out[o + j] = fr(acc + fr(c4 * tmp[o + mirror(j + 2, w)]!));
    }
  }
}

/** Mean absolute difference of two blurred frames, in libvmaf's single-precision order. */
export function blurredSad(a: Float32Array, b: Float32Array, w: number, h: number): number {
  let acc = 0;
  for (let i = 0; i < h; i++) {
    let row = 0;
    const o = i * w;
    for (let j = 0; j < w; j++) row = fr(row + Math.abs(fr(a[o + j]! - b[o + j]!)));
    acc = fr(acc + row);
  }
  return fr(acc / (w * h));
}

/** float_motion's motion score between reference frames k−1 and k (capped at maxVal). */
export function floatMotionSad(prev: Plane<Uint8Array | Uint16Array>, cur: Plane<Uint8Array | Uint16Array>, ws: FloatMotionWorkspace, maxVal = 10000): number {
  floatMotionBlur(prev, ws, ws.blurA);
  floatMotionBlur(cur, ws, ws.blurB);
  return Math.min(blurredSad(ws.blurA, ws.blurB, ws.width, ws.height), maxVal);
}

/** motion (per frame) to motion2: min of this frame's and the next frame's, the last frame its own, frame 0 0. */
export function floatMotionSeries(motion: ArrayLike<number>, maxVal = 10000): Float64Array {
  const n = motion.length;
  const out = new Float64Array(n);
  for (let k = 1; k < n; k++) out[k] = Math.min(k + 1 < n ? Math.min(motion[k]!, motion[k + 1]!) : motion[k]!, maxVal);
  return out;
}
