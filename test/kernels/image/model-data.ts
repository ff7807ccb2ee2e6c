// Loader for the shared model folder (../shared/models beside the repository root, README there), for the
// image-preprocessing kernel tests. Test-only: Node fs. The folder: test/helpers/shared-data.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SHARED_DIRS } from '../../helpers/shared-data';

export const MODEL_DIR = SHARED_DIRS.models;

export function modelPath(relative: string): string {
  return path.join(MODEL_DIR, relative);
}

function readBytes(relative: string): Buffer {
  const file = modelPath(relative);
  if (!existsSync(file)) throw new Error(`missing shared model file ${file} (set IQA_SHARED_MODELS to the shared/models folder)`);
  return readFileSync(file);
}

export function readModelJson<T = unknown>(relative: string): T {
  return JSON.parse(readBytes(relative).toString('utf8')) as T;
}

/** Raw uint8 file (`.u8`), copied into its own Uint8Array. */
export function readU8(relative: string, expectedLength?: number): Uint8Array {
  const bytes = readBytes(relative);
  if (expectedLength !== undefined && bytes.byteLength !== expectedLength) {
    throw new Error(`${relative}: ${bytes.byteLength} bytes, expected ${expectedLength}`);
  }
  return new Uint8Array(bytes);
}

/** Raw little-endian float32 file (`.f32`, C order, no header). */
export function readF32(relative: string, expectedCount?: number): Float32Array {
  const bytes = readBytes(relative);
  if (bytes.byteLength % 4 !== 0) throw new Error(`${relative}: ${bytes.byteLength} bytes is not a whole number of float32`);
  const count = bytes.byteLength / 4;
  if (expectedCount !== undefined && count !== expectedCount) throw new Error(`${relative}: ${count} floats, expected ${expectedCount}`);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** The goldens.json of a `*-arch/resize_goldens` folder (only the fields the tests use). */
export interface ResizeGoldens {
  readonly source: { readonly file: string; readonly shape: readonly [number, number, number] };
  readonly outputs: Record<string, { readonly file: string; readonly shape: readonly number[]; readonly how: string }>;
}

export function readResizeGoldens(folder: string): ResizeGoldens {
  return readModelJson<ResizeGoldens>(`${folder}/resize_goldens/goldens.json`);
}

/** Largest |a[i] − b[i]| over the first `n` samples (NaN anywhere gives NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = Math.min(a.length, b.length)): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/** Number of samples that differ at all. */
export function countDiffs(a: ArrayLike<number>, b: ArrayLike<number>, n = Math.min(a.length, b.length)): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) k++;
  return k;
}
