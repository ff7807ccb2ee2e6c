/**
 * IQA-CNN++ through the engine (services/models/iqacnnpp.ts, real onnxruntime-node in the inference
 * worker), with the committed random-weight graph installed into a model directory of the test's own:
 *  - the probes (float64 NumPy forward pass on the weights read from the file) pass `verifyModel`;
 *  - both heads equal the ONNX model run directly in this process on the same patches;
 *  - the pooled quality and distortion distribution of a golden image equal the NumPy pipeline's;
 *  - a user's own export installs with --as and runs (unverified); the random graph is refused as it;
 *  - a missing model is one typed E_MODEL line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { pilGrey } from '../../src-main/kernels/nn/cnniqa-patches';
import { iqacnnppPatches } from '../../src-main/kernels/nn/iqacnnpp-patches';
import { OnnxInference } from '../../src-main/services/models/inference';
import { installModel } from '../../src-main/services/models/install';
import { iqacnnppScore } from '../../src-main/services/models/iqacnnpp';
import { modelStatus } from '../../src-main/services/models/model-store';
import { verifyModel } from '../../src-main/services/models/verify';
import { readGoldenPng } from '../helpers/golden';
import { tempDir } from '../helpers/media';
import { sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const ARCH = join(REPO, 'models/iqacnnpp-arch/iqacnnpp_arch.onnx');
const FIXTURE = join(REPO, 'test/kernels/nn/fixtures/iqacnnpp-chelsea.json');
/**
 * Pooled values vs the float64 reference: the network runs in float32 (outputs ~1e-2..0.2, float32
 * accumulation over ≤ 576-term dot products gives ~1e-7); 1e-5 leaves a wide margin for other CPUs.
 */
const POOLED_TOL = 1e-5;
/** The worker and a session in this process run the same graph on the same bytes; batching may differ. */
const SAME_ENGINE_TOL = 1e-6;

function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

let tmp: { dir: string; cleanup: () => void };
let modelsDir: string;
let inference: OnnxInference;

beforeAll(async () => {
  ensureWorkerBuilt();
  tmp = tempDir('iqacnnpp');
  modelsDir = join(tmp.dir, 'models');
  await installModel(ARCH, { dir: modelsDir });
  inference = new OnnxInference({ dir: modelsDir, providers: ['cpu'] });
});
afterAll(async () => {
  await inference?.close();
  tmp?.cleanup();
});

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('IQA-CNN++ (random-weight architecture) in the engine', () => {
  it('installs with its hash and passes its probes against the NumPy forward pass', async () => {
    expect((await modelStatus('iqacnnpp-arch', { dir: modelsDir })).state).toBe('installed');
    const v = await verifyModel('iqacnnpp-arch', { dir: modelsDir, inference });
    expect(v.comparable).toBe(false);
    expect(v.probes.map((p) => p.probe)).toEqual(['smooth', 'noise', 'checker']);
    const failures = v.probes.flatMap((p) => p.outputs.filter((o) => !o.pass).map((o) => `${p.probe}.${o.name}: ${o.maxAbs}`));
    expect(failures).toEqual([]);
    expect(v.pass).toBe(true);
  });

  it.skipIf(!sharedData('golden'))('both heads equal the model run directly; the pooled values equal the NumPy pipeline', async () => {
    const img = readGoldenPng('images/chelsea.png');
    const r = await iqacnnppScore(img.data, img.width, img.height, { model: 'iqacnnpp-arch', perPatch: true, inference });
    expect([r.rows, r.cols, r.patches]).toEqual([9, 14, 126]);
    expect(r.comparable).toBe(false);
    expect(r.labels).toEqual(['JPEG2000', 'JPEG', 'white noise', 'Gaussian blur', 'fast fading']);
    expect(r.provider).toBe('cpu');

    const p = iqacnnppPatches(pilGrey(img.data, img.width, img.height), img.width, img.height);
    const session = await ort.InferenceSession.create(ARCH, { executionProviders: ['cpu'] });
    try {
      const out = await session.run({ patches: new ort.Tensor('float32', p.data, [p.count, 1, 32, 32]) });
      expect(maxAbs(r.patchQuality!, out.quality!.data as Float32Array)).toBeLessThanOrEqual(SAME_ENGINE_TOL);
      expect(maxAbs(r.patchProbs!, out.distortion_probs!.data as Float32Array)).toBeLessThanOrEqual(SAME_ENGINE_TOL);
      // The probability head is the softmax of the logit head, patch by patch.
      const logits = out.distortion_logits!.data as Float32Array;
      for (let i = 0; i < p.count; i++) {
        const row = Array.from(logits.subarray(i * 5, i * 5 + 5));
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        expect(maxAbs(e.map((v) => v / s), r.patchProbs!.subarray(i * 5, i * 5 + 5))).toBeLessThan(1e-6);
      }
    } finally {
      await session.release();
    }

    const fx = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { quality: number; distortion: number[] };
    expect(Math.abs(r.quality - fx.quality)).toBeLessThanOrEqual(POOLED_TOL);
    expect(maxAbs(r.distortion, fx.distortion)).toBeLessThanOrEqual(POOLED_TOL);
    expect(r.distortion.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const best = fx.distortion.indexOf(Math.max(...fx.distortion));
    expect(r.top).toBe(r.labels[best]);
  });

  it("a user's own export installs with --as iqacnnpp, unverified, and runs; the random graph is refused as it", async () => {
    const exportDir = join(tmp.dir, 'export');
    // Another seed stands in for trained weights: same signature, different numbers, unknown hash.
    execFileSync(process.execPath, [join(REPO, 'models/export/arch_iqacnnpp.mjs'), '--out', exportDir, '--seed', '7'], { stdio: 'pipe' });
    const own = join(tmp.dir, 'own-models');
    await expect(installModel(ARCH, { dir: own, as: 'iqacnnpp' })).rejects.toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/random-weight graph of iqacnnpp-arch/) });
    await installModel(join(exportDir, 'iqacnnpp_arch.onnx'), { dir: own, as: 'iqacnnpp' });
    expect((await modelStatus('iqacnnpp', { dir: own })).state).toBe('unverified');
    const ownInference = new OnnxInference({ dir: own, providers: ['cpu'] });
    try {
      const img = new Uint8Array(64 * 96 * 3).map((_, i) => (i * 37) % 251);
      const a = await iqacnnppScore(img, 96, 64, { model: 'iqacnnpp', inference: ownInference });
      const b = await iqacnnppScore(img, 96, 64, { model: 'iqacnnpp-arch', inference });
      expect(a.comparable).toBe(true);
      expect(a.patches).toBe(6);
      expect(a.quality).not.toBe(b.quality);
    } finally {
      await ownInference.close();
    }
  });

  it('a missing model is a one-line E_MODEL naming the file and how to get it', async () => {
    const empty = new OnnxInference({ dir: join(tmp.dir, 'no-models'), providers: ['cpu'] });
    try {
      const err = await iqacnnppScore(new Uint8Array(32 * 32 * 3), 32, 32, { inference: empty }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IqaError);
      expect((err as IqaError).code).toBe('E_MODEL');
      expect((err as IqaError).message).toMatch(/^model iqacnnpp is not installed: iqacnnpp\.onnx .*iqacnnpp_export\.py/);
      expect((err as IqaError).message).not.toMatch(/\n/);
    } finally {
      await empty.close();
    }
  });

  it('an image smaller than one patch is E_INPUT', async () => {
    await expect(iqacnnppScore(new Uint8Array(31 * 40 * 3), 40, 31, { model: 'iqacnnpp-arch', inference })).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});
