import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planeOf } from '../../../src-main/kernels/image/plane';
import { createFloatAdmWorkspace, floatAdm } from '../../../src-main/kernels/vmaf/float-adm';
import { createFloatMotionWorkspace, floatMotionSad, floatMotionSeries } from '../../../src-main/kernels/vmaf/float-motion';
import { createFloatVifWorkspace, floatVif, log2fApprox } from '../../../src-main/kernels/vmaf/float-vif';
import { parseVmafModel, predictVmaf } from '../../../src-main/kernels/vmaf/model';
import { sharedData } from '../../helpers/shared-data';
import { SYN_FRAMES, SYN_HEIGHT, SYN_WIDTH, syntheticLuma } from './synthetic-pair';
import { decodeGolden, goldenPairs, goldenResults, HEIGHT, lumaPlane, VMAF_MODELS_DIR, WIDTH } from './vmaf-golden';

// libvmaf 3.2.0's floating-point features (float_vif: vif_scale0..3; float_adm: adm2, adm_scale0..3,
// aim, adm3; float_motion: motion, motion2) and the model vmaf_float_v0.6.1 against the vmaf CLI's JSON
// (../shared/golden/vmaf/results/<pair>.models.json), every frame of every pair. The CLI prints %.6f;
// the kernels round to single precision where libvmaf does, so every feature is within the printed
// precision, 5e-7 (measured: <= 5.0e-7 for each of the 13 features on all 30 frames of the 4 pairs),
// 2000x tighter than the 1e-3 for the float path.
// The score: the SVM magnifies feature differences some 270x here (the score computed from the
// printed, rounded features is up to 1.3e-4 off the printed score), so it shows what the features hide:
// measured, the score is within 1.29e-5 of the printed one on every frame. The main known cause is
// ADM's restoration gain, where libvmaf multiplies by the CPU's reciprocal estimate (RCPSS) refined
// once and this port divides (a model of the estimate brought the score to 7.2e-6; float-adm.ts says
// why it is not used). Bound: 2e-5, 50x tighter than the 1e-3.
const PRINTED = 5e-7 + 1e-9;
const SCORE = 2e-5;

const haveGolden = sharedData('golden');
const haveModels = sharedData('models');

