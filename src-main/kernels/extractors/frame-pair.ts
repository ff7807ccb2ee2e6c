/**
 * What the full-reference kernel extractors share: a decoded frame split into planes according to
 * its format (common/frame-format.ts), luma where a metric asks for it, and the scratch buffers
 * (FrameWorkspace) reused across frames, so the per-frame loop allocates no pixel buffer once the
 * first frame has sized them.
 */
import type { FrameFormat } from '../../common/frame-format';
import { chromaSize, peakValue } from '../../common/frame-format';
import type { MetricParams } from '../../common/metric-registry';
import { deinterleaveRgb } from '../image/deinterleave';
import { lumaFromInterleaved, type LumaOptions } from '../image/luma';
import type { InterleavedImage, Plane, Samples } from '../image/plane';
import { mse, sumSquaredError } from '../metrics/mse';
import { createSsimWorkspace, ssim, type SsimWorkspace } from '../metrics/ssim';
import { createSsimFfmpegWorkspace, ssimFfmpeg, type SsimFfmpegWorkspace } from '../metrics/ssim-ffmpeg';

/** One side of a frame pair in the extractor's input format: 8- or 16-bit samples. */
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

export interface SplitFrame {
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

function lumaOptions(f: FrameFormat, lumaName: string): LumaOptions {
  const options = LUMA[lumaName];
  if (!options) throw new RangeError(`unknown luma conversion "${lumaName}"`);
  if (f.bitDepth > 8 && options.range === 'studio') {
    throw new RangeError(`studio-swing luma (${lumaName}) is defined for 8-bit RGB only; this is ${f.bitDepth}-bit: use luma=bt601-full or bt709-full`);
  }
  return options;
}

const rgbImage = (f: FrameFormat, data: FrameSamples): InterleavedImage => ({ data, width: f.width, height: f.height, channels: 3, stride: 3 * f.width });

function lumaOf(f: FrameFormat, data: FrameSamples, split: SplitFrame, lumaName: string, ws: FrameWorkspace, side: 0 | 1): Plane {
  if (split.luma) return split.luma;
  return lumaFromInterleaved(rgbImage(f, data), ws.f64(4 + side, f.width * f.height), lumaOptions(f, lumaName));
}

/**
 * Luma for Wang SSIM / MS-SSIM: from RGB it is written straight into the WebAssembly engine's input
 * planes (SsimWangWasm.inputPlanes), which the engine then reads in place, instead of into float64
 * planes here that the engine would copy (the same float64 samples either way). Elsewhere as luma().
 */
function ssimLumaOf(f: FrameFormat, ref: FrameSamples, dist: FrameSamples, a: SplitFrame, b: SplitFrame, lumaName: string, ws: FrameWorkspace): [Plane, Plane] {
  if (a.luma && b.luma) return [a.luma, b.luma];
  const options = lumaOptions(f, lumaName);
  const into = ws.ssim.wasm()?.inputPlanes(f.width, f.height) ?? null;
  if (into === null) return [lumaOf(f, ref, a, lumaName, ws, 0), lumaOf(f, dist, b, lumaName, ws, 1)];
  return [lumaFromInterleaved(rgbImage(f, ref), into[0], options), lumaFromInterleaved(rgbImage(f, dist), into[1], options)];
}

/** Luma samples per row tile of lumaMseOf: a few hundred KiB of float64 per side instead of whole planes. */
const LUMA_TILE_SAMPLES = 1 << 15;

/**
 * MSE of the two sides' luma. From RGB the luma is computed a tile of rows at a time into two small
 * buffers, never as whole planes (a 24-megapixel pair would need 384 MB of float64 planes); the
 * squared errors are summed row by row in the order mse() sums a whole plane, so the value is the
 * same bit for bit.
 */
function lumaMseOf(f: FrameFormat, ref: FrameSamples, dist: FrameSamples, a: SplitFrame, b: SplitFrame, lumaName: string, ws: FrameWorkspace): number {
  if (a.luma && b.luma) return mse(a.luma, b.luma);
  const options = lumaOptions(f, lumaName);
  const { width, height } = f;
  const rows = Math.max(1, Math.min(height, Math.floor(LUMA_TILE_SAMPLES / width)));
  const ta = ws.f64(8, rows * width);
  const tb = ws.f64(9, rows * width);
  const stride = 3 * width;
  let sse = 0;
  for (let y0 = 0; y0 < height; y0 += rows) {
    const n = Math.min(rows, height - y0);
    const at = (data: FrameSamples): InterleavedImage => ({ data: data.subarray(y0 * stride, (y0 + n) * stride), width, height: n, channels: 3, stride });
    sse = sumSquaredError(lumaFromInterleaved(at(ref), ta, options), lumaFromInterleaved(at(dist), tb, options), sse);
  }
  return sse / (width * height);
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
export function weightedByPlaneSize(planes: readonly Plane[], value: (i: number) => number): number {
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < planes.length; i++) {
    const n = planes[i]!.width * planes[i]!.height;
    sum += value(i) * n;
    weight += n;
  }
  return sum / weight;
}

/** One reference/distorted frame pair of a full-reference kernel extractor, split into planes. */
export interface FramePair {
  f: FrameFormat;
  peak: number;
  a: SplitFrame;
  b: SplitFrame;
  ws: FrameWorkspace;
  /** Luma of both sides: the Y or grey plane, or Y from RGB by the named conversion (default y_float). */
  luma(name: string | number | undefined): [Plane, Plane];
  /** MSE of luma(name) without materialising the luma planes of RGB frames (same value as mse(...luma(name))). */
  lumaMse(name: string | number | undefined): number;
  /**
   * luma(name) for ssim() / msSsim() with this pair's workspace (the Wang variant): the same samples,
   * possibly in the SSIM engine's memory, valid only until the next SSIM call.
   */
  ssimLuma(name: string | number | undefined): [Plane, Plane];
  /** SSIM of two planes with the metric's parameters (Wang, or the ffmpeg variant on integer samples). */
  ssimOn(x: Plane, y: Plane, p: MetricParams): number;
}

/** Splits a frame pair (RGB images also into R, G and B planes when `needRgbPlanes`). */
export function framePair(f: FrameFormat, ref: FrameSamples | null, dist: FrameSamples, ws: FrameWorkspace, needRgbPlanes = false): FramePair {
  if (!ref) throw new RangeError('a full-reference metric needs the reference frame');
  const peak = peakValue(f);
  const a = splitFrame(f, ref, ws, 0, needRgbPlanes && f.layout === 'rgb');
  const b = splitFrame(f, dist, ws, 1, needRgbPlanes && f.layout === 'rgb');
  return {
    f,
    peak,
    a,
    b,
    ws,
    luma: (name) => [lumaOf(f, ref, a, String(name ?? 'y_float'), ws, 0), lumaOf(f, dist, b, String(name ?? 'y_float'), ws, 1)],
    lumaMse: (name) => lumaMseOf(f, ref, dist, a, b, String(name ?? 'y_float'), ws),
    ssimLuma: (name) => ssimLumaOf(f, ref, dist, a, b, String(name ?? 'y_float'), ws),
    ssimOn: (x, y, p) =>
      p.variant === 'ffmpeg'
        ? ssimFfmpeg(integerPlane(x, peak, ws, 6), integerPlane(y, peak, ws, 7), { bitDepth: f.bitDepth, workspace: ws.ssimFfmpeg }).all
        : ssim(x, y, { dataRange: peak, downsample: p.downsample === 'matlab-auto' ? 'matlab-auto' : 'none', workspace: ws.ssim }).value,
  };
}

/** All samples pooled: Y, U and V of a video frame; the interleaved RGB (or grey) samples of an image. */
export const allSamplesMse = (q: FramePair): number => (q.f.layout === 'yuv' ? mse(q.a.planes, q.b.planes) : mse(q.a.packed, q.b.packed));
