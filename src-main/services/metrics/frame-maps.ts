/**
 * One frame's quality map, for the viewer's heatmap: the Wang SSIM map of the luma (`ssim-y`, same
 * parameters and value as the metric) or the LPIPS spatial map (upstream `spatial=True`), at frame k
 * of a distorted/reference pair. Decodes only up to frame k (ffmpeg's trim filter after the pair's
 * alignment filters), so scrubbing costs one frame's decode plus what ffmpeg skips to reach it. The
 * SSIM map is a kernel extractor (kernels/extractors/ssim-y-map.ts) run in the frame pool, the LPIPS
 * map a network in the ONNX worker: nothing heavy runs on the engine's thread.
 */
import { IqaError } from '../../common/errors';
import { frameBytes, type FrameFormat } from '../../common/frame-format';
import type { MetricParams } from '../../common/metric-registry';
import { rgb24Format } from '../media/decode-format';
import { FrameReader } from '../media/frame-reader';
import { lpipsPair, type LpipsModel } from '../models/lpips';
import { manifestEntry } from '../models/manifest';
import { planPair, type AlignPolicy, type MetricModelInfo, type PairInput } from './compute-pair';
import { createFrameRunner, type FrameRunner } from './frame-pool';

export const FRAME_MAP_METRICS = ['ssim-y', 'lpips'] as const;
export type FrameMapMetric = (typeof FRAME_MAP_METRICS)[number];

export interface FrameMap {
  metric: FrameMapMetric;
  params: MetricParams;
  frame: number;
  /** Map size: the frame's (SSIM with MATLAB downsampling: the downsampled size). */
  width: number;
  height: number;
  /** The metric on this frame (SSIM: the mean of the valid region, as the metric; LPIPS: the distance). */
  value: number;
  /** Row-major, width × height. SSIM: 1 = identical; LPIPS: 0 = identical. */
  map: Float32Array;
  decoder: string;
  model: MetricModelInfo | null;
}

export interface FrameMapOptions {
  policy?: AlignPolicy;
  signal?: AbortSignal;
  /** The frame pool the SSIM map is computed in (without one: a one-thread pool for this call). */
  runner?: FrameRunner;
}

/** Reads frame `frame` of one side (after its alignment filters) into `out`; false past the end. */
async function readFrameAt(file: string, format: FrameFormat, filters: string[], raw: PairInput['refRaw'], frame: number, out: Uint8Array, signal?: AbortSignal): Promise<{ ok: boolean; command: string }> {
  const seek = frame > 0 ? [`trim=start_frame=${frame}`, 'setpts=PTS-STARTPTS'] : [];
  const reader = new FrameReader(file, format, { raw, filters: [...filters, ...seek], signal });
  try {
    return { ok: await reader.read(out), command: reader.command };
  } finally {
    reader.close();
  }
}

export async function frameMap(input: PairInput, metric: FrameMapMetric, params: MetricParams, frame: number, options: FrameMapOptions = {}): Promise<FrameMap> {
  if (!Number.isInteger(frame) || frame < 0) throw new IqaError('E_INPUT', `frame must be a whole number from 0, got ${frame}`);
  const plan = await planPair(input, options.policy ?? {}, options.signal);
  if (plan.expected !== null && frame >= plan.expected) {
    throw new IqaError('E_INPUT', `${input.dist}: frame ${frame} is past the end (the pair has ${plan.expected} frame${plan.expected === 1 ? '' : 's'}, numbered from 0)`, { file: input.dist });
  }
  const format = metric === 'lpips' ? rgb24Format(plan.refFormat.width, plan.refFormat.height) : plan.refFormat;
  // Shared buffers: the SSIM map's worker reads them where the decoder wrote them.
  const ref = new Uint8Array(new SharedArrayBuffer(frameBytes(format)));
  const dist = new Uint8Array(new SharedArrayBuffer(frameBytes(format)));
  const [r, d] = await Promise.all([
    readFrameAt(input.ref, format, plan.refFilters, input.refRaw, frame, ref, options.signal),
    readFrameAt(input.dist, format, plan.distFilters, input.distRaw, frame, dist, options.signal),
  ]);
  if (!r.ok || !d.ok) throw new IqaError('E_INPUT', `${r.ok ? input.dist : input.ref}: frame ${frame} is past the end`, { file: r.ok ? input.dist : input.ref });
  const decoder = `${r.command} | ${d.command}`;
  if (metric === 'ssim-y') {
    const runner = options.runner ?? createFrameRunner(1);
    let out: { value: number; width: number; height: number; map: Float32Array };
    try {
      out = await runner.map({ id: 'ssim-y-map', format, ref: ref.buffer as SharedArrayBuffer, dist: dist.buffer as SharedArrayBuffer, params, k: frame }, options.signal);
    } catch (err) {
      if ((err as Error | undefined)?.name === 'RangeError') throw new IqaError('E_UNSUPPORTED', `${input.dist} vs ${input.ref}: ${(err as Error).message}`, { file: input.dist });
      throw err;
    } finally {
      if (!options.runner) await runner.close();
    }
    return { metric, params, frame, width: out.width, height: out.height, value: out.value, map: out.map, decoder, model: null };
  }
  const model = String(params.model ?? 'lpips-alex') as LpipsModel;
  const l = await lpipsPair(ref, dist, format.width, format.height, { model, map: true, signal: options.signal });
  return {
    metric,
    params,
    frame,
    width: format.width,
    height: format.height,
    value: l.distance,
    map: l.map!,
    decoder,
    model: { modelId: l.modelId, modelSha256: l.modelSha256, provider: l.provider, comparable: manifestEntry(l.modelId).comparable },
  };
}
