/**
 * The neural extractors' side of the extractor interface (kernels/extractors/extractor.ts): the same
 * init / extract / flush / close, on 8-bit RGB frames, with extract returning a promise because the
 * network runs in the ONNX worker (services/models/inference.ts). The decode loop calls them one frame
 * at a time, in order, on the engine thread, which only prepares tensors and awaits the worker.
 */
import type { FrameFormat } from '../../../common/frame-format';
import type { MetricParams } from '../../../common/metric-registry';
import type { MetricSummary } from '../../../common/metric-summary';
import type { FrameExtractor, FrameInput } from '../../../kernels/extractors';

export interface OnnxExtractor extends FrameExtractor<number> {
  /** The execution provider of the last run (CUDA or CPU), stored with the values. */
  readonly provider: string;
  /** What the metric reports beside its number over all frames extracted (after flush); absent: nothing. */
  summary?(): MetricSummary | null;
}

export interface OnnxExtractorSpec {
  readonly id: string;
  readonly input: FrameInput;
  readonly needsReference: boolean;
  /** The model (manifest id) this configuration runs. */
  modelId(params: MetricParams): string;
  init(format: FrameFormat, params: MetricParams, context: { source: FrameFormat; signal?: AbortSignal }): OnnxExtractor;
}
