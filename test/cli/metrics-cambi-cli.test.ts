/**
 * `iqa metrics --metrics cambi --per-frame --json` end to end through the built CLI (bin/iqa.js):
 * ffmpeg decodes the distorted video, the frame pool computes CAMBI per frame; checked against the
 * vmaf CLI's JSON in ../shared/golden/vmaf/results (run with --feature cambi at its defaults). CAMBI
 * is no-reference: it runs on the distorted file alone, and a pair's reference changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { iqa } from '../helpers/cli';
import { makeMp4, makePng, tempDir } from '../helpers/media';
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
