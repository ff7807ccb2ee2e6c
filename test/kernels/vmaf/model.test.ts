import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IqaError } from '../../../src-main/common/errors';
import { createIntegerAdmWorkspace, integerAdm } from '../../../src-main/kernels/vmaf/integer-adm';
import { IntegerMotion, motionSeries } from '../../../src-main/kernels/vmaf/integer-motion';
import { createIntegerVifWorkspace, integerVif } from '../../../src-main/kernels/vmaf/integer-vif';
import { modelFeatures, parseVmafModel, predictVmaf, type VmafModel } from '../../../src-main/kernels/vmaf/model';
import { sharedData } from '../../helpers/shared-data';
import { decodeGolden, goldenPairs, goldenResults, HEIGHT, lumaPlane, VMAF_MODELS_DIR, WIDTH } from './vmaf-golden';

// The model files of ../shared/models/vmaf (provenance.md there) and libvmaf's prediction, against the
// vmaf CLI's *.models.json: the NEG features (enhancement gain limit 1), vmaf_v0.6.1neg,
// vmaf_4k_v0.6.1 and vmaf_v0.6.1 with its transform enabled. The CLI prints %.6f, so the bound is 5e-7
// (the issue allows 1e-5 on features, 1e-4 on VMAF). Measured over all 30 frames of the 4 pairs:
// within 5.0e-7 everywhere. Two frames per pair here (VIF and ADM run twice per frame: default and NEG).
const PRINTED = 5e-7 + 1e-9;
const SAMPLE_FRAMES = [7, 29];

const haveGolden = sharedData('golden');
const haveModels = sharedData('models');

function loadModel(name: string): VmafModel {
  return parseVmafModel(readFileSync(join(VMAF_MODELS_DIR, `${name}.json`), 'utf8'), `${name}.json`);
}

