/** The results table's distortion type (IQA-CNN++): carried per column from the stored summary. */
import { describe, expect, it } from 'vitest';
import { distortionText, pivotResults } from '../../src-renderer/src/lib/results-table';
import { METRICS } from '../../src-main/common/metric-registry';
import type { MetricResultRow } from '../../src-main/common/domain';

const LABELS = ['JPEG2000', 'JPEG', 'white noise', 'Gaussian blur', 'fast fading'];
const row = (stimulusId: number, metricId: string, runId: number, extra: Partial<MetricResultRow> = {}): MetricResultRow => ({
  stimulusId,
  stimulus: `s${stimulusId}`,
  reference: null,
  metricId,
  metricVersion: '1',
  params: metricId === 'iqacnnpp' ? { model: 'iqacnnpp-arch' } : {},
  pooling: 'mean',
  value: 0.5,
  frames: 1,
  runId,
  engineVersion: '0.1.0',
  modelSha256: null,
  provider: null,
  decoder: null,
  computedAt: '2025-01-01T00:00:00Z',
  attributes: {},
  ...extra,
});
const dist = (probabilities: number[]) => ({ distortion: { labels: LABELS, probabilities, top: LABELS[probabilities.indexOf(Math.max(...probabilities))]! } });

describe('distortion type in the results table', () => {
  it('keeps each stimulus its own distribution under the IQA-CNN++ column, and none elsewhere', () => {
    const t = pivotResults(
      [
        row(1, 'iqacnnpp', 1, { summary: dist([0.1, 0.1, 0.6, 0.1, 0.1]) }),
        row(2, 'iqacnnpp', 1, { summary: dist([0.5, 0.2, 0.1, 0.1, 0.1]) }),
        row(1, 'brisque', 2),
      ],
      METRICS,
    );
    const col = t.columns.find((c) => c.metricId === 'iqacnnpp')!.key;
    const other = t.columns.find((c) => c.metricId === 'brisque')!.key;
    const byId = new Map(t.rows.map((r) => [r.stimulusId, r]));
    expect(byId.get(1)!.distortion[col]!.top).toBe('white noise');
    expect(byId.get(2)!.distortion[col]!.top).toBe('JPEG2000');
    expect(byId.get(1)!.distortion[other]).toBeUndefined();
  });

  it('a later run without a summary does not keep the earlier run\'s type', () => {
    const t = pivotResults([row(1, 'iqacnnpp', 1, { summary: dist([0.6, 0.1, 0.1, 0.1, 0.1]) }), row(1, 'iqacnnpp', 2)], METRICS);
    expect(Object.keys(t.rows[0]!.distortion)).toEqual([]);
  });

  it('the tooltip lists every type, most likely first', () => {
    const d = dist([0.1, 0.15, 0.5, 0.05, 0.2]).distortion;
    expect(distortionText(d)).toEqual({ top: 'white noise', title: 'distortion type (mean of patch probabilities): white noise 0.500, fast fading 0.200, JPEG 0.150, JPEG2000 0.100, Gaussian blur 0.050' });
  });
});
