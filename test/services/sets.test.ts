/**
 * FID / KID / IS between sets of images through the real onnxruntime-node and the architecture-exact
 * random-weight FID Inception graph (../shared/models/fid-inception-arch): small generated folders, the
 * preprocessing against the resize kernels and the goldens, features against running the graph
 * directly, the feature cache (hits, corrupt entries), stored statistics, project groups, and the
 * typed errors (missing real model, empty folder).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { createPilBicubicPlan, resizePilBicubic } from '../../src-main/kernels/image/resize-pil-bicubic';
import { resizeTfBilinear } from '../../src-main/kernels/image/resize-tf-bilinear';
import { resizeTorchBilinear } from '../../src-main/kernels/image/resize-torch-bilinear';
import { batchSlotView, interleavedView, planarView } from '../../src-main/kernels/image/strided';
import { scaleTensorInPlace } from '../../src-main/kernels/image/to-tensor';
import { featureMatrix } from '../../src-main/kernels/features/feature-matrix';
import { kernelInceptionDistance } from '../../src-main/kernels/features/kid';
import { createRng } from '../../src-main/kernels/stats/rng';
import { importMedia } from '../../src-main/services/import/import-media';
import { closeSharedInference } from '../../src-main/services/models/inference';
import { sha256File } from '../../src-main/services/models/file-hash';
import { computeImageSetMetrics } from '../../src-main/services/sets/image-set-metrics';
import { kidWithGram } from '../../src-main/services/sets/kid-gram';
import { FidPreprocessor, FvdPreprocessor } from '../../src-main/kernels/image/network-inputs';
import { decodeImageRgb, sniffImageSize } from '../../src-main/services/sets/decode';
import { parseSetSpec } from '../../src-main/services/sets/set-spec';
import { readStatsFile } from '../../src-main/services/sets/stats-file';
import { openProjectDb } from '../../src-main/services/store/project-db';
import { makePng, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const SHARED_MODELS = SHARED_DIRS.models;
const ARCH = 'fid-inception-arch';
const ARCH_SHA = 'f3db555d9e799b6cc738003816ca8e88d29066be7d187e038309901364867e22';
const haveModels = sharedData('models');

function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

/** What ffmpeg decodes (rgb24), independently of the service. */
function rgb24(file: string, width: number, height: number): Uint8Array {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
  expect(out.length).toBe(width * height * 3);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function expectError(p: Promise<unknown>, code: string, pattern: RegExp): Promise<IqaError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IqaError);
  expect(err).toMatchObject({ code, message: expect.stringMatching(pattern) });
  return err as IqaError;
}

let root: { dir: string; cleanup: () => void };
let A: string;
let B: string;
let cache: string;
const savedModelDir = process.env.IQA_MODEL_DIR;

beforeAll(() => {
  ensureWorkerBuilt();
  process.env.IQA_MODEL_DIR = SHARED_MODELS;
  root = tempDir('sets');
  A = join(root.dir, 'a');
  B = join(root.dir, 'b');
  cache = join(root.dir, 'feature-cache');
  for (let i = 0; i < 5; i++) makePng(join(A, `img${i}.png`), i);
  makePng(join(A, 'nested', 'img5.png'), 5); // folders are searched recursively
  writeFileSync(join(A, 'notes.txt'), 'not an image');
  for (let i = 0; i < 5; i++) makePng(join(B, `img${i}.png`), i, '64x48', 'gblur=sigma=2');
});

