/** (6·PSNR_Y + PSNR_U + PSNR_V)/8 (registry `psnr-yuv`); a grey image gives PSNR_Y; RGB is refused. */
import { psnrFromMse } from '../metrics/psnr';
import { psnrYuv } from '../metrics/psnr-yuv';
import { perFrame, type ExtractorSpec } from './extractor';
import { allSamplesMse, framePair } from './frame-pair';

export const psnrYuvExtractor: ExtractorSpec = {
  id: 'psnr-yuv',
  input: 'native',
  needsReference: true,
  init: (f, _params, { workspace }) =>
    perFrame((_k, ref, dist) => {
      if (f.layout === 'rgb') throw new RangeError('psnr-yuv needs YUV input (a video) or a grey image; for RGB images use psnr or psnr-y');
      const q = framePair(f, ref, dist, workspace);
      return f.layout === 'yuv' ? psnrYuv(q.a.planes, q.b.planes, { dataRange: q.peak }).yuv : psnrFromMse(allSamplesMse(q), q.peak);
    }),
};
