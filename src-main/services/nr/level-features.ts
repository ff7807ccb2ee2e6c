/**
 * Multi-level deep features (BLINDER-style, Gao et al. 2018, "Blind image quality prediction by
 * exploiting multi-level deep representations", Pattern Recognition 83, doi:10.1016/j.patcog.2018.04.016):
 * every level of an ImageNet backbone, each pooled over space to one vector per picture, for a
 * regressor per level (the NR training of issue 16).
 *
 * Contract per source:
 * - input: the picture as 8-bit RGB (grey replicated, alpha dropped: services/sets/decode.ts), at full
 *   resolution unless the backbone's manifest entry names a resize, normalised as the entry says (the
 *   LPIPS-derived backbones: v/127.5 − 1, the LPIPS input; their graphs apply the ImageNet scaling);
 * - per level (the tensors LPIPS taps: 5 AlexNet ReLU stages, 7 SqueezeNet stages) one Float32Array of
 *   2·C values: the spatial mean of each channel (C values), then the spatial population standard
 *   deviation of each channel (C values), both computed in the derived graph (graph-surgery.ts);
 * - video: the same vector for every decoded frame, then the mean over frames (float64 sums), so a
 *   video and an image of the same size give vectors of the same length;
 * - cache: per file SHA-256 and derived-graph SHA-256 (services/sets/feature-cache.ts), all levels
 *   concatenated in one entry; a damaged entry is recomputed and overwritten.
 * Inference runs in the app's ONNX worker pool (services/models/inference.ts), one picture per call.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { IqaError } from '../../common/errors';
import type { RgbImage } from '../../kernels/image/network-inputs';
import { lpipsTensorFromPixels } from '../../kernels/nn/lpips-input';
import { FrameReader } from '../media/frame-reader';
import { probeMedia } from '../media/probe';
import type { LevelBackboneSpec } from '../models/level-backbone-spec';
import { sharedInference, type OnnxInference, type TensorData } from '../models/inference';
import { decodeImageRgb, rgb24Format } from '../sets/decode';
import { FeatureCache } from '../sets/feature-cache';
import { defaultFolderCacheDir } from '../sets/set-spec';
import { PROJECT_CACHE_DIR } from '../store/project-db';
import { ensureLevelGraph, type LevelGraph } from './level-backbones';

export interface LevelFeatures {
  backbone: string;
  backboneSha256: string;
  levels: { name: string; values: Float32Array; channels: number }[];
  /** How each level's values are laid out: C channel means, then C channel standard deviations. */
  pooling: 'mean-std';
  /** Pictures pooled (1 for an image, the decoded frames for a video); null when read from the cache. */
  frames: number | null;
  cached: boolean;
}

export interface LevelFeatureSource {
  id: number;
  path: string /* absolute */;
  kind: 'image' | 'video';
  sha256: string;
}

/** The backbones the manifest ships (models/manifest.json `levelBackbones`; more may be added there). */
export const LEVEL_BACKBONES: readonly string[] = ['alexnet-levels', 'squeezenet-levels'];

/** Names the pooling and its version in the cache path: a change of either must miss old entries. */
const CACHE_VARIANT = 'levels-meanstd-v1';

export interface ExtractLevelFeaturesOptions {
  backbone: string;
  sources: LevelFeatureSource[];
  modelDir?: string;
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** The ONNX runner (default: the process-wide one). */
  inference?: OnnxInference;
}

/** Files outside a project: the folder cache the FID features of folder sets use. */
export function defaultLevelCacheDir(): string {
  return defaultFolderCacheDir();
}

/** A project's stimuli: the project's own feature cache, beside its FID features. */
export function projectLevelCacheDir(projectDir: string): string {
  return join(projectDir, PROJECT_CACHE_DIR, 'features');
}

/** Total cached length: Σ 2·C over the levels. */
export function levelVectorLength(spec: LevelBackboneSpec): number {
  return spec.levels.reduce((s, l) => s + 2 * l.channels, 0);
}

/**
 * 8-bit interleaved RGB → planar float32 [1, 3, H, W] as the backbone's normalisation says. The
 * [-1, 1] case without mean/std is exactly the LPIPS input (lpipsTensorFromPixels), so the derived
 * graph sees the values the LPIPS graph sees.
 */
