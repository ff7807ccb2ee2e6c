/**
 * The luma extractors on RGB frames avoid whole float64 luma planes where they can (PSNR-Y sums the
 * squared errors of luma computed a tile of rows at a time; SSIM-Y and MS-SSIM-Y write the luma
 * straight into the WebAssembly engine's memory). These are memory changes only: the values must be
 * the ones of the plain computation on whole luma planes, bit for bit (toBe, no tolerance), on odd
 * sizes, on several tiles with a partial last one, on rows wider than a tile, and on 16-bit RGB.
 */
import { describe, expect, it } from 'vitest';
import type { FrameFormat } from '../../src-main/common/frame-format';
import { lumaFromInterleaved, type LumaOptions } from '../../src-main/kernels/image/luma';
import { computeFrameMetrics, FrameWorkspace } from '../../src-main/kernels/frame-metrics';
import { msSsim } from '../../src-main/kernels/metrics/ms-ssim';
import { mse } from '../../src-main/kernels/metrics/mse';
import { psnrFromMse } from '../../src-main/kernels/metrics/psnr';
import { createSsimWorkspace, ssim, ssimWasmAvailable } from '../../src-main/kernels/metrics/ssim';

const LUMA: Record<string, LumaOptions> = {
  y_float: { matrix: 'bt601', range: 'studio' },
  y_uint8: { matrix: 'bt601', range: 'studio', rounding: 'half-up' },
  bt709: { matrix: 'bt709', range: 'studio' },
  'bt601-full': { matrix: 'bt601', range: 'full' },
  'bt709-full': { matrix: 'bt709', range: 'full' },
};

function rgbFrame(width: number, height: number, bitDepth: 8 | 16) {
  const f: FrameFormat = { layout: 'rgb', width, height, bitDepth, chromaShiftX: 0, chromaShiftY: 0, pixFmt: bitDepth === 8 ? 'rgb24' : 'rgb48le' };
  const n = 3 * width * height;
  const peak = bitDepth === 8 ? 255 : 65535;
  const make = (len: number) => (bitDepth === 8 ? new Uint8Array(len) : new Uint16Array(len));
  const ref = make(n);
  const dist = make(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = i % (3 * width);
    const v = Math.round(((Math.sin(x / 17) + Math.cos(Math.floor(i / (3 * width)) / 11)) * 0.25 + 0.5) * peak);
    ref[i] = v;
    dist[i] = Math.min(peak, Math.max(0, v + ((s >>> 16) % 41) - 20));
  }
  return { f, ref, dist, peak };
}

function wholeLuma(f: FrameFormat, data: Uint8Array | Uint16Array, name: string) {
  return lumaFromInterleaved({ data, width: f.width, height: f.height, channels: 3, stride: 3 * f.width }, new Float64Array(f.width * f.height), LUMA[name]!);
}

describe('luma extractors on RGB frames', () => {
  it('psnr-y equals PSNR of the whole luma planes bit for bit (several row tiles, the last partial)', () => {
    const { f, ref, dist, peak } = rgbFrame(301, 233, 8);
    const ws = new FrameWorkspace();
    for (const name of Object.keys(LUMA)) {
      const [value] = computeFrameMetrics(f, ref, dist, [{ id: 'psnr-y', params: { luma: name } }], ws);
      expect(value, name).toBe(psnrFromMse(mse(wholeLuma(f, ref, name), wholeLuma(f, dist, name)), peak));
    }
  });

  it('psnr-y equals the whole-plane value on rows wider than a tile and on 16-bit RGB', () => {
    for (const [w, h, depth, name] of [[40_003, 3, 8, 'y_float'], [257, 129, 16, 'bt709-full']] as const) {
      const { f, ref, dist, peak } = rgbFrame(w, h, depth);
      const [value] = computeFrameMetrics(f, ref, dist, [{ id: 'psnr-y', params: { luma: name } }], new FrameWorkspace());
      expect(value, `${w}x${h}`).toBe(psnrFromMse(mse(wholeLuma(f, ref, name), wholeLuma(f, dist, name)), peak));
    }
  });

  it('ssim-y and ms-ssim-y equal the whole-plane TypeScript values bit for bit (ssim.m downsampling by 2 included)', () => {
    const { f, ref, dist, peak } = rgbFrame(401, 389, 8);
    const ws = new FrameWorkspace();
    for (const name of ['y_float', 'y_uint8', 'bt709-full']) {
      const x = wholeLuma(f, ref, name);
      const y = wholeLuma(f, dist, name);
      const ts = createSsimWorkspace(0, { wasm: false });
      const values = computeFrameMetrics(
        f,
        ref,
        dist,
        [
          { id: 'ssim-y', params: { luma: name } },
          { id: 'ssim-y', params: { luma: name, downsample: 'matlab-auto' } },
          { id: 'ms-ssim-y', params: { luma: name } },
        ],
        ws,
      );
      expect(values[0], name).toBe(ssim(x, y, { dataRange: peak, workspace: ts }).value);
      expect(values[1], name).toBe(ssim(x, y, { dataRange: peak, downsample: 'matlab-auto', workspace: ts }).value);
      expect(values[2], name).toBe(msSsim(x, y, { dataRange: peak, workspace: ts }).value);
    }
    // Frames of another size in the same workspace (the engine's memory is laid out again).
    const small = rgbFrame(199, 171, 8);
    const [v] = computeFrameMetrics(small.f, small.ref, small.dist, [{ id: 'ms-ssim-y', params: {} }], ws);
    const xs = wholeLuma(small.f, small.ref, 'y_float');
    const ys = wholeLuma(small.f, small.dist, 'y_float');
    expect(v).toBe(msSsim(xs, ys, { dataRange: 255, workspace: createSsimWorkspace(0, { wasm: false }) }).value);
  });

  it('runs on the WebAssembly engine here (otherwise the test above checks the TypeScript path only)', () => {
    expect(ssimWasmAvailable()).toBe(true);
  });
});
