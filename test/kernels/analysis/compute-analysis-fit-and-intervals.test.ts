import { describe, expect, it } from 'vitest';
import { computeAnalysis, type AnalysisInput } from '../../../src-main/kernels/analysis/compute-analysis';
import { createRng } from '../../../src-main/kernels/stats/rng';

/** 30 stimuli of 6 contents rated by 8 participants on 1..5; PSNR (higher better) and LPIPS (lower better). */
function input(overrides: Partial<AnalysisInput> = {}): AnalysisInput {
  const rng = createRng(17);
  const stimuli: AnalysisInput['stimuli'] = [];
  const ratings: AnalysisInput['ratings'] = [];
  const values: AnalysisInput['values'] = [];
  for (let id = 1; id <= 30; id++) {
    const q = (id - 1) / 29; // latent quality
    stimuli.push({ id, name: `s${id}`, referenceName: null, content: `c${id % 6}`, codec: null, width: 64, height: 64, attributes: {} });
    for (let p = 0; p < 8; p++) {
      // The best stimuli get 5 from nearly everyone: their t interval runs past 5.
      const v = Math.max(1, Math.min(5, Math.round(1 + 4 / (1 + Math.exp(-8 * (q - 0.5))) + (rng.nextFloat() - 0.5) * 1.2)));
      ratings.push({ participant: `p${p}`, stimulusId: id, referenceId: null, value: q > 0.95 && p > 0 ? 5 : v, valueRef: NaN });
    }
    values.push({ metricId: 'psnr', params: {}, pooling: 'mean', stimulusId: id, value: 24 + 18 * q + (rng.nextFloat() - 0.5) });
    values.push({ metricId: 'lpips', params: {}, pooling: 'mean', stimulusId: id, value: 0.6 * (1 - q) ** 1.3 + 0.02 * rng.nextFloat() });
  }
  return {
    study: { name: 'st', method: 'ACR', scale: { min: 1, max: 5 } },
    ratings,
    choice: { mos: 'raw', screening: 'bt500', minCorrelation: 0.75, scores: 'absolute', zscore: false },
    choiceSource: 'given',
    stimuli,
    values,
    mapping: 'logistic5',
    seed: 3,
    resamples: 200,
    ...overrides,
  };
}

describe('analysis report: mapping fits and intervals', () => {
  const report = computeAnalysis(input());

  it('MOS intervals stay on the rating scale, and the report says how they are bounded', () => {
    for (const m of report.mos) {
      expect(m.ci95[0] as number).toBeGreaterThanOrEqual(1);
      expect(m.ci95[1] as number).toBeLessThanOrEqual(5);
    }
    expect(report.mos.some((m) => m.ci95[1] === 5)).toBe(true);
    expect(report.provenance.mosInterval).toMatch(/^t interval \(95 %\), clipped to the range the scores can take \[1, 5\] \(\d+ of 30 clipped\)$/);
  });

  it("each mapping is fitted in its metric's direction, with the kind asked for and what became of it", () => {
    for (const r of report.correlations) {
      expect(r.mapping!.requested).toBe('logistic5');
      expect(r.mapping!.direction).toBe(r.metricId === 'lpips' ? -1 : 1);
      expect('fallback' in r.mapping! && 'degenerate' in r.mapping!).toBe(true);
      if (r.mapping!.kind !== 'logistic5') expect(r.mapping!.fallback!.because.length).toBeGreaterThan(0);
      expect(typeof r.plccMapped).toBe('number');
    }
  });

  it('the bootstrap says which interval it is, and the mapped PLCC interval holds its estimate', () => {
    expect(report.provenance.bootstrap!.interval).toMatch(/^BCa/);
    for (const r of report.correlations) {
      const [lo, hi] = r.ci95!.plccMapped! as [number, number];
      expect(lo).toBeLessThanOrEqual(r.plccMapped as number);
      expect(hi).toBeGreaterThanOrEqual(r.plccMapped as number);
    }
  });
});
