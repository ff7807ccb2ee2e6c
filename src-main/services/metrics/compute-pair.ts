/**
 * Full-reference metrics of one distorted/reference pair, image or video: decode both with ffmpeg
 * (streaming), check they are comparable (size, frames, fps, bit depth, colour layout) unless a
 * policy says how to align them, compute every frame in the worker pool, keep per-frame values and
 * pool them. Memory: a fixed ring of frame slots, whatever the video's length.
 */
import { IqaError, toIqaError } from '../../common/errors';
import type { MediaInfo, RawVideoGeometry } from '../../common/domain';
import { describeFormat, frameBytes, type FrameFormat } from '../../common/frame-format';
import { metricById, type MetricParams, type Pooling, type Scaler } from '../../common/metric-registry';
import { createRgbEvaluator, rgbFormat, type RgbEvaluator } from './rgb-metrics';
import { manifestEntry } from '../models/manifest';
import { poolValues } from '../../kernels/metrics/pooling';
import { decodeFormatFor } from '../media/decode-format';
import { FrameReader } from '../media/frame-reader';
import { probeMedia } from '../media/probe';
import type { FrameRunner } from './frame-pool';

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
  const refFormat = decodeFormatFor(refInfo, input.ref);
  const distNative = decodeFormatFor(distInfo, input.dist);
  if (refFormat.layout !== distNative.layout || refFormat.bitDepth !== distNative.bitDepth) {
    throw mismatch(input, `colour layout or bit depth differs: reference ${describeFormat(refFormat)}, distorted ${describeFormat(distNative)}`, '');
  }
  const distFilters: string[] = [];
  const refFilters: string[] = [];
  if (refFormat.width !== distNative.width || refFormat.height !== distNative.height) {
    if (!policy.scale) {
      throw mismatch(input, `sizes differ: reference ${refFormat.width}x${refFormat.height}, distorted ${distNative.width}x${distNative.height}`, 'choose a scaler to scale the distorted to the reference');
    }
    distFilters.push(`scale=${refFormat.width}:${refFormat.height}:flags=${policy.scale}`);
  }
  if (refFormat.chromaShiftX !== distNative.chromaShiftX || refFormat.chromaShiftY !== distNative.chromaShiftY) {
    throw mismatch(input, `chroma subsampling differs: reference ${refFormat.pixFmt}, distorted ${distNative.pixFmt}`, '');
  }
  const skipRef = policy.skipRef ?? 0;
  const skipDist = policy.skipDist ?? 0;
  if (skipRef > 0) refFilters.push(`trim=start_frame=${skipRef}`, 'setpts=PTS-STARTPTS');
  if (skipDist > 0) distFilters.push(`trim=start_frame=${skipDist}`, 'setpts=PTS-STARTPTS');
  if (refInfo.fps && distInfo.fps && Math.abs(refInfo.fps - distInfo.fps) > 1e-3 * refInfo.fps && !policy.ignoreFps) {
    throw mismatch(input, `frame rates differ: reference ${+refInfo.fps.toFixed(3)} fps, distorted ${+distInfo.fps.toFixed(3)} fps`, 'allow it to compare frame by frame');
  }
  const refFrames = plannedFrames(refInfo, skipRef);
  const distFrames = plannedFrames(distInfo, skipDist);
  if (refFrames !== null && distFrames !== null && refFrames !== distFrames && !policy.truncate) {
    throw mismatch(input, `frame counts differ: reference ${refFrames}, distorted ${distFrames}`, 'truncate to the shorter, or skip frames to align');
  }
  const expected = refFrames !== null && distFrames !== null ? Math.min(refFrames, distFrames) : (refFrames ?? distFrames);
  return { refInfo, distInfo, refFormat, refFilters, distFilters, expected };
}

/** Per-frame values of several metrics, growing when a container under-reported its frames. */
class FrameTable {
  perFrame: Float64Array[];
  constructor(metrics: number, expected: number | null) {
    this.perFrame = Array.from({ length: metrics }, () => new Float64Array(Math.max(1, expected ?? 64)));
  }
  set(frame: number, m: number, v: number): void {
    if (frame >= this.perFrame[m]!.length) {
      this.perFrame = this.perFrame.map((a) => {
        const b = new Float64Array(Math.max(a.length * 2, frame + 1));
        b.set(a);
        return b;
      });
    }
    this.perFrame[m]![frame] = v;
  }
  slice(frames: number): Float64Array[] {
    return this.perFrame.map((a) => a.slice(0, frames));
  }
}

interface PassResult {
  frames: number;
  perFrame: Float64Array[];
  decoder: string;
}

