import { describe, expect, it } from 'vitest';
import { buildScatterModel, niceRange, niceTicks, tickLabel, withinDomain } from '../../src-renderer/src/lib/scatter-model';
import { frameCurveSvg, scatterSvg } from '../../src-renderer/src/lib/scatter-svg';
import type { FrameCurve } from '../../src-renderer/src/lib/frame-curves';
import { evaluateMapping } from '../../src-main/kernels/stats/mapping-models';
import type { CorrelationRow, MosRow } from '../../src-main/common/domain';
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

const points = [
  { stimulusId: 1, x: 25, y: 1.5, group: 'blur' },
  { stimulusId: 2, x: 30, y: 2.5, group: 'noise' },
  { stimulusId: 3, x: 35, y: 3.6, group: 'blur' },
  { stimulusId: 4, x: 40, y: 4.4, group: 'noise' },
];
const mos = [mosRow(1, 'a_blur', 1.5), mosRow(2, 'a_noise', 2.5), mosRow(3, 'b_blur', 3.6), mosRow(4, 'b_noise', 4.4, { ci95: [null, null] })];
const ctx = { by: 'condition', differential: false, scale: { min: 1, max: 5 }, mapping: 'logistic5' };

describe('scatter model', () => {
  it('series per breakdown value with MOS intervals, the fitted curve, ranges covering the scale', () => {
    const m = buildScatterModel(corr('psnr', { points }), mos, ctx);
    expect(m.series.map((s) => [s.name, s.points.map((p) => p.stimulusId)])).toEqual([
      ['blur', [1, 3]],
      ['noise', [2, 4]],
    ]);
    expect(m.series[0]!.color).not.toBe(m.series[1]!.color);
    expect(m.series[0]!.points[0]).toMatchObject({ label: 'a_blur', lo: 1.2, hi: 1.8 });
    expect(m.series[1]!.points[1]).toMatchObject({ lo: null, hi: null });
    expect(m.xRange).toEqual([24, 42]);
    expect(m.xStep).toBe(2);
    expect(m.yRange).toEqual([1, 5]);
    expect(m.yStep).toBe(1);
    expect(m.curve!.length).toBeGreaterThan(50);
    for (const p of m.curve!) expect(p.y).toBeCloseTo(evaluateMapping('logistic5', [4, 0.3, 30, 0, 3], p.x), 10);
    expect(m.curveNote).toBeNull();
    expect(m.xLabel).toBe('PSNR ↑ dB');
    expect(m.yLabel).toBe('MOS (95 % CI)');
    expect(m.title).toBe('PSNR vs MOS');
    expect(m.subtitle).toBe('SROCC 0.800 · PLCC (mapped) 0.900 · RMSE (mapped) 0.400 · n = 6');
  });

  it('keeps the axes inside each quantity: the MOS axis is the scale, MSE never below 0, SSIM never above 1', () => {
    // Ratings near the scale's ends (intervals clipped to it) and MSE values from 0.
    const low = [mosRow(1, 'a_blur', 1.02, { ci95: [1, 1.3] }), mosRow(2, 'a_noise', 4.97, { ci95: [4.7, 5] })];
    const mse = buildScatterModel(corr('mse', { points: [{ stimulusId: 1, x: 0, y: 1.02, group: null }, { stimulusId: 2, x: 180, y: 4.97, group: null }] }), low, { ...ctx, by: null });
    expect(mse.xRange[0]).toBe(0);
    expect(mse.yRange).toEqual([1, 5]);
    const ssim = buildScatterModel(corr('ssim', { points: [{ stimulusId: 1, x: 0.71, y: 1.02, group: null }, { stimulusId: 2, x: 0.999, y: 4.97, group: null }] }), low, { ...ctx, by: null });
    expect(ssim.xRange[1]).toBe(1);
    expect(ssim.xRange[0]).toBeLessThan(0.71);
    // DMOS (difference scores) on their own range.
    const diff = buildScatterModel(corr('psnr', { points }), mos, { ...ctx, scale: { min: -1, max: 6 } });
    expect(diff.yRange).toEqual([-1, 6]);
  });

  it('withinDomain cuts a range to the domain but never hides a value', () => {
    expect(withinDomain([-10, 190], [0, null], [0, 180])).toEqual([0, 190]);
    expect(withinDomain([0.7, 1.02], [null, 1], [0.71, 0.999])).toEqual([0.7, 1]);
    expect(withinDomain([-1, 6], [1, 5], [0.5, 5])).toEqual([0.5, 5]);
    expect(withinDomain([20, 40], [0, null], [25, 35])).toEqual([20, 40]);
  });

  it('colours by any breakdown name through groupOf, or by none; no curve where the mapping could not be fitted', () => {
    const byRef = buildScatterModel(corr('psnr', { points }), mos, { ...ctx, colourBy: 'content', groupOf: (id) => (id <= 2 ? 'a' : 'b') });
    expect(byRef.colourBy).toBe('content');
    expect(byRef.series.map((s) => [s.name, s.points.map((p) => p.stimulusId)])).toEqual([
      ['a', [1, 2]],
      ['b', [3, 4]],
    ]);
    const plain = buildScatterModel(corr('psnr', { points }), mos, { ...ctx, colourBy: null });
    expect(plain.series).toHaveLength(1);
    expect(plain.colourBy).toBeNull();
    const small = buildScatterModel(
      corr('psnr', { points, mappingReason: 'the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 4', mapping: { kind: 'logistic5', params: [null, null, null, null, null], sse: null, converged: false, solver: 'none' } }),
      mos,
      ctx,
    );
    expect(small.curve).toBeNull();
    expect(small.curveNote).toBe('No fitted curve: the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got 4.');
  });

  it('one series without a breakdown; notes instead of a curve for none and failed fits', () => {
    const one = buildScatterModel(corr('psnr', { points }), mos, { ...ctx, by: null });
    expect(one.series).toHaveLength(1);
    expect(one.series[0]!.name).toBe('');
    const none = buildScatterModel(corr('psnr', { points, mapping: { kind: 'none', params: [], sse: null, converged: true, solver: 'identity' } }), mos, { ...ctx, mapping: 'none' });
    expect(none.curve).toBeNull();
    expect(none.curveNote).toMatch(/No mapping/);
    const failed = buildScatterModel(corr('psnr', { points, mapping: { kind: 'logistic4', params: [null, null, null, null], sse: null, converged: false, solver: 'none' }, reason: 'constant metric values' }), mos, ctx);
    expect(failed.curve).toBeNull();
    expect(failed.curveNote).toBe('No fitted curve: the 4-parameter logistic fit is undefined (constant metric values).');
    const group = buildScatterModel(corr('psnr', { points: points.filter((p) => p.group === 'blur'), group: 'blur' }), mos, ctx);
    expect(group.title).toBe('PSNR vs MOS — condition = blur');
    expect(buildScatterModel(corr('psnr', { points }), mos, { ...ctx, differential: true }).yLabel).toBe('DMOS (95 % CI)');
  });

  it('nice ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual({ ticks: [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1], step: 0.2 });
    expect(niceTicks(23.4, 41.7, 6).ticks).toEqual([25, 30, 35, 40]);
    expect(tickLabel(0.6000000000000001, 0.2)).toBe('0.6');
    expect(tickLabel(-2, 0.5)).toBe('−2.0');
    expect(tickLabel(30, 5)).toBe('30');
    expect(niceRange([15.6, 30.6])).toEqual({ range: [14, 32], step: 2 });
    expect(niceRange([0.731, 0.913])).toEqual({ range: [0.7, 0.95], step: 0.05 });
    expect(niceRange([0.6, 5.7])).toEqual({ range: [0, 6], step: 1 });
  });
});

