import { describe, expect, it } from 'vitest';
import {
  canonicalParams,
  columnHeading,
  formatValue,
  nonDefaultParams,
  pivotResults,
  queryResults,
  sortResultRows,
} from '../../src-renderer/src/lib/results-table';
import { METRICS, metricById, paramsKey } from '../../src-main/common/metric-registry';
import type { MetricResultRow, Stimulus } from '../../src-main/common/domain';

const DEFAULT_SSIM_Y = { luma: 'y_float', variant: 'wang', downsample: 'none' };
let runId = 0;
const row = (stimulusId: number, stimulus: string, metricId: string, value: MetricResultRow['value'], extra: Partial<MetricResultRow> = {}): MetricResultRow => ({
  stimulusId,
  stimulus,
  reference: stimulus.split('_')[0]!,
  metricId,
  metricVersion: '1',
  params: metricId === 'ssim-y' ? DEFAULT_SSIM_Y : {},
  pooling: 'mean',
  value,
  frames: 1,
  runId: ++runId,
  engineVersion: '0.1.0',
  modelSha256: null,
  provider: null,
  decoder: null,
  computedAt: '2025-01-01T00:00:00Z',
  attributes: { condition: stimulus.split('_')[1] ?? '' },
  ...extra,
});

const results: MetricResultRow[] = [
  row(2, 'src01_noise', 'ssim-y', 0.41234567),
  row(1, 'src01_blur', 'psnr', 31.234),
  row(1, 'src01_blur', 'ssim-y', 0.9),
  row(2, 'src01_noise', 'psnr', 'Infinity'),
  row(3, 'src02_blur', 'psnr', null),
  row(3, 'src02_blur', 'ssim-y', 0.95, { params: { ...DEFAULT_SSIM_Y, variant: 'ffmpeg' } }),
  row(1, 'src01_blur', 'psnr', 30.5, { pooling: 'p5' }),
];

describe('results table: pivot', () => {
  const t = pivotResults(results, METRICS);

  it('makes one row per stimulus and one column per metric, parameters and pooling, in registry order', () => {
    expect(t.rows.map((r) => r.name).sort()).toEqual(['src01_blur', 'src01_noise', 'src02_blur']);
    expect(t.columns.map((c) => [c.metricId, c.detail])).toEqual([
      ['psnr', ''],
      ['psnr', 'p5'],
      ['ssim-y', ''],
      ['ssim-y', 'variant=ffmpeg'],
    ]);
    expect(t.attributeKeys).toEqual(['condition']);
  });

  it('puts each value in its cell and leaves the others out', () => {
    const blur = t.rows.find((r) => r.name === 'src01_blur')!;
    const [psnr, psnrP5, ssim, ssimFfmpeg] = t.columns;
    expect(blur.values[psnr!.key]).toBe(31.234);
    expect(blur.values[psnrP5!.key]).toBe(30.5);
    expect(blur.values[ssim!.key]).toBe(0.9);
    expect(ssimFfmpeg!.key in blur.values).toBe(false);
    expect(t.rows.find((r) => r.name === 'src01_noise')!.values[psnr!.key]).toBe('Infinity');
    expect(t.rows.find((r) => r.name === 'src02_blur')!.values[psnr!.key]).toBeNull();
  });

  it('describes columns from the descriptors: name, unit, direction, decimals, a tooltip', () => {
    const psnr = t.columns[0]!;
    expect(columnHeading(psnr)).toBe('PSNR ↑ dB');
    expect(psnr.decimals).toBe(2);
    expect(t.columns[2]!.decimals).toBe(4);
    expect(columnHeading(t.columns[2]!)).toBe('SSIM-Y ↑');
    expect(t.columns[3]!.title).toContain('variant=ffmpeg');
    expect(columnHeading({ name: 'MSE', higherIsBetter: false, unit: '' })).toBe('MSE ↓');
  });

  it('keeps a metric unknown to the registry, and shows a version only when two are stored', () => {
    const t2 = pivotResults([row(1, 'a_x', 'future', 3), row(1, 'a_x', 'psnr', 20), row(2, 'b_x', 'psnr', 21, { metricVersion: '2' })], METRICS);
    expect(t2.columns.map((c) => [c.metricId, c.detail])).toEqual([['psnr', 'v1'], ['psnr', 'v2'], ['future', '']]);
    expect(t2.columns[2]!.higherIsBetter).toBeNull();
    expect(columnHeading(t2.columns[2]!)).toBe('future');
  });

  it('names the model file and the provider of a neural metric in its column', () => {
    const sha = 'a'.repeat(64);
    const lp = pivotResults([row(1, 'src01_blur', 'lpips', 0.12, { params: { model: 'lpips-alex' }, modelSha256: sha, provider: 'cpu' })], METRICS);
    const col = lp.columns[0]!;
    expect(col.provider).toBe('cpu');
    expect(col.detail).toContain('cpu');
    expect(col.title).toContain(`model file sha256 ${sha}`);
    expect(col.title).toContain('ran on the CPU');
    expect(t.columns.every((c) => c.provider === null)).toBe(true);
  });

  it('lets the later run win when one cell has two values', () => {
    const t2 = pivotResults([row(1, 'a_x', 'psnr', 20, { runId: 9 }), row(1, 'a_x', 'psnr', 25, { runId: 3 })], METRICS);
    expect(Object.values(t2.rows[0]!.values)).toEqual([20]);
  });

  it('adds path and codec from the stimuli for the search box', () => {
    const s = { id: 1, path: 'dist/src01_blur.png', codec: 'png' } as Stimulus;
    const t2 = pivotResults(results, METRICS, [s]);
    expect(t2.rows.find((r) => r.stimulusId === 1)).toMatchObject({ path: 'dist/src01_blur.png', codec: 'png' });
  });
});

