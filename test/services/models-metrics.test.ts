/**
 * LPIPS and CNNIQA as metrics: the pure preprocessing kernels (kernels/nn), and the service
 * functions against running the ONNX graph directly with onnxruntime-node in the test process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { cnniqaGrid, cnniqaPatches, pilGrey } from '../../src-main/kernels/nn/cnniqa-patches';
import { lpipsTensorFromPixels } from '../../src-main/kernels/nn/lpips-input';
import { compareTensors, withinTolerance } from '../../src-main/kernels/nn/tensor-compare';
import { cnniqaScore } from '../../src-main/services/models/cnniqa';
import { OnnxInference } from '../../src-main/services/models/inference';
import { lpipsPair, lpipsPairs } from '../../src-main/services/models/lpips';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const SHARED_MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');

function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

/** A deterministic RGB test picture: smooth gradients plus a hashed texture. */
function picture(w: number, h: number, seed: number, noise = 0): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const base = [128 + 100 * Math.sin(x / 9 + seed), 128 + 90 * Math.cos(y / 7), ((x ^ y) * 3) & 255];
      for (let c = 0; c < 3; c++) out[i + c] = Math.max(0, Math.min(255, Math.round(base[c]! + noise * (rnd() - 0.5))));
    }
  }
  return out;
}

async function expectInput(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await expect(p).rejects.toBeInstanceOf(IqaError);
  await expect(p).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(pattern) });
}

describe('LPIPS input kernel', () => {
  it('maps 8-bit RGB to planar NCHW v/127.5 − 1', () => {
    const rgb = new Uint8Array([0, 127, 255, 10, 20, 30]); // 2×1
    const t = lpipsTensorFromPixels(rgb, 2, 1);
    expect(Array.from(t)).toEqual([0, 10, 127, 20, 255, 30].map((v) => Math.fround(v / 127.5 - 1)));
  });

  it('replicates grey, skips alpha and honours the row stride', () => {
    const grey = new Uint8Array([51, 102, 0, 0, 153, 204, 0, 0]); // 2×2, stride 4
    expect(Array.from(lpipsTensorFromPixels(grey, 2, 2, { channels: 1, stride: 4 }))).toEqual([51, 102, 153, 204, 51, 102, 153, 204, 51, 102, 153, 204].map((v) => Math.fround(v / 127.5 - 1)));
    const rgba = new Uint8Array([1, 2, 3, 99, 4, 5, 6, 99]);
    expect(Array.from(lpipsTensorFromPixels(rgba, 2, 1, { channels: 4 }))).toEqual([1, 4, 2, 5, 3, 6].map((v) => Math.fround(v / 127.5 - 1)));
  });

  it('refuses a buffer too short for the size', () => {
    expect(() => lpipsTensorFromPixels(new Uint8Array(11), 2, 2)).toThrow(RangeError);
  });
});

describe('CNNIQA preprocessing kernel', () => {
  it("converts to grey as PIL convert('L') (16-bit fixed point L24, rounded half up)", () => {
    const rgb = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 37, 37, 37, 200, 100, 50]);
    // PIL: red 76, green 150, blue 29, white 255, grey keeps its level, (200,100,50) -> 124
    expect(Array.from(pilGrey(rgb, 6, 1))).toEqual([76, 150, 29, 255, 37, 124]);
  });

  it('cuts patches at range(0, n − 32, 32): a multiple of 32 drops the last row or column', () => {
    expect(cnniqaGrid(512, 384)).toEqual({ rows: 11, cols: 15 }); // 165 patches, as upstream's demo size
    expect(cnniqaGrid(64, 64)).toEqual({ rows: 1, cols: 1 });
    expect(cnniqaGrid(65, 96)).toEqual({ rows: 2, cols: 2 });
    expect(cnniqaGrid(32, 100)).toEqual({ rows: 3, cols: 0 });
  });

  it('lays out patches row-major as grey/255', () => {
    const w = 70;
    const h = 40;
    const grey = new Uint8Array(w * h).map((_, i) => i % 251);
    const p = cnniqaPatches(grey, w, h);
    expect([p.rows, p.cols, p.count]).toEqual([1, 2, 2]);
    expect(p.data.length).toBe(2 * 32 * 32);
    expect(p.data[1024 + 5 * 32 + 7]).toBe(Math.fround(grey[5 * w + 32 + 7]! / 255));
    expect(p.data[31 * 32 + 31]).toBe(Math.fround(grey[31 * w + 31]! / 255));
  });

  it('tensor comparison reports abs, rel-to-max and non-finite values', () => {
    const e = compareTensors(new Float32Array([1, 2.5, 0]), new Float32Array([1, 2, 0]));
    expect(e).toMatchObject({ maxAbs: 0.5, refMaxAbs: 2, relToMax: 0.25, allFinite: true });
    expect(withinTolerance(e, { maxAbs: 0.5, relToMax: null })).toBe(true);
    expect(withinTolerance(e, { maxAbs: 0.5, relToMax: 0.2 })).toBe(false);
    expect(withinTolerance(compareTensors(new Float32Array([NaN]), new Float32Array([0])), { maxAbs: 1, relToMax: null })).toBe(false);
  });
});

