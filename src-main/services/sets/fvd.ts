/**
 * FVD (Unterthiner et al. 2018): the Fréchet distance between the I3D (Kinetics-400) logits of two sets
 * of video clips, with the original google-research protocol: one clip per video of `length` frames
 * (default 16) taken from decoded frame `start` every `stride` frames (default 0 and 1: the first 16
 * consecutive frames), every frame resized to 224×224 with TF1 legacy bilinear (stretched, no crop),
 * scaled to [-1, 1] (2x/255 − 1), and the 400-d time-averaged pre-softmax logits as the embedding. The
 * protocol is returned with the value, since FVD numbers are only comparable under the same one.
 *
 * Guardrails: clips shorter than 10 frames are refused (the protocol's clip length must be ≥ 10, and a
 * video with fewer frames than the clip needs is an E_INPUT error naming it); sets smaller than the
 * feature dimension (400) or with mixed frame rates or resolutions are warned about.
 */
import type { FvdProtocol, FvdResult } from '../../common/domain';
import { IqaError } from '../../common/errors';
import { toJsonNumber } from '../../common/json-numbers';
import type { MediaInfo } from '../../common/domain';
import { featureMatrix } from '../../kernels/features/feature-matrix';
import { manifestEntry, type ModelEntry } from '../models/manifest';
import { requireModel } from '../models/model-store';
import { probeMedia } from '../media/probe';
import { framesNeeded, readClip, type ClipSampling } from './decode';
import { extractFeatures, mapLimit } from './extract';
import { withComputePool } from '../compute/compute-pool';
import { modelWarnings, shardItems, smallSetWarning, type BootstrapRequest, type SetMetricsOptions } from './image-set-metrics';
import { FVD_RESIZE_DESCRIPTION, FvdPreprocessor, I3D_INPUT_SIZE } from '../../kernels/image/network-inputs';
import { parseSetSpec, resolveSet, type SetSpec } from './set-spec';
import { FVD_DEFAULT_CLIP_LENGTH, FVD_MIN_CLIP_LENGTH } from '../../common/contract-names';

export const DEFAULT_FVD_MODEL = 'i3d-kinetics400';
export const FVD_FEATURE_DIM = 400;
export const FVD_MAX_CLIP_LENGTH = 512;

export interface FvdRequest {
  a: string | SetSpec;
  b: string | SetSpec;
  aFilter?: Record<string, string>;
  bFilter?: Record<string, string>;
  /** Default 'i3d-kinetics400'. */
  model?: string;
  clipLength?: number;
  start?: number;
  stride?: number;
  bootstrap?: BootstrapRequest;
  cache?: boolean;
  /** Only cache the I3D features of shard `index` of `count` of the sets' videos (image-set-metrics.ts shardItems); no FVD. */
  shard?: { index: number; count: number };
}



export function checkFvdModel(id: string): ModelEntry {
  const e = manifestEntry(id);
  const input = e.inputs.find((i) => i.name === 'video');
  const ok =
    e.format === 'onnx' &&
    e.inputs.length === 1 &&
    input !== undefined &&
    input.shape.length === 5 &&
    input.shape[1] === 3 &&
    input.shape[3] === I3D_INPUT_SIZE &&
    input.shape[4] === I3D_INPUT_SIZE &&
    e.outputs.some((o) => o.name === 'logits' && o.shape[1] === FVD_FEATURE_DIM);
  if (!ok) throw new IqaError('E_INPUT', `model ${id} is not an I3D network for FVD (it needs input video [N,3,T,224,224] and output logits [N,400]); use i3d-kinetics400 or i3d-arch`);
  return e;
}

function checkSampling(req: FvdRequest): ClipSampling {
  const length = req.clipLength ?? FVD_DEFAULT_CLIP_LENGTH;
  const start = req.start ?? 0;
  const stride = req.stride ?? 1;
  if (!Number.isInteger(length) || length < FVD_MIN_CLIP_LENGTH || length > FVD_MAX_CLIP_LENGTH) {
    throw new IqaError('E_INPUT', `FVD clip length must be a whole number of frames from ${FVD_MIN_CLIP_LENGTH} to ${FVD_MAX_CLIP_LENGTH} (the usual protocol is ${FVD_DEFAULT_CLIP_LENGTH}), got ${length}`);
  }
  if (!Number.isInteger(start) || start < 0) throw new IqaError('E_INPUT', `FVD clip start must be a frame index ≥ 0, got ${start}`);
  if (!Number.isInteger(stride) || stride < 1) throw new IqaError('E_INPUT', `FVD frame stride must be a whole number ≥ 1, got ${stride}`);
  return { length, start, stride };
}

const fpsKey = (fps: number | null) => (fps === null ? null : Math.round(fps * 1000) / 1000);

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)].sort();
}

