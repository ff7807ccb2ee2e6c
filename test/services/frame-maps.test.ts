/**
 * One frame's quality map for the viewer (services/metrics/frame-maps.ts) and its contract command
 * viewer.frameMap: real ffmpeg decode, the golden SSIM map, the per-frame values the engine stores.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { IqaError } from '../../src-main/common/errors';
import { computePair } from '../../src-main/services/metrics/compute-pair';
import { createFrameRunner, type FrameRunner } from '../../src-main/services/metrics/frame-pool';
import { frameMap } from '../../src-main/services/metrics/frame-maps';
import { closeSharedInference } from '../../src-main/services/models/inference';
import { goldenPath, readGoldenF32 } from '../helpers/golden';
import { ffmpeg, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const params = (id: string, p: Record<string, string | number> = {}) => resolveMetricRequest({ id, params: p }).params;
/** The golden map is float32 from float64 skimage; ours is float32 from float64: rounding of both. */
const MAP_ABS_TOL = 1e-6;
const MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');

let tmp: { dir: string; cleanup: () => void };
let runner: FrameRunner;
let ref: string;
let dist: string;
const savedModelDir = process.env.IQA_MODEL_DIR;

beforeAll(() => {
  tmp = tempDir('frame-maps');
  runner = createFrameRunner(0);
  ref = join(tmp.dir, 'ref.mkv');
  dist = join(tmp.dir, 'dist.mkv');
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=96x64:r=25', '-frames:v', '8', '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', ref]);
  // Noise that changes per frame, so every frame has its own SSIM.
  ffmpeg(['-i', ref, '-vf', 'noise=alls=20:allf=t', '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', dist]);
  process.env.IQA_MODEL_DIR = MODELS;
});
afterAll(async () => {
  if (savedModelDir === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = savedModelDir;
  await closeSharedInference();
  await runner.close();
  tmp.cleanup();
});

describe('frameMap: SSIM', () => {
  it("gives the golden full SSIM map of an RGB image pair's Y (skimage full=True), element by element", async () => {
    const golden = readGoldenF32('maps/ssim_map__chelsea__jpeg_q10__y_float.f32');
    const m = await frameMap({ ref: goldenPath('images/chelsea.png'), dist: goldenPath('images/chelsea__jpeg_q10.png') }, 'ssim-y', params('ssim-y'), 0);
    expect([m.height, m.width]).toEqual(golden.shape);
    let worst = 0;
    for (let i = 0; i < golden.data.length; i++) worst = Math.max(worst, Math.abs(m.map[i]! - golden.data[i]!));
    expect(worst).toBeLessThan(MAP_ABS_TOL);
    expect(m.value).toBeCloseTo(golden.meta.mean_ssim_valid_region as number, 9);
  });

  it('maps frame k of a video with the value the engine stores for that frame', async () => {
    const stored = await computePair({ ref, dist }, { metrics: [{ id: 'ssim-y', params: params('ssim-y') }], runner });
    for (const k of [0, 5, 7]) {
      const m = await frameMap({ ref, dist }, 'ssim-y', params('ssim-y'), k);
      expect(m.frame).toBe(k);
      expect([m.width, m.height]).toEqual([96, 64]);
      expect(m.value).toBe(stored.perFrame[0]![k]);
      // Past the first frame the decoders seek on the input (viewer/pair-decoder.ts), they do not decode from frame 0.
      if (k > 0) expect(m.decoder).toContain("-ss ");
    }
    expect(new Set([0, 5, 7].map((k) => stored.perFrame[0]![k])).size).toBe(3);
  });

  it('refuses a frame past the end and the ffmpeg variant (no per-pixel map) with typed errors', async () => {
    const past = await frameMap({ ref, dist }, 'ssim-y', params('ssim-y'), 8).catch((e: unknown) => e);
    expect(past).toBeInstanceOf(IqaError);
    expect((past as IqaError).message).toContain('frame 8 is past the end (the pair has 8 frames');
    await expect(frameMap({ ref, dist }, 'ssim-y', params('ssim-y', { variant: 'ffmpeg' }), 0)).rejects.toMatchObject({ code: 'E_UNSUPPORTED' });
  });
});

describe.skipIf(!haveModels)('frameMap: LPIPS', () => {
  it('gives the spatial map and the distance the engine stores for that frame', async () => {
    const stored = await computePair({ ref, dist }, { metrics: [{ id: 'lpips', params: params('lpips') }], runner });
    const m = await frameMap({ ref, dist }, 'lpips', params('lpips'), 3);
    expect([m.width, m.height]).toEqual([96, 64]);
    expect(m.map.length).toBe(96 * 64);
    expect(m.value).toBeCloseTo(stored.perFrame[0]![3]!, 6);
    expect(m.model).toMatchObject({ modelId: 'lpips-alex', comparable: true });
    expect(Math.min(...m.map)).toBeGreaterThanOrEqual(0);
  });
});