export async function computePair(input: PairInput, options: ComputeOptions): Promise<PairResult> {
  const started = Date.now();
  const policy = options.policy ?? {};
  const plan = await planPair(input, policy, options.signal);
  const kernelIdx: number[] = [];
  const wantedRgb: number[] = [];
  options.metrics.forEach((m, i) => (metricById(m.id)?.backend === 'rgb' ? wantedRgb : kernelIdx).push(i));
  // Models are resolved before decoding: a metric whose model is unusable is reported, the others run.
  const { evaluators, indices: rgbIdx, errors } = await createEvaluators(options.metrics, wantedRgb);
  if (kernelIdx.length === 0 && rgbIdx.length === 0) throw errors.find((e) => e !== null)!;
  const perFrame: Float64Array[] = options.metrics.map(() => new Float64Array(0));
  const decoders: string[] = [];
  let frames = -1;
  const note = (pass: PassResult, idx: number[]) => {
    if (frames >= 0 && pass.frames !== frames) throw mismatch(input, `the two decodes gave ${frames} and ${pass.frames} frames`, '');
    frames = pass.frames;
    idx.forEach((i, k) => (perFrame[i] = pass.perFrame[k]!));
    decoders.push(pass.decoder);
  };
  try {
    if (kernelIdx.length) note(await kernelPass(input, plan, kernelIdx.map((i) => options.metrics[i]!), options), kernelIdx);
    if (rgbIdx.length) note(await rgbPass(input, plan, evaluators, options), rgbIdx);
  } catch (err) {
    throw wrapKernelError(err, input);
  }
  if (frames <= 0) throw new IqaError('E_MEDIA', `${input.ref}: no frames decoded`, { file: input.ref });
  const pooling = options.pooling ?? 'mean';
  const models = options.metrics.map(() => null as MetricModelInfo | null);
  rgbIdx.forEach((i, k) => (models[i] = modelInfo(evaluators[k]!)));
  return {
    frames,
    format: plan.refFormat,
    perFrame,
    pooled: perFrame.map((v, i) => (errors[i] ? NaN : poolValues(v, pooling, metricById(options.metrics[i]!.id)?.higherIsBetter ?? true))),
    pooling,
    decoder: decoders.join(' ; '),
    models,
    errors,
    elapsedMs: Date.now() - started,
  };
}

function modelInfo(e: RgbEvaluator): MetricModelInfo {
  return { modelId: e.modelId, modelSha256: e.modelSha256, provider: e.provider, comparable: manifestEntry(e.modelId).comparable };
}

/** The evaluators of metrics `wanted` (indices into `metrics`); a metric whose model fails gets its error instead. */
async function createEvaluators(metrics: readonly ResolvedMetric[], wanted: readonly number[]): Promise<{ evaluators: RgbEvaluator[]; indices: number[]; errors: (IqaError | null)[] }> {
  const settled = await Promise.allSettled(wanted.map((i) => createRgbEvaluator(metrics[i]!)));
  const errors = metrics.map(() => null as IqaError | null);
  const evaluators: RgbEvaluator[] = [];
  const indices: number[] = [];
  settled.forEach((r, k) => {
    const i = wanted[k]!;
    if (r.status === 'fulfilled') {
      evaluators.push(r.value);
      indices.push(i);
    } else {
      const e = toIqaError(r.reason);
      errors[i] = new IqaError(e.code, `${metrics[i]!.id}: ${e.message}`, { file: e.file, details: e.details });
    }
  });
  return { evaluators, indices, errors };
}

