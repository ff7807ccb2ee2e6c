import { describe, expect, it } from 'vitest';
import {
  bestRows,
  configDetail,
  correlationKey,
  formatCi,
  formatStat,
  groupColors,
  groupCorrelations,
  mappingFlag,
  metricHeading,
  nanReason,
  cellReason,
  STAT_COLUMNS,
  sortMosRows,
} from '../../src-renderer/src/lib/analysis-table';
import { frameCurves } from '../../src-renderer/src/lib/frame-curves';
import type { CorrelationRow, MosRow } from '../../src-main/common/domain';
import { CORRELATION_STATS } from '../../src-main/common/analysis-stats';
import { corr } from '../helpers/analysis-fixtures';


const mosRow = (stimulusId: number, stimulus: string, mos: number | null, extra: Partial<MosRow> = {}): MosRow => ({
  stimulusId,
  stimulus,
  reference: stimulus.split('_')[0]!,
  attributes: { condition: stimulus.split('_')[1] ?? '' },
  mos,
  std: 0.5,
  n: 8,
  ci95: mos === null ? [null, null] : [mos - 0.3, mos + 0.3],
  ...extra,
});

describe('correlation table', () => {
  it('formats statistics and intervals compactly', () => {
    expect(formatStat(0.91234)).toBe('0.9123');
    expect(formatStat(-0.5)).toBe('−0.5000');
    expect(formatStat(null)).toBe('NaN');
    expect(formatStat('Infinity')).toBe('∞');
    expect(formatCi([0.812, 0.974])).toBe('[0.81, 0.97]');
    expect(formatCi([-0.2, 0.5])).toBe('[−0.20, 0.50]');
    expect(formatCi([null, null])).toBe('');
    expect(formatCi(null)).toBe('');
  });

  it('best per column: highest |correlation| (a lower-is-better metric counts), lowest RMSE; NaN never wins', () => {
    const rows = [
      corr('psnr', { srocc: 0.8, krocc: null, plcc: 0.7, rmse: 12, plccMapped: 0.9, rmseMapped: 0.5 }),
      corr('mse', { srocc: -0.9, krocc: null, plcc: -0.6, rmse: 300, plccMapped: 0.91, rmseMapped: 0.45 }),
      corr('ssim-y', { srocc: 0.85, krocc: null, plcc: 0.75, rmse: 2, plccMapped: null, rmseMapped: null }),
    ];
    // The raw RMSE (12 dB, 300, 2) is in each metric's units: not comparable, no best.
    expect(bestRows(rows)).toEqual({ srocc: [1], krocc: [], plcc: [2], rmse: [], plccMapped: [1], rmseMapped: [1], rmseStar: [0, 1, 2], outlierRatio: [0, 1, 2] });
  });

  it('marks every row that ties for the best value', () => {
    const rows = [corr('psnr', { srocc: 0.9, plccMapped: 0.95, rmseMapped: 0.3 }), corr('mse', { srocc: -0.9, plccMapped: 0.95, rmseMapped: 0.4 }), corr('ssim-y', { srocc: 0.8, plccMapped: 0.9, rmseMapped: 0.3 })];
    expect(bestRows(rows)).toMatchObject({ srocc: [0, 1], plccMapped: [0, 1], rmseMapped: [0, 2], rmse: [] });
  });

  it('groups rows by breakdown value, all stimuli first, best computed per group', () => {
    const rows = [
      corr('psnr', { srocc: 0.8 }),
      corr('ssim-y', { srocc: 0.9 }),
      corr('psnr', { group: 'blur', srocc: 0.99 }),
      corr('ssim-y', { group: 'blur', srocc: 0.5 }),
      corr('psnr', { group: 'noise', srocc: 0.1 }),
    ];
    const groups = groupCorrelations(rows);
    expect(groups.map((g) => [g.group, g.rows.length, g.best.srocc])).toEqual([
      [null, 2, [1]],
      ['blur', 2, [0]],
      ['noise', 1, [0]],
    ]);
    expect(new Set(rows.map(correlationKey)).size).toBe(5);
  });

  it('names the configuration: direction, unit, non-default parameters', () => {
    expect(metricHeading(corr('psnr'))).toBe('PSNR ↑ dB');
    expect(metricHeading(corr('mse'))).toBe('MSE ↓');
    expect(configDetail(corr('ssim-y'))).toBe('');
    expect(configDetail(corr('ssim-y', { params: { luma: 'y_float', variant: 'ffmpeg', downsample: 'none' }, pooling: 'p5' }))).toBe('variant=ffmpeg · p5');
  });

  it('says why statistics are NaN', () => {
    expect(nanReason(corr('psnr'))).toBeNull();
    expect(nanReason(corr('psnr', { srocc: null, reason: 'constant metric values' }))).toBe('constant metric values');
    expect(nanReason(corr('psnr', { srocc: null, n: 2 }))).toMatch(/only 2 stimuli/);
    const small = corr('psnr', { n: 4, plccMapped: null, rmseMapped: null, rmseStar: null, outlierRatio: null, mappingReason: 'the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 4' });
    expect(nanReason(small)).toBe('mapped values NaN: the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 4');
    expect(cellReason(small, 'plccMapped')).toBe('the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 4');
    expect(cellReason(small, 'srocc')).toBeNull();
    expect(nanReason(corr('psnr', { n: 6, rmseStar: null, outlierRatio: null }))).toBe('RMSE* and OR need at least 7 stimuli with a 5-parameter mapping (ITU-T P.1401, N − d degrees of freedom), got 6');
    expect(STAT_COLUMNS.filter((c) => c.ci).map((c) => c.ci)).toEqual(['srocc', 'krocc', 'plcc', 'rmse', 'plccMapped', 'rmseMapped']);
  });

  it('flags a mapping that fell back or is degenerate, with the whole sentence as the title', () => {
    const base = corr('psnr');
    const params = [1, 2, 3, 4];
    expect(mappingFlag(base)).toBeNull();
    const fell = corr('ssim', { mapping: { kind: 'logistic4', params, sse: 1, converged: true, solver: 'lm', requested: 'logistic5', fallback: { from: 'logistic5', because: 'logistic5 from 11 starts: not-monotone: falling near x = 0.47 although the mapping must rise' }, degenerate: null } });
    expect(mappingFlag(fell)).toEqual({ label: 'logistic4 (fallback)', title: 'fitted logistic4 instead of logistic5 (logistic5 from 11 starts: not-monotone: falling near x = 0.47 although the mapping must rise)' });
    const extreme = corr('mse', { mapping: { kind: 'logistic5', params: [1, 2, 3, 4, 5], sse: 1, converged: true, solver: 'lm', fallback: null, degenerate: { issue: 'extreme-parameters', detail: 'b1 = 4e+5' } } });
    expect(mappingFlag(extreme)!.label).toBe('degenerate fit: extreme-parameters');
    // A fit that gives no values is explained by the row's mappingReason, not flagged twice.
    expect(mappingFlag({ ...fell, mappingReason: 'the fit is flat' })).toBeNull();
  });
});

