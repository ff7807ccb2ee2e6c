/**
 * BRISQUE (registry `brisque`, no reference) on 8-bit RGB: grey as OpenCV's cvtColor RGB2GRAY (fixed
 * point, 14 fractional bits, rounded), then kernels/nr/brisque.ts with the LIVE SVR model its
 * parameter file holds.
 */
import type { Plane } from '../image/plane';
import { brisqueScore, createBrisqueWorkspace, parseBrisqueModel, type BrisqueModel } from '../nr/brisque';
import type { ExtractorSpec } from './extractor';

/** OpenCV's cvtColor RGB->GRAY: fixed point with 14 fractional bits, rounded. */
function opencvGrey(rgb: ArrayLike<number>, width: number, height: number, out: Uint8Array): Plane {
  const n = width * height;
  for (let i = 0, s = 0; i < n; i++, s += 3) out[i] = (rgb[s]! * 4899 + rgb[s + 1]! * 9617 + rgb[s + 2]! * 1868 + 8192) >> 14;
  return { data: out, width, height, stride: width };
}

export const brisqueExtractor: ExtractorSpec<BrisqueModel> = {
  id: 'brisque',
  input: 'rgb24',
  needsReference: false,
  parseSetup: parseBrisqueModel,
  init: (f, _params, { setup }) => {
    const workspace = createBrisqueWorkspace();
    const grey = new Uint8Array(f.width * f.height);
    return {
      extract: (_k, _ref, dist) => brisqueScore(opencvGrey(dist, f.width, f.height, grey), setup, { workspace }),
      flush: () => [],
      close: () => {},
    };
  },
};