describe('scatter SVG', () => {
  it('is a standalone SVG with every point, its interval, the curve and a legend; text escaped', () => {
    const model = buildScatterModel(corr('psnr', { points, metricName: 'PSNR <&>' }), mos, ctx);
    const svg = scatterSvg(model);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle cx=/g)!.length).toBe(points.length + 2); // points + 2 legend markers
    expect(svg.match(/stroke-opacity="0.6"/g)!.length).toBe(3); // intervals (one is undefined)
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain('PSNR &lt;&amp;&gt; vs MOS');
    expect(svg).not.toContain('PSNR <&>');
    expect(svg).toContain('>blur<');
    expect(svg).toContain('>fitted 5-parameter logistic<');
    // well-formed enough for an XML parser: balanced tags
    const open = (svg.match(/<(?!\/)[a-zA-Z]+[^>]*[^/]>/g) ?? []).length;
    const close = (svg.match(/<\/[a-zA-Z]+>/g) ?? []).length;
    expect(open).toBe(close);
  });
});

describe('per-frame curve SVG', () => {
  const curve = (values: (number | null)[], extra: Partial<FrameCurve> = {}): FrameCurve => ({
    key: 'psnr|{}',
    title: 'PSNR <↑> — src03_blur · MOS 3.25 [2.95, 3.55]',
    yLabel: 'PSNR (dB)',
    values,
    color: '#3366cc',
    note: '',
    ...extra,
  });
  const balanced = (svg: string) => {
    const open = (svg.match(/<(?!\/)[a-zA-Z]+[^>]*[^/]>/g) ?? []).length;
    const close = (svg.match(/<\/[a-zA-Z]+>/g) ?? []).length;
    expect(open).toBe(close);
  };

  it('is a standalone SVG with the curve as one path, the title (metric, stimulus, MOS) escaped, whole-frame ticks', () => {
    const svg = frameCurveSvg(curve([30, 31.5, 32, 31, 30.5]));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('<title>PSNR &lt;↑&gt; — src03_blur · MOS 3.25 [2.95, 3.55]</title>');
    expect(svg).not.toContain('PSNR <↑>');
    expect(svg).toContain('>PSNR (dB)</text>');
    expect(svg).toContain('>frame</text>');
    const paths = svg.match(/<path d="([^"]*)" fill="none" stroke="#3366cc"/g)!;
    expect(paths).toHaveLength(1);
    expect(paths[0]!.match(/[ML]/g)!.join('')).toBe('MLLLL');
    expect(svg.match(/<circle /g)).toHaveLength(5); // 5 frames: each drawn as a dot too
    expect(svg).toContain('<title>frame 2: 32</title>');
    expect([...svg.matchAll(/text-anchor="middle">([^<]*)</g)].map((m) => m[1])).toEqual(['0', '1', '2', '3', '4']);
    balanced(svg);
    // deterministic: same curve, same bytes
    expect(frameCurveSvg(curve([30, 31.5, 32, 31, 30.5]))).toBe(svg);
  });

  it('breaks the line at frames without a value, marks an isolated frame, shows the note', () => {
    const values = Array.from({ length: 100 }, (_, i) => (i === 40 || i === 42 ? null : 0.9 + (i % 7) / 100));
    const svg = frameCurveSvg(curve(values, { note: '2 frames NaN, not drawn' }));
    const d = svg.match(/<path d="([^"]*)" fill="none" stroke="#3366cc"/)![1]!;
    expect(d.match(/M/g)).toHaveLength(2); // frames 0..39 and 43..99; 41 alone is a dot
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(svg).toContain('<title>frame 41: 0.96</title>');
    expect(svg).toContain('>2 frames NaN, not drawn</text>');
    balanced(svg);
  });

  it('copes with a single frame, a constant curve and no drawable frame', () => {
    for (const values of [[5], [0.5, 0.5, 0.5], [null, null]]) {
      const svg = frameCurveSvg(curve(values));
      expect(svg).not.toMatch(/NaN|Infinity/);
      balanced(svg);
    }
  });
});
