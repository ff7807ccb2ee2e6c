/**
 * NIQE (registry `niqe`, no reference) on 8-bit RGB, as BasicSR: Y of BT.601 studio swing for colour
 * sources, the grey plane itself for grey ones, then kernels/nr/niqe.ts with the pristine model its
 * parameter file holds.
 */
import { lumaFromInterleaved } from '../image/luma';
import type { Plane } from '../image/plane';
import { createNiqeWorkspace, niqeScore, parseNiqeParams, type NiqeParams } from '../nr/niqe';
import type { ExtractorSpec } from './extractor';

/** A grey source decoded as RGB has R = G = B: take one channel. */
function greyFromEqualChannels(rgb: ArrayLike<number>, width: number, height: number, out: Float64Array): Plane {
  const n = width * height;
  for (let i = 0; i < n; i++) out[i] = rgb[3 * i]!;
  return { data: out, width, height, stride: width };
}

export const niqeExtractor: ExtractorSpec<NiqeParams> = {
  id: 'niqe',
  input: 'rgb24',
  needsReference: false,
  parseSetup: parseNiqeParams,
  init: (f, _params, { setup, source }) => {
    const workspace = createNiqeWorkspace();
    const { width: w, height: h } = f;
    const y = new Float64Array(w * h);
    // BasicSR converts 3-channel images to Y and uses a grey image as it is.
    const sourceIsGrey = source.layout === 'gray';
    return {
      extract: (_k, _ref, dist) => {
        const plane = sourceIsGrey
          ? greyFromEqualChannels(dist, w, h, y)
          : lumaFromInterleaved({ data: dist, width: w, height: h, channels: 3, stride: 3 * w }, y, { matrix: 'bt601', range: 'studio' });
        return niqeScore(plane, setup, { round: true, workspace });
      },
      flush: () => [],
      close: () => {},
    };
  },
};