/** The frame-kernel metrics: decoded planes in SharedArrayBuffer slots, computed in the pool. */
async function kernelPass(input: PairInput, plan: PairPlan, metrics: readonly ResolvedMetric[], options: ComputeOptions): Promise<PassResult> {
  const policy = options.policy ?? {};
  const { refFormat, expected } = plan;
  const { ref: refReader, dist: distReader } = openReaders(input, plan, refFormat, { ...refFormat }, options);
  const runner = options.runner;
  const slotCount = Math.max(2, 2 * runner.threads);
  const size = frameBytes(refFormat);
  const slots = Array.from({ length: slotCount }, () => ({ ref: new SharedArrayBuffer(size), dist: new SharedArrayBuffer(size), busy: null as Promise<void> | null }));
  const requests = metrics.map((m) => ({ id: m.id, params: m.params }));
  const table = new FrameTable(metrics.length, expected);
  let frames = 0;
  let failure: unknown = null;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new IqaError('E_CANCELLED', 'cancelled');
      const slot = slots[frames % slotCount]!;
      if (slot.busy) await slot.busy;
      if (failure) throw failure;
      const [hasRef, hasDist] = await Promise.all([refReader.read(new Uint8Array(slot.ref)), distReader.read(new Uint8Array(slot.dist))]);
      if (!hasRef || !hasDist) {
        checkDecodedAll(input, plan, policy, hasRef, hasDist, frames);
        if (hasRef !== hasDist && !policy.truncate) throw endsEarly(input, hasRef, frames);
        break;
      }
      const index = frames;
      slot.busy = runner
        .run({ format: refFormat, ref: slot.ref, dist: slot.dist, requests }, options.signal)
        .then((values) => {
          for (let m = 0; m < values.length; m++) table.set(index, m, values[m]!);
          options.onFrame?.(index + 1, expected);
        })
        .catch((err: unknown) => {
          failure ??= err;
        });
      frames += 1;
    }
    await Promise.all(slots.map((s) => s.busy));
    if (failure) throw failure;
    await endReaders(refReader, distReader, policy);
  } catch (err) {
    // The frames still in the pool must come back before the error leaves: the caller may close the
    // pool next, and piscina throws an uncaught "Unexpected message from Worker" when a worker answers
    // after it was destroyed. The slots never reject (their errors go to `failure`).
    await Promise.all(slots.map((s) => s.busy));
    throw err;
  } finally {
    refReader.close();
    distReader.close();
  }
  return { frames, perFrame: table.slice(frames), decoder: `${refReader.provenance} | ${distReader.provenance}` };
}

/** Metrics on 8-bit RGB frames (neural networks, NR kernels with parameter files), frame by frame. */
async function rgbPass(input: PairInput, plan: PairPlan, evaluators: readonly RgbEvaluator[], options: ComputeOptions): Promise<PassResult> {
  const policy = options.policy ?? {};
  const { width, height } = plan.refFormat;
  const format = rgbFormat(width, height);
  const { ref: refReader, dist: distReader } = openReaders(input, plan, format, format, options);
  const ref = new Uint8Array(frameBytes(format));
  const dist = new Uint8Array(frameBytes(format));
  const table = new FrameTable(evaluators.length, plan.expected);
  let frames = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new IqaError('E_CANCELLED', 'cancelled');
      const [hasRef, hasDist] = await Promise.all([refReader.read(ref), distReader.read(dist)]);
      if (!hasRef || !hasDist) {
        checkDecodedAll(input, plan, policy, hasRef, hasDist, frames);
        if (hasRef !== hasDist && !policy.truncate) throw endsEarly(input, hasRef, frames);
        break;
      }
      for (let m = 0; m < evaluators.length; m++) table.set(frames, m, await evaluators[m]!.evaluate(ref, dist, width, height, options.signal));
      frames += 1;
      options.onFrame?.(frames, plan.expected);
    }
    await endReaders(refReader, distReader, policy);
  } finally {
    refReader.close();
    distReader.close();
  }
  return { frames, perFrame: table.slice(frames), decoder: `${refReader.provenance} | ${distReader.provenance}` };
}

function openReaders(input: PairInput, plan: PairPlan, refFormat: FrameFormat, distFormat: FrameFormat, options: ComputeOptions): { ref: FrameReader; dist: FrameReader } {
  const policy = options.policy ?? {};
  const common = { signal: options.signal, acceptDecodeErrors: options.acceptDecodeErrors };
  return {
    ref: new FrameReader(input.ref, refFormat, { ...common, raw: input.refRaw, filters: plan.refFilters, skippedFrames: policy.skipRef }),
    dist: new FrameReader(input.dist, distFormat, { ...common, raw: input.distRaw, filters: plan.distFilters, skippedFrames: policy.skipDist }),
  };
}

/**
 * After the last compared frame: both decoders must end cleanly (a late error counts), except under
 * --truncate, where the longer side is stopped early and only the frames compared must be intact.
 */
async function endReaders(ref: FrameReader, dist: FrameReader, policy: AlignPolicy): Promise<void> {
  if (policy.truncate) await Promise.all([ref.settle(), dist.settle()]);
  else await Promise.all([ref.finish(), dist.finish()]);
}

/**
 * Frames a container may declare beyond what decodes without the file being damaged (an edit list
 * can hide a frame or two at the start, as phone videos with B-frames do).
 */
const DECLARED_FRAMES_SLACK = 2;

/** E_MEDIA naming the file when decoding stopped well before the frame count its container declares. */
function checkDeclaredFrames(file: string, info: MediaInfo, decoded: number): void {
  const declared = info.kind === 'video' ? info.frameCount : null;
  if (declared !== null && declared - decoded > DECLARED_FRAMES_SLACK) {
    throw new IqaError('E_MEDIA', `${file}: decoding stopped after ${decoded} of the ${declared} frames its container declares: the file is truncated or damaged`, {
      file,
      details: { declaredFrames: declared, decodedFrames: decoded },
    });
  }
}

