/**
 * Videos with known temporal faults for the alignment check: a moving master clip is decoded once to
 * raw frames, and each test video is a list of master frame numbers (repeat one: a duplicate; leave
 * one out: a drop; start later or earlier: an offset) encoded again, losslessly or with x264 at a
 * lossy quality. The reference of a case is usually master frames PAD … PAD+len−1, so a distorted
 * that starts before the reference has real frames to show there.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg } from './media';

export const ALIGN_W = 96;
export const ALIGN_H = 64;
const FRAME_BYTES = (ALIGN_W * ALIGN_H * 3) / 2;

/**
 * A clip where every frame differs from its neighbours at 64 px wide: testsrc2 (its moving parts) with
 * a sliding mandelbrot zoom blended in, so the luma changes everywhere.
 */
export function makeMaster(dir: string, frames: number, filter = ''): Buffer {
  const raw = join(dir, `master${filter ? '-still' : ''}.yuv`);
  const src = `testsrc2=size=${ALIGN_W}x${ALIGN_H}:rate=30[a];mandelbrot=size=${ALIGN_W}x${ALIGN_H}:rate=30[b];[a][b]blend=all_mode=average,format=yuv420p${filter ? ',' + filter : ''}`;
  ffmpeg(['-f', 'lavfi', '-i', src, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', raw]);
  const buf = readFileSync(raw);
  rmSync(raw);
  return buf;
}

/** Encodes master frames `indices` (in that order) at `fps`; lossless by default, else x264 at `crf`. */
export function makeFromFrames(file: string, master: Buffer, indices: readonly number[], options: { fps?: number; crf?: number; extra?: string[] } = {}): string {
  const raw = `${file}.yuv`;
  const out = Buffer.alloc(indices.length * FRAME_BYTES);
  indices.forEach((k, n) => {
    if (k < 0 || (k + 1) * FRAME_BYTES > master.length) throw new RangeError(`master has no frame ${k}`);
    master.copy(out, n * FRAME_BYTES, k * FRAME_BYTES, (k + 1) * FRAME_BYTES);
  });
  writeFileSync(raw, out);
  const quality = options.crf === undefined ? ['-qp', '0'] : ['-crf', String(options.crf)];
  ffmpeg(['-f', 'rawvideo', '-pixel_format', 'yuv420p', '-video_size', `${ALIGN_W}x${ALIGN_H}`, '-framerate', String(options.fps ?? 30), '-i', raw, ...(options.extra ?? []), '-c:v', 'libx264', '-preset', 'ultrafast', ...quality, '-pix_fmt', 'yuv420p', file]);
  rmSync(raw);
  return file;
}

export const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, k) => from + k);