export function levelInputTensor(img: RgbImage, norm: LevelBackboneSpec['normalisation']): Float32Array {
  const [lo, hi] = norm.valueRange;
  if (lo === -1 && hi === 1 && !norm.mean && !norm.std) return lpipsTensorFromPixels(img.data, img.width, img.height);
  const plane = img.width * img.height;
  const out = new Float32Array(3 * plane);
  const scale = (hi - lo) / 255;
  for (let c = 0; c < 3; c++) {
    const m = norm.mean ? norm.mean[c]! : 0;
    const s = norm.std ? norm.std[c]! : 1;
    for (let i = 0; i < plane; i++) out[c * plane + i] = (lo + img.data[3 * i + c]! * scale - m) / s;
  }
  return out;
}

/** Splits one concatenated vector (cache layout) into levels. */
function splitLevels(spec: LevelBackboneSpec, all: Float32Array): LevelFeatures['levels'] {
  const out: LevelFeatures['levels'] = [];
  let off = 0;
  for (const l of spec.levels) {
    out.push({ name: l.name, channels: l.channels, values: all.slice(off, off + 2 * l.channels) });
    off += 2 * l.channels;
  }
  return out;
}

function cancelled(path: string): IqaError {
  return new IqaError('E_CANCELLED', `level features: cancelled at ${path}`, { file: path });
}

/** One picture through the derived graph: the concatenated [mean, std] of every level. */
async function picture(graph: LevelGraph, img: RgbImage, source: LevelFeatureSource, inference: OnnxInference, signal?: AbortSignal): Promise<Float32Array> {
  const spec = graph.spec;
  const [minH, minW] = spec.minSize;
  if (img.height < minH || img.width < minW) {
    throw new IqaError('E_INPUT', `${source.path}: ${img.width}x${img.height} is smaller than the ${minW}x${minH} that backbone ${spec.id} needs`, { file: source.path });
  }
  const feeds: Record<string, TensorData> = { [graph.inputName]: { data: levelInputTensor(img, spec.normalisation), dims: [1, 3, img.height, img.width] } };
  const names = graph.outputs.flatMap((o) => [o.mean, o.std]);
  const r = await inference.runFile(graph.path, feeds, { outputs: names, transfer: true, signal, label: spec.id });
  const all = new Float32Array(levelVectorLength(spec));
  let off = 0;
  for (let i = 0; i < spec.levels.length; i++) {
    const c = spec.levels[i]!.channels;
    for (const name of [graph.outputs[i]!.mean, graph.outputs[i]!.std]) {
      const t = r.outputs[name];
      if (!t || t.data.length !== c) throw new IqaError('E_MODEL', `level backbone ${spec.id}: output ${name} has ${t?.data.length ?? 0} values, the manifest says ${c} channels`);
      all.set(t.data, off);
      off += c;
    }
  }
  return all;
}

function resizeFilter(spec: LevelBackboneSpec): string[] {
  return spec.resize ? [`scale=${spec.resize[1]}:${spec.resize[0]}:flags=bilinear`] : [];
}

async function decodeFailure<T>(source: LevelFeatureSource, backbone: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof IqaError && ['E_CANCELLED', 'E_FFMPEG_MISSING', 'E_MODEL', 'E_INPUT'].includes(err.code)) throw err;
    // The decoder's advice to accept concealed frames is dropped: features are only computed from clean decodes.
    const why = ((err as Error).message ?? String(err)).split('\n')[0]!.replace(`${source.path}: `, '').replace(/; accept decode errors.*$/, '');
    throw new IqaError('E_MEDIA', `${source.path}: cannot be decoded for ${backbone} level features (${why})`, { file: source.path, cause: err });
  }
}

async function imageFeatures(graph: LevelGraph, source: LevelFeatureSource, inference: OnnxInference, signal?: AbortSignal): Promise<{ values: Float32Array; frames: number }> {
  const spec = graph.spec;
  const img = await decodeFailure(source, spec.id, async () => {
    if (!spec.resize) return decodeImageRgb(source.path, signal);
    const [h, w] = spec.resize;
    const reader = new FrameReader(source.path, rgb24Format(w, h), { signal, filters: resizeFilter(spec) });
    const data = new Uint8Array(reader.frameSize);
    try {
      if (!(await reader.read(data))) throw new IqaError('E_MEDIA', `${source.path}: no picture could be decoded`, { file: source.path });
    } finally {
      reader.close();
    }
    return { data, width: w, height: h };
  });
  return { values: await picture(graph, img, source, inference, signal), frames: 1 };
}