function near(actual: number, expected: number | undefined, what: string, bound = PRINTED): void {
  expect(expected, `${what} is in the golden JSON`).toBeTypeOf('number');
  expect(Math.abs(actual - expected!), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(bound);
}

describe.skipIf(!haveGolden || !haveModels)('libvmaf float features and vmaf_float_v0.6.1 on the golden pairs', () => {
  const pairs = haveGolden ? goldenPairs() : [];
  const model = haveModels ? parseVmafModel(readFileSync(join(VMAF_MODELS_DIR, 'vmaf_float_v0.6.1.json'), 'utf8'), 'vmaf_float_v0.6.1.json') : null;
  const vifWs = createFloatVifWorkspace(WIDTH, HEIGHT);
  const admWs = createFloatAdmWorkspace(WIDTH, HEIGHT);
  const motionWs = createFloatMotionWorkspace(WIDTH, HEIGHT);

  it('the model reads the float feature names', () => {
    expect(model!.featureNames).toEqual([
      'VMAF_feature_adm2_score',
      'VMAF_feature_motion2_score',
      'VMAF_feature_vif_scale0_score',
      'VMAF_feature_vif_scale1_score',
      'VMAF_feature_vif_scale2_score',
      'VMAF_feature_vif_scale3_score',
    ]);
  });

  for (const pair of pairs) {
    it(`${pair.name}: VIF, ADM, motion and vmaf_float_v0.6.1, every frame`, () => {
      const ref = decodeGolden(pair.reference, pair.frames);
      const dist = decodeGolden(pair.distorted, pair.frames);
      const golden = goldenResults(pair.name, true);
      expect(golden).toHaveLength(pair.frames);

      const motion = Array.from({ length: pair.frames }, (_, f) => (f === 0 ? 0 : floatMotionSad(lumaPlane(ref, f - 1), lumaPlane(ref, f), motionWs)));
      const motion2 = floatMotionSeries(motion);
      for (let f = 0; f < pair.frames; f++) {
        const g = golden[f]!;
        near(motion[f]!, g.motion, `frame ${f} motion`);
        near(motion2[f]!, g.motion2, `frame ${f} motion2`);
        const vif = floatVif(lumaPlane(ref, f), lumaPlane(dist, f), vifWs);
        const adm = floatAdm(lumaPlane(ref, f), lumaPlane(dist, f), admWs);
        vif.scores.forEach((v, s) => near(v, g[`vif_scale${s}`], `frame ${f} vif_scale${s}`));
        adm.scales.forEach((v, s) => near(v, g[`adm_scale${s}`], `frame ${f} adm_scale${s}`));
        near(adm.adm2, g.adm2, `frame ${f} adm2`);
        near(adm.aim, g.aim, `frame ${f} aim`);
        near(adm.adm3, g.adm3, `frame ${f} adm3`);
        near(predictVmaf(model!, [adm.adm2, motion2[f]!, ...vif.scores]), g['vmaf_float_v0.6.1'], `frame ${f} vmaf_float_v0.6.1`, SCORE);
      }
    });
  }
});

describe('float extractors', () => {
  it("reproduce libvmaf's fast log2 polynomial (exact at powers of two, within its 1e-4 approximation elsewhere)", () => {
    for (const x of [1, 2, 0.5, 1024, 2 ** -20]) expect(log2fApprox(x)).toBe(Math.log2(x));
    for (const x of [1.5, 3, 7.25, 100, 0.3]) expect(Math.abs(log2fApprox(x) - Math.log2(x))).toBeLessThan(1e-4);
    expect(log2fApprox(0)).toBe(-Infinity);
  });

  it('read 10-bit input as libvmaf does (sample/4): a 10-bit pair four times an 8-bit pair gives the same features', () => {
    const vif8 = createFloatVifWorkspace(SYN_WIDTH, SYN_HEIGHT, 8);
    const vif10 = createFloatVifWorkspace(SYN_WIDTH, SYN_HEIGHT, 10);
    const adm8 = createFloatAdmWorkspace(SYN_WIDTH, SYN_HEIGHT, 8);
    const adm10 = createFloatAdmWorkspace(SYN_WIDTH, SYN_HEIGHT, 10);
    const mo8 = createFloatMotionWorkspace(SYN_WIDTH, SYN_HEIGHT, 8);
    const mo10 = createFloatMotionWorkspace(SYN_WIDTH, SYN_HEIGHT, 10);
    const p8 = (f: number, d: boolean) => planeOf(Uint8Array.from(syntheticLuma(f, 8, d)), SYN_WIDTH, SYN_HEIGHT);
    const p10 = (f: number, d: boolean) => planeOf(Uint16Array.from(syntheticLuma(f, 8, d), (v) => v * 4), SYN_WIDTH, SYN_HEIGHT);
    const f = SYN_FRAMES - 1;
    const a = floatVif(p8(f, false), p8(f, true), vif8);
    const b = floatVif(p10(f, false), p10(f, true), vif10);
    expect(b.scores).toEqual(a.scores);
    expect(a.scores.every((s) => s > 0 && s < 1)).toBe(true);
    expect(floatAdm(p10(f, false), p10(f, true), adm10)).toEqual(floatAdm(p8(f, false), p8(f, true), adm8));
    const m8 = floatMotionSad(p8(f - 1, false), p8(f, false), mo8);
    expect(m8).toBeGreaterThan(0);
    expect(floatMotionSad(p10(f - 1, false), p10(f, false), mo10)).toBe(m8);
  });

  it('give VIF 1 per scale, ADM 1 and motion 0 for identical textured frames (odd sizes)', () => {
    const w = 97;
    const h = 67;
    const data = new Uint8Array(w * h);
    let seed = 11;
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = (((i % w) * 3 + Math.floor(i / w) * 2) & 0xff) ^ (seed >>> 27);
    }
    const p = planeOf(data, w, h);
    for (const s of floatVif(p, p, createFloatVifWorkspace(w, h)).scores) expect(s).toBeCloseTo(1, 6);
    const adm = floatAdm(p, p, createFloatAdmWorkspace(w, h));
    expect(adm.adm2).toBeCloseTo(1, 6);
    expect(adm.aim).toBeCloseTo(0, 6);
    expect(adm.adm3).toBeCloseTo(1, 6);
    expect(floatMotionSad(p, p, createFloatMotionWorkspace(w, h))).toBe(0);
    expect(Array.from(floatMotionSeries([0, 2, 1, 3]))).toEqual([0, 1, 1, 3]);
  });

  it('refuse other bit depths, too-small frames and frames of another size, with typed errors', () => {
    expect(() => createFloatVifWorkspace(640, 360, 12)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => createFloatAdmWorkspace(640, 20)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    expect(() => createFloatVifWorkspace(8, 360)).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }));
    const ws = createFloatVifWorkspace(64, 64);
    const small = planeOf(new Uint8Array(64 * 32), 64, 32);
    const ok = planeOf(new Uint8Array(64 * 64), 64, 64);
    expect(() => floatVif(ok, small, ws)).toThrow(expect.objectContaining({ code: 'E_MISMATCH' }));
    expect(() => floatAdm(ok, small, createFloatAdmWorkspace(64, 64))).toThrow(expect.objectContaining({ code: 'E_MISMATCH' }));
    expect(() => floatMotionSad(ok, small, createFloatMotionWorkspace(64, 64))).toThrow(expect.objectContaining({ code: 'E_MISMATCH' }));
  });
});
