/**
 * SSIM over the colour planes (registry `ssim`): grey images their plane, RGB images the mean of the
 * R, G and B SSIMs, videos the Y, U and V SSIMs weighted by sample count (ffmpeg's 'All'); the ffmpeg
 * variant as ffmpeg's ssim filter.
 */
import { ssimFfmpeg } from '../metrics/ssim-ffmpeg';
import { perFrame, type ExtractorSpec } from './extractor';
import { framePair, weightedByPlaneSize } from './frame-pair';

export const ssimExtractor: ExtractorSpec = {
  id: 'ssim',
  input: 'native',
  needsReference: true,
  init: (f, p, { workspace }) =>
    perFrame((_k, ref, dist) => {
      const q = framePair(f, ref, dist, workspace, true);
      const { a, b } = q;
      if (f.layout === 'gray') return q.ssimOn(a.planes[0]!, b.planes[0]!, p);
      if (p.variant === 'ffmpeg') return ssimFfmpeg(a.planes, b.planes, { bitDepth: f.bitDepth, workspace: workspace.ssimFfmpeg }).all;
      return weightedByPlaneSize(a.planes, (i) => q.ssimOn(a.planes[i]!, b.planes[i]!, p));
    }),
};
