/**
 * Probe parity: each shared ONNX model, run through the engine's worker (real onnxruntime-node),
 * against the reference outputs of the original PyTorch network, under the manifest's tolerance.
 * The tolerances (and why) are in models/manifest.json → probes.tolerance.reason; they restate
 * shared/models/README.md and the provenance.md files. I3D runs two of its five probes to keep the suite
 * short; `iqa models verify i3d-arch` runs them all.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxInference } from '../../src-main/services/models/inference';
import { manifestEntry } from '../../src-main/services/models/manifest';
import { verifyModel, type ModelVerification } from '../../src-main/services/models/verify';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const SHARED_MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');

/** The worker runs from the build; (re)build it when missing or older than its source. */
function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

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

function expectPass(v: ModelVerification, probes: string[]): void {
  expect(v.skipped).toBeUndefined();
  expect(v.state).toBe('installed');
  expect(v.probes.map((p) => p.probe)).toEqual(probes);
  const failures = v.probes.flatMap((p) => p.outputs.filter((o) => !o.pass).map((o) => `${p.probe}.${o.name}: max abs ${o.maxAbs}, rel to max ${o.relToMax}`));
  expect(failures).toEqual([]);
  expect(v.pass).toBe(true);
  expect(v.provider).toMatch(/^(cpu|cuda)$/);
}

describe.skipIf(!haveModels)('model probes through the engine match the reference network', () => {
  it('lpips-alex: all 4 probes within abs 1e-5 (measured ORT vs torch ≤ 5.4e-7)', async () => {
    const v = await verifyModel('lpips-alex', { inference });
    expect(v.tolerance).toEqual(manifestEntry('lpips-alex').probes!.tolerance);
    expectPass(v, ['probe0', 'probe1', 'probe2', 'probe3']);
    // probe 2 holds identical images: LPIPS(x, x) is exactly 0 in the reference and here
    expect(v.probes[2]!.outputs.find((o) => o.name === 'distance')!.maxAbs).toBe(0);
  });

  it('lpips-squeeze: all 4 probes within abs 1e-5', async () => {
    expectPass(await verifyModel('lpips-squeeze', { inference }), ['probe0', 'probe1', 'probe2', 'probe3']);
  });

  it('cnniqa-live: both probes within abs 5e-3 on scores of about 100 (measured 9.5e-4)', async () => {
    expectPass(await verifyModel('cnniqa-live', { inference }), ['probe0', 'probe1']);
  });

  it('nima-arch: all 3 probes within abs 1e-4 and 1e-4 of the largest reference value', async () => {
    const v = await verifyModel('nima-arch', { inference });
    expect(v.comparable).toBe(false);
    expectPass(v, ['smooth', 'noise', 'photo']);
  });

  it('fid-inception-arch: all 3 probes within abs 1e-3 and 2e-4 of the largest reference value', async () => {
    const v = await verifyModel('fid-inception-arch', { inference });
    expect(v.comparable).toBe(false);
    expectPass(v, ['smooth', 'noise', 'photo']);
    expect(v.probes[0]!.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['pool3', [1, 2048]],
      ['logits', [1, 1008]],
      ['logits_unbiased', [1, 1008]],
    ]);
  });

  it('i3d-arch: a 16-frame probe and the derived T = 11 one (odd T: asymmetric temporal pads) within abs 1e-3 and 2e-4 rel', async () => {
    const v = await verifyModel('i3d-arch', { inference, probes: ['smooth', 'noise_T11'] });
    expectPass(v, ['smooth', 'noise_T11']);
  });
});
