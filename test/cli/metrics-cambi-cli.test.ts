/**
 * `iqa metrics --metrics cambi --per-frame --json` end to end through the built CLI (bin/iqa.js):
 * ffmpeg decodes the distorted video, the frame pool computes CAMBI per frame; checked against the
 * vmaf CLI's JSON in ../shared/golden/vmaf/results (run with --feature cambi at its defaults). CAMBI
 * is no-reference: it runs on the distorted file alone, and a pair's reference changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cambi } from '../../src-main/kernels/vmaf/cambi';
import { iqa } from '../helpers/cli';
import { ffmpeg, makeMp4, makePng, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const haveGolden = sharedData('golden');
const GOLDEN = join(SHARED_DIRS.golden, 'vmaf');
// The vmaf CLI prints 6 decimals: equal to that precision.
const PRINTED = 5e-7 + 1e-9;

interface GoldenJson {
  frames: { frameNum: number; metrics: Record<string, number> }[];
  pooled_metrics: Record<string, Record<string, number>>;
}
const golden = (pair: string): GoldenJson => JSON.parse(readFileSync(join(GOLDEN, 'results', `${pair}.json`), 'utf8')) as GoldenJson;
const cambiFrames = (g: GoldenJson) => [...g.frames].sort((a, b) => a.frameNum - b.frameNum).map((f) => f.metrics.cambi!);

interface Out {
  ref: string | null;
  frames: number;
  metrics: Record<string, { value: number; perFrame?: number[] }>;
}

function run(args: string[]): Out {
  const r = iqa(['metrics', ...args, '--json']);
  expect(r.stderr.split('\n').filter((l) => l.startsWith('iqa:'))).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Out;
}

describe('iqa metrics --metrics cambi', () => {
  it.runIf(haveGolden)('p02_mandelbrot__x264_crf35 alone: per frame and the pooled mean, as the vmaf CLI', () => {
    const out = run(['--dist', join(GOLDEN, 'dist/p02_mandelbrot__x264_crf35.mp4'), '--metrics', 'cambi', '--per-frame']);
    expect(out.ref).toBeNull();
    expect(out.frames).toBe(30);
    expect(Object.keys(out.metrics)).toEqual(['cambi']);
    const g = golden('p02_mandelbrot__x264_crf35');
    const expected = cambiFrames(g);
    const m = out.metrics.cambi!;
    expect(m.perFrame).toHaveLength(30);
    const worst = Math.max(...m.perFrame!.map((v, k) => Math.abs(v - expected[k]!)));
    expect(worst).toBeLessThanOrEqual(PRINTED);
    expect(Math.abs(m.value - g.pooled_metrics.cambi!.mean!)).toBeLessThanOrEqual(PRINTED);
  });

  it.runIf(haveGolden)('p01_testsrc2__scale_half_bicubic with its reference and a full-reference metric: the same CAMBI; harmonic pooling as libvmaf', () => {
    const pair = ['--ref', join(GOLDEN, 'ref/p01_testsrc2.mkv'), '--dist', join(GOLDEN, 'dist/p01_testsrc2__scale_half_bicubic.mkv')];
    const g = golden('p01_testsrc2__scale_half_bicubic');
    const expected = cambiFrames(g);
    const withRef = run([...pair, '--metrics', 'psnr-y,cambi', '--per-frame']);
    expect(Object.keys(withRef.metrics)).toEqual(['psnr-y', 'cambi']);
    const worst = Math.max(...withRef.metrics.cambi!.perFrame!.map((v, k) => Math.abs(v - expected[k]!)));
    expect(worst).toBeLessThanOrEqual(PRINTED);
    // libvmaf's harmonic_mean of a feature is n / Σ 1/(v + 1) − 1.
    const harmonic = run([...pair, '--metrics', 'cambi', '--pooling', 'harmonic']);
    expect(Math.abs(harmonic.metrics.cambi!.value - g.pooled_metrics.cambi!.harmonic_mean!)).toBeLessThanOrEqual(PRINTED);
  });

  it.runIf(haveGolden)('a 10-bit video reaches the kernel at 10 bits (no anti-dithering, no reduction to 8 bits)', () => {
    const tmp = tempDir('cambi-10bit');
    try {
      const file = join(tmp.dir, 'dist10.mkv');
      const frames = 4;
      ffmpeg(['-i', join(GOLDEN, 'dist/p02_mandelbrot__x264_crf35.mp4'), '-frames:v', String(frames), '-pix_fmt', 'yuv420p10le', '-c:v', 'ffv1', file]);
      const raw = execFileSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p10le', '-'], { maxBuffer: 64 << 20 });
      const [w, h] = [640, 360];
      const frameSamples = (w * h * 3) / 2;
      const samples = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
      expect(samples.length).toBe(frames * frameSamples);
      const cambi = new Cambi(w, h, 10);
      const expected = Array.from({ length: frames }, (_, k) => cambi.score({ data: samples.subarray(k * frameSamples, k * frameSamples + w * h), width: w, height: h, stride: w }));
      const out = run(['--dist', file, '--metrics', 'cambi', '--per-frame']);
      const got = out.metrics.cambi!.perFrame!;
      expect(got).toHaveLength(frames);
      got.forEach((v, k) => expect(v, `frame ${k}`).toBeCloseTo(expected[k]!, 12));
      // At 10 bits the score is not the 8-bit one (which is anti-dithered): the engine did not reduce the depth.
      const eight = new Cambi(w, h, 8);
      const dist8 = execFileSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 64 << 20 });
      expect(got[0]).not.toBeCloseTo(eight.score({ data: new Uint8Array(dist8.buffer, dist8.byteOffset, w * h), width: w, height: h, stride: w }), 6);
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses, in one line, a picture smaller than libvmaf takes and an RGB image', () => {
    const tmp = tempDir('cambi-cli');
    try {
      makeMp4(join(tmp.dir, 'small.mp4'), 1, '96x64', 3);
      makePng(join(tmp.dir, 'rgb.png'), 1, '320x240');
      for (const [file, message] of [
        ['small.mp4', /CAMBI needs a picture at least 216 pixels wide or high.*96x64/],
        ['rgb.png', /CAMBI is computed on the luma of YUV/],
      ] as const) {
        const r = iqa(['metrics', '--dist', join(tmp.dir, file), '--metrics', 'cambi', '--json']);
        expect(r.code, file).not.toBe(0);
        const lines = r.stderr.trim().split('\n').filter((l) => l.startsWith('iqa:'));
        expect(lines, file).toHaveLength(1);
        expect(lines[0], file).toMatch(message);
      }
    } finally {
      tmp.cleanup();
    }
  });
});
