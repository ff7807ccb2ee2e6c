/**
 * Network inputs of the distribution metrics, written straight into caller-owned batch tensors with the
 * bit-exact resize kernels (kernels/image). Pure (no I/O); the decoded input is 8-bit interleaved RGB,
 * as PIL's `convert('RGB')` gives the references.
 *
 * FID Inception (`images` [N,3,299,299], the graph computes 2x − 1 itself), per resize mode:
 *  - 'pytorch-fid' (default; mseitzer/pytorch-fid): ToTensor x/255 in float32, then torch
 *    F.interpolate bilinear, align_corners=False, no antialias, to 299×299 (identity at 299×299).
 *  - 'clean-fid' (clean-fid "clean" mode): PIL bicubic on float32 'F' images per channel on 0..255
 *    (antialiasing), clipped to [0, 255] as current clean-fid releases do, then /256 (the clean-fid
 *    network's (x − 128)/128 equals 2·(x/256) − 1).
 *  - 'tf1' (original TTUR FID, torch-fidelity): TF1 legacy resize_bilinear (half_pixel_centers=False),
 *    then /256.
 * I3D (`video` [N,3,T,224,224] in [-1,1], nothing inside the graph), the original FVD: every frame TF1
 * legacy bilinear to 224×224 (stretch, no crop, no antialias) on 0..255, then float32 2x/255 − 1.
 */
import { interleavedView, batchSlotView, type StridedImage } from './strided';
import { createTorchBilinearPlan, resizeTorchBilinear, type TorchBilinearPlan } from './resize-torch-bilinear';
import { createPilBicubicPlan, resizePilBicubic, type PilBicubicPlan } from './resize-pil-bicubic';
import { createTfBilinearPlan, resizeTfBilinear, type TfBilinearPlan } from './resize-tf-bilinear';
import { scaleTensorInPlace, TENSOR_SCALINGS } from './to-tensor';

export const FID_RESIZE_MODES = ['pytorch-fid', 'clean-fid', 'tf1'] as const;
export type FidResizeMode = (typeof FID_RESIZE_MODES)[number];
export const DEFAULT_FID_RESIZE: FidResizeMode = 'pytorch-fid';

export const FID_INPUT_SIZE = 299;
export const I3D_INPUT_SIZE = 224;

/** What each mode does, in words (recorded with the results). */
export const FID_RESIZE_DESCRIPTIONS: Record<FidResizeMode, string> = {
  'pytorch-fid': 'x/255 (float32), then torch bilinear (align_corners=False, no antialias) to 299x299, stretched',
  'clean-fid': 'PIL bicubic on float32 0..255 per channel (antialiased) to 299x299, stretched, clipped to [0,255], then /256',
  tf1: 'TF1 legacy resize_bilinear (half_pixel_centers=False, no antialias) on 0..255 to 299x299, stretched, then /256',
};

export const FVD_RESIZE_DESCRIPTION = 'TF1 legacy resize_bilinear (align_corners=False, half_pixel_centers=False, no antialias) on 0..255 to 224x224 per frame, stretched (no crop), then 2x/255 - 1 (float32)';

