/**
 * Metric results in long ("tidy") format: one row per stimulus × metric configuration, with the
 * stimulus's attributes as extra columns, for R/pandas; neural metrics name the model file (SHA-256) and
 * the execution provider they ran on, and every value the decoder command that decoded its frames
 * (with "[accept-decode-errors: N decoder errors]" when damaged frames were accepted). CSV writes
 * +Infinity as "inf" and NaN as an empty cell; JSON writes "Infinity" and null (see
 * common/json-numbers.ts). Deterministic: the same project gives byte-identical files.
 */
import { stringify } from 'csv-stringify/sync';
import type { MetricResultRow } from '../../common/domain';
import { fromJsonNumber, toCsvNumber } from '../../common/json-numbers';
import { APP_VERSION } from '../../common/version';

function paramsText(params: Record<string, string | number>): string {
  return Object.entries(params)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}

function attributeColumns(rows: readonly MetricResultRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.attributes)))].sort();
}

export function resultsToCsv(rows: readonly MetricResultRow[]): string {
  const attrs = attributeColumns(rows);
  const fixed = ['stimulus', 'reference', 'metric', 'params', 'pooling', 'value', 'frames', 'metric_version', 'engine_version', 'model_sha256', 'provider', 'decoder'];
  const reserved = new Set(fixed);
  const header = [...fixed, ...attrs.map((a) => (reserved.has(a) ? `attr_${a}` : a))];
  const body = rows.map((r) => [
    r.stimulus,
    r.reference ?? '',
    r.metricId,
    paramsText(r.params),
    r.pooling,
    toCsvNumber(r.value === null ? null : fromJsonNumber(r.value)),
    String(r.frames),
    r.metricVersion,
    r.engineVersion,
    r.modelSha256 ?? '',
    r.provider ?? '',
    r.decoder ?? '',
    ...attrs.map((a) => r.attributes[a] ?? ''),
  ]);
  return stringify([header, ...body], { record_delimiter: '\n' });
}

export function resultsToJson(rows: readonly MetricResultRow[]): string {
  const out = {
    engineVersion: APP_VERSION,
    conventions: 'value: pooled metric value; "Infinity" = identical inputs (PSNR), null = NaN. See docs/metrics.md.',
    results: rows.map((r) => ({
      stimulus: r.stimulus,
      reference: r.reference,
      metric: r.metricId,
      metricVersion: r.metricVersion,
      params: r.params,
      pooling: r.pooling,
      value: r.value,
      frames: r.frames,
      engineVersion: r.engineVersion,
      model: r.modelSha256 === null ? null : { sha256: r.modelSha256, provider: r.provider },
      decoder: r.decoder,
      attributes: r.attributes,
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
