import { describe, expect, it } from 'vitest';
import { planeOf } from '../../../src-main/kernels/image/plane';
import { shippedVmafModel } from '../../../src-main/kernels/vmaf/shipped-models';
import { poolVmaf, VmafPairScorer, type VmafFrame } from '../../../src-main/kernels/vmaf/vmaf-pair';
import { sharedData } from '../../helpers/shared-data';
import { decodeGolden, goldenPairs, goldenResults, HEIGHT, lumaPlane, VMAF_GOLDEN_DIR, WIDTH } from './vmaf-golden';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The shipped vmaf_v1.0.16_3d0h through the per-pair scorer (both halves, frames in order) on every
// frame of the 4 golden pairs, against the vmaf CLI's vmaf_v1.0.16_3d0h in <pair>.models.json: the
// model's 4 features (CAMBI of the distorted luma, speed_chroma uv of U and V, integer adm3 with the
// blended CSF, motion3 capped at 18), its chroma correction (speed_chroma 0 replaced from adm3) and
// its own score transform (enabled in the file), then clipped to [0, 100]. The CLI prints %.6f; the
// bound is that rounding (5e-7; the is 1e-4). Measured: 4.96e-7 worst over the 120 frames.
const PRINTED = 5e-7 + 1e-9;
const FRAME_BYTES = (WIDTH * HEIGHT * 3) / 2;

function chroma(raw: Buffer, frame: number) {
  const q = (WIDTH * HEIGHT) / 4;
  const at = (c: number) => planeOf(new Uint8Array(raw.buffer, raw.byteOffset + frame * FRAME_BYTES + WIDTH * HEIGHT + c * q, q), WIDTH / 2, HEIGHT / 2);
  return [at(0), at(1)] as const;
}

describe.skipIf(!sharedData('golden'))('VmafPairScorer with vmaf_v1.0.16_3d0h', () => {
  for (const pair of goldenPairs()) {
    it(`${pair.name}: every frame's score and the model's features equal the vmaf CLI's, and the pooled mean`, () => {
      const ref = decodeGolden(pair.reference, pair.frames);
      const dist = decodeGolden(pair.distorted, pair.frames);
      const golden = goldenResults(pair.name, true);
      const scorer = new VmafPairScorer(shippedVmafModel('vmaf_v1.0.16_3d0h'), WIDTH, HEIGHT, 8);
      const frames: VmafFrame[] = [];
      for (let f = 0; f < pair.frames; f++) {
        frames.push(...scorer.push(lumaPlane(ref, f), lumaPlane(dist, f), { ref: chroma(ref, f), dist: chroma(dist, f) }));
      }
      frames.push(...scorer.finish());
      expect(frames.map((fr) => fr.frame)).toEqual(Array.from({ length: pair.frames }, (_, i) => i));
      for (const fr of frames) {
        const g = golden[fr.frame]!;
        expect(Math.abs(fr.score - g['vmaf_v1.0.16_3d0h']!), `frame ${fr.frame}: ${fr.score} vs ${g['vmaf_v1.0.16_3d0h']}`).toBeLessThanOrEqual(PRINTED);
        const x = fr.features;
        expect(Math.abs(x.Cambi_feature_cambi_score! - g['cambi_hrs_1080_cmxv_17_vlt_0.06']!), `frame ${fr.frame} cambi`).toBeLessThanOrEqual(PRINTED);
        expect(Math.abs(x.Speed_chroma_feature_speed_chroma_uv_score! - g['speed_chroma_uv_mxv_45_nnf_0.1_snn_0.19_wvm_5']!), `frame ${fr.frame} speed_chroma_uv`).toBeLessThanOrEqual(PRINTED);
        expect(Math.abs(x.VMAF_integer_feature_adm3_score! - g['integer_adm3_csf_2_dlmw_0.7_egl_1_min_0.5_nw_0.02']!), `frame ${fr.frame} adm3`).toBeLessThanOrEqual(PRINTED);
        expect(Math.abs(x.VMAF_integer_feature_motion3_score! - g.integer_motion3_mmxv_18!), `frame ${fr.frame} motion3`).toBeLessThanOrEqual(PRINTED);
      }
      const pooled = (JSON.parse(readFileSync(join(VMAF_GOLDEN_DIR, 'results', `${pair.name}.models.json`), 'utf8')) as {
        pooled_metrics: Record<string, { mean: number; harmonic_mean: number }>;
      }).pooled_metrics['vmaf_v1.0.16_3d0h']!;
      const p = poolVmaf(frames.map((fr) => fr.score));
      expect(Math.abs(p.mean - pooled.mean)).toBeLessThanOrEqual(PRINTED);
      expect(Math.abs(p.harmonicMean - pooled.harmonic_mean)).toBeLessThanOrEqual(PRINTED);
    });
  }
});
