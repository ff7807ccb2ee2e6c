/**
 * A damaged H.264 file made deterministically: random bytes written inside the mdat at seeded offsets
 * (the moov index stays intact, so ffprobe still reads the file as whole). ffmpeg conceals such damage
 * and exits 0; these files prove the app does not.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { ffmpeg } from './media';

/** mulberry32: a small seeded generator, so the damage is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The payload of the top-level mdat box of an MP4 (32-bit box sizes: the files here are small). */
function mdatRange(bytes: Buffer): { start: number; end: number } {
  for (let pos = 0; pos + 8 <= bytes.length; ) {
    const size = bytes.readUInt32BE(pos);
    if (bytes.toString('latin1', pos + 4, pos + 8) === 'mdat') return { start: pos + 8, end: pos + size };
    if (size < 8) break;
    pos += size;
  }
  throw new Error('no mdat box');
}

/** A copy with four 16-byte runs of random bytes at seeded offsets inside the mdat (the moov stays intact). */
function damage(src: string, dst: string, seed: number): void {
  const bytes = Buffer.from(readFileSync(src));
  const { start, end } = mdatRange(bytes);
  const rnd = seeded(seed);
  for (let k = 0; k < 4; k++) {
    const at = start + 64 + Math.floor(rnd() * (end - start - 128));
    for (let j = 0; j < 16; j++) bytes[at + j] = Math.floor(rnd() * 256);
  }
  writeFileSync(dst, bytes);
}

/** What a plain `ffmpeg -v error … -f null -` prints: the proof that a damaged copy really makes the decoder complain. */
function ffmpegErrors(file: string): string {
  const r = spawnSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8' });
  return r.stderr;
}

/**
 * Writes an intact clip to `ref` (testsrc2, 160x120, a keyframe every 8 frames) and returns a damaged
 * copy beside it: the first seed whose damage ffmpeg itself reports (random bytes can also parse as
 * valid syntax, and such a copy would prove nothing).
 */
export function makeDamagedClip(ref: string, frames: number): string {
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25', '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '8', ref]);
  if (ffmpegErrors(ref) !== '') throw new Error(`${ref}: the intact clip already makes ffmpeg report errors`);
  for (let seed = 1; seed <= 20; seed++) {
    const candidate = ref.replace(/\.mp4$/, `-damaged-${seed}.mp4`);
    damage(ref, candidate, seed);
    if (ffmpegErrors(candidate).trim()) return candidate;
  }
  throw new Error('no seed produced a decoder error');
}
