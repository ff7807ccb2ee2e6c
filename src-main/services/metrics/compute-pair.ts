/**
 * Metrics of one distorted image or video, against its reference or on its own: the one path the
 * CLI, the project run and the engine call. Each requested metric is an extractor (extractors/); the
 * extractor says whether it needs the reference, so the full-/no-reference split is decided here and
 * nowhere else. A pair is checked to be comparable (size, frames, fps, bit depth, colour layout)
 * unless a policy says how to align it, then decoded once per side (decode-loop.ts) for every
 * extractor; per-frame values are pooled here (kernels/metrics/pooling.ts), the store only stores.
 */
import { basename } from 'node:path';
import { IqaError } from '../../common/errors';
import type { MediaInfo, RawVideoGeometry } from '../../common/domain';
import { describeFormat, frameBytes, type FrameFormat } from '../../common/frame-format';
import { metricById, type MetricParams, type Pooling, type Scaler } from '../../common/metric-registry';
import type { MetricSummary } from '../../common/metric-summary';
import { poolValues } from '../../kernels/metrics/pooling';
import { decodeFormatFor } from '../media/decode-format';
import { probeMedia } from '../media/probe';
import { runDecodeLoop, type DecodePlan, type LoopResult } from './decode-loop';
import { needsReference, planExtractors, type PlannedExtractor } from './extractors';
import { createFrameRunner, type FrameRunner } from './frame-pool';

export { SCALER_NAMES as SCALERS, type Scaler } from '../../common/metric-registry';

/** How to align a pair that does not match; without one, a mismatch is an E_MISMATCH error. */
export interface AlignPolicy {
  /** Scale the distorted to the reference size with this ffmpeg scaler. */
  scale?: Scaler;
  /** Compare only the frames both have (the shorter length). */
  truncate?: boolean;
  /** Frames to drop at the start of the reference / the distorted (to align them). */
  skipRef?: number;
  skipDist?: number;
  /** Compare videos whose frame rates differ, frame by frame. */
  ignoreFps?: boolean;
}

export interface ResolvedMetric {
  id: string;
  params: MetricParams;
}

export interface PairInput {
  ref: string;
  dist: string;
  refInfo?: MediaInfo;
  distInfo?: MediaInfo;
  refRaw?: RawVideoGeometry;
  distRaw?: RawVideoGeometry;
}

export interface MetricModelInfo {
  modelId: string;
  modelSha256: string;
  provider: string;
  /** false for the random-weight *-arch graphs: their numbers are for pipeline tests only. */
  comparable: boolean;
}

export interface PairResult {
  frames: number;
  format: FrameFormat;
  /** perFrame[m][k]: metric m on frame k. */
  perFrame: Float64Array[];
  /** pooled[m]: metric m pooled over frames with `pooling`. */
  pooled: number[];
  pooling: Pooling;
  decoder: string;
  /** Per metric: the model it ran (null for kernel metrics). */
  models: (MetricModelInfo | null)[];
  /** Per metric: what it reports beside its number (IQA-CNN++'s distortion distribution), or null. */
  summaries: (MetricSummary | null)[];
  /**
   * Per metric: why it could not run (a model that is missing, has the wrong hash or cannot load), or
   * null. A failed metric has no frames and a NaN pooled value; the other metrics are computed as usual.
   */
  errors: (IqaError | null)[];
  elapsedMs: number;
}

export interface ComputeOptions {
  metrics: readonly ResolvedMetric[];
  runner: FrameRunner;
  policy?: AlignPolicy;
  pooling?: Pooling;
  /**
   * Compute from a damaged file's concealed frames instead of refusing it (E_MEDIA); the decoder
   * provenance then says so, with the number of decoder errors.
   */
  acceptDecodeErrors?: boolean;
  signal?: AbortSignal;
  onFrame?: (done: number, total: number | null) => void;
}

/** No option converts a pixel format: the files themselves must be made alike. */
const CONVERT_HINT = 'no option aligns this: convert one file to the other\'s pixel format, e.g. ffmpeg -i in.mp4 -pix_fmt yuv420p out.mp4, and import it again';

const article = (kind: string) => (kind === 'image' ? 'an image' : `a ${kind}`);

