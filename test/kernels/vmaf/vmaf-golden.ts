// Test-only loader for the libvmaf golden set (../shared/golden/vmaf, README there): decodes a pair's
// videos with ffmpeg to raw 8-bit yuv420p and hands out the luma planes, and reads the vmaf CLI JSON.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planeOf, type Plane } from '../../../src-main/kernels/image/plane';
import { SHARED_DIRS } from '../../helpers/shared-data';

export const VMAF_GOLDEN_DIR = join(SHARED_DIRS.golden, 'vmaf');
export const VMAF_MODELS_DIR = join(SHARED_DIRS.models, 'vmaf');

export const WIDTH = 640;
export const HEIGHT = 360;
const FRAME_BYTES = (WIDTH * HEIGHT * 3) / 2;

export interface GoldenPairSpec {
  readonly name: string;
  readonly reference: string;
  readonly distorted: string;
  readonly frames: number;
}

export function goldenPairs(): GoldenPairSpec[] {
  const manifest = JSON.parse(readFileSync(join(VMAF_GOLDEN_DIR, 'manifest.json'), 'utf8')) as {
    pairs: { name: string; reference: string; distorted: string; frames: number; width: number; height: number }[];
  };
  for (const p of manifest.pairs) {
    if (p.width !== WIDTH || p.height !== HEIGHT) throw new Error(`golden pair ${p.name} is ${p.width}x${p.height}, the loader expects 640x360`);
  }
  return manifest.pairs.map((p) => ({ name: p.name, reference: p.reference, distorted: p.distorted, frames: p.frames }));
}

export type GoldenFrameMetrics = Record<string, number>;

export function goldenResults(pair: string, models = false): GoldenFrameMetrics[] {
  const file = join(VMAF_GOLDEN_DIR, 'results', `${pair}${models ? '.models' : ''}.json`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { frames: { frameNum: number; metrics: GoldenFrameMetrics }[] };
  return json.frames.sort((a, b) => a.frameNum - b.frameNum).map((f) => f.metrics);
}

const decoded = new Map<string, Buffer>();

/** The first `frames` frames of a golden video as raw yuv420p (cached per file). */
export function decodeGolden(relative: string, frames: number): Buffer {
  const key = `${relative}#${frames}`;
  const hit = decoded.get(key);
  if (hit) return hit;
  const out = execFileSync(
    process.env.IQA_FFMPEG ?? 'ffmpeg',
    ['-v', 'error', '-nostdin', '-threads', '1', '-i', join(VMAF_GOLDEN_DIR, relative), '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', '-'],
    { maxBuffer: FRAME_BYTES * frames + 1024 },
  );
  if (out.length !== FRAME_BYTES * frames) throw new Error(`${relative}: decoded ${out.length} bytes, expected ${FRAME_BYTES * frames}`);
  decoded.set(key, out);
  return out;
}

/** md5 of the full decode, to compare with checksums.md5 (the README's check that the decode is the reference one). */
export function md5(buf: Buffer): string {
  return createHash('md5').update(buf).digest('hex');
}

export function lumaPlane(raw: Buffer, frame: number): Plane<Uint8Array> {
  const start = frame * FRAME_BYTES;
  return planeOf(new Uint8Array(raw.buffer, raw.byteOffset + start, WIDTH * HEIGHT), WIDTH, HEIGHT);
}
