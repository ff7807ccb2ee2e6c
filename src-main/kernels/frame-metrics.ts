/**
 * Full-reference metrics of one decoded frame pair: splits the frame buffers into planes according
 * to the frame format, converts to luma where a metric asks for it, and calls the metric kernels.
 * Pure and synchronous; a FrameWorkspace carries every scratch buffer between frames, so the
 * per-frame loop allocates nothing once the first frame has sized it. The same function runs in
 * worker threads and in tests, so numbers do not depend on where they are computed.
 */
import type { FrameFormat } from '../common/frame-format';
import { chromaSize, peakValue } from '../common/frame-format';
import type { MetricParams } from '../common/metric-registry';
import { deinterleaveRgb } from './image/deinterleave';
import { lumaFromInterleaved, type LumaOptions } from './image/luma';
import type { Plane, Samples } from './image/plane';
import { msSsim } from './metrics/ms-ssim';
import { mse } from './metrics/mse';
import { psnrFromMse } from './metrics/psnr';
import { psnrYuv } from './metrics/psnr-yuv';
import { createSsimWorkspace, ssim, type SsimWorkspace } from './metrics/ssim';
import { createSsimFfmpegWorkspace, ssimFfmpeg, type SsimFfmpegWorkspace } from './metrics/ssim-ffmpeg';

export interface FrameMetricRequest {
  id: string;
  params: MetricParams;
}

export type FrameSamples = Uint8Array | Uint16Array;

const LUMA: Record<string, LumaOptions> = {
  y_float: { matrix: 'bt601', range: 'studio', rounding: 'none' },
  y_uint8: { matrix: 'bt601', range: 'studio', rounding: 'half-up' },
  bt709: { matrix: 'bt709', range: 'studio', rounding: 'none' },
  'bt601-full': { matrix: 'bt601', range: 'full', rounding: 'none' },
  'bt709-full': { matrix: 'bt709', range: 'full', rounding: 'none' },
};

/** Scratch buffers reused across frames of one size (they grow when a larger frame arrives). */
export class FrameWorkspace {
  readonly ssim: SsimWorkspace = createSsimWorkspace();
  readonly ssimFfmpeg: SsimFfmpegWorkspace = createSsimFfmpegWorkspace();
  #f64: Float64Array[] = [];
  #u8: Uint8Array[] = [];
  #u16: Uint16Array[] = [];

