/**
 * The extractor table against the registry: every per-frame metric the registry computes with kernels
 * has exactly one extractor, and the extractor's need for a reference is the registry's kind.
 */
import { describe, expect, it } from 'vitest';
import { METRICS } from '../../src-main/common/metric-registry';
import { KERNEL_EXTRACTORS } from '../../src-main/kernels/extractors';
import { computeFrameMetrics, ExtractorHost, FrameWorkspace } from '../../src-main/kernels/frame-metrics';

describe('kernel extractors', () => {
  it('exist for every metric whose registry backend is kernel, and only for those', () => {
    const kernelIds = METRICS.filter((m) => m.backend === 'kernel').map((m) => m.id).sort();
    expect(Object.keys(KERNEL_EXTRACTORS).sort()).toEqual(kernelIds);
  });

  it('need the reference exactly when the registry says the metric is full-reference', () => {
    for (const [id, spec] of Object.entries(KERNEL_EXTRACTORS)) expect(spec.needsReference, id).toBe(METRICS.find((m) => m.id === id)!.kind === 'FR');
  });

  it('give through the host what computeFrameMetrics gives on the same frame', () => {
    const f = { layout: 'yuv' as const, width: 32, height: 24, bitDepth: 8, chromaShiftX: 1, chromaShiftY: 1, pixFmt: 'yuv420p' };
    const n = 32 * 24 + 2 * 16 * 12;
    const ref = Uint8Array.from({ length: n }, (_, i) => (i * 37) % 251);
    const dist = Uint8Array.from(ref, (v, i) => (v + (i % 7) - 3 + 256) % 256);
    const requests = ['mse', 'psnr', 'psnr-y', 'psnr-yuv', 'ssim', 'ssim-y'].map((id) => ({ id, params: {} }));
    const direct = computeFrameMetrics(f, ref, dist, requests, new FrameWorkspace());
    const viaHost = new ExtractorHost().extractAll(0, { native: f }, f, { native: ref }, { native: dist }, requests);
    expect(Array.from(viaHost)).toEqual(Array.from(direct));
  });
});
