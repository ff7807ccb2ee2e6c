/**
 * NIMA (registry `nima`, no reference) on 8-bit RGB frames: keras load_img(target_size=(224, 224)),
 * i.e. Pillow NEAREST on the 8-bit RGB image, values 0..255 (the graph does x/127.5 − 1 itself); the
 * mean or std of the 10-bin score distribution.
 */
import { createPilNearestPlan, resizePilNearest } from '../../../kernels/image/resize-pil-nearest';
import { batchSlotView, interleavedView } from '../../../kernels/image/strided';
import { sharedInference } from '../../models/inference';
import type { OnnxExtractor, OnnxExtractorSpec } from './onnx-extractor';

const NIMA_SIZE = 224;

export const nimaExtractor: OnnxExtractorSpec = {
  id: 'nima',
  input: 'rgb24',
  needsReference: false,
  modelId: (params) => String(params.model ?? 'nima-mobilenet'),
  init(format, params, { signal }) {
    const modelId = this.modelId(params);
    const output = params.output === 'std' ? 'std_score' : 'mean_score';
    const batch = new Float32Array(3 * NIMA_SIZE * NIMA_SIZE);
    const { width: w, height: h } = format;
    const plan = createPilNearestPlan(w, h, NIMA_SIZE, NIMA_SIZE);
    const ex: OnnxExtractor & { provider: string } = {
      provider: 'unknown',
      async extract(_k, _ref, dist) {
        resizePilNearest(interleavedView({ data: dist as Uint8Array, width: w, height: h, channels: 3, stride: 3 * w }), batchSlotView(batch, 0, 3, NIMA_SIZE, NIMA_SIZE), plan);
        const r = await sharedInference().run(modelId, { image: { data: batch, dims: [1, 3, NIMA_SIZE, NIMA_SIZE] } }, { outputs: [output], signal });
        ex.provider = r.provider;
        return r.outputs[output]!.data[0]!;
      },
      flush: () => [],
      close: () => {},
    };
    return ex;
  },
};