function mismatch(input: PairInput, what: string, hint: string): IqaError {
  return new IqaError('E_MISMATCH', `${input.dist} vs reference ${input.ref}: ${what}${hint ? ` (${hint})` : ''}`, {
    file: input.dist,
    details: { ref: input.ref, dist: input.dist },
  });
}

function plannedFrames(info: MediaInfo, skip: number): number | null {
  return info.frameCount === null ? null : Math.max(0, info.frameCount - skip);
}

export interface PairPlan {
  refInfo: MediaInfo;
  distInfo: MediaInfo;
  refFormat: FrameFormat;
  refFilters: string[];
  distFilters: string[];
  /** Frames both sides should yield (null when a container does not say). */
  expected: number | null;
}

/** Checks a pair is comparable (or how the policy aligns it) before anything is decoded. */
export async function planPair(input: PairInput, policy: AlignPolicy, signal?: AbortSignal): Promise<PairPlan> {
  const [refInfo, distInfo] = await Promise.all([
    input.refInfo ?? probeMedia(input.ref, { raw: input.refRaw, signal }),
    input.distInfo ?? probeMedia(input.dist, { raw: input.distRaw, signal }),
  ]);
  // Checked before the formats: an image against a video is a pairing mistake, not a colour question.
  if (refInfo.kind !== distInfo.kind) {
    throw mismatch(
      input,
      `${basename(input.dist)} is ${article(distInfo.kind)} and its reference ${basename(input.ref)} ${article(refInfo.kind)}`,
      'a full-reference metric compares an image with an image and a video with a video: pair it with a reference of its kind (re-import with a ref/ folder or --pattern), or use a no-reference metric',
    );
  }
  const refFormat = decodeFormatFor(refInfo, input.ref);
  const distNative = decodeFormatFor(distInfo, input.dist);
  if (refFormat.layout !== distNative.layout || refFormat.bitDepth !== distNative.bitDepth) {
    throw mismatch(input, `colour layout or bit depth differs: reference ${describeFormat(refFormat)}, distorted ${describeFormat(distNative)}`, CONVERT_HINT);
  }
  const distFilters: string[] = [];
  const refFilters: string[] = [];
  if (refFormat.width !== distNative.width || refFormat.height !== distNative.height) {
    if (!policy.scale) {
      throw mismatch(input, `sizes differ: reference ${refFormat.width}x${refFormat.height}, distorted ${distNative.width}x${distNative.height}`, 'scale the distorted to the reference: --scale bicubic (or lanczos, bilinear...), or a scaler in the compute dialog');
    }
    distFilters.push(`scale=${refFormat.width}:${refFormat.height}:flags=${policy.scale}`);
  }
  if (refFormat.chromaShiftX !== distNative.chromaShiftX || refFormat.chromaShiftY !== distNative.chromaShiftY) {
    throw mismatch(input, `chroma subsampling differs: reference ${refFormat.pixFmt}, distorted ${distNative.pixFmt}`, CONVERT_HINT);
  }
  const skipRef = policy.skipRef ?? 0;
  const skipDist = policy.skipDist ?? 0;
  if (skipRef > 0) refFilters.push(`trim=start_frame=${skipRef}`, 'setpts=PTS-STARTPTS');
  if (skipDist > 0) distFilters.push(`trim=start_frame=${skipDist}`, 'setpts=PTS-STARTPTS');
  if (refInfo.fps && distInfo.fps && Math.abs(refInfo.fps - distInfo.fps) > 1e-3 * refInfo.fps && !policy.ignoreFps) {
    throw mismatch(input, `frame rates differ: reference ${+refInfo.fps.toFixed(3)} fps, distorted ${+distInfo.fps.toFixed(3)} fps`, 'compare them frame by frame anyway: --ignore-fps, or "Ignore a frame-rate mismatch" in the compute dialog');
  }
  const refFrames = plannedFrames(refInfo, skipRef);
  const distFrames = plannedFrames(distInfo, skipDist);
  if (refFrames !== null && distFrames !== null && refFrames !== distFrames && !policy.truncate) {
    throw mismatch(input, `frame counts differ: reference ${refFrames}, distorted ${distFrames}`, 'truncate to the shorter: --truncate; or skip frames to align them: --skip-ref N / --skip-dist N (the same in the compute dialog)');
  }
  const expected = refFrames !== null && distFrames !== null ? Math.min(refFrames, distFrames) : (refFrames ?? distFrames);
  return { refInfo, distInfo, refFormat, refFilters, distFilters, expected };
}

