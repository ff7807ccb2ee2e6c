/**
 * The static table of kernel extractors (libvmaf's feature_extractor_list): every metric whose
 * registry backend is 'kernel', plus the viewer's maps. Adding a metric or a feature is one file
 * here and one line below.
 */
import type { ExtractorSpec } from './extractor';
import { brisqueExtractor } from './brisque';
import { cambiExtractor } from './cambi';
import { msSsimYExtractor } from './ms-ssim-y';
import { mseExtractor } from './mse';
import { niqeExtractor } from './niqe';
import { psnrExtractor } from './psnr';
import { psnrYExtractor } from './psnr-y';
import { psnrYuvExtractor } from './psnr-yuv';
import { ssimExtractor } from './ssim';
import { ssimYExtractor } from './ssim-y';
import { ssimYMapExtractor, type FrameMapValue } from './ssim-y-map';
import { admExtractor, motionExtractor, vifExtractor, vmafExtractor } from './vmaf';

export type { ExtractorContext, ExtractorSpec, FrameExtractor, FrameInput, FrameSamples, OrderedStage } from './extractor';
export { FrameWorkspace } from './frame-pair';
export type { FrameMapValue } from './ssim-y-map';

/**
 * Per-frame metrics computed by kernels, by registry id. An extractor with `ordered` (VMAF) returns a
 * feature vector per frame instead of a number; its stage makes the values (extractor.ts).
 */
export const KERNEL_EXTRACTORS: Readonly<Record<string, ExtractorSpec<unknown, number | Float64Array>>> = Object.fromEntries(
  [mseExtractor, psnrExtractor, psnrYExtractor, psnrYuvExtractor, ssimExtractor, ssimYExtractor, msSsimYExtractor, brisqueExtractor, niqeExtractor, vmafExtractor, vifExtractor, admExtractor, motionExtractor, cambiExtractor].map((s) => [
    s.id,
    s as unknown as ExtractorSpec<unknown, number | Float64Array>,
  ]),
);

/** Per-frame maps for the viewer, by map id. */
export const MAP_EXTRACTORS: Readonly<Record<string, ExtractorSpec<unknown, FrameMapValue>>> = {
  [ssimYMapExtractor.id]: ssimYMapExtractor as ExtractorSpec<unknown, FrameMapValue>,
};

export function kernelExtractor(id: string): ExtractorSpec<unknown, number | Float64Array> {
  const spec = KERNEL_EXTRACTORS[id];
  if (!spec) throw new RangeError(`metric "${id}" has no kernel extractor`);
  return spec;
}
