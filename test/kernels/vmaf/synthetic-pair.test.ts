import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planeOf } from '../../../src-main/kernels/image/plane';
import { createIntegerAdmWorkspace, integerAdm } from '../../../src-main/kernels/vmaf/integer-adm';
import { IntegerMotion, motionSeries } from '../../../src-main/kernels/vmaf/integer-motion';
import { createIntegerVifWorkspace, integerVif } from '../../../src-main/kernels/vmaf/integer-vif';
import { parseVmafModel, predictVmaf } from '../../../src-main/kernels/vmaf/model';
import { sharedData } from '../../helpers/shared-data';
import { SYN_FRAMES, SYN_HEIGHT, SYN_WIDTH, syntheticLuma } from './synthetic-pair';
import { VMAF_MODELS_DIR } from './vmaf-golden';

// 10-bit input and sizes whose halvings go odd, which the golden set (8-bit 640x360) does not cover:
// a synthetic pair (synthetic-pair.ts) at 8 and 10 bits against the vmaf CLI's values for it
// (synthetic-pair.expected.json says how they were made). libvmaf reads 10-bit luma as it is: VIF's
// scale 0 and its first decimation shift by the bit depth instead of 8 (squares by 2·(bpc−8)), ADM's
// first wavelet pass centres by 2^(bpc−1) and shifts by bpc, motion's vertical pass rounds by bpc, so
// every later stage (and the SAD's /256) sees 8-bit-scaled numbers. The bound is the printed
// precision, as for the golden pairs; measured: within 5e-7 everywhere.
const PRINTED = 5e-7 + 1e-9;

type Frames = Record<string, number>[];
const expected = JSON.parse(readFileSync(new URL('./synthetic-pair.expected.json', import.meta.url), 'utf8')) as Record<string, Frames>;
const haveModels = sharedData('models');

function near(actual: number, want: number | undefined, what: string): void {
  expect(want, `${what} is in the expected values`).toBeTypeOf('number');
  expect(Math.abs(actual - want!), `${what}: ${actual} vs ${want}`).toBeLessThanOrEqual(PRINTED);
}

describe.skipIf(!haveModels)('VMAF kernels on a synthetic 352x198 pair at 8 and 10 bits', () => {
  for (const bitDepth of [8, 10] as const) {
    it(`${bitDepth}-bit: every feature, vmaf_v0.6.1 and vmaf_v0.6.1neg per frame`, () => {
      const golden = expected[`bitDepth${bitDepth}`]!;
      expect(golden).toHaveLength(SYN_FRAMES);
      const v061 = parseVmafModel(readFileSync(`${VMAF_MODELS_DIR}/vmaf_v0.6.1.json`, 'utf8'), 'vmaf_v0.6.1.json');
      const neg = parseVmafModel(readFileSync(`${VMAF_MODELS_DIR}/vmaf_v0.6.1neg.json`, 'utf8'), 'vmaf_v0.6.1neg.json');
      const plane = (f: number, dist: boolean) => {
        const y = syntheticLuma(f, bitDepth, dist);
        return planeOf(bitDepth === 8 ? Uint8Array.from(y) : y, SYN_WIDTH, SYN_HEIGHT);
      };
      const vifWs = createIntegerVifWorkspace(SYN_WIDTH, SYN_HEIGHT, bitDepth);
      const admWs = createIntegerAdmWorkspace(SYN_WIDTH, SYN_HEIGHT, bitDepth);
      const motion = new IntegerMotion(SYN_WIDTH, SYN_HEIGHT, bitDepth);
      const sad: number[] = [];
      const per: { adm2: number; vif: number[]; adm2Neg: number; vifNeg: number[] }[] = [];
      for (let f = 0; f < SYN_FRAMES; f++) {
        const g = golden[f]!;
        const r = plane(f, false);
        const d = plane(f, true);
        sad.push(motion.push(r));
        near(sad[f]!, g.VMAF_integer_feature_motion_sad_score, `frame ${f} motion_sad`);
        for (const [egl, suffix] of [[100, ''], [1, '_egl_1']] as const) {
          const vif = integerVif(r, d, vifWs, { enhnGainLimit: egl });
          const adm = integerAdm(r, d, admWs, { enhnGainLimit: egl });
          vif.scores.forEach((v, s) => near(v, g[`integer_vif_scale${s}${suffix}`], `frame ${f} vif_scale${s}${suffix}`));
          adm.scales.forEach((v, s) => near(v, g[`integer_adm_scale${s}${suffix}`], `frame ${f} adm_scale${s}${suffix}`));
          near(adm.adm2, g[`integer_adm2${suffix}`], `frame ${f} adm2${suffix}`);
          near(adm.aim, g[`integer_aim${suffix}`], `frame ${f} aim${suffix}`);
          near(adm.adm3, g[`integer_adm3${suffix}`], `frame ${f} adm3${suffix}`);
          if (egl === 100) per.push({ adm2: adm.adm2, vif: vif.scores, adm2Neg: 0, vifNeg: [] });
          else Object.assign(per[f]!, { adm2Neg: adm.adm2, vifNeg: vif.scores });
        }
      }
      const { motion2, motion3 } = motionSeries(sad);
      for (let f = 0; f < SYN_FRAMES; f++) {
        const g = golden[f]!;
        const p = per[f]!;
        near(motion2[f]!, g.integer_motion2, `frame ${f} motion2`);
        near(motion3[f]!, g.integer_motion3, `frame ${f} motion3`);
        near(predictVmaf(v061, [p.adm2, motion2[f]!, ...p.vif]), g['vmaf_v0.6.1'], `frame ${f} vmaf_v0.6.1`);
        near(predictVmaf(neg, [p.adm2Neg, motion2[f]!, ...p.vifNeg]), g['vmaf_v0.6.1neg'], `frame ${f} vmaf_v0.6.1neg`);
      }
    });
  }
});
