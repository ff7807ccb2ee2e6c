/**
 * VMAF (registry `vmaf`) as two halves, because a frame's score needs the next frame (motion2 =
 * min(SAD of this frame, SAD of the next)) while the frame pool computes frames in any order:
 * - in the pool, `extract` computes frame k's features (integer VIF, ADM and the motion SAD against
 *   reference frame k−1, which the decode loop hands over as `prevRef`: `previousReference`; the
 *   float extractors' for vmaf_float_v0.6.1) into a vector, with no state kept between frames
 *   (kernels/vmaf VmafFeatureExtractor);
 * - per pair, in frame order, `ordered` turns the vectors into scores (VmafScoreSequencer: motion2 and
 *   the model's SVM), one frame late, the last one at flush.
 * Luma only (the Y plane of a video, the grey plane), 8- or 10-bit, no scaling; the v1 models also
 * read U and V (speed_chroma) of YUV frames.
 */
import { chromaSize } from '../../common/frame-format';
import { planeOf } from '../image/plane';
import { shippedVmafModel, VMAF_DEFAULT_MODEL, VMAF_MODEL_SHA256, type VmafModelName } from '../vmaf/shipped-models';
import { VmafFeatureExtractor, vmafModelNeedsChroma, VmafScoreSequencer, type VmafChroma, type VmafFrame } from '../vmaf/vmaf-pair';
import type { ExtractorSpec, OrderedStage } from './extractor';

const modelOf = (params: Record<string, string | number>) => shippedVmafModel(String(params.model ?? VMAF_DEFAULT_MODEL));

/**
 * A VMAF run whose values are one thing of each frame (the score, or one of the model's features):
 * the same two halves whatever is picked, so a feature equals what the VMAF score was computed from.
 */
function vmafRun(
  id: string,
  pick: (params: Record<string, string | number>) => (frame: VmafFrame) => number,
  needs: (params: Record<string, string | number>) => void = () => {},
): ExtractorSpec<undefined, Float64Array> {
  return {
    id,
    input: 'native',
    needsReference: true,
    previousReference: true,
    init: (f, params) => {
      if (f.layout === 'rgb') throw new RangeError(`${id === 'vmaf' ? 'VMAF' : `VMAF's ${id}`} is computed on the luma of YUV (or grey) video; an RGB input has none: convert it to YUV`);
      if (f.bitDepth !== 8 && f.bitDepth !== 10) throw new RangeError(`VMAF takes 8- or 10-bit input, not ${f.bitDepth}-bit`);
      const model = modelOf(params);
      needs(params); // refuses, before any frame, a feature the model does not have
      const fx = new VmafFeatureExtractor(model, f.width, f.height, f.bitDepth, f.layout === 'yuv' ? [f.chromaShiftX, f.chromaShiftY] : null);
      const n = f.width * f.height;
      // speed_chroma (the v1 models) reads U and V, which follow Y in a native YUV frame.
      const c = chromaSize(f);
      const cn = c.width * c.height;
      const uv = vmafModelNeedsChroma(model)
        ? (s: Uint8Array | Uint16Array) =>
            [planeOf(s.subarray(n, n + cn), c.width, c.height), planeOf(s.subarray(n + cn, n + 2 * cn), c.width, c.height)] as const
        : null;
      return {
        extract: (_k, ref, dist, prevRef) => {
          if (!ref) throw new RangeError('VMAF needs the reference frame');
          const y = (s: Uint8Array | Uint16Array) => planeOf(s.subarray(0, n), f.width, f.height);
          const chroma: VmafChroma | null = uv ? { ref: uv(ref), dist: uv(dist) } : null;
          return fx.extract(y(ref), y(dist), prevRef ? y(prevRef) : null, undefined, chroma);
        },
        flush: () => [],
        close: () => {},
      };
    },
    shippedModel: (params) => {
      const model = shippedVmafModel(String(params.model ?? VMAF_DEFAULT_MODEL)).source.replace(/\.json$/, '') as VmafModelName;
      return { id: model, sha256: VMAF_MODEL_SHA256[model] };
    },
    ordered: (params): OrderedStage => {
      const seq = new VmafScoreSequencer(modelOf(params));
      const value = pick(params);
      const values = (frames: VmafFrame[]) => frames.map((fr) => ({ frame: fr.frame, value: value(fr) }));
      return { push: (k, vector) => values(seq.push(k, vector)), flush: () => values(seq.finish()) };
    },
  };
}

/**
 * One of the model's features by its libvmaf name: the integer extractor's, or the float extractor's
 * for vmaf_float_v0.6.1 (every v0.6.1 model has adm2, motion2 and the four VIF scales).
 */
const feature = (name: string, floatName: string) => (frame: VmafFrame): number => frame.features[name] ?? frame.features[floatName]!;

/** Refuses a model without the feature (vmaf_v1.0.16_3d0h has no VIF, adm2 or motion2). */
const hasFeature = (name: string, floatName: string) => (params: Record<string, string | number>): void => {
  const model = modelOf(params);
  if (!model.featureNames.includes(name) && !model.featureNames.includes(floatName)) {
    throw new RangeError(`the VMAF model ${String(params.model)} has no feature ${name} or ${floatName}: use it with vmaf`);
  }
};
const vifNames = (params: Record<string, string | number>) => {
  const scale = Number(params.scale ?? 0);
  if (!Number.isInteger(scale) || scale < 0 || scale > 3) throw new RangeError(`VIF scale is 0, 1, 2 or 3, not ${params.scale}`);
  return [`VMAF_integer_feature_vif_scale${scale}_score`, `VMAF_feature_vif_scale${scale}_score`] as const;
};

export const vmafExtractor = vmafRun('vmaf', () => (frame) => frame.score);
/** VMAF's VIF at one scale (integer_vif_scale0…3), as the model's extractor computes it. */
export const vifExtractor = vmafRun('vif', (params) => feature(...vifNames(params)), (params) => hasFeature(...vifNames(params))(params));
/** VMAF's ADM (integer_adm2). */
export const admExtractor = vmafRun('adm', () => feature('VMAF_integer_feature_adm2_score', 'VMAF_feature_adm2_score'), hasFeature('VMAF_integer_feature_adm2_score', 'VMAF_feature_adm2_score'));
/** VMAF's motion2 (integer_motion2: the smaller of this frame's and the next frame's mean absolute difference of the blurred reference). */
export const motionExtractor = vmafRun('motion', () => feature('VMAF_integer_feature_motion2_score', 'VMAF_feature_motion2_score'), hasFeature('VMAF_integer_feature_motion2_score', 'VMAF_feature_motion2_score'));
