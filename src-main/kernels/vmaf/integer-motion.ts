/**
 * Motion as libvmaf 3.2.0's fixed-point extractor `motion` computes it (features
 * `VMAF_integer_feature_motion_sad_score`, `..._motion2_score`, `..._motion3_score`).
 *
 * Convention (read from libvmaf's integer_motion.c):
 * - reference luma only; the distorted video plays no part;
 * - frame i's SAD: the difference of reference frames i−1 and i, blurred by the 5-tap integer
 *   Gaussian {3571, 16004, 26386, 16004, 3571} (Q16; vertical pass rounded to the bit depth, then the
 *   horizontal pass rounded by 16 bits), borders mirrored without repeating the edge sample; the mean
 *   absolute value over the frame, divided by 256 (so in 8-bit sample units); frame 0 has SAD 0;
 * - motion2[i] = min(sad[i], sad[i+1]), motion2[0] = 0 and the last frame's motion2 is its own SAD
 *   (so a frame's motion2 is known only once the next frame is read);
 * - motion3 = motion2 blended (factor 1, offset 40: the identity at the defaults) and clipped at
 *   motion_max_val (10000 by default); frame 0 takes frame 1's value.
 *
 * `IntegerMotion` keeps the previous reference frame: one instance per video pair, frames in order.
 */
import { IqaError } from '../../common/errors';
import type { Plane } from '../image/plane';

const FILTER = [3571, 16004, 26386, 16004, 3571] as const;
const INV_65536 = 1 / 65536;

function mirror(idx: number, size: number): number {
  if (idx < 0) return -idx;
  if (idx >= size) return 2 * size - idx - 2;
  return idx;
}

/** Per-pair state of the motion extractor: the previous reference frame and one working row. */
export class IntegerMotion {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  private readonly prev: Uint16Array;
  private readonly row: Int32Array;
  private readonly rowIdx: Int32Array;
  private readonly maxVal: number;
  private frames = 0;

