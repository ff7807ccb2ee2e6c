/**
 * extractLevelFeatures (services/nr/level-features.ts) end to end: real ffmpeg, real onnxruntime in the
 * ONNX worker, the derived graph made on demand in a model folder of the test's own (and at install),
 * the per-file cache, and the one-line errors.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageRgb } from '../../../src-main/services/sets/decode';
import { OnnxInference } from '../../../src-main/services/models/inference';
import { installModel } from '../../../src-main/services/models/install';
import { ensureLevelGraph, levelBackboneSpecs } from '../../../src-main/services/nr/level-backbones';
import { extractLevelFeatures, levelInputTensor, LEVEL_BACKBONES, type LevelFeatureSource } from '../../../src-main/services/nr/level-features';
import { ffmpeg, makeMp4, makePng, tempDir } from '../../helpers/media';
import { sharedData, sharedModel } from '../../helpers/shared-data';

const haveModels = sharedData('models');

/**
 * Features from the API vs the same picture run through the derived graph here and pooled in float64:
 * the graph's float32 reductions differ from float64 by at most ~1.3e-6 relative (level-graph.test.ts),
 * so 1e-5 relative plus 1e-6 absolute.
 */
const REL = 1e-5;
const ABS = 1e-6;
/** A video's features are the float64 mean of per-frame float32 vectors, stored as float32: 1 ulp-ish. */
const VIDEO_REL = 1e-6;

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function close(a: Float32Array, b: ArrayLike<number>, rel: number, abs: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const tol = abs + rel * Math.abs(b[i]!);
    if (!(Math.abs(a[i]! - b[i]!) <= tol)) throw new Error(`value ${i}: ${a[i]} vs ${b[i]} (tolerance ${tol})`);
  }
}

