/**
 * The model layer's contract: the manifest validates and matches the shared files, the model
 * directory is found (flat or per-model folders), and a missing, wrong-hash or corrupt model is an
 * E_MODEL error that names the model, the file and how to get it, while other models keep working.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { sha256File } from '../../src-main/services/models/file-hash';
import { OnnxInference, batchSizeFor, defaultMemoryBudget } from '../../src-main/services/models/inference';
import { loadManifest, manifestEntry, parseManifest } from '../../src-main/services/models/manifest';
import { installModel } from '../../src-main/services/models/install';
import { listModels, modelDir, modelStatus, requireModel } from '../../src-main/services/models/model-store';
import { verifyModel } from '../../src-main/services/models/verify';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const SHARED_MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');
const shared = (rel: string) => join(SHARED_MODELS, rel);

function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

async function rejection(p: Promise<unknown>): Promise<IqaError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(IqaError);
    return err as IqaError;
  }
  throw new Error('expected a rejection');
}

const BRIEF_IDS = ['lpips-alex', 'lpips-squeeze', 'lpips-vgg', 'cnniqa-live', 'fid-inception', 'fid-inception-arch', 'i3d-kinetics400', 'i3d-arch', 'nima-mobilenet', 'nima-arch', 'brisque-live', 'niqe-live'];
const SHIPPED = ['lpips-alex', 'lpips-squeeze', 'cnniqa-live', 'fid-inception-arch', 'i3d-arch', 'nima-arch', 'brisque-live', 'niqe-live'];

let tmp: string;
const savedDir = process.env.IQA_MODEL_DIR;
const savedUser = process.env.IQA_USER_DATA;
beforeAll(() => {
  ensureWorkerBuilt();
  tmp = mkdtempSync(join(tmpdir(), 'iqa-models-'));
  process.env.IQA_MODEL_DIR = SHARED_MODELS;
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
  if (savedDir === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = savedDir;
  if (savedUser === undefined) delete process.env.IQA_USER_DATA;
  else process.env.IQA_USER_DATA = savedUser;
});

describe('model manifest', () => {
  it('lists every supported model once, with its preprocessing, licence and source', () => {
    const ids = loadManifest().models.map((m) => m.id);
    for (const id of BRIEF_IDS) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of loadManifest().models) {
      expect(m.licence.note.length).toBeGreaterThan(0);
      expect(m.source.export.length).toBeGreaterThan(0);
      if (m.format === 'onnx') expect(m.inputs.length).toBeGreaterThan(0);
    }
  });

  it('marks the random-weight graphs as not comparable', () => {
    for (const id of ['fid-inception-arch', 'i3d-arch', 'nima-arch', 'iqacnnpp-arch']) {
      const m = manifestEntry(id);
      expect(m.comparable).toBe(false);
      expect(m.comparableNote).toBe('random weights: outputs are not metric values');
      expect(manifestEntry(m.archOf!).comparable).toBe(true);
    }
    expect(loadManifest().models.filter((m) => !m.comparable).map((m) => m.id).sort()).toEqual(['fid-inception-arch', 'i3d-arch', 'iqacnnpp-arch', 'nima-arch']);
  });

  it('records the published checkpoint hash of pytorch-fid and no invented ones', () => {
    expect(manifestEntry('fid-inception').source.checkpoint!.sha256).toBe('6726825d0af5f729cebd5821db510b11b1cfad8faad88a03f1befd49fb9129b2');
    expect(manifestEntry('fid-inception').files[0]!.sha256).toBeNull();
    expect(manifestEntry('nima-mobilenet').source.checkpoint!.sha256).toBeNull();
    expect(manifestEntry('cnniqa-live').licence.redistributable).toBe(false);
  });

  it('refuses a malformed manifest with E_INTERNAL naming the field', () => {
    const doc = JSON.parse(JSON.stringify(loadManifest())) as { models: Record<string, unknown>[] };
    delete doc.models[0]!.sha256;
    (doc.models[0]!.files as { sha256: unknown }[])[0]!.sha256 = 'not-a-hash';
    expect(() => parseManifest(doc)).toThrow(/models\.0\.files\.0\.sha256/);
    const dup = JSON.parse(JSON.stringify(loadManifest())) as { models: unknown[] };
    dup.models.push(dup.models[0]);
    expect(() => parseManifest(dup)).toThrow(/unique/);
    const arch = JSON.parse(JSON.stringify(loadManifest())) as { models: Record<string, unknown>[] };
    delete arch.models.find((m) => m.id === 'nima-arch')!.comparableNote;
    expect(() => parseManifest(arch)).toThrow(/comparableNote/);
  });

  it('an unknown model id is E_INPUT listing the known ids', () => {
    expect(() => manifestEntry('lpips-foo')).toThrow(/unknown model "lpips-foo" \(known: lpips-alex, /);
  });
});

describe('model directory', () => {
  it('is IQA_MODEL_DIR, else <user data>/models', () => {
    expect(modelDir()).toBe(resolve(SHARED_MODELS));
    const saved = process.env.IQA_MODEL_DIR;
    delete process.env.IQA_MODEL_DIR;
    process.env.IQA_USER_DATA = join(tmp, 'user');
    try {
      expect(modelDir()).toBe(join(tmp, 'user', 'models'));
    } finally {
      process.env.IQA_MODEL_DIR = saved;
    }
  });

  it.skipIf(!haveModels)('finds the shared files in their folders with the manifest hashes; the others are missing', async () => {
    const list = await listModels();
    const state = Object.fromEntries(list.map((m) => [m.id, m.state]));
    for (const id of SHIPPED) expect(state[id], id).toBe('installed');
    for (const id of ['lpips-vgg', 'fid-inception', 'i3d-kinetics400', 'nima-mobilenet']) expect(state[id], id).toBe('missing');
    const alex = list.find((m) => m.id === 'lpips-alex')!;
    expect(alex.files[0]).toMatchObject({ path: shared('lpips-alex/lpips_alex_v0.1.onnx'), actualSha256: manifestEntry('lpips-alex').files[0]!.sha256 });
  });

  it.skipIf(!haveModels)('hashes a file once per process and again when it changes', async () => {
    const f = join(tmp, 'hash-me.bin');
    writeFileSync(f, 'abc');
    const first = sha256File(f);
    expect(sha256File(f)).toBe(first); // the same cached promise
    expect(await first).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    writeFileSync(f, 'abcd');
    utimesSync(f, new Date(), new Date(Date.now() + 5000));
    expect(await sha256File(f)).toBe('88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589');
  });
});

describe.skipIf(!haveModels)('missing, wrong and corrupt models', () => {
  let inference: OnnxInference;
  let flat: string;
  beforeAll(() => {
    // a flat model directory holding only LPIPS-squeeze
    flat = join(tmp, 'flat');
    mkdirSync(flat, { recursive: true });
    copyFileSync(shared('lpips-squeeze/lpips_squeeze_v0.1.onnx'), join(flat, 'lpips_squeeze_v0.1.onnx'));
    inference = new OnnxInference({ dir: flat });
  });
  afterAll(() => inference.close());

  const pair = (size = 64) => {
    const n = 3 * size * size;
    const a = new Float32Array(n).map((_, i) => Math.sin(i * 0.01));
    const b = new Float32Array(n).map((_, i) => Math.sin(i * 0.011));
    return { img0: { data: a, dims: [1, 3, size, size] }, img1: { data: b, dims: [1, 3, size, size] } };
  };

  it('a missing model is E_MODEL naming the model, the file, where it looked and how to get it; other models still work', async () => {
    const err = await rejection(inference.run('lpips-alex', pair()));
    expect(err.code).toBe('E_MODEL');
    expect(err.message).toContain('model lpips-alex is not installed: lpips_alex_v0.1.onnx');
    expect(err.message).toContain(flat);
    expect(err.message).toContain('PerceptualSimilarity');
    expect(err.message).toContain('iqa models install <path to lpips_alex_v0.1.onnx>');
    expect(err.details).toMatchObject({ modelId: 'lpips-alex', file: 'lpips_alex_v0.1.onnx', expectedSha256: manifestEntry('lpips-alex').files[0]!.sha256 });
    const ok = await inference.run('lpips-squeeze', pair());
    expect(ok.outputs.distance!.dims).toEqual([1]);
    expect(ok.outputs.distance!.data[0]).toBeGreaterThan(0);
    expect(ok.provider).toMatch(/^(cpu|cuda)$/);
    expect(ok.modelSha256).toBe(manifestEntry('lpips-squeeze').files[0]!.sha256);
  });

  it('a file with the wrong hash is E_MODEL with the expected and the actual hash', async () => {
    const dir = join(tmp, 'wrong');
    mkdirSync(join(dir, 'lpips-alex'), { recursive: true });
    copyFileSync(shared('lpips-squeeze/lpips_squeeze_v0.1.onnx'), join(dir, 'lpips-alex', 'lpips_alex_v0.1.onnx'));
    expect((await modelStatus('lpips-alex', { dir })).state).toBe('wrong-hash');
    const err = await rejection(requireModel('lpips-alex', { dir }));
    expect(err.code).toBe('E_MODEL');
    const expected = manifestEntry('lpips-alex').files[0]!.sha256!;
    const actual = manifestEntry('lpips-squeeze').files[0]!.sha256!;
    expect(err.message).toContain(`model lpips-alex: ${join(dir, 'lpips-alex', 'lpips_alex_v0.1.onnx')} has sha256 ${actual}, expected ${expected}`);
    expect(err.details).toMatchObject({ expectedSha256: expected, actualSha256: actual });
  });

  it('a corrupt .onnx is E_MODEL from onnxruntime naming the model', async () => {
    // fid-inception has no known hash (it is exported locally), so the garbage reaches onnxruntime
    const dir = join(tmp, 'corrupt');
    mkdirSync(join(dir, 'fid-inception'), { recursive: true });
    writeFileSync(join(dir, 'fid-inception', 'fid_inception_v3.onnx'), 'this is not a protobuf '.repeat(100));
    expect((await modelStatus('fid-inception', { dir })).state).toBe('unverified');
    const corrupt = new OnnxInference({ dir });
    try {
      const err = await rejection(corrupt.run('fid-inception', { images: { data: new Float32Array(3 * 299 * 299), dims: [1, 3, 299, 299] } }));
      expect(err.code).toBe('E_MODEL');
      expect(err.message).toMatch(/^model fid-inception: .*fid_inception_v3\.onnx cannot be loaded by onnxruntime \(.+\); the file is damaged or not an ONNX model/);
      const direct = await rejection(corrupt.runFile(join(dir, 'fid-inception', 'fid_inception_v3.onnx'), {}, { label: 'garbage' }));
      expect(direct.code).toBe('E_MODEL');
    } finally {
      await corrupt.close();
    }
  });

  it('falls back from CUDA to CPU when CUDA cannot be used, and reports the provider actually used', async () => {
    // without the CUDA provider library onnxruntime logs one "Failed to load library" line here: expected
    const cudaFirst = new OnnxInference({ dir: flat, providers: ['cuda', 'cpu'] });
    try {
      const r = await cudaFirst.run('lpips-squeeze', pair());
      const cudaLib = join(REPO, 'node_modules/onnxruntime-node/bin/napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
      expect(r.provider).toBe(existsSync(cudaLib) ? 'cuda' : 'cpu');
    } finally {
      await cudaFirst.close();
    }
  });

  it('feeds that do not fit the manifest are E_INPUT', async () => {
    const err = await rejection(inference.run('lpips-squeeze', { img0: pair().img0 }));
    expect(err).toMatchObject({ code: 'E_INPUT', message: 'model lpips-squeeze takes inputs img0, img1; got img0' });
    const shared2 = new OnnxInference();
    try {
      const bad = await rejection(shared2.run('nima-arch', { image: { data: new Float32Array(3 * 64 * 64), dims: [1, 3, 64, 64] } }));
      expect(bad).toMatchObject({ code: 'E_INPUT', message: 'model nima-arch: input image must be [N, 3, 224, 224], got [1, 3, 64, 64]' });
    } finally {
      await shared2.close();
    }
  });

  it('runBatched splits along N within the memory budget and equals one run', async () => {
    expect(batchSizeFor(1000, 10, 100_000)).toBe(10);
    expect(batchSizeFor(1e9, 10, 100)).toBe(1);
    // The default budget follows the free memory: a quarter of it, within 256 MiB .. 2 GiB.
    const MiB = 1024 * 1024;
    expect(defaultMemoryBudget(4096 * MiB)).toBe(1024 * MiB);
    expect(defaultMemoryBudget(100 * MiB)).toBe(256 * MiB);
    expect(defaultMemoryBudget(64 * 1024 * MiB)).toBe(2048 * MiB);
    const n = 7;
    const one = pair(48);
    const img0 = new Float32Array(n * one.img0.data.length);
    const img1 = new Float32Array(n * one.img1.data.length);
    for (let i = 0; i < n; i++) {
      img0.set(one.img0.data.map((v) => v * (1 - i / 10)), i * one.img0.data.length);
      img1.set(one.img1.data, i * one.img1.data.length);
    }
    const feeds = { img0: { data: img0, dims: [n, 3, 48, 48] }, img1: { data: img1, dims: [n, 3, 48, 48] } };
    const whole = await inference.runBatched('lpips-squeeze', feeds, { outputs: ['distance'] });
    expect(whole.batches).toBe(1);
    const split = await inference.runBatched('lpips-squeeze', feeds, { outputs: ['distance'], memoryBudgetBytes: 3 * 2 * 3 * 48 * 48 * 4 * 32 });
    expect(split.batches).toBe(3);
    expect(split.outputs.distance!.dims).toEqual([n]);
    for (let i = 0; i < n; i++) expect(split.outputs.distance!.data[i]).toBeCloseTo(whole.outputs.distance!.data[i]!, 6);
  });
});

describe.skipIf(!haveModels)('verifying the parameter-file models', () => {
  it("scores BRISQUE's probe images with the installed SVR file as OpenCV does (features and scores)", async () => {
    const v = await verifyModel('brisque-live', { dir: SHARED_MODELS });
    expect(v.probesFile).toBe(shared('brisque/probes.json'));
    expect(v.probes.map((p) => p.probe)).toEqual(['clean', 'noise_sigma15', 'blur_sigma2', 'jpeg_q10']);
    for (const p of v.probes) expect(p.outputs.map((o) => [o.name, o.pass])).toEqual([['features', true], ['score', true]]);
    expect(v.pass).toBe(true);
  });

  it("scores NIQE's probe images with the installed pristine statistics as BasicSR does", async () => {
    const v = await verifyModel('niqe-live', { dir: SHARED_MODELS, probes: ['clean', 'jpeg_q10'] });
    expect(v.probes.map((p) => p.probe)).toEqual(['clean', 'jpeg_q10']);
    expect(v.probes.every((p) => p.pass && p.outputs[0]!.maxAbs <= 1e-4)).toBe(true);
    expect(v.pass).toBe(true);
  });

  it('fails a parameter file that gives other scores', async () => {
    // A changed file: its hash is wrong, so verify reports it instead of passing.
    const dir = join(tmp, 'bad-brisque');
    mkdirSync(join(dir, 'brisque'), { recursive: true });
    const doc = JSON.parse(readFileSync(shared('brisque/brisque_live.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'brisque', 'brisque_live.json'), JSON.stringify({ ...doc, note: 'changed' }));
    const v = await verifyModel('brisque-live', { dir });
    expect(v.pass).toBe(false);
    expect(v.skipped).toMatch(/sha256/);
  });
});

describe.skipIf(!haveModels)('installing a model', () => {
  let dest: string;
  beforeAll(() => {
    dest = join(tmp, 'installed');
  });

  it('copies a file whose hash matches into its folder, with the probes and licences beside it', async () => {
    const r = await installModel(shared('lpips-squeeze/lpips_squeeze_v0.1.onnx'), { dir: dest });
    expect(r).toMatchObject({ id: 'lpips-squeeze', path: join(dest, 'lpips-squeeze', 'lpips_squeeze_v0.1.onnx'), verified: true });
    expect(r.extras).toContain(join(dest, 'lpips-squeeze', 'probes.json'));
    expect(existsSync(join(dest, 'lpips-squeeze', 'probes', 'probe3_out_spatial_map.f32'))).toBe(true);
    expect(existsSync(join(dest, 'lpips-squeeze', 'LICENSE-LPIPS.txt'))).toBe(true);
    expect((await modelStatus('lpips-squeeze', { dir: dest })).state).toBe('installed');
    const inference = new OnnxInference({ dir: dest });
    try {
      const v = await verifyModel('lpips-squeeze', { dir: dest, inference, probes: ['probe3'] });
      expect(v.probesFile).toBe(join(dest, 'lpips-squeeze', 'probes.json'));
      expect(v.pass).toBe(true);
    } finally {
      await inference.close();
    }
  });

  it('refuses a known file name with another hash, naming the expected and the actual hash', async () => {
    const fake = join(tmp, 'fake', 'cnniqa_live.onnx');
    mkdirSync(join(tmp, 'fake'), { recursive: true });
    writeFileSync(fake, 'not the model');
    const err = await rejection(installModel(fake, { dir: dest }));
    expect(err.code).toBe('E_MODEL');
    expect(err.message).toContain(`expected ${manifestEntry('cnniqa-live').files[0]!.sha256} for cnniqa_live.onnx`);
    expect(err.message).toContain(await sha256File(fake));
    expect(existsSync(join(dest, 'cnniqa', 'cnniqa_live.onnx'))).toBe(false);
  });

  it('refuses an unknown file, and a random-weight graph offered as the real model', async () => {
    const unknown = join(tmp, 'fake', 'whatever.onnx');
    writeFileSync(unknown, 'x');
    expect(await rejection(installModel(unknown, { dir: dest }))).toMatchObject({ code: 'E_MODEL', message: expect.stringContaining('is not a file of any supported model; for a file you exported, name the model: iqa models install <file> --as <id>') });
    const arch = await rejection(installModel(shared('nima-arch/nima_mobilenet_arch.onnx'), { dir: dest, as: 'nima-mobilenet' }));
    expect(arch.code).toBe('E_MODEL');
    expect(arch.message).toContain('is the random-weight graph of nima-arch');
  });

  it('installs a locally exported graph with the right inputs and outputs as unverified under the manifest name', async () => {
    // The alex graph has the LPIPS contract (img0, img1 -> distance, spatial_map), so it stands in for an export.
    const exported = join(tmp, 'fake', 'export-out.onnx');
    writeFileSync(exported, readFileSync(shared('lpips-alex/lpips_alex_v0.1.onnx')));
    const r = await installModel(exported, { dir: dest, as: 'lpips-vgg' });
    expect(r).toMatchObject({ id: 'lpips-vgg', path: join(dest, 'lpips-vgg', 'lpips_vgg_v0.1.onnx'), verified: false });
    expect((await modelStatus('lpips-vgg', { dir: dest })).state).toBe('unverified');
  });

  it('refuses an unhashed export that onnxruntime cannot load, or whose inputs and outputs are another model\'s', async () => {
    const truncated = join(tmp, 'fake', 'truncated.onnx');
    writeFileSync(truncated, readFileSync(shared('lpips-alex/lpips_alex_v0.1.onnx')).subarray(0, 100));
    const bad = await rejection(installModel(truncated, { dir: join(tmp, 'installed-bad'), as: 'lpips-vgg' }));
    expect(bad.code).toBe('E_MODEL');
    expect(bad.message).toContain(`model lpips-vgg: ${truncated} is not a loadable ONNX graph`);
    expect(existsSync(join(tmp, 'installed-bad', 'lpips-vgg', 'lpips_vgg_v0.1.onnx'))).toBe(false);

    const other = join(tmp, 'fake', 'other-model.onnx');
    writeFileSync(other, readFileSync(shared('cnniqa/cnniqa_live.onnx')));
    const wrong = await rejection(installModel(other, { dir: join(tmp, 'installed-bad'), as: 'lpips-vgg' }));
    expect(wrong.code).toBe('E_MODEL');
    expect(wrong.message).toMatch(/needs inputs \(img0, img1\) and outputs \(distance, spatial_map\)/);
    expect(existsSync(join(tmp, 'installed-bad', 'lpips-vgg'))).toBe(false);
  });
});
