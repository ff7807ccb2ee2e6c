/**
 * IQA-CNN++ (registry `iqacnnpp`, no reference) on 8-bit RGB frames: services/models/iqacnnpp.ts.
 * The per-frame value is the quality head's mean over patches (pooled over frames by the run's
 * pooling like any metric); the distortion distribution is the mean over frames of each frame's mean
 * patch probabilities, reported once per stimulus as its summary.
 */
import type { MetricSummary } from '../../../common/metric-summary';
import { argMax, iqacnnppScore, IQACNNPP_MODELS, type IqacnnppModelId } from '../../models/iqacnnpp';
import type { OnnxExtractor, OnnxExtractorSpec } from './onnx-extractor';

function modelOf(params: Record<string, string | number>): IqacnnppModelId {
  const m = String(params.model ?? 'iqacnnpp');
  return (IQACNNPP_MODELS as readonly string[]).includes(m) ? (m as IqacnnppModelId) : 'iqacnnpp';
}

export const iqacnnppExtractor: OnnxExtractorSpec = {
  id: 'iqacnnpp',
  input: 'rgb24',
  needsReference: false,
  modelId: (params) => modelOf(params),
  init(format, params, { signal }) {
    const model = modelOf(params);
    let sum: Float64Array | null = null;
    let labels: readonly string[] = [];
    let frames = 0;
    const ex: OnnxExtractor & { provider: string } = {
      provider: 'unknown',
      async extract(_k, _ref, dist) {
        const r = await iqacnnppScore(dist as Uint8Array, format.width, format.height, { model, signal });
        ex.provider = r.provider;
        sum ??= new Float64Array(r.distortion.length);
        for (let c = 0; c < sum.length; c++) sum[c]! += r.distortion[c]!;
        labels = r.labels;
        frames++;
        return r.quality;
      },
      flush: () => [],
      summary(): MetricSummary | null {
        if (!sum || frames === 0) return null;
        const probabilities = Array.from(sum, (v) => v / frames);
        return { distortion: { labels: [...labels], probabilities, top: labels[argMax(probabilities)]! } };
      },
      close: () => {},
    };
    return ex;
  },
};
