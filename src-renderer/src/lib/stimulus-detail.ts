/**
 * The stimulus detail as plain data: the media properties of one stimulus, its pairing (its reference,
 * or the distorted versions of a reference), and every value stored for it with its provenance (metric
 * id and version, parameters, pooling, model file and execution provider, decoder command, alignment
 * policy read back by common/alignment.ts, as the results export says it). Pure, tested in
 * test/renderer/stimulus-detail.test.ts.
 */
import { alignmentText, appliedAlignment } from '../../../src-main/common/alignment';
import type { MetricResultRow, Stimulus } from '../../../src-main/common/domain';
import { metricById } from '../../../src-main/common/metric-registry';
import { columnHeading, columnKey, formatValue, type ResultColumn } from './results-table';

export interface DetailValue {
  key: string;
  heading: string;
  value: MetricResultRow['value'];
  text: string;
  /** Everything the number depends on, as label/value lines. */
  provenance: [string, string][];
}

export interface StimulusDetail {
  stimulus: Stimulus;
  media: [string, string][];
  reference: Stimulus | null;
  distorted: Stimulus[];
  values: DetailValue[];
}

const fmtNum = (n: number | null, digits = 3) => (n === null ? '' : String(Number(n.toFixed(digits))));

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]} (${n.toLocaleString('en')} bytes)`;
}

/** Media properties as label/value rows (the empty ones left out). */
export function mediaRows(s: Stimulus): [string, string][] {
  const colour = [s.colorSpace, s.colorRange, s.colorPrimaries, s.colorTransfer].filter(Boolean).join(' · ');
  const rows: [string, string | null | undefined][] = [
    ['Path', s.path],
    ['Role', s.role],
    ['Kind', s.kind],
    ['Size', `${s.width}×${s.height}`],
    ['Frames', s.frameCount === null ? null : String(s.frameCount)],
    ['Frame rate', s.fps === null ? null : `${fmtNum(s.fps)} fps`],
    ['Duration', s.durationS === null ? null : `${fmtNum(s.durationS)} s`],
    ['Container', s.container],
    ['Codec', s.codec],
    ['Pixel format', s.pixFmt],
    ['Bit depth', s.bitDepth === null ? null : String(s.bitDepth)],
    ['Colour', colour],
    ['Raw geometry', s.rawGeometry ? `${s.rawGeometry.width}×${s.rawGeometry.height} ${s.rawGeometry.pixFmt} at ${s.rawGeometry.fps} fps` : null],
    ['File size', bytes(s.sizeBytes)],
    ['SHA-256', s.sha256],
    ['Content', s.content],
    ...Object.entries(s.attributes).map(([k, v]): [string, string] => [k, v]),
  ];
  return rows.filter((r): r is [string, string] => typeof r[1] === 'string' && r[1] !== '');
}

function paramsText(params: Record<string, string | number>): string {
  const e = Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(', ') : 'none';
}

/**
 * The detail of `stimulusId`, or null when it is not in the project. `columns` (the results table's)
 * give each value the same digits as its column.
 */
export function stimulusDetail(
  stimulusId: number,
  stimuli: readonly Stimulus[],
  results: readonly MetricResultRow[],
  columns: readonly ResultColumn[] = [],
): StimulusDetail | null {
  const s = stimuli.find((x) => x.id === stimulusId);
  if (!s) return null;
  const reference = s.referenceId === null ? null : (stimuli.find((x) => x.id === s.referenceId) ?? null);
  const distorted = stimuli.filter((x) => x.referenceId === s.id);
  const byKey = new Map(columns.map((c) => [c.key, c]));
  const values = results
    .filter((r) => r.stimulusId === s.id)
    .map((r): DetailValue => {
      const key = columnKey(r);
      const d = metricById(r.metricId);
      const col = byKey.get(key);
      const alignment = appliedAlignment(r.metricId, r.decoder, reference ? { compared: r.frames, refFrames: reference.frameCount, distFrames: s.frameCount } : undefined);
      const provenance: [string, string | null][] = [
        ['Metric', `${r.metricId} v${r.metricVersion}${d ? ` (${d.kind === 'NR' ? 'no reference' : `against ${r.reference ?? 'its reference'}`})` : ''}`],
        ['Parameters', paramsText(r.params)],
        ['Pooling', `${r.pooling} over ${r.frames} frame${r.frames === 1 ? '' : 's'}`],
        ['Model', r.modelSha256 ? `SHA-256 ${r.modelSha256}` : null],
        ['Ran on', r.provider ? (r.provider === 'cuda' ? 'the GPU (CUDA)' : r.provider === 'cpu' ? 'the CPU' : r.provider) : null],
        ['Alignment', alignmentText(alignment)],
        ['Decoder', r.decoder ?? 'not recorded (stored before decoder provenance existed)'],
        ['Engine', `IQA Studio ${r.engineVersion}`],
        ['Computed', r.computedAt],
      ];
      return {
        key,
        heading: `${columnHeading({ name: d?.name ?? r.metricId, higherIsBetter: d ? d.higherIsBetter : null, unit: d?.unit ?? '' })}${r.pooling !== 'mean' ? ` (${r.pooling})` : ''}`,
        value: r.value,
        text: formatValue(r.value, col ? col.decimals : null),
        provenance: provenance.filter((p): p is [string, string] => p[1] !== null),
      };
    });
  return { stimulus: s, media: mediaRows(s), reference, distorted, values };
}
