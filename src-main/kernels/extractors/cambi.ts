/**
 * CAMBI (registry `cambi`, no reference): libvmaf 3.2.0's banding metric at its defaults on the luma
 * of each distorted frame (kernels/vmaf/cambi.ts). libvmaf runs it without the reference (its
 * full_ref option is off by default), so a pair's reference is ignored. 8- to 16-bit; no scaling.
 */
import { planeOf } from '../image/plane';
import { Cambi } from '../vmaf/cambi';
import type { ExtractorSpec } from './extractor';

export const cambiExtractor: ExtractorSpec = {
  id: 'cambi',
  input: 'native',
  needsReference: false,
  init: (f) => {
    if (f.layout === 'rgb') throw new RangeError('CAMBI is computed on the luma of YUV (or grey) video; an RGB input has none: convert it to YUV');
    const cambi = new Cambi(f.width, f.height, f.bitDepth);
    const n = f.width * f.height;
    return {
      extract: (_k, _ref, dist) => cambi.score(planeOf(dist.subarray(0, n), f.width, f.height)),
      flush: () => [],
      close: () => {},
    };
  },
};