describe('MOS table', () => {
  const rows = [mosRow(1, 'src01_noise', 2.1), mosRow(2, 'src10_blur', null), mosRow(3, 'src02_blur', 4.4, { n: 7, ci95: [3.0, 5.0] }), mosRow(4, 'src01_blur', 3.3)];
  it('sorts by name naturally, by numbers with NaN last in both directions', () => {
    expect(sortMosRows(rows, 'stimulus', false).map((r) => r.stimulusId)).toEqual([4, 1, 3, 2]);
    expect(sortMosRows(rows, 'mos', false).map((r) => r.stimulusId)).toEqual([1, 4, 3, 2]);
    expect(sortMosRows(rows, 'mos', true).map((r) => r.stimulusId)).toEqual([3, 4, 1, 2]);
    expect(sortMosRows(rows, 'ci', true)[0]!.stimulusId).toBe(3);
    expect(sortMosRows(rows, 'n', false)[0]!.stimulusId).toBe(3);
    expect(sortMosRows(rows, 'attr:condition', false).map((r) => r.attributes.condition)).toEqual(['blur', 'blur', 'blur', 'noise']);
  });
});

describe('colours and per-frame curves', () => {
  it('gives each group value its own colour, stably', () => {
    const c = groupColors(['noise', 'blur', null, 'blur']);
    expect([...c.keys()]).toEqual([null, 'blur', 'noise']);
    expect(new Set(c.values()).size).toBe(3);
  });

  it('one curve per metric configuration, MOS in the title, ±∞ and NaN as counted gaps', () => {
    const curves = frameCurves(
      [
        { metricId: 'psnr', params: {}, pooling: 'mean', values: [30, 'Infinity', 31, null] },
        { metricId: 'psnr', params: {}, pooling: 'min', values: [30, 'Infinity', 31, null] },
        { metricId: 'ssim-y', params: { luma: 'y_float', variant: 'wang', downsample: 'none' }, pooling: 'mean', values: [0.9, 0.95] },
      ],
      'src03_blur',
      mosRow(9, 'src03_blur', 3.25),
    );
    expect(curves).toHaveLength(2);
    expect(curves[0]!.values).toEqual([30, null, 31, null]);
    expect(curves[0]!.title).toBe('PSNR ↑ — src03_blur · MOS 3.25 [2.95, 3.55]');
    expect(curves[0]!.yLabel).toBe('PSNR (dB)');
    expect(curves[0]!.note).toBe('1 frame infinite (identical to the reference), not drawn; 1 frame NaN, not drawn');
    expect(curves[1]!.note).toBe('');
    expect(curves[1]!.color).not.toBe(curves[0]!.color);
  });
});

describe('the correlation table and the analysis export mark the same best cells', () => {
  it('shows a column per shared statistic, with the same direction the best-row rule uses', () => {
    expect(STAT_COLUMNS.map((c) => ({ key: c.key, lowerIsBetter: c.lowerIsBetter }))).toEqual(CORRELATION_STATS.map((s) => ({ ...s })));
  });
});