/**
 * A side that ran out of frames must have decoded what its container declares, also under
 * --truncate: truncating aligns two complete files of different lengths, it does not hide a damaged one.
 */
function checkDecodedAll(input: PairInput, plan: PairPlan, policy: AlignPolicy, hasRef: boolean, hasDist: boolean, frames: number): void {
  if (!hasRef) checkDeclaredFrames(input.ref, plan.refInfo, frames + (policy.skipRef ?? 0));
  if (!hasDist) checkDeclaredFrames(input.dist, plan.distInfo, frames + (policy.skipDist ?? 0));
}

function endsEarly(input: PairInput, refGoesOn: boolean, frames: number): IqaError {
  const [longer, shorter] = refGoesOn ? ['reference', 'distorted'] : ['distorted', 'reference'];
  return mismatch(input, `frame counts differ: the ${shorter} ends after ${frames} frames, the ${longer} goes on`, 'truncate to the shorter');
}

export interface SingleInput {
  file: string;
  info?: MediaInfo;
  raw?: RawVideoGeometry;
}

/** No-reference metrics of one image or video, frame by frame on 8-bit RGB. */
export async function computeNoReference(input: SingleInput, options: Omit<ComputeOptions, 'runner' | 'policy'>): Promise<PairResult> {
  const started = Date.now();
  for (const m of options.metrics) {
    if (metricById(m.id)?.kind !== 'NR') throw new IqaError('E_INPUT', `${m.id} needs a reference: it is not a no-reference metric`);
  }
  const info = input.info ?? (await probeMedia(input.file, { raw: input.raw, signal: options.signal }));
  const { evaluators, indices, errors } = await createEvaluators(options.metrics, options.metrics.map((_, i) => i));
  if (evaluators.length === 0) throw errors.find((e) => e !== null)!;
  const format = rgbFormat(info.width, info.height);
  const sourceIsGrey = decodeFormatFor(info, input.file).layout === 'gray';
  const reader = new FrameReader(input.file, format, { raw: input.raw, signal: options.signal, acceptDecodeErrors: options.acceptDecodeErrors });
  const frame = new Uint8Array(frameBytes(format));
  const table = new FrameTable(evaluators.length, info.frameCount);
  let frames = 0;
  try {
    while (await reader.read(frame)) {
      if (options.signal?.aborted) throw new IqaError('E_CANCELLED', 'cancelled');
      for (let m = 0; m < evaluators.length; m++) table.set(frames, m, await evaluators[m]!.evaluate(null, frame, info.width, info.height, options.signal, sourceIsGrey));
      frames += 1;
      options.onFrame?.(frames, info.frameCount);
    }
    await reader.finish();
    checkDeclaredFrames(input.file, info, frames);
  } catch (err) {
    throw wrapSingleError(err, input.file);
  } finally {
    reader.close();
  }
  if (frames === 0) throw new IqaError('E_MEDIA', `${input.file}: no frames decoded`, { file: input.file });
  const pooling = options.pooling ?? 'mean';
  const computed = table.slice(frames);
  const perFrame: Float64Array[] = options.metrics.map(() => new Float64Array(0));
  const models = options.metrics.map(() => null as MetricModelInfo | null);
  indices.forEach((i, k) => {
    perFrame[i] = computed[k]!;
    models[i] = modelInfo(evaluators[k]!);
  });
  return {
    frames,
    format,
    perFrame,
    pooled: perFrame.map((v, i) => (errors[i] ? NaN : poolValues(v, pooling, metricById(options.metrics[i]!.id)?.higherIsBetter ?? true))),
    pooling,
    decoder: reader.provenance,
    models,
    errors,
    elapsedMs: Date.now() - started,
  };
}

function wrapSingleError(err: unknown, file: string): unknown {
  if (err instanceof IqaError) return err;
  const name = (err as Error | undefined)?.name;
  if (name === 'RangeError' || name === 'TypeError') return new IqaError('E_UNSUPPORTED', `${file}: ${(err as Error).message}`, { file, cause: err });
  return err;
}

/** Kernel range errors (too small for the window, unsupported combination) become typed errors naming the pair. */
function wrapKernelError(err: unknown, input: PairInput): unknown {
  if (err instanceof IqaError) return err;
  const name = (err as Error | undefined)?.name;
  if (err instanceof RangeError || err instanceof TypeError || name === 'RangeError' || name === 'TypeError') {
    return new IqaError('E_UNSUPPORTED', `${input.dist} vs reference ${input.ref}: ${(err as Error).message}`, { file: input.dist, cause: err });
  }
  if ((err as Error)?.name === 'AbortError') return new IqaError('E_CANCELLED', 'cancelled');
  return err;
}
