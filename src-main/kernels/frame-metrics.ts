/**
 * Runs kernel extractors (kernels/extractors/) on decoded frames: the adapter the frame worker
 * (workers/frame-metrics.worker.ts) and the inline runner share, so numbers do not depend on where
 * they are computed. An ExtractorHost keeps one initialised extractor per configuration (metric,
 * parameters, frame format) and one FrameWorkspace per thread, so the per-frame loop allocates no
 * pixel buffer once the first frame has sized them.
 */
import type { FrameFormat } from '../common/frame-format';
import { paramsKey, type MetricParams } from '../common/metric-registry';
import { FrameWorkspace, KERNEL_EXTRACTORS, kernelExtractor, MAP_EXTRACTORS, type ExtractorSpec, type FrameExtractor, type FrameInput, type FrameMapValue, type FrameSamples } from './extractors';

export { FrameWorkspace } from './extractors';
export type { FrameSamples } from './extractors';

export interface FrameMetricRequest {
  id: string;
  params: MetricParams;
}

/** The frame of one side in each format the decode loop produced (only those some extractor asked for). */
export type FrameInputs = Partial<Record<FrameInput, FrameSamples>>;
/** The frame format of each decoded output. */
export type FrameFormats = Partial<Record<FrameInput, FrameFormat>>;

/** Configurations kept per thread before the oldest are closed (a long-lived worker sees many sizes). */
const MAX_CACHED_EXTRACTORS = 64;

function formatKey(f: FrameFormat): string {
  return `${f.pixFmt}:${f.width}x${f.height}:${f.bitDepth}`;
}

export class ExtractorHost {
  readonly workspace: FrameWorkspace;
  readonly #cache = new Map<string, FrameExtractor<unknown>>();

  constructor(workspace = new FrameWorkspace()) {
    this.workspace = workspace;
  }

