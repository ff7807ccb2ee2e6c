/**
 * IQA-CNN++ (Kang, Ye, Li, Doermann, ICIP 2015), a no-reference network with two heads: a quality
 * score and the distortion type, per 32×32 patch. Pillow-style grey (kernels/nn/cnniqa-patches.ts),
 * locally normalised patches (kernels/nn/iqacnnpp-patches.ts), the ONNX graph in the inference worker
 * (never on the calling thread), then:
 *  - quality = mean of the patch qualities (the paper's image score);
 *  - distortion distribution = mean of the patch softmax probabilities (each sums to 1, so the mean
 *    does too; the public training code instead takes the arg-max of the mean logits, which names
 *    the same class only when the logits are close: probabilities are what is shown, so they are
 *    what is averaged), with the manifest's class labels and the most likely class.
 * Needs at least 32×32 pixels. The `iqacnnpp` model is the user's own trained export (no public
 * weights exist); `iqacnnpp-arch` has random weights and its numbers mean nothing.
 */
import { IqaError } from '../../common/errors';
import type { ExecutionProvider } from '../../common/inference';
import { pilGrey } from '../../kernels/nn/cnniqa-patches';
import { iqacnnppPatches, IQACNNPP_PATCH } from '../../kernels/nn/iqacnnpp-patches';
import type { PixelLayout } from '../../kernels/nn/lpips-input';
import { sharedInference, type OnnxInference } from './inference';
import { manifestEntry } from './manifest';

export const IQACNNPP_MODELS = ['iqacnnpp', 'iqacnnpp-arch'] as const;
export type IqacnnppModelId = (typeof IQACNNPP_MODELS)[number];

export interface IqacnnppOptions {
  model?: IqacnnppModelId;
  /** Pixel layout (default RGB; channels 1 = grey, used as is). */
  layout?: PixelLayout;
  /** Also return every patch's outputs (row-major patch order). */
  perPatch?: boolean;
  memoryBudgetBytes?: number;
  inference?: OnnxInference;
  signal?: AbortSignal;
}

export interface IqacnnppResult {
  quality: number;
  /** Mean of the patch probabilities, in `labels` order. */
  distortion: Float64Array;
  labels: readonly string[];
  /** The label with the highest mean probability (the first one on a tie). */
  top: string;
  patches: number;
  rows: number;
  cols: number;
  patchQuality?: Float32Array;
  patchProbs?: Float32Array;
  modelId: IqacnnppModelId;
  modelSha256: string;
  provider: ExecutionProvider;
  comparable: boolean;
}

/** The distortion class names of a model, from the manifest (the order of its probability output). */
export function iqacnnppLabels(model: IqacnnppModelId = 'iqacnnpp'): readonly string[] {
  const labels = manifestEntry(model).classLabels?.distortion_probs;
  if (!labels) throw new IqaError('E_INTERNAL', `models/manifest.json: ${model} has no classLabels.distortion_probs`);
  return labels;
}

/** Index of the largest value (the first on a tie). */
export function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

export async function iqacnnppScore(pixels: Uint8Array, width: number, height: number, opts: IqacnnppOptions = {}): Promise<IqacnnppResult> {
  const model = opts.model ?? 'iqacnnpp';
  let grey: Uint8Array;
  try {
    grey = pilGrey(pixels, width, height, opts.layout ?? { channels: 3 });
  } catch (err) {
    throw new IqaError('E_INPUT', `IQA-CNN++: ${(err as Error).message}`);
  }
  const p = iqacnnppPatches(grey, width, height);
  if (p.count === 0) throw new IqaError('E_INPUT', `IQA-CNN++ needs at least ${IQACNNPP_PATCH}×${IQACNNPP_PATCH} pixels (one complete patch), got ${width}×${height}`);
  const labels = iqacnnppLabels(model);
  const r = await (opts.inference ?? sharedInference()).runBatched(
    model,
    { patches: { data: p.data, dims: [p.count, 1, IQACNNPP_PATCH, IQACNNPP_PATCH] } },
    { outputs: ['quality', 'distortion_probs'], signal: opts.signal, memoryBudgetBytes: opts.memoryBudgetBytes, maxBatch: 4096 },
  );
  const q = r.outputs.quality!.data;
  const probs = r.outputs.distortion_probs!.data;
  const k = labels.length;
  if (q.length !== p.count || probs.length !== p.count * k) {
    throw new IqaError('E_MODEL', `model ${model}: expected ${p.count} qualities and ${p.count}×${k} probabilities, got ${q.length} and ${probs.length} (is the export's distortion head ${k} classes?)`);
  }
  let sum = 0;
  for (let i = 0; i < q.length; i++) sum += q[i]!;
  const distortion = new Float64Array(k);
  for (let i = 0; i < p.count; i++) for (let c = 0; c < k; c++) distortion[c]! += probs[i * k + c]!;
  for (let c = 0; c < k; c++) distortion[c]! /= p.count;
  const out: IqacnnppResult = {
    quality: sum / p.count,
    distortion,
    labels,
    top: labels[argMax(distortion)]!,
    patches: p.count,
    rows: p.rows,
    cols: p.cols,
    modelId: model,
    modelSha256: r.modelSha256,
    provider: r.provider,
    comparable: r.comparable,
  };
  if (opts.perPatch) {
    out.patchQuality = q;
    out.patchProbs = probs;
  }
  return out;
}
