/** MS-SSIM on luma (registry `ms-ssim-y`), as the authors' msssim.m. */
import { msSsim } from '../metrics/ms-ssim';
import { perFrame, type ExtractorSpec } from './extractor';
import { framePair } from './frame-pair';

export const msSsimYExtractor: ExtractorSpec = {
  id: 'ms-ssim-y',
  input: 'native',
  needsReference: true,
  init: (f, params, { workspace }) =>
    perFrame((_k, ref, dist) => {
      const q = framePair(f, ref, dist, workspace);
      const [x, y] = q.ssimLuma(params.luma);
      return msSsim(x, y, { dataRange: q.peak, workspace: workspace.ssim }).value;
    }),
};
