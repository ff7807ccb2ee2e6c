/**
 * The full-reference engine end to end: ffmpeg decode -> frame kernels -> pooling, against the golden
 * values, against ffmpeg's own filters, across thread counts, and on bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computePair, type ResolvedMetric } from '../../src-main/services/metrics/compute-pair';
import { createFrameRunner, type FrameRunner } from '../../src-main/services/metrics/frame-pool';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { IqaError } from '../../src-main/common/errors';
import { goldenPath, readGoldenJson } from '../helpers/golden';
import { ffmpeg, makePng, tempDir } from '../helpers/media';

// Tolerances. The kernels work in float64 on the exact decoded samples, so the golden float64
// references should agree to round-off; the ceilings are 1e-6 dB (PSNR) and 1e-5 (SSIM).
const PSNR_REL_TOL = 1e-9; // relative, float64 round-off in the sum of squares
const SSIM_ABS_TOL = 1e-9; // absolute, float64 filtering order differs from SciPy's
// ffmpeg's stats files print SSIM with 6 decimals and PSNR with 2.
const FFMPEG_SSIM_TOL = 5e-7 + 1e-9;
const FFMPEG_PSNR_TOL = 0.005 + 1e-9;

const m = (id: string, params: Record<string, string | number> = {}): ResolvedMetric => ({ id, params: resolveMetricRequest({ id, params }).params });

interface GoldenPair {
  id: string;
  ref: string;
  dist: string;
  mode: 'gray' | 'rgb';
  metrics: Record<string, Record<string, number | null | unknown>>;
}

let inline: FrameRunner;
let pool: FrameRunner;
let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  inline = createFrameRunner(0);
  pool = createFrameRunner(2);
  tmp = tempDir('metrics');
});
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

const expectPsnr = (got: number, want: number | null) => {
  if (want === null) expect(got).toBe(Infinity);
  else expect(Math.abs(got - want) / want).toBeLessThanOrEqual(PSNR_REL_TOL);
};

describe('golden parity through the decode path (PNG -> ffmpeg rawvideo -> kernels)', () => {
  const pairs = readGoldenJson<{ pairs: GoldenPair[] }>('iqa.json').pairs;
  it.each(pairs.map((p) => [p.id, p] as const))('%s', async (_id, p) => {
    const metrics = [m('mse'), m('psnr'), m('ssim'), m('psnr-y'), m('ssim-y'), m('ms-ssim-y'), m('psnr-y', { luma: 'y_uint8' }), m('ssim-y', { luma: 'y_uint8' })];
    const r = await computePair({ ref: goldenPath(p.ref), dist: goldenPath(p.dist) }, { metrics, runner: inline });
    expect(r.frames).toBe(1);
    const [mse, psnr, ssim, psnrY, ssimY, msssimY, psnrY8, ssimY8] = r.pooled as number[];
    const all = (p.mode === 'gray' ? p.metrics.gray : p.metrics.rgb) as Record<string, number | null>;
    const y = (p.mode === 'gray' ? p.metrics.gray : p.metrics.y_float) as Record<string, number | null>;
    const y8 = (p.mode === 'gray' ? p.metrics.gray : p.metrics.y_uint8) as Record<string, number | null>;
    expect(Math.abs(mse! - all.mse!)).toBeLessThanOrEqual(Math.max(all.mse!, 1) * PSNR_REL_TOL);
    expectPsnr(psnr!, all.psnr!);
    expect(Math.abs(ssim! - all.ssim!)).toBeLessThanOrEqual(SSIM_ABS_TOL);
    expectPsnr(psnrY!, y.psnr!);
    expect(Math.abs(ssimY! - y.ssim!)).toBeLessThanOrEqual(SSIM_ABS_TOL);
    expect(Math.abs(msssimY! - y.msssim!)).toBeLessThanOrEqual(SSIM_ABS_TOL);
    expectPsnr(psnrY8!, y8.psnr!);
    expect(Math.abs(ssimY8! - y8.ssim!)).toBeLessThanOrEqual(SSIM_ABS_TOL);
  });
});

describe('videos', () => {
  let ref: string;
  let dist: string;
  beforeAll(() => {
    ref = join(tmp.dir, 'ref.mkv');
    dist = join(tmp.dir, 'dist.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=192x176:rate=25', '-frames:v', '12', '-pix_fmt', 'yuv420p', '-c:v', 'ffv1', ref]);
    ffmpeg(['-i', ref, '-c:v', 'libx264', '-crf', '38', '-pix_fmt', 'yuv420p', join(tmp.dir, 'dist.mp4')]);
    ffmpeg(['-i', join(tmp.dir, 'dist.mp4'), '-c:v', 'ffv1', dist]);
  });

  it('gives identical per-frame values on the main thread and in 2 worker threads', async () => {
    const metrics = [m('psnr'), m('psnr-y'), m('psnr-yuv'), m('ssim'), m('ssim-y'), m('ms-ssim-y')];
    const a = await computePair({ ref, dist }, { metrics, runner: inline });
    const b = await computePair({ ref, dist }, { metrics, runner: pool });
    expect(a.frames).toBe(12);
    for (let k = 0; k < metrics.length; k++) expect(Array.from(b.perFrame[k]!)).toEqual(Array.from(a.perFrame[k]!));
  });

  // 192x176 keeps the 4:2:0 chroma (96 wide) away from the widths where ffmpeg's x86 SSIM reads past
  // the row end (see kernels/metrics/ssim-ffmpeg.ts).
  it("matches ffmpeg's own psnr and ssim filters frame by frame", async () => {
    const psnrLog = join(tmp.dir, 'psnr.log');
    const ssimLog = join(tmp.dir, 'ssim.log');
    ffmpeg(['-i', dist, '-i', ref, '-lavfi', `[0][1]psnr=stats_file=${psnrLog};[0][1]ssim=stats_file=${ssimLog}`, '-f', 'null', '-']);
    const field = (line: string, key: string) => Number(new RegExp(`${key}:(\\S+)`).exec(line)![1]);
    const psnrLines = readFileSync(psnrLog, 'utf8').trim().split('\n');
    const ssimLines = readFileSync(ssimLog, 'utf8').trim().split('\n');
    const r = await computePair({ ref, dist }, { metrics: [m('psnr-y'), m('psnr'), m('ssim-y', { variant: 'ffmpeg' }), m('ssim', { variant: 'ffmpeg' })], runner: pool });
    expect(r.frames).toBe(psnrLines.length);
    for (let k = 0; k < r.frames; k++) {
      expect(Math.abs(r.perFrame[0]![k]! - field(psnrLines[k]!, 'psnr_y'))).toBeLessThanOrEqual(FFMPEG_PSNR_TOL);
      expect(Math.abs(r.perFrame[1]![k]! - field(psnrLines[k]!, 'psnr_avg'))).toBeLessThanOrEqual(FFMPEG_PSNR_TOL);
      expect(Math.abs(r.perFrame[2]![k]! - field(ssimLines[k]!, 'Y'))).toBeLessThanOrEqual(FFMPEG_SSIM_TOL);
      expect(Math.abs(r.perFrame[3]![k]! - field(ssimLines[k]!, 'All'))).toBeLessThanOrEqual(FFMPEG_SSIM_TOL);
    }
  });

  it('keeps 10-bit video at 10 bits (peak 1023), as ffmpeg does', async () => {
    const ref10 = join(tmp.dir, 'ref10.mkv');
    const dist10 = join(tmp.dir, 'dist10.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=128x96:rate=25', '-frames:v', '4', '-pix_fmt', 'yuv420p10le', '-c:v', 'ffv1', ref10]);
    ffmpeg(['-i', ref10, '-vf', 'noise=alls=8:allf=t', '-pix_fmt', 'yuv420p10le', '-c:v', 'ffv1', dist10]);
    const log = join(tmp.dir, 'psnr10.log');
    ffmpeg(['-i', dist10, '-i', ref10, '-lavfi', `[0][1]psnr=stats_file=${log}`, '-f', 'null', '-']);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const r = await computePair({ ref: ref10, dist: dist10 }, { metrics: [m('psnr-y'), m('ssim-y')], runner: inline });
    expect(r.format).toMatchObject({ layout: 'yuv', bitDepth: 10, pixFmt: 'yuv420p10le' });
    lines.forEach((line, k) => expect(Math.abs(r.perFrame[0]![k]! - Number(/psnr_y:(\S+)/.exec(line)![1]))).toBeLessThanOrEqual(FFMPEG_PSNR_TOL));
    expect(r.pooled[1]).toBeGreaterThan(0.5);
    expect(r.pooled[1]).toBeLessThan(1);
  });

  it('pools per-frame values as asked (mean by default, min, harmonic)', async () => {
    const metrics = [m('psnr-y')];
    const mean = await computePair({ ref, dist }, { metrics, runner: inline });
    const min = await computePair({ ref, dist }, { metrics, runner: inline, pooling: 'min' });
    const values = Array.from(mean.perFrame[0]!);
    expect(mean.pooled[0]).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 12);
    expect(min.pooled[0]).toBe(Math.min(...values));
  });

  it('refuses different frame counts unless told to truncate or skip', async () => {
    const short = join(tmp.dir, 'short.mkv');
    ffmpeg(['-i', dist, '-frames:v', '9', '-c:v', 'ffv1', short]);
    const err = await computePair({ ref, dist: short }, { metrics: [m('psnr')], runner: inline }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IqaError);
    expect((err as IqaError).code).toBe('E_MISMATCH');
    expect((err as IqaError).message).toContain('frame counts differ: reference 12, distorted 9');
    const truncated = await computePair({ ref, dist: short }, { metrics: [m('psnr')], runner: inline, policy: { truncate: true } });
    expect(truncated.frames).toBe(9);
    const skipped = await computePair({ ref, dist: short }, { metrics: [m('psnr')], runner: inline, policy: { skipRef: 3 } });
    expect(skipped.frames).toBe(9);
  });

  it('names a truncated file that decodes fewer frames than its container declares, also under --truncate', async () => {
    // The index (moov) is at the front, so the cut file still declares all its frames.
    const whole = join(tmp.dir, 'whole.mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25', '-frames:v', '30', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole]);
    const other = join(tmp.dir, 'other.mp4');
    ffmpeg(['-i', whole, '-vf', 'noise=alls=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', other]);
    const cut = join(tmp.dir, 'whole-cut.mp4');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    // Strict decoding already fails at the cut packet; with decode errors accepted (concealed), the
    // declared frame count still catches the truncation.
    const name = cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const [acceptDecodeErrors, message] of [[false, 'damaged: the decoder reported an error at frame \\d+'], [true, 'decoding stopped after \\d+ of the 30 frames its container declares']] as const) {
      for (const policy of [{}, { truncate: true }]) {
        const err = await computePair({ ref: cut, dist: other }, { metrics: [m('psnr-y')], runner: inline, policy, acceptDecodeErrors }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(IqaError);
        expect((err as IqaError).code).toBe('E_MEDIA');
        expect((err as IqaError).message).toMatch(new RegExp(`^${name}: ${message}`));
      }
    }
    // Complete files are not affected by the check.
    const r = await computePair({ ref: whole, dist: other }, { metrics: [m('psnr-y')], runner: inline, policy: { truncate: true } });
    expect(r.frames).toBe(30);
  });

  it('reports a truncated video file as a typed error naming it', async () => {
    const cut = join(tmp.dir, 'cut.mkv');
    const bytes = readFileSync(dist);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = await computePair({ ref, dist: cut }, { metrics: [m('psnr')], runner: inline }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IqaError);
    expect(['E_MISMATCH', 'E_MEDIA']).toContain((err as IqaError).code);
    expect((err as IqaError).message).toContain(cut);
  });
});

describe('errors while frames are in the worker pool', () => {
  it('come back as one typed error after the frames in flight, so the pool can be closed at once (no stray worker message)', async () => {
    // Every frame of an 8×8 video fails in the workers (smaller than the SSIM window); before the fix the
    // first failure left the loop with other frames in flight, and closing the pool then made piscina
    // throw "Unexpected message from Worker" as an uncaught error (vitest reports those as failures).
    const tiny = join(tmp.dir, 'tiny.mkv');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=8x8:r=25', '-frames:v', '40', '-c:v', 'ffv1', tiny]);
    for (let run = 0; run < 4; run++) {
      const pool = createFrameRunner(2);
      const err = await computePair({ ref: tiny, dist: tiny }, { metrics: [m('ssim-y')], runner: pool }).catch((e: unknown) => e);
      await pool.close();
      expect(err).toBeInstanceOf(IqaError);
      expect((err as IqaError).message).toContain('smaller than the 11x11 SSIM window');
    }
    // pool.close() has terminated the workers; a message they sent before that is already queued, so two
    // turns of the event loop (not a timer) let it surface as the uncaught error vitest reports.
    for (let turn = 0; turn < 2; turn++) await new Promise((r) => setImmediate(r));
  });
});

describe('images: edge cases', () => {
  it('identical inputs give PSNR +Infinity, SSIM 1 and MS-SSIM 1', async () => {
    const f = goldenPath('images/astronaut.png');
    const r = await computePair({ ref: f, dist: f }, { metrics: [m('psnr'), m('psnr-y'), m('ssim'), m('ms-ssim-y'), m('mse')], runner: inline });
    expect(r.pooled).toEqual([Infinity, Infinity, 1, 1, 0]);
  });

  it('mismatched sizes are a typed error unless a scaler is chosen', async () => {
    const a = join(tmp.dir, 'a.png');
    const b = join(tmp.dir, 'b.png');
    makePng(a, 1, '64x48');
    makePng(b, 1, '32x24');
    const err = await computePair({ ref: a, dist: b }, { metrics: [m('psnr')], runner: inline }).catch((e: unknown) => e);
    expect((err as IqaError).code).toBe('E_MISMATCH');
    expect((err as IqaError).message).toContain('sizes differ: reference 64x48, distorted 32x24');
    const scaled = await computePair({ ref: a, dist: b }, { metrics: [m('psnr')], runner: inline, policy: { scale: 'bicubic' } });
    expect(Number.isFinite(scaled.pooled[0])).toBe(true);
  });

  it('an image smaller than the SSIM window is a typed error, while PSNR still works', async () => {
    const tiny = join(tmp.dir, 'tiny.png');
    const tiny2 = join(tmp.dir, 'tiny2.png');
    makePng(tiny, 1, '8x8');
    makePng(tiny2, 2, '8x8');
    const err = await computePair({ ref: tiny, dist: tiny2 }, { metrics: [m('ssim-y')], runner: inline }).catch((e: unknown) => e);
    expect((err as IqaError).code).toBe('E_UNSUPPORTED');
    expect((err as IqaError).message).toMatch(/tiny2\.png vs reference .*tiny\.png: .*11/);
    const psnr = await computePair({ ref: tiny, dist: tiny2 }, { metrics: [m('psnr')], runner: inline });
    expect(Number.isFinite(psnr.pooled[0])).toBe(true);
  });

  it('a 1x1 image gives PSNR and refuses SSIM', async () => {
    const one = join(tmp.dir, 'one.png');
    const two = join(tmp.dir, 'two.png');
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-vf', 'scale=1:1', '-frames:v', '1', one]);
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=blue:s=16x16', '-vf', 'scale=1:1', '-frames:v', '1', two]);
    const r = await computePair({ ref: one, dist: two }, { metrics: [m('psnr')], runner: inline });
    expect(r.pooled[0]).toBeGreaterThan(0);
    await expect(computePair({ ref: one, dist: two }, { metrics: [m('ssim')], runner: inline })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });

  it('a grey PNG against an RGB PNG is a typed mismatch', async () => {
    const err = await computePair({ ref: goldenPath('images/camera.png'), dist: goldenPath('images/astronaut.png') }, { metrics: [m('psnr')], runner: inline }).catch((e: unknown) => e);
    expect((err as IqaError).code).toBe('E_MISMATCH');
    expect((err as IqaError).message).toMatch(/colour layout or bit depth differs: reference 512x512 gray 8-bit .* distorted 512x512 rgb 8-bit/);
  });

  it('16-bit PNGs are compared at 16 bits (peak 65535), and studio-swing luma is refused for them', async () => {
    const a = join(tmp.dir, 'a16.png');
    const b = join(tmp.dir, 'b16.png');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x48', '-frames:v', '1', '-pix_fmt', 'rgb48be', a]);
    ffmpeg(['-i', a, '-vf', 'gblur=sigma=1', '-pix_fmt', 'rgb48be', b]);
    const r = await computePair({ ref: a, dist: b }, { metrics: [m('psnr'), m('ssim'), m('psnr-y', { luma: 'bt709-full' })], runner: inline });
    expect(r.format).toMatchObject({ layout: 'rgb', bitDepth: 16 });
    expect(r.pooled.every((v) => Number.isFinite(v))).toBe(true);
    // Reference value computed here from the 16-bit samples (ffmpeg's rgb48le dump): MSE over all
    // samples, peak 65535; and ffmpeg's own psnr filter ("average", the same pooled convention).
    const raw = (f: string) => {
      const out = join(tmp.dir, `${f.split('/').pop()}.rgb48`);
      ffmpeg(['-i', f, '-f', 'rawvideo', '-pix_fmt', 'rgb48le', out]);
      const buf = readFileSync(out);
      return new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
    };
    const [ra, rb] = [raw(a), raw(b)];
    let se = 0;
    for (let i = 0; i < ra.length; i++) se += (ra[i]! - rb[i]!) ** 2;
    const expected = 10 * Math.log10((65535 * 65535) / (se / ra.length));
    expect(Math.abs(r.pooled[0]! - expected) / expected).toBeLessThan(PSNR_REL_TOL);
    const ff = spawnSync(process.env.IQA_FFMPEG ?? 'ffmpeg', ['-hide_banner', '-i', b, '-i', a, '-lavfi', '[0][1]psnr', '-f', 'null', '-'], { encoding: 'utf8' });
    const average = Number(/average:([0-9.]+)/.exec(ff.stderr)![1]);
    expect(Math.abs(r.pooled[0]! - average)).toBeLessThan(1e-5); // ffmpeg prints 6 decimals
    await expect(computePair({ ref: a, dist: b }, { metrics: [m('psnr-y')], runner: inline })).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });

  it('psnr-yuv refuses RGB images with a reason', async () => {
    const f = goldenPath('images/astronaut.png');
    await expect(computePair({ ref: f, dist: f }, { metrics: [m('psnr-yuv')], runner: inline })).rejects.toThrow(/psnr-yuv needs YUV input/);
  });
});

describe('the ffmpeg SSIM variant on RGB images', () => {
  it('works on luma rounded to integers (the y_uint8 convention)', async () => {
    const p = readGoldenJson<{ pairs: GoldenPair[] }>('iqa.json').pairs.find((x) => x.id === 'astronaut__blur_s1')!;
    const r = await computePair({ ref: goldenPath(p.ref), dist: goldenPath(p.dist) }, {
      metrics: [m('ssim-y', { variant: 'ffmpeg' }), m('ssim-y', { variant: 'ffmpeg', luma: 'y_uint8' }), m('ssim', { variant: 'ffmpeg' })],
      runner: inline,
    });
    expect(r.pooled[0]).toBe(r.pooled[1]);
    expect(r.pooled[0]).toBeGreaterThan(0.5);
    expect(r.pooled[2]).toBeGreaterThan(0.5);
  });
});
