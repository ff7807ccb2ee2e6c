// The two halves the engine runs VMAF with (features per frame in any order, each with the reference
// frame before it; scores per pair in frame order) give exactly what the in-order VmafPairScorer gives
// (which the golden tests check against the vmaf CLI), here with the frames computed in reverse order.
import { describe, expect, it } from 'vitest';
import { planeOf } from '../../../src-main/kernels/image/plane';
import { shippedVmafModel } from '../../../src-main/kernels/vmaf/shipped-models';
import { VmafFeatureExtractor, VmafPairScorer, VmafScoreSequencer } from '../../../src-main/kernels/vmaf/vmaf-pair';
import { SYN_FRAMES, SYN_HEIGHT, SYN_WIDTH, syntheticLuma } from './synthetic-pair';

describe('VMAF in two halves', () => {
  for (const [model, bits] of [['vmaf_v0.6.1', 8], ['vmaf_v0.6.1neg', 10], ['vmaf_float_v0.6.1', 10]] as const) {
    it(`${model}, ${bits}-bit synthetic pair: frames in reverse order, then sequenced, equal the in-order scorer`, () => {
      const m = shippedVmafModel(model);
      const ref = (f: number) => planeOf(syntheticLuma(f, bits, false), SYN_WIDTH, SYN_HEIGHT);
      const dist = (f: number) => planeOf(syntheticLuma(f, bits, true), SYN_WIDTH, SYN_HEIGHT);
      const scorer = new VmafPairScorer(m, SYN_WIDTH, SYN_HEIGHT, bits);
      const inOrder: number[] = [];
      for (let f = 0; f < SYN_FRAMES; f++) inOrder.push(...scorer.push(ref(f), dist(f)).map((x) => x.score));
      inOrder.push(...scorer.finish().map((x) => x.score));

      const fx = new VmafFeatureExtractor(m, SYN_WIDTH, SYN_HEIGHT, bits);
      const vectors: Float64Array[] = [];
      for (let f = SYN_FRAMES - 1; f >= 0; f--) vectors[f] = fx.extract(ref(f), dist(f), f > 0 ? ref(f - 1) : null);
      const seq = new VmafScoreSequencer(m);
      const split: number[] = [];
      vectors.forEach((v, f) => split.push(...seq.push(f, v).map((x) => x.score)));
      split.push(...seq.finish().map((x) => x.score));
      expect(split).toEqual(inOrder);
      expect(() => new VmafScoreSequencer(m).push(1, vectors[1]!)).toThrow(/in order/);
    });
  }
});
