/**
 * `iqa fid|kid|is|fvd` through the CLI module in-process (commander program + addSetsCommand), with the
 * real onnxruntime-node and the random-weight arch graphs: the JSON document, the warning lines on
 * stderr, the feature cache under <user data>/feature-cache, and typed errors.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IqaError } from '../../src-main/common/errors';
import { addSetsCommand } from '../../src-main/cli/sets-command';
import { ffmpeg, makePng, tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const REPO = resolve(import.meta.dirname, '../..');
const SHARED_MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');

function ensureWorkerBuilt(): void {
  const built = join(REPO, 'build/main/workers/onnx.worker.js');
  const src = join(REPO, 'src-main/workers/onnx.worker.ts');
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(src).mtimeMs) execFileSync(process.execPath, [join(REPO, 'scripts/build-main.mjs')], { stdio: 'inherit' });
}

/** Runs `iqa <args>` in-process; resolves with what it wrote, rejects with what it threw. */
async function iqa(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('iqa').exitOverride().configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  addSetsCommand(program);
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    await program.parseAsync(['node', 'iqa', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr };
}

let root: { dir: string; cleanup: () => void };
let A: string;
let B: string;
const saved = { model: process.env.IQA_MODEL_DIR, user: process.env.IQA_USER_DATA };

beforeAll(() => {
  ensureWorkerBuilt();
  root = tempDir('sets-cli');
  process.env.IQA_MODEL_DIR = SHARED_MODELS;
  process.env.IQA_USER_DATA = join(root.dir, 'user-data');
  A = join(root.dir, 'a');
  B = join(root.dir, 'b');
  for (let i = 0; i < 4; i++) makePng(join(A, `p${i}.png`), i);
  for (let i = 0; i < 3; i++) makePng(join(B, `q${i}.png`), i + 4, '48x64');
});

afterAll(() => {
  for (const [k, v] of [['IQA_MODEL_DIR', saved.model], ['IQA_USER_DATA', saved.user]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  root?.cleanup();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe.runIf(haveModels)('iqa fid / is / fvd', () => {
  it('fid --metrics fid,kid,is --json prints one JSON document and warning lines', async () => {
    const { stdout, stderr } = await iqa(['fid', '--a', A, '--b', B, '--metrics', 'fid,kid,is', '--model', 'fid-inception-arch', '--json']);
    const r = JSON.parse(stdout);
    expect(typeof r.fid).toBe('number');
    expect(r.fid).toBeGreaterThanOrEqual(0);
    expect(r.kid).toEqual(expect.objectContaining({ mean: expect.any(Number), std: expect.any(Number) }));
    expect(r.is).toEqual(expect.objectContaining({ mean: expect.any(Number), std: expect.any(Number), set: 'a' }));
    expect(r).toMatchObject({ n_a: 4, n_b: 3, model: 'fid-inception-arch', resize: 'pytorch-fid', comparable: false, provider: 'cpu' });
    expect(r.model_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.warnings.length).toBeGreaterThan(0);
    expect(stderr).toMatch(/^warning: model fid-inception-arch is not comparable/m);
    expect(stderr).toMatch(/^warning: set A has 4 images, fewer than the feature dimension \(2048\)/m);
    // Folder sets are cached under <user data>/feature-cache/<model sha256>/<resize>/.
    expect(readdirSync(join(process.env.IQA_USER_DATA!, 'feature-cache', r.model_sha256, 'pytorch-fid')).filter((f) => f.endsWith('.f32'))).toHaveLength(14);
  });

  it('is --a prints the score of set A alone (human output)', async () => {
    const { stdout } = await iqa(['is', '--a', A, '--model', 'fid-inception-arch', '--is-splits', '2']);
    expect(stdout).toMatch(/^IS {3}\S+ ± \S+ {2}\(set A only, 4 images, 2 splits\) {2}\[random-weight model: not a metric value\]$/m);
    expect(stdout).toMatch(/features: 0 computed, 4 from cache/);
  });

  it('fvd --json records the protocol', async () => {
    const va = join(root.dir, 'va');
    const vb = join(root.dir, 'vb');
    for (let i = 0; i < 2; i++) {
      ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=32x32:rate=10,hue=h=${i * 90}`, '-frames:v', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', join(va, `v${i}.mp4`)]);
      ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=32x32:rate=10,hue=h=${i * 90 + 45},gblur=sigma=1`, '-frames:v', '10', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', join(vb, `v${i}.mkv`)]);
    }
    const { stdout, stderr } = await iqa(['fvd', '--a', va, '--b', vb, '--model', 'i3d-arch', '--clip-length', '10', '--json']);
    const r = JSON.parse(stdout);
    expect(typeof r.fvd).toBe('number');
    expect(r).toMatchObject({ n_a: 2, n_b: 2, model: 'i3d-arch', comparable: false, protocol: { clip_length: 10, start: 0, stride: 1, size: [224, 224] } });
    expect(stderr).toMatch(/^warning: model i3d-arch is not comparable/m);
    await expect(iqa(['fvd', '--a', va, '--b', vb, '--model', 'i3d-arch'])).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/v\d\.(mp4|mkv): 10 frames, the FVD protocol needs 16/) });
  });
});

describe('iqa fid / fvd errors', () => {
  it('the default real model missing is E_MODEL with the install instructions', async () => {
    const err = await iqa(['fid', '--a', A, '--b', B]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IqaError);
    expect(err).toMatchObject({ code: 'E_MODEL', message: expect.stringMatching(/model fid-inception is not installed.*iqa models install/) });
  });

  it('rejects bad options before any work', async () => {
    await expect(iqa(['fid', '--a', A, '--b', B, '--resize', 'lanczos'])).rejects.toBeInstanceOf(CommanderError);
    await expect(iqa(['fid', '--a', A, '--b', B, '--metrics', 'fid,psnr'])).rejects.toBeInstanceOf(CommanderError);
    await expect(iqa(['fvd', '--a', A, '--b', B, '--model', 'i3d-arch', '--clip-length', '8'])).rejects.toMatchObject({ code: 'E_INPUT', message: expect.stringMatching(/from 10/) });
    await expect(iqa(['fid', '--a', join(root.dir, 'nowhere'), '--b', B, '--model', 'fid-inception-arch'])).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
