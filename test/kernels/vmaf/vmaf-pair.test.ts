import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planeOf } from '../../../src-main/kernels/image/plane';
import { parseVmafModel, type VmafModel } from '../../../src-main/kernels/vmaf/model';
import { poolVmaf, VmafPairScorer, type VmafFrame } from '../../../src-main/kernels/vmaf/vmaf-pair';
import { sharedData } from '../../helpers/shared-data';
import { SYN_FRAMES, SYN_HEIGHT, SYN_WIDTH, syntheticLuma } from './synthetic-pair';
import { decodeGolden, goldenResults, HEIGHT, lumaPlane, VMAF_GOLDEN_DIR, VMAF_MODELS_DIR, WIDTH } from './vmaf-golden';

// The per-pair scorer (frames in order, one frame late, options from the model file) against the vmaf
// CLI: all 30 frames of one golden pair with vmaf_v0.6.1 and its pooled values (the file's main
// target), and the NEG model on the 10-bit synthetic pair. Bound: the printed precision (5e-7).
const PRINTED = 5e-7 + 1e-9;

const haveGolden = sharedData('golden');
const haveModels = sharedData('models');

function loadModel(name: string): VmafModel {
  return parseVmafModel(readFileSync(join(VMAF_MODELS_DIR, `${name}.json`), 'utf8'), `${name}.json`);
}

