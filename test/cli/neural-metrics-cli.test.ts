/**
 * `iqa metrics` with neural metrics, end to end through the built CLI (bin/iqa.js): PNG files on
 * disk, ffmpeg decode, the [-1, 1] conversion, onnxruntime in an inference worker, JSON on stdout.
 *
 * The image pairs are LPIPS's own example images (ex_ref vs ex_p0 / ex_p1, 64×64), recovered exactly
 * from lpips-alex probe 3 in ../shared/models (its inputs are 8-bit PNG values v/127.5 − 1), so the CLI's
 * distances are checked against PyTorch's reference outputs for the same images.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iqa } from '../helpers/cli';
import { tempDir } from '../helpers/media';
import { SHARED_DIRS, sharedData } from '../helpers/shared-data';

const MODELS = SHARED_DIRS.models;
const haveModels = sharedData('models');
const env = { IQA_MODEL_DIR: MODELS, IQA_ONNX_PROVIDERS: 'cpu' };
/** ../shared/models/README.md: LPIPS distance 6e-8 abs between onnxruntime and PyTorch; a margin for CPU kernels. */
const LPIPS_TOL = 1e-5;

let tmp: { dir: string; cleanup: () => void };

function f32(file: string): Float32Array {
  const b = readFileSync(join(MODELS, 'lpips-alex', 'probes', file));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/** Image n of an NCHW [-1, 1] probe tensor as an 8-bit RGB PNG. */
function writeProbePng(tensor: Float32Array, n: number, h: number, w: number, file: string): void {
  const png = new PNG({ width: w, height: h });
  const plane = h * w;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) png.data[4 * i + c] = Math.round((tensor[(n * 3 + c) * plane + i]! + 1) * 127.5);
    png.data[4 * i + 3] = 255;
  }
  writeFileSync(file, PNG.sync.write(png, { colorType: 2 }));
}

beforeAll(() => {
  tmp = tempDir('cli-neural');
  if (!haveModels) return;
  const img0 = f32('probe3_in_img0.f32');
  const img1 = f32('probe3_in_img1.f32');
  writeProbePng(img0, 0, 64, 64, join(tmp.dir, 'ex_ref.png'));
  writeProbePng(img1, 0, 64, 64, join(tmp.dir, 'ex_p0.png'));
  writeProbePng(img1, 1, 64, 64, join(tmp.dir, 'ex_p1.png'));
});
afterAll(() => tmp?.cleanup());

interface MetricsJson {
  frames: number;
  metrics: Record<string, { value: number | string | null; model?: { id: string; sha256: string; provider: string; comparable: boolean }; error?: { code: string; message: string } }>;
}

describe.skipIf(!haveModels)('iqa metrics with neural metrics', () => {
  it("gives LPIPS (alex) of LPIPS's example images equal to PyTorch's, with the model and provider", () => {
    const expected = f32('probe3_out_distance.f32');
    for (const [k, dist] of ['ex_p0.png', 'ex_p1.png'].entries()) {
      const r = iqa(['metrics', '--ref', join(tmp.dir, 'ex_ref.png'), '--dist', join(tmp.dir, dist), '--metrics', 'lpips,psnr', '--json'], env);
      expect(r.stderr).not.toMatch(/^iqa:/m);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as MetricsJson;
      expect(out.frames).toBe(1);
      expect(Math.abs((out.metrics.lpips!.value as number) - expected[k]!)).toBeLessThan(LPIPS_TOL);
      expect(out.metrics.lpips!.model).toMatchObject({ id: 'lpips-alex', provider: 'cpu', comparable: true });
      expect(out.metrics.lpips!.model!.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(out.metrics.psnr!.model).toBeUndefined();
    }
  });

  it('reports a missing model as a typed error for that metric and still computes the others', () => {
    const r = iqa(['metrics', '--ref', join(tmp.dir, 'ex_ref.png'), '--dist', join(tmp.dir, 'ex_p1.png'), '--metrics', 'psnr,lpips,ssim', '--param', 'lpips.model=lpips-vgg', '--json'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^iqa: lpips: model lpips-vgg is not installed: lpips_vgg_v0\.1\.onnx/m);
    const out = JSON.parse(r.stdout) as MetricsJson;
    expect(out.metrics.lpips).toMatchObject({ value: null, error: { code: 'E_MODEL' } });
    expect(out.metrics.psnr!.value).toEqual(expect.any(Number));
    expect(out.metrics.ssim!.value).toEqual(expect.any(Number));
    expect(out.metrics.psnr!.error).toBeUndefined();
  });

  it('marks a result of a random-weight architecture graph as not comparable', () => {
    const r = iqa(['metrics', '--dist', join(tmp.dir, 'ex_p0.png'), '--metrics', 'nima', '--param', 'nima.model=nima-arch', '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as MetricsJson;
    expect(out.metrics.nima!.model).toMatchObject({ id: 'nima-arch', comparable: false });
    const table = iqa(['metrics', '--dist', join(tmp.dir, 'ex_p0.png'), '--metrics', 'nima', '--param', 'nima.model=nima-arch'], env);
    expect(table.stdout).toContain('note: nima-arch has random weights');
  });
});
