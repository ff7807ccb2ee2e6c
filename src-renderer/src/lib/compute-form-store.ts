/**
 * The compute dialog's choices, remembered per project (localStorage, keyed by the project folder): a
 * project opens with the metrics, parameters, pooling and alignment last chosen for it, never with
 * another project's. "Recompute stored pairs" and the filtered scope are not remembered: the first
 * would silently recompute everything, the second depends on filters that are not kept either. What is
 * read back is checked field by field (a stored form is data from outside: an old version, a hand
 * edit). Pure but for the storage passed in; tested in test/renderer/compute-form-store.test.ts.
 */
import { POOLINGS, SCALER_NAMES, type MetricDescriptor } from '../../../src-main/common/metric-registry';
import { initialForm, type ComputeForm, type MetricChoice } from './metric-form';

export const formStorageKey = (projectDir: string): string => `iqa.computeForm:${projectDir}`;

/** What is remembered of a form. */
export function serializeForm(form: ComputeForm): string {
  const { metrics, pooling, scale, truncate, skipRef, skipDist, ignoreFps } = form;
  return JSON.stringify({ metrics, pooling, scale, truncate, skipRef, skipDist, ignoreFps });
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 1_000_000;

/** A fresh form for these descriptors with what `stored` (serializeForm's text, or null) validly says. */
export function restoreForm(descriptors: readonly MetricDescriptor[], stored: string | null): ComputeForm {
  const fresh = initialForm(descriptors);
  if (!stored) return fresh;
  let v: unknown;
  try {
    v = JSON.parse(stored);
  } catch {
    return fresh;
  }
  if (!isObj(v)) return fresh;
  const metrics: Record<string, MetricChoice> = {};
  if (isObj(v.metrics)) {
    for (const [id, c] of Object.entries(v.metrics)) {
      if (!isObj(c) || !isObj(c.params)) continue;
      const params = Object.fromEntries(Object.entries(c.params).filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number'));
      metrics[id] = { checked: c.checked === true, params };
    }
  }
  const previous: ComputeForm = {
    ...fresh,
    metrics,
    pooling: (POOLINGS as readonly unknown[]).includes(v.pooling) ? (v.pooling as ComputeForm['pooling']) : fresh.pooling,
    scale: v.scale === 'none' || (SCALER_NAMES as readonly unknown[]).includes(v.scale) ? (v.scale as ComputeForm['scale']) : fresh.scale,
    truncate: v.truncate === true,
    skipRef: isCount(v.skipRef) ? v.skipRef : 0,
    skipDist: isCount(v.skipDist) ? v.skipDist : 0,
    ignoreFps: v.ignoreFps === true,
  };
  // initialForm keeps only the parameters that still apply to the current descriptors.
  return initialForm(descriptors, previous);
}
