// Loader for the shared golden vectors (../shared/golden, README there). Test-only: Node fs + pngjs.
// The folder and whether it is there: ./shared-data.ts (IQA_GOLDEN_DIR, else ../shared/golden).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { InterleavedImage, Plane } from '../../src-main/kernels/image/plane';
import { SHARED_DIRS } from './shared-data';

export const GOLDEN_DIR = SHARED_DIRS.golden;

export function goldenPath(relative: string): string {
  return path.join(GOLDEN_DIR, relative);
}

export function readGoldenJson<T = any>(relative: string): T {
  return JSON.parse(readFileSync(goldenPath(relative), 'utf8')) as T;
}

/** A decoded golden PNG: `channels` = 1 for grey (colour type 0), 3 for RGB (colour type 2). */
export interface GoldenImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** Interleaved, row-major, `channels` samples per pixel. */
  readonly data: Uint8Array;
}

const imageCache = new Map<string, GoldenImage>();

export function readGoldenPng(relative: string): GoldenImage {
  const cached = imageCache.get(relative);
  if (cached) return cached;
  const png = PNG.sync.read(readFileSync(goldenPath(relative)));
  // pngjs always expands to RGBA; the colour type says what the file held.
  const colorType = (png as unknown as { colorType?: number }).colorType;
  const channels: 1 | 3 = colorType === 0 ? 1 : 3;
  if (colorType !== 0 && colorType !== 2) throw new Error(`${relative}: unexpected PNG colour type ${colorType}`);
  const n = png.width * png.height;
  const data = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) data[i * channels + c] = png.data[i * 4 + c];
  }
  const image: GoldenImage = { width: png.width, height: png.height, channels, data };
  imageCache.set(relative, image);
  return image;
}

/**
 * A raw little-endian float32 array (`.f32`) with its `.json` sidecar (shape, dtype). `relative` may
 * name the .f32 file or its base name.
 */
export function readGoldenF32(relative: string): { shape: number[]; data: Float32Array; meta: Record<string, unknown> } {
  const base = relative.replace(/\.f32$/, '');
  const meta = readGoldenJson<Record<string, unknown>>(`${base}.json`);
  if ((meta.dtype !== undefined && meta.dtype !== 'float32') || (meta.byte_order !== undefined && meta.byte_order !== 'little')) {
    throw new Error(`${base}: expected little-endian float32, sidecar says ${String(meta.dtype)}/${String(meta.byte_order)}`);
  }
  const bytes = readFileSync(goldenPath(`${base}.f32`));
  const shape = meta.shape as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== count * 4) throw new Error(`${base}.f32: ${bytes.byteLength} bytes, shape needs ${count * 4}`);
  const data = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
  return { shape, data, meta };
}

/** JSON `null` stands for NaN in the golden files. */
export function nullToNaN(values: readonly (number | null)[]): number[] {
  return values.map((v) => (v === null ? NaN : v));
}

/** |a − b| / max(|b|, tiny): relative error against a golden value. */
export function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), Number.MIN_VALUE);
}

// ---- iqa.json shapes (only the fields the tests read) ----

export interface MsSsimDetail {
  scale_sizes_hw: [number, number][];
  mcs_per_scale: number[];
  mssim_per_scale: number[];
  all_components_positive: boolean;
}

export interface PlaneSetMetrics {
  mse: number;
  /** null stands for +Infinity (identical images). */
  psnr: number | null;
  ssim: number;
  ssim_per_channel?: number[];
  msssim?: number;
  msssim_detail?: MsSsimDetail;
  msssim_per_channel?: number[];
  msssim_mean_of_channels?: number;
}

export interface GoldenPair {
  id: string;
  ref: string;
  dist: string;
  mode: 'gray' | 'rgb';
  metrics: Partial<Record<'gray' | 'rgb' | 'y_float' | 'y_uint8', PlaneSetMetrics>>;
  ref_pixels_row_major?: number[];
  dist_pixels_row_major?: number[];
  ref_pixels_row_major_rgb_interleaved?: number[];
  dist_pixels_row_major_rgb_interleaved?: number[];
}

export interface IqaGolden {
  pairs: GoldenPair[];
  tiny: GoldenPair[];
  ssim_settings: Record<string, unknown>;
  msssim_settings: { weights: number[]; scales: number };
}

let iqaCache: IqaGolden | undefined;

export function readIqaGolden(): IqaGolden {
  iqaCache ??= readGoldenJson<IqaGolden>('iqa.json');
  return iqaCache;
}

// ---- planes from golden images (packed, stride = width) ----


/** The single channel of a grey golden PNG as a Uint8 plane. */
export function grayPlane(image: GoldenImage): Plane<Uint8Array> {
  if (image.channels !== 1) throw new Error('not a grey image');
  return { data: image.data, width: image.width, height: image.height, stride: image.width };
}

/** An RGB golden PNG as an interleaved image. */
export function rgbImage(image: GoldenImage): InterleavedImage<Uint8Array> {
  if (image.channels !== 3) throw new Error('not an RGB image');
  return { data: image.data, width: image.width, height: image.height, channels: 3, stride: image.width * 3 };
}

/** Channel c (0 = R, 1 = G, 2 = B) of an RGB golden PNG as a Uint8 plane. */
export function channelPlane(image: GoldenImage, c: number): Plane<Uint8Array> {
  const n = image.width * image.height;
  const data = new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = image.data[i * image.channels + c];
  return { data, width: image.width, height: image.height, stride: image.width };
}
