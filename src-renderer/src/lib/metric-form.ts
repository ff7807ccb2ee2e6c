/**
 * The compute dialog's form as plain data, and the pure functions around it: defaults from the
 * metric descriptors, problems to show before submitting, and the `metrics.run` input it becomes.
 * Tested without a browser (test/renderer/metric-form.test.ts).
 */
import type { MetricsRunInput } from '../../../src-main/common/contract-types';
import type { Stimulus } from '../../../src-main/common/domain';
import {
  POOLINGS,
  SCALER_NAMES,
  type MetricDescriptor,
  type MetricParams,
  type MetricParamSpec,
  type Pooling,
  type Scaler,
} from '../../../src-main/common/metric-registry';

/** The registry is plain data (no zod), so the form takes its names from there. */
export const POOLING_OPTIONS = POOLINGS;
export const SCALER_OPTIONS = SCALER_NAMES;
export type { Scaler };

export const POOLING_HELP: Record<Pooling, string> = {
  mean: 'arithmetic mean of the per-frame values',
  harmonic: 'harmonic mean (weights bad frames more)',
  min: 'the worst frame',
  p5: '5th percentile of the frames',
  p10: '10th percentile of the frames',
  p25: '25th percentile of the frames',
  median: 'median frame',
};

export interface MetricChoice {
  checked: boolean;
  params: MetricParams;
}

export type PairScope = 'all' | 'filtered';

export interface ComputeForm {
  metrics: Record<string, MetricChoice>;
  pooling: Pooling;
  /** 'none': sizes must match; a scaler name: the distorted is scaled to the reference's size. */
  scale: Scaler | 'none';
  truncate: boolean;
  skipRef: number;
  skipDist: number;
  ignoreFps: boolean;
  force: boolean;
  scope: PairScope;
}

export function defaultParams(d: MetricDescriptor): MetricParams {
  return Object.fromEntries(d.params.map((p) => [p.name, p.default]));
}

/** A fresh form for these descriptors; choices from `previous` are kept where they still apply. */
export function initialForm(descriptors: readonly MetricDescriptor[], previous?: ComputeForm): ComputeForm {
  const metrics: Record<string, MetricChoice> = {};
  for (const d of descriptors) {
    const old = previous?.metrics[d.id];
    const params = defaultParams(d);
    for (const p of d.params) {
      const v = old?.params[p.name];
      if (v !== undefined && (p.type === 'number' ? typeof v === 'number' : p.options?.includes(String(v)))) params[p.name] = v;
    }
    metrics[d.id] = { checked: old?.checked ?? false, params };
  }
  return {
    pooling: 'mean',
    scale: 'none',
    truncate: false,
    skipRef: 0,
    skipDist: 0,
    ignoreFps: false,
    force: false,
    scope: 'all',
    ...(previous ? { ...previous, metrics: {} } : {}),
    metrics,
  };
}

export function chosenMetrics(form: ComputeForm, descriptors: readonly MetricDescriptor[]): MetricDescriptor[] {
  return descriptors.filter((d) => form.metrics[d.id]?.checked);
}

function paramProblem(d: MetricDescriptor, p: MetricParamSpec, v: string | number | undefined): string | null {
  if (p.type === 'number') {
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${d.name}: ${p.label} needs a number`;
    if (p.min !== undefined && v < p.min) return `${d.name}: ${p.label} must be at least ${p.min}`;
    if (p.max !== undefined && v > p.max) return `${d.name}: ${p.label} must be at most ${p.max}`;
  } else if (!p.options?.includes(String(v))) {
    return `${d.name}: choose a ${p.label}`;
  }
  return null;
}

const isCount = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1_000_000;

/** What keeps the form from being submitted, in words (empty: ready). */
/** The model a metric will run with these parameters: its `model` parameter, else its only model; null for kernel metrics. */
export function modelOf(d: MetricDescriptor, params: Record<string, string | number>): string | null {
  if (d.models.length === 0) return null;
  const chosen = params.model;
  return typeof chosen === 'string' && chosen ? chosen : d.models[0]!;
}

/** Model states (models.list) in words, for the dialog's tag. */
export const MODEL_STATE_TEXT: Record<string, string> = {
  installed: 'model installed',
  unverified: 'model installed (unverified)',
  missing: 'model missing',
  'wrong-hash': 'model file wrong',
};

/**
 * One problem per chosen metric whose model is missing or has the wrong hash. `modelStates` maps a
 * model id to its state; a model it does not list (the list is not loaded yet) is not a problem.
 */
export function modelProblems(form: ComputeForm, descriptors: readonly MetricDescriptor[], modelStates: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const d of chosenMetrics(form, descriptors)) {
    const model = modelOf(d, form.metrics[d.id]!.params);
    const state = model ? modelStates.get(model) : undefined;
    if (model && (state === 'missing' || state === 'wrong-hash')) {
      out.push(`${d.name} needs the model ${model}, which is ${state === 'missing' ? 'not installed' : 'installed with the wrong file'}: install it on the Models page, or choose another model.`);
    }
  }
  return out;
}

export function formProblems(form: ComputeForm, descriptors: readonly MetricDescriptor[], pairCount: number, modelStates: ReadonlyMap<string, string> = new Map()): string[] {
  const out: string[] = [];
  const chosen = chosenMetrics(form, descriptors);
  if (chosen.length === 0) out.push('Choose at least one metric.');
  out.push(...modelProblems(form, descriptors, modelStates));
  for (const d of chosen) {
    for (const p of d.params) {
      const problem = paramProblem(d, p, form.metrics[d.id]!.params[p.name]);
      if (problem) out.push(problem);
    }
  }
  if (!isCount(form.skipRef) || !isCount(form.skipDist)) out.push('Frames to skip must be whole numbers from 0.');
  if (pairCount === 0) out.push(form.scope === 'filtered' ? 'No paired distorted stimulus matches the current filters.' : 'The project has no paired distorted stimuli yet.');
  return out;
}

/** The `metrics.run` input for this form (parameters sent in full, the alignment policy only as set). */
export function buildRunInput(
  form: ComputeForm,
  descriptors: readonly MetricDescriptor[],
  projectDir: string,
  stimulusIds?: readonly number[],
): MetricsRunInput {
  const policy: MetricsRunInput['policy'] = {};
  if (form.scale !== 'none') policy.scale = form.scale;
  if (form.truncate) policy.truncate = true;
  if (form.skipRef > 0) policy.skipRef = form.skipRef;
  if (form.skipDist > 0) policy.skipDist = form.skipDist;
  if (form.ignoreFps) policy.ignoreFps = true;
  return {
    projectDir,
    metrics: chosenMetrics(form, descriptors).map((d) => ({
      id: d.id,
      params: Object.fromEntries(d.params.map((p) => [p.name, form.metrics[d.id]!.params[p.name] ?? p.default])),
    })),
    ...(stimulusIds ? { stimulusIds: [...stimulusIds] } : {}),
    force: form.force,
    pooling: form.pooling,
    policy,
  };
}

/** Distorted stimuli that have a reference: what a metrics run computes. */
export function pairedDistorted<S extends Pick<Stimulus, 'role' | 'referenceId'>>(stimuli: readonly S[]): S[] {
  return stimuli.filter((s) => s.role === 'distorted' && s.referenceId !== null);
}
