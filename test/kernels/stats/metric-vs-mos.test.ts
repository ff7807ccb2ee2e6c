import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { metricVsMos, minimumPairsForMapping } from '../../../src-main/kernels/stats/metric-vs-mos';
import { plcc, rmse, srocc } from '../../../src-main/kernels/stats/correlation';
import { krocc } from '../../../src-main/kernels/stats/kendall';
import { fitMapping } from '../../../src-main/kernels/stats/mapping-fit';
import { bootstrapCorrelationInterval } from '../../../src-main/kernels/stats/bootstrap';
import { bootstrapClusterInterval } from '../../../src-main/kernels/stats/cluster-bootstrap';
import { bootstrapStatistics } from '../../../src-main/kernels/stats/multi-bootstrap';
import { createRng } from '../../../src-main/kernels/stats/rng';
import { nullToNaN, readGoldenJson } from '../../helpers/golden';

const golden = readGoldenJson<{ cases: Record<string, { x: (number | null)[]; y: (number | null)[] }> }>('stats/correlation.json').cases;

describe('metric vs MOS on small samples', () => {
  const x = golden.small_n_exact!.x as number[];
  const y = golden.small_n_exact!.y as number[];

  it.each([3, 4, 5])('n = %i: the raw SROCC/KROCC/PLCC/RMSE are computed, the logistic5 mapped values are NaN with a reason', (n) => {
    const xs = x.slice(0, n);
    const ys = y.slice(0, n);
    const r = metricVsMos(xs, ys, { mapping: 'logistic5', bootstrap: { seed: 1, resamples: 50 } });
    expect(r.n).toBe(n);
    expect(r.srocc).toBe(srocc(xs, ys).value);
    expect(r.krocc).toBe(krocc(xs, ys).value);
    expect(r.plcc).toBe(plcc(xs, ys).value);
    expect(r.rmse).toBe(rmse(xs, ys).value);
    for (const v of [r.srocc, r.plcc, r.rmse]) expect(Number.isFinite(v)).toBe(true);
    expect(r.plccMapped).toBeNaN();
    expect(r.rmseMapped).toBeNaN();
    expect(r.mappingReason).toBe(`the logistic5 mapping has 5 parameters and needs at least 6 stimuli, got ${n}`);
    expect(r.mapping).toMatchObject({ kind: 'logistic5', converged: false, solver: 'none' });
    expect(r.mapping!.params.every(Number.isNaN)).toBe(true);
    expect(r.reason).toBeUndefined();
    expect(r.ci95!.rmseMapped.every(Number.isNaN)).toBe(true);
    expect(r.ci95!.skipped.plccMapped).toBe(50);
  });

  it('fits a mapping as soon as it has one stimulus more than parameters', () => {
    expect([minimumPairsForMapping('logistic5'), minimumPairsForMapping('logistic4'), minimumPairsForMapping('cubic-monotonic'), minimumPairsForMapping('linear'), minimumPairsForMapping('none')]).toEqual([6, 5, 5, 3, 3]);
    const r4 = metricVsMos(x.slice(0, 5), y.slice(0, 5), { mapping: 'logistic4' });
    expect(r4.mappingReason).toBeUndefined();
    expect(Number.isFinite(r4.plccMapped)).toBe(true);
    const lin = metricVsMos(x.slice(0, 3), y.slice(0, 3), { mapping: 'linear' });
    expect(lin.plccMapped).toBeCloseTo(Math.abs(lin.plcc), 12);
    const l5 = metricVsMos(x.slice(0, 6), y.slice(0, 6), { mapping: 'logistic5' });
    expect(l5.mappingReason).toBeUndefined();
    expect(l5.rmseMapped).toBeCloseTo(fitMapping('logistic5', x.slice(0, 6), y.slice(0, 6)).rmseMapped, 14);
  });

  it('a fit that does not converge falls back visibly, or (fallback off) leaves only the mapped values NaN, with a reason', () => {
    const c = golden.continuous_no_ties!;
    const fb = metricVsMos(nullToNaN(c.x), nullToNaN(c.y), { mapping: 'logistic5', fit: { maxEvaluations: 2 } });
    expect(fb.mapping).toMatchObject({ kind: 'cubic-monotonic', requested: 'logistic5', degenerate: null });
    expect(fb.mapping!.fallback!.because).toMatch(/^logistic5 from \d+ starts: not-converged: max-evaluations after \d+ iterations; logistic4 from \d+ starts: not-converged/);
    expect(Number.isFinite(fb.plccMapped)).toBe(true);
    expect(fb.mappingReason).toBeUndefined();
    const r = metricVsMos(nullToNaN(c.x), nullToNaN(c.y), { mapping: 'logistic5', fit: { maxEvaluations: 2, fallback: false } });
    expect(r.plccMapped).toBeNaN();
    expect(r.rmseMapped).toBeNaN();
    expect(r.mappingReason).toMatch(/^the logistic5 fit did not converge \(max-evaluations after \d+ iterations\)$/);
    expect(r.mapping!.converged).toBe(false);
    expect(r.mapping!.degenerate!.issue).toBe('not-converged');
    expect(Number.isFinite(r.plcc) && Number.isFinite(r.srocc)).toBe(true);
  });

  it('fewer than 3 pairs is still a caller error', () => {
    expect(() => metricVsMos([1, 2, NaN], [1, 2, 3])).toThrow(/at least 3 finite pairs/);
  });

  it('a constant metric gives NaN correlations with a reason, and a mapping reason, never a throw', () => {
    const r = metricVsMos([1, 1, 1, 1, 1, 1, 1], [1, 2, 3, 4, 5, 6, 7], { mapping: 'logistic5', bootstrap: { seed: 2, resamples: 20 } });
    expect(r.plcc).toBeNaN();
    expect(r.reason).toBe('constant-x');
    expect(r.mappingReason).toMatch(/constant-x/);
  });
});