  /** The initialised extractor of this configuration (created on first use). `setupKey` names `setup` (a model file and its hash). */
  extractor<Out>(spec: ExtractorSpec<unknown, Out>, formats: FrameFormats, source: FrameFormat, params: MetricParams, setup?: unknown, setupKey = ''): FrameExtractor<Out> {
    const format = formats[spec.input];
    if (!format) throw new RangeError(`${spec.id} needs ${spec.input} frames, which were not decoded`);
    const key = `${spec.id}|${paramsKey(params)}|${formatKey(format)}|${formatKey(source)}|${setupKey}`;
    let ex = this.#cache.get(key) as FrameExtractor<Out> | undefined;
    if (!ex) {
      if (this.#cache.size >= MAX_CACHED_EXTRACTORS) this.clear();
      ex = spec.init(format, params, { source, setup, workspace: this.workspace });
      this.#cache.set(key, ex as FrameExtractor<unknown>);
    }
    return ex;
  }

  /**
   * Frame k of every requested kernel metric: values[i] belongs to requests[i]. `setups[i]` is the
   * parsed parameter file of request i's model (undefined when it has none), named by `setupKeys[i]`.
   * `prevRef` is reference frame k−1 (null at frame 0), for extractors that read it. An `ordered`
   * extractor's feature vector goes to features[i] (its value stays NaN: its stage makes the values).
   */
  extractAll(
    k: number,
    formats: FrameFormats,
    source: FrameFormat,
    ref: FrameInputs | null,
    dist: FrameInputs,
    requests: readonly FrameMetricRequest[],
    setups: readonly unknown[] = [],
    setupKeys: readonly string[] = [],
    values: Float64Array = new Float64Array(requests.length),
    prevRef: FrameInputs | null = null,
    features: (Float64Array | null)[] = [],
  ): Float64Array {
    for (let i = 0; i < requests.length; i++) {
      const { id, params } = requests[i]!;
      const spec = kernelExtractor(id);
      const ex = this.extractor(spec, formats, source, params, setups[i], setupKeys[i]);
      const d = dist[spec.input];
      if (!d) throw new RangeError(`${id} needs ${spec.input} frames, which were not decoded`);
      const prev = spec.previousReference ? (prevRef?.[spec.input] ?? null) : undefined;
      if (spec.previousReference && k > 0 && prev === null) throw new RangeError(`${id} needs reference frame ${k - 1} with frame ${k}`);
      const out = ex.extract(k, ref?.[spec.input] ?? null, d, prev);
      if (spec.ordered) {
        features[i] = out as Float64Array;
        values[i] = Number.NaN;
      } else {
        features[i] = null;
        values[i] = out as number;
      }
    }
    return values;
  }

  /** Frame k's map for the viewer (MAP_EXTRACTORS). */
  extractMap(id: string, format: FrameFormat, ref: FrameSamples, dist: FrameSamples, params: MetricParams, k = 0): FrameMapValue {
    const spec = MAP_EXTRACTORS[id];
    if (!spec) throw new RangeError(`no frame map "${id}"`);
    const ex = spec.init(format, params, { source: format, setup: undefined, workspace: this.workspace });
    return ex.extract(k, ref, dist) as FrameMapValue;
  }

  clear(): void {
    for (const ex of this.#cache.values()) void ex.close();
    this.#cache.clear();
  }
}

/**
 * Parameter files of kernel extractors (BRISQUE's SVR, NIQE's model), parsed once per thread and
 * kept by path. `read` is the caller's file reader (kernels do no I/O).
 */
export function createSetupCache(read: (path: string) => string): (id: string, path: string | null) => unknown {
  const cache = new Map<string, unknown>();
  return (id, path) => {
    if (path === null) return undefined;
    const key = `${id}|${path}`;
    if (!cache.has(key)) {
      const spec = kernelExtractor(id);
      if (!spec.parseSetup) throw new RangeError(`${id} has no parameter file`);
      cache.set(key, spec.parseSetup(JSON.parse(read(path))));
    }
    return cache.get(key);
  };
}

/** One frame for the pool: the decoded outputs of both sides in SharedArrayBuffers, and what to compute. */
export interface FrameJob {
  /** The frame's index (after alignment). */
  k: number;
  /** The decoded (native) format of the source. */
  source: FrameFormat;
  formats: FrameFormats;
  ref: Partial<Record<FrameInput, SharedArrayBuffer>> | null;
  dist: Partial<Record<FrameInput, SharedArrayBuffer>>;
  /** Reference frame k−1 (null at frame 0 or when no extractor reads it: ExtractorSpec.previousReference). */
  prevRef?: Partial<Record<FrameInput, SharedArrayBuffer>> | null;
  requests: FrameMetricRequest[];
  /** Per request: the path of its parameter file, or null. */
  setupFiles: (string | null)[];
}

/** One frame pair's map for the viewer. */
export interface FrameMapJob {
  id: string;
  format: FrameFormat;
  ref: SharedArrayBuffer;
  dist: SharedArrayBuffer;
  params: MetricParams;
  k: number;
}

export interface FrameMapResult {
  value: number;
  width: number;
  height: number;
  map: Float32Array;
}

function view(buf: SharedArrayBuffer, f: FrameFormat): FrameSamples {
  return f.bitDepth > 8 ? new Uint16Array(buf) : new Uint8Array(buf);
}

function views(bufs: Partial<Record<FrameInput, SharedArrayBuffer>>, formats: FrameFormats): FrameInputs {
  const out: FrameInputs = {};
  for (const key of Object.keys(bufs) as FrameInput[]) out[key] = view(bufs[key]!, formats[key]!);
  return out;
}

/** What a FrameJob gives back: values[i] per request, and the feature vector of each `ordered` request (else null). */
export interface FrameJobResult {
  values: Float64Array;
  features: (Float64Array | null)[];
}

/** Runs a FrameJob on this thread's host (the worker's and the inline runner's one code path). */
export function runFrameJob(host: ExtractorHost, job: FrameJob, setup: (id: string, path: string | null) => unknown): FrameJobResult {
  const setups = job.requests.map((r, i) => setup(r.id, job.setupFiles[i] ?? null));
  const features: (Float64Array | null)[] = [];
  const values = host.extractAll(
    job.k,
    job.formats,
    job.source,
    job.ref && views(job.ref, job.formats),
    views(job.dist, job.formats),
    job.requests,
    setups,
    job.setupFiles.map((f) => f ?? ''),
    new Float64Array(job.requests.length),
    job.prevRef ? views(job.prevRef, job.formats) : null,
    features,
  );
  return { values, features };
}

/** Runs a FrameMapJob on this thread's host. */
export function runFrameMapJob(host: ExtractorHost, job: FrameMapJob): FrameMapResult {
  const r = host.extractMap(job.id, job.format, view(job.ref, job.format), view(job.dist, job.format), job.params, job.k);
  return { value: r.value, width: r.map.width, height: r.map.height, map: r.map.data };
}

/** The full-reference kernel metrics that run on the native frame (bench and tests use them directly). */
export const FRAME_METRIC_IDS = Object.values(KERNEL_EXTRACTORS)
  .filter((s) => s.needsReference && s.input === 'native' && !s.ordered && !s.previousReference)
  .map((s) => s.id);

/**
 * Computes full-reference kernel metrics on one native frame pair; values[i] belongs to requests[i].
 * Both buffers hold one whole frame in format `f` (common/frame-format.ts).
 */
export function computeFrameMetrics(
  f: FrameFormat,
  ref: FrameSamples,
  dist: FrameSamples,
  requests: readonly FrameMetricRequest[],
  ws: FrameWorkspace,
  values: Float64Array = new Float64Array(requests.length),
): Float64Array {
  for (let i = 0; i < requests.length; i++) {
    const { id, params } = requests[i]!;
    const spec = KERNEL_EXTRACTORS[id];
    if (!spec || spec.input !== 'native' || !spec.needsReference || spec.ordered || spec.previousReference) throw new RangeError(`metric "${id}" is not a frame metric`);
    values[i] = spec.init(f, params, { source: f, setup: undefined, workspace: ws }).extract(0, ref, dist) as number;
  }
  return values;
}

/** The Wang SSIM of one frame pair's luma with its map (see extractors/ssim-y-map.ts). */
export function ssimYMap(f: FrameFormat, ref: FrameSamples, dist: FrameSamples, params: MetricParams, ws: FrameWorkspace): FrameMapValue {
  return new ExtractorHost(ws).extractMap('ssim-y-map', f, ref, dist, params);
}