afterAll(async () => {
  await closeSharedInference();
  if (savedModelDir === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = savedModelDir;
  root?.cleanup();
});

describe('set specs', () => {
  it('parses folders, project groups with filters, and stored statistics', () => {
    expect(parseSetSpec('/x/y')).toEqual({ type: 'folder', dir: '/x/y' });
    expect(parseSetSpec('project:/p')).toEqual({ type: 'project', dir: '/p', filter: {} });
    expect(parseSetSpec('project:/p:role=distorted,codec=x264', { blur: '2' })).toEqual({ type: 'project', dir: '/p', filter: { role: 'distorted', codec: 'x264', blur: '2' } });
    expect(parseSetSpec('stats:/s/a.npz')).toEqual({ type: 'stats', file: '/s/a.npz' });
    expect(() => parseSetSpec('/x', { role: 'reference' })).toThrow(/project groups only/);
  });

  it('reads image sizes from PNG and JPEG headers', async () => {
    expect(await sniffImageSize(join(A, 'img0.png'))).toEqual({ width: 64, height: 48 });
    const jpg = join(root.dir, 'one.jpg');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=70x30', '-frames:v', '1', jpg]);
    expect(await sniffImageSize(jpg)).toEqual({ width: 70, height: 30 });
    const img = await decodeImageRgb(jpg);
    expect([img.width, img.height]).toEqual([70, 30]);
    expect(Array.from(img.data.subarray(0, 30))).toEqual(Array.from(rgb24(jpg, 70, 30).subarray(0, 30)));
  });
});

describe('preprocessing', () => {
  it('equals the resize kernels, bit for bit, in every mode', async () => {
    const file = join(A, 'img0.png');
    const img = await decodeImageRgb(file);
    const raw = rgb24(file, 64, 48);
    expect(Buffer.from(img.data).equals(Buffer.from(raw))).toBe(true);
    const src = interleavedView({ data: raw, width: 64, height: 48, channels: 3, stride: 64 * 3 });
    const size = 3 * 299 * 299;

    const viaService = new Float32Array(2 * size);
    new FidPreprocessor('pytorch-fid').toSlot(img, viaService, 1);
    const direct = new Float32Array(size);
    resizeTorchBilinear(src, planarView(direct, 299, 299, 3), undefined, { inputDivisor: 255 });
    expect(Buffer.from(viaService.buffer, size * 4, size * 4).equals(Buffer.from(direct.buffer))).toBe(true);

    const clean = new Float32Array(size);
    new FidPreprocessor('clean-fid').toSlot(img, clean, 0);
    const cleanDirect = new Float32Array(size);
    const dst = planarView(cleanDirect, 299, 299, 3);
    resizePilBicubic(src, dst, createPilBicubicPlan(64, 48, 299, 299, 'float32', 3));
    scaleTensorInPlace(dst, { clamp: [0, 255], divisor: 256 });
    expect(Buffer.from(clean.buffer).equals(Buffer.from(cleanDirect.buffer))).toBe(true);

    const tf = new Float32Array(size);
    new FidPreprocessor('tf1').toSlot(img, tf, 0);
    const tfDirect = new Float32Array(size);
    const tdst = planarView(tfDirect, 299, 299, 3);
    resizeTfBilinear(src, tdst);
    scaleTensorInPlace(tdst, { divisor: 256 });
    expect(Buffer.from(tf.buffer).equals(Buffer.from(tfDirect.buffer))).toBe(true);
  });

  it.runIf(haveModels)('reproduces the reference resizes of the shared goldens', () => {
    const chelsea = { data: new Uint8Array(readFileSync(join(SHARED_MODELS, 'fid-inception-arch/resize_goldens/chelsea.u8'))), width: 451, height: 300 };
    const size = 3 * 299 * 299;
    const out = new Float32Array(size);
    new FidPreprocessor('pytorch-fid').toSlot(chelsea, out, 0);
    expect(maxAbsDiff(out, readF32(join(SHARED_MODELS, 'fid-inception-arch/resize_goldens/chelsea.pytorch_fid_bilinear.f32')))).toBeLessThanOrEqual(1e-5);
    new FidPreprocessor('clean-fid').toSlot(chelsea, out, 0);
    // The golden is not clipped; current clean-fid clips to [0, 255] (1e-4 in 0..255 units = 1e-4/256 here).
    const golden = readF32(join(SHARED_MODELS, 'fid-inception-arch/resize_goldens/chelsea.clean_fid_pil_bicubic.f32')).map((v) => Math.min(Math.max(v, 0), 255 / 256));
    expect(maxAbsDiff(out, golden)).toBeLessThanOrEqual(1e-4 / 256);
    new FidPreprocessor('tf1').toSlot(chelsea, out, 0);
    expect(maxAbsDiff(out, readF32(join(SHARED_MODELS, 'fid-inception-arch/resize_goldens/chelsea.tf1_bilinear.f32')))).toBeLessThanOrEqual(1e-4);
    // FVD: one frame into frame 3 of a T = 4 clip; the golden is that frame in CHW.
    const clip = new Float32Array(3 * 4 * 224 * 224);
    new FvdPreprocessor(4).frameToSlot({ data: new Uint8Array(readFileSync(join(SHARED_MODELS, 'i3d-arch/resize_goldens/chelsea.u8'))), width: 451, height: 300 }, clip, 0, 3);
    const frame = new Float32Array(3 * 224 * 224);
    for (let c = 0; c < 3; c++) frame.set(clip.subarray((c * 4 + 3) * 224 * 224, (c * 4 + 4) * 224 * 224), c * 224 * 224);
    expect(maxAbsDiff(frame, readF32(join(SHARED_MODELS, 'i3d-arch/resize_goldens/chelsea.fvd_tf1_bilinear_224.f32')))).toBeLessThanOrEqual(1e-6);
  });
});

describe('KID from precomputed Gram matrices', () => {
  it('gives the kernel implementation\'s subsets and values', () => {
    const rng = createRng(7);
    const mk = (n: number, shift: number) => featureMatrix(Float32Array.from({ length: n * 16 }, () => rng.nextFloat() + shift), n, 16);
    const a = mk(30, 0);
    const b = mk(25, 0.1);
    const fast = kidWithGram(a, b, 10, 5, 3);
    const ref = kernelInceptionDistance(a, b, { subsetSize: 10, numSubsets: 5, seed: 3 });
    expect(fast.subsets.map((s) => Array.from(s.rowsA))).toEqual(ref.subsets.map((s) => Array.from(s.rowsA)));
    expect(maxAbsDiff(fast.values, ref.values)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(fast.mean - ref.mean)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(fast.std - ref.std)).toBeLessThanOrEqual(1e-12);
  });
});

describe.runIf(haveModels)('FID, KID and IS with the random-weight Inception graph', () => {
  let first: Awaited<ReturnType<typeof computeImageSetMetrics>>;

  beforeAll(async () => {
    first = await computeImageSetMetrics({ a: A, b: B, metrics: ['fid', 'kid', 'is'], model: ARCH }, { folderCacheDir: cache });
  });

  it('computes finite values with sample counts, model, resize and guardrail warnings', () => {
    const r = first;
    expect(typeof r.fid).toBe('number');
    expect(r.fid as number).toBeGreaterThan(0);
    expect(Number.isFinite(r.kid!.mean)).toBe(true);
    expect(r.kid).toMatchObject({ std: 0, mode: 'full-sets', subsets: 1 });
    expect(r.is).toMatchObject({ set: 'a', n: 6, splits: 6 });
    expect(r.is!.mean as number).toBeGreaterThanOrEqual(1);
    expect(r).toMatchObject({ n_a: 6, n_b: 5, feature_dim: 2048, model: ARCH, model_sha256: ARCH_SHA, comparable: false, resize: 'pytorch-fid', provider: 'cpu' });
    expect(r.cache).toMatchObject({ hits: 0, misses: 11, computed: 11, corrupt: 0 });
    expect(r.warnings.some((w) => /fid-inception-arch is not comparable/.test(w) && /NOT FID\/KID\/IS values/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /set A has 6 images, fewer than the feature dimension \(2048\)/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /set B has 5 images, fewer than the feature dimension/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /IS: set A has 6 images, so 6 splits instead of 10/.test(w))).toBe(true);
    expect(r.sets.a.cache_dir).toBe(cache);
  });

  it('stores features per file hash and they equal running the graph on the same tensor', async () => {
    const file = join(A, 'img2.png');
    const sha = await sha256File(file);
    const dir = join(cache, ARCH_SHA, 'pytorch-fid');
    const pool3 = readF32(join(dir, `${sha}.f32`));
    const logits = readF32(join(dir, `${sha}.logits.f32`));
    expect(pool3.length).toBe(2048);
    expect(logits.length).toBe(1008);
    const tensor = new Float32Array(3 * 299 * 299);
    resizeTorchBilinear(interleavedView({ data: rgb24(file, 64, 48), width: 64, height: 48, channels: 3, stride: 192 }), batchSlotView(tensor, 0, 3, 299, 299), undefined, { inputDivisor: 255 });
    const session = await InferenceSession.create(join(SHARED_MODELS, 'fid-inception-arch/fid_inception_v3_arch.onnx'));
    try {
      const out = await session.run({ images: new Tensor('float32', tensor, [1, 3, 299, 299]) });
      const refPool = out.pool3!.data as Float32Array;
      const refLogits = out.logits_unbiased!.data as Float32Array;
      const scale = Math.max(...Array.from(refPool, Math.abs));
      // Same ORT, same input; only the batch (11 images vs 1) differs.
      expect(maxAbsDiff(pool3, refPool)).toBeLessThanOrEqual(1e-4 * scale);
      expect(maxAbsDiff(logits, refLogits)).toBeLessThanOrEqual(1e-4 * Math.max(...Array.from(refLogits, Math.abs)));
    } finally {
      await session.release();
    }
  });

  it('gives identical numbers from the cache without decoding or inference', async () => {
    const again = await computeImageSetMetrics({ a: A, b: B, metrics: ['fid', 'kid', 'is'], model: ARCH }, { folderCacheDir: cache });
    expect(again.cache).toMatchObject({ hits: 11, misses: 0, computed: 0 });
    expect(again.provider).toBeNull();
    expect(again.fid).toBe(first.fid);
    expect(again.kid).toEqual(first.kid);
    expect(again.is).toEqual(first.is);
  });

  it('recomputes a corrupt cache entry', async () => {
    const sha = await sha256File(join(B, 'img1.png'));
    const entry = join(cache, ARCH_SHA, 'pytorch-fid', `${sha}.f32`);
    truncateSync(entry, 100);
    const r = await computeImageSetMetrics({ a: A, b: B, model: ARCH }, { folderCacheDir: cache });
    expect(r.cache).toMatchObject({ hits: 10, corrupt: 1, computed: 1 });
    expect(statSync(entry).size).toBe(2048 * 4);
    expect(Math.abs((r.fid as number) - (first.fid as number))).toBeLessThanOrEqual(1e-6 * (first.fid as number));
  });

  it('FID of a set with itself is 0 (within 1e-9 of the FID between the two sets)', async () => {
    const r = await computeImageSetMetrics({ a: A, b: A, metrics: ['fid', 'kid'], model: ARCH }, { folderCacheDir: cache });
    expect(r.cache.misses).toBe(0);
    expect(Math.abs(r.fid as number)).toBeLessThanOrEqual(1e-9 * (first.fid as number));
    // The unbiased MMD² of a set with itself is 2(S − m·D)/(m²(m − 1)) ≤ 0 (S: sum of all kernel values, D: of the diagonal).
    expect(r.kid!.mean as number).toBeLessThanOrEqual(0);
  });

  it('bootstraps a percentile interval of FID with a reported seed, reproducibly', async () => {
    const req = { a: A, b: B, model: ARCH, bootstrap: { resamples: 20, seed: 5 } };
    const r1 = await computeImageSetMetrics(req, { folderCacheDir: cache });
    const r2 = await computeImageSetMetrics(req, { folderCacheDir: cache });
    expect(r1.fid_ci).toMatchObject({ resamples: 20, seed: 5, confidence: 0.95, method: 'percentile' });
    expect(r1.fid_ci!.low as number).toBeLessThanOrEqual(r1.fid_ci!.high as number);
    expect(r2.fid_ci).toEqual(r1.fid_ci);
  });

  it('draws seeded KID subsets when asked', async () => {
    const r = await computeImageSetMetrics({ a: A, b: B, metrics: ['kid'], model: ARCH, kid: { subsetSize: 4, subsets: 5, seed: 1 } }, { folderCacheDir: cache });
    expect(r.kid).toMatchObject({ mode: 'subsets', subset_size: 4, subsets: 5, seed: 1 });
    expect(r.kid!.std as number).toBeGreaterThan(0);
    expect(r.fid).toBeUndefined();
    const again = await computeImageSetMetrics({ a: A, b: B, metrics: ['kid'], model: ARCH, kid: { subsetSize: 4, subsets: 5, seed: 1 } }, { folderCacheDir: cache });
    expect(again.kid).toEqual(r.kid);
  });

  it('computes IS from set A alone', async () => {
    // Set B is not read at all for IS (here it does not even exist).
    const r = await computeImageSetMetrics({ a: A, b: join(root.dir, 'missing'), metrics: ['is'], model: ARCH, isSplits: 2 }, { folderCacheDir: cache });
    expect(r.is).toMatchObject({ set: 'a', splits: 2, n: 6 });
    expect(r.n_b).toBeNull();
    expect(r.fid).toBeUndefined();
  });

  it('saves statistics as .npz and compares a set with them', async () => {
    const npz = join(root.dir, 'stats', 'a.npz');
    const saved = await computeImageSetMetrics({ a: A, b: B, model: ARCH, saveStatsA: npz }, { folderCacheDir: cache });
    expect(saved.stats_saved).toBe(npz);
    const st = readStatsFile(npz);
    expect(st.stats.dim).toBe(2048);
    expect(st.meta).toMatchObject({ model: ARCH, model_sha256: ARCH_SHA, resize: 'pytorch-fid', n: 6 });
    const vsSelf = await computeImageSetMetrics({ a: A, b: `stats:${npz}`, model: ARCH }, { folderCacheDir: cache });
    expect(vsSelf.n_b).toBe(6);
    expect(Math.abs(vsSelf.fid as number)).toBeLessThanOrEqual(1e-6 * (first.fid as number));
    const vsB = await computeImageSetMetrics({ a: B, b: `stats:${npz}`, model: ARCH }, { folderCacheDir: cache });
    expect(Math.abs((vsB.fid as number) - (first.fid as number))).toBeLessThanOrEqual(1e-6 * (first.fid as number));
    const other = await computeImageSetMetrics({ a: B, b: `stats:${npz}`, model: ARCH, resize: 'clean-fid' }, { folderCacheDir: cache });
    expect(other.warnings.some((w) => /resize pytorch-fid, this run uses clean-fid/.test(w))).toBe(true);
    await expectError(computeImageSetMetrics({ a: A, b: `stats:${npz}`, metrics: ['kid'], model: ARCH }, { folderCacheDir: cache }), 'E_INPUT', /only FID can use them/);
  });

  it('takes a group of a project\'s stimuli and caches in the project', async () => {
    const proj = join(root.dir, 'project');
    const db = openProjectDb(proj, { create: true });
    try {
      const src = join(root.dir, 'import');
      for (let i = 0; i < 3; i++) {
        makePng(join(src, `src${i}.png`), i);
        makePng(join(src, `src${i}_blur.png`), i, '64x48', 'gblur=sigma=2');
      }
      await importMedia(db, proj, src, { recursive: true });
    } finally {
      db.close();
    }
    const r = await computeImageSetMetrics({ a: `project:${proj}:role=reference`, b: `project:${proj}`, bFilter: { role: 'distorted' }, model: ARCH }, { folderCacheDir: cache });
    expect(r).toMatchObject({ n_a: 3, n_b: 3 });
    expect(r.sets.a.cache_dir).toBe(join(proj, '.iqa', 'features'));
    expect(r.cache).toMatchObject({ hits: 0, computed: 6 }); // a project has its own cache, even for content seen in a folder
    const sha = await sha256File(join(root.dir, 'import', 'src0.png'));
    expect(existsSync(join(proj, '.iqa', 'features', ARCH_SHA, 'pytorch-fid', `${sha}.f32`))).toBe(true);
    const again = await computeImageSetMetrics({ a: `project:${proj}`, aFilter: { role: 'reference' }, b: `project:${proj}:role=distorted`, model: ARCH }, {});
    expect(again.cache).toMatchObject({ hits: 6, computed: 0 });
    expect(again.fid).toBe(r.fid);
    await expectError(computeImageSetMetrics({ a: `project:${proj}:role=nothing`, b: B, model: ARCH }, { folderCacheDir: cache }), 'E_INPUT', /set A: no images in project .* 0 matching/);
  });
});

describe('typed errors', () => {
  it('the default (real) model missing is E_MODEL saying how to install it', async () => {
    const err = await expectError(computeImageSetMetrics({ a: A, b: B }, { folderCacheDir: cache }), 'E_MODEL', /model fid-inception is not installed/);
    expect(err.message).toMatch(/pt_inception-2015-12-05-6726825d\.pth/);
    expect(err.message).toMatch(/iqa models install/);
  });

  it('an empty folder names the folder', async () => {
    const empty = join(root.dir, 'empty');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    writeFileSync(join(empty, 'readme.txt'), 'x');
    await expectError(computeImageSetMetrics({ a: A, b: empty, model: ARCH }, { folderCacheDir: cache }), 'E_INPUT', new RegExp(`set B: no images in folder ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await expectError(computeImageSetMetrics({ a: join(root.dir, 'missing'), b: B, model: ARCH }, { folderCacheDir: cache }), 'E_NOT_FOUND', /set A: folder .*missing does not exist/);
  });

  it('FID and KID need set B; an unknown or wrong model is E_INPUT', async () => {
    await expectError(computeImageSetMetrics({ a: A, metrics: ['fid', 'is'], model: ARCH }), 'E_INPUT', /give set B/);
    await expectError(computeImageSetMetrics({ a: A, b: B, model: 'lpips-alex' }), 'E_INPUT', /not an FID Inception network/);
    await expectError(computeImageSetMetrics({ a: A, b: B, model: 'nope' }), 'E_INPUT', /unknown model "nope"/);
  });
});
