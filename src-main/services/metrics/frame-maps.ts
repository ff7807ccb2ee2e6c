/**
 * One frame's quality map, for the viewer's heatmap: the Wang SSIM map of the luma (`ssim-y`, same
 * parameters and value as the metric) or the LPIPS spatial map (upstream `spatial=True`), at frame k
 * of a distorted/reference pair. The frame comes from the pair's open decoders (viewer/pair-decoder.ts:
 * the next frame is one frame's decode, a jump seeks on the input), the same frames the panes show. The
 * SSIM map is a kernel extractor (kernels/extractors/ssim-y-map.ts) run in the frame pool, the LPIPS
 * map a network in the ONNX worker: nothing heavy runs on the engine's thread.
 */
import { IqaError } from '../../common/errors';
import type { MetricParams } from '../../common/metric-registry';
import { lpipsPair, type LpipsModel } from '../models/lpips';
import { manifestEntry } from '../models/manifest';
import { PairDecoders, type ViewerTiming } from '../viewer/pair-decoder';
import type { MetricModelInfo, PairInput } from './compute-pair';
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
  /** The viewer's applied timing (skipped frames, frame rates compared frame by frame). */
  timing?: ViewerTiming;
  /** The engine's open pair decoders (without them: one opened for this call). */
  decoders?: PairDecoders;
  signal?: AbortSignal;
  /** The frame pool the SSIM map is computed in (without one: a one-thread pool for this call). */
  runner?: FrameRunner;
}

export async function frameMap(input: PairInput, metric: FrameMapMetric, params: MetricParams, frame: number, options: FrameMapOptions = {}): Promise<FrameMap> {
  if (!Number.isInteger(frame) || frame < 0) throw new IqaError('E_INPUT', `frame must be a whole number from 0, got ${frame}`);
  const own = options.decoders ? null : new PairDecoders();
  const runner = metric === 'ssim-y' ? (options.runner ?? createFrameRunner(1)) : null;
  try {
    const d = await (options.decoders ?? own!).get(input, options.timing ?? {}, options.signal);
    if (metric === 'ssim-y') {
      // In the frame pool, on the frame's shared native planes (read before the session's next request reuses them).
      const { out, decoder } = await d.use(
        frame,
        async (f) => {
          const job = { id: 'ssim-y-map' as const, format: f.native.format, ref: f.native.ref, dist: f.native.dist, params, k: frame };
          try {
            return { out: await runner!.map(job, options.signal), decoder: f.decoder };
          } catch (err) {
            if ((err as Error | undefined)?.name === 'RangeError') throw new IqaError('E_UNSUPPORTED', `${input.dist} vs ${input.ref}: ${(err as Error).message}`, { file: input.dist });
            throw err;
          }
        },
        options.signal,
      );
      return { metric, params, frame, width: out.width, height: out.height, value: out.value, map: out.map, decoder, model: null };
    }
    const model = String(params.model ?? 'lpips-alex') as LpipsModel;
    const { l, decoder, width, height } = await d.use(
      frame,
      async (f) => ({ l: await lpipsPair(f.rgb.ref, f.rgb.dist, f.rgb.width, f.rgb.height, { model, map: true, signal: options.signal }), decoder: f.decoder, width: f.rgb.width, height: f.rgb.height }),
      options.signal,
    );
    return {
      metric,
      params,
      frame,
      width,
      height,
      value: l.distance,
      map: l.map!,
      decoder,
      model: { modelId: l.modelId, modelSha256: l.modelSha256, provider: l.provider, comparable: manifestEntry(l.modelId).comparable },
    };
  } finally {
    own?.close();
    if (runner && !options.runner) await runner.close();
  }
}
