/** PSNR on luma (registry `psnr-y`): the Y or grey plane, or Y from RGB by the `luma` parameter. */
import { psnrFromMse } from '../metrics/psnr';
import { perFrame, type ExtractorSpec } from './extractor';
import { framePair } from './frame-pair';

export const psnrYExtractor: ExtractorSpec = {
  id: 'psnr-y',
  input: 'native',
  needsReference: true,
  init: (f, params, { workspace }) =>
    perFrame((_k, ref, dist) => {
      const q = framePair(f, ref, dist, workspace);
      return psnrFromMse(q.lumaMse(params.luma), q.peak);
    }),
};
