/**
 * One decode per input: kernel metrics (native YUV planes, frame pool) and RGB metrics (BRISQUE in the
 * frame pool, LPIPS in the ONNX worker) asked for together are fed from one ffmpeg per file, which
 * writes both formats from the same decoded frames, and give exactly the values each gives alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { decodeCount } from '../../src-main/services/media/frame-reader';
import { computeMetrics, computeNoReference, computePair } from '../../src-main/services/metrics/compute-pair';
import { createFrameRunner, type FrameRunner } from '../../src-main/services/metrics/frame-pool';
import { ffmpeg, makeMp4, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const haveModels = sharedData('models');
const m = (id: string, params: Record<string, string | number> = {}) => ({ id, params: resolveMetricRequest({ id, params }).params });

let tmp: { dir: string; cleanup: () => void };
let runner: FrameRunner;
let ref: string;
let dist: string;
const saved = process.env.IQA_MODEL_DIR;
beforeAll(() => {
  tmp = tempDir('one-decode');
  process.env.IQA_MODEL_DIR = SHARED_DIRS.models;
  ref = join(tmp.dir, 'ref.mp4');
  dist = join(tmp.dir, 'dist.mp4');
  makeMp4(ref, 1, '96x64', 4);
  ffmpeg(['-i', ref, '-vf', 'gblur=sigma=1.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', dist]);
  runner = createFrameRunner(2);
});
afterAll(async () => {
  await runner.close();
  if (saved === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = saved;
  tmp.cleanup();
});

/** The decoder processes a computation starts, and its result. */
async function counted<T>(f: () => Promise<T>): Promise<{ decodes: number; result: T }> {
  const before = decodeCount();
  const result = await f();
  return { decodes: decodeCount() - before, result };
}

describe('one decode loop per pair', () => {
  it('decodes each side once for two kernel metrics', async () => {
    const { decodes, result } = await counted(() => computePair({ ref, dist }, { metrics: [m('ssim-y'), m('psnr')], runner }));
    expect(decodes).toBe(2);
    expect(result.decoder.split(' | ')).toHaveLength(2);
  });

  it('refuses a metric that needs a reference when there is none, naming it', async () => {
    await expect(computeMetrics({ dist }, { metrics: [m('ssim-y')], runner })).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringContaining('ssim-y needs a reference') });
  });
});

describe.runIf(haveModels)('one decode loop per pair, with RGB metrics', () => {
  it('spawns one decoder per input for SSIM + LPIPS + BRISQUE, each writing both formats', async () => {
    const { decodes, result } = await counted(() => computePair({ ref, dist }, { metrics: [m('ssim-y'), m('lpips'), m('brisque')], runner }));
    expect(decodes).toBe(2);
    const commands = result.decoder.split(' | ');
    expect(commands).toHaveLength(2);
    for (const c of commands) expect(c).toMatch(/split=2.*-pix_fmt yuv420p pipe:1 .*-pix_fmt rgb24 pipe:3/);
    expect(result.errors).toEqual([null, null, null]);
    expect(result.frames).toBe(4);
  });

  it('gives each metric exactly the per-frame values it gives alone', async () => {
    const together = await computePair({ ref, dist }, { metrics: [m('ssim-y'), m('lpips'), m('brisque')], runner });
    const ssim = await computePair({ ref, dist }, { metrics: [m('ssim-y')], runner });
    const lpips = await computePair({ ref, dist }, { metrics: [m('lpips')], runner });
    const brisque = await computeNoReference({ file: dist }, { metrics: [m('brisque')], runner });
    expect(Array.from(together.perFrame[0]!)).toEqual(Array.from(ssim.perFrame[0]!));
    expect(Array.from(together.perFrame[1]!)).toEqual(Array.from(lpips.perFrame[0]!));
    expect(Array.from(together.perFrame[2]!)).toEqual(Array.from(brisque.perFrame[0]!));
    expect(together.pooled).toEqual([ssim.pooled[0], lpips.pooled[0], brisque.pooled[0]]);
  });
});
