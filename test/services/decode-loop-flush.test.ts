/**
 * The decode loop keeps what extractors hold back until the end of the stream (flush() returns values
 * by frame, extractor.ts): a neural extractor that answers every frame at flush, and a kernel
 * extractor with an in-order stage (VMAF: frame k's score is known after frame k+1; the last one at
 * flush) with frames computed in any order on two pool threads.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FrameFormat } from '../../src-main/common/frame-format';
import { resolveMetricRequest } from '../../src-main/common/metric-params';
import { planeOf } from '../../src-main/kernels/image/plane';
import { shippedVmafModel } from '../../src-main/kernels/vmaf/shipped-models';
import { VmafPairScorer } from '../../src-main/kernels/vmaf/vmaf-pair';
import { decodeFormatFor } from '../../src-main/services/media/decode-format';
import { probeMedia } from '../../src-main/services/media/probe';
import { computePair } from '../../src-main/services/metrics/compute-pair';
import { runDecodeLoop, type DecodePlan } from '../../src-main/services/metrics/decode-loop';
import type { OnnxExtractorSpec, PlannedExtractor } from '../../src-main/services/metrics/extractors';
import { createFrameRunner, type FrameRunner } from '../../src-main/services/metrics/frame-pool';
import { ffmpeg, makeMp4, tempDir } from '../helpers/media';
import { execFileSync } from 'node:child_process';

let tmp: { dir: string; cleanup: () => void };
let runner: FrameRunner;
let ref: string;
let dist: string;
const FRAMES = 6;
beforeAll(() => {
  tmp = tempDir('decode-flush');
  ref = join(tmp.dir, 'ref.mp4');
  dist = join(tmp.dir, 'dist.mp4');
  makeMp4(ref, 1, '96x64', FRAMES);
  ffmpeg(['-i', ref, '-vf', 'gblur=sigma=1.5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', dist]);
  runner = createFrameRunner(2);
});
afterAll(async () => {
  await runner.close();
  tmp.cleanup();
});

/** A neural-style extractor that holds every value back and gives frame k the value 10·k + 1 at flush. */
const holdingSpec: OnnxExtractorSpec = {
  id: 'holding',
  input: 'native',
  needsReference: false,
  modelId: () => 'none',
  init: () => {
    const seen: number[] = [];
    return {
      provider: 'test',
      extract: async (k) => {
        seen.push(k);
        return Number.NaN;
      },
      flush: async () => seen.map((k) => ({ frame: k, value: 10 * k + 1 })),
      close: () => {},
    };
  },
};

describe('held-back values', () => {
  it('stores what flush() returns, by frame', async () => {
    const info = await probeMedia(dist);
    const source: FrameFormat = decodeFormatFor(info, dist);
    const plan: DecodePlan = { ref: null, dist: { file: dist, info, filters: [], skipped: 0 }, source, expected: info.frameCount, truncate: false };
    const planned: PlannedExtractor[] = [{ index: 0, metric: { id: 'holding', params: {} }, backend: 'onnx', input: 'native', needsReference: false, model: null, onnx: holdingSpec }];
    const r = await runDecodeLoop(plan, planned, { runner });
    expect(r.frames).toBe(FRAMES);
    expect(Array.from(r.perFrame[0]!)).toEqual(Array.from({ length: FRAMES }, (_, k) => 10 * k + 1));
  });

  it('VMAF through the pool (frames in any order) equals the in-order scorer on the same frames', async () => {
    const m = (params: Record<string, string>) => ({ id: 'vmaf', params: resolveMetricRequest({ id: 'vmaf', params }).params });
    const r = await computePair({ ref, dist }, { metrics: [m({}), m({ model: 'vmaf_v0.6.1neg' })], runner, pooling: 'harmonic' });
    expect(r.errors).toEqual([null, null]);
    expect(r.models.map((x) => x?.modelId)).toEqual(['vmaf_v0.6.1', 'vmaf_v0.6.1neg']);
    const yuv = (file: string) => execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { maxBuffer: 1 << 26 });
    const [a, b] = [yuv(ref), yuv(dist)];
    const size = 96 * 64 * 1.5;
    ['vmaf_v0.6.1', 'vmaf_v0.6.1neg'].forEach((name, i) => {
      const scorer = new VmafPairScorer(shippedVmafModel(name), 96, 64, 8);
      const scores: number[] = [];
      for (let k = 0; k < FRAMES; k++) {
        const y = (buf: Buffer) => planeOf(new Uint8Array(buf.buffer, buf.byteOffset + k * size, 96 * 64), 96, 64);
        scores.push(...scorer.push(y(a), y(b)).map((f) => f.score));
      }
      scores.push(...scorer.finish().map((f) => f.score));
      expect(Array.from(r.perFrame[i]!)).toEqual(scores);
      // libvmaf's harmonic mean: n / Σ 1/(s + 1) − 1
      expect(r.pooled[i]).toBeCloseTo(FRAMES / scores.reduce((s, v) => s + 1 / (v + 1), 0) - 1, 10);
    });
  });
});
