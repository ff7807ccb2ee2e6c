// Loader for the shared model parameters and probes (../shared/models, README there). Test-only: Node fs.
// The folder: test/helpers/shared-data.ts (IQA_SHARED_MODELS, else ../shared/models).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Plane } from '../../../src-main/kernels/image/plane';
import { SHARED_DIRS } from '../../helpers/shared-data';

export const MODEL_DIR = SHARED_DIRS.models;

export function readModelJson<T = unknown>(relative: string): T {
  return JSON.parse(readFileSync(path.join(MODEL_DIR, relative), 'utf8')) as T;
}

/** A raw little-endian float32 file (C order) of `count` values. */
export function readModelF32(relative: string, count: number): Float32Array {
  const bytes = readFileSync(path.join(MODEL_DIR, relative));
  if (bytes.byteLength !== count * 4) throw new Error(`${relative}: ${bytes.byteLength} bytes, expected ${count * 4}`);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export interface ProbeImage {
  readonly file: string;
  /** [H, W]. */
  readonly shape: [number, number];
}

export interface BrisqueProbe {
  readonly name: string;
  readonly image: ProbeImage;
  readonly opencv_features: { readonly file: string; readonly shape: [number] };
  readonly opencv_score: number;
  readonly json_svr_score: number;
}

export interface NiqeProbe {
  readonly name: string;
  readonly image: ProbeImage;
  readonly basicsr_niqe: number;
}

/** A probe image (8-bit values stored as float32) as a packed Float32 plane. */
export function probePlane(folder: string, image: ProbeImage): Plane<Float32Array> {
  const [height, width] = image.shape;
  return { data: readModelF32(`${folder}/${image.file}`, width * height), width, height, stride: width };
}

/** The same samples as a Uint8 plane (the probes hold integers 0..255). */
export function toUint8Plane(plane: Plane<Float32Array>): Plane<Uint8Array> {
  const data = new Uint8Array(plane.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = plane.data[i];
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`probe sample ${v} is not an 8-bit value`);
    data[i] = v;
  }
  return { data, width: plane.width, height: plane.height, stride: plane.width };
}

/** A copy of a plane with `pad` extra samples (set to 255) at the end of each row: stride > width. */
export function withStride(plane: Plane<Float32Array>, pad: number): Plane<Float32Array> {
  const stride = plane.width + pad;
  const data = new Float32Array(stride * plane.height).fill(255);
  for (let y = 0; y < plane.height; y++) {
    data.set(plane.data.subarray(y * plane.stride, y * plane.stride + plane.width), y * stride);
  }
  return { data, width: plane.width, height: plane.height, stride };
}

/** A deterministic 8-bit test image: smooth pattern plus LCG noise. */
export function syntheticPlane(width: number, height: number, seed: number, noise = 20): Plane<Uint8Array> {
  const data = new Uint8Array(width * height);
  let state = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const n = (state / 2 ** 32 - 0.5) * 2 * noise;
      const v = 128 + 60 * Math.sin(x / 11) * Math.cos(y / 17) + 30 * Math.sin((x + 2 * y) / 29) + n;
      data[y * width + x] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { data, width, height, stride: width };
}
