import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedVmafModel } from '../../../src-main/kernels/vmaf/shipped-models';
import { poolVmaf, VmafPairScorer, type VmafFrame } from '../../../src-main/kernels/vmaf/vmaf-pair';
import { sharedData } from '../../helpers/shared-data';
import { decodeGolden, goldenResults, HEIGHT, lumaPlane, VMAF_GOLDEN_DIR, WIDTH } from './vmaf-golden';

// The per-pair scorer with the shipped vmaf_float_v0.6.1 (its features planned from the model's
// names onto the float extractors, motion2 one frame late) against the vmaf CLI on one golden pair:
// every frame and the pooled values. Bounds as float-features.test.ts measures them: features to the
// printed precision (5e-7), the score within 2e-5 (measured 1.29e-5 over the 4 pairs).
const PRINTED = 5e-7 + 1e-9;
const SCORE = 2e-5;

describe.skipIf(!sharedData('golden'))('VmafPairScorer with vmaf_float_v0.6.1', () => {
  it('p01_testsrc2__scale_half_bicubic: every frame, and mean, harmonic mean, min, max as the CLI pools them', () => {
    const pair = 'p01_testsrc2__scale_half_bicubic';
    const ref = decodeGolden('ref/p01_testsrc2.mkv', 30);
    const dist = decodeGolden(`dist/${pair}.mkv`, 30);
    const golden = goldenResults(pair, true);
    const pooled = (JSON.parse(readFileSync(join(VMAF_GOLDEN_DIR, 'results', `${pair}.models.json`), 'utf8')) as { pooled_metrics: Record<string, Record<string, number>> })
      .pooled_metrics['vmaf_float_v0.6.1']!;
    const scorer = new VmafPairScorer(shippedVmafModel('vmaf_float_v0.6.1'), WIDTH, HEIGHT, 8);
    const frames: VmafFrame[] = [];
    for (let f = 0; f < 30; f++) frames.push(...scorer.push(lumaPlane(ref, f), lumaPlane(dist, f)));
    frames.push(...scorer.finish());
    expect(frames.map((d) => d.frame)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const fr of frames) {
      const g = golden[fr.frame]!;
      expect(Object.keys(fr.features)).toEqual([
        'VMAF_feature_adm2_score',
        'VMAF_feature_motion2_score',
        'VMAF_feature_vif_scale0_score',
        'VMAF_feature_vif_scale1_score',
        'VMAF_feature_vif_scale2_score',
        'VMAF_feature_vif_scale3_score',
      ]);
      expect(Math.abs(fr.score - g['vmaf_float_v0.6.1']!), `frame ${fr.frame}`).toBeLessThanOrEqual(SCORE);
      expect(Math.abs(fr.features.VMAF_feature_adm2_score! - g.adm2!)).toBeLessThanOrEqual(PRINTED);
      expect(Math.abs(fr.features.VMAF_feature_motion2_score! - g.motion2!)).toBeLessThanOrEqual(PRINTED);
      for (let s = 0; s < 4; s++) expect(Math.abs(fr.features[`VMAF_feature_vif_scale${s}_score`]! - g[`vif_scale${s}`]!)).toBeLessThanOrEqual(PRINTED);
    }
    const p = poolVmaf(frames.map((d) => d.score));
    expect(Math.abs(p.mean - pooled.mean!)).toBeLessThanOrEqual(SCORE);
    expect(Math.abs(p.harmonicMean - pooled.harmonic_mean!)).toBeLessThanOrEqual(SCORE);
    expect(Math.abs(p.min - pooled.min!)).toBeLessThanOrEqual(SCORE);
    expect(Math.abs(p.max - pooled.max!)).toBeLessThanOrEqual(SCORE);
  });
});
