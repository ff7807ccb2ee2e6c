/**
 * VMAF (registry `vmaf`) as two halves, because a frame's score needs the next frame (motion2 =
 * min(SAD of this frame, SAD of the next)) while the frame pool computes frames in any order:
 * - in the pool, `extract` computes frame k's features (integer VIF, ADM and the motion SAD against
 *   reference frame k−1, which the decode loop hands over as `prevRef`: `previousReference`) into a
 *   vector, with no state kept between frames (kernels/vmaf VmafFeatureExtractor);
 * - per pair, in frame order, `ordered` turns the vectors into scores (VmafScoreSequencer: motion2 and
 *   the model's SVM), one frame late, the last one at flush.
 * Luma only (the Y plane of a video, the grey plane), 8- or 10-bit, no scaling.
 */
import { planeOf } from '../image/plane';
import { shippedVmafModel, VMAF_DEFAULT_MODEL, VMAF_MODEL_SHA256, type VmafModelName } from '../vmaf/shipped-models';
import { VmafFeatureExtractor, VmafScoreSequencer } from '../vmaf/vmaf-pair';
import type { ExtractorSpec, OrderedStage } from './extractor';

const modelOf = (params: Record<string, string | number>) => shippedVmafModel(String(params.model ?? VMAF_DEFAULT_MODEL));

export const vmafExtractor: ExtractorSpec<undefined, Float64Array> = {
  id: 'vmaf',
  input: 'native',
  needsReference: true,
  previousReference: true,
  init: (f, params) => {
    if (f.layout === 'rgb') throw new RangeError('VMAF is computed on the luma of YUV (or grey) video; an RGB input has none: convert it to YUV');
    if (f.bitDepth !== 8 && f.bitDepth !== 10) throw new RangeError(`VMAF takes 8- or 10-bit input, not ${f.bitDepth}-bit`);
    const fx = new VmafFeatureExtractor(modelOf(params), f.width, f.height, f.bitDepth);
    const n = f.width * f.height;
    return {
      extract: (_k, ref, dist, prevRef) => {
        if (!ref) throw new RangeError('VMAF needs the reference frame');
        const y = (s: Uint8Array | Uint16Array) => planeOf(s.subarray(0, n), f.width, f.height);
        return fx.extract(y(ref), y(dist), prevRef ? y(prevRef) : null);
      },
      flush: () => [],
      close: () => {},
    };
  },
  shippedModel: (params) => {
    const id = shippedVmafModel(String(params.model ?? VMAF_DEFAULT_MODEL)).source.replace(/\.json$/, '') as VmafModelName;
    return { id, sha256: VMAF_MODEL_SHA256[id] };
  },
  ordered: (params): OrderedStage => {
    const seq = new VmafScoreSequencer(modelOf(params));
    const scores = (frames: ReturnType<VmafScoreSequencer['finish']>) => frames.map((fr) => ({ frame: fr.frame, value: fr.score }));
    return { push: (k, vector) => scores(seq.push(k, vector)), flush: () => scores(seq.finish()) };
  },
};
