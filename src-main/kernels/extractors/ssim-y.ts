/** SSIM on luma (registry `ssim-y`), Wang or the ffmpeg variant, with the metric's luma conversion. */
import { perFrame, type ExtractorSpec } from './extractor';
import { framePair } from './frame-pair';

export const ssimYExtractor: ExtractorSpec = {
  id: 'ssim-y',
  input: 'native',
  needsReference: true,
  init: (f, params, { workspace }) =>
    perFrame((_k, ref, dist) => {
      const q = framePair(f, ref, dist, workspace);
      const [x, y] = params.variant === 'ffmpeg' ? q.luma(params.luma) : q.ssimLuma(params.luma);
      return q.ssimOn(x, y, params);
    }),
};
