/**
 * Neural and no-reference metrics through the engine's decode path (ffmpeg -> 8-bit RGB -> model or
 * kernel), against the reference scores stored with the shared models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { computeNoReference, computePair } from '../../src-main/services/metrics/compute-pair';
import { createFrameRunner } from '../../src-main/services/metrics/frame-pool';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { lpipsPair } from '../../src-main/services/models';
import { goldenPath } from '../helpers/golden';
import { tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');
// Tolerances: BRISQUE vs OpenCV's own score, the documented JSON-SVR gap (0.0022) plus margin;
// NIQE vs BasicSR, float32-vs-float64 in BasicSR's half-scale resize (measured 2.1e-5);
// LPIPS through the decode path must equal the direct call on the same pixels (same graph, same input).
const BRISQUE_TOL = 0.003;
const NIQE_TOL = 1e-4;

const m = (id: string, params: Record<string, string | number> = {}) => ({ id, params: resolveMetricRequest({ id, params }).params });

let tmp: { dir: string; cleanup: () => void };
const saved = process.env.IQA_MODEL_DIR;
beforeAll(() => {
  tmp = tempDir('rgb-metrics');
  process.env.IQA_MODEL_DIR = MODELS;
});
afterAll(() => {
  if (saved === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = saved;
  tmp.cleanup();
});

/** A probe (8-bit grey values stored as float32) written as a grey PNG, the way a user would have it. */
function probePng(folder: string, file: string, h: number, w: number): string {
  const buf = readFileSync(join(MODELS, folder, file));
  const values = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const png = new PNG({ width: w, height: h, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(Uint8Array.from(values));
  const out = join(tmp.dir, `${folder}-${file.replace(/\W+/g, '_')}.png`);
  writeFileSync(out, PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false }));
  return out;
}

describe.runIf(haveModels)('no-reference metrics from image files', () => {
  it('BRISQUE matches OpenCV on every probe', async () => {
    const probes = JSON.parse(readFileSync(join(MODELS, 'brisque/probes.json'), 'utf8')).probes as { name: string; image: { file: string; shape: [number, number] }; opencv_score: number }[];
    for (const p of probes) {
      const file = probePng('brisque', p.image.file, ...p.image.shape);
      const r = await computeNoReference({ file }, { metrics: [m('brisque')] });
      expect(Math.abs(r.pooled[0]! - p.opencv_score), p.name).toBeLessThanOrEqual(BRISQUE_TOL);
      expect(r.models[0]).toMatchObject({ modelId: 'brisque-live', provider: 'kernel' });
    }
  });

  it('NIQE matches BasicSR on every probe (grey images are used as they are)', async () => {
    const probes = JSON.parse(readFileSync(join(MODELS, 'niqe/probes.json'), 'utf8')).probes as { name: string; image: { file: string; shape: [number, number] }; basicsr_niqe: number }[];
    for (const p of probes) {
      const file = probePng('niqe', p.image.file, ...p.image.shape);
      const r = await computeNoReference({ file }, { metrics: [m('niqe')] });
      expect(Math.abs(r.pooled[0]! - p.basicsr_niqe), p.name).toBeLessThanOrEqual(NIQE_TOL);
    }
  });

  it('refuses a full-reference metric without a reference', async () => {
    await expect(computeNoReference({ file: goldenPath('images/camera.png') }, { metrics: [m('psnr')] })).rejects.toThrow(/needs a reference/);
  });
});

describe.runIf(haveModels)('LPIPS through the engine', () => {
  it('equals the direct model call on the same pixels, and records model and provider', async () => {
    const ref = goldenPath('images/chelsea.png');
    const dist = goldenPath('images/chelsea__jpeg_q10.png');
    const r = await computePair({ ref, dist }, { metrics: [m('lpips'), m('psnr')], runner: createFrameRunner(0) });
    const rgb = (f: string) => {
      const png = PNG.sync.read(readFileSync(f));
      const out = new Uint8Array(png.width * png.height * 3);
      for (let i = 0; i < png.width * png.height; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = png.data[4 * i + c]!;
      return { data: out, w: png.width, h: png.height };
    };
    const a = rgb(ref);
    const b = rgb(dist);
    const direct = await lpipsPair(a.data, b.data, a.w, a.h);
    expect(r.pooled[0]).toBe(direct.distance);
    expect(r.models[0]).toMatchObject({ modelId: 'lpips-alex', provider: 'cpu' });
    expect(r.models[1]).toBeNull();
    const same = await computePair({ ref, dist: ref }, { metrics: [m('lpips')], runner: createFrameRunner(0) });
    expect(same.pooled[0]).toBeLessThan(1e-6);
  });

  it('a missing model is a typed error before anything is decoded, and other metrics still work', async () => {
    process.env.IQA_MODEL_DIR = join(tmp.dir, 'empty-models');
    try {
      const ref = goldenPath('images/chelsea.png');
      await expect(computePair({ ref, dist: ref }, { metrics: [m('lpips')], runner: createFrameRunner(0) })).rejects.toMatchObject({ code: 'E_MODEL' });
      const ok = await computePair({ ref, dist: ref }, { metrics: [m('psnr')], runner: createFrameRunner(0) });
      expect(ok.pooled[0]).toBe(Infinity);
    } finally {
      process.env.IQA_MODEL_DIR = MODELS;
    }
  });
});

describe.runIf(haveModels)('NIMA through the engine (architecture graph: pipeline check, not scores)', () => {
  it("gives the probe's reference output for the image it was made from", async () => {
    // The nima-arch `photo` probe is chelsea.u8 resized by keras load_img; chelsea.u8 is the golden chelsea.png.
    const probes = JSON.parse(readFileSync(join(MODELS, 'nima-arch/probes.json'), 'utf8')).probes as { name: string; outputs: Record<string, { file: string }> }[];
    const photo = probes.find((p) => p.name === 'photo')!;
    const ref = (name: string) => {
      const b = readFileSync(join(MODELS, 'nima-arch', photo.outputs[name]!.file));
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))[0]!;
    };
    const r = await computeNoReference({ file: goldenPath('images/chelsea.png') }, { metrics: [m('nima', { model: 'nima-arch' }), m('nima', { model: 'nima-arch', output: 'std' })] });
    // manifest tolerance for nima-arch: abs 1e-4 (onnxruntime vs PyTorch)
    expect(Math.abs(r.pooled[0]! - ref('mean_score'))).toBeLessThanOrEqual(1e-4);
    expect(Math.abs(r.pooled[1]! - ref('std_score'))).toBeLessThanOrEqual(1e-4);
  });
});