  /** `maxVal`: motion_max_val, the cap on each SAD score (default 10000; the v1 models use 18). */
  constructor(width: number, height: number, bitDepth = 8, maxVal = 10000) {
    if (bitDepth !== 8 && bitDepth !== 10) {
      throw new IqaError('E_UNSUPPORTED', `integer motion handles 8- and 10-bit samples, not ${bitDepth}-bit`);
    }
    if (!(Number.isInteger(width) && Number.isInteger(height) && width >= 3 && height >= 3)) {
      throw new IqaError('E_UNSUPPORTED', `integer motion needs frames of at least 3x3, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.bitDepth = bitDepth;
    this.maxVal = maxVal;
    this.prev = new Uint16Array(width * height);
    this.row = new Int32Array(width);
    this.rowIdx = new Int32Array(5);
  }

  /** Frames pushed so far. */
  get count(): number {
    return this.frames;
  }

  /** Reads the next reference frame and returns its SAD score (0 for the first frame). */
  push(ref: Plane<Uint8Array | Uint16Array>): number {
    const { width: w, height: h, prev } = this;
    if (ref.width !== w || ref.height !== h) {
      throw new IqaError('E_MISMATCH', `integer motion: frame ${this.frames} is ${ref.width}x${ref.height}, expected ${w}x${h}`);
    }
    const src = ref.data;
    const stride = ref.stride;
    const score = this.frames > 0 ? integerMotionSad({ data: prev, width: w, height: h, stride: w }, ref, this.bitDepth, this.maxVal, this.row, this.rowIdx) : 0;
    for (let i = 0; i < h; i++) prev.set(src.subarray(i * stride, i * stride + w), i * w);
    this.frames++;
    return score;
  }
}

/**
 * The SAD score of reference frame `cur` against the reference frame before it (`prev`), capped at
 * `maxVal`: what IntegerMotion.push returns for every frame but the first, without keeping state,
 * so that frames can be scored in any order when each comes with its predecessor. `row` (≥ width)
 * and `rowIdx` (≥ 5) are scratch.
 */
export function integerMotionSad(
  prev: Plane<Uint8Array | Uint16Array>,
  cur: Plane<Uint8Array | Uint16Array>,
  bitDepth: number,
  maxVal = 10000,
  row: Int32Array = new Int32Array(cur.width),
  idx: Int32Array = new Int32Array(5),
): number {
  const w = cur.width;
  const h = cur.height;
  if (prev.width !== w || prev.height !== h) throw new IqaError('E_MISMATCH', `integer motion: frames of ${prev.width}x${prev.height} and ${w}x${h}`);
  const src = cur.data;
  const stride = cur.stride;
  const pv = prev.data;
  const pStride = prev.stride;
  const vShift = bitDepth;
  const vRound = 1 << (vShift - 1);
  const [c0, c1, c2] = [FILTER[0], FILTER[1], FILTER[2]];
  let sad = 0;
  for (let i = 0; i < h; i++) {
    for (let k = 0; k < 5; k++) idx[k] = mirror(i - 2 + k, h);
    // Vertical pass on the difference (|acc| < 2^16 · 2^bitDepth: int32), the symmetric taps paired.
    const p0 = idx[0]! * pStride;
    const p1 = idx[1]! * pStride;
    const p2 = idx[2]! * pStride;
    const p3 = idx[3]! * pStride;
    const p4 = idx[4]! * pStride;
    const s0 = idx[0]! * stride;
    const s1 = idx[1]! * stride;
    const s2 = idx[2]! * stride;
    const s3 = idx[3]! * stride;
    const s4 = idx[4]! * stride;
    let any = 0;
    for (let j = 0; j < w; j++) {
      const acc =
        c0 * (pv[p0 + j]! - src[s0 + j]! + (pv[p4 + j]! - src[s4 + j]!)) +
        c1 * (pv[p1 + j]! - src[s1 + j]! + (pv[p3 + j]! - src[s3 + j]!)) +
        c2 * (pv[p2 + j]! - src[s2 + j]!);
      const v = (acc + vRound) >> vShift;
      row[j] = v;
      any |= v;
    }
    if (any === 0) continue;
    // Horizontal pass: the sums reach 2^32 (doubles, exact); the two columns at each edge mirrored.
    let rowSad = 0;
    for (let j = 0; j < w; j++) {
      let acc: number;
      if (j >= 2 && j < w - 2) {
        acc = c0 * (row[j - 2]! + row[j + 2]!) + c1 * (row[j - 1]! + row[j + 1]!) + c2 * row[j]!;
      } else {
        acc = 0;
        for (let k = 0; k < 5; k++) acc += FILTER[k] * row[mirror(j - 2 + k, w)]!;
      }
      rowSad += Math.abs(Math.floor((acc + 32768) * INV_65536));
    }
    sad += rowSad;
  }
  return Math.min(sad / 256 / (w * h), maxVal);
}

export interface MotionSeries {
  readonly motion2: Float64Array;
  readonly motion3: Float64Array;
}

export interface MotionSeriesOptions {
  /** motion_max_val (default 10000). */
  readonly maxVal?: number;
  /** motion_blend_factor (default 1) and motion_blend_offset (default 40). */
  readonly blendFactor?: number;
  readonly blendOffset?: number;
}

function blend(x: number, factor: number, offset: number): number {
  return x * factor + (1 - factor) * Math.min(offset, x);
}

/** motion2 and motion3 of every frame from the per-frame SADs, as libvmaf's flush step makes them. */
export function motionSeries(sad: ArrayLike<number>, options: MotionSeriesOptions = {}): MotionSeries {
  const maxVal = options.maxVal ?? 10000;
  const factor = options.blendFactor ?? 1;
  const offset = options.blendOffset ?? 40;
  const n = sad.length;
  const motion2 = new Float64Array(n);
  const motion3 = new Float64Array(n);
  const stamp = n > 1 ? Math.min(blend(sad[1]!, factor, offset), maxVal) : 0;
  for (let i = 0; i < n; i++) {
    if (i === 0) {
      motion2[i] = 0;
      motion3[i] = stamp;
      continue;
    }
    const m2 = i + 1 < n ? Math.min(sad[i]!, sad[i + 1]!) : sad[i]!;
    motion2[i] = m2;
    motion3[i] = Math.min(blend(m2, factor, offset), maxVal);
  }
  return { motion2, motion3 };
}