/** The pooled value of each metric (NaN for one that could not run), by its registry direction. */
export function poolAll(perFrame: readonly Float64Array[], metrics: readonly ResolvedMetric[], pooling: Pooling, errors: readonly (IqaError | null)[] = []): number[] {
  return perFrame.map((v, i) => (errors[i] ? NaN : poolMetric(v, metrics[i]!.id, pooling)));
}

/** One metric's per-frame values pooled (the compute side's one pooling; the store only stores). */
export function poolMetric(values: ArrayLike<number>, metricId: string, pooling: Pooling): number {
  const d = metricById(metricId);
  const shift = d?.harmonicShift;
  if (pooling === 'harmonic' && shift !== undefined) return poolValues(Array.from(values, (v) => v + shift), 'harmonic') - shift;
  return poolValues(values, pooling, d?.higherIsBetter ?? true);
}

export interface MetricsInput {
  dist: string;
  distInfo?: MediaInfo;
  distRaw?: RawVideoGeometry;
  /** Needed when a requested metric needs a reference; ignored otherwise. */
  ref?: string;
  refInfo?: MediaInfo;
  refRaw?: RawVideoGeometry;
}

export { needsReference } from './extractors';

/**
 * Every requested metric of one distorted stimulus, frame by frame. Metrics that need a reference are
 * computed against `input.ref` (E_INPUT without one); the others on the distorted, from the same
 * decoded frames when the alignment leaves the distorted as it is, else from a decode of the file
 * alone (their numbers never depend on the reference or on a scaler).
 */
export async function computeMetrics(input: MetricsInput, options: ComputeOptions): Promise<PairResult> {
  const started = Date.now();
  const policy = options.policy ?? {};
  const needRef = options.metrics.filter((m) => needsReference(m.id));
  if (needRef.length && !input.ref) {
    throw new IqaError('E_INPUT', `${needRef.map((m) => m.id).join(', ')} need${needRef.length === 1 ? 's' : ''} a reference: ${needRef.length === 1 ? 'it is' : 'they are'} not a no-reference metric${needRef.length === 1 ? '' : 's'}`);
  }
  // Models are resolved before decoding: a metric whose model is unusable is reported, the others run.
  const { planned, errors } = await planExtractors(options.metrics);
  if (planned.length === 0) throw errors.find((e) => e !== null)!;
  const withRef = planned.filter((p) => p.needsReference);
  let jobs: { plan: DecodePlan; planned: PlannedExtractor[] }[];
  let format: FrameFormat;
  if (withRef.length === 0) {
    const plan = await singlePlan(input, options.signal);
    jobs = [{ plan, planned }];
    format = plan.source;
  } else {
    const pp = await planPair(input as PairInput, policy, options.signal);
    const pairPlan: DecodePlan = {
      ref: { file: input.ref!, info: pp.refInfo, raw: input.refRaw, filters: pp.refFilters, skipped: policy.skipRef ?? 0 },
      dist: { file: input.dist, info: pp.distInfo, raw: input.distRaw, filters: pp.distFilters, skipped: policy.skipDist ?? 0 },
      source: pp.refFormat,
      expected: pp.expected,
      truncate: policy.truncate ?? false,
    };
    format = pp.refFormat;
    // No-reference metrics share the pair's decode when the alignment leaves the distorted unchanged.
    const alone = planned.filter((p) => !p.needsReference);
    if (alone.length && (pp.distFilters.length > 0 || policy.truncate)) {
      jobs = [{ plan: pairPlan, planned: withRef }, { plan: await singlePlan({ ...input, distInfo: pp.distInfo }, options.signal), planned: alone }];
    } else {
      jobs = [{ plan: pairPlan, planned }];
    }
  }
  const results: LoopResult[] = [];
  for (const job of jobs) {
    try {
      results.push(await runDecodeLoop(job.plan, job.planned, options));
    } catch (err) {
      throw job.plan.ref ? wrapKernelError(err, input.dist, input.ref!) : wrapSingleError(err, input.dist);
    }
  }
  const frames = results[0]!.frames;
  if (results.some((r) => r.frames !== frames)) throw new IqaError('E_MISMATCH', `${input.dist}: ${results[1]!.frames} frames decoded alone, ${frames} against the reference`);
  if (frames <= 0) {
    const file = jobs[0]!.plan.ref?.file ?? input.dist;
    throw new IqaError('E_MEDIA', `${file}: no frames decoded`, { file });
  }
  const perFrame: Float64Array[] = options.metrics.map(() => new Float64Array(0));
  const models = options.metrics.map(() => null as MetricModelInfo | null);
  const summaries = options.metrics.map(() => null as MetricSummary | null);
  jobs.forEach((job, j) =>
    job.planned.forEach((p, k) => {
      perFrame[p.index] = results[j]!.perFrame[k]!;
      if (p.model) models[p.index] = { ...p.model, provider: results[j]!.providers[k]! };
      summaries[p.index] = results[j]!.summaries[k] ?? null;
    }),
  );
  const pooling = options.pooling ?? 'mean';
  return {
    frames,
    format: jobs.length === 1 && !jobs[0]!.plan.ref ? results[0]!.format : format,
    perFrame,
    pooled: poolAll(perFrame, options.metrics, pooling, errors),
    pooling,
    decoder: results.map((r) => r.decoder).join(' ; '),
    models,
    summaries,
    errors,
    elapsedMs: Date.now() - started,
  };
}

