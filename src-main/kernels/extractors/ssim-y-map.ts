/**
 * The viewer's heatmap (not a stored metric): the Wang SSIM of one frame pair's luma with its H×W map,
 * same parameters and value as `ssim-y`. The ffmpeg variant has no per-pixel map (it is defined on 8×8
 * blocks): RangeError.
 */
import type { Plane } from '../image/plane';
import { ssim } from '../metrics/ssim';
import { perFrame, type ExtractorSpec } from './extractor';
import { framePair } from './frame-pair';

export interface FrameMapValue {
  value: number;
  map: Plane<Float32Array>;
}

export const ssimYMapExtractor: ExtractorSpec<undefined, FrameMapValue> = {
  id: 'ssim-y-map',
  input: 'native',
  needsReference: true,
  init: (f, params, { workspace }) => {
    if (params.variant === 'ffmpeg') throw new RangeError('the ffmpeg SSIM variant works on 8x8 blocks and has no per-pixel map; use variant=wang');
    return perFrame((_k, ref, dist) => {
      const q = framePair(f, ref, dist, workspace);
      const [x, y] = q.ssimLuma(params.luma);
      const r = ssim(x, y, { dataRange: q.peak, downsample: params.downsample === 'matlab-auto' ? 'matlab-auto' : 'none', map: 'full', workspace: workspace.ssim });
      return { value: r.value, map: r.map as Plane<Float32Array> };
    });
  },
};
