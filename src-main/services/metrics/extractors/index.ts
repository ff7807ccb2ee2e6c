/**
 * Extractor selection: every requested metric becomes an extractor looked up by its registry backend
 * (common/metric-registry.ts) in the kernel table (kernels/extractors/) or the neural table below,
 * with its model resolved and checked before anything is decoded. A metric whose model is missing,
 * has the wrong hash or an unreadable parameter file gets its E_MODEL error instead; the others run.
 */
import { readFile } from 'node:fs/promises';
import { IqaError, toIqaError } from '../../../common/errors';
import { metricById, type MetricParams } from '../../../common/metric-registry';
import { kernelExtractor, type FrameInput } from '../../../kernels/extractors';
import { manifestEntry } from '../../models/manifest';
import { requireModel } from '../../models/model-store';
import { cnniqaExtractor } from './cnniqa';
import { iqacnnppExtractor } from './iqacnnpp';
import { lpipsExtractor } from './lpips';
import { nimaExtractor } from './nima';
import type { OnnxExtractorSpec } from './onnx-extractor';

export type { OnnxExtractor, OnnxExtractorSpec } from './onnx-extractor';

/** Neural per-frame metrics, by registry id (registry backend 'onnx'). */
export const ONNX_EXTRACTORS: Readonly<Record<string, OnnxExtractorSpec>> = Object.fromEntries([lpipsExtractor, cnniqaExtractor, nimaExtractor, iqacnnppExtractor].map((s) => [s.id, s]));

export interface MetricRequest {
  id: string;
  params: MetricParams;
}

/** The model a metric runs (null for pure kernels). */
export interface ExtractorModel {
  modelId: string;
  modelSha256: string;
  /** false for the random-weight *-arch graphs: their numbers are for pipeline tests only. */
  comparable: boolean;
}

/** One requested metric, ready for the decode loop. */
export interface PlannedExtractor {
  /** Index into the requested metrics. */
  index: number;
  metric: MetricRequest;
  backend: 'kernel' | 'onnx';
  input: FrameInput;
  needsReference: boolean;
  model: ExtractorModel | null;
  /** Kernel extractors with a parameter file: its path (the worker parses it once per thread). */
  setupFile?: string;
  onnx?: OnnxExtractorSpec;
}

/** Whether the metric's extractor needs a reference (false: a no-reference metric). */
export function needsReference(id: string): boolean {
  const d = metricById(id);
  if (!d) throw new IqaError('E_INPUT', `unknown metric "${id}"`);
  return d.backend === 'onnx' ? onnxSpec(id).needsReference : kernelExtractor(id).needsReference;
}

function onnxSpec(id: string): OnnxExtractorSpec {
  const spec = ONNX_EXTRACTORS[id];
  if (!spec) throw new IqaError('E_INPUT', `metric "${id}" has no neural extractor`);
  return spec;
}

async function readJson(path: string, id: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new IqaError('E_MODEL', `model ${id}: ${path} is not readable JSON (${(err as Error).message}); reinstall it with iqa models install`, { file: path });
  }
}

async function planOne(metric: MetricRequest, index: number): Promise<PlannedExtractor> {
  const d = metricById(metric.id);
  if (!d) throw new IqaError('E_INPUT', `unknown metric "${metric.id}"`);
  if (d.backend === 'onnx') {
    const spec = onnxSpec(metric.id);
    const modelId = spec.modelId(metric.params);
    const resolved = await requireModel(modelId);
    return {
      index,
      metric,
      backend: 'onnx',
      input: spec.input,
      needsReference: spec.needsReference,
      model: { modelId, modelSha256: resolved.sha256, comparable: manifestEntry(modelId).comparable },
      onnx: spec,
    };
  }
  const spec = kernelExtractor(metric.id);
  const planned: PlannedExtractor = { index, metric, backend: 'kernel', input: spec.input, needsReference: spec.needsReference, model: null };
  if (spec.shippedModel) {
    // Bundled with the code (kernels/vmaf/shipped-models.ts): nothing to find or install; parsed here
    // first, so a model this engine cannot run is this metric's error before anything is decoded.
    const m = spec.shippedModel(metric.params);
    planned.model = { modelId: m.id, modelSha256: m.sha256, comparable: true };
  }
  if (d.models.length > 0) {
    const modelId = String(metric.params.model ?? d.models[0]);
    const resolved = await requireModel(modelId);
    planned.model = { modelId, modelSha256: resolved.sha256, comparable: manifestEntry(modelId).comparable };
    if (spec.parseSetup) {
      const file = resolved.files.find((f) => f.name.endsWith('.json'))?.path ?? resolved.path;
      // Checked here, once, so that a bad file is this metric's E_MODEL before decoding; the worker
      // threads parse it again (once each) rather than receiving it with every frame.
      spec.parseSetup(await readJson(file, modelId));
      planned.setupFile = file;
    }
  }
  return planned;
}

/**
 * The extractors of `metrics`, in order; a metric whose model cannot be used is left out and gets its
 * error (prefixed with the metric id) at its index in `errors`.
 */
export async function planExtractors(metrics: readonly MetricRequest[]): Promise<{ planned: PlannedExtractor[]; errors: (IqaError | null)[] }> {
  const settled = await Promise.allSettled(metrics.map((m, i) => planOne(m, i)));
  const errors = metrics.map(() => null as IqaError | null);
  const planned: PlannedExtractor[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'fulfilled') planned.push(r.value);
    else {
      const e = toIqaError(r.reason);
      errors[i] = new IqaError(e.code, `${metrics[i]!.id}: ${e.message}`, { file: e.file, details: e.details });
    }
  });
  return { planned, errors };
}