async function videoFeatures(graph: LevelGraph, source: LevelFeatureSource, inference: OnnxInference, signal?: AbortSignal): Promise<{ values: Float32Array; frames: number }> {
  const spec = graph.spec;
  const info = await decodeFailure(source, spec.id, () => probeMedia(source.path, { signal }));
  const [h, w] = spec.resize ?? [info.height, info.width];
  const reader = new FrameReader(source.path, rgb24Format(w, h), { signal, filters: resizeFilter(spec) });
  const frame: RgbImage = { data: new Uint8Array(reader.frameSize), width: w, height: h };
  const sum = new Float64Array(levelVectorLength(spec));
  let frames = 0;
  try {
    for (;;) {
      const got = await decodeFailure(source, spec.id, () => reader.read(frame.data));
      if (!got) break;
      const v = await picture(graph, frame, source, inference, signal);
      for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
      frames++;
      if (signal?.aborted) throw cancelled(source.path);
    }
  } finally {
    reader.close();
  }
  if (frames === 0) throw new IqaError('E_MEDIA', `${source.path}: no frame could be decoded for ${spec.id} level features`, { file: source.path });
  const values = new Float32Array(sum.length);
  for (let i = 0; i < sum.length; i++) values[i] = sum[i]! / frames;
  return { values, frames };
}

/**
 * Level features of every source, keyed by source id. E_INPUT: unknown backbone, a bad source
 * (relative path, malformed hash), a picture smaller than the backbone's minimum; E_MODEL: the source
 * model of the backbone is missing or wrong (naming it and the install command); E_MEDIA: a file that
 * cannot be read or decoded (naming it); E_CANCELLED through `signal`.
 */
export async function extractLevelFeatures(opts: ExtractLevelFeaturesOptions): Promise<Map<number, LevelFeatures>> {
  const { sources, signal } = opts;
  for (const s of sources) {
    if (!s.path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(s.path)) throw new IqaError('E_INPUT', `level features: source ${s.id} path must be absolute, got ${s.path}`);
    if (!/^[0-9a-f]{64}$/.test(s.sha256)) throw new IqaError('E_INPUT', `level features: source ${s.id} (${s.path}) has no valid SHA-256`, { file: s.path });
  }
  const graph = await ensureLevelGraph(opts.backbone, opts.modelDir === undefined ? {} : { dir: opts.modelDir });
  const spec = graph.spec;
  const length = levelVectorLength(spec);
  const variant = spec.resize ? `${CACHE_VARIANT}-${spec.resize[0]}x${spec.resize[1]}` : CACHE_VARIANT;
  const cache = new FeatureCache(opts.cacheDir ?? defaultLevelCacheDir(), graph.sha256, variant);
  const inference = opts.inference ?? sharedInference();
  const out = new Map<number, LevelFeatures>();
  let done = 0;
  for (const source of sources) {
    if (signal?.aborted) throw cancelled(source.path);
    const base = { backbone: spec.id, backboneSha256: graph.sha256, pooling: 'mean-std' as const };
    const hit = cache.read(source.sha256, '', length);
    if (hit.state === 'hit') {
      out.set(source.id, { ...base, levels: splitLevels(spec, hit.data), frames: null, cached: true });
    } else {
      try {
        if (!statSync(source.path).isFile()) throw new Error('not a regular file');
      } catch (err) {
        throw new IqaError('E_MEDIA', `${source.path}: cannot be read for ${spec.id} level features (${(err as Error).message})`, { file: source.path });
      }
      const r = source.kind === 'video' ? await videoFeatures(graph, source, inference, signal) : await imageFeatures(graph, source, inference, signal);
      cache.write(source.sha256, '', r.values);
      out.set(source.id, { ...base, levels: splitLevels(spec, r.values), frames: r.frames, cached: false });
    }
    done++;
    opts.onProgress?.(done, sources.length);
  }
  return out;
}
