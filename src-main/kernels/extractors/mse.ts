/** MSE over all samples of all planes (registry `mse`): Y, U and V of a video frame; R, G, B (or grey) of an image. */
import { perFrame, type ExtractorSpec } from './extractor';
import { allSamplesMse, framePair } from './frame-pair';

export const mseExtractor: ExtractorSpec = {
  id: 'mse',
  input: 'native',
  needsReference: true,
  init: (f, _params, { workspace }) => perFrame((_k, ref, dist) => allSamplesMse(framePair(f, ref, dist, workspace))),
};