/** One file decoded alone, as it is (no alignment). */
async function singlePlan(input: MetricsInput, signal?: AbortSignal): Promise<DecodePlan> {
  const info = input.distInfo ?? (await probeMedia(input.dist, { raw: input.distRaw, signal }));
  return {
    ref: null,
    dist: { file: input.dist, info, raw: input.distRaw, filters: [], skipped: 0 },
    source: { ...decodeFormatFor(info, input.dist), width: info.width, height: info.height },
    expected: info.frameCount,
    truncate: false,
  };
}

/** Metrics of a distorted/reference pair (every metric gets the pair; no-reference ones use the distorted). */
export function computePair(input: PairInput, options: ComputeOptions): Promise<PairResult> {
  return computeMetrics(input, options);
}

export interface SingleInput {
  file: string;
  info?: MediaInfo;
  raw?: RawVideoGeometry;
}

/** No-reference metrics of one image or video (without a runner: a frame pool for this call). */
export async function computeNoReference(input: SingleInput, options: Omit<ComputeOptions, 'policy' | 'runner'> & { runner?: FrameRunner }): Promise<PairResult> {
  const runner = options.runner ?? createFrameRunner();
  try {
    return await computeMetrics({ dist: input.file, distInfo: input.info, distRaw: input.raw }, { ...options, runner });
  } finally {
    if (!options.runner) await runner.close();
  }
}

function wrapSingleError(err: unknown, file: string): unknown {
  if (err instanceof IqaError) return err;
  const name = (err as Error | undefined)?.name;
  if (name === 'RangeError' || name === 'TypeError') return new IqaError('E_UNSUPPORTED', `${file}: ${(err as Error).message}`, { file, cause: err });
  if (name === 'AbortError') return new IqaError('E_CANCELLED', 'cancelled');
  return err;
}

/** Kernel range errors (too small for the window, unsupported combination) become typed errors naming the pair. */
function wrapKernelError(err: unknown, dist: string, ref: string): unknown {
  if (err instanceof IqaError) return err;
  const name = (err as Error | undefined)?.name;
  if (err instanceof RangeError || err instanceof TypeError || name === 'RangeError' || name === 'TypeError') {
    return new IqaError('E_UNSUPPORTED', `${dist} vs reference ${ref}: ${(err as Error).message}`, { file: dist, cause: err });
  }
  if (name === 'AbortError') return new IqaError('E_CANCELLED', 'cancelled');
  return err;
}