function near(actual: number, expected: number | undefined, what: string, tol = PRINTED): void {
  expect(expected, `${what} is in the golden JSON`).toBeTypeOf('number');
  expect(Math.abs(actual - expected!), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
}

function modelError(text: string): IqaError {
  try {
    parseVmafModel(text, 'bad.json');
  } catch (err) {
    expect(err).toBeInstanceOf(IqaError);
    return err as IqaError;
  }
  throw new Error('parseVmafModel accepted a bad model');
}

describe.skipIf(!haveModels)('VMAF model files', () => {
  it('parses every model file with its declared features, normalisation and libsvm header', () => {
    const files = readdirSync(VMAF_MODELS_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const m = parseVmafModel(readFileSync(join(VMAF_MODELS_DIR, f), 'utf8'), f);
      expect(m.slopes).toHaveLength(m.featureNames.length + 1);
      expect(m.coefficients.length).toBeGreaterThan(100);
      expect(m.clip).not.toBeNull();
    }
    const v061 = loadModel('vmaf_v0.6.1');
    expect(v061.featureNames).toEqual([
      'VMAF_integer_feature_adm2_score',
      'VMAF_integer_feature_motion2_score',
      'VMAF_integer_feature_vif_scale0_score',
      'VMAF_integer_feature_vif_scale1_score',
      'VMAF_integer_feature_vif_scale2_score',
      'VMAF_integer_feature_vif_scale3_score',
    ]);
    expect([v061.gamma, v061.rho, v061.coefficients.length]).toEqual([0.04, -1.33133, 211]);
    expect(v061.transform).toMatchObject({ enabled: false, outGteIn: true, outLteIn: false });
    expect(loadModel('vmaf_v1.0.16_3d0h').transform?.enabled).toBe(true);
    expect(loadModel('vmaf_4k_v0.6.1').transform).toBeNull();
  });

  it('refuses what is not a VMAF model with one-line E_MODEL errors naming the file', () => {
    const good = JSON.parse(readFileSync(join(VMAF_MODELS_DIR, 'vmaf_v0.6.1.json'), 'utf8')) as { model_dict: Record<string, unknown> };
    const variant = (patch: Record<string, unknown>): string => JSON.stringify({ model_dict: { ...good.model_dict, ...patch } });
    const cases = [
      'not json',
      JSON.stringify({ param_dict: {} }),
      variant({ model_type: 'RESIDUEBOOTSTRAP_LIBSVMNUSVR' }),
      variant({ norm_type: 'none' }),
      variant({ slopes: [1, 2] }),
      variant({ feature_names: [] }),
      variant({ model: 'svm_type c_svc\nkernel_type rbf\nSV\n' }),
      variant({ model: (good.model_dict.model as string).replace('1:0.65734273', '9:0.65734273') }),
      variant({ model: (good.model_dict.model as string).replace('total_sv 211', 'total_sv 212') }),
      variant({ score_transform: { knots: [[0, 0], [100, 100]] } }),
    ];
    for (const text of cases) {
      const err = modelError(text);
      expect(err.code).toBe('E_MODEL');
      expect(err.message).toMatch(/^bad\.json is not a usable VMAF model: /);
      expect(err.message).not.toContain('\n');
      expect(err.file).toBe('bad.json');
    }
  });

  it('names a feature the model needs that was not computed (E_MODEL) and a wrong feature count (E_INPUT)', () => {
    const m = loadModel('vmaf_v1.0.16_3d0h');
    const have = new Map([['VMAF_integer_feature_adm3_score', 0.9]]);
    expect(() => modelFeatures(m, have)).toThrow(expect.objectContaining({ code: 'E_MODEL', message: expect.stringContaining('Cambi_feature_cambi_score') }));
    expect(() => predictVmaf(loadModel('vmaf_v0.6.1'), [1, 2, 3])).toThrow(expect.objectContaining({ code: 'E_INPUT' }));
  });

  it('applies transform and clip as libvmaf does (transform only when enabled or asked for; clip unless disabled)', () => {
    const m = loadModel('vmaf_v0.6.1');
    const f = [0.95, 4, 0.6, 0.9, 0.95, 0.97];
    const raw = predictVmaf(m, f, { disableClip: true });
    expect(predictVmaf(m, f)).toBe(Math.min(100, Math.max(0, raw)));
    const poly = 1.70674692 + 1.72643844 * raw + -0.00705305 * raw * raw;
    expect(predictVmaf(m, f, { enableTransform: true, disableClip: true })).toBe(Math.max(poly, raw));
  });
});

describe.skipIf(!haveGolden || !haveModels)('NEG features and the other v0.6.1 models against the golden *.models.json', () => {
  const pairs = haveGolden ? goldenPairs() : [];
  const models = haveModels ? { v061: loadModel('vmaf_v0.6.1'), neg: loadModel('vmaf_v0.6.1neg'), k4: loadModel('vmaf_4k_v0.6.1') } : null;
  const vifWs = createIntegerVifWorkspace(WIDTH, HEIGHT);
  const admWs = createIntegerAdmWorkspace(WIDTH, HEIGHT);

  for (const pair of pairs) {
    it(pair.name, () => {
      const ref = decodeGolden(pair.reference, pair.frames);
      const dist = decodeGolden(pair.distorted, pair.frames);
      const golden = goldenResults(pair.name, true);
      const motion = new IntegerMotion(WIDTH, HEIGHT);
      const motion18 = new IntegerMotion(WIDTH, HEIGHT, 8, 18);
      const sad: number[] = [];
      const sad18: number[] = [];
      for (let f = 0; f < pair.frames; f++) {
        sad.push(motion.push(lumaPlane(ref, f)));
        sad18.push(motion18.push(lumaPlane(ref, f)));
      }
      const { motion2 } = motionSeries(sad);
      const m18 = motionSeries(sad18, { maxVal: 18 });
      for (let f = 0; f < pair.frames; f++) {
        const g = golden[f]!;
        near(sad18[f]!, g.VMAF_integer_feature_motion_sad_score_mmxv_18, `frame ${f} motion_sad_mmxv_18`);
        near(m18.motion2[f]!, g.integer_motion2_mmxv_18, `frame ${f} motion2_mmxv_18`);
        near(m18.motion3[f]!, g.integer_motion3_mmxv_18, `frame ${f} motion3_mmxv_18`);
      }
      for (const f of SAMPLE_FRAMES) {
        const g = golden[f]!;
        const r = lumaPlane(ref, f);
        const d = lumaPlane(dist, f);
        const vif = integerVif(r, d, vifWs).scores;
        const adm = integerAdm(r, d, admWs);
        const vifNeg = integerVif(r, d, vifWs, { enhnGainLimit: 1 }).scores;
        const admNeg = integerAdm(r, d, admWs, { enhnGainLimit: 1 });
        vifNeg.forEach((v, s) => near(v, g[`integer_vif_scale${s}_egl_1`], `frame ${f} vif_scale${s}_egl_1`));
        admNeg.scales.forEach((v, s) => near(v, g[`integer_adm_scale${s}_egl_1`], `frame ${f} adm_scale${s}_egl_1`));
        near(admNeg.adm2, g.integer_adm2_egl_1, `frame ${f} adm2_egl_1`);
        near(admNeg.aim, g.integer_aim_egl_1, `frame ${f} aim_egl_1`);
        near(admNeg.adm3, g.integer_adm3_egl_1, `frame ${f} adm3_egl_1`);
        const features = [adm.adm2, motion2[f]!, ...vif];
        near(predictVmaf(models!.v061, features), g['vmaf_v0.6.1'], `frame ${f} vmaf_v0.6.1`);
        near(predictVmaf(models!.v061, features, { enableTransform: true }), g['vmaf_v0.6.1_transform'], `frame ${f} vmaf_v0.6.1_transform`);
        near(predictVmaf(models!.k4, features), g['vmaf_4k_v0.6.1'], `frame ${f} vmaf_4k_v0.6.1`);
        near(predictVmaf(models!.neg, [admNeg.adm2, motion2[f]!, ...vifNeg]), g['vmaf_v0.6.1neg'], `frame ${f} vmaf_v0.6.1neg`);
      }
    });
  }

  it('vmaf_float_v0.6.1 from the float features the CLI printed (every frame; inputs rounded to 6 decimals)', () => {
    const model = loadModel('vmaf_float_v0.6.1');
    // Each input carries up to 5e-7 of print rounding and VMAF moves by up to ~160 per unit of adm2,
    // so the bound is looser than PRINTED; measured at most 1.3e-4.
    let worst = 0;
    for (const pair of pairs) {
      for (const g of goldenResults(pair.name, true)) {
        const score = predictVmaf(model, [g.adm2!, g.motion2!, g.vif_scale0!, g.vif_scale1!, g.vif_scale2!, g.vif_scale3!]);
        worst = Math.max(worst, Math.abs(score - g['vmaf_float_v0.6.1']!));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-3);
  });

  // As for the float model, the inputs carry print rounding: measured at most 2.0e-4.
  it('vmaf_v1.0.16_3d0h (transform on, chroma correction) from the v1 features the CLI printed (every frame)', () => {
    const model = loadModel('vmaf_v1.0.16_3d0h');
    expect(model.chromaCorrection).toEqual({ parameter: 120, guided: 1, guiding: 2 });
    expect(model.featureOptions[3]).toEqual({ motion_max_val: 18 });
    let worst = 0;
    let corrected = 0;
    for (const pair of pairs) {
      for (const g of goldenResults(pair.name, true)) {
        const chroma = g['speed_chroma_uv_mxv_45_nnf_0.1_snn_0.19_wvm_5']!;
        if (chroma === 0) corrected++;
        const score = predictVmaf(model, [
          g['cambi_hrs_1080_cmxv_17_vlt_0.06']!,
          chroma,
          g['integer_adm3_csf_2_dlmw_0.7_egl_1_min_0.5_nw_0.02']!,
          g['integer_motion3_mmxv_18']!,
        ]);
        worst = Math.max(worst, Math.abs(score - g['vmaf_v1.0.16_3d0h']!));
      }
    }
    // 14 frames (the mandelbrot pairs' last 7) have speed_chroma 0, where the correction moves VMAF by 3 to 6.
    expect(corrected).toBe(14);
    expect(worst).toBeLessThanOrEqual(1e-3);
  });
});