export async function computeFvd(req: FvdRequest, opts: SetMetricsOptions = {}): Promise<FvdResult> {
  const t0 = performance.now();
  const sampling = checkSampling(req);
  const modelId = req.model ?? DEFAULT_FVD_MODEL;
  const entry = checkFvdModel(modelId);
  const specA = typeof req.a === 'string' ? parseSetSpec(req.a, req.aFilter ?? {}, 'set A') : req.a;
  const specB = typeof req.b === 'string' ? parseSetSpec(req.b, req.bFilter ?? {}, 'set B') : req.b;
  const setA = resolveSet(specA, 'video', 'A', opts);
  const setB = resolveSet(specB, 'video', 'B', opts);
  const model = await requireModel(modelId, opts.modelDir ? { dir: opts.modelDir } : {});
  const needed = framesNeeded(sampling);

  // Probe every video: frame counts (fail before any inference), frame rates and sizes (guardrails).
  const infos = new Map<string, MediaInfo>();
  const all = [...setA.items, ...setB.items];
  await mapLimit(all, 4, async (item) => {
    if (opts.signal?.aborted) throw new IqaError('E_CANCELLED', 'FVD cancelled');
    const info = await probeMedia(item.file, { signal: opts.signal });
    if (info.kind !== 'video') throw new IqaError('E_INPUT', `${item.file}: not a video`, { file: item.file });
    if (info.frameCount !== null && info.frameCount < needed) {
      throw new IqaError('E_INPUT', `${item.file}: ${info.frameCount} frame${info.frameCount === 1 ? '' : 's'}, the FVD protocol needs ${needed} (clip of ${sampling.length} frames, start ${sampling.start}, stride ${sampling.stride}; clips shorter than ${FVD_MIN_CLIP_LENGTH} frames are never used)`, {
        file: item.file,
        details: { frames: info.frameCount, needed },
      });
    }
    infos.set(item.file, info);
  });

  const warnings: string[] = [...modelWarnings(entry, model.verified, 'FVD'), ...setA.notes, ...setB.notes];
  const videos = {
    a: {
      fps: distinct(setA.items.map((i) => fpsKey(infos.get(i.file)!.fps)).filter((v): v is number => v !== null)),
      resolutions: distinct(setA.items.map((i) => `${infos.get(i.file)!.width}x${infos.get(i.file)!.height}`)),
    },
    b: {
      fps: distinct(setB.items.map((i) => fpsKey(infos.get(i.file)!.fps)).filter((v): v is number => v !== null)),
      resolutions: distinct(setB.items.map((i) => `${infos.get(i.file)!.width}x${infos.get(i.file)!.height}`)),
    },
  };
  const allFps = distinct([...videos.a.fps, ...videos.b.fps]);
  if (allFps.length > 1) {
    warnings.push(`frame rates differ (A: ${videos.a.fps.join(', ') || '?'} fps; B: ${videos.b.fps.join(', ') || '?'} fps): a ${sampling.length}-frame clip then covers different durations, and FVD mixes that with quality`);
  }
  const allRes = distinct([...videos.a.resolutions, ...videos.b.resolutions]);
  if (allRes.length > 1) {
    warnings.push(`resolutions differ (A: ${videos.a.resolutions.join(', ')}; B: ${videos.b.resolutions.join(', ')}): every frame is stretched to ${I3D_INPUT_SIZE}x${I3D_INPUT_SIZE}, so differences in size and aspect ratio enter FVD`);
  }
  for (const [label, set] of [['A', setA], ['B', setB]] as const) {
    if (set.items.length < 2) throw new IqaError('E_INPUT', `set ${label} (${set.description}) has ${set.items.length} video; FVD needs at least 2`);
    const w = smallSetWarning(label, set.items.length, FVD_FEATURE_DIM, 'videos', 'FVD');
    if (w) warnings.push(w);
  }

  const pre = new FvdPreprocessor(sampling.length);
  const useCache = req.cache !== false;
  const variant = `tf-fvd-${sampling.length}f-start${sampling.start}-stride${sampling.stride}`;
  if (req.shard && (!useCache || req.bootstrap)) {
    throw new IqaError('E_INPUT', 'a shard only fills the feature cache: --shard does not go with --no-cache or --bootstrap (give those to the run that computes FVD)');
  }
  // A shard extracts its share of the videos (each file once, the same split on every machine) into the cache.
  const sets = req.shard ? shardItems([setA, setB], req.shard.index, req.shard.count) : [setA, setB];
  if (req.shard && sets.every((s) => s.items.length === 0)) {
    throw new IqaError('E_INPUT', `shard ${req.shard.index} of ${req.shard.count} has no video: the two sets hold ${new Set([...setA.items, ...setB.items].map((i) => i.file)).size} distinct videos; use fewer shards`);
  }
  const ex = await extractFeatures(
    sets.filter((s) => s.items.length > 0),
    {
      modelId,
      input: 'video',
      itemDims: [3, sampling.length, I3D_INPUT_SIZE, I3D_INPUT_SIZE],
      outputs: [{ name: 'logits', dim: FVD_FEATURE_DIM, suffix: '' }],
      variant,
      fill: (item, batch, slot, signal) => readClip(item.file, infos.get(item.file)!, sampling, (frame, t) => void pre.frameToSlot(frame, batch, slot, t), signal),
    },
    { ...opts, model, cache: useCache, decodeConcurrency: opts.decodeConcurrency ?? 2 },
  );
  warnings.push(...ex.warnings);
  const protocol = fvdProtocol(sampling, needed, modelId);
  const sharedFields = {
    feature_dim: FVD_FEATURE_DIM,
    model: modelId,
    model_sha256: model.sha256,
    model_verified: model.verified,
    comparable: entry.comparable,
    provider: ex.provider,
    protocol,
    videos,
    warnings,
    cache: { enabled: useCache, hits: ex.stats.hits, misses: ex.stats.misses, corrupt: ex.stats.corrupt, computed: ex.stats.computed },
    batch_size: ex.batchSize,
  };
  if (req.shard) {
    const [a, b] = [sets[0]!.items.length, sets[1]!.items.length];
    return {
      ...sharedFields,
      n_a: a,
      n_b: b,
      sets: { a: { source: setA.description, count: a, cache_dir: setA.cacheDir }, b: { source: setB.description, count: b, cache_dir: setB.cacheDir } },
      timing_ms: { total: performance.now() - t0, features: ex.timing.totalMs, decode: ex.timing.decodeMs, inference: ex.timing.inferenceMs, session: ex.timing.sessionMs, statistics: 0 },
      clips_per_s: ex.stats.computed > 0 ? ex.stats.computed / ((ex.timing.totalMs - ex.timing.hashMs) / 1000) : null,
      shard: { index: req.shard.index, count: req.shard.count, videos: a + b },
    };
  }
  const tStats = performance.now();
  const fa = featureMatrix(ex.sets[0]!.features.logits!, ex.sets[0]!.n, FVD_FEATURE_DIM);
  const fb = featureMatrix(ex.sets[1]!.features.logits!, ex.sets[1]!.n, FVD_FEATURE_DIM);
  const nA = fa.rows;
  const nB = fb.rows;
  // In the compute worker, which takes the feature buffers (fa and fb are unusable afterwards).
  const stats = await withComputePool(opts.compute, (pool) => pool.setStatistics({ a: fa, b: fb, frechet: req.bootstrap ? { bootstrap: req.bootstrap } : {} }, opts.signal));
  const fvd = stats.frechet!;
  const ci = stats.frechetCi;
  const statsMs = performance.now() - tStats;
  const featuresMs = ex.timing.totalMs;
  return {
    ...sharedFields,
    fvd: toJsonNumber(fvd),
    ...(ci ? { fvd_ci: ci } : {}),
    n_a: nA,
    n_b: nB,
    sets: {
      a: { source: setA.description, count: nA, cache_dir: useCache ? setA.cacheDir : null },
      b: { source: setB.description, count: nB, cache_dir: useCache ? setB.cacheDir : null },
    },
    timing_ms: { total: performance.now() - t0, features: featuresMs, decode: ex.timing.decodeMs, inference: ex.timing.inferenceMs, session: ex.timing.sessionMs, statistics: statsMs },
    clips_per_s: ex.stats.computed > 0 ? ex.stats.computed / ((featuresMs - ex.timing.hashMs) / 1000) : null,
  };
}

function fvdProtocol(sampling: ClipSampling, needed: number, modelId: string): FvdProtocol {
  return {
    clip_length: sampling.length,
    start: sampling.start,
    stride: sampling.stride,
    frames_needed: needed,
    frame_sampling:
      sampling.stride === 1
        ? `${sampling.length} consecutive decoded frames from frame ${sampling.start}`
        : `${sampling.length} frames, every ${sampling.stride}th decoded frame from frame ${sampling.start}`,
    clips_per_video: 1,
    size: [I3D_INPUT_SIZE, I3D_INPUT_SIZE],
    resize: FVD_RESIZE_DESCRIPTION,
    feature: 'logits: 400-d pre-softmax, averaged over time',
    model: modelId,
    decoder: 'ffmpeg, rgb24 (every decoded frame, no frame-rate conversion)',
    reference: 'google-research frechet_video_distance (TF-Hub i3d-kinetics-400/1, TF1 bilinear resize)',
  };
}
