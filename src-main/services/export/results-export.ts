/**
 * Metric results in long ("tidy") format: one row per stimulus × metric configuration, with the
 * stimulus's attributes as extra columns, for R/pandas; neural metrics name the model file (SHA-256) and
 * the execution provider they ran on, and every value the decoder command that decoded its frames
 * (with "[accept-decode-errors: N decoder errors]" when damaged frames were accepted), and the alignment
 * policy of a full-reference value in columns of its own (common/alignment.ts: the scaler, the frames
 * skipped on each side, whether the longer side was truncated; empty for no-reference metrics). CSV
 * writes +Infinity as "inf" and NaN as an empty cell; JSON writes "Infinity" and null (see
 * common/json-numbers.ts). Deterministic: the same project gives byte-identical files.
 *
 * exportResults is the one entry point of `iqa results` and the UI's `results.export`: the same files.
 */
import { stringify } from 'csv-stringify/sync';
import { appliedAlignment, type AppliedAlignment } from '../../common/alignment';
import type { MetricResultRow, Stimulus } from '../../common/domain';
import { fromJsonNumber, toCsvNumber } from '../../common/json-numbers';
import { APP_VERSION } from '../../common/version';
import type { Db } from '../store/project-db';
import { listResults } from '../store/metrics-repo';
import { listStimuli } from '../store/stimuli-repo';

export type ResultsExportFormat = 'csv' | 'json';

/** The stored values of a project as a file: what `iqa results` prints and the UI downloads. */
export function exportResults(db: Db, format: ResultsExportFormat): { filename: string; mime: string; content: string } {
  const rows = listResults(db);
  const stimuli = listStimuli(db);
  return format === 'csv'
    ? { filename: 'results.csv', mime: 'text/csv', content: resultsToCsv(rows, stimuli) }
    : { filename: 'results.json', mime: 'application/json', content: resultsToJson(rows, stimuli) };
}

/** The alignment of each row, judged against the stimuli's frame counts when they are given. */
function alignmentOf(r: MetricResultRow, byId: ReadonlyMap<number, Stimulus>): AppliedAlignment | null {
  const dist = byId.get(r.stimulusId);
  const ref = dist?.referenceId == null ? undefined : byId.get(dist.referenceId);
  const frames = dist && ref ? { compared: r.frames, refFrames: ref.frameCount, distFrames: dist.frameCount } : undefined;
  return appliedAlignment(r.metricId, r.decoder, frames);
}

const truncatedText = (t: boolean | null | undefined) => (t === true ? 'yes' : t === false ? 'no' : '');

function paramsText(params: Record<string, string | number>): string {
  return Object.entries(params)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}

function attributeColumns(rows: readonly MetricResultRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.attributes)))].sort();
}

/** `stimuli` (the project's) lets the truncated column say yes or no; without them it is empty. */
export function resultsToCsv(rows: readonly MetricResultRow[], stimuli: readonly Stimulus[] = []): string {
  const attrs = attributeColumns(rows);
  const byId = new Map(stimuli.map((s) => [s.id, s]));
  const fixed = ['stimulus', 'reference', 'metric', 'params', 'pooling', 'value', 'frames', 'metric_version', 'engine_version', 'model_sha256', 'provider', 'decoder', 'align_scaler', 'align_skip_ref', 'align_skip_dist', 'align_truncated'];
  // Only when some metric reported one (IQA-CNN++): other projects keep their columns unchanged.
  const withDistortion = rows.some((r) => r.summary?.distortion);
  if (withDistortion) fixed.push('distortion_type');
  const reserved = new Set(fixed);
  const header = [...fixed, ...attrs.map((a) => (reserved.has(a) ? `attr_${a}` : a))];
  const body = rows.map((r) => {
    const a = alignmentOf(r, byId);
    return [
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
      a ? (a.scaler ?? 'none') : '',
      a ? String(a.skipRef) : '',
      a ? String(a.skipDist) : '',
      truncatedText(a?.truncated),
      ...(withDistortion ? [r.summary?.distortion?.top ?? ''] : []),
      ...attrs.map((k) => r.attributes[k] ?? ''),
    ];
  });
  return stringify([header, ...body], { record_delimiter: '\n' });
}

export function resultsToJson(rows: readonly MetricResultRow[], stimuli: readonly Stimulus[] = []): string {
  const byId = new Map(stimuli.map((s) => [s.id, s]));
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
      // null for a no-reference metric; truncated: null when the frame counts are not known
      alignment: alignmentOf(r, byId),
      attributes: r.attributes,
      // What the metric reported beside the value (IQA-CNN++: the distortion-type distribution).
      ...(r.summary ? { summary: r.summary } : {}),
    })),
  };
  return JSON.stringify(out, null, 2) + '\n';
}
