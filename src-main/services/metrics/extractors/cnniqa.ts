/** CNNIQA (registry `cnniqa`, no reference) on 8-bit RGB frames: services/models/cnniqa.ts. */
import { cnniqaScore } from '../../models/cnniqa';
import type { OnnxExtractor, OnnxExtractorSpec } from './onnx-extractor';

export const cnniqaExtractor: OnnxExtractorSpec = {
  id: 'cnniqa',
  input: 'rgb24',
  needsReference: false,
  modelId: () => 'cnniqa-live',
  init(format, _params, { signal }) {
    const ex: OnnxExtractor & { provider: string } = {
      provider: 'unknown',
      async extract(_k, _ref, dist) {
        const r = await cnniqaScore(dist as Uint8Array, format.width, format.height, { signal });
        ex.provider = r.provider;
        return r.score;
      },
      flush: () => [],
      close: () => {},
    };
    return ex;
  },
};
