/** LPIPS (registry `lpips`, full reference) on 8-bit RGB frames: services/models/lpips.ts, one pair per frame. */
import { lpipsPair, type LpipsModel } from '../../models/lpips';
import type { OnnxExtractor, OnnxExtractorSpec } from './onnx-extractor';

export const lpipsExtractor: OnnxExtractorSpec = {
  id: 'lpips',
  input: 'rgb24',
  needsReference: true,
  modelId: (params) => String(params.model ?? 'lpips-alex'),
  init(format, params, { signal }) {
    const model = this.modelId(params) as LpipsModel;
    const ex: OnnxExtractor & { provider: string } = {
      provider: 'unknown',
      async extract(_k, ref, dist) {
        if (!ref) throw new RangeError('LPIPS needs the reference frame');
        const r = await lpipsPair(ref as Uint8Array, dist as Uint8Array, format.width, format.height, { model, signal });
        ex.provider = r.provider;
        return r.distance;
      },
      flush: () => [],
      close: () => {},
    };
    return ex;
  },
};