  f64(slot: number, length: number): Float64Array {
    const cur = this.#f64[slot];
    if (cur && cur.length >= length) return cur;
    return (this.#f64[slot] = new Float64Array(length));
  }

  samples(slot: number, length: number, wide: boolean): Uint8Array | Uint16Array {
    const pool = wide ? this.#u16 : this.#u8;
    const cur = pool[slot];
    if (cur && cur.length >= length) return cur;
    const next = wide ? new Uint16Array(length) : new Uint8Array(length);
    pool[slot] = next as never;
    return next;
  }
}

interface SplitFrame {
  /** The planes metrics on "all samples" use: [gray], [Y, U, V] or [R, G, B]. */
  planes: Plane[];
  /** Interleaved RGB as one plane three samples wide (for pooled MSE over RGB without copying). */
  packed: Plane;
  luma: Plane | null;
}

function planeAt(data: FrameSamples, offset: number, width: number, height: number): Plane {
  return { data: data.subarray(offset, offset + width * height), width, height, stride: width };
}

function splitFrame(f: FrameFormat, data: FrameSamples, ws: FrameWorkspace, side: 0 | 1, needRgbPlanes: boolean): SplitFrame {
  const { width: w, height: h } = f;
  if (f.layout === 'gray') {
    const p = planeAt(data, 0, w, h);
    return { planes: [p], packed: p, luma: p };
  }
  if (f.layout === 'yuv') {
    const c = chromaSize(f);
    const y = planeAt(data, 0, w, h);
    const u = planeAt(data, w * h, c.width, c.height);
    const v = planeAt(data, w * h + c.width * c.height, c.width, c.height);
    return { planes: [y, u, v], packed: y, luma: y };
  }
  const packed: Plane = { data, width: 3 * w, height: h, stride: 3 * w };
  let planes: Plane[] = [];
  if (needRgbPlanes) {
    const wide = data instanceof Uint16Array;
    const out = [ws.samples(side * 3, w * h, wide), ws.samples(side * 3 + 1, w * h, wide), ws.samples(side * 3 + 2, w * h, wide)] as const;
    planes = deinterleaveRgb({ data, width: w, height: h, channels: 3, stride: 3 * w }, out as readonly [Samples, Samples, Samples]);
  }
  return { planes, packed, luma: null };
}

function lumaOf(f: FrameFormat, data: FrameSamples, split: SplitFrame, lumaName: string, ws: FrameWorkspace, side: 0 | 1): Plane {
  if (split.luma) return split.luma;
  const options = LUMA[lumaName];
  if (!options) throw new RangeError(`unknown luma conversion "${lumaName}"`);
  if (f.bitDepth > 8 && options.range === 'studio') {
    throw new RangeError(`studio-swing luma (${lumaName}) is defined for 8-bit RGB only; this is ${f.bitDepth}-bit: use luma=bt601-full or bt709-full`);
  }
  return lumaFromInterleaved({ data, width: f.width, height: f.height, channels: 3, stride: 3 * f.width }, ws.f64(4 + side, f.width * f.height), options);
}

/**
 * ffmpeg's SSIM works on integer samples. Decoded planes already are; luma computed from RGB is
 * rounded half up and clamped to [0, peak] (the y_uint8 convention), as ffmpeg itself would have
 * to do after converting RGB to a YUV format.
 */
function integerPlane(p: Plane, peak: number, ws: FrameWorkspace, slot: number): Plane {
  if (p.data instanceof Uint8Array || p.data instanceof Uint16Array) return p;
  const { width, height, stride, data } = p;
  const out = ws.samples(slot, width * height, peak > 255);
  for (let yy = 0; yy < height; yy++) {
    const row = yy * stride;
    const o = yy * width;
    for (let xx = 0; xx < width; xx++) {
      const v = Math.floor(data[row + xx]! + 0.5);
      out[o + xx] = v < 0 ? 0 : v > peak ? peak : v;
    }
  }
  return { data: out, width, height, stride: width };
}

/** Mean of per-plane values weighted by sample count (ffmpeg's "All" for YUV; plain mean for RGB). */
function weightedByPlaneSize(planes: readonly Plane[], value: (i: number) => number): number {
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < planes.length; i++) {
    const n = planes[i]!.width * planes[i]!.height;
    sum += value(i) * n;
    weight += n;
  }
  return sum / weight;
}

interface FramePair {
  f: FrameFormat;
  peak: number;
  a: SplitFrame;
  b: SplitFrame;
  ws: FrameWorkspace;
  luma(name: string | number | undefined): [Plane, Plane];
  ssimOn(x: Plane, y: Plane, p: MetricParams): number;
}

/** All samples pooled: Y, U and V of a video frame; the interleaved RGB (or grey) samples of an image. */
const allSamplesMse = (q: FramePair): number => (q.f.layout === 'yuv' ? mse(q.a.planes, q.b.planes) : mse(q.a.packed, q.b.packed));

