/**
 * The viewer's pixels (services/viewer/frame-pixels.ts): frame k decoded by seeking equals frame k of
 * a full sequential decode, byte for byte, for a keyframe-sparse H.264 file with B-frames and for an
 * intra-only FFV1 file; images give frame 0; past the end is an E_INPUT.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { rgb24Format } from '../../src-main/services/media/decode-format';
import { FrameReader } from '../../src-main/services/media/frame-reader';
import { framePixels } from '../../src-main/services/viewer/frame-pixels';
import { seekFor } from '../../src-main/services/viewer/pair-decoder';
import { ffmpeg, makePng, tempDir } from '../helpers/media';

let tmp: { dir: string; cleanup: () => void };
const W = 96;
const H = 64;
const N = 12;

/** Every frame of a file as rgb24, read from frame 0 (the slow way the viewer avoids). */
async function allFrames(file: string): Promise<Uint8Array[]> {
  const reader = new FrameReader(file, rgb24Format(W, H));
  const out: Uint8Array[] = [];
  try {
    for (;;) {
      const buf = new Uint8Array(W * H * 3);
      if (!(await reader.read(buf))) break;
      out.push(buf);
    }
  } finally {
    reader.close();
  }
  return out;
}

beforeAll(() => {
  tmp = tempDir('viewer-pixels');
  const src = `testsrc2=s=${W}x${H}:r=25`;
  // Keyframes every 5 frames and B-frames: a seek must decode from the keyframe before frame k.
  ffmpeg(['-f', 'lavfi', '-i', src, '-frames:v', String(N), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '5', '-bf', '2', '-qp', '0', join(tmp.dir, 'ref.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', `${src},noise=alls=30:allf=t`, '-frames:v', String(N), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-g', '5', '-bf', '2', '-crf', '30', join(tmp.dir, 'dist.mp4')]);
  ffmpeg(['-i', join(tmp.dir, 'ref.mp4'), '-c:v', 'ffv1', join(tmp.dir, 'ref.mkv')]);
  ffmpeg(['-i', join(tmp.dir, 'dist.mp4'), '-c:v', 'ffv1', join(tmp.dir, 'dist.mkv')]);
  makePng(join(tmp.dir, 'ref.png'), 0, `${W}x${H}`);
  makePng(join(tmp.dir, 'dist.png'), 0, `${W}x${H}`, 'gblur=sigma=2');
});
afterAll(() => tmp.cleanup());

describe('framePixels', () => {
  it('seeks on the input half a frame before a video frame past the first; selects without a frame rate', () => {
    expect(seekFor(7, 25)).toEqual({ inputSeekS: 6.5 / 25, select: 0 });
    expect(seekFor(0, 25)).toEqual({ inputSeekS: null, select: 0 });
    expect(seekFor(3, null)).toEqual({ inputSeekS: null, select: 3 });
  });

  for (const ext of ['mp4', 'mkv']) {
    it(`gives frame k of a ${ext} pair byte for byte as a sequential decode does`, async () => {
      const ref = join(tmp.dir, `ref.${ext}`);
      const dist = join(tmp.dir, `dist.${ext}`);
      const [refAll, distAll] = await Promise.all([allFrames(ref), allFrames(dist)]);
      expect(refAll.length).toBe(N);
      for (const k of [0, 1, 4, 5, 6, 9, N - 1]) {
        const p = await framePixels({ ref, dist }, k);
        expect([p.width, p.height, p.frames, p.frame]).toEqual([W, H, N, k]);
        expect(p.fps).toBe(25);
        expect(Buffer.compare(Buffer.from(p.ref), Buffer.from(refAll[k]!)), `ref frame ${k}`).toBe(0);
        expect(Buffer.compare(Buffer.from(p.dist), Buffer.from(distAll[k]!)), `dist frame ${k}`).toBe(0);
      }
    });
  }

  it('gives the one frame of an image pair, and refuses a frame past the end', async () => {
    const p = await framePixels({ ref: join(tmp.dir, 'ref.png'), dist: join(tmp.dir, 'dist.png') }, 0);
    expect([p.width, p.height, p.ref.length, p.dist.length]).toEqual([W, H, W * H * 3, W * H * 3]);
    expect(Buffer.compare(Buffer.from(p.ref), Buffer.from(p.dist))).not.toBe(0);
    const err = await framePixels({ ref: join(tmp.dir, 'ref.mkv'), dist: join(tmp.dir, 'dist.mkv') }, N).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IqaError);
    expect((err as IqaError).code).toBe('E_INPUT');
    expect((err as IqaError).message).toContain('past the end');
  });
});
