/**
 * FVD between two sets of tiny generated videos through the real onnxruntime-node and the
 * architecture-exact random-weight I3D graph (../shared/models/i3d-arch): the protocol recorded with
 * the value, a clip's features against running the graph directly on the same tensor, guardrails
 * (clip length, short videos, mixed frame rates and resolutions), the cache, and the missing real model.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { resizeTfBilinear } from '../../src-main/kernels/image/resize-tf-bilinear';
import { interleavedView } from '../../src-main/kernels/image/strided';
import { closeSharedInference } from '../../src-main/services/models/inference';
import { sha256File } from '../../src-main/services/models/file-hash';
import { computeFvd } from '../../src-main/services/sets/fvd';
import { ffmpeg, makePng, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const SHARED_MODELS = SHARED_DIRS.models;
const ARCH = 'i3d-arch';
const ARCH_SHA = '76d63dab3e4dcbd0b88452a397cea7901d950c6b98e2f838d57db3f50d6fd905';
const haveModels = sharedData('models');

function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

/** A lossless H.264 clip (so the test's own decode sees the same frames), moving test pattern. */
function makeClip(file: string, index: number, size: string, frames: number, fps: number): void {
  ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps},hue=h=${index * 53}`, '-frames:v', String(frames), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', file]);
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
  root = tempDir('fvd');
  A = join(root.dir, 'a');
  B = join(root.dir, 'b');
  cache = join(root.dir, 'feature-cache');
  for (let i = 0; i < 3; i++) makeClip(join(A, `clip${i}.mp4`), i, '64x64', 16, 25);
  // Set B: other content, another size and frame rate (guardrail warnings), more frames than needed.
  for (let i = 0; i < 3; i++) makeClip(join(B, `clip${i}.mp4`), i + 3, '80x64', 18, 12);
});

afterAll(async () => {
  await closeSharedInference();
  if (savedModelDir === undefined) delete process.env.IQA_MODEL_DIR;
  else process.env.IQA_MODEL_DIR = savedModelDir;
  root?.cleanup();
});

describe.runIf(haveModels)('FVD with the random-weight I3D graph', () => {
  let first: Awaited<ReturnType<typeof computeFvd>>;

  beforeAll(async () => {
    first = await computeFvd({ a: A, b: B, model: ARCH }, { folderCacheDir: cache });
  });

  it('computes a finite FVD and records the protocol and the guardrails', () => {
    const r = first;
    expect(typeof r.fvd).toBe('number');
    expect(r.fvd as number).toBeGreaterThan(0);
    expect(r).toMatchObject({ n_a: 3, n_b: 3, feature_dim: 400, model: ARCH, model_sha256: ARCH_SHA, comparable: false, provider: 'cpu' });
    expect(r.protocol).toMatchObject({ clip_length: 16, start: 0, stride: 1, frames_needed: 16, size: [224, 224], clips_per_video: 1, model: ARCH });
    expect(r.protocol.resize).toMatch(/TF1 legacy resize_bilinear/);
    expect(r.videos).toEqual({ a: { fps: [25], resolutions: ['64x64'] }, b: { fps: [12], resolutions: ['80x64'] } });
    expect(r.warnings.some((w) => /i3d-arch is not comparable/.test(w) && /NOT FVD values/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /set A has 3 videos, fewer than the feature dimension \(400\)/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /frame rates differ \(A: 25 fps; B: 12 fps\)/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /resolutions differ \(A: 64x64; B: 80x64\)/.test(w))).toBe(true);
    expect(r.cache).toMatchObject({ hits: 0, computed: 6 });
  });

  it('a clip\'s features equal running the graph on the same preprocessed tensor', async () => {
    const file = join(A, 'clip1.mp4');
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-nostdin', '-i', file, '-frames:v', '16', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 28 });
    const T = 16;
    const hw = 224 * 224;
    const video = new Float32Array(3 * T * hw);
    const frame = new Float32Array(3 * hw);
    for (let t = 0; t < T; t++) {
      const rgb = new Uint8Array(raw.buffer, raw.byteOffset + t * 64 * 64 * 3, 64 * 64 * 3);
      resizeTfBilinear(interleavedView({ data: rgb, width: 64, height: 64, channels: 3, stride: 192 }), { data: frame, width: 224, height: 224, channels: 3, offset: 0, pixelStride: 1, rowStride: 224, channelStride: hw });
      for (let c = 0; c < 3; c++) for (let i = 0; i < hw; i++) video[(c * T + t) * hw + i] = Math.fround(Math.fround(Math.fround(frame[c * hw + i]! / 255) * 2) - 1);
    }
    const session = await InferenceSession.create(join(SHARED_MODELS, 'i3d-arch/i3d_kinetics400_rgb_arch.onnx'));
    try {
      const out = await session.run({ video: new Tensor('float32', video, [1, 3, T, 224, 224]) });
      const ref = out.logits!.data as Float32Array;
      const b = readFileSync(join(cache, ARCH_SHA, 'tf-fvd-16f-start0-stride1', `${await sha256File(file)}.f32`));
      const cached = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
      expect(cached.length).toBe(400);
      let maxAbs = 0;
      let refMax = 0;
      for (let i = 0; i < 400; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(cached[i]! - ref[i]!));
        refMax = Math.max(refMax, Math.abs(ref[i]!));
      }
      expect(maxAbs).toBeLessThanOrEqual(1e-4 * refMax);
    } finally {
      await session.release();
    }
  });

  it('gives identical numbers from the cache, and FVD of a set with itself is 0', async () => {
    const again = await computeFvd({ a: A, b: B, model: ARCH }, { folderCacheDir: cache });
    expect(again.cache).toMatchObject({ hits: 6, computed: 0 });
    expect(again.provider).toBeNull();
    expect(again.fvd).toBe(first.fvd);
    const self = await computeFvd({ a: A, b: A, model: ARCH }, { folderCacheDir: cache });
    expect(Math.abs(self.fvd as number)).toBeLessThanOrEqual(1e-9 * (first.fvd as number));
    expect(self.warnings.some((w) => /frame rates differ|resolutions differ/.test(w))).toBe(false);
  });

  it('a different protocol is a different cache entry and is recorded', async () => {
    const r = await computeFvd({ a: A, b: B, model: ARCH, clipLength: 10, start: 2, stride: 1 }, { folderCacheDir: cache, maxBatch: 3 });
    expect(r.protocol).toMatchObject({ clip_length: 10, start: 2, frames_needed: 12 });
    expect(r.cache).toMatchObject({ hits: 0, computed: 6 });
    expect(r.fvd).not.toBe(first.fvd);
  });
});

describe('FVD guardrails and errors', () => {
  it('a video shorter than the clip is an error naming the file', async () => {
    const short = join(root.dir, 'short');
    makeClip(join(short, 'ok.mp4'), 0, '64x64', 16, 25);
    makeClip(join(short, 'tiny.mp4'), 1, '64x64', 8, 25);
    const err = await expectError(computeFvd({ a: A, b: short, model: ARCH }, { folderCacheDir: cache }), 'E_INPUT', /tiny\.mp4: 8 frames, the FVD protocol needs 16/);
    expect(err.file).toBe(join(short, 'tiny.mp4'));
  });

  it('refuses clips shorter than 10 frames', async () => {
    await expectError(computeFvd({ a: A, b: B, model: ARCH, clipLength: 8 }), 'E_INPUT', /clip length must be a whole number of frames from 10/);
  });

  it('the default (real) I3D missing is E_MODEL saying how to install it', async () => {
    const err = await expectError(computeFvd({ a: A, b: B }, { folderCacheDir: cache }), 'E_MODEL', /model i3d-kinetics400 is not installed/);
    expect(err.message).toMatch(/iqa models install/);
  });

  it('an empty folder names the folder', async () => {
    const empty = join(root.dir, 'no-videos');
    makePng(join(empty, 'still.png'), 0);
    await expectError(computeFvd({ a: A, b: empty, model: ARCH }), 'E_INPUT', /set B: no videos in folder .*no-videos \(looked recursively for mp4/);
  });
});