/** How each frame metric is computed: the registry (common/metric-registry.ts) says what they are. */
const FRAME_METRICS: Record<string, (q: FramePair, p: MetricParams) => number> = {
  mse: (q) => allSamplesMse(q),
  psnr: (q) => psnrFromMse(allSamplesMse(q), q.peak),
  'psnr-y': (q, p) => {
    const [x, y] = q.luma(p.luma);
    return psnrFromMse(mse(x, y), q.peak);
  },
  'psnr-yuv': (q) => {
    if (q.f.layout === 'rgb') throw new RangeError('psnr-yuv needs YUV input (a video) or a grey image; for RGB images use psnr or psnr-y');
    return q.f.layout === 'yuv' ? psnrYuv(q.a.planes, q.b.planes, { dataRange: q.peak }).yuv : psnrFromMse(allSamplesMse(q), q.peak);
  },
  ssim: (q, p) => {
    const { a, b } = q;
    if (q.f.layout === 'gray') return q.ssimOn(a.planes[0]!, b.planes[0]!, p);
    if (p.variant === 'ffmpeg') return ssimFfmpeg(a.planes, b.planes, { bitDepth: q.f.bitDepth, workspace: q.ws.ssimFfmpeg }).all;
    return weightedByPlaneSize(a.planes, (k) => q.ssimOn(a.planes[k]!, b.planes[k]!, p));
  },
  'ssim-y': (q, p) => {
    const [x, y] = q.luma(p.luma);
    return q.ssimOn(x, y, p);
  },
  'ms-ssim-y': (q, p) => {
    const [x, y] = q.luma(p.luma);
    return msSsim(x, y, { dataRange: q.peak, workspace: q.ws.ssim }).value;
  },
};

export const FRAME_METRIC_IDS = Object.keys(FRAME_METRICS);

/**
 * Computes every requested metric on one frame pair; values[i] belongs to requests[i]. Both buffers
 * must hold one whole frame in format `f` (see common/frame-format.ts).
 */
export function computeFrameMetrics(
  f: FrameFormat,
  ref: FrameSamples,
  dist: FrameSamples,
  requests: readonly FrameMetricRequest[],
  ws: FrameWorkspace,
  values: Float64Array = new Float64Array(requests.length),
): Float64Array {
  const peak = peakValue(f);
  const needRgbPlanes = f.layout === 'rgb' && requests.some((r) => r.id === 'ssim');
  const a = splitFrame(f, ref, ws, 0, needRgbPlanes);
  const b = splitFrame(f, dist, ws, 1, needRgbPlanes);
  const pair: FramePair = {
    f,
    peak,
    a,
    b,
    ws,
    luma: (name) => [lumaOf(f, ref, a, String(name ?? 'y_float'), ws, 0), lumaOf(f, dist, b, String(name ?? 'y_float'), ws, 1)],
    ssimOn: (x, y, p) =>
      p.variant === 'ffmpeg'
        ? ssimFfmpeg(integerPlane(x, peak, ws, 6), integerPlane(y, peak, ws, 7), { bitDepth: f.bitDepth, workspace: ws.ssimFfmpeg }).all
        : ssim(x, y, { dataRange: peak, downsample: p.downsample === 'matlab-auto' ? 'matlab-auto' : 'none', workspace: ws.ssim }).value,
  };
  for (let i = 0; i < requests.length; i++) {
    const { id, params } = requests[i]!;
    const compute = FRAME_METRICS[id];
    if (!compute) throw new RangeError(`metric "${id}" is not a frame metric`);
    values[i] = compute(pair, params);
  }
  return values;
}

/**
 * The Wang SSIM of one frame pair's luma (as the `ssim-y` metric computes it, same parameters) with
 * its H×W map, for the viewer's heatmap. `value` equals what computeFrameMetrics gives for ssim-y.
 * The ffmpeg variant has no per-pixel map (it is defined on 8×8 blocks): RangeError.
 */
export function ssimYMap(f: FrameFormat, ref: FrameSamples, dist: FrameSamples, params: MetricParams, ws: FrameWorkspace): { value: number; map: Plane<Float32Array> } {
  if (params.variant === 'ffmpeg') throw new RangeError('the ffmpeg SSIM variant works on 8x8 blocks and has no per-pixel map; use variant=wang');
  const a = splitFrame(f, ref, ws, 0, false);
  const b = splitFrame(f, dist, ws, 1, false);
  const name = String(params.luma ?? 'y_float');
  const r = ssim(lumaOf(f, ref, a, name, ws, 0), lumaOf(f, dist, b, name, ws, 1), {
    dataRange: peakValue(f),
    downsample: params.downsample === 'matlab-auto' ? 'matlab-auto' : 'none',
    map: 'full',
    workspace: ws.ssim,
  });
  return { value: r.value, map: r.map as Plane<Float32Array> };
}