describe('bootstrap intervals for every coefficient', () => {
  const c = golden.continuous_no_ties!;
  const x = nullToNaN(c.x);
  const y = nullToNaN(c.y);

  it('gives RMSE and mapped PLCC/RMSE intervals that bracket the estimates, reproducibly', () => {
    const a = metricVsMos(x, y, { mapping: 'logistic4', bootstrap: { seed: 9, resamples: 300 } });
    const b = metricVsMos(x, y, { mapping: 'logistic4', bootstrap: { seed: 9, resamples: 300 } });
    expect(b.ci95).toEqual(a.ci95);
    for (const [k, est] of [['rmse', a.rmse], ['plccMapped', a.plccMapped], ['rmseMapped', a.rmseMapped]] as const) {
      const [lo, hi] = a.ci95![k];
      expect(lo, k).toBeLessThanOrEqual(est);
      expect(hi, k).toBeGreaterThanOrEqual(est);
      expect(hi, k).toBeGreaterThan(lo);
    }
    expect(a.ci95!.skipped.plccMapped).toBeLessThan(30);
  });

  it('the mapped PLCC interval holds its estimate on every reference data set, and says it is BCa', () => {
    const ref = JSON.parse(readFileSync(path.join(__dirname, 'fixtures/curve-fit-reference.json'), 'utf8')) as { cases: Record<string, { x: number[]; y: number[] }> };
    for (const [name, c] of Object.entries(ref.cases)) {
      if (c.x.length > 200) continue; // the n = 1000 case adds run time, not a new shape
      const r = metricVsMos(c.x, c.y, { mapping: 'logistic5', bootstrap: { seed: 5, resamples: 200 } });
      expect(r.ci95!.method).toBe('bca');
      if (Number.isNaN(r.plccMapped)) continue;
      const [lo, hi] = r.ci95!.plccMapped;
      expect(lo, name).toBeLessThanOrEqual(r.plccMapped);
      expect(hi, name).toBeGreaterThanOrEqual(r.plccMapped);
      // Small studies lose resamples that draw too few distinct stimuli for a monotone logistic5 (counted in skipped).
      expect(r.ci95!.skipped.plccMapped, name).toBeLessThan(c.x.length <= 12 ? 80 : 20);
    }
  });

  it('the correlations get the same intervals as the single-statistic bootstraps (same draws)', () => {
    const m = metricVsMos(x, y, { mapping: 'linear', bootstrap: { seed: 4, resamples: 200 } });
    for (const statistic of ['srocc', 'krocc', 'plcc'] as const) {
      const one = bootstrapCorrelationInterval(x, y, { statistic, seed: 4, resamples: 200 });
      expect(m.ci95![statistic]).toEqual([one.lower, one.upper]);
    }
    const rng = createRng(3);
    const clusters = x.map(() => `c${rng.nextInt(8)}`);
    const mc = metricVsMos(x, y, { mapping: 'linear', bootstrap: { seed: 4, resamples: 200 }, clusters });
    for (const statistic of ['srocc', 'plcc'] as const) {
      const one = bootstrapClusterInterval(x, y, clusters, { statistic, seed: 4, resamples: 200 });
      expect(mc.ci95![statistic]).toEqual([one.lower, one.upper]);
    }
    expect(mc.ci95!.clusters).toBe(new Set(clusters).size);
  });

  it('the multi-statistic bootstrap refuses what the single one refuses', () => {
    expect(() => bootstrapStatistics([1, 2], [1, 2], ['a'], () => ({ a: 1 }), { seed: 1 })).toThrow(/at least 3/);
    expect(() => bootstrapStatistics([1, 2, 3], [1, 2, 3], ['a'], () => ({ a: 1 }), { seed: 1, clusters: ['k', 'k', 'k'] })).toThrow(/at least 2 source contents/);
  });
});