describe('results table: helpers', () => {
  it('canonicalises parameters as the engine does', () => {
    const p = { variant: 'wang', luma: 'y_float', downsample: 'none' };
    expect(canonicalParams(p)).toBe(paramsKey(p));
  });

  it('lists only the parameters that differ from the defaults', () => {
    expect(nonDefaultParams(metricById('ssim-y'), { ...DEFAULT_SSIM_Y, luma: 'bt709' })).toEqual(['luma=bt709']);
    expect(nonDefaultParams(metricById('psnr'), {})).toEqual([]);
    expect(nonDefaultParams(undefined, { k: 1 })).toEqual(['k=1']);
  });

  it('formats values: fixed decimals, ∞, NaN, and significant digits otherwise', () => {
    expect(formatValue(31.23456, 2)).toBe('31.23');
    expect(formatValue(0.912345, 4)).toBe('0.9123');
    expect(formatValue('Infinity', 2)).toBe('∞');
    expect(formatValue('-Infinity', 2)).toBe('−∞');
    expect(formatValue(null, 2)).toBe('NaN');
    expect(formatValue(undefined, 2)).toBe('');
    expect(formatValue(123.456789, null)).toBe('123.46');
    expect(formatValue(0.0123456, null)).toBe('0.012346');
    expect(formatValue(0, null)).toBe('0');
    expect(formatValue(12345678, null)).toBe('1.235e+7');
  });
});

describe('results table: sorting and search', () => {
  const t = pivotResults(results, METRICS);
  const psnr = `col:${t.columns[0]!.key}`;
  const names = (rows: { name: string }[]) => rows.map((r) => r.name);

  it('sorts a metric column numerically with ∞ above every number and NaN last both ways', () => {
    expect(names(sortResultRows(t.rows, psnr, false))).toEqual(['src01_blur', 'src01_noise', 'src02_blur']);
    expect(names(sortResultRows(t.rows, psnr, true))).toEqual(['src01_noise', 'src01_blur', 'src02_blur']);
  });

  it('puts not-computed cells last both ways', () => {
    const ffmpeg = `col:${t.columns[3]!.key}`;
    expect(names(sortResultRows(t.rows, ffmpeg, false))[0]).toBe('src02_blur');
    expect(names(sortResultRows(t.rows, ffmpeg, true))[0]).toBe('src02_blur');
  });

  it('sorts text naturally by name, reference and attribute', () => {
    const rows = pivotResults([row(1, 'a_level10', 'psnr', 1), row(2, 'a_level2', 'psnr', 1), row(3, 'b_level1', 'psnr', 1)], METRICS).rows;
    expect(names(sortResultRows(rows, 'name', false))).toEqual(['a_level2', 'a_level10', 'b_level1']);
    expect(names(sortResultRows(rows, 'attr:condition', true))).toEqual(['a_level10', 'a_level2', 'b_level1']);
    expect(names(sortResultRows(rows, 'reference', true))).toEqual(['b_level1', 'a_level2', 'a_level10']);
  });

  it('searches and filters with the stimuli table semantics', () => {
    const q = { search: '', filters: {}, sort: 'name', descending: false };
    expect(names(queryResults(t.rows, { ...q, search: 'BLUR' }))).toEqual(['src01_blur', 'src02_blur']);
    expect(names(queryResults(t.rows, { ...q, search: 'src02' }))).toEqual(['src02_blur']);
    expect(names(queryResults(t.rows, { ...q, filters: { condition: 'noise' } }))).toEqual(['src01_noise']);
    expect(names(queryResults(t.rows, { ...q, filters: { condition: '' } }))).toHaveLength(3);
  });
});