describe.skipIf(!haveModels)('multi-level features', () => {
  const tmp = tempDir('level-features');
  const modelDir = join(tmp.dir, 'models');
  const cacheDir = join(tmp.dir, 'cache');
  const media = join(tmp.dir, 'media');
  const inference = new OnnxInference({ threads: 1, idleTimeoutMs: 2000 });
  const saved = { model: process.env.IQA_MODEL_DIR, user: process.env.IQA_USER_DATA };
  let png: string;
  let png2: string;
  let mp4: string;

  beforeAll(() => {
    process.env.IQA_MODEL_DIR = modelDir;
    process.env.IQA_USER_DATA = join(tmp.dir, 'user');
    // Only the LPIPS-AlexNet graph, copied as an install from before this feature would have left it.
    mkdirSync(join(modelDir, 'lpips-alex'), { recursive: true });
    copyFileSync(sharedModel('lpips-alex/lpips_alex_v0.1.onnx'), join(modelDir, 'lpips-alex', 'lpips_alex_v0.1.onnx'));
    png = join(media, 'a.png');
    png2 = join(media, 'b.png');
    mp4 = join(media, 'v.mp4');
    makePng(png, 1, '80x64');
    makePng(png2, 2, '80x64');
    makeMp4(mp4, 3, '64x48', 3, 10);
  });

  afterAll(async () => {
    await inference.close();
    if (saved.model === undefined) delete process.env.IQA_MODEL_DIR;
    else process.env.IQA_MODEL_DIR = saved.model;
    if (saved.user === undefined) delete process.env.IQA_USER_DATA;
    else process.env.IQA_USER_DATA = saved.user;
    tmp.cleanup();
  });

  const src = (id: number, path: string, kind: 'image' | 'video' = 'image'): LevelFeatureSource => ({ id, path, kind, sha256: sha(path) });

  it('LEVEL_BACKBONES lists the manifest backbones', () => {
    expect([...LEVEL_BACKBONES]).toEqual(levelBackboneSpecs().map((b) => b.id));
  });

  it('derives the graph on demand beside a model installed before this feature, with its SHA-256 recorded, and reuses it', async () => {
    const g = await ensureLevelGraph('alexnet-levels');
    expect(g.path).toBe(join(modelDir, 'lpips-alex', 'alexnet_levels.onnx'));
    const side = JSON.parse(readFileSync(`${g.path}.json`, 'utf8')) as { sha256: string; sourceSha256: string };
    expect(side.sha256).toBe(sha(g.path));
    expect(g.sha256).toBe(side.sha256);
    expect(side.sourceSha256).toBe(sha(sharedModel('lpips-alex/lpips_alex_v0.1.onnx')));
    const mtime = statSync(g.path).mtimeMs;
    const again = await ensureLevelGraph('alexnet-levels');
    expect(again.sha256).toBe(g.sha256);
    expect(statSync(g.path).mtimeMs).toBe(mtime);
  });

  it('rewrites a damaged derived graph', async () => {
    const g = await ensureLevelGraph('alexnet-levels');
    writeFileSync(g.path, 'not a graph');
    const again = await ensureLevelGraph('alexnet-levels');
    expect(again.sha256).toBe(g.sha256);
    expect(sha(g.path)).toBe(g.sha256);
  });

  it('writes the derived graph under the user data folder when the model folder is read-only by its mode', async () => {
    const dir = join(tmp.dir, 'readonly-models');
    mkdirSync(join(dir, 'lpips-alex'), { recursive: true });
    copyFileSync(sharedModel('lpips-alex/lpips_alex_v0.1.onnx'), join(dir, 'lpips-alex', 'lpips_alex_v0.1.onnx'));
    chmodSync(join(dir, 'lpips-alex'), 0o555);
    try {
      const g = await ensureLevelGraph('alexnet-levels', { dir });
      expect(g.path).toBe(join(tmp.dir, 'user', 'derived-models', 'lpips-alex', 'alexnet_levels.onnx'));
      expect(existsSync(join(dir, 'lpips-alex', 'alexnet_levels.onnx'))).toBe(false);
      expect((await ensureLevelGraph('alexnet-levels', { dir })).path).toBe(g.path);
    } finally {
      chmodSync(join(dir, 'lpips-alex'), 0o755);
    }
  });

  it('derives the graph when the source model is installed', async () => {
    const dir = join(tmp.dir, 'installed-models');
    const r = await installModel(sharedModel('lpips-squeeze/lpips_squeeze_v0.1.onnx'), { dir });
    const derived = join(dir, 'lpips-squeeze', 'squeezenet_levels.onnx');
    expect(r.extras).toContain(derived);
    const side = JSON.parse(readFileSync(`${derived}.json`, 'utf8')) as { sha256: string };
    expect(side.sha256).toBe(sha(derived));
  });

  it('pools each level of an image as the derived graph computes it: C channel means, then C standard deviations', async () => {
    const out = await extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(7, png)], cacheDir, inference });
    const f = out.get(7)!;
    const g = await ensureLevelGraph('alexnet-levels');
    expect(f.backbone).toBe('alexnet-levels');
    expect(f.backboneSha256).toBe(g.sha256);
    expect(f.levels.map((l) => l.name)).toEqual(['relu1', 'relu2', 'relu3', 'relu4', 'relu5']);
    expect(f.levels.map((l) => l.values.length)).toEqual([128, 384, 768, 512, 512]);
    expect(f.frames).toBe(1);
    // direct: the same 8-bit picture, as the LPIPS input, through the derived graph; pooled here in float64
    const img = await decodeImageRgb(png);
    const x = levelInputTensor(img, g.spec.normalisation);
    const session = await ort.InferenceSession.create(g.path);
    try {
      const r = await session.run({ image: new ort.Tensor('float32', x, [1, 3, img.height, img.width]) }, g.spec.levels.map((l) => l.name));
      for (const [i, l] of g.spec.levels.entries()) {
        const t = r[l.name]!;
        const data = t.data as Float32Array;
        const n = t.dims[2]! * t.dims[3]!;
        const want = new Float64Array(2 * l.channels);
        for (let c = 0; c < l.channels; c++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += data[c * n + k]!;
          const m = s / n;
          let v = 0;
          for (let k = 0; k < n; k++) v += (data[c * n + k]! - m) ** 2;
          want[c] = m;
          want[l.channels + c] = Math.sqrt(v / n);
        }
        close(f.levels[i]!.values, want, REL, ABS);
      }
    } finally {
      await session.release();
    }
  });

  it('gives a video the mean over its frames of the per-frame features', async () => {
    const frames = join(media, 'frames');
    ffmpeg(['-i', mp4, '-pix_fmt', 'rgb24', join(frames, 'f%02d.png')]);
    const files = readdirSync(frames).sort().map((f) => join(frames, f));
    expect(files).toHaveLength(3);
    const per = await extractLevelFeatures({ backbone: 'alexnet-levels', sources: files.map((f, i) => src(i, f)), cacheDir, inference });
    const v = (await extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(9, mp4, 'video')], cacheDir, inference })).get(9)!;
    expect(v.frames).toBe(3);
    for (const [li, lv] of v.levels.entries()) {
      const want = new Float64Array(lv.values.length);
      for (let k = 0; k < 3; k++) per.get(k)!.levels[li]!.values.forEach((x, j) => (want[j]! += x / 3));
      close(lv.values, want, VIDEO_REL, 1e-7);
    }
  });

  it('reads a second run from the cache with equal values, and recomputes a damaged entry', async () => {
    const progress: [number, number][] = [];
    const first = await extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(1, png), src(2, png2)], cacheDir, inference, onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[1, 2], [2, 2]]);
    const second = await extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(1, png), src(2, png2)], cacheDir, inference });
    expect(second.get(1)!.cached).toBe(true);
    for (const id of [1, 2]) second.get(id)!.levels.forEach((l, i) => expect(Array.from(l.values)).toEqual(Array.from(first.get(id)!.levels[i]!.values)));
    // damage png2's entry: truncated, then a NaN
    const g = await ensureLevelGraph('alexnet-levels');
    const entry = join(cacheDir, g.sha256, 'levels-meanstd-v1', `${sha(png2)}.f32`);
    expect(existsSync(entry)).toBe(true);
    const good = readFileSync(entry);
    writeFileSync(entry, good.subarray(0, 100));
    const third = await extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(2, png2)], cacheDir, inference });
    expect(third.get(2)!.cached).toBe(false);
    third.get(2)!.levels.forEach((l, i) => expect(Array.from(l.values)).toEqual(Array.from(first.get(2)!.levels[i]!.values)));
    expect(readFileSync(entry).equals(good)).toBe(true);
    const nan = Buffer.from(good);
    nan.writeFloatLE(Number.NaN, 8);
    writeFileSync(entry, nan);
    const fourth = await extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(2, png2)], cacheDir, inference });
    expect(fourth.get(2)!.cached).toBe(false);
    expect(readFileSync(entry).equals(good)).toBe(true);
  });

  it('refuses an unknown backbone, a missing backbone model, and an unreadable or damaged file, in one typed line each', async () => {
    const one = async (p: Promise<unknown>): Promise<{ code: string; message: string; file?: string }> => {
      try {
        await p;
      } catch (err) {
        return err as { code: string; message: string; file?: string };
      }
      throw new Error('expected an error');
    };
    const unknown = await one(extractLevelFeatures({ backbone: 'vgg-levels', sources: [src(1, png)], cacheDir, inference }));
    expect(unknown.code).toBe('E_INPUT');
    expect(unknown.message).toMatch(/unknown level backbone "vgg-levels" \(known: alexnet-levels, squeezenet-levels\)/);

    const missing = await one(extractLevelFeatures({ backbone: 'squeezenet-levels', sources: [src(1, png)], cacheDir, inference }));
    expect(missing.code).toBe('E_MODEL');
    expect(missing.message).toMatch(/squeezenet-levels is made from model lpips-squeeze/);
    expect(missing.message).toMatch(/lpips_squeeze_v0\.1\.onnx/);
    expect(missing.message).toMatch(/iqa models install/);

    const gone = join(media, 'gone.png');
    const absent = await one(extractLevelFeatures({ backbone: 'alexnet-levels', sources: [{ id: 1, path: gone, kind: 'image', sha256: 'a'.repeat(64) }], cacheDir, inference }));
    expect(absent.code).toBe('E_MEDIA');
    expect(absent.file).toBe(gone);
    expect(absent.message).toContain(gone);

    const bad = join(media, 'bad.png');
    writeFileSync(bad, Buffer.concat([readFileSync(png).subarray(0, 40), Buffer.alloc(200, 7)]));
    const damaged = await one(extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(1, bad)], cacheDir, inference }));
    expect(damaged.code).toBe('E_MEDIA');
    expect(damaged.file).toBe(bad);
    expect(damaged.message).toContain(bad);

    for (const e of [unknown, missing, absent, damaged]) expect(e.message).not.toContain('\n');
  });

  it('stops with E_CANCELLED when its signal is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(extractLevelFeatures({ backbone: 'alexnet-levels', sources: [src(1, png)], cacheDir: join(tmp.dir, 'cache-cancel'), inference, signal: ac.signal })).rejects.toMatchObject({ code: 'E_CANCELLED' });
    expect(existsSync(join(tmp.dir, 'cache-cancel'))).toBe(false);
  });
});