describe.skipIf(!haveModels)('VmafPairScorer', () => {
  it.skipIf(!haveGolden)('p01_testsrc2__x264_crf35 with vmaf_v0.6.1: every frame, and mean, harmonic mean, min, max as the CLI pools them', () => {
    const pair = 'p01_testsrc2__x264_crf35';
    const ref = decodeGolden('ref/p01_testsrc2.mkv', 30);
    const dist = decodeGolden(`dist/${pair}.mp4`, 30);
    const golden = goldenResults(pair);
    const pooled = (JSON.parse(readFileSync(join(VMAF_GOLDEN_DIR, 'results', `${pair}.json`), 'utf8')) as { pooled_metrics: Record<string, Record<string, number>> })
      .pooled_metrics.vmaf!;
    const scorer = new VmafPairScorer(loadModel('vmaf_v0.6.1'), WIDTH, HEIGHT, 8);
    const frames: VmafFrame[] = [];
    for (let f = 0; f < 30; f++) {
      const done = scorer.push(lumaPlane(ref, f), lumaPlane(dist, f));
      expect(done.map((d) => d.frame)).toEqual(f === 0 ? [] : [f - 1]);
      frames.push(...done);
    }
    frames.push(...scorer.finish());
    expect(frames.map((d) => d.frame)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const fr of frames) {
      const g = golden[fr.frame]!;
      expect(Math.abs(fr.score - g.vmaf!)).toBeLessThanOrEqual(PRINTED);
      expect(Math.abs(fr.features.VMAF_integer_feature_motion2_score! - g.integer_motion2!)).toBeLessThanOrEqual(PRINTED);
      expect(Math.abs(fr.features.VMAF_integer_feature_adm2_score! - g.integer_adm2!)).toBeLessThanOrEqual(PRINTED);
    }
    const p = poolVmaf(frames.map((d) => d.score));
    expect(Math.abs(p.mean - pooled.mean!)).toBeLessThanOrEqual(PRINTED);
    expect(Math.abs(p.harmonicMean - pooled.harmonic_mean!)).toBeLessThanOrEqual(PRINTED);
    expect(Math.abs(p.min - pooled.min!)).toBeLessThanOrEqual(PRINTED);
    expect(Math.abs(p.max - pooled.max!)).toBeLessThanOrEqual(PRINTED);
  });

  it('vmaf_v0.6.1neg on the 10-bit synthetic pair: the NEG options come from the model file', () => {
    const expected = JSON.parse(readFileSync(new URL('./synthetic-pair.expected.json', import.meta.url), 'utf8')) as Record<string, Record<string, number>[]>;
    const scorer = new VmafPairScorer(loadModel('vmaf_v0.6.1neg'), SYN_WIDTH, SYN_HEIGHT, 10);
    const frames: VmafFrame[] = [];
    for (let f = 0; f < SYN_FRAMES; f++) {
      const r = planeOf(syntheticLuma(f, 10, false), SYN_WIDTH, SYN_HEIGHT);
      const d = planeOf(syntheticLuma(f, 10, true), SYN_WIDTH, SYN_HEIGHT);
      frames.push(...scorer.push(r, d));
    }
    frames.push(...scorer.finish());
    expect(frames).toHaveLength(SYN_FRAMES);
    for (const fr of frames) {
      const g = expected.bitDepth10![fr.frame]!;
      expect(Math.abs(fr.score - g['vmaf_v0.6.1neg']!)).toBeLessThanOrEqual(PRINTED);
      expect(Math.abs(fr.features.VMAF_integer_feature_vif_scale0_score! - g.integer_vif_scale0_egl_1!)).toBeLessThanOrEqual(PRINTED);
    }
  });

  it('one frame: motion2 and motion3 are 0, and finish gives it', () => {
    const scorer = new VmafPairScorer(loadModel('vmaf_v0.6.1'), 64, 64, 8);
    const data = new Uint8Array(64 * 64).map((_, i) => (i * 7) & 0xff);
    expect(scorer.push(planeOf(data, 64, 64), planeOf(data, 64, 64))).toEqual([]);
    const [last] = scorer.finish();
    expect(last!.features.VMAF_integer_feature_motion2_score).toBe(0);
    expect(scorer.finish()).toEqual([]);
  });

  it('refuses models it cannot compute: unknown features (E_MODEL), options it does not implement (E_UNSUPPORTED)', () => {
    const v1Json = JSON.parse(readFileSync(join(VMAF_MODELS_DIR, 'vmaf_v1.0.16_3d0h.json'), 'utf8')) as { model_dict: { feature_names: string[] } };
    v1Json.model_dict.feature_names[3] = 'Speed_temporal_feature_speed_temporal_score';
    const temporal = parseVmafModel(JSON.stringify(v1Json), 'temporal.json');
    expect(() => new VmafPairScorer(temporal, 640, 360, 8)).toThrow(
      expect.objectContaining({ code: 'E_MODEL', message: expect.stringContaining('Speed_temporal_feature_speed_temporal_score') }),
    );
    const floatJson = JSON.parse(readFileSync(join(VMAF_MODELS_DIR, 'vmaf_float_v0.6.1.json'), 'utf8')) as { model_dict: Record<string, unknown> };
    floatJson.model_dict.feature_opts_dicts = [{}, {}, { vif_kernelscale: 2 }];
    const ks2 = parseVmafModel(JSON.stringify(floatJson), 'ks2.json');
    expect(() => new VmafPairScorer(ks2, 64, 64, 8)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringContaining('vif_kernelscale=2') }));
    const json = JSON.parse(readFileSync(join(VMAF_MODELS_DIR, 'vmaf_v0.6.1.json'), 'utf8')) as { model_dict: Record<string, unknown> };
    json.model_dict.feature_opts_dicts = [{ adm_csf_mode: 1 }];
    const csf1 = parseVmafModel(JSON.stringify(json), 'csf1.json');
    expect(() => new VmafPairScorer(csf1, 64, 64, 8)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringContaining('adm_csf_mode 0 (Watson97) and 2') }));
    // speed_chroma needs chroma: refused for frames without it (a grey picture).
    expect(() => new VmafPairScorer(loadModel('vmaf_v1.0.16_3d0h'), 640, 360, 8, {}, null)).toThrow(
      expect.objectContaining({ code: 'E_UNSUPPORTED', message: expect.stringContaining('speed_chroma') }),
    );
    expect(() => poolVmaf([])).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });
});
