/**
 * LPIPS (Zhang et al., CVPR 2018, v0.1 linear heads) through the ONNX graphs of the manifest.
 * Input: two 8-bit images of the same size (RGB by default; grey is replicated, RGBA's alpha is
 * ignored), H and W ≥ 32. Preprocessing: v/127.5 − 1 (kernels/nn/lpips-input.ts); nothing is resized.
 * Output: the distance (≥ 0, lower = more similar, 0 for identical images), optionally the spatial
 * map (H × W, upstream `spatial=True`; its mean is close to, not equal to, the distance).
 * The reference is img0, the distorted image img1 (upstream's convention).
 */
import { IqaError } from '../../common/errors';
import { lpipsTensorFromPixels, type PixelLayout } from '../../kernels/nn/lpips-input';
import type { ExecutionProvider } from '../../common/inference';
import { sharedInference, type OnnxInference } from './inference';
import type { ModelDirOptions } from './model-store';

export const LPIPS_MODELS = ['lpips-alex', 'lpips-squeeze', 'lpips-vgg'] as const;
export type LpipsModel = (typeof LPIPS_MODELS)[number];
const MIN_SIDE = 32;

export interface LpipsOptions extends ModelDirOptions {
  model?: LpipsModel;
  /** Also return the H × W spatial map. */
  map?: boolean;
  layout?: PixelLayout;
  inference?: OnnxInference;
  signal?: AbortSignal;
}

export interface LpipsResult {
  distance: number;
  map?: Float32Array;
  modelId: LpipsModel;
  modelSha256: string;
  provider: ExecutionProvider;
}

function checkSize(width: number, height: number): void {
  if (width < MIN_SIDE || height < MIN_SIDE) throw new IqaError('E_INPUT', `LPIPS needs images of at least ${MIN_SIDE}×${MIN_SIDE} pixels, got ${width}×${height}`);
}

function toTensor(pixels: Uint8Array, width: number, height: number, layout: PixelLayout, out: Float32Array, offset: number, which: string): void {
  try {
    lpipsTensorFromPixels(pixels, width, height, layout, out, offset);
  } catch (err) {
    throw new IqaError('E_INPUT', `LPIPS ${which} image: ${(err as Error).message}`);
  }
}

export async function lpipsPair(ref: Uint8Array, dist: Uint8Array, width: number, height: number, opts: LpipsOptions = {}): Promise<LpipsResult> {
  const model = opts.model ?? 'lpips-alex';
  const layout = opts.layout ?? { channels: 3 };
  checkSize(width, height);
  const n = 3 * width * height;
  const img0 = new Float32Array(n);
  const img1 = new Float32Array(n);
  toTensor(ref, width, height, layout, img0, 0, 'reference');
  toTensor(dist, width, height, layout, img1, 0, 'distorted');
  const dims = [1, 3, height, width];
  const r = await (opts.inference ?? sharedInference()).run(model, { img0: { data: img0, dims }, img1: { data: img1, dims } }, {
    outputs: opts.map ? ['distance', 'spatial_map'] : ['distance'],
    signal: opts.signal,
    // Made for this call: moved to the worker, not copied on the engine's thread.
    transfer: true,
  });
  const out: LpipsResult = { distance: r.outputs.distance!.data[0]!, modelId: model, modelSha256: r.modelSha256, provider: r.provider };
  if (opts.map) out.map = r.outputs.spatial_map!.data;
  return out;
}

/**
 * Many pairs of one size (e.g. the frames of a video pair) in batches sized by the memory budget.
 * Returns one distance per pair, in order.
 */
export async function lpipsPairs(
  pairs: readonly { ref: Uint8Array; dist: Uint8Array }[],
  width: number,
  height: number,
  opts: Omit<LpipsOptions, 'map'> & { memoryBudgetBytes?: number } = {},
): Promise<{ distances: Float32Array; modelId: LpipsModel; modelSha256: string; provider: ExecutionProvider | null; batches: number }> {
  const model = opts.model ?? 'lpips-alex';
  const layout = opts.layout ?? { channels: 3 };
  checkSize(width, height);
  if (pairs.length === 0) throw new IqaError('E_INPUT', 'LPIPS: no image pairs');
  const per = 3 * width * height;
  const img0 = new Float32Array(per * pairs.length);
  const img1 = new Float32Array(per * pairs.length);
  pairs.forEach((p, i) => {
    toTensor(p.ref, width, height, layout, img0, i * per, `reference #${i}`);
    toTensor(p.dist, width, height, layout, img1, i * per, `distorted #${i}`);
  });
  const dims = [pairs.length, 3, height, width];
  const r = await (opts.inference ?? sharedInference()).runBatched(model, { img0: { data: img0, dims }, img1: { data: img1, dims } }, { outputs: ['distance'], signal: opts.signal, memoryBudgetBytes: opts.memoryBudgetBytes, transfer: true });
  return { distances: r.outputs.distance!.data, modelId: model, modelSha256: r.modelSha256, provider: r.provider, batches: r.batches };
}
