/**
 * What a metric reports about a stimulus beside its number: for a network with a classification head
 * (IQA-CNN++'s distortion type), the class distribution pooled over the stimulus (patches, then
 * frames) and its most likely class. Stored per run and stimulus (migration 9, metric_summaries),
 * printed by `iqa metrics --json` and shown in the results table.
 */
export interface ClassDistribution {
  /** Class names, in the order of the model's output (from the manifest's classLabels). */
  labels: string[];
  /** Mean probability per class; sums to 1. */
  probabilities: number[];
  /** The most likely class (the first one on a tie). */
  top: string;
}

export interface MetricSummary {
  distortion?: ClassDistribution;
}

/** Parses a stored summary; anything that is not one is dropped (null) rather than shown wrong. */
export function parseMetricSummary(text: string | null): MetricSummary | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as MetricSummary;
    const d = v.distortion;
    if (d && (!Array.isArray(d.labels) || !Array.isArray(d.probabilities) || typeof d.top !== 'string' || d.labels.length !== d.probabilities.length)) return null;
    return v;
  } catch {
    return null;
  }
}
