/**
 * CNNIQA (Kang et al., CVPR 2014; lidq92's LIVE-trained re-implementation), a no-reference score:
 * PIL-style grey, non-overlapping 32×32 patches (kernels/nn/cnniqa-patches.ts), the ONNX graph per
 * patch (local contrast normalisation inside), image score = mean of the patch scores. Higher is
 * worse (LIVE DMOS-like scale). Needs at least 33×33 pixels. The weights have no licence upstream:
 * internal evaluation only (manifest `licence.redistributable: false`).
 */
import { IqaError } from '../../common/errors';
import { cnniqaPatches, pilGrey } from '../../kernels/nn/cnniqa-patches';
import type { PixelLayout } from '../../kernels/nn/lpips-input';
import type { ExecutionProvider } from '../../common/inference';
import { sharedInference, type OnnxInference } from './inference';
import type { ModelDirOptions } from './model-store';

export interface CnniqaOptions extends ModelDirOptions {
  /** Pixel layout (default RGB; channels 1 = grey, used as is). */
  layout?: PixelLayout;
  /** Also return every patch score (row-major patch order). */
  patchScores?: boolean;
  memoryBudgetBytes?: number;
  inference?: OnnxInference;
  signal?: AbortSignal;
}

export interface CnniqaResult {
  score: number;
  patches: number;
  rows: number;
  cols: number;
  patchScores?: Float32Array;
  modelId: 'cnniqa-live';
  modelSha256: string;
  provider: ExecutionProvider;
}

export async function cnniqaScore(pixels: Uint8Array, width: number, height: number, opts: CnniqaOptions = {}): Promise<CnniqaResult> {
  let grey: Uint8Array;
  try {
    grey = pilGrey(pixels, width, height, opts.layout ?? { channels: 3 });
  } catch (err) {
    throw new IqaError('E_INPUT', `CNNIQA: ${(err as Error).message}`);
  }
  const p = cnniqaPatches(grey, width, height);
  if (p.count === 0) throw new IqaError('E_INPUT', `CNNIQA needs an image larger than 32×32 pixels in both directions (patches start at multiples of 32 below size − 32), got ${width}×${height}`);
  const r = await (opts.inference ?? sharedInference()).runBatched('cnniqa-live', { patches: { data: p.data, dims: [p.count, 1, 32, 32] } }, { outputs: ['scores'], signal: opts.signal, memoryBudgetBytes: opts.memoryBudgetBytes, maxBatch: 4096 });
  const scores = r.outputs.scores!.data;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += scores[i]!;
  const out: CnniqaResult = { score: sum / scores.length, patches: p.count, rows: p.rows, cols: p.cols, modelId: 'cnniqa-live', modelSha256: r.modelSha256, provider: r.provider };
  if (opts.patchScores) out.patchScores = scores;
  return out;
}