export interface RgbImage {
  /** Interleaved 8-bit RGB, rows packed (stride = 3·width). */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

type AnyPlan = TorchBilinearPlan | PilBicubicPlan | TfBilinearPlan;

/** Resize plans by input size, kept for the most recent sizes (a folder of one size reuses one plan). */
class PlanCache<P extends AnyPlan> {
  readonly #plans = new Map<string, P>();
  constructor(
    readonly make: (w: number, h: number) => P,
    readonly max = 8,
  ) {}
  get(w: number, h: number): P {
    const key = `${w}x${h}`;
    let p = this.#plans.get(key);
    if (p) {
      this.#plans.delete(key);
    } else {
      p = this.make(w, h);
      if (this.#plans.size >= this.max) this.#plans.delete(this.#plans.keys().next().value!);
    }
    this.#plans.set(key, p);
    return p;
  }
}

function rgbView(img: RgbImage): StridedImage<Uint8Array> {
  return interleavedView({ data: img.data, width: img.width, height: img.height, channels: 3, stride: img.width * 3 });
}

/** FID Inception input for one image, into slot `slot` of an NCHW batch [N,3,299,299]. One per extraction (plans hold scratch buffers). */
export class FidPreprocessor {
  readonly mode: FidResizeMode;
  readonly #torch = new PlanCache((w, h) => createTorchBilinearPlan(w, h, FID_INPUT_SIZE, FID_INPUT_SIZE));
  readonly #pil = new PlanCache((w, h) => createPilBicubicPlan(w, h, FID_INPUT_SIZE, FID_INPUT_SIZE, 'float32', 3));
  readonly #tf = new PlanCache((w, h) => createTfBilinearPlan(w, h, FID_INPUT_SIZE, FID_INPUT_SIZE, 'float64'));

  constructor(mode: FidResizeMode = DEFAULT_FID_RESIZE) {
    if (!FID_RESIZE_MODES.includes(mode)) throw new RangeError(`unknown FID resize mode ${String(mode)} (known: ${FID_RESIZE_MODES.join(', ')})`);
    this.mode = mode;
  }

  /** Writes the image's network input into `batch` slot `slot` and returns that slot's view. */
  toSlot(img: RgbImage, batch: Float32Array, slot: number): StridedImage<Float32Array> {
    const src = rgbView(img);
    const dst = batchSlotView(batch, slot, 3, FID_INPUT_SIZE, FID_INPUT_SIZE);
    switch (this.mode) {
      case 'pytorch-fid':
        resizeTorchBilinear(src, dst, this.#torch.get(img.width, img.height), { inputDivisor: 255 });
        return dst;
      case 'clean-fid':
        resizePilBicubic(src, dst, this.#pil.get(img.width, img.height));
        return scaleTensorInPlace(dst, TENSOR_SCALINGS.cleanFidClippedFrom255);
      case 'tf1':
        resizeTfBilinear(src, dst, this.#tf.get(img.width, img.height));
        return scaleTensorInPlace(dst, TENSOR_SCALINGS.fidGraphFrom255);
    }
  }
}

/**
 * Frame `t` of clip `n` in an NCTHW batch [N,3,T,H,W]: a planar view whose channels are T·H·W apart.
 */
export function clipFrameView(batch: Float32Array, n: number, t: number, frames: number, height: number, width: number): StridedImage<Float32Array> {
  const hw = height * width;
  if (!Number.isInteger(t) || t < 0 || t >= frames) throw new RangeError(`frame index ${t} is outside 0..${frames - 1}`);
  const clip = 3 * frames * hw;
  if (batch.length < (n + 1) * clip) throw new RangeError(`batch holds ${batch.length} samples; clip ${n} of [N,3,${frames},${height},${width}] needs ${(n + 1) * clip}`);
  return { data: batch, width, height, channels: 3, offset: n * clip + t * hw, pixelStride: 1, rowStride: width, channelStride: frames * hw };
}

/** I3D input for one frame (original FVD preprocessing) into frame `t` of clip `n` of an NCTHW batch. */
export class FvdPreprocessor {
  readonly frames: number;
  readonly #tf = new PlanCache((w, h) => createTfBilinearPlan(w, h, I3D_INPUT_SIZE, I3D_INPUT_SIZE, 'float64'));

  constructor(frames: number) {
    this.frames = frames;
  }

  frameToSlot(img: RgbImage, batch: Float32Array, n: number, t: number): StridedImage<Float32Array> {
    const dst = clipFrameView(batch, n, t, this.frames, I3D_INPUT_SIZE, I3D_INPUT_SIZE);
    resizeTfBilinear(rgbView(img), dst, this.#tf.get(img.width, img.height));
    return scaleTensorInPlace(dst, TENSOR_SCALINGS.fvdTf);
  }
}
