import { describe, expect, it } from 'vitest';
import { columnDecimals, formatValue, pivotResults } from '../../src-renderer/src/lib/results-table';
import { METRICS } from '../../src-main/common/metric-registry';
import type { MetricResultRow } from '../../src-main/common/domain';

const row = (stimulusId: number, metricId: string, value: MetricResultRow['value']): MetricResultRow => ({
  stimulusId,
  stimulus: `s${stimulusId}`,
  reference: null,
  metricId,
  metricVersion: '1',
  params: {},
  pooling: 'mean',
  value,
  frames: 1,
  runId: stimulusId,
  engineVersion: '0.1.0',
  modelSha256: null,
  provider: null,
  decoder: null,
  computedAt: '2025-01-01T00:00:00Z',
  attributes: {},
});

describe('results: digits per column', () => {
  it('gives every value of a column the decimals that show its largest value with five significant digits', () => {
    expect(columnDecimals([12.345678, 3.2, null, 'Infinity', undefined])).toBe(3);
    expect(columnDecimals([0.0123, 0.5])).toBe(5);
    expect(columnDecimals([123.4, 99999])).toBe(0);
    expect(columnDecimals([0, 0])).toBe(0);
    expect(columnDecimals([null, 'Infinity'])).toBeNull();
    expect(columnDecimals([12345678])).toBeNull();
  });

  it('formats a NIQE column (no descriptor decimals) with the same decimals in every row', () => {
    const t = pivotResults([row(1, 'niqe', 12.345678), row(2, 'niqe', 3.2), row(3, 'niqe', 7)], METRICS);
    const col = t.columns[0]!;
    expect(col.decimals).toBe(3);
    const texts = t.rows.map((r) => formatValue(r.values[col.key], col.decimals));
    expect(texts).toEqual(['12.346', '3.200', '7.000']);
  });

  it('keeps the descriptor decimals of PSNR (2) and SSIM-like metrics (4)', () => {
    const t = pivotResults([row(1, 'psnr', 31.2), row(1, 'ssim', 0.9)], METRICS);
    expect(t.columns.map((c) => c.decimals)).toEqual([2, 4]);
  });
});