describe.skipIf(!haveModels)('LPIPS and CNNIQA through the engine', () => {
  let inference: OnnxInference;
  const saved = process.env.IQA_MODEL_DIR;
  beforeAll(() => {
    ensureWorkerBuilt();
    process.env.IQA_MODEL_DIR = SHARED_MODELS;
    inference = new OnnxInference();
  });
  afterAll(async () => {
    await inference.close();
    if (saved === undefined) delete process.env.IQA_MODEL_DIR;
    else process.env.IQA_MODEL_DIR = saved;
  });

  const W = 96;
  const H = 64;
  const ref = picture(W, H, 1);
  const dist = picture(W, H, 1, 60);

  it('lpipsPair equals running the ONNX graph directly on the same pair, map included', async () => {
    const r = await lpipsPair(ref, dist, W, H, { inference, map: true });
    const session = await InferenceSession.create(join(SHARED_MODELS, 'lpips-alex/lpips_alex_v0.1.onnx'));
    const toNchw = (rgb: Uint8Array) => {
      const t = new Float32Array(3 * W * H);
      for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) t[c * W * H + i] = rgb[i * 3 + c]! / 127.5 - 1;
      return new Tensor('float32', t, [1, 3, H, W]);
    };
    const direct = await session.run({ img0: toNchw(ref), img1: toNchw(dist) });
    await session.release();
    const d = (direct.distance!.data as Float32Array)[0]!;
    expect(r.distance).toBeGreaterThan(0.01);
    // same runtime, same input bits: only thread-count reduction order could differ
    expect(Math.abs(r.distance - d)).toBeLessThanOrEqual(1e-6);
    expect(r.map!.length).toBe(W * H);
    expect(compareTensors(r.map!, direct.spatial_map!.data as Float32Array).maxAbs).toBeLessThanOrEqual(1e-5);
    expect(r.modelId).toBe('lpips-alex');
    expect(r.provider).toMatch(/^(cpu|cuda)$/);
    expect(r.modelSha256).toBe('20f235b98cf641b8df89c7d5675d5a7a59a3246780386536da276972fec8a347');
  });

  it('LPIPS(x, x) = 0 for both backbones, and grows with the distortion', async () => {
    for (const model of ['lpips-alex', 'lpips-squeeze'] as const) {
      const same = await lpipsPair(ref, ref, W, H, { inference, model });
      expect(same.distance, model).toBeLessThanOrEqual(1e-7);
      const mild = await lpipsPair(ref, picture(W, H, 1, 15), W, H, { inference, model });
      const strong = await lpipsPair(ref, dist, W, H, { inference, model });
      expect(strong.distance).toBeGreaterThan(mild.distance);
    }
  });

  it('lpipsPairs gives the distances of the single pairs, in order', async () => {
    const dists = [dist, ref, picture(W, H, 1, 15)];
    const batch = await lpipsPairs(dists.map((d) => ({ ref, dist: d })), W, H, { inference, model: 'lpips-squeeze' });
    expect(batch.distances.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      const one = await lpipsPair(ref, dists[i]!, W, H, { inference, model: 'lpips-squeeze' });
      expect(Math.abs(batch.distances[i]! - one.distance)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('LPIPS refuses images smaller than 32 pixels and short buffers with E_INPUT', async () => {
    await expectInput(lpipsPair(new Uint8Array(16 * 16 * 3), new Uint8Array(16 * 16 * 3), 16, 16, { inference }), /at least 32×32/);
    await expectInput(lpipsPair(ref, dist.subarray(10), W, H, { inference }), /distorted image: pixel buffer holds/);
  });

  it('cnniqaScore on 512×384 is the mean of the graph over its 165 patches', async () => {
    const w = 512;
    const h = 384;
    const rgb = picture(w, h, 3, 40);
    const r = await cnniqaScore(rgb, w, h, { inference, patchScores: true });
    expect([r.patches, r.rows, r.cols]).toEqual([165, 11, 15]);
    const p = cnniqaPatches(pilGrey(rgb, w, h), w, h);
    const session = await InferenceSession.create(join(SHARED_MODELS, 'cnniqa/cnniqa_live.onnx'));
    const direct = (await session.run({ patches: new Tensor('float32', p.data, [p.count, 1, 32, 32]) })).scores!.data as Float32Array;
    await session.release();
    expect(compareTensors(r.patchScores!, direct).maxAbs).toBeLessThanOrEqual(1e-3); // scores ~10..100, float32 batch-order noise
    const mean = direct.reduce((a, b) => a + b, 0) / direct.length;
    expect(Math.abs(r.score - mean)).toBeLessThanOrEqual(1e-4);
    expect(r.modelId).toBe('cnniqa-live');
    const grey = await cnniqaScore(pilGrey(rgb, w, h), w, h, { inference, layout: { channels: 1 } });
    expect(grey.score).toBe(r.score);
  });

  it('CNNIQA scores noise worse (higher) than a smooth picture, and refuses images of 32 pixels or less', async () => {
    const smooth = await cnniqaScore(picture(128, 96, 5), 128, 96, { inference });
    const noisy = await cnniqaScore(picture(128, 96, 5, 120), 128, 96, { inference });
    expect(noisy.score).toBeGreaterThan(smooth.score);
    await expectInput(cnniqaScore(new Uint8Array(32 * 64 * 3), 64, 32, { inference }), /larger than 32×32/);
  });
});
