/** PSNR from the MSE over all samples of all planes (registry `psnr`, ffmpeg's psnr 'average'), peak 2^bitdepth − 1. */
import { psnrFromMse } from '../metrics/psnr';
import { perFrame, type ExtractorSpec } from './extractor';
import { allSamplesMse, framePair } from './frame-pair';

export const psnrExtractor: ExtractorSpec = {
  id: 'psnr',
  input: 'native',
  needsReference: true,
  init: (f, _params, { workspace }) =>
    perFrame((_k, ref, dist) => {
      const q = framePair(f, ref, dist, workspace);
      return psnrFromMse(allSamplesMse(q), q.peak);
    }),
};
